"""rca_drivers and rca_evidence by hand: one small data set per driver in which that driver, and
only that one, explains the failing project R, then the ranking, the `unexplained` case and the
configurable thresholds (docs/kpis.md, Root-cause drivers).

Every data set holds (as of D = Tue 2026-03-31, no holidays; weeks start Mon 03-02, 03-09, ...):
  G1, G2  finished on time (03-02 .. 03-13, ended 03-13), BAC 10,000, green: all tasks done, so
          EV = BAC = 10,000, against AC = 16 h * 100 = 1,600: CPI 6.25 >= 0.95, and on time.
          G1a (E1) and G2a (E2): 16 h planned, 8 h logged on Mon 03-02 and Tue 03-03.
  R       started 03-02, planned end 03-27, not finished, BAC 1,000, red: every R below logs at
          least 40 h at 100/h, AC >= 4,000 > EV (at most BAC), so CPI < 0.25 < 0.90.
Employees E1..E5: 40 h a week (8 h a day available), 100/h. Nobody logs more than 40 h in a week
unless a test says so, so no week is over-allocated by accident.
Shares: driver hours over R's actual hours (scope_creep: over R's in-scope planned hours).
baseline = median share of G1 and G2 (the green projects); lift = share / max(baseline, 0.01);
flagged = share >= 0.15 and share >= 2 * baseline; ranks only for R (red).
"""

from datetime import date, timedelta

import pytest

from tests.kpi_data import (
    assert_row, build, employee, insert, project, rows, task, timesheet, warehouse,
)

D = "2026-03-31"
DRIVERS = ("over_allocation", "skill_gap", "training_gap", "estimation", "turnover", "scope_creep")


def weekdays(first: str, n: int) -> list[str]:
    """n consecutive working days (Mon-Fri) from `first`."""
    day, out = date.fromisoformat(first), []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def logs(prefix: str, employee_id: str, task_id: str | None, first: str, days: int, hours: float) -> list[dict]:
    return [timesheet(f"{prefix}{i}", employee_id, task_id, d, hours)
            for i, d in enumerate(weekdays(first, days))]


def load(con, r_tasks, r_sheets, *, employees=None, skills=(), trainings=(), g1_planned=16.0,
         green_tasks=()):
    insert(con, "employees", employees or [employee(f"E{i}") for i in range(1, 6)])
    insert(con, "projects", [
        project("G1", start_date="2026-03-02", planned_end_date="2026-03-13",
                actual_end_date="2026-03-13", budget=10000.0, status="completed"),
        project("G2", start_date="2026-03-02", planned_end_date="2026-03-13",
                actual_end_date="2026-03-13", budget=10000.0, status="completed"),
        project("R", start_date="2026-03-02", planned_end_date="2026-03-27", budget=1000.0,
                status="active"),
    ])
    done = {"actual_start": "2026-03-02", "completed_on": "2026-03-03", "status": "done"}
    insert(con, "tasks", [
        task("G1a", "G1", "2026-03-02", "2026-03-06", assignee_id="E1", planned_hours=g1_planned, **done),
        task("G2a", "G2", "2026-03-02", "2026-03-06", assignee_id="E2", planned_hours=16.0, **done),
        *green_tasks, *r_tasks])
    insert(con, "timesheets", [*logs("G1-", "E1", "G1a", "2026-03-02", 2, 8.0),
                               *logs("G2-", "E2", "G2a", "2026-03-02", 2, 8.0), *r_sheets])
    if skills:
        insert(con, "skills", list(skills))
    if trainings:
        insert(con, "trainings", list(trainings))


def drivers(con, project_id="R") -> dict[str, dict]:
    return {r["driver"]: r for r in rows(con, "select * from marts.rca_drivers where project_id = ?", project_id)}


def assert_only(con, driver: str, share: float, baseline: float = 0.0, basis: float | None = None):
    """R: `driver` has this share and is R's only flagged driver, rank 1 and primary driver; the
    five others have share 0 (baseline 0), are not flagged and have no rank."""
    found = drivers(con)
    assert set(found) == set(DRIVERS)
    assert_row(found[driver], {
        "project_id": "R", "as_of": D, "driver": driver, "share": share, "baseline": baseline,
        "lift": share / max(baseline, 0.01), "flagged": True, "rank": 1, "health": "red",
        "is_failing": True, "primary_driver": driver, "excess_share": share - baseline})
    if basis is not None:
        assert found[driver]["basis_hours"] == pytest.approx(basis)
    for other in set(DRIVERS) - {driver}:
        assert_row(found[other], {"share": 0.0, "flagged": False, "rank": None, "primary_driver": driver})
    # the green projects: not failing, so no rank and no primary driver
    for green in ("G1", "G2"):
        for r in drivers(con, green).values():
            assert_row(r, {"health": "green", "is_failing": False, "rank": None, "primary_driver": None})


