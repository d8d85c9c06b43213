"""kpi_forecast by hand: an organisation whose every finished task took exactly 1.5 times its
planned working days and hours, so every draw is the same and P50 = P80 = P95.

Calendar Monday to Friday; Thu 2026-03-19 is a holiday. D = Wed 2026-03-11.

History (finished on or before D), department Build, no required skill:
  H1 (project H) planned Mon 01-05..Tue 01-06 = 2 days, 16 h; ran Mon 01-05..Wed 01-07 = 3 days,
     24 h logged: duration 3 / 2 = 1.5, effort 24 / 16 = 1.5
  H2 (project H) planned Mon 01-12..Thu 01-15 = 4 days, 32 h; ran 01-12..Mon 01-19 = 6 days, 48 h
  A1 (project A) planned Mon 03-02..Tue 03-03 = 2 days, 16 h; ran 03-02..Wed 03-04 = 3 days, 24 h
Active project A (Build, 03-02..03-20, BAC 11,200, weights = planned_hours: W = 16 + 40 + 40 + 16 = 112,
so 100 of BAC per weight hour), AC = 24 h of A1 + 16 h of A2 at 100/h + a 500 expense = 4,500:
  A2 planned 03-09..03-13 = 5 days, 40 h, 40 % reported: 5 * 0.6 = 3 days left * 1.5 = 4.5 -> 5
     working days from D + 1 = Thu 03-12: 12, 13, 16, 17, 18 -> Wed 03-18; remaining budget
     100 * 40 * 0.6 = 2,400
  A3 planned 03-16..03-20 = 4 days (the 19th is a holiday), 40 h: 4 * 1.5 = 6 working days from
     03-16: 16, 17, 18, 20, 23, 24 -> Tue 03-24; remaining budget 4,000
  A4 planned 03-05..03-06 = 2 days, 16 h, not started (overdue): 2 * 1.5 = 3 from 03-12:
     12, 13, 16 -> Mon 03-16; remaining budget 1,600
  finish = the latest, Tue 03-24; EAC = 4,500 + 1.5 * (2,400 + 4,000 + 1,600) = 16,500
"""

from datetime import date

from tests.kpi_data import (
    assert_row, build, employee, insert, project, row, rows, task, timesheet, warehouse,
)

D = "2026-03-11"


def load(con, other_department: bool = False) -> None:
    insert(con, "holidays", [{"holiday_date": "2026-03-19", "name": "Holiday"}])
    insert(con, "employees", [employee("E1", department="Build", hourly_cost=100.0)])
    insert(con, "projects", [
        project("H", department="Build", start_date="2026-01-05", planned_end_date="2026-01-16",
                actual_end_date="2026-01-19", budget=4800.0, status="completed"),
        project("A", department="Build", start_date="2026-03-02", planned_end_date="2026-03-20",
                budget=11200.0),
        # active, nothing left to do
        project("B", department="Build", start_date="2026-03-02", planned_end_date="2026-03-31",
                budget=1000.0),
    ])
    insert(con, "tasks", [
        task("H1", "H", "2026-01-05", "2026-01-06", planned_hours=16.0, actual_start="2026-01-05",
             completed_on="2026-01-07", status="done", assignee_id="E1"),
        task("H2", "H", "2026-01-12", "2026-01-15", planned_hours=32.0, actual_start="2026-01-12",
             completed_on="2026-01-19", status="done", assignee_id="E1"),
        task("A1", "A", "2026-03-02", "2026-03-03", planned_hours=16.0, actual_start="2026-03-02",
             completed_on="2026-03-04", status="done", assignee_id="E1"),
        task("A2", "A", "2026-03-09", "2026-03-13", planned_hours=40.0, actual_start="2026-03-09",
             status="in_progress", assignee_id="E1"),
        task("A3", "A", "2026-03-16", "2026-03-20", planned_hours=40.0, assignee_id="E1"),
        task("A4", "A", "2026-03-05", "2026-03-06", planned_hours=16.0, assignee_id="E1"),
    ])
    insert(con, "task_progress", [{"task_id": "A2", "status_date": "2026-03-10", "percent_complete": 40.0}])
    sheets = [("H1", "2026-01-05", 8.0), ("H1", "2026-01-06", 8.0), ("H1", "2026-01-07", 8.0),
              ("H2", "2026-01-12", 12.0), ("H2", "2026-01-13", 12.0), ("H2", "2026-01-14", 12.0),
              ("H2", "2026-01-15", 12.0),
              ("A1", "2026-03-02", 8.0), ("A1", "2026-03-03", 8.0), ("A1", "2026-03-04", 8.0),
              ("A2", "2026-03-09", 8.0), ("A2", "2026-03-10", 8.0)]
    insert(con, "timesheets", [timesheet(f"S{i}", "E1", t, d, h) for i, (t, d, h) in enumerate(sheets)])
    insert(con, "expenses", [{"expense_id": "X1", "project_id": "A", "expense_date": "2026-03-05",
                              "amount": 500.0}])
    if other_department:
        # Run finished three tasks planned Mon..Tue (2 days, 10 h) that ran Mon..Fri (5 days) and
        # took 25 h: duration and effort ratio 2.5
        insert(con, "projects", [project("R", department="Run", start_date="2025-11-03",
                                         planned_end_date="2025-11-25", actual_end_date="2025-11-21",
                                         budget=1000.0, status="completed")], file="r.csv")
        mondays = ["2025-11-03", "2025-11-10", "2025-11-17"]
        insert(con, "tasks", [
            task(f"R{i}", "R", monday, f"{monday[:8]}{int(monday[8:]) + 1:02d}", planned_hours=10.0,
                 actual_start=monday, completed_on=f"{monday[:8]}{int(monday[8:]) + 4:02d}",
                 status="done")
            for i, monday in enumerate(mondays)], file="r.csv")
        insert(con, "timesheets", [timesheet(f"SR{i}", "E1", f"R{i}", monday, 25.0)
                                   for i, monday in enumerate(mondays)], file="r.csv")


