"""Earned value and earned schedule by hand: the textbook check of kpis.md, the four earning
rules, earned schedule with interpolation (behind, ahead, on plan, paused plan, capped), the
forecast date across holidays and beyond the calendar, and edge cases.

No holidays unless a test adds one; March 2026 starts on a Sunday (Mon 02, 09, 16, 23, 30).
"""

import pytest

from tests.kpi_data import assert_row, build, insert, project, row, rows, task, warehouse


def one_project(con, budget, tasks, start="2026-03-02", planned_end="2026-03-27", **columns):
    insert(con, "projects", [project("P", start_date=start, planned_end_date=planned_end,
                                     budget=budget, **columns)])
    insert(con, "tasks", tasks)


def test_textbook_example_of_kpis_md():
    # BAC 4,000 over four weekly tasks of planned_cost 1,000 (W = 4,000, one unit = 1).
    # As of Fri 03-20: A, B, C planned complete, D not begun -> PV = 3,000.
    # A and B done, C reported 50% -> EV = 1000 + 1000 + 500 = 2,500. AC: one expense of 2,800.
    con = warehouse()
    one_project(con, 4000.0, [
        task("A", "P", "2026-03-02", "2026-03-06", planned_cost=1000.0, completed_on="2026-03-06"),
        task("B", "P", "2026-03-09", "2026-03-13", planned_cost=1000.0, completed_on="2026-03-13"),
        task("C", "P", "2026-03-16", "2026-03-20", planned_cost=1000.0, actual_start="2026-03-16"),
        task("D", "P", "2026-03-23", "2026-03-27", planned_cost=1000.0),
    ])
    insert(con, "task_progress", [{"task_id": "C", "status_date": "2026-03-18", "percent_complete": 50.0}])
    insert(con, "expenses", [{"expense_id": "X", "project_id": "P", "expense_date": "2026-03-02",
                              "amount": 2800.0}])
    build(con, "2026-03-20")
    got = row(con, "marts.kpi_project", project_id="P")
    assert_row(got, {"bac": 4000.0, "pv": 3000.0, "ev": 2500.0, "ac": 2800.0,
                     "cv": -300.0, "sv": -500.0, "eac": 4480.0, "etc": 4480.0 - 2800.0,
                     "vac": -480.0, "tcpi": 1.25, "eac_atypical": 4300.0, "eac_composite": 4816.0})
    # the rounded figures of kpis.md
    assert round(got["cpi"], 4) == 0.8929 and round(got["spi"], 4) == 0.8333
    assert round(got["csi"], 4) == round(0.892857 * 0.833333, 4)
    # ES: +200 per working day (A k1..5, B k6..10, C k11..15, D k16..20); AT = 15, PV(15) = 3000.
    #   PV(12) = 2400 <= 2500 < PV(13) = 2600: ES = 12 + 100 / 200 = 12.5, SPI(t) = 12.5 / 15.
    #   PD = 20: EAC(t) = 20 / (12.5 / 15) = 24 -> working day 24 = Thu 04-02.
    assert_row(got, {"es": 12.5, "at": 15, "spi_t": 12.5 / 15, "sv_t": -2.5,
                     "forecast_end_date": "2026-04-02"})