def assert_evidence_adds_up(con):
    """sum(rca_evidence.hours) / basis = rca_drivers.share for every project and driver."""
    mismatched = rows(con, """
        select d.project_id, d.driver, d.share, e.hours, d.basis_hours
        from marts.rca_drivers d
        left join (select project_id, driver, sum(hours) as hours, sum(share) as share
                   from marts.rca_evidence group by all) e using (project_id, driver)
        where abs(coalesce(e.hours, 0) - d.driver_hours) > 1e-9
           or abs(coalesce(e.share, 0) - d.share) > 1e-9""")
    assert mismatched == []


def evidence(con, driver, project_id="R") -> list[dict]:
    return rows(con, """select * exclude (project_id, as_of, driver) from marts.rca_evidence
                        where project_id = ? and driver = ? order by task_id, employee_id, week_start""",
                project_id, driver)


def test_over_allocation_alone_explains_r():
    # R1 (E3, 80 h planned, in progress): E3 logs 8 h a day on R1 Mon 03-02 .. Fri 03-13 = 80 h,
    # plus 2 h a day of admin (no task) in the week of 03-02.
    # Week 03-02: E3 logs 5 * 8 + 5 * 2 = 50 h > 40 h available: over-allocated; its 40 h on R1 count.
    # Week 03-09: 5 * 8 = 40 h, not more than 40: not over-allocated.
    # share = 40 / 80 = 0.5; G1 and G2 (16 h a week) 0, baseline 0, lift 0.5 / 0.01 = 50.
    # Nothing else: no skill or tool, nobody left, R1 not done, R1 created before the start.
    con = warehouse()
    load(con, [task("R1", "R", "2026-03-02", "2026-03-13", assignee_id="E3", planned_hours=80.0,
                    actual_start="2026-03-02", status="in_progress")],
         [*logs("R1-", "E3", "R1", "2026-03-02", 10, 8.0), *logs("A-", "E3", None, "2026-03-02", 5, 2.0)])
    build(con, D)
    assert_only(con, "over_allocation", 40 / 80, basis=80.0)
    assert evidence(con, "over_allocation") == [{
        "task_id": "R1", "task_name": "Task R1", "employee_id": "E3", "week_start": date(2026, 3, 2),
        "hours": 40.0, "hours_basis": "logged", "basis_hours": 80.0, "share": 0.5,
        "detail": "E3 logged 50.0 h in the week of 2026-03-02 against 40.0 h available"}]
    assert_evidence_adds_up(con)


def test_skill_gap_alone_explains_r():
    # R1 needs sql 3, E3 has sql 2: gap, 24 h (E3, Mon-Wed 03-02..03-04).
    # R2 needs sql 2, E4 has sql 4: no gap, 40 h (E4, 03-02..03-06).
    # R3 needs sql 3, E5's sql 5 is assessed on 04-15, after D: unknown at D, level 0: gap, 16 h.
    # share = (24 + 16) / (24 + 40 + 16) = 40 / 80 = 0.5
    con = warehouse()
    started = {"actual_start": "2026-03-02", "status": "in_progress", "required_skill": "sql"}
    load(con, [task("R1", "R", "2026-03-02", "2026-03-13", assignee_id="E3", planned_hours=24.0,
                    required_skill_level=3, **started),
               task("R2", "R", "2026-03-02", "2026-03-13", assignee_id="E4", planned_hours=40.0,
                    required_skill_level=2, **started),
               task("R3", "R", "2026-03-02", "2026-03-13", assignee_id="E5", planned_hours=16.0,
                    required_skill_level=3, **started)],
         [*logs("R1-", "E3", "R1", "2026-03-02", 3, 8.0), *logs("R2-", "E4", "R2", "2026-03-02", 5, 8.0),
          *logs("R3-", "E5", "R3", "2026-03-02", 2, 8.0)],
         skills=[{"employee_id": "E3", "skill": "sql", "level": 2, "assessed_on": "2025-06-01"},
                 {"employee_id": "E4", "skill": "sql", "level": 4, "assessed_on": "2025-06-01"},
                 {"employee_id": "E5", "skill": "sql", "level": 5, "assessed_on": "2026-04-15"}])
    build(con, D)
    assert_only(con, "skill_gap", 40 / 80, basis=80.0)
    assert [(e["task_id"], e["employee_id"], e["hours"], e["share"], e["detail"])
            for e in evidence(con, "skill_gap")] == [
        ("R1", "E3", 24.0, 24 / 80, "needs sql level 3; assignee E3 has level 2"),
        ("R3", "E5", 16.0, 16 / 80, "needs sql level 3; assignee E5 has level 0"),
    ]
    assert_evidence_adds_up(con)


