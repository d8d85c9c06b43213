"""Tiny raw data sets for the KPI model tests, built in an in-memory DuckDB.

`insert` writes rows (dicts) into `raw.<entity>` with their lineage (`_file`, `_row`), leaving
unspecified contract columns null; `project`, `task`, `employee` and `timesheet` fill in the
required columns a test does not care about. `build` runs every model as of a date, `rows` and
`row` read the results back as dicts, `assert_row` compares a result row with hand-worked values.

`load_handmade` is the shared hand-made data set; its numbers are worked out in
tests/test_kpi_project.py, tests/test_kpi_utilization.py and tests/test_kpi_portfolio.py.
"""

from __future__ import annotations

import math
from functools import cache
from datetime import date

import duckdb

from pipelines.contract import ENTITIES
from pipelines.transform.models import build_all
from pipelines.ingest.raw_schema import ensure_raw_schema
from pipelines.settings import KpiParams


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_raw_schema(con)
    return con


def insert(con, entity: str, rows: list[dict], file: str | None = None) -> None:
    """Rows of one landed file; `_row` numbers them from 1 in the order given."""
    columns = ENTITIES[entity].column_names
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(columns)
        assert not unknown, f"{entity} has no column {unknown}"
        names = [*columns, "_file", "_row"]
        values = [row.get(c) for c in columns] + [file or f"{entity}.csv", number]
        con.execute(
            f"insert into raw.{entity} ({', '.join(names)}) values ({', '.join('?' * len(names))})",
            values,
        )


def quarantine(con, entity: str, file: str, row: int) -> None:
    con.execute(
        "insert into state.violations (entity, _file, _row, rule, kind) values (?, ?, ?, 'test', 'row')",
        [entity, file, row],
    )


def project(project_id: str, **columns) -> dict:
    return {"project_id": project_id, "project_name": f"Project {project_id}", "department": "PMO",
            "pmo_type": "internal", "status": "active", "budget": 0.0, **columns}


def task(task_id: str, project_id: str, planned_start: str, planned_end: str, **columns) -> dict:
    """A task in the plan since 2026-01-01 unless created_on says otherwise."""
    return {"task_id": task_id, "project_id": project_id, "task_name": f"Task {task_id}",
            "created_on": "2026-01-01", "planned_start": planned_start, "planned_end": planned_end,
            "planned_hours": 8.0, "status": "todo", **columns}


def employee(employee_id: str, **columns) -> dict:
    return {"employee_id": employee_id, "full_name": f"Person {employee_id}", "department": "PMO",
            "hire_date": "2020-01-01", "hourly_cost": 100.0, "weekly_capacity_hours": 40.0, **columns}


def timesheet(entry_id: str, employee_id: str, task_id: str | None, work_date: str, hours: float) -> dict:
    return {"entry_id": entry_id, "employee_id": employee_id, "task_id": task_id,
            "work_date": work_date, "hours": hours}


def build(con, as_of: str, **params) -> None:
    build_all(con, KpiParams(as_of=date.fromisoformat(as_of), **params).as_variables())


def rows(con, sql: str, *args) -> list[dict]:
    cursor = con.execute(sql, list(args))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def row(con, table: str, **key) -> dict:
    where = " and ".join(f'"{k}" = ?' for k in key) or "true"
    found = rows(con, f"select * from {table} where {where}", *key.values())
    assert len(found) == 1, f"{table} {key}: {len(found)} rows"
    return found[0]


def same(actual, expected) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, str):
        expected = date.fromisoformat(expected) if isinstance(actual, date) else expected
        return actual == expected
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return actual == expected


def assert_row(actual: dict, expected: dict) -> None:
    """Every expected column, reported all at once; dates may be given as ISO strings."""
    missing = sorted(set(expected) - set(actual))
    assert not missing, f"columns missing: {missing}"
    wrong = {k: (actual[k], v) for k, v in expected.items() if not same(actual[k], v)}
    assert not wrong, "column: (actual, expected)\n" + "\n".join(f"  {k}: {v}" for k, v in wrong.items())


