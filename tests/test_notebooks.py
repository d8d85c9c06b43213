"""Analyst notebooks and the manager report, on the published KPI tables of real pipeline runs.

A session fixture generates the demo data set, runs the pipeline on it into a temporary
directory and backfills a week of history (about a minute); each notebook is then executed top
to bottom on a copy (the repository's notebooks/ is never written). A second, tiny data set
with a project far over its budget checks that a new failing project reaches the notebook and
the report with its drivers, with no edit to either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import nbformat
import pytest

from devtools import notebooks as nbs
from pipelines.analysis.report import render_report
from tests.landing import EMPLOYEES, PROJECTS, TASKS, TIMESHEETS, write_csv

ROOT = Path(__file__).resolve().parents[1]
DEMO_AS_OF = date(2026, 11, 20)
NOTEBOOKS = {p.stem: p for p in nbs.notebook_sources()}
# KPI tables each notebook needs beyond kpi_project, kpi_portfolio, kpi_delivery,
# kpi_utilization and kpi_project_history
NEEDS = {"failing_projects": ["rca_drivers", "kpi_people"],
         "people_and_training": ["kpi_people"],
         "tool_adoption": ["kpi_tool_adoption"]}
MIN_CHARTS = {"portfolio_health": 4, "failing_projects": 4, "people_and_training": 6,
              "tool_adoption": 4}


def pmo(*args: str, work: Path, **env: str) -> None:
    """The `pmo` command line in a child process (it writes its flags into os.environ)."""
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster_home"),
           "GX_ANALYTICS_ENABLED": "false", **env}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"pmo {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def run_pipeline(raw: Path, work: Path, as_of: date, backfill_days: int = 0) -> Path:
    """`pmo run` as of a date into work/exports, then `pmo backfill` of the days before."""
    exports, warehouse = work / "exports", work / "warehouse.duckdb"
    pmo("run", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--export-dir",
        str(exports), "--as-of", as_of.isoformat(), work=work)
    if backfill_days:
        pmo("backfill", "--from", (as_of - timedelta(days=backfill_days)).isoformat(),
            "--to", as_of.isoformat(), "--warehouse", str(warehouse), work=work,
            PMO_RAW_DIR=str(raw), PMO_EXPORT_DIR=str(exports))
    return exports


def published_tables(exports: Path) -> set[str]:
    with duckdb.connect(str(exports / "kpi.duckdb"), read_only=True) as con:
        return {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def skip_unless_published(exports: Path, tables: list[str]) -> None:
    """Skip while a table's model is not in the repository yet; fail when the model exists
    but its table was not published."""
    missing = [t for t in tables if t not in published_tables(exports)]
    not_built = [t for t in missing if not (ROOT / "models" / "marts" / f"{t}.sql").exists()]
    if not_built:
        pytest.skip(f"model(s) not in the repository yet: {', '.join(not_built)}")
    assert not missing, f"models exist but their tables are not published: {missing}"


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("demo")
    pmo("generate", "--scale", "demo", "--seed", "1", "--out", str(work / "raw"), work=work)
    return run_pipeline(work / "raw", work, DEMO_AS_OF, backfill_days=7)


@pytest.fixture(scope="session")
def red_ids(demo_exports) -> list[str]:
    with duckdb.connect(str(demo_exports / "kpi.duckdb"), read_only=True) as con:
        return [p for (p,) in con.execute(
            "SELECT project_id FROM kpi_project WHERE health = 'red' ORDER BY 1").fetchall()]


def repo_notebook_files() -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in nbs.NOTEBOOK_DIR.iterdir() if p.is_file()}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_runs_and_draws_charts(name, demo_exports, tmp_path):
    skip_unless_published(demo_exports, NEEDS.get(name, []))
    before = repo_notebook_files()
    started = time.monotonic()
    nb = nbs.execute_notebook(NOTEBOOKS[name], tmp_path / f"{name}.ipynb",
                              export_dir=demo_exports)
    elapsed = time.monotonic() - started
    assert not nbs.errors(nb)
    # under 30 s alone; with `-n 2` on two CPUs two kernels share them (35-38 s seen)
    assert elapsed < 60, f"{name} took {elapsed:.0f} s on the demo data (kernel start included)"
    charts = nbs.chart_outputs(nb)
    assert len(charts) >= MIN_CHARTS[name], f"{name}: {len(charts)} charts"
    for output in charts:  # drawn by JupyterLab's own Vega renderer, with a PNG fallback
        assert {"application/vnd.vega.v5+json", "image/png"} <= set(output["data"])
    assert str(DEMO_AS_OF) in nbs.output_text(nb)  # the parameters reached the notebook
    assert repo_notebook_files() == before, "executing a notebook wrote into notebooks/"


def test_notebook_parameters_can_filter_a_department(demo_exports, tmp_path):
    nb = nbs.execute_notebook(NOTEBOOKS["portfolio_health"], tmp_path / "p.ipynb",
                              export_dir=demo_exports, DEPARTMENT="Finance")
    text = nbs.output_text(nb)
    assert "Finance" in text and "Engineering" not in text


def committable_notebook_files() -> list[Path]:
    """Files of notebooks/ that git tracks or would add (not ignored)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "notebooks"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        return [ROOT / p for p in listed if (ROOT / p).exists()]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in nbs.NOTEBOOK_DIR.iterdir() if p.suffix in (".py", ".ipynb")]


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    files = committable_notebook_files()
    sources = [p for p in files if p.suffix == ".py"]
    assert {p.stem for p in sources} >= {"portfolio_health", "failing_projects",
                                         "people_and_training", "tool_adoption"}
    for path in files:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
        elif path.suffix == ".py":
            nb = nbs.read_notebook(path)
        else:
            continue
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert not any(c.get("outputs") for c in code), f"{path.name} has outputs"
        assert not any(c.get("execution_count") for c in code), f"{path.name} was executed"
        if path.suffix == ".py":
            first = nb.cells[0]  # the notebook's title and the question it answers
            assert first.cell_type == "markdown" and first.source.startswith("# "), path.name
            assert "?" in first.source, f"{path.name}: the first cell states its question"
            params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
            assert len(params) == 1 and params[0] is code[0], f"{path.name}: parameters first"
            for name in ("EXPORT_DIR", "AS_OF", "DEPARTMENT"):
                assert re.search(rf"^{name} = ", params[0].source, re.M), (path.name, name)
    assert not [p for p in files if p.suffix == ".ipynb"], \
        "commit the notebooks as jupytext .py only (notebooks/.gitignore)"


