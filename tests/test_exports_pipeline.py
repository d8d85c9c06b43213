"""Tool exports and mapped files through the raw layer, the checks and the KPI models.

Each landing folder holds nothing but the foreign files; the expected numbers are the ones
worked out by hand from the fixtures (tests/fixtures/*/README.md), not the code's output.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.checks.gate import evaluate
from pipelines.contract import ENTITIES
from pipelines.ingest.load import LandingProblem, find_foreign, ingest_entity, ingest_order
from pipelines.settings import KpiParams
from pipelines.transform.models import build_all
from tests.landing import write_csv

FIXTURES = Path(__file__).parent / "fixtures"


def land(tmp_path: Path, *fixtures: str) -> Path:
    root = tmp_path / "raw"
    for name in fixtures:
        source = FIXTURES / name
        target = root / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    return root


def run_engine(root: Path, as_of: str, con=None, max_share: float = 0.0,
               ) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """Ingest every entity (in the order the raw asset takes them), check every rule, build
    every model; the failed checks' messages."""
    con = con or duckdb.connect()
    foreign = find_foreign(root)
    for entity in ingest_order(ENTITIES.values()):
        ingest_entity(con, root, entity, foreign)
    failures = []
    for entity in ENTITIES.values():
        verdict = evaluate(con, entity, max_share)
        if not verdict.passed:
            failures += verdict.messages()
    build_all(con, KpiParams(as_of=date.fromisoformat(as_of)).as_variables())
    return con, failures


def project_row(con, project_id: str) -> dict:
    cursor = con.execute("SELECT * FROM marts.kpi_project WHERE project_id = ?", [project_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))


def test_an_ms_project_plan_alone_computes_its_actuals(tmp_path):
    root = land(tmp_path, "mspdi/website_actual_work_only.xml")
    con, failures = run_engine(root, "2024-05-10")
    assert failures == []
    row = project_row(con, "Website Relaunch")
    # Design 48 h at 75/h, Build 30 h at 60/h, plus Build's 100 beyond labour (README)
    assert row["actual_hours"] == pytest.approx(78.0)
    assert row["ac"] == pytest.approx(48 * 75 + 30 * 60 + 100)
    assert row["tasks_total"] == 2
    # the resources' names stay in the raw layer: no mart holds them
    marts = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
                        ).fetchall()
    for (table,) in marts:
        text = str(con.execute(f"FROM marts.{table}").fetchall())
        assert "Dana" not in text and "@" not in text


def test_two_p6_snapshots_give_the_latest_status(tmp_path):
    root = land(tmp_path, "xer/cafe_2024-03-06.xer", "xer/cafe_2024-03-13_cp1252.xer")
    con, failures = run_engine(root, "2024-03-13")
    assert failures == []
    row = project_row(con, "CAFE-01")
    # the plan is the baseline's: the first snapshot's 10280, not the update's 11000 (README);
    # more as-of dates of this series in tests/test_snapshots.py
    assert row["bac"] == pytest.approx(10280)
    assert row["ac"] == pytest.approx(5845)  # act_reg + act_ot + PROJCOST act_cost
    assert row["actual_hours"] == pytest.approx(49 + 13)
    assert row["tasks_total"] == 4  # A1010, A1020, A1030, A1025; milestones are no tasks
    provenance = con.execute("SELECT _file, _ref FROM raw.tasks WHERE task_id = 'CAFE-01/A1025'"
                             ).fetchone()
    assert provenance[0] == "cafe_2024-03-13_cp1252.xer#tasks" and "A1025" in provenance[1]


