"""`pmo run`: bad input blocks the run with a readable message and no traceback."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.landing import TASKS, TIMESHEETS, write_csv, write_landing

AS_OF = "2026-01-20"


def run(capfd) -> tuple[int, str]:
    code = main(["run", "--as-of", AS_OF])
    out, err = capfd.readouterr()
    return code, out + err


def exports() -> dict:
    """Every published file, byte for byte, as readers see it through data/exports."""
    return {p.name: p.read_bytes() for p in Path("data/exports").iterdir()}


def marts(path="data/warehouse.duckdb") -> dict:
    with duckdb.connect(path, read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()]
        return {t: con.execute(f"FROM marts.{t} ORDER BY ALL").fetchall() for t in tables}


BAD_DELIVERIES = {
    "misspelt required column": (
        "timesheets/2026-01-07.csv",
        "entry_id,employe_id,task_id,work_date,hours\nTS3,E1,T1,2026-01-07,8\n",
        "timesheets/2026-01-07.csv: rejected: missing required column(s) employee_id"),
    "duplicate key": (
        "tasks.csv", [TASKS[0], TASKS[1], {**TASKS[1], "task_name": "Build again"}],
        'tasks.csv line 4: task_id = \'T2\' breaks rule "unique key (task_id) within a file"'),
    "timesheet on an unknown task": (
        "timesheets/2026-01-07.csv", [{**TIMESHEETS[0], "entry_id": "TS3", "task_id": "T99"}],
        'timesheets/2026-01-07.csv line 2: task_id = \'T99\' breaks rule '
        '"task_id references tasks.task_id" (key TS3)'),
    "negative hours": (
        "timesheets/2026-01-07.csv", [{**TIMESHEETS[0], "entry_id": "TS3", "hours": "-4"}],
        'timesheets/2026-01-07.csv line 2: hours = \'-4.0\' breaks rule "hours > 0 and <= 24" '
        "(key TS3)"),
}


@pytest.mark.parametrize("fault", BAD_DELIVERIES)
def test_bad_delivery_blocks_with_clear_message(project, capfd, fault):
    write_landing(project / "data" / "raw")
    assert run(capfd)[0] == 0
    before, published = marts(), exports()
    file, content, message = BAD_DELIVERIES[fault]
    path = project / "data" / "raw" / file
    if isinstance(content, str):
        path.write_text(content)
    else:
        write_csv(path, content)
    code, output = run(capfd)
    assert code == 1
    assert message in output, output
    assert "The run was blocked" in output
    assert "Traceback" not in output
    assert marts() == before  # the last good KPI tables are untouched
    assert exports() == published


KPI_TABLES = {"kpi_project", "kpi_portfolio", "kpi_delivery", "kpi_utilization",
              "kpi_project_history"}


def test_good_run_publishes_every_kpi_table_in_every_form(project, capfd):
    write_landing(project / "data" / "raw")
    code, output = run(capfd)
    assert code == 0, output
    assert "KPI tables published in data/exports" in output
    tables = marts()
    assert KPI_TABLES <= set(tables)
    # the run keeps the history complete: P1 on every day from its start (01-05) to AS_OF
    assert len(tables["kpi_project_history"]) == 16
    files = set(exports())
    for table in tables:
        assert {f"{table}.parquet", f"{table}.csv"} <= files
    assert {"kpi.duckdb", "data_dictionary.json", "data_dictionary.md", "report.html"} <= files
    report = Path("data/exports/report.html").read_text()
    # self-contained: one small inline script (the department filter), nothing fetched
    assert "P1" in report and "<script src" not in report and "https://" not in report
    with duckdb.connect("data/exports/kpi.duckdb", read_only=True) as con:
        for table, rows in tables.items():
            assert con.execute(f"FROM {table} ORDER BY ALL").fetchall() == rows
        assert con.execute("SELECT DISTINCT as_of::VARCHAR FROM kpi_project").fetchall() == [
            (AS_OF,)]
    personal = {"full_name", "email", "hourly_cost"}
    for table in tables:
        header = Path(f"data/exports/{table}.csv").read_text().splitlines()[0].split(",")
        assert not personal & set(header)


READER = """
import sys, duckdb
con = duckdb.connect("data/exports/kpi.duckdb", read_only=True)
print(con.execute("SELECT max(as_of) FROM kpi_project").fetchone()[0], flush=True)
sys.stdin.readline()  # holds the connection until the run is over
print(con.execute("SELECT max(as_of) FROM kpi_project").fetchone()[0], flush=True)
fresh = duckdb.connect("data/exports/kpi.duckdb", read_only=True)
print(fresh.execute("SELECT max(as_of) FROM kpi_project").fetchone()[0], flush=True)
"""


def test_reader_holding_kpi_duckdb_open_never_blocks_a_run(project, capfd):
    write_landing(project / "data" / "raw")
    assert run(capfd)[0] == 0
    reader = subprocess.Popen([sys.executable, "-c", READER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == AS_OF  # connected, and stays connected
    code = main(["run", "--as-of", "2026-01-21"])
    out, _ = reader.communicate("go\n", timeout=60)
    assert code == 0
    assert out.split() == [AS_OF, "2026-01-21"]  # old connection still reads; new one is new


def test_rerun_with_nothing_new_keeps_the_release_and_a_new_day_replaces_it(project, capfd):
    from pipelines.publish.release import current_release

    write_landing(project / "data" / "raw")
    assert run(capfd)[0] == 0
    first = current_release(Path("data/exports"))
    assert run(capfd)[0] == 0
    assert current_release(Path("data/exports")) == first  # same content: not republished
    assert main(["run", "--as-of", "2026-01-21"]) == 0
    assert current_release(Path("data/exports")) != first


def test_a_file_matching_no_entity_is_reported_not_ignored(project, capfd):
    write_landing(project / "data" / "raw")
    write_csv(project / "data" / "raw" / "timesheet.csv", TIMESHEETS)  # misspelt entity
    code, output = run(capfd)
    assert code == 0
    assert "warning: not read: 1 file(s) in data/raw match no entity of the input contract" in output
    assert "timesheet.csv" in output