def test_four_earning_rules_and_started_credit():
    # Four tasks of cost 100 planned Mon 03-02..Fri 03-06; BAC 400; as of Mon 03-09.
    con = warehouse()
    one_project(con, 400.0, [
        # 1. done wins over a progress report
        task("R1", "P", "2026-03-02", "2026-03-06", planned_cost=100.0, actual_start="2026-03-02",
             completed_on="2026-03-05"),
        # 2. the latest report on or before D (40%); the one after D and an empty one are ignored
        task("R2", "P", "2026-03-02", "2026-03-06", planned_cost=100.0, actual_start="2026-03-02"),
        # 3. started without a report: started_credit
        task("R3", "P", "2026-03-02", "2026-03-06", planned_cost=100.0, actual_start="2026-03-03"),
        # 4. starts after D: nothing
        task("R4", "P", "2026-03-02", "2026-03-06", planned_cost=100.0, actual_start="2026-03-12"),
    ])
    insert(con, "task_progress", [
        {"task_id": "R1", "status_date": "2026-03-04", "percent_complete": 30.0},
        {"task_id": "R2", "status_date": "2026-03-03", "percent_complete": 20.0},
        {"task_id": "R2", "status_date": "2026-03-05", "percent_complete": 40.0},
        {"task_id": "R2", "status_date": "2026-03-06", "percent_complete": None},
        {"task_id": "R2", "status_date": "2026-03-12", "percent_complete": 90.0},
    ])
    build(con, "2026-03-09")
    # EV = 100 * (1 + 0.4 + 0.5 + 0) = 190; all four planned complete: PV = 400
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"ev": 190.0, "pv": 400.0})
    # the 0/100 rule: started tasks earn nothing until reported or done
    build(con, "2026-03-09", started_credit=0.0)
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"ev": 140.0})


def spread_project(con, percent):
    # Starts Wed 03-04; one task Wed 03-04..Tue 03-17 = 10 working days, cost 1000 = BAC:
    # +100 per working day. k: 1=03-04 2=03-05 3=03-06 4=03-09 5=03-10 6=03-11 ... 10=03-17.
    # Holiday Wed 03-25 (after the plan). No cost booked.
    insert(con, "holidays", [{"holiday_date": "2026-03-25"}])
    one_project(con, 1000.0, [task("S", "P", "2026-03-04", "2026-03-17", planned_cost=1000.0,
                                   actual_start="2026-03-04")],
                start="2026-03-04", planned_end="2026-03-17")
    insert(con, "task_progress", [{"task_id": "S", "status_date": "2026-03-10",
                                   "percent_complete": percent}])


@pytest.mark.parametrize("percent, es, forecast", [
    # behind, interpolating across the weekend between k 3 (Fri 03-06) and k 4 (Mon 03-09):
    #   EV 350 < PV(6) 600; C = 3 (PV 300): ES = 3 + (350 - 300) / (400 - 300) = 3.5.
    #   EAC(t) = 10 / (3.5 / 6) = 17.1 -> working day 18: 03-17 is 10, 18..24 are 11..15,
    #   03-25 is a holiday, 26 = 16, 27 = 17, Mon 03-30 = 18.
    (35.0, 3.5, "2026-03-30"),
    # ahead: EV 750 > PV(6) 600; C = 8 (first k > 6 with PV >= 750, PV(8) = 800):
    #   ES = 8 - (800 - 750) / (800 - 700) = 7.5. EAC(t) = 10 / 1.25 = 8 -> Fri 03-13.
    (75.0, 7.5, "2026-03-13"),
    # exactly on plan: EV = PV(AT) = 600: ES = AT = 6; EAC(t) = 10 -> Tue 03-17
    (60.0, 6.0, "2026-03-17"),
    # barely begun: C = 0, ES = 0 + 70 / 100 = 0.7; EAC(t) = 10 / (0.7 / 6) = 85.7 -> day 86,
    #   beyond the calendar: 5 working days a week from Wed, so day 86 = 5 * 17 + 1 is the Wed
    #   17 weeks after 03-04 (07-01), moved one working day by the holiday: Thu 07-02.
    (7.0, 0.7, "2026-07-02"),
    # complete: C = 10, ES = 10 = PD; EAC(t) = 10 / (10 / 6) = 6 -> D itself, Wed 03-11
    (100.0, 10.0, "2026-03-11"),
])
def test_earned_schedule_interpolates_in_working_days(percent, es, forecast):
    con = warehouse()
    spread_project(con, percent)
    build(con, "2026-03-11")  # AT = wd(03-04, 03-11) = 6, PV = 600
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "pv": 600.0, "ev": 10.0 * percent, "at": 6, "es": es, "spi_t": es / 6, "sv_t": es - 6,
        "forecast_end_date": forecast})


