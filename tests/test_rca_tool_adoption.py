"""kpi_tool_adoption by hand (docs/kpis.md, Tool adoption), as of D = Tue 2026-06-30.

A rollout on 04-01 compares the department's tasks done 01-01 .. 03-31 (the 90 days before) with
those done 04-01 .. 06-29 (the 90 days from it). Tasks are 10 h planned; `batch` makes n tasks
done on consecutive days from a first day, the first `on_time` of them on time (completed on
planned_end), the rest a day late, each with `actual` hours logged by its assignee on the day it
was done (by E9 when unassigned), started two days before.

Eng (project PE), Jira rolled out 04-01; E1 trained 03-20, E2 trained 05-15, E3 never:
  before  B  E3  10 tasks 03-22 .. 03-31, 6 on time, 12 h each     -> 10 tasks, 6/10, 120/100 = 1.2
          X1 E3  done 2025-12-31: before the window
  after   T  E1   8 tasks 04-01 .. 04-08, 7 on time, 10 h each     trained (started >= 03-30)
          U  E2   4 tasks 04-10 .. 04-13, 1 on time, 15 h each     untrained (started before 05-15)
          V  E2   1 task  05-25, started 05-20, on time, 10 h      trained (course 05-15 <= 05-20)
          N  --   1 task  05-26, on time, 10 h                     in neither split
          X2 E1  done 06-30 = D: after the window's last day 06-29; X3 cancelled: not in scope
     -> 14 tasks, on time (7 + 1 + 1 + 1) / 14 = 10/14, estimate (80 + 60 + 10 + 10) / 140 = 8/7
        trained T + V: 9 tasks, 8/9 on time, 90 / 90 = 1.0; untrained U: 1/4, 60 / 40 = 1.5
     change: on time 10/14 - 6/10 = +0.114 (better: >= 0.05); estimate accuracy |1.2 - 1| -
        |8/7 - 1| = 0.2 - 0.143 = 0.057 closer to plan (better: >= 0.05): improved
Eng, Miro rolled out 06-01: before 03-03 .. 05-31 holds B, T, U, V, N = 24 tasks; after
  06-01 .. 06-30 (capped at D) only X2 = 1: too little data.
Ops (PO), Smartsheet 04-01: before 10 tasks 03-01.., 9 on time; after 10 tasks 04-01.., 5 on time;
  all 10 h logged: on time -0.4, estimate 1.0 -> 1.0 unchanged: worse. Nobody trained.
HR (PH), Asana 04-01: before 10, 5 on time, 10 h; after 10, 8 on time, 13 h each: on time +0.3
  better but estimate 1.0 -> 1.3 further from plan: one better, one worse: no change.
Fin (PF), Notion 04-01: before 10, 7 on time, 11 h; after 10, 7 on time, 11.2 h: on time +0,
  estimate 1.1 -> 1.12 (0.02 further): no change. Asana in Fin rolls out 07-15, after D: no row.
"""

from datetime import date, timedelta

from tests.kpi_data import assert_row, build, employee, insert, project, rows, task, timesheet, warehouse

D = "2026-06-30"


def batch(prefix, project_id, assignee, first, n, on_time, actual, started=None):
    tasks, sheets = [], []
    for i in range(n):
        done = date.fromisoformat(first) + timedelta(days=i)
        end = done if i < on_time else done - timedelta(days=1)
        start = date.fromisoformat(started) if started else done - timedelta(days=2)
        tasks.append(task(f"{prefix}{i}", project_id, str(end - timedelta(days=5)), str(end),
                          assignee_id=assignee, planned_hours=10.0, actual_start=str(start),
                          completed_on=str(done), status="done"))
        sheets.append(timesheet(f"S{prefix}{i}", assignee or "E9", f"{prefix}{i}", str(done), actual))
    return tasks, sheets