def test_report_is_self_contained_and_lists_the_red_projects(demo_exports, red_ids):
    html = render_report(demo_exports / "kpi.duckdb")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", html), "a URL in the report: it must need no network"
    assert not re.search(r"<link|<iframe|@import|src=", html, re.I)
    assert len(re.findall(r"<script", html)) == 1  # the inline filter and sort script
    assert html.count("<svg") >= 4
    assert red_ids, "the demo data set has failing projects"
    for project_id in red_ids:  # every red project, active or finished, is in the full list
        assert f'<td class="txt">{project_id}</td>' in html.split('id="all-projects"')[1]
    with duckdb.connect(str(demo_exports / "kpi.duckdb"), read_only=True) as con:
        active_red = [p for (p,) in con.execute(
            "SELECT project_id FROM kpi_project WHERE health = 'red' AND actual_end_date IS "
            "NULL AND status <> 'cancelled' ORDER BY vac LIMIT 10").fetchall()]
    if "rca_drivers" in published_tables(demo_exports):
        for rank, project_id in enumerate(active_red, 1):  # a drivers section each, by VAC
            assert f'<h3 id="{project_id}">{rank}. {project_id} ' in html


# --------------------------------------------------------------------------------------------
# a new failing project, in a copy of the tiny data set

NEW = "P9"
TINY_AS_OF = date(2026, 1, 16)  # P1 of the tiny data is on plan (green) that day


def write_tiny_with_overrun(root: Path) -> None:
    """The tiny landing data plus P9: a one-task project of budget 2,000 whose task, planned
    at 10 hours, took 72 (8 a day), so actual cost 4,320 and CPI 0.46."""
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(11)]
    days = [d for d in days if d.weekday() < 5]
    write_csv(root / "projects.csv", PROJECTS + [{
        **PROJECTS[0], "project_id": NEW, "project_name": "Overrun", "budget": "2000",
        "expected_benefit": "3000"}])
    write_csv(root / "tasks.csv", TASKS + [{
        **TASKS[0], "task_id": "T9", "project_id": NEW, "task_name": "Everything",
        "assignee_id": "E2", "required_skill": "", "required_skill_level": "",
        "planned_start": "2026-01-05", "planned_end": "2026-01-09", "planned_hours": "10",
        "actual_start": "2026-01-05", "completed_on": "2026-01-15", "status": "done"}])
    write_csv(root / "employees.csv", EMPLOYEES)
    write_csv(root / "timesheets" / "2026-01-06.csv", TIMESHEETS)
    write_csv(root / "timesheets" / "2026-01-16.csv", [
        {"entry_id": f"TS9-{d:%m%d}", "employee_id": "E2", "task_id": "T9",
         "work_date": d.isoformat(), "hours": "8"} for d in days])


@pytest.fixture(scope="module")
def overrun_exports(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("overrun")
    write_tiny_with_overrun(work / "raw")
    return run_pipeline(work / "raw", work, TINY_AS_OF)


def test_a_new_failing_project_reaches_notebook_and_report(overrun_exports, tmp_path):
    with duckdb.connect(str(overrun_exports / "kpi.duckdb"), read_only=True) as con:
        health = dict(con.execute("SELECT project_id, health FROM kpi_project").fetchall())
    assert health == {"P1": "green", NEW: "red"}

    html = render_report(overrun_exports / "kpi.duckdb")
    assert NEW in html and "Overrun" in html

    skip_unless_published(overrun_exports, NEEDS["failing_projects"])
    with duckdb.connect(str(overrun_exports / "kpi.duckdb"), read_only=True) as con:
        flagged = [d for (d,) in con.execute(
            "SELECT driver FROM rca_drivers WHERE project_id = ? AND flagged ORDER BY rank",
            [NEW]).fetchall()]
    assert "estimation" in flagged  # 62 of its 72 hours are over the estimate
    primary = flagged[0]
    assert f'<h3 id="{NEW}">1. {NEW} Overrun</h3>' in html  # the top (only) money at risk
    assert primary in html.split(f'<h3 id="{NEW}">')[1]

    nb = nbs.execute_notebook(NOTEBOOKS["failing_projects"], tmp_path / "failing.ipynb",
                              export_dir=overrun_exports)
    assert not nbs.errors(nb)
    text = nbs.output_text(nb)
    assert f"{NEW} ({primary})" in text  # the red list names it with its primary driver
    assert f"**{NEW} Overrun**" in text  # the drill-down picked it (lowest CPI)
    assert nbs.chart_outputs(nb)