def test_no_cost_yet():
    # The spread project has no timesheets and no expenses: AC = 0, CPI null, EAC = BAC.
    # EV 350, PV 600: SPI = 350 / 600 decides health alone (0.58: red).
    con = warehouse()
    spread_project(con, 35.0)
    build(con, "2026-03-11")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "ac": 0.0, "cv": 350.0, "cpi": None, "spi": 350 / 600, "csi": None, "eac": 1000.0,
        "etc": 1000.0, "vac": 0.0, "eac_atypical": 0 + (1000 - 350), "eac_composite": None,
        "tcpi": (1000 - 350) / (1000 - 0), "hours_efficiency": None, "health": "red"})


def test_a_pause_in_the_plan_does_not_move_es_of_a_project_on_plan():
    # A: Mon 03-02..Fri 03-06 (k 1..5), B: Mon 03-16..Fri 03-20 (k 11..15), 500 each; PD = 15.
    # As of Wed 03-11 (AT = 8, inside the pause), A done: EV = 500 = PV(8) -> ES = AT = 8,
    # not 5 (where PV first reaches 500). EAC(t) = 15 / 1 -> day 15 = 03-20.
    con = warehouse()
    one_project(con, 1000.0, [
        task("A", "P", "2026-03-02", "2026-03-06", planned_cost=500.0, completed_on="2026-03-06"),
        task("B", "P", "2026-03-16", "2026-03-20", planned_cost=500.0),
    ], planned_end="2026-03-20")
    build(con, "2026-03-11")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "pv": 500.0, "ev": 500.0, "at": 8, "es": 8.0, "spi_t": 1.0, "sv_t": 0.0,
        "forecast_end_date": "2026-03-20"})


def test_ahead_across_a_pause_and_capped_at_pd():
    # Same plan, B started early (started_credit 0.5): EV = 500 + 250 = 750 > PV(8) = 500.
    # First k > 8 with PV >= 750: PV(11) = 600, PV(12) = 700, PV(13) = 800 -> C = 13,
    # ES = 13 - (800 - 750) / (800 - 700) = 12.5.
    con = warehouse()
    one_project(con, 1000.0, [
        task("A", "P", "2026-03-02", "2026-03-06", planned_cost=500.0, completed_on="2026-03-06"),
        task("B", "P", "2026-03-16", "2026-03-20", planned_cost=500.0, actual_start="2026-03-10"),
    ], planned_end="2026-03-20")
    build(con, "2026-03-11")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"ev": 750.0, "es": 12.5})
    # The project promises the end on Wed 03-04 (PD = 3) while its task runs to 03-13 (10 days):
    # as of 03-04, 90% reported -> EV 900 > PV(3) = 300, C = 9, ES = 9, capped at PD = 3.
    con = warehouse()
    one_project(con, 1000.0, [task("T", "P", "2026-03-02", "2026-03-13", planned_cost=1000.0)],
                planned_end="2026-03-04")
    insert(con, "task_progress", [{"task_id": "T", "status_date": "2026-03-04", "percent_complete": 90.0}])
    build(con, "2026-03-04")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "pv": 300.0, "ev": 900.0, "at": 3, "es": 3.0, "spi_t": 1.0,
        "forecast_end_date": "2026-03-04"})  # EAC(t) = 3 / 1 = 3 -> Wed 03-04


