"""Detailed reports of Toggl Track, Clockify and Harvest through ingest, checks and models.

The landing folder holds the four fixtures of tests/fixtures/timesheet_tools as the tools
write them, next to a canonical delivery of the people, projects and tasks they name. People
resolve by e-mail (Harvest: by name) and work by project and task name; a row that does not
resolve is a rule break naming the file, the line and what was not found. Hours are worked
out by hand from the fixtures (tests/fixtures/timesheet_tools/README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import ENTITIES
from pipelines.ingest.load import find_foreign, ingest_entity, ingest_order
from tests.landing import write_csv
from tests.test_exports_pipeline import FIXTURES, project_row, run_engine

TOOLS = ("toggl_detailed.csv", "clockify_detailed.csv", "harvest_detailed.csv",
         "harvest_semicolon_cp1252.csv")


def employee(eid, name, email=None):
    return {"employee_id": eid, "full_name": name, "email": email, "department": "Delivery",
            "hire_date": "2020-01-01", "hourly_cost": "100", "weekly_capacity_hours": "40"}


EMPLOYEES = [employee("E1", "Aisha Patel", "aisha.patel@example.com"),
             employee("E2", "Jan de Vries", "jan@example.com"),
             employee("E3", "Ben Okafor", "ben@example.com"),
             employee("E5", "Hugo Bernard"), employee("E6", "Julien Roux"),
             employee("E7", "Jürgen Müller")]
CHLOE = employee("E4", "Chloe Martin", "chloe@example.com")
PROJECTS = [{"project_id": pid, "project_name": name, "department": "Delivery",
             "start_date": "2024-01-01", "planned_end_date": "2024-06-28", "budget": "10000"}
            for pid, name in (("P1", "Bridge upgrade"), ("P2", "Website relaunch"),
                              ("P3", "Brochure"), ("P4", "Kundenportal"))]
TASKS = [{"task_id": tid, "project_id": pid, "task_name": name, "created_on": "2024-01-01",
          "planned_start": "2024-01-08", "planned_end": "2024-06-28", "planned_hours": "40"}
         for tid, pid, name in (("T1", "P1", "Site visit"), ("T2", "P1", "Design review"),
                                ("T3", "P2", "Design"), ("T4", "P2", "Backend"),
                                ("T5", "P3", "Design"), ("T6", "P4", "Entwicklung"),
                                ("T7", "P4", "Test"))]


def landing(tmp_path: Path, employees=EMPLOYEES) -> Path:
    root = tmp_path / "raw"
    (root / "time").mkdir(parents=True)
    for name in TOOLS:
        shutil.copy(FIXTURES / "timesheet_tools" / name, root / "time" / name)
    write_csv(root / "employees.csv", employees)
    write_csv(root / "projects.csv", PROJECTS)
    write_csv(root / "tasks.csv", TASKS)
    return root


def ingest(con, root: Path) -> dict:
    foreign = find_foreign(root)
    return {e.name: ingest_entity(con, root, e, foreign)
            for e in ingest_order(ENTITIES.values())}


# The rule's text is the same for every row; what was not found is the value.
TASK_RULE = "task_id resolves from the entry's project and task names"
PERSON_RULE = "employee_id resolves from the entry's e-mail (else its person's name)"
TOGGL_LINE_5 = ("time/toggl_detailed.csv#timesheets line 5: task_id = \"the entry names "
                f"project 'Bridge upgrade' but no task\" breaks rule \"{TASK_RULE}\"")
CLOCKIFY_LINE_4 = ("time/clockify_detailed.csv#timesheets line 4: employee_id = 'no employee "
                   f"with this e-mail' breaks rule \"{PERSON_RULE}\"")


def test_tool_reports_resolve_and_unresolved_rows_are_reported_by_file_and_line(tmp_path):
    root = landing(tmp_path, EMPLOYEES)  # Chloe Martin is not among the employees
    con, failures = run_engine(root, "2024-03-29")
    # 12 entries, 2 do not resolve; nothing else is wrong
    assert [f.split(" (key ")[0] for f in failures] == [CLOCKIFY_LINE_4, TOGGL_LINE_5]
    assert "chloe" not in " ".join(failures).lower()  # an e-mail is never shown
    assert con.execute("SELECT count(*) FROM raw.timesheets").fetchone()[0] == 12
    # a share of bad rows allowed: the two are quarantined, the rest counts
    con, failures = run_engine(root, "2024-03-29", con, max_share=0.2)
    assert failures == []
    hours = dict(con.execute("""SELECT employee_id, sum(hours) FROM staging.stg_timesheets
                                GROUP BY 1""").fetchall())
    assert hours == pytest.approx({
        "E1": 1.5 + 0.25,            # Toggl: e-mail in capitals, then in lower case
        "E2": 0.75,                  # off-project time (no project, no task); line 5 quarantined
        "E3": 2.5 + 1.2833,          # Clockify 02:30:00 and 01:17:00 to 4 places, not 1.28
        "E5": 3.5, "E6": 2 + 2,      # Harvest by first + last name; the entry twice, both kept
        "E7": 7.5 + 1.25})           # German Harvest: decimal commas, cp1252 umlauts
    by_project = {p: project_row(con, p)["actual_hours"] for p in ("P1", "P2", "P3", "P4")}
    assert by_project == pytest.approx({"P1": 1.75, "P2": 3.7833, "P3": 7.5, "P4": 8.75})
    assert project_row(con, "P3")["ac"] == pytest.approx(750)  # 7.5 h at 100/h


def test_a_rerun_reads_nothing_but_new_employees_resolve_the_reports_anew(tmp_path):
    root = landing(tmp_path, EMPLOYEES)
    con = duckdb.connect()
    first = ingest(con, root)["timesheets"]
    assert sorted(first.loaded) == [f"time/{n}#timesheets" for n in sorted(TOOLS)]
    again = ingest(con, root)["timesheets"]
    assert again.loaded == {} and again.unchanged == 4  # the manifest knows them
    write_csv(root / "employees.csv", [*EMPLOYEES, CHLOE])  # Chloe joins the HR export
    reports = ingest(con, root)
    assert reports["employees"].loaded == {"employees.csv": 7}
    assert len(reports["timesheets"].loaded) == 4  # resolved anew against the new employees
    chloe = con.execute("""SELECT employee_id FROM raw.timesheets
                           WHERE _file = 'time/clockify_detailed.csv#timesheets' AND _row = 3"""
                        ).fetchone()
    assert chloe == ("E4",)
    assert con.execute("""SELECT _file, _row, "column" FROM state.violations
                          WHERE entity = 'timesheets'""").fetchall() == [
        ("time/toggl_detailed.csv#timesheets", 4, "task_id")]


def test_pmo_run_with_tool_reports(project, capfd, monkeypatch):
    """`pmo run` on the reports and the canonical delivery, Chloe included; the one entry
    naming a project but no task is quarantined within the allowed share and reported."""
    from pipelines.cli import main

    landing(project / "data", [*EMPLOYEES, CHLOE])
    monkeypatch.setenv("PMO_MAX_BAD_ROW_SHARE", "0.1")  # 1 of 12 rows
    assert main(["run", "--as-of", "2024-03-29"]) == 0, capfd.readouterr()
    with duckdb.connect(str(project / "data" / "exports" / "kpi.duckdb"), read_only=True) as con:
        assert con.execute("SELECT actual_hours FROM kpi_project WHERE project_id = 'P4'"
                           ).fetchone()[0] == pytest.approx(8.75)


def test_reports_resolve_against_the_rows_that_count_and_name_one_rule(tmp_path):
    """A later tasks file renames T4 "Backend" to "Back end" (the file sorting last wins):
    Clockify's line 3, "Backend" in Website relaunch, no longer resolves, although the older
    row with the old name is still in the raw layer. It breaks the same rule as Toggl's line
    5 with another value: the quarantine summary counts one rule, two rows."""
    from pipelines.checks.gate import evaluate

    root = landing(tmp_path, [*EMPLOYEES, CHLOE])
    (root / "tasks").mkdir()
    write_csv(root / "tasks" / "renamed.csv", [{**TASKS[3], "task_name": "Back end"}])
    con = duckdb.connect()
    ingest(con, root)
    verdict = evaluate(con, ENTITIES["timesheets"], 0.2)
    assert verdict.by_rule == {TASK_RULE: 2}
    assert [(v["file"], v["row"], v["value"]) for v in verdict.violations] == [
        ("time/clockify_detailed.csv#timesheets", 2,
         "no task named 'Backend' in project 'Website relaunch'"),
        ("time/toggl_detailed.csv#timesheets", 4,
         "the entry names project 'Bridge upgrade' but no task")]
