"""The user documentation in docs/ stays true to the product.

- the per-entity tables of docs/inputs.md are generated from pipelines/contract.yaml
  (refresh them with `UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py`);
- every KPI table documented in models/marts/schema.yml is named in docs/outputs.md;
- every markdown link between the docs files resolves (file and heading);
- the worked earned-value check in docs/kpis.md is arithmetic, not folklore;
- the SQL models cite the docs, and (known failure, see below) nothing cites the contract
  documents that live outside the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from pipelines.checks.rules import column_rules
from pipelines.contract import ENTITIES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INPUTS_MD = DOCS / "inputs.md"
BEGIN, END = "<!-- contract:begin -->", "<!-- contract:end -->"

# Words for the set-level rules an entity lists under `rules:` in contract.yaml (the checks
# themselves are in pipelines/checks). A rule missing here is shown by its name.
SET_RULE_WORDS = {
    "hours_per_employee_day": "the hours of one employee on one date sum to at most 24",
    "done_requires_completed_on": "a task with status `done` has a `completed_on`",
}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_contract_markdown() -> str:
    """The per-entity sections of docs/inputs.md, from the contract that ingest and checks use.

    To be moved into the product (it is the person-readable twin of
    pipelines.publish.dictionary.input_contract); until then it lives here."""
    lines = [
        "<!-- Generated from pipelines/contract.yaml by render_contract_markdown() in "
        "tests/test_docs.py; do not edit by hand. Refresh: "
        "UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py -->",
        "",
    ]
    for entity in ENTITIES.values():
        key = ", ".join(f"`{k}`" for k in entity.key)
        need = "required" if entity.required else "optional"
        lines += [f"### {entity.name}", "",
                  f"{_cell(entity.description)} Key: {key} (one row per key value). "
                  f"Delivery: {need}.", ""]
        if entity.rules:
            words = "; ".join(SET_RULE_WORDS.get(r, f"`{r}`") for r in entity.rules)
            lines += [f"Rules across rows: {words}.", ""]
        lines += ["| column | type | rules | personal | meaning |", "|---|---|---|---|---|"]
        for col in entity.columns:
            rules = "; ".join(f"`{r}`" for r in column_rules(col)) or "-"
            lines.append(f"| `{col.name}` | {col.type} | {_cell(rules)} | "
                         f"{'yes' if col.personal else ''} | {_cell(col.description)} |")
        lines.append("")
    return "\n".join(lines)


def _split_inputs(text: str) -> tuple[str, str, str]:
    assert text.count(BEGIN) == 1 and text.count(END) == 1, (
        f"{INPUTS_MD} must hold exactly one {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN)
    body, tail = rest.split(END)
    return head, body, tail


def test_contract_section_is_generated_from_the_contract():
    head, body, tail = _split_inputs(INPUTS_MD.read_text(encoding="utf-8"))
    expected = "\n" + render_contract_markdown() + "\n"
    if os.environ.get("UPDATE_DOCS") == "1":
        INPUTS_MD.write_text(head + BEGIN + expected + END + tail, encoding="utf-8")
        return
    assert body == expected, (
        "docs/inputs.md: the entity tables differ from pipelines/contract.yaml. Refresh them "
        "with `UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py` and review the diff.")


def test_every_documented_kpi_table_is_in_outputs():
    models = yaml.safe_load((ROOT / "models" / "marts" / "schema.yml").read_text())["models"]
    outputs = (DOCS / "outputs.md").read_text(encoding="utf-8")
    missing = [m["name"] for m in models if not re.search(rf"\b{m['name']}\b", outputs)]
    assert not missing, (
        f"KPI tables of models/marts/schema.yml not named in docs/outputs.md: {missing}")


# ---- links -------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())  # rendered text: no code or emphasis marks
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = _slug(match.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    return LINK.findall(text)


def test_links_between_docs_resolve():
    pages = sorted(DOCS.glob("*.md"))
    assert {p.name for p in pages} >= {"README.md", "inputs.md", "kpis.md", "outputs.md"}
    broken = []
    for page in pages:
        for target in _links(page):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            dest = (page.parent / file_part).resolve() if file_part else page
            if not dest.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif not dest.is_relative_to(ROOT):
                broken.append(f"{page.name}: {target} (outside the repository)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "broken links in docs/:\n" + "\n".join(broken)


# ---- the worked earned-value check ---------------------------------------------------------

def test_worked_check_in_kpis_is_right():
    bac, pv, ev, ac = 4000, 3000, 2500, 2800
    cpi, spi = ev / ac, ev / pv
    eac = bac / cpi
    figures = {
        "CPI": f"{cpi:.4f}", "SPI": f"{spi:.4f}", "EAC": f"{eac:,.0f}",
        "VAC": f"{bac - eac:,.0f}".replace("-", "\u2212"),
        "TCPI": f"{(bac - ev) / (bac - ac):.2f}",
        "EAC atypical": f"{ac + (bac - ev):,.0f}",
        "EAC composite": f"{ac + (bac - ev) / (cpi * spi):,.0f}",
    }
    assert figures == {"CPI": "0.8929", "SPI": "0.8333", "EAC": "4,480", "VAC": "\u2212480",
                       "TCPI": "1.25", "EAC atypical": "4,300", "EAC composite": "4,816"}
    text = (DOCS / "kpis.md").read_text(encoding="utf-8")
    for name, value in figures.items():
        assert re.search(rf"\|\s*{name}\s*\|[^\n]*\|\s*\**{re.escape(value)}\**\s*\|", text), (
            f"docs/kpis.md: the worked check should show {name} = {value}")


# ---- citations -----------------------------------------------------------------------------

SPEC_NAMES = ("inputs.md", "kpis.md", "outputs.md")


def _leading_comment(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return lines


def test_sql_models_cite_the_docs():
    """The leading comments of intermediate and mart models name docs/<page>.md."""
    bare = []
    for path in sorted((ROOT / "models").glob("*/*.sql")):
        if path.parent.name not in ("intermediate", "marts"):
            continue
        for n, line in enumerate(_leading_comment(path), 1):
            for name in SPEC_NAMES:
                if re.search(rf"(?<![\w/]){re.escape(name)}", line):
                    bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bare, "cite docs/inputs.md, docs/kpis.md or docs/outputs.md:\n" + "\n".join(bare)


# The external contract documents are not part of the repository; the project documents
# itself in docs/. Needle built in two pieces so this file does not match itself.
EXTERNAL = "shared" + "/spec"


def _repository_files() -> list[Path]:
    """Tracked files, plus new files not ignored by .gitignore (docs written but not committed)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return [ROOT / p for p in sorted(set(out.split("\0"))) if p and (ROOT / p).is_file()]


def _citing_files() -> list[str]:
    found = []
    for path in _repository_files():
        data = path.read_bytes()
        if b"\0" in data[:8192]:  # binary
            continue
        text = data.decode("utf-8", errors="replace")
        lines = [n for n, line in enumerate(text.splitlines(), 1) if EXTERNAL in line]
        if lines:
            found.append(f"{path.relative_to(ROOT)} (line {', '.join(map(str, lines))})")
    return found


def test_docs_do_not_cite_outside_the_repository():
    """Always holds: the documentation and the SQL models never cite the external contract."""
    own = [f for f in _citing_files()
           if f.startswith(("docs/", "models/intermediate/", "tests/test_docs.py"))
           or (f.startswith("models/marts/") and f.split(" ")[0].endswith(".sql"))]
    assert not own, f"cite docs/ instead of {EXTERNAL}: {own}"


def test_no_file_cites_the_external_contract():
    found = _citing_files()
    assert not found, (f"{len(found)} repository file(s) cite {EXTERNAL}; cite docs/inputs.md, "
                       "docs/kpis.md or docs/outputs.md instead:\n" + "\n".join(found))