def test_weekend_task_and_task_planned_before_the_start():
    # W = T1 (Sat 03-07..Sun 03-08, no working day) + T2 (Thu 02-26..Wed 03-04: 5 working days,
    # 2 of them before the start on Mon 03-02) = 100 + 100; BAC 200.
    con = warehouse()
    one_project(con, 200.0, [
        task("T1", "P", "2026-03-07", "2026-03-08", planned_cost=100.0),
        task("T2", "P", "2026-02-26", "2026-03-04", planned_cost=100.0),
    ])
    # Fri 03-06: T1 0 (D before its end), T2 wd(02-26, 03-04) = 5 of 5 -> PV = 100
    build(con, "2026-03-06")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"pv": 100.0, "ev": 0.0, "at": 5})
    # Sun 03-08 = T1's end: 1 -> PV = 200
    build(con, "2026-03-08")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"pv": 200.0})
    # ES: PV(0) = 0; on k = 1 (Mon 03-02) T2 shows its 2 days before the start plus Monday's:
    # 3/5 * 100 = 60; PV(2) = 80, PV(3) = 100, and T1 arrives on k = 6 (Mon 03-09): PV(6) = 200.
    # T2 reported 85% on 03-04 and the project is looked at on Wed 03-04 (AT = 3, PV(3) = 100):
    # EV = 85 < 100, C = 2 (PV 80): ES = 2 + (85 - 80) / (100 - 80) = 2.25.
    insert(con, "task_progress", [{"task_id": "T2", "status_date": "2026-03-04", "percent_complete": 85.0}])
    build(con, "2026-03-04")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "pv": 100.0, "ev": 85.0, "at": 3, "es": 2.25})


def test_scope_weights_and_cancelled_costs():
    # Weights by planned_cost only when every in-scope task has one: the task without a cost is
    # cancelled, so costs weigh (200 + 600 = W). Cancelled work still costs: 5 h at 100 = 500.
    con = warehouse()
    insert(con, "employees", [{"employee_id": "E", "full_name": "E", "department": "PMO",
                               "hire_date": "2020-01-01", "hourly_cost": 100.0,
                               "weekly_capacity_hours": 40.0}])
    one_project(con, 1600.0, [
        task("A", "P", "2026-03-02", "2026-03-06", planned_cost=200.0, planned_hours=40.0,
             completed_on="2026-03-06"),
        task("B", "P", "2026-03-09", "2026-03-13", planned_cost=600.0, planned_hours=10.0),
        task("C", "P", "2026-03-02", "2026-03-13", planned_hours=80.0, status="cancelled"),
    ])
    insert(con, "timesheets", [{"entry_id": "1", "employee_id": "E", "task_id": "C",
                                "work_date": "2026-03-03", "hours": 5.0}])
    build(con, "2026-03-06")
    # EV = 1600 * 200 / 800 = 400 (by hours it would be 1600 * 40 / 50 = 1280)
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "ev": 400.0, "pv": 400.0, "ac": 500.0, "planned_hours": 50.0, "actual_hours": 5.0,
        "tasks_total": 2})


def test_project_starting_after_d_is_absent_and_empty_warehouse_builds():
    con = warehouse()
    build(con, "2026-03-11")  # nothing delivered: every table builds, empty
    assert rows(con, "select * from marts.kpi_project") == []
    assert rows(con, "select * from marts.kpi_utilization") == []
    assert [r["department"] for r in rows(con, "select * from marts.kpi_portfolio")] == ["ALL"]
    one_project(con, 100.0, [], start="2026-03-12")
    build(con, "2026-03-11")
    assert rows(con, "select * from marts.kpi_project") == []


def test_forecast_of_work_done_but_project_not_closed_is_the_last_working_day():
    # PD = 11 (Mon 03-02..Mon 03-16); the one task (03-02..03-16) is done on 03-13, the project is
    # not closed. As of Fri 03-20: AT = 15, EV = PV(15) = BAC: ES = AT = 15, capped at PD = 11.
    # SPI(t) = 11 / 15, EAC(t) = 11 / (11 / 15) = 15 working days -> Fri 03-20. (In floating point
    # 11 / (11 / 15) is 15.000000000000002; its ceiling must still be 15, not 16.)
    con = warehouse()
    one_project(con, 1100.0, [task("T", "P", "2026-03-02", "2026-03-16", planned_cost=1100.0,
                                   completed_on="2026-03-13")], planned_end="2026-03-16")
    build(con, "2026-03-20")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "pv": 1100.0, "ev": 1100.0, "at": 15, "es": 11.0, "spi_t": 11 / 15, "sv_t": 11.0 - 15,
        "forecast_end_date": "2026-03-20"})


