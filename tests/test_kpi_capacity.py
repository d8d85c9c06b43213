"""kpi_capacity by hand: three people, two weeks ahead, with leave and a holiday, and a few tasks.

March 2026: Mon 9, Fri 13 is a holiday, Mon 16. As of Sunday 2026-03-08 with horizon_weeks = 2
the horizon is the weeks of 03-09 and 03-16 (the week of D has no day after D).

People (capacity = weekly_capacity_hours / 5 per working day, Monday to Friday minus holidays,
employed and not on leave):
  E1 Build, 40 h/week = 8 h/day, skills python and sql
  E2 Build, 20 h/week = 4 h/day, skill python, on leave Tue 03-10 .. Thu 03-12
  E3 Run,   40 h/week = 8 h/day, skill sql, hired Wed 03-11
Week 03-09 has 4 working days (Mon-Thu), week 03-16 has 5.

Tasks (demand = planned_hours * (1 - earned fraction) spread over the remaining working days
after D of the project's calendar, Monday to Friday minus the holiday):
  T1 P (Build) python, E1, 03-02..03-10, 56 h, 50 % reported: 28 h over Mon 9 + Tue 10 -> wk 09: 28
  T2 P (Build) sql, E1, 03-12..03-18 = Thu 12, Mon 16, Tue 17, Wed 18 = 4 days, 32 h: 8 h/day
       -> wk 09: 8 (Thu), wk 16: 24
  T3 P (Build) no skill, E2, 03-02..03-05, overdue, 20 h -> all on D + 1 = Mon 03-09: wk 09: 20
  T4 P (Build) python, unassigned, 03-16..03-27 = 10 days, 60 h: 6 h/day -> wk 16: 5 * 6 = 30
       (the week of 03-23 is past the horizon)
  T7 Q (Run) sql, E3, 03-16..03-20, 40 h -> wk 16: 40
  T5 done, T6 cancelled, T8 of a cancelled project, T9 of a project finished at D: no demand
"""

from datetime import date

from tests.kpi_data import build, employee, insert, project, rows, task, timesheet, warehouse

D = "2026-03-08"  # a Sunday


def load(con) -> None:
    insert(con, "holidays", [{"holiday_date": "2026-03-13", "name": "Spring Day"}])
    insert(con, "employees", [
        employee("E1", department="Build", weekly_capacity_hours=40.0),
        employee("E2", department="Build", weekly_capacity_hours=20.0),
        employee("E3", department="Run", weekly_capacity_hours=40.0, hire_date="2026-03-11"),
    ])
    insert(con, "skills", [
        {"employee_id": "E1", "skill": "python", "level": 3, "assessed_on": "2025-06-01"},
        {"employee_id": "E1", "skill": "sql", "level": 2, "assessed_on": "2025-06-01"},
        {"employee_id": "E2", "skill": "python", "level": 4},
        {"employee_id": "E3", "skill": "sql", "level": 3, "assessed_on": "2026-03-01"},
    ])
    insert(con, "leave", [{"employee_id": "E2", "start_date": "2026-03-10", "end_date": "2026-03-12"}])
    insert(con, "projects", [
        project("P", department="Build", start_date="2026-03-02", planned_end_date="2026-03-31"),
        project("Q", department="Run", start_date="2026-03-16", planned_end_date="2026-03-27",
                status="planned"),
        project("X", department="Build", start_date="2026-03-02", planned_end_date="2026-03-31",
                status="cancelled"),
        project("F", department="Build", start_date="2026-02-02", planned_end_date="2026-03-20",
                actual_end_date="2026-03-06", status="completed"),
    ])
    insert(con, "tasks", [
        task("T1", "P", "2026-03-02", "2026-03-10", planned_hours=56.0, required_skill="python",
             assignee_id="E1", actual_start="2026-03-02", status="in_progress"),
        task("T2", "P", "2026-03-12", "2026-03-18", planned_hours=32.0, required_skill="sql",
             assignee_id="E1"),
        task("T3", "P", "2026-03-02", "2026-03-05", planned_hours=20.0, assignee_id="E2"),
        task("T4", "P", "2026-03-16", "2026-03-27", planned_hours=60.0, required_skill="python"),
        task("T5", "P", "2026-03-02", "2026-03-03", planned_hours=16.0, required_skill="python",
             assignee_id="E1", actual_start="2026-03-02", completed_on="2026-03-03", status="done"),
        task("T6", "P", "2026-03-09", "2026-03-13", planned_hours=40.0, required_skill="python",
             assignee_id="E1", status="cancelled"),
        task("T7", "Q", "2026-03-16", "2026-03-20", planned_hours=40.0, required_skill="sql",
             assignee_id="E3"),
        task("T8", "X", "2026-03-09", "2026-03-13", planned_hours=40.0, assignee_id="E1"),
        task("T9", "F", "2026-03-09", "2026-03-13", planned_hours=40.0, assignee_id="E1"),
    ])
    insert(con, "task_progress", [{"task_id": "T1", "status_date": "2026-03-06", "percent_complete": 50.0}])
    insert(con, "timesheets", [timesheet("S1", "E1", "T1", "2026-03-02", 8.0)])


