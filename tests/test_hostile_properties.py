"""Property-based hostile input (hypothesis): generated headers, names, cell values, encodings
and delimiters, written as landing files and run through ingest and the quality gate on an
in-memory DuckDB. For every example: no exception escapes, no input text reaches SQL (so no
statement but the pipeline's own runs), nothing is written outside the landing folder, the
tables are intact, and a refused file is named in its message."""

import csv
import io
import json
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipelines.checks.gate import evaluate
from pipelines.contract import ENTITIES
from pipelines.ingest.load import ingest_entity
from tests.landing import EMPLOYEES, PROJECTS, write_landing

MARK = "Zq9"  # in every generated name and value: it must never appear in a SQL text
HOSTILE = ["'", '"', ";", "--", "{}", "_row", "_file", "_extra", "_ref", "", " ", "é", "名前",
           "'); COPY (SELECT 1) TO 'pwned.csv'; --", "x' || (SELECT 1) || '", "a\"b", "\r",
           "col\nname", "=1+1", "x" * 3000, "\\", "%s", "${x}"]
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
               max_size=20)
NAMES = st.one_of(st.sampled_from(HOSTILE), TEXT)
# Each example runs the real gate (GX included, ~0.2 s): no shrinking, which would re-run it
# hundreds of times; a failure is reported as generated, and derandomize keeps it repeatable.
CHECKED = settings(max_examples=25, deadline=None, derandomize=True,
                   phases=(Phase.explicit, Phase.reuse, Phase.generate),
                   suppress_health_check=[HealthCheck.too_slow])


class Recorder:
    """The connection, with every SQL text the pipeline executes kept for inspection."""

    def __init__(self, con):
        self._con, self.sql = con, []

    def execute(self, sql, *args):
        self.sql.append(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def landing_file(header: list[str], row: list[str], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows([header, row])
    return out.getvalue().encode(encoding, errors="replace")


def run(root: Path, entities: list[str]):
    """(reports, verdicts, recorded SQL, tables) of ingest of `entities` and the gate of the
    last one (the others are there for its references)."""
    with duckdb.connect() as real:
        con = Recorder(real)
        reports = {e: ingest_entity(con, root, ENTITIES[e]) for e in entities}
        verdicts = {entities[-1]: evaluate(con, ENTITIES[entities[-1]], 0.0)}
        tables = real.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                              "ORDER BY 1").fetchall()
        extra = real.execute("SELECT _extra FROM raw.projects").fetchall()
        return reports, verdicts, con.sql, tables, extra


# the entities' raw tables, the tool exports' snapshot list and the bookkeeping: nothing a
# header or a value could have named
EXPECTED_TABLES = sorted([(f"raw.{e}",) for e in ENTITIES] + [("raw._snapshots",)]
                         + [(f"state.{t}",) for t in ("export_notes", "files", "models",
                                                      "set_rules", "violations")])


@CHECKED
@given(names=st.lists(NAMES, min_size=1, max_size=3), values=st.lists(TEXT, min_size=4,
       max_size=4), delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_hostile_headers_and_values_in_projects(names, values, delimiter, encoding):
    names = [*names, MARK + names[0]]  # one name that SQL text must never contain
    values = [MARK + v for v in values[:len(names)]]
    with tempfile.TemporaryDirectory() as tmp:
        root = write_landing(Path(tmp) / "raw")
        content = landing_file([*PROJECTS[0], *names], [*PROJECTS[0].values(), *values],
                               delimiter, encoding)
        (root / "projects.csv").write_bytes(content)
        before = sorted(Path(tmp).rglob("*"))
        reports, verdicts, sql, tables, extra = run(root, ["employees", "projects"])
        assert sorted(Path(tmp).rglob("*")) == before  # nothing written anywhere
    assert not Path("pwned.csv").exists()
    assert not [s for s in sql if MARK in s]
    assert tables == EXPECTED_TABLES
    report, verdict = reports["projects"], verdicts["projects"]
    if report.rejected:
        assert list(report.rejected) == ["projects.csv"] and extra == []
        assert verdict.faults[0].startswith("projects.csv: rejected: ")
        assert len(verdict.faults[0]) < 400  # words, not the row
    else:
        assert report.loaded == {"projects.csv": 1}
        kept = {n.strip().lower(): v for n, v in zip(names, values)}
        assert json.loads(extra[0][0]) == kept
    expected = expected_outcome(names, content, delimiter, encoding)
    if expected == "loaded":
        assert report.loaded == {"projects.csv": 1}, report.rejected
    elif expected:
        assert expected in report.rejected["projects.csv"]


def utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def expected_outcome(names, content, delimiter, encoding) -> str | None:
    """What the rules of docs/inputs.md say about the file: "loaded", a phrase of the refusal,
    or None where the header's own commas or quotes make it depend on the details."""
    if encoding == "utf-16":
        return "encoding looks like UTF-16"
    if not utf8(content.split(b"\n")[0]):  # the header is judged first, then the rows
        return "not valid UTF-8 on line 1"
    plain = not any(c in n for n in names for c in ',"\n\r')
    if delimiter != ",":
        return f"the delimiter looks like {'`;`' if delimiter == ';' else 'a tab'}" if plain \
            else None
    if not utf8(content):
        return "not valid UTF-8 on line 2"
    normalized = [n.strip().lower() for n in names]
    clean = all(normalized) and len(set(normalized)) == len(names) \
        and not set(normalized) & set(PROJECTS[0]) \
        and not any(c in n for n in names for c in "\n\r")
    return "loaded" if clean else None


@CHECKED
@given(name=TEXT, email=TEXT, cost=TEXT,
       fault=st.sampled_from(["none", "unclosed quote", "extra field", "bad cost", "bad date"]))
def test_personal_values_never_reach_a_message(name, email, cost, fault):
    person = {**EMPLOYEES[1], "full_name": MARK + name, "email": MARK + email,
              "hourly_cost": MARK + cost if fault == "bad cost" else "-1"}
    if fault == "bad date":
        person["hire_date"] = "2020-13-45"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(person), lineterminator="\n")
    writer.writeheader()
    writer.writerows([EMPLOYEES[0], person])
    text = out.getvalue()
    if fault == "unclosed quote":
        text = text.replace("E2,", 'E2,"', 1)
    elif fault == "extra field":
        text = text.rstrip("\n") + "," + MARK + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = write_landing(Path(tmp) / "raw")
        (root / "employees.csv").write_text(text, encoding="utf-8")
        reports, verdicts, sql, _, _ = run(root, ["employees"])
    shown = json.dumps([reports["employees"].rejected, verdicts["employees"].messages(),
                        verdicts["employees"].summary()])
    assert MARK not in shown
    assert not [s for s in sql if MARK in s]
    if fault in ("unclosed quote", "extra field", "bad cost", "bad date"):
        assert list(reports["employees"].rejected) == ["employees.csv"]