def test_a_jira_export_alone_runs_and_costs_stay_null(tmp_path):
    root = land(tmp_path, "jira/issues.csv")
    con, failures = run_engine(root, "2024-03-06")
    assert failures == []
    projects = {p: (hours, labour, ac) for p, hours, labour, ac in con.execute(
        "SELECT project_id, actual_hours, labour_cost, ac FROM marts.kpi_project").fetchall()}
    # Jira knows no hourly cost: DEMO's booked hours have an unknown cost, so labour and AC
    # are null, not 0 (nothing spent); OPS has no hours booked: nothing spent is 0 (README)
    assert projects["DEMO"][1:] == (None, None) and projects["DEMO"][0] > 0
    assert projects["OPS"] == (0, 0, 0)
    assert con.execute("SELECT count(*) FROM marts.kpi_project WHERE bac IS NOT NULL"
                       ).fetchone()[0] == 0  # Jira states no budget: no EV, PV, CPI
    # the first DEMO hours are alice's 14400 s on 03/Jan/24 (the epic's 02/Jan worklog books
    # to no task): in the history, nothing spent before, an unknown cost from then on
    assert con.execute("""SELECT as_of::VARCHAR, actual_hours, ac
                          FROM intermediate.hist_kpi_project
                          WHERE project_id = 'DEMO' AND as_of IN ('2024-01-02', '2024-01-03')
                          ORDER BY as_of""").fetchall() == [("2024-01-02", 0, 0),
                                                            ("2024-01-03", 4, None)]
    # the single-date actuals (the forecast's) say the same as of the run's day
    assert con.execute("""SELECT actual_hours, labour_cost, ac
                          FROM intermediate.int_project_actuals WHERE project_id = 'DEMO'
                          """).fetchone() == (projects["DEMO"][0], None, None)


def test_a_file_of_our_layout_lands_with_an_export_in_the_same_first_run(tmp_path):
    """projects.csv completes (and beats) the Jira export's project row: both new in one run,
    the CSV's rows and the export's are staged together (they once failed to stack)."""
    root = land(tmp_path, "jira/issues.csv")
    write_csv(root / "projects.csv", [{
        "project_id": "DEMO", "project_name": "Demo Platform", "department": "Engineering",
        "start_date": "2024-01-02", "planned_end_date": "2024-01-19", "budget": "12000",
        "status": "active", "pmo_type": "internal"}])
    con, failures = run_engine(root, "2024-03-06")
    assert failures == []
    row = project_row(con, "DEMO")
    assert (row["department"], row["bac"]) == ("Engineering", 12000)  # the CSV's, not Jira's


# The rest of a small canonical delivery around the German HR export's three people.
PROJECTS = [{"project_id": "PX", "project_name": "Umzug", "department": "Entwicklung",
             "start_date": "2024-01-08", "planned_end_date": "2024-02-02", "budget": "5000",
             "status": "active", "pmo_type": "internal"}]
TASKS = [{"task_id": "T1", "project_id": "PX", "task_name": "Planung", "assignee_id": "P-1002",
          "created_on": "2024-01-08", "planned_start": "2024-01-08", "planned_end": "2024-01-19",
          "planned_hours": "40", "status": "in_progress", "actual_start": "2024-01-08"}]
TIMESHEETS = [{"entry_id": f"E{d}", "employee_id": "P-1002", "task_id": "T1",
               "work_date": f"2024-01-{d:02d}", "hours": "7.5"}
              for d in (8, 9, 10)]


def test_a_mapped_german_hr_export_gives_the_same_kpis_as_canonical_files(tmp_path):
    results = {}
    for form in ("canonical", "mapped"):
        root = tmp_path / form
        write_csv(root / "projects.csv", PROJECTS)
        write_csv(root / "tasks.csv", TASKS)
        write_csv(root / "timesheets.csv", TIMESHEETS)
        if form == "canonical":
            shutil.copy(FIXTURES / "mapping/canonical/employees.csv", root / "employees.csv")
        else:
            shutil.copytree(FIXTURES / "mapping/landing", root, dirs_exist_ok=True)
        con, failures = run_engine(root, "2024-01-31")
        assert failures == []
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()]
        results[form] = {t: con.execute(f"FROM marts.{t} ORDER BY ALL").fetchall()
                         for t in tables}
    assert results["mapped"] == results["canonical"]
    con, _ = run_engine(tmp_path / "mapped", "2024-01-31")
    assert project_row(con, "PX")["ac"] == pytest.approx(3 * 7.5 * 78.25)  # Käthe's 78,25/h