def finished_project(con, actual_end, completions):
    # Four weekly tasks of cost 1,000 (BAC 4,000) planned Mon 03-02..Fri 03-27: PV grows by 200
    # per working day, k = 1..20 (A k1..5, B k6..10, C k11..15, D k16..20); PD = 20.
    one_project(con, 4000.0, [
        task(name, "P", start, end, planned_cost=1000.0, actual_start=start, completed_on=done,
             status="done")
        for (name, start, end), done in zip(
            [("A", "2026-03-02", "2026-03-06"), ("B", "2026-03-09", "2026-03-13"),
             ("C", "2026-03-16", "2026-03-20"), ("D", "2026-03-23", "2026-03-27")], completions)
    ], actual_end_date=actual_end, status="completed")


def test_project_finished_early_stops_its_clock_at_its_finish():
    # Every task done by Fri 03-20, the project closed that day, a week before its plan.
    # As of Tue 03-31: EV = 4,000 (all done), PV = 4,000 (plan over).
    # AT = wd(03-02, 03-20) = 15 (three weeks), not wd(03-02, 03-31) = 22: the clock stopped.
    # PV(AT) = PV(15) = 3,000 < EV: ahead; the first k > 15 with PV(k) >= 4,000 is k = 20 with
    # PV(20) = 4,000 = EV exactly: ES = 20 - 0 / 200 = 20 (= PD, the cap).
    # SPI(t) = 20 / 15 = 1.3333, SV(t) = 20 - 15 = +5 working days ahead (the running clock
    # gave 20 / 22 and -2: "behind" for a project that finished a week early).
    # EAC(t) = PD / SPI(t) = 20 / (4 / 3) = 15; the forecast is the actual end, 03-20.
    con = warehouse()
    finished_project(con, "2026-03-20",
                     ["2026-03-06", "2026-03-11", "2026-03-16", "2026-03-20"])
    build(con, "2026-03-31")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {
        "ev": 4000.0, "pv": 4000.0, "at": 15, "pd": 20, "pv_at": 3000.0, "es": 20.0,
        "spi_t": 20 / 15, "sv_t": 5.0, "eac_t": 15.0, "forecast_end_date": "2026-03-20",
        "is_finished": True, "on_time": True, "delay_days": -7})


def test_project_finished_late_stops_its_clock_at_its_finish():
    # C done Fri 04-03, D Fri 04-10, the project closed Fri 04-10, two weeks late.
    # As of Mon 04-20: EV = 4,000, PV = 4,000.
    # AT = wd(03-02, 04-10) = 30 (six weeks), not wd(03-02, 04-20) = 36.
    # PV(30) = 4,000 (the plan ended at k = 20) = EV: ES = AT = 30, capped at PD: ES = 20.
    # SPI(t) = 20 / 30 = 0.6667, SV(t) = 20 - 30 = -10 working days: the two weeks it was late
    # (the running clock gave 20 / 36 and -16, growing every day after the finish).
    # EAC(t) = 20 / (2 / 3) = 30 working days = Fri 04-10, the actual end.
    con = warehouse()
    finished_project(con, "2026-04-10",
                     ["2026-03-06", "2026-03-13", "2026-04-03", "2026-04-10"])
    build(con, "2026-04-20")
    got = row(con, "marts.kpi_project", project_id="P")
    assert_row(got, {
        "ev": 4000.0, "pv": 4000.0, "at": 30, "pd": 20, "pv_at": 4000.0, "es": 20.0,
        "spi_t": 20 / 30, "sv_t": -10.0, "eac_t": 30.0, "forecast_end_date": "2026-04-10",
        "on_time": False, "delay_days": 14})
    # as of the finish day itself the clock reads the same: nothing changes after the finish
    build(con, "2026-04-10")
    assert_row(row(con, "marts.kpi_project", project_id="P"), {"at": 30, "es": 20.0,
                                                               "sv_t": -10.0})