def adoption_data(con):
    insert(con, "employees", [employee(f"E{i}") for i in range(1, 10)])
    insert(con, "projects", [
        project(p, department=d, start_date="2025-06-01", planned_end_date="2026-12-31", budget=100000.0)
        for p, d in (("PE", "Eng"), ("PO", "Ops"), ("PH", "HR"), ("PF", "Fin"))])
    insert(con, "tool_rollouts", [
        {"tool": "Jira", "department": "Eng", "rollout_date": "2026-04-01"},
        {"tool": "Miro", "department": "Eng", "rollout_date": "2026-06-01"},
        {"tool": "Smartsheet", "department": "Ops", "rollout_date": "2026-04-01"},
        {"tool": "Asana", "department": "HR", "rollout_date": "2026-04-01"},
        {"tool": "Notion", "department": "Fin", "rollout_date": "2026-04-01"},
        {"tool": "Asana", "department": "Fin", "rollout_date": "2026-07-15"},
    ])
    insert(con, "trainings", [
        {"employee_id": "E1", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-03-20"},
        {"employee_id": "E2", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-05-15"},
    ])
    parts = [
        batch("B", "PE", "E3", "2026-03-22", 10, 6, 12.0),
        batch("X1", "PE", "E3", "2025-12-31", 1, 1, 10.0),
        batch("T", "PE", "E1", "2026-04-01", 8, 7, 10.0),
        batch("U", "PE", "E2", "2026-04-10", 4, 1, 15.0),
        batch("V", "PE", "E2", "2026-05-25", 1, 1, 10.0, started="2026-05-20"),
        batch("N", "PE", None, "2026-05-26", 1, 1, 10.0),
        batch("X2", "PE", "E1", "2026-06-30", 1, 1, 10.0),
        batch("OB", "PO", "E4", "2026-03-01", 10, 9, 10.0),
        batch("OA", "PO", "E4", "2026-04-01", 10, 5, 10.0),
        batch("HB", "PH", "E5", "2026-03-01", 10, 5, 10.0),
        batch("HA", "PH", "E5", "2026-04-01", 10, 8, 13.0),
        batch("FB", "PF", "E6", "2026-03-01", 10, 7, 11.0),
        batch("FA", "PF", "E6", "2026-04-01", 10, 7, 11.2),
    ]
    cancelled = {**batch("X3", "PE", "E1", "2026-04-20", 1, 1, 10.0)[0][0], "status": "cancelled"}
    insert(con, "tasks", [t for ts, _ in parts for t in ts] + [cancelled])
    insert(con, "timesheets", [s for _, ss in parts for s in ss])


def test_before_after_and_trained_split():
    con = warehouse()
    adoption_data(con)
    build(con, D)
    found = {(r["tool"], r["department"]): r for r in rows(con, "select * from marts.kpi_tool_adoption")}
    assert set(found) == {("Jira", "Eng"), ("Miro", "Eng"), ("Smartsheet", "Ops"), ("Asana", "HR"),
                          ("Notion", "Fin")}  # Asana in Fin rolls out after D
    assert_row(found[("Jira", "Eng")], {
        "tool": "Jira", "department": "Eng", "rollout_date": "2026-04-01", "as_of": D,
        "before_start": "2026-01-01", "before_end": "2026-03-31", "after_start": "2026-04-01",
        "after_end": "2026-06-29",
        "tasks_before": 10, "tasks_after": 14,
        "on_time_rate_before": 6 / 10, "on_time_rate_after": 10 / 14,
        "estimate_ratio_before": 120 / 100, "estimate_ratio_after": 160 / 140,
        "tasks_after_trained": 9, "tasks_after_untrained": 4,
        "on_time_rate_after_trained": 8 / 9, "on_time_rate_after_untrained": 1 / 4,
        "estimate_ratio_after_trained": 90 / 90, "estimate_ratio_after_untrained": 60 / 40,
        "on_time_rate_change": 10 / 14 - 6 / 10, "estimate_ratio_change": 160 / 140 - 120 / 100,
        "verdict": "improved",
        "verdict_detail": "on time better (+11 points); estimate ratio 1.20 -> 1.14, closer to plan"})
    assert_row(found[("Miro", "Eng")], {
        "before_start": "2026-03-03", "after_end": D, "tasks_before": 24, "tasks_after": 1,
        "verdict": "too little data", "verdict_detail": "24 tasks before, 1 after: under 10 on a side"})
    assert_row(found[("Smartsheet", "Ops")], {
        "tasks_before": 10, "tasks_after": 10, "on_time_rate_before": 0.9, "on_time_rate_after": 0.5,
        "estimate_ratio_before": 1.0, "estimate_ratio_after": 1.0, "tasks_after_trained": 0,
        "tasks_after_untrained": 10, "on_time_rate_after_trained": None, "on_time_rate_after_untrained": 0.5,
        "verdict": "worse"})
    assert_row(found[("Asana", "HR")], {
        "on_time_rate_before": 0.5, "on_time_rate_after": 0.8, "estimate_ratio_after": 1.3,
        "verdict": "no change",
        "verdict_detail": "on time better (+30 points); estimate ratio 1.00 -> 1.30, further from plan"})
    assert_row(found[("Notion", "Fin")], {
        "on_time_rate_change": 0.0, "estimate_ratio_before": 1.1, "estimate_ratio_after": 1.12,
        "verdict": "no change"})


def test_minimum_tasks_and_window_are_configurable():
    con = warehouse()
    adoption_data(con)
    # 15 tasks a side: Jira in Eng has 14 after
    build(con, D, tool_min_tasks=15)
    assert rows(con, "select verdict from marts.kpi_tool_adoption where tool = 'Jira'") == [
        {"verdict": "too little data"}]
    # a 10-day window: before 03-22 .. 03-31 = all of B (10), after 04-01 .. 04-10 = T (8) + U0 = 9
    build(con, D, tool_window_days=10, tool_min_tasks=1)
    assert_row(rows(con, "select * from marts.kpi_tool_adoption where tool = 'Jira'")[0], {
        "before_start": "2026-03-22", "after_end": "2026-04-10", "tasks_before": 10, "tasks_after": 9})