def capacity(con, as_of=D, **params):
    build(con, as_of, **params)
    found = rows(con, "select * from marts.kpi_capacity")
    return {(r["grain"], r["week_start"].isoformat(), r["employee_id"] or f"{r['department']}/{r['skill']}"): r
            for r in found}


def numbers(r):
    return (r["capacity_hours"], r["demand_hours"], r["gap_hours"], r["over_capacity"])


def test_capacity_and_demand_worked_by_hand():
    con = warehouse()
    load(con)
    got = capacity(con, horizon_weeks=2)
    expected = {
        # employee rows: capacity, demand (tasks assigned), gap, over capacity
        # E1 wk 09: Mon-Thu 4 * 8 = 32; T1 28 + T2 8 = 36
        ("employee", "2026-03-09", "E1"): (32.0, 36.0, -4.0, True),
        # E2 wk 09: leave Tue-Thu, Fri holiday: Mon only, 4; T3 overdue 20
        ("employee", "2026-03-09", "E2"): (4.0, 20.0, -16.0, True),
        # E3 wk 09: hired Wed: Wed + Thu 2 * 8 = 16; nothing assigned
        ("employee", "2026-03-09", "E3"): (16.0, 0.0, 16.0, False),
        ("employee", "2026-03-16", "E1"): (40.0, 24.0, 16.0, False),  # T2 Mon-Wed 3 * 8
        ("employee", "2026-03-16", "E2"): (20.0, 0.0, 20.0, False),
        ("employee", "2026-03-16", "E3"): (40.0, 40.0, 0.0, False),  # T7; 40 > 40 is false
        # department x skill: capacity of the department's people with the skill
        # Build/python: E1 + E2 = 32 + 4 = 36 and 40 + 20 = 60; demand T1 28, then T4 30
        ("department_skill", "2026-03-09", "Build/python"): (36.0, 28.0, 8.0, False),
        ("department_skill", "2026-03-16", "Build/python"): (60.0, 30.0, 30.0, False),
        # Build/sql: E1 only (E3 is in Run); demand T2 8, then 24
        ("department_skill", "2026-03-09", "Build/sql"): (32.0, 8.0, 24.0, False),
        ("department_skill", "2026-03-16", "Build/sql"): (40.0, 24.0, 16.0, False),
        # Build/(any): every Build employee (E1 + E2) against tasks without a skill (T3 20)
        ("department_skill", "2026-03-09", "Build/(any)"): (36.0, 20.0, 16.0, False),
        ("department_skill", "2026-03-16", "Build/(any)"): (60.0, 0.0, 60.0, False),
        # Run/sql: E3 16, then 40; T7 40 in wk 16
        ("department_skill", "2026-03-09", "Run/sql"): (16.0, 0.0, 16.0, False),
        ("department_skill", "2026-03-16", "Run/sql"): (40.0, 40.0, 0.0, False),
        ("department_skill", "2026-03-09", "Run/(any)"): (16.0, 0.0, 16.0, False),
        ("department_skill", "2026-03-16", "Run/(any)"): (40.0, 0.0, 40.0, False),
    }
    assert {k: numbers(v) for k, v in got.items()} == expected
    e1 = got[("employee", "2026-03-09", "E1")]
    assert (e1["department"], e1["skill"], e1["as_of"], e1["is_partial_week"]) == (
        "Build", None, date(2026, 3, 8), False)
    assert got[("department_skill", "2026-03-16", "Build/python")]["employees"] == 2


