"""kpi_portfolio and kpi_delivery by hand: the hand-made data set (tests/kpi_data.py) as of two
dates, plus small sets for health counts, thresholds and delivery averages."""

from tests.kpi_data import (
    assert_row, build, handmade_results, insert, keyed, project, rows, task, warehouse,
)

D1, D2 = "2026-03-11", "2026-03-23"

# Finished in the 12 months before either date: P2 (03-11, on time, AC 1920, realized 2500)
# and P5 (2025-12-19, late, AC 800, expected 2000):
ROI_12M = (2500 + 2000 - (1920 + 800)) / (1920 + 800)  # 1780 / 2720


def portfolio(as_of):
    return keyed(handmade_results()[as_of]["kpi_portfolio"], "department")


def test_portfolio_as_of_d1():
    # Started projects on 03-11: Build P1 (red) and P3 (no tasks: unknown), both active;
    # Run P2 and P5, both finished. P4 has not started.
    # utilization_28d, days 02-12..03-11 on the people calendar: 02-12, 02-13, 02-16..20,
    #   02-23..27, 03-02..05 (03-06 holiday), 03-09..11 = 2 + 5 + 5 + 4 + 3 = 19 days.
    #   Build: E1 19 * 8 = 152 h, E2 (hired 03-04) 03-04, 05, 09, 10, 11 = 5 * 4 = 20 h;
    #          project hours E1 34 (T1) + 24 (T2) = 58 -> 58 / 172
    #   Run:   E3 19 - 2 days of leave = 17 * 8 = 136 h; 6 (T4) + 20 (U1) + 4 (U2) = 30 -> 30 / 136
    got = portfolio(D1)
    assert set(got) == {"Build", "Run", "ALL"}
    build_row = {
        "department": "Build", "as_of": D1, "projects_active": 2, "projects_red": 1,
        "projects_amber": 0, "projects_green": 0,
        "portfolio_cpi": 5850 / (6580 + 0), "portfolio_spi": 5850 / 6300,  # P3 has no EV or PV
        "pct_tasks_done": (1 + 0) / (4 + 0), "projects_finished_12m": 0,
        "projects_on_time_12m": 0, "pct_on_time_12m": None, "roi_12m": None,
        "utilization_28d": 58 / (152 + 20)}
    assert_row(got["Build"], build_row)
    assert_row(got["Run"], {
        "department": "Run", "as_of": D1, "projects_active": 0, "projects_red": 0,
        "projects_amber": 0, "projects_green": 0, "portfolio_cpi": None, "portfolio_spi": None,
        "pct_tasks_done": None, "projects_finished_12m": 2, "projects_on_time_12m": 1,
        "pct_on_time_12m": 1 / 2, "roi_12m": ROI_12M, "utilization_28d": 30 / 136})
    assert_row(got["ALL"], {
        **build_row, "department": "ALL", "projects_finished_12m": 2, "projects_on_time_12m": 1,
        "pct_on_time_12m": 1 / 2, "roi_12m": ROI_12M, "utilization_28d": (58 + 30) / (172 + 136)})


def test_portfolio_as_of_d2():
    # Active on 03-23: P1 (red) and P3 (unknown); P4 is cancelled, P2 and P5 finished.
    # utilization_28d, days 02-24..03-23: 02-24..27 (4), 03-02..05 (4), 03-09..13, 03-16..20 (10),
    #   03-23 (1) = 19 days. Build: E1 152 h, E2 03-04, 05, 09..13, 16..20, 23 = 13 * 4 = 52 h;
    #   project hours E1 34 + 40 = 74, E2 12 -> 86 / 204. Run: E3 17 * 8 = 136 h, 30 h.
    got = portfolio(D2)
    assert set(got) == {"Build", "Run", "ALL"}
    build_row = {
        "department": "Build", "as_of": D2, "projects_active": 2, "projects_red": 1,
        "projects_amber": 0, "projects_green": 0, "portfolio_cpi": 8200 / 9780,
        "portfolio_spi": 8200 / 10800, "pct_tasks_done": 2 / 5, "projects_finished_12m": 0,
        "projects_on_time_12m": 0, "pct_on_time_12m": None, "roi_12m": None,
        "utilization_28d": (74 + 12) / (152 + 52)}
    assert_row(got["Build"], build_row)
    assert_row(got["Run"], {
        "department": "Run", "as_of": D2, "projects_active": 0, "projects_red": 0,
        "projects_amber": 0, "projects_green": 0, "portfolio_cpi": None, "portfolio_spi": None,
        "pct_tasks_done": None, "projects_finished_12m": 2, "projects_on_time_12m": 1,
        "pct_on_time_12m": 1 / 2, "roi_12m": ROI_12M, "utilization_28d": 30 / 136})
    assert_row(got["ALL"], {
        **build_row, "department": "ALL", "projects_finished_12m": 2, "projects_on_time_12m": 1,
        "pct_on_time_12m": 1 / 2, "roi_12m": ROI_12M, "utilization_28d": (86 + 30) / (204 + 136)})


