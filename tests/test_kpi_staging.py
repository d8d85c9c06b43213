"""Staging: delivery semantics of docs/inputs.md (later file wins, quarantined rows left out before
deduplication), defaults, and that quarantined rows stay out of the KPIs."""

from tests.kpi_data import (
    build, employee, insert, keyed, project, quarantine, row, rows, task, timesheet, warehouse,
)


def test_later_file_wins_and_quarantine_comes_first():
    con = warehouse()
    insert(con, "projects", [project("P1", budget=100.0), project("P3", budget=1.0)], file="projects.csv")
    insert(con, "projects", [project("P1", budget=200.0), project("P3", budget=2.0)],
           file="projects/2026-03-01.csv")
    # the latest file: its P1 row is quarantined, so the 2026-03-01 row stays current;
    # P2 exists only in a quarantined row, so it does not exist
    insert(con, "projects", [project("P1", budget=300.0), project("P2", budget=9.0),
                             project("P4", budget=4.0, working_weekdays=None)],
           file="projects/2026-03-02.csv")
    quarantine(con, "projects", "projects/2026-03-02.csv", 1)
    quarantine(con, "projects", "projects/2026-03-02.csv", 2)
    # a violation of another entity at the same file and row number changes nothing here
    quarantine(con, "tasks", "projects/2026-03-01.csv", 2)
    build(con, "2026-03-11")
    got = keyed(rows(con, "select * from staging.stg_projects"), "project_id")
    assert set(got) == {"P1", "P3", "P4"}
    # 'projects/...' sorts after 'projects.csv' ('/' > '.')
    assert (got["P1"]["budget"], got["P1"]["_file"]) == (200.0, "projects/2026-03-01.csv")
    assert got["P3"]["budget"] == 2.0
    assert got["P4"]["working_weekdays"] == "1111100"  # the default calendar


def test_later_row_of_the_same_file_wins_and_every_entity_has_one_row_per_key():
    con = warehouse()
    insert(con, "tasks", [task("T1", "P", "2026-03-02", "2026-03-06", planned_hours=1.0),
                          task("T1", "P", "2026-03-02", "2026-03-06", planned_hours=2.0)])
    insert(con, "task_progress", [
        {"task_id": "T1", "status_date": "2026-03-03", "percent_complete": 10.0},
        {"task_id": "T1", "status_date": "2026-03-04", "percent_complete": 20.0},
    ], file="task_progress/a.csv")
    insert(con, "task_progress", [
        {"task_id": "T1", "status_date": "2026-03-03", "percent_complete": 15.0},
    ], file="task_progress/b.csv")
    build(con, "2026-03-11")
    assert row(con, "staging.stg_tasks", task_id="T1")["planned_hours"] == 2.0
    progress = {r["status_date"].isoformat(): r["percent_complete"]
                for r in rows(con, "select * from staging.stg_task_progress")}
    assert progress == {"2026-03-03": 15.0, "2026-03-04": 20.0}  # key (task_id, status_date)


def test_corrected_and_quarantined_timesheets_in_the_kpis():
    # Entry 1 is corrected by a later daily file (8 h -> 6 h); entry 2 is quarantined.
    # AC = 6 h * 100 = 600, actual_hours 6.
    con = warehouse()
    insert(con, "projects", [project("P", start_date="2026-03-02", planned_end_date="2026-03-06",
                                     budget=1000.0)])
    insert(con, "tasks", [task("T", "P", "2026-03-02", "2026-03-06")])
    insert(con, "employees", [employee("E")])
    insert(con, "timesheets", [timesheet("1", "E", "T", "2026-03-02", 8.0),
                               timesheet("2", "E", "T", "2026-03-02", 9.0)],
           file="timesheets/2026-03-02.csv")
    insert(con, "timesheets", [timesheet("1", "E", "T", "2026-03-02", 6.0)],
           file="timesheets/2026-03-03.csv")
    quarantine(con, "timesheets", "timesheets/2026-03-02.csv", 2)
    build(con, "2026-03-06")
    got = row(con, "marts.kpi_project", project_id="P")
    assert (got["ac"], got["actual_hours"]) == (600.0, 6.0)
    assert [r["entry_id"] for r in rows(con, "select * from staging.stg_timesheets")] == ["1"]
