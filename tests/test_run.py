"""`pmo run`: bad input blocks the run with a readable message and no traceback."""

import duckdb
import pytest

from pipelines.cli import main
from tests.landing import TASKS, TIMESHEETS, write_csv, write_landing

AS_OF = "2026-01-20"


def run(capfd) -> tuple[int, str]:
    code = main(["run", "--as-of", AS_OF])
    out, err = capfd.readouterr()
    return code, out + err


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
    before = marts()
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


def test_good_run_builds_the_kpi_tables_and_history(project, capfd):
    write_landing(project / "data" / "raw")
    code, output = run(capfd)
    assert code == 0, output
    tables = marts()
    assert {"kpi_project", "kpi_portfolio", "kpi_delivery", "kpi_utilization",
            "kpi_project_history"} <= set(tables)
    assert len(tables["kpi_project_history"]) == 1