@pytest.mark.parametrize("fixture, says", [
    ("xer/cafe_truncated.xer", "cafe_truncated.xer#"),
])
def test_a_truncated_export_is_refused_naming_the_file(tmp_path, fixture, says):
    root = land(tmp_path, fixture)
    _, failures = run_engine(root, "2024-03-06")
    assert any(says in line and "rejected" in line for line in failures), failures


def test_an_xml_that_is_not_ms_project_stops_the_run_naming_it(tmp_path):
    root = land(tmp_path, "mspdi/not_mspdi.xml")
    with pytest.raises(LandingProblem, match="not_mspdi.xml: not a file this platform reads"):
        find_foreign(root)


def test_a_mapping_to_a_missing_column_is_refused_naming_both(tmp_path):
    root = land(tmp_path, "mapping/landing")
    root = root / "landing"
    text = (root / "mapping.yaml").read_text().replace('"Abteilung"', '"Bereich"')
    (root / "mapping.yaml").write_text(text)
    _, failures = run_engine(root, "2024-01-31")
    assert any("mitarbeiter.csv#employees" in line and "Bereich" in line for line in failures), \
        failures


@pytest.mark.parametrize("fixture, as_of, project_id", [
    ("mspdi/website_actual_work_only.xml", "2024-05-10", "Website Relaunch"),
    ("xer/cafe_2024-03-13_cp1252.xer", "2024-03-13", "CAFE-01"),
    ("jira/issues.csv", "2024-03-06", "DEMO"),
])
def test_the_whole_pipeline_runs_on_one_export_alone(project, fixture, as_of, project_id,
                                                    capfd):
    """`pmo run` on a landing folder holding nothing but the export: checks, models, release."""
    from pipelines.cli import main

    land(project / "data", fixture)
    assert main(["run", "--as-of", as_of]) == 0, capfd.readouterr()
    release = project / "data" / "exports"
    with duckdb.connect(str(release / "kpi.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM kpi_project WHERE project_id = ?",
                           [project_id]).fetchone()[0] == 1
    assert (release / "report.html").exists()


def test_what_a_reader_notes_is_said_by_every_release_while_the_file_counts(project, capfd):
    """The Jira fixture's epic carries a 1 h worklog (3600 s, tests/fixtures/jira/issues.csv
    line 2) that books to no task: the run says so, and so does release.json; once the export
    is replaced by one without the epic, the note is gone."""
    import json

    from pipelines.cli import main

    root = land(project / "data", "jira/issues.csv")
    note = "issues.csv: 1 epic(s) not taken as tasks (their 1 h of worklogs are not booked)"
    assert main(["run", "--as-of", "2024-03-06"]) == 0
    assert f"warning: {note}" in capfd.readouterr().out
    release = project / "data" / "exports"
    assert note in json.loads((release / "release.json").read_text())["warnings"]

    export = root / "issues.csv"
    lines = export.read_bytes().split(b"\r\n")
    export.write_bytes(b"\r\n".join(line for line in lines if b",Epic," not in line))
    assert main(["run", "--as-of", "2024-03-06"]) == 0
    assert "epic(s) not taken" not in capfd.readouterr().out
    warnings = json.loads((release / "release.json").read_text())["warnings"]
    assert not [w for w in warnings if "epic(s)" in w]


def test_a_broken_rule_in_an_export_names_the_record_not_a_line(tmp_path):
    """office_move_baseline.xml's Task UID 7 ("Review notes") has Work PT0H0M0S: the message
    sends the reader to that task, not to a line number the XML does not have."""
    root = land(tmp_path, "mspdi/office_move_baseline.xml")
    _, failures = run_engine(root, "2024-03-15")
    assert failures == [
        "office_move_baseline.xml#tasks Task UID 7: planned_hours = '0.0' breaks rule "
        "\"planned_hours > 0 and <= 1e+09\" (key 6F2A1C3E-0B1D-4E0F-9A55-2C3D4E5F6A70/7)"]