def test_one_fixed_ratio_gives_that_ratio_at_every_quantile():
    con = warehouse()
    load(con)
    build(con, D)
    history = rows(con, "select * from intermediate.int_forecast_history order by task_id")
    assert [(h["task_id"], h["duration_ratio"], h["effort_ratio"]) for h in history] == [
        ("A1", 1.5, 1.5), ("H1", 1.5, 1.5), ("H2", 1.5, 1.5)]
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "as_of": D, "finish_p50": "2026-03-24", "finish_p80": "2026-03-24", "finish_p95": "2026-03-24",
        "eac_p50": 16500.0, "eac_p80": 16500.0, "eac_p95": 16500.0,
        "ac": 4500.0, "remaining_budget": 8000.0, "tasks_remaining": 3, "draws": 1000})
    # B is active with no task left: the first working day after D, EAC = AC (nothing spent)
    assert_row(row(con, "marts.kpi_forecast", project_id="B"), {
        "finish_p50": "2026-03-12", "finish_p95": "2026-03-12", "eac_p50": 0.0, "tasks_remaining": 0})
    # only active projects: H is finished
    assert {r["project_id"] for r in rows(con, "select project_id from marts.kpi_forecast")} == {"A", "B"}


def test_ratio_groups_fall_back_from_department_and_skill_to_all():
    con = warehouse()
    load(con, other_department=True)  # Run's tasks took 2.5 times as long and as many hours
    # Build has 3 finished tasks: with forecast_min_group = 3 its own group is used: 1.5 exactly
    build(con, D, forecast_min_group=3)
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": "2026-03-24", "finish_p95": "2026-03-24", "eac_p50": 16500.0, "eac_p95": 16500.0})
    groups = {t["task_id"]: t["ratio_group"] for t in rows(con, "select * from intermediate.int_forecast_tasks")}
    assert groups == {"A2": "department_skill", "A3": "department_skill", "A4": "department_skill"}
    # with the default (30) neither Build nor Build/(any) is big enough: all six finished tasks,
    # half at 1.5 and half at 2.5, so some draws are slower
    build(con, D)
    history = rows(con, "select task_id, duration_ratio, effort_ratio from intermediate.int_forecast_history"
                        " where task_id like 'R%' order by task_id")
    assert [tuple(h.values()) for h in history] == [("R0", 2.5, 2.5), ("R1", 2.5, 2.5), ("R2", 2.5, 2.5)]
    forecast = row(con, "marts.kpi_forecast", project_id="A")
    assert {t["ratio_group"] for t in rows(con, "select * from intermediate.int_forecast_tasks")} == {"all"}
    # A3 drawn at 2.5 (half the draws): 4 * 2.5 = 10 working days from 03-16 -> Mon 03-30, later
    # than A2 at 2.5 (3 * 2.5 = 7.5 -> 8 from 03-12 -> 03-24) and A4 (2 * 2.5 = 5 -> 03-18);
    # otherwise 03-24 as before. So P80 and P95 are 03-30, P50 one of the two
    assert forecast["finish_p50"] in (date(2026, 3, 24), date(2026, 3, 30))
    assert forecast["finish_p80"] == forecast["finish_p95"] == date(2026, 3, 30)
    # EAC between 4,500 + 1.5 * 8,000 and 4,500 + 2.5 * 8,000
    assert 16500.0 < forecast["eac_p50"] <= forecast["eac_p80"] <= forecast["eac_p95"] <= 24500.0
    # deterministic: the same inputs and seed give the same numbers
    build(con, D)
    assert row(con, "marts.kpi_forecast", project_id="A") == forecast


def test_no_history_no_forecast():
    con = warehouse()
    insert(con, "projects", [project("A", start_date="2026-03-02", planned_end_date="2026-03-20",
                                     budget=100.0)])
    insert(con, "tasks", [task("A1", "A", "2026-03-09", "2026-03-13")])
    build(con, D)
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": None, "finish_p80": None, "finish_p95": None, "eac_p50": None, "draws": 0,
        "tasks_remaining": 1})
