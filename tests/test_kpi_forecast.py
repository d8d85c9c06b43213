"""kpi_forecast by hand: an organisation whose every finished task took exactly 1.5 times its
planned working days and hours, so every draw is the same and P50 = P80 = P95.

Calendar Monday to Friday; Thu 2026-03-19 is a holiday. D = Wed 2026-03-11.

History (finished on or before D), department Build, no required skill:
  H1 (project H) planned Mon 01-05..Tue 01-06 = 2 days, 16 h; ran Mon 01-05..Wed 01-07 = 3 days,
     24 h logged: duration 3 / 2 = 1.5, effort 24 / 16 = 1.5
  H2 (project H) planned Mon 01-12..Thu 01-15 = 4 days, 32 h; ran 01-12..Mon 01-19 = 6 days, 48 h
  A1 (project A) planned Mon 03-02..Tue 03-03 = 2 days, 16 h; ran 03-02..Wed 03-04 = 3 days, 24 h
Active project A (Build, 03-02..03-20, BAC 11,200, weights = planned_hours: W = 16 + 40 + 40 + 16 = 112,
so 100 of BAC per weight hour), AC = 24 h of A1 + 16 h of A2 at 100/h + a 500 expense = 4,500.
A's working days k = 1, 2, ... from 03-02: 03-02 1, 03-03 2, 03-04 3, 03-05 4, 03-06 5, 03-09 6,
03-10 7, D = 03-11 8, 03-12 9, 03-13 10, 03-16 11, 03-17 12, 03-18 13, 03-20 14, 03-23 15, 03-24 16,
03-25 17, 03-26 18, 03-27 19, 03-30 20, 03-31 21, 04-01 22, ...
Earned schedule: PV(k) in weight hours accrues 8/day for A1 over k 1-2, A4 over 4-5 and A2 over
6-10, 10/day for A3 over 11-14: PV(4) = 24, PV(5) = 32. EV = 16 (A1 done) + 0.4 * 40 (A2) = 32,
so ES = 5 (Fri 03-06): A stands 3 working days behind (AT = 8), and each open task still has
the plan from k = 5 to its planned end ahead of it (plan_left; no pause in it: the plan's one
free day, k 3, lies before ES), at least its own remaining work and at least E1's queue (E1 runs
all of A's tasks, one after the other: concurrency 13 planned days / 13 days covered = 1; in
planned order A4 2, A2 3, A3 4 days remaining):
  A2 planned 03-09..03-13 = 5 days (k 6..10), 40 % reported: remaining 5 * 0.6 = 3 days; queue
     2 + 3 = 5; plan_left = max(10 - 5, 3, 5) = 5; remaining budget 100 * 40 * 0.6 = 2,400
  A3 planned 03-16..03-20 = 4 days (k 11..14; the 19th is a holiday), 40 h: queue 5 + 4 = 9;
     plan_left max(14 - 5, 4, 9) = 9; remaining budget 4,000
  A4 planned 03-05..03-06 = 2 days (k 4..5), 16 h, not started (overdue): plan_left
     max(5 - 5, 2, 2) = 2; remaining budget 1,600
Two more things count the plan left (int_forecast_tasks, kpi_forecast):
  - status lag: A2, the one task in progress, was last reported on Tue 03-10 (k 7), so A's ES
    stands 1 working day before D: the plan left is counted from k 8 - 1 = 7;
  - wait factor: A has taken AT / ES = 8 / 5 = 1.6 working days per planned day earned, its
    reference class's tasks 1.5 (12 working days for 8 planned): the other 1.6 / 1.5 = 16 / 15
    went in waiting (A4 overdue and not started), and is taken to go on.
So a task finishes 8 + ceil(plan_left * 1.5 * 16 / 15 - 1) = 8 + ceil(1.6 * plan_left - 1):
  A2 5 * 1.6 - 1 = 7: k 15; A3 9 * 1.6 - 1 = 13.4 -> 14: k 22, Wed 04-01; A4 2.2 -> 3: k 11
  finish = the latest, Wed 04-01 (the same day as at 1.5 from D with neither adjustment:
  9 * 1.5 = 13.5 -> 14); EAC = 4,500 + 1.5 * (2,400 + 4,000 + 1,600) = 16,500
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
    tasks = {t["task_id"]: t for t in rows(con, "select * from intermediate.int_forecast_tasks")}
    assert {t: (v["remaining_working_days"], v["plan_left_working_days"]) for t, v in tasks.items()} == {
        "A2": (3.0, 5.0), "A3": (4.0, 9.0), "A4": (2.0, 2.0)}
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "as_of": D, "finish_p50": "2026-04-01", "finish_p80": "2026-04-01", "finish_p95": "2026-04-01",
        "eac_p50": 16500.0, "eac_p80": 16500.0, "eac_p95": 16500.0,
        "ac": 4500.0, "remaining_budget": 8000.0, "tasks_remaining": 3, "draws": 1000})
    # B is active with no task left: the first working day after D, EAC = AC (nothing spent)
    assert_row(row(con, "marts.kpi_forecast", project_id="B"), {
        "finish_p50": "2026-03-12", "finish_p95": "2026-03-12", "eac_p50": 0.0, "tasks_remaining": 0})
    # only active projects: H is finished
    assert {r["project_id"] for r in rows(con, "select project_id from marts.kpi_forecast")} == {"A", "B"}


def test_ratio_groups_fall_back_from_project_to_department_and_skill_to_all():
    con = warehouse()
    load(con, other_department=True)  # Run's tasks took 2.5 times as long and as many hours
    # A has one finished task of its own (A1, 1.5): with forecast_min_group = 1 its own project
    # is its reference class, 1.5 exactly, as in the first test
    build(con, D, forecast_min_group=1)
    groups = {t["task_id"]: t["ratio_group"] for t in rows(con, "select * from intermediate.int_forecast_tasks")}
    assert groups == {"A2": "project", "A3": "project", "A4": "project"}
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": "2026-04-01", "finish_p95": "2026-04-01", "eac_p50": 16500.0, "eac_p95": 16500.0})
    # with forecast_min_group = 3 A's one task is too few; Build/(any) has 3: 1.5 exactly again
    build(con, D, forecast_min_group=3)
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": "2026-04-01", "finish_p95": "2026-04-01", "eac_p50": 16500.0, "eac_p95": 16500.0})
    groups = {t["task_id"]: t["ratio_group"] for t in rows(con, "select * from intermediate.int_forecast_tasks")}
    assert groups == {"A2": "department_skill", "A3": "department_skill", "A4": "department_skill"}
    # with the default (30) no group but all is big enough: six finished tasks, sorted
    # 1.5, 1.5, 1.5, 2.5, 2.5, 2.5
    build(con, D)
    history = rows(con, "select task_id, duration_ratio, effort_ratio from intermediate.int_forecast_history"
                        " where task_id like 'R%' order by task_id")
    assert [tuple(h.values()) for h in history] == [("R0", 2.5, 2.5), ("R1", 2.5, 2.5), ("R2", 2.5, 2.5)]
    forecast = row(con, "marts.kpi_forecast", project_id="A")
    assert {t["ratio_group"] for t in rows(con, "select * from intermediate.int_forecast_tasks")} == {"all"}
    # One draw gives all of A's tasks the same position in the list, so a draw is either 1.5
    # for every task or 2.5 for every task. The group's pace is 27 working days taken for 14
    # planned = 1.93, more than A's AT / ES = 1.6: no wait factor. From k 8 - 1 (the status
    # lag, as in the first test): at 1.5 A3 9 * 1.5 - 1 = 12.5 -> 13 working days after D,
    # k 21 = Tue 03-31, EAC 16,500; at 2.5 A3 9 * 2.5 - 1 = 21.5 -> 22, k 30 = Mon 04-13
    # (later than A2, 5 * 2.5 - 1 = 11.5 -> 12: k 20, and A4, 2 * 2.5 - 1 = 4: k 12), EAC
    # 4,500 + 2.5 * 8,000 = 24,500. About half the draws each, so P80 = P95 = 04-13 at 24,500,
    # and P50 is one of the two. A draw mixing the ratios would give other costs (A3 at 2.5, A2
    # and A4 at 1.5: 4,500 + 10,000 + 1.5 * 4,000 = 20,500)
    assert (forecast["finish_p50"], forecast["eac_p50"]) in (
        (date(2026, 3, 31), 16500.0), (date(2026, 4, 13), 24500.0))
    assert forecast["finish_p80"] == forecast["finish_p95"] == date(2026, 4, 13)
    assert forecast["eac_p80"] == forecast["eac_p95"] == 24500.0
    # deterministic: the same inputs and seed give the same numbers
    build(con, D)
    assert row(con, "marts.kpi_forecast", project_id="A") == forecast


def test_a_project_ahead_of_its_plan_keeps_its_lead():
    """The first test's data, but by D A2 is reported 100 % and A3, started early, 20 %:
    EV = 16 + 40 + 0.2 * 40 = 64 = PV(9) > PV(AT = 8) = 56, so ES = 9 (Thu 03-12), one working day
    ahead (no wait factor: AT / ES < 1; no status lag: A2, in progress, was reported on D). The
    plan left from k = 9, at least each task's own remaining work and E1's queue (A4 2, A2 0, A3
    4 * 0.8 = 3.2 in planned order), at 1.5:
      A2 remaining 0; plan_left max(10 - 9, 0, 2) = 2 (E1 has A4 to do first) -> 3 after D:
         k 11, Mon 03-16
      A3 remaining 3.2; plan_left max(14 - 9, 3.2, 2 + 0 + 3.2) = 5.2 -> 7.8 -> 8: k 16, Tue 03-24
      A4 plan_left max(5 - 9, 2, 2) = 2 -> 3: k 11
    finish Tue 03-24, a week before the 04-01 of the project three days behind; remaining budget
    0 + 100 * 40 * 0.8 + 1,600 = 4,800, EAC = 4,500 + 1.5 * 4,800 = 11,700. (Before the queue
    counted, A2's plan_left was 1 and A3's 5: the same dates.)"""
    con = warehouse()
    load(con)
    insert(con, "task_progress", [{"task_id": "A2", "status_date": "2026-03-11", "percent_complete": 100.0},
                                  {"task_id": "A3", "status_date": "2026-03-11", "percent_complete": 20.0}],
           file="progress_later.csv")
    build(con, D)
    tasks = {t["task_id"]: t for t in rows(con, "select * from intermediate.int_forecast_tasks")}
    assert {t: (round(v["remaining_working_days"], 9), v["plan_left_working_days"]) for t, v in tasks.items()} == {
        "A2": (0.0, 2.0), "A3": (3.2, 5.2), "A4": (2.0, 2.0)}
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": "2026-03-24", "finish_p80": "2026-03-24", "finish_p95": "2026-03-24",
        "eac_p50": 11700.0, "eac_p95": 11700.0, "remaining_budget": 4800.0, "tasks_remaining": 3})


def test_a_lead_over_a_pause_in_the_plan_is_not_a_lead():
    """Next to the first test's data (all finished tasks at 1.5), project C (Build, from Mon
    03-02, BAC 8,000 = 100 per weight hour, nothing logged: AC = 0) plans C1 over k 1..5
    (03-02..03-06, 40 h), then nothing, then C2 over k 15..19 (Mon 03-23..Fri 03-27: k 9 = 03-12,
    ..., k 13 = 03-18, the 19th a holiday, k 14 = 03-20), 40 h. By D (k = AT = 8) C1 is reported
    100 % and C2, begun early, 5 %: EV = 40 + 2 = 42 > PV(8) = 40, so ES is searched ahead:
    PV(14) = 40, PV(15) = 48, ES = 15 - (48 - 42) / (48 - 40) = 14.25, six days ahead. But
    k 9..14 of that lead (03-12..03-20) is the pause, still ahead of C: only 14.25 - 6 = 8.25
    counts. C has no finished task of its own and Build too few: all finished tasks, 1.5.
      C2: remaining 5 * 0.95 = 4.75; plan left from k 14.25 to 19 = 4.75 worked days (no pause
          in it), at least the remaining 4.75, plus the 6 paused days of the lead:
          plan_left 10.75. A draw scales the work, not the wait, and counts from where C's
          status reports leave it: C1 (in progress, reported 03-09, k 6) and C2 (reported
          03-10, k 7), 8 weight hours a day each, stand 2 and 1 working days before D, so C
          stands 1.5 before it (no wait factor: AT / ES < 1). -1.5 + 4.75 * 1.5 + 6 = 11.625
          -> 12 working days after D: k 20 = Mon 03-30
      C1: remaining 0; planned end k 5 before AT and ES: plan_left 0 -> at least 1: k 9
    finish Mon 03-30; remaining budget 100 * 40 * 0.95 = 3,800 (C1 none left),
    EAC = 0 + 1.5 * 3,800 = 5,700. (Stretching the pause with the work, from D, this test
    expected Mon 04-06: 10.75 * 1.5 = 16.125 -> 17 days, k 25, the 6-day wait made 9.) Taking
    the pause as lead, C2 would end 6 working days earlier still, at k 14, the Friday before
    it is planned to start."""
    con = warehouse()
    load(con)
    insert(con, "projects", [project("C", department="Build", start_date="2026-03-02",
                                     planned_end_date="2026-03-27", budget=8000.0)], file="c.csv")
    insert(con, "tasks", [
        task("C1", "C", "2026-03-02", "2026-03-06", planned_hours=40.0, actual_start="2026-03-02",
             status="in_progress"),
        task("C2", "C", "2026-03-23", "2026-03-27", planned_hours=40.0, actual_start="2026-03-10",
             status="in_progress"),
    ], file="c.csv")
    insert(con, "task_progress", [{"task_id": "C1", "status_date": "2026-03-09", "percent_complete": 100.0},
                                  {"task_id": "C2", "status_date": "2026-03-10", "percent_complete": 5.0}],
           file="c_progress.csv")
    build(con, D)
    assert row(con, "marts.kpi_project", project_id="C")["es"] == 14.25
    tasks = {t["task_id"]: t for t in rows(con, "select * from intermediate.int_forecast_tasks"
                                                " where project_id = 'C'")}
    assert {t: (round(v["remaining_working_days"], 9), v["plan_left_working_days"], v["ratio_group"])
            for t, v in tasks.items()} == {"C1": (0.0, 0.0, "all"), "C2": (4.75, 10.75, "all")}
    assert {t: (v["plan_worked_working_days"], v["plan_paused_working_days"]) for t, v in tasks.items()} == {
        "C1": (0.0, 0.0), "C2": (4.75, 6.0)}
    assert_row(row(con, "marts.kpi_forecast", project_id="C"), {
        "finish_p50": "2026-03-30", "finish_p95": "2026-03-30", "eac_p50": 5700.0, "eac_p95": 5700.0,
        "ac": 0.0, "remaining_budget": 3800.0, "tasks_remaining": 2})


def test_a_pause_in_the_plan_left_is_waited_out_not_stretched():
    """Project C as above, but C1 ran to plan (done Fri 03-06, no hours logged: not history) and
    C2 has not begun: EV = 40 = PV(5) = ... = PV(14), so at D (k 8, inside the pause) C is on
    schedule, ES = AT = 8 (no status lag: nothing in progress; no wait factor). C2's plan left,
    (8, 19], holds the rest of the pause, k 9..14 (6 days), and C2's k 15..19 (5 worked days).
    At 1.5 the work is stretched, the wait is not: 5 * 1.5 + 6 = 13.5 -> 14 working days after
    D: k 22 = Wed 04-01 (k 20 = Mon 03-30). Stretching the whole plan left, (19 - 8) * 1.5 =
    16.5 -> 17: k 25, Mon 04-06, would have C2 start 4.5 days after its planned start although
    C is on schedule. Remaining budget 4,000, EAC = 0 + 1.5 * 4,000 = 6,000."""
    con = warehouse()
    load(con)
    insert(con, "projects", [project("C", department="Build", start_date="2026-03-02",
                                     planned_end_date="2026-03-27", budget=8000.0)], file="c.csv")
    insert(con, "tasks", [
        task("C1", "C", "2026-03-02", "2026-03-06", planned_hours=40.0, actual_start="2026-03-02",
             completed_on="2026-03-06", status="done"),
        task("C2", "C", "2026-03-23", "2026-03-27", planned_hours=40.0),
    ], file="c.csv")
    build(con, D)
    assert row(con, "marts.kpi_project", project_id="C")["es"] == 8.0
    tasks = {t["task_id"]: t for t in rows(con, "select * from intermediate.int_forecast_tasks"
                                                " where project_id = 'C'")}
    assert {t: (v["remaining_working_days"], v["plan_worked_working_days"],
                v["plan_paused_working_days"], v["plan_left_working_days"])
            for t, v in tasks.items()} == {"C2": (5.0, 5.0, 6.0, 11.0)}
    assert_row(row(con, "marts.kpi_forecast", project_id="C"), {
        "finish_p50": "2026-04-01", "finish_p80": "2026-04-01", "finish_p95": "2026-04-01",
        "eac_p50": 6000.0, "eac_p95": 6000.0, "ac": 0.0, "remaining_budget": 4000.0, "tasks_remaining": 1})


def test_no_history_no_forecast():
    con = warehouse()
    insert(con, "projects", [project("A", start_date="2026-03-02", planned_end_date="2026-03-20",
                                     budget=100.0)])
    insert(con, "tasks", [task("A1", "A", "2026-03-09", "2026-03-13")])
    build(con, D)
    assert_row(row(con, "marts.kpi_forecast", project_id="A"), {
        "finish_p50": None, "finish_p80": None, "finish_p95": None, "eac_p50": None, "draws": 0,
        "tasks_remaining": 1})
