"""kpi_utilization by hand: the hand-made data set (tests/kpi_data.py) as of two dates, and
small cases for leave, termination and hours outside employment.

People calendar: Monday to Friday minus holidays. Available hours = weekly capacity / 5 per
available day on or before D. Weeks run from the week of the earliest date in the data (first
timesheet or project start) to the week of D.
"""

from datetime import date

from tests.kpi_data import (
    assert_row, build, employee, handmade_results, insert, keyed, project, rows, timesheet,
    warehouse,
)

D1, D2 = "2026-03-11", "2026-03-23"


def weeks(as_of):
    return keyed(handmade_results()[as_of]["kpi_utilization"], "employee_id", "week_start")


def week(as_of, employee_id, week_start):
    return weeks(as_of)[(employee_id, date.fromisoformat(week_start))]


def test_weeks_span_from_the_first_data_week_to_the_week_of_d():
    # Earliest date: P5 starts Mon 2025-12-01 (before the first timesheet, 2026-03-02).
    # As of Wed 03-11: weeks 2025-12-01 .. 2026-03-09 = 15 weeks for E1 and E3 (employed all along),
    # E2 (hired Wed 03-04) only 03-02 and 03-09: 15 + 15 + 2 = 32 rows.
    # As of Mon 03-23: 17 weeks (to 03-23) for E1 and E3, 4 for E2: 38 rows.
    for as_of, n_weeks, e2_weeks in ((D1, 15, 2), (D2, 17, 4)):
        found = weeks(as_of)
        assert len(found) == n_weeks + n_weeks + e2_weeks
        starts = sorted({w for _, w in found})
        assert starts[0] == date(2025, 12, 1) and len(starts) == n_weeks
        assert all(w.weekday() == 0 for w in starts)  # ISO weeks start on Monday


def test_utilization_as_of_d1():
    # Wed 03-11: only days up to D are available.
    # E1 (8 h/day) week 03-02: Mon-Thu (Fri is a holiday) = 4 * 8 = 32 h available;
    #   worked 8 + 8 + 8 + 8 on T1 and 2 on the holiday = 34 h: 34 / 32, over-allocated.
    assert_row(week(D1, "E1", "2026-03-02"), {
        "employee_id": "E1", "department": "Build", "week_start": "2026-03-02",
        "available_hours": 32.0, "project_hours": 34.0, "total_hours": 34.0,
        "utilization": 34 / 32, "over_allocated": True})
    # E1 week 03-09: Mon-Wed 3 * 8 = 24 h; 8 + 8 + 8 on T2: 24 / 24, not over (24 > 24 is false)
    assert_row(week(D1, "E1", "2026-03-09"), {
        "employee_id": "E1", "department": "Build", "week_start": "2026-03-09",
        "available_hours": 24.0, "project_hours": 24.0, "total_hours": 24.0,
        "utilization": 1.0, "over_allocated": False})
    # E1 in a quiet week: 5 * 8 = 40 h available, nothing logged
    assert_row(week(D1, "E1", "2025-12-01"), {
        "employee_id": "E1", "department": "Build", "week_start": "2025-12-01",
        "available_hours": 40.0, "project_hours": 0.0, "total_hours": 0.0,
        "utilization": 0.0, "over_allocated": False})
    # E2 (20 h/week = 4 h/day) hired Wed 03-04: Wed + Thu = 2 * 4 = 8 h that week
    assert_row(week(D1, "E2", "2026-03-02"), {
        "employee_id": "E2", "department": "Build", "week_start": "2026-03-02",
        "available_hours": 8.0, "project_hours": 0.0, "total_hours": 0.0,
        "utilization": 0.0, "over_allocated": False})
    assert_row(week(D1, "E2", "2026-03-09"), {
        "employee_id": "E2", "department": "Build", "week_start": "2026-03-09",
        "available_hours": 12.0, "project_hours": 0.0, "total_hours": 0.0,  # Mon-Wed 3 * 4
        "utilization": 0.0, "over_allocated": False})
    # E3 week 03-02: 4 * 8 = 32 h; U1 8 + 8 + 4 = 20 h
    assert_row(week(D1, "E3", "2026-03-02"), {
        "employee_id": "E3", "department": "Run", "week_start": "2026-03-02",
        "available_hours": 32.0, "project_hours": 20.0, "total_hours": 20.0,
        "utilization": 20 / 32, "over_allocated": False})
    # E3 week 03-09: on leave Tue-Wed, so up to Wed only Monday is available: 8 h;
    #   logged T4 4 + U2 4 on Monday and 2 on T4 during leave (Tuesday) = 10 h
    assert_row(week(D1, "E3", "2026-03-09"), {
        "employee_id": "E3", "department": "Run", "week_start": "2026-03-09",
        "available_hours": 8.0, "project_hours": 10.0, "total_hours": 10.0,
        "utilization": 10 / 8, "over_allocated": True})