def test_delivery_on_the_handmade_set():
    # Run: P5 finished 2025-12-19 (Q4), 7 days late; P2 finished 2026-03-11 (Q1), a day early.
    for as_of in (D1, D2):
        got = keyed(handmade_results()[as_of]["kpi_delivery"], "department", "quarter")
        assert set(got) == {("Run", "2025-Q4"), ("Run", "2026-Q1")}
        assert_row(got[("Run", "2025-Q4")], {
            "projects_finished": 1, "projects_on_time": 0, "pct_on_time": 0.0, "avg_delay_days": 7.0})
        assert_row(got[("Run", "2026-Q1")], {
            "projects_finished": 1, "projects_on_time": 1, "pct_on_time": 1.0, "avg_delay_days": -1.0})


def finished(project_id, department, planned_end, actual_end):
    return project(project_id, department=department, start_date="2025-06-02",
                   planned_end_date=planned_end, actual_end_date=actual_end, status="completed",
                   budget=100.0)


def test_delivery_quarters_averages_and_time_travel():
    con = warehouse()
    insert(con, "projects", [
        finished("Q1", "Ops", "2026-01-10", "2026-01-08"),   # 2 days early
        finished("Q2", "Ops", "2026-02-01", "2026-02-01"),   # on the day
        finished("Q3", "Ops", "2026-03-26", "2026-03-31"),   # 5 days late, last day of Q1
        finished("Q4", "Ops", "2026-04-01", "2026-04-01"),   # Q2, after D below
        finished("Q5", "Ops", "2025-09-30", "2025-10-01"),   # 1 day late, first day of Q4
        finished("Q6", "Sales", "2025-12-31", "2025-12-20"), # 11 days early
    ])
    build(con, "2026-03-31")
    got = keyed(rows(con, "select * from marts.kpi_delivery"), "department", "quarter")
    assert set(got) == {("Ops", "2026-Q1"), ("Ops", "2025-Q4"), ("Sales", "2025-Q4")}
    # Ops Q1: delays -2, 0, +5 -> average 3 / 3 = 1; on time 2 of 3
    assert_row(got[("Ops", "2026-Q1")], {
        "projects_finished": 3, "projects_on_time": 2, "pct_on_time": 2 / 3,
        "avg_delay_days": (-2 + 0 + 5) / 3})
    assert_row(got[("Ops", "2025-Q4")], {
        "projects_finished": 1, "projects_on_time": 0, "pct_on_time": 0.0, "avg_delay_days": 1.0})
    assert_row(got[("Sales", "2025-Q4")], {
        "projects_finished": 1, "projects_on_time": 1, "pct_on_time": 1.0, "avg_delay_days": -11.0})
    # a day later Q4 has finished too (Ops 2026-Q2)
    build(con, "2026-04-01")
    got = keyed(rows(con, "select * from marts.kpi_delivery"), "department", "quarter")
    assert_row(got[("Ops", "2026-Q2")], {
        "projects_finished": 1, "projects_on_time": 1, "pct_on_time": 1.0, "avg_delay_days": 0.0})
    # the 12-month window of the portfolio is (D - 365, D]: on 2026-10-01, Q5 (2025-10-01) is out
    build(con, "2026-10-01")
    ops = keyed(rows(con, "select * from marts.kpi_portfolio"), "department")["Ops"]
    assert ops["projects_finished_12m"] == 4  # Q1 Q2 Q3 Q4
    build(con, "2026-09-30")
    ops = keyed(rows(con, "select * from marts.kpi_portfolio"), "department")["Ops"]
    assert ops["projects_finished_12m"] == 5


def health_set(con):
    # Three active projects, one task each (Mon 03-02..Fri 03-06, cost 1000 = BAC), done on 03-05:
    # on 03-11 PV = EV = 1000, SPI = 1. AC comes from one expense each.
    for pid, cost in (("G", 1000.0), ("A", 1080.0), ("R", 1200.0)):
        insert(con, "projects", [project(pid, department="Ops", start_date="2026-03-02",
                                         planned_end_date="2026-03-31", budget=1000.0)],
               file=f"projects/{pid}.csv")
        insert(con, "tasks", [task(f"T{pid}", pid, "2026-03-02", "2026-03-06", planned_cost=1000.0,
                                   actual_start="2026-03-02", completed_on="2026-03-05")],
               file=f"tasks/{pid}.csv")
        insert(con, "expenses", [{"expense_id": pid, "project_id": pid, "expense_date": "2026-03-03",
                                  "amount": cost}], file=f"expenses/{pid}.csv")


def test_health_counts_and_configurable_thresholds():
    con = warehouse()
    health_set(con)
    # CPI: G 1000 / 1000 = 1 green; A 1000 / 1080 = 0.926 amber; R 1000 / 1200 = 0.833 red
    build(con, "2026-03-11")
    health = {r["project_id"]: r["health"] for r in rows(con, "select * from marts.kpi_project")}
    assert health == {"G": "green", "A": "amber", "R": "red"}
    ops = keyed(rows(con, "select * from marts.kpi_portfolio"), "department")["Ops"]
    assert_row(ops, {
        "projects_active": 3, "projects_red": 1, "projects_amber": 1, "projects_green": 1,
        "portfolio_cpi": 3000 / (1000 + 1080 + 1200), "portfolio_spi": 3000 / 3000,
        "pct_tasks_done": 3 / 3, "utilization_28d": None})  # no employees: no available hours
    # thresholds 0.80 / 0.85: R (0.833) becomes amber, A (0.926) green
    build(con, "2026-03-11", health_red_below=0.80, health_amber_below=0.85)
    health = {r["project_id"]: r["health"] for r in rows(con, "select * from marts.kpi_project")}
    assert health == {"G": "green", "A": "green", "R": "amber"}