# --- the hand-made data set -----------------------------------------------------------------
#
# March 2026: Mon 2, Fri 6 is a holiday, Mon 9, Mon 16, Mon 23, Mon 30. As-of dates used by the
# tests: Wed 2026-03-11 and Mon 2026-03-23.
#
# Projects
#   P1 Alpha  Build, default calendar (Mon-Fri), 2026-03-02..03-20, BAC 10,800, expected 15,000
#   P2 Beta   Run, calendar Mon-Sat, 2026-03-02..03-12, finished 03-11, BAC 2,000, costs on tasks
#   P3 Gamma  Build, no tasks, starts 03-09
#   P4 Delta  Run, cancelled, starts 03-16, its only task cancelled, one expense
#   P5 Eps    Run, 2025-12-01..12-12, finished late 2025-12-19, no tasks, one expense
# Employees
#   E1 Build, 100/h, 40 h/week; E2 Build, hired Wed 2026-03-04, 50/h, 20 h/week;
#   E3 Run, 80/h, 40 h/week, on leave Tue 03-10..Wed 03-11
HANDMADE_AS_OF = ("2026-03-11", "2026-03-23")


def load_handmade(con) -> None:
    insert(con, "holidays", [{"holiday_date": "2026-03-06", "name": "Founders' Day"}])
    insert(con, "employees", [
        employee("E1", department="Build", hire_date="2025-01-01", hourly_cost=100.0,
                 weekly_capacity_hours=40.0),
        employee("E2", department="Build", hire_date="2026-03-04", hourly_cost=50.0,
                 weekly_capacity_hours=20.0),
        employee("E3", department="Run", hire_date="2024-01-01", hourly_cost=80.0,
                 weekly_capacity_hours=40.0),
    ])
    insert(con, "leave", [{"employee_id": "E3", "start_date": "2026-03-10", "end_date": "2026-03-11",
                           "leave_type": "vacation"}])
    insert(con, "projects", [
        project("P1", project_name="Alpha", department="Build", pmo_type="external",
                start_date="2026-03-02", planned_end_date="2026-03-20", budget=10800.0,
                expected_benefit=15000.0, status="active"),
        project("P2", project_name="Beta", department="Run", start_date="2026-03-02",
                planned_end_date="2026-03-12", actual_end_date="2026-03-11", budget=2000.0,
                expected_benefit=3000.0, realized_benefit=2500.0, status="completed",
                working_weekdays="1111110"),
        project("P3", project_name="Gamma", department="Build", start_date="2026-03-09",
                planned_end_date="2026-03-31", budget=5000.0, status="planned"),
        project("P4", project_name="Delta", department="Run", start_date="2026-03-16",
                planned_end_date="2026-03-27", budget=1000.0, expected_benefit=1200.0,
                status="cancelled"),
        project("P5", project_name="Epsilon", department="Run", start_date="2025-12-01",
                planned_end_date="2025-12-12", actual_end_date="2025-12-19", budget=1000.0,
                expected_benefit=2000.0, status="completed"),
    ])
    insert(con, "tasks", [
        # P1: T2 has no planned_cost, so P1 weighs its tasks by planned_hours
        task("T1", "P1", "2026-03-02", "2026-03-06", created_on="2026-03-01", planned_hours=32.0,
             planned_cost=3200.0, actual_start="2026-03-02", completed_on="2026-03-05", status="done",
             assignee_id="E1"),
        task("T2", "P1", "2026-03-09", "2026-03-13", created_on="2026-03-01", planned_hours=40.0,
             actual_start="2026-03-09", completed_on="2026-03-16", status="done", assignee_id="E1"),
        task("T3", "P1", "2026-03-16", "2026-03-20", created_on="2026-03-01", planned_hours=20.0,
             planned_cost=1000.0, actual_start="2026-03-17", status="in_progress", assignee_id="E2"),
        task("T4", "P1", "2026-03-09", "2026-03-10", created_on="2026-03-01", planned_hours=16.0,
             planned_cost=800.0, status="cancelled", assignee_id="E3"),
        # added to the plan after the start
        task("T5", "P1", "2026-03-16", "2026-03-18", created_on="2026-03-16", planned_hours=12.0,
             planned_cost=600.0, assignee_id="E2"),
        # planned over a weekend only
        task("T6", "P1", "2026-03-14", "2026-03-15", created_on="2026-03-01", planned_hours=4.0,
             planned_cost=100.0),
        task("U1", "P2", "2026-03-02", "2026-03-07", planned_hours=20.0, planned_cost=1200.0,
             actual_start="2026-03-02", completed_on="2026-03-07", status="done", assignee_id="E3"),
        task("U2", "P2", "2026-03-09", "2026-03-12", planned_hours=10.0, planned_cost=800.0,
             actual_start="2026-03-09", completed_on="2026-03-11", status="done", assignee_id="E3"),
        task("V1", "P4", "2026-03-16", "2026-03-20", planned_cost=500.0, status="cancelled"),
    ])
    insert(con, "task_progress", [
        {"task_id": "T2", "status_date": "2026-03-10", "percent_complete": 50.0},
        {"task_id": "T2", "status_date": "2026-03-12", "percent_complete": 80.0},
    ])
    insert(con, "timesheets", [
        timesheet("S01", "E1", "T1", "2026-03-02", 8.0),
        timesheet("S02", "E1", "T1", "2026-03-03", 8.0),
        timesheet("S03", "E1", "T1", "2026-03-04", 8.0),
        timesheet("S04", "E1", "T1", "2026-03-05", 8.0),
        timesheet("S05", "E1", "T1", "2026-03-06", 2.0),  # on the holiday
        timesheet("S06", "E1", "T2", "2026-03-09", 8.0),
        timesheet("S07", "E1", "T2", "2026-03-10", 8.0),
        timesheet("S08", "E1", "T2", "2026-03-11", 8.0),
        timesheet("S09", "E1", "T2", "2026-03-12", 8.0),
        timesheet("S10", "E1", "T2", "2026-03-13", 4.0),
        timesheet("S11", "E1", None, "2026-03-13", 4.0),  # admin, not on a project
        timesheet("S12", "E1", "T2", "2026-03-16", 4.0),
        timesheet("S13", "E2", "T3", "2026-03-17", 4.0),
        timesheet("S14", "E2", "T3", "2026-03-18", 4.0),
        timesheet("S15", "E2", "T3", "2026-03-19", 4.0),
        timesheet("S16", "E2", "T3", "2026-03-24", 4.0),  # after the last as-of date
        timesheet("S17", "E3", "T4", "2026-03-09", 4.0),  # on the cancelled task
        timesheet("S18", "E3", "T4", "2026-03-10", 2.0),  # during leave
        timesheet("S19", "E3", "U1", "2026-03-02", 8.0),
        timesheet("S20", "E3", "U1", "2026-03-03", 8.0),
        timesheet("S21", "E3", "U1", "2026-03-04", 4.0),
        timesheet("S22", "E3", "U2", "2026-03-09", 4.0),
    ])
    insert(con, "expenses", [
        {"expense_id": "X1", "project_id": "P1", "expense_date": "2026-03-05", "amount": 500.0},
        {"expense_id": "X2", "project_id": "P1", "expense_date": "2026-03-10", "amount": -200.0},
        {"expense_id": "X3", "project_id": "P1", "expense_date": "2026-03-18", "amount": 1000.0},
        {"expense_id": "X4", "project_id": "P4", "expense_date": "2026-03-17", "amount": 250.0},
        {"expense_id": "X5", "project_id": "P5", "expense_date": "2025-12-10", "amount": 800.0},
    ])


@cache
def handmade_results() -> dict[str, dict[str, list[dict]]]:
    """{as_of: {table: rows}} of the four KPI tables, built once per test session."""
    con = warehouse()
    load_handmade(con)
    results = {}
    for as_of in HANDMADE_AS_OF:
        build(con, as_of)
        results[as_of] = {
            table: rows(con, f"select * from marts.{table}")
            for table in ("kpi_project", "kpi_portfolio", "kpi_delivery", "kpi_utilization")
        }
    con.close()
    return results


def keyed(table_rows: list[dict], *key: str) -> dict:
    """Rows by key value (one column) or key tuple (several); a repeated key fails."""
    out = {}
    for r in table_rows:
        k = r[key[0]] if len(key) == 1 else tuple(r[c] for c in key)
        assert k not in out, f"repeated key {k}"
        out[k] = r
    return out