def test_utilization_as_of_d2():
    # Mon 03-23: the week 03-09 is complete now.
    # E1 week 03-09: 5 * 8 = 40 h; T2 8 + 8 + 8 + 8 + 4 = 36 h, plus 4 h admin (no task) = 40 h
    assert_row(week(D2, "E1", "2026-03-09"), {
        "employee_id": "E1", "department": "Build", "week_start": "2026-03-09",
        "available_hours": 40.0, "project_hours": 36.0, "total_hours": 40.0,
        "utilization": 36 / 40, "over_allocated": False})
    assert_row(week(D2, "E1", "2026-03-16"), {
        "employee_id": "E1", "department": "Build", "week_start": "2026-03-16",
        "available_hours": 40.0, "project_hours": 4.0, "total_hours": 4.0,  # T2 on 03-16
        "utilization": 4 / 40, "over_allocated": False})
    assert_row(week(D2, "E1", "2026-03-23"), {
        "employee_id": "E1", "department": "Build", "week_start": "2026-03-23",
        "available_hours": 8.0, "project_hours": 0.0, "total_hours": 0.0,  # Monday only
        "utilization": 0.0, "over_allocated": False})
    # E2 week 03-16: 5 * 4 = 20 h; T3 4 + 4 + 4 = 12 h
    assert_row(week(D2, "E2", "2026-03-16"), {
        "employee_id": "E2", "department": "Build", "week_start": "2026-03-16",
        "available_hours": 20.0, "project_hours": 12.0, "total_hours": 12.0,
        "utilization": 12 / 20, "over_allocated": False})
    # E2 week 03-23: Monday 4 h; the 4 h of Tue 03-24 are after D
    assert_row(week(D2, "E2", "2026-03-23"), {
        "employee_id": "E2", "department": "Build", "week_start": "2026-03-23",
        "available_hours": 4.0, "project_hours": 0.0, "total_hours": 0.0,
        "utilization": 0.0, "over_allocated": False})
    # E3 week 03-09: Mon, Thu, Fri = 3 * 8 = 24 h; 10 h logged
    assert_row(week(D2, "E3", "2026-03-09"), {
        "employee_id": "E3", "department": "Run", "week_start": "2026-03-09",
        "available_hours": 24.0, "project_hours": 10.0, "total_hours": 10.0,
        "utilization": 10 / 24, "over_allocated": False})


def test_leave_termination_and_hours_outside_employment():
    con = warehouse()
    insert(con, "projects", [project("P", start_date="2026-03-02", planned_end_date="2026-03-31")])
    insert(con, "employees", [
        # on leave the whole week of 03-09
        employee("A", hire_date="2020-01-01"),
        # last day Wed 03-11; logs 2 h on Fri 03-13 anyway (after termination)
        employee("B", hire_date="2020-01-01", termination_date="2026-03-11", weekly_capacity_hours=30.0),
        # hired after D: no row, even in the week of D
        employee("C", hire_date="2026-03-20"),
    ])
    insert(con, "leave", [
        {"employee_id": "A", "start_date": "2026-03-07", "end_date": "2026-03-10"},
        {"employee_id": "A", "start_date": "2026-03-10", "end_date": "2026-03-15"},  # overlaps
    ])
    insert(con, "timesheets", [
        timesheet("1", "A", None, "2026-03-14", 3.0),  # Saturday, on leave: counts as hours
        timesheet("2", "B", None, "2026-03-13", 2.0),
        timesheet("3", "B", None, "2026-03-23", 1.0),  # a week after termination
    ])
    build(con, "2026-03-18")  # Wednesday
    got = keyed(rows(con, "select * from marts.kpi_utilization"), "employee_id", "week_start")
    # weeks 03-02, 03-09, 03-16 (P starts 03-02, the earliest date)
    assert sorted((e, w.isoformat()) for e, w in got) == [
        ("A", "2026-03-02"), ("A", "2026-03-09"), ("A", "2026-03-16"),
        ("B", "2026-03-02"), ("B", "2026-03-09"),  # employed to 03-11; 03-23 is after D
    ]
    # A: week 03-09 all on leave: 0 h available, utilization undefined, 3 h > 0 over-allocated
    assert_row(got[("A", date(2026, 3, 9))], {
        "available_hours": 0.0, "project_hours": 0.0, "total_hours": 3.0, "utilization": None,
        "over_allocated": True})
    # A: week 03-16 up to Wed: 3 * 8 = 24 h
    assert_row(got[("A", date(2026, 3, 16))], {
        "available_hours": 24.0, "total_hours": 0.0, "utilization": 0.0, "over_allocated": False})
    # B (6 h/day): Mon-Wed 03-09..03-11 = 18 h; the 2 h of Friday still count as hours
    assert_row(got[("B", date(2026, 3, 9))], {
        "available_hours": 18.0, "project_hours": 0.0, "total_hours": 2.0, "utilization": 0.0,
        "over_allocated": False})