def test_training_gap_alone_explains_r():
    # Reference date = coalesce(actual_start, planned_start).
    # R1 in Jira, E3, planned from 03-09 but started early on 03-02; E3's Jira course is on 03-05,
    #   after the actual start: gap, 24 h (03-02..03-04).
    # R2 in Jira, E4 trained 02-15, started 03-02: no gap, 40 h.
    # R3 in Jira, E5 trained 03-06, started 03-09: no gap, 16 h (03-09, 03-10).
    # share = 24 / (24 + 40 + 16) = 0.3
    con = warehouse()
    load(con, [task("R1", "R", "2026-03-09", "2026-03-13", assignee_id="E3", planned_hours=24.0,
                    tool="Jira", actual_start="2026-03-02", status="in_progress"),
               task("R2", "R", "2026-03-02", "2026-03-13", assignee_id="E4", planned_hours=40.0,
                    tool="Jira", actual_start="2026-03-02", status="in_progress"),
               task("R3", "R", "2026-03-09", "2026-03-13", assignee_id="E5", planned_hours=16.0,
                    tool="Jira", actual_start="2026-03-09", status="in_progress")],
         [*logs("R1-", "E3", "R1", "2026-03-02", 3, 8.0), *logs("R2-", "E4", "R2", "2026-03-02", 5, 8.0),
          *logs("R3-", "E5", "R3", "2026-03-09", 2, 8.0)],
         trainings=[{"employee_id": "E3", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-03-05"},
                    {"employee_id": "E4", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-02-15"},
                    {"employee_id": "E5", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-03-06"}])
    build(con, D)
    assert_only(con, "training_gap", 24 / 80, basis=80.0)
    assert [(e["task_id"], e["employee_id"], e["hours"], e["detail"]) for e in evidence(con, "training_gap")] == [
        ("R1", "E3", 24.0, "done in Jira; assignee E3 had no Jira training by 2026-03-02")]
    assert_evidence_adds_up(con)


def test_estimation_alone_explains_r_against_a_baseline():
    # Green: G1a planned 14 h, logged 16 h: overrun 2, share 2 / 16 = 0.125; G2 0.
    #   baseline = median(0.125, 0) = 0.0625
    # R1 (E3) planned 40 h, logged 56 h (03-02..03-10), done 03-10: overrun 16.
    # R2 (E4) planned 24 h, logged 24 h, done 03-04: overrun 0.
    # R3 (E5) planned 8 h, logged 16 h, completed on 04-02, after D: not done at D, no overrun.
    # share = 16 / (56 + 24 + 16) = 16 / 96 = 0.1667 >= 0.15 and >= 2 * 0.0625 = 0.125: flagged
    # lift = 0.1667 / 0.0625 = 2.667
    con = warehouse()
    load(con, [task("R1", "R", "2026-03-02", "2026-03-13", assignee_id="E3", planned_hours=40.0,
                    actual_start="2026-03-02", completed_on="2026-03-10", status="done"),
               task("R2", "R", "2026-03-02", "2026-03-13", assignee_id="E4", planned_hours=24.0,
                    actual_start="2026-03-02", completed_on="2026-03-04", status="done"),
               task("R3", "R", "2026-03-02", "2026-03-13", assignee_id="E5", planned_hours=8.0,
                    actual_start="2026-03-02", completed_on="2026-04-02", status="done")],
         [*logs("R1-", "E3", "R1", "2026-03-02", 7, 8.0), *logs("R2-", "E4", "R2", "2026-03-02", 3, 8.0),
          *logs("R3-", "E5", "R3", "2026-03-02", 2, 8.0)],
         g1_planned=14.0)
    build(con, D)
    assert_only(con, "estimation", 16 / 96, baseline=(2 / 16 + 0) / 2, basis=96.0)
    assert drivers(con)["estimation"]["lift"] == pytest.approx((16 / 96) / 0.0625)  # 2.667
    assert [(e["task_id"], e["employee_id"], e["hours"], e["hours_basis"], e["detail"])
            for e in evidence(con, "estimation")] == [
        ("R1", "E3", 16.0, "overrun", "done with 56.0 h logged against 40.0 h planned (+40%)")]
    assert [(e["task_id"], e["hours"], e["share"]) for e in evidence(con, "estimation", "G1")] == [
        ("G1a", 2.0, 2 / 16)]
    assert_evidence_adds_up(con)


def test_turnover_alone_explains_r():
    # E5 left on 03-13 (<= D), E4 leaves on 04-30 (after D: not turnover at D).
    # R1: E5 logs 24 h (03-02..03-04), E3 40 h (03-09..03-13); R2: E4 logs 16 h. Not done.
    # share = 24 / (24 + 40 + 16) = 0.3
    con = warehouse()
    people = [employee("E1"), employee("E2"), employee("E3"),
              employee("E4", termination_date="2026-04-30"), employee("E5", termination_date="2026-03-13")]
    load(con, [task("R1", "R", "2026-03-02", "2026-03-20", assignee_id="E3", planned_hours=64.0,
                    actual_start="2026-03-02", status="in_progress"),
               task("R2", "R", "2026-03-02", "2026-03-20", assignee_id="E4", planned_hours=16.0,
                    actual_start="2026-03-02", status="in_progress")],
         [*logs("R1a-", "E5", "R1", "2026-03-02", 3, 8.0), *logs("R1b-", "E3", "R1", "2026-03-09", 5, 8.0),
          *logs("R2-", "E4", "R2", "2026-03-02", 2, 8.0)],
         employees=people)
    build(con, D)
    assert_only(con, "turnover", 24 / 80, basis=80.0)
    assert [(e["task_id"], e["employee_id"], e["hours"], e["detail"]) for e in evidence(con, "turnover")] == [
        ("R1", "E5", 24.0, "E5 left on 2026-03-13")]
    assert_evidence_adds_up(con)


def test_scope_creep_alone_explains_r():
    # R starts Mon 03-02; scope creep = created more than 14 days after the start, after 03-16.
    # R1 created 02-20, 60 h planned (E3 logs 40 h, 03-02..03-06)
    # R2 created 03-16 = start + 14: not creep, 10 h
    # R3 created 03-17 = start + 15: creep, 30 h
    # R4 created 03-18 but cancelled: not in scope; R5 created 04-10, after D: not in scope
    # share = 30 / (60 + 10 + 30) = 0.3 of the in-scope planned hours
    con = warehouse()
    load(con, [task("R1", "R", "2026-03-02", "2026-03-20", created_on="2026-02-20", assignee_id="E3",
                    planned_hours=60.0, actual_start="2026-03-02", status="in_progress"),
               task("R2", "R", "2026-03-23", "2026-03-27", created_on="2026-03-16", assignee_id="E4",
                    planned_hours=10.0),
               task("R3", "R", "2026-03-23", "2026-03-27", created_on="2026-03-17", assignee_id="E4",
                    planned_hours=30.0),
               task("R4", "R", "2026-03-23", "2026-03-27", created_on="2026-03-18", planned_hours=50.0,
                    status="cancelled"),
               task("R5", "R", "2026-04-13", "2026-04-17", created_on="2026-04-10", planned_hours=20.0)],
         logs("R1-", "E3", "R1", "2026-03-02", 5, 8.0))
    build(con, D)
    assert_only(con, "scope_creep", 30 / 100, basis=100.0)
    assert evidence(con, "scope_creep") == [{
        "task_id": "R3", "task_name": "Task R3", "employee_id": "E4", "week_start": None, "hours": 30.0,
        "hours_basis": "planned", "basis_hours": 100.0, "share": 0.3,
        "detail": "added on 2026-03-17, 15 days after the project start 2026-03-02, 30.0 h planned"}]
    assert_evidence_adds_up(con)
    # configurable: with scope_creep_days = 15, R3 (15 days) is no longer creep: nothing explains R
    build(con, D, scope_creep_days=15)
    assert drivers(con)["scope_creep"]["share"] == 0.0
    assert {r["primary_driver"] for r in drivers(con).values()} == {"unexplained"}


def test_flagged_drivers_rank_by_share_above_baseline():
    # Green: G1a overrun 2 of 16 h: estimation baseline = median(0.125, 0) = 0.0625 (as above).
    # R1 in Jira, E3 never trained: 20 h logged, training_gap share 20 / 80 = 0.25, baseline 0.
    # R2 (E4) planned 36 h, logged 60 h, done 03-11: overrun 24, estimation share 24 / 80 = 0.30.
    # Both flagged (0.25 >= 0.15 >= 0; 0.30 >= 0.15 and >= 0.125). By share estimation is bigger,
    # but ranked by share - baseline: training_gap 0.25 - 0 = 0.25 > estimation 0.30 - 0.0625 = 0.2375.
    con = warehouse()
    load(con, [task("R1", "R", "2026-03-02", "2026-03-13", assignee_id="E3", planned_hours=20.0, tool="Jira",
                    actual_start="2026-03-02", status="in_progress"),
               task("R2", "R", "2026-03-02", "2026-03-13", assignee_id="E4", planned_hours=36.0,
                    actual_start="2026-03-02", completed_on="2026-03-11", status="done")],
         [*logs("R1-", "E3", "R1", "2026-03-02", 2, 8.0), timesheet("R1-x", "E3", "R1", "2026-03-04", 4.0),
          *logs("R2-", "E4", "R2", "2026-03-02", 7, 8.0), timesheet("R2-x", "E4", "R2", "2026-03-11", 4.0)],
         g1_planned=14.0)
    build(con, D)
    found = drivers(con)
    assert_row(found["training_gap"], {"share": 0.25, "baseline": 0.0, "lift": 25.0, "flagged": True, "rank": 1,
                                       "primary_driver": "training_gap"})
    assert_row(found["estimation"], {"share": 0.30, "baseline": 0.0625, "lift": 0.30 / 0.0625, "flagged": True,
                                     "rank": 2, "excess_share": 0.30 - 0.0625, "primary_driver": "training_gap"})
    assert [found[d]["rank"] for d in ("over_allocation", "skill_gap", "turnover", "scope_creep")] == [None] * 4
    assert_evidence_adds_up(con)


def test_unexplained_when_no_driver_stands_out_and_the_lift_is_configurable():
    # Green projects with scope creep: G1 adds G1b (4 h, created 03-20): 4 / (16 + 4) = 0.2;
    #   G2 adds G2b (16 h, created 03-20): 16 / (16 + 16) = 0.5. baseline = median = 0.35.
    # R: R1 50 h planned (E3 logs 36 h), R2 10 h planned needing sql 3, E4 has sql 1 (E4 logs 4 h),
    #   R3 40 h planned, created 03-20: scope creep.
    #   scope_creep share = 40 / (50 + 10 + 40) = 0.4 >= 0.15 but < 2 * 0.35 = 0.7: not flagged
    #   skill_gap share = 4 / (36 + 4) = 0.1 < 0.15: not flagged
    # R is red and nothing is flagged: primary driver 'unexplained', no ranks.
    con = warehouse()
    later = {"created_on": "2026-03-20", "planned_start": "2026-03-23", "planned_end": "2026-03-27"}
    load(con, [task("R1", "R", "2026-03-02", "2026-03-13", assignee_id="E3", planned_hours=50.0,
                    actual_start="2026-03-02", status="in_progress"),
               task("R2", "R", "2026-03-02", "2026-03-13", assignee_id="E4", planned_hours=10.0,
                    required_skill="sql", required_skill_level=3, actual_start="2026-03-02", status="in_progress"),
               {**task("R3", "R", "x", "x", planned_hours=40.0), **later}],
         [*logs("R1-", "E3", "R1", "2026-03-02", 4, 8.0), timesheet("R1-x", "E3", "R1", "2026-03-06", 4.0),
          timesheet("R2-1", "E4", "R2", "2026-03-02", 4.0)],
         skills=[{"employee_id": "E4", "skill": "sql", "level": 1, "assessed_on": "2025-06-01"}],
         green_tasks=[{**task("G1b", "G1", "x", "x", planned_hours=4.0), **later},
                      {**task("G2b", "G2", "x", "x", planned_hours=16.0), **later}])
    build(con, D)
    found = drivers(con)
    assert_row(found["scope_creep"], {"share": 0.4, "baseline": 0.35, "lift": 0.4 / 0.35, "flagged": False,
                                      "rank": None})
    assert_row(found["skill_gap"], {"share": 0.1, "baseline": 0.0, "lift": 0.1 / 0.01, "flagged": False,
                                    "rank": None})
    assert {(r["flagged"], r["rank"], r["primary_driver"], r["health"]) for r in found.values()} == {
        (False, None, "unexplained", "red")}
    assert_evidence_adds_up(con)
    # driver_min_lift 1.0: 0.4 >= 1.0 * 0.35, scope creep is flagged and becomes the primary driver
    build(con, D, driver_min_lift=1.0)
    found = drivers(con)
    assert_row(found["scope_creep"], {"flagged": True, "rank": 1, "primary_driver": "scope_creep"})
    # driver_min_share 0.5: 0.4 is below it again
    build(con, D, driver_min_lift=1.0, driver_min_share=0.5)
    assert drivers(con)["scope_creep"]["primary_driver"] == "unexplained"