def test_horizon_weeks_and_the_partial_week_of_d():
    con = warehouse()
    load(con)
    # Sunday D, default 12 weeks: weeks 03-09 .. 05-25, none partial
    weeks = sorted({k[1] for k in capacity(con)})
    assert len(weeks) == 12 and weeks[0] == "2026-03-09" and weeks[-1] == "2026-05-25"
    # Wednesday D: the rest of its week (Thu 12; Fri 13 is a holiday) comes first, partial
    got = capacity(con, "2026-03-11", horizon_weeks=2)
    assert sorted({k[1] for k in got}) == ["2026-03-09", "2026-03-16", "2026-03-23"]
    e1 = got[("employee", "2026-03-09", "E1")]
    assert e1["is_partial_week"] is True and e1["first_day"] == date(2026, 3, 12)
    # E1 Thu 8 h; demand as of Wed: T1 half done and overdue after Tue: 28 h on Thu (D + 1),
    # T2 Thu 8 h (03-12 .. 03-18 = 4 working days of 8 h)
    assert numbers(e1) == (8.0, 36.0, -28.0, True)
    # E2 is on leave on Thursday: 0 h; T3 (overdue) 20 h
    assert numbers(got[("employee", "2026-03-09", "E2")]) == (0.0, 20.0, -20.0, True)


def test_capacity_reconciles_with_utilization_available_hours():
    """Per employee and week, capacity after D + kpi_utilization.available_hours up to D is the
    available hours of the whole week (kpi_utilization as of its Sunday)."""
    con = warehouse()
    load(con)

    def utilization(as_of, week):
        build(con, as_of)
        return {r["employee_id"]: r["available_hours"] for r in rows(
            con, "select * from marts.kpi_utilization where week_start = ?", date.fromisoformat(week))}

    def capacity_hours(as_of, week):
        build(con, as_of)
        return {r["employee_id"]: r["capacity_hours"] for r in rows(
            con, "select * from marts.kpi_capacity where grain = 'employee' and week_start = ?",
            date.fromisoformat(week))}

    # week 03-09 seen whole from the Sunday before (capacity) and the Sunday after (utilization)
    whole = utilization("2026-03-15", "2026-03-09")
    assert whole == {"E1": 32.0, "E2": 4.0, "E3": 16.0}
    assert capacity_hours("2026-03-08", "2026-03-09") == whole
    # split on Wednesday: Mon-Wed in kpi_utilization (E1 24, E2 Mon 4, E3 Wed 8), Thu in kpi_capacity
    before, after = utilization("2026-03-11", "2026-03-09"), capacity_hours("2026-03-11", "2026-03-09")
    assert before == {"E1": 24.0, "E2": 4.0, "E3": 8.0} and after == {"E1": 8.0, "E2": 0.0, "E3": 8.0}
    assert {e: before[e] + after[e] for e in whole} == whole
    # week 03-16: capacity from 03-08 equals utilization as of 03-22
    assert capacity_hours("2026-03-08", "2026-03-16") == utilization("2026-03-22", "2026-03-16")
