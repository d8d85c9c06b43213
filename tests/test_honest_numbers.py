"""Reproducible numbers: the models add doubles in one fixed order, whatever the threads."""

import hashlib

from tests.kpi_data import build, employee, insert, project, task, warehouse


def fingerprint(con) -> str:
    """Every value of every KPI table, floats to the last bit (repr)."""
    digest = hashlib.sha256()
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = "
                                "'marts' ORDER BY 1").fetchall():
        digest.update(repr(con.execute(f"FROM marts.{table} ORDER BY ALL").fetchall()).encode())
    return digest.hexdigest()


def test_the_same_inputs_give_the_same_last_bit_on_many_threads():
    # 300,000 timesheet rows of hours like 0.1 .. 9.9 (no exact binary sum) on 4 projects:
    # summed in parallel, the partial sums meet in whatever order the threads finish.
    results = set()
    for _ in range(3):
        con = warehouse()
        con.execute("SET threads = 4")
        insert(con, "employees", [employee(f"E{n}") for n in range(20)])
        insert(con, "projects", [project(f"P{n}", start_date="2026-01-05",
                                         planned_end_date="2026-06-26", budget=1e6)
                                 for n in range(4)])
        insert(con, "tasks", [task(f"T{n}", f"P{n % 4}", "2026-01-05", "2026-06-26",
                                   planned_cost=1000.0 + n, planned_hours=10.0 + n % 7,
                                   actual_start="2026-01-05", assignee_id=f"E{n % 20}")
                              for n in range(40)])
        con.execute("""
            INSERT INTO raw.timesheets (entry_id, employee_id, task_id, work_date, hours, _file, _row)
            SELECT 'S' || i, 'E' || (i % 20), 'T' || (i % 40),
                   DATE '2026-01-05' + (i % 120)::INTEGER, ((i * 7919) % 99 + 1) / 10.0,
                   'timesheets.csv', i
            FROM range(300000) AS r(i)""")
        build(con, "2026-05-04")
        results.add(fingerprint(con))
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 4  # restored
    assert len(results) == 1
