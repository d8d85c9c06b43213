"""int_task_gaps by hand: the skill gap and training gap of a task as docs/kpis.md (People) defines them,
one task per case, as of D = Tue 2026-03-31.

Skill gap: the assignee's level in required_skill (latest assessment known at D; 0 when absent)
is below required_skill_level; with no required level, a gap means the skill is absent.
Training gap: tool set and the assignee completed no training whose skill is that tool on or
before coalesce(actual_start, planned_start).
"""

from tests.kpi_data import build, employee, insert, project, rows, task, warehouse

D = "2026-03-31"


def test_skill_and_training_gaps_per_task():
    con = warehouse()
    insert(con, "employees", [employee("E1"), employee("E2")])
    insert(con, "projects", [project("P", start_date="2026-03-02", planned_end_date="2026-04-30")])
    insert(con, "skills", [
        {"employee_id": "E1", "skill": "sql", "level": 3, "assessed_on": "2025-01-10"},
        {"employee_id": "E1", "skill": "python", "level": 2, "assessed_on": None},  # undated: known
        {"employee_id": "E2", "skill": "sql", "level": 5, "assessed_on": "2026-04-15"},  # after D
    ])
    insert(con, "trainings", [
        {"employee_id": "E1", "course": "Jira Essentials", "skill": "Jira", "completed_on": "2026-03-04"},
        {"employee_id": "E2", "course": "Miro Basics", "skill": "Miro", "completed_on": "2026-04-02"},  # after D
        {"employee_id": "E2", "course": "Confluence 101", "skill": "Confluence", "completed_on": "2026-01-05"},
    ])
    w = ("2026-03-02", "2026-03-13")
    insert(con, "tasks", [
        # skill gaps
        task("S1", "P", *w, assignee_id="E1", required_skill="sql", required_skill_level=4),  # 3 < 4: gap
        task("S2", "P", *w, assignee_id="E1", required_skill="sql", required_skill_level=3),  # 3 = 3: none
        task("S3", "P", *w, assignee_id="E1", required_skill="java", required_skill_level=1),  # absent 0 < 1
        task("S4", "P", *w, assignee_id="E1", required_skill="python"),  # no level, has python: none
        task("S5", "P", *w, assignee_id="E1", required_skill="java"),  # no level, no java: gap
        task("S6", "P", *w, assignee_id="E2", required_skill="sql", required_skill_level=2),  # assessed after D: 0
        task("S7", "P", *w, assignee_id="E1"),  # no required skill: none
        task("S8", "P", *w, required_skill="sql", required_skill_level=2),  # nobody assigned: none
        # training gaps: reference date coalesce(actual_start, planned_start)
        task("T1", "P", "2026-03-09", "2026-03-13", assignee_id="E1", tool="Jira"),  # trained 03-04 <= 03-09
        task("T2", "P", "2026-03-09", "2026-03-13", assignee_id="E1", tool="Jira",
             actual_start="2026-03-02"),  # started 03-02, before the course of 03-04: gap
        task("T3", "P", "2026-03-02", "2026-03-06", assignee_id="E1", tool="Jira",
             actual_start="2026-03-04"),  # course the same day: none
        task("T4", "P", "2026-04-06", "2026-04-10", assignee_id="E2", tool="Miro"),  # course 04-02 after D: gap
        task("T5", "P", "2026-03-02", "2026-03-06", assignee_id="E2", tool="Jira"),  # trained in other tools: gap
        task("T6", "P", "2026-03-02", "2026-03-06", assignee_id="E2", tool="Confluence"),  # trained 01-05: none
        task("T7", "P", "2026-03-02", "2026-03-06", tool="Jira"),  # nobody assigned: none
        task("T8", "P", "2026-03-09", "2026-03-13", assignee_id="E1", tool="Jira",
             actual_start="2026-04-01"),  # start after D is not known yet: planned 03-09, trained: none
    ])
    build(con, D)
    found = {r["task_id"]: r for r in rows(con, "select * from intermediate.int_task_gaps")}
    assert {t: (r["assignee_skill_level"], r["skill_gap"]) for t, r in found.items() if t[0] == "S"} == {
        "S1": (3, True), "S2": (3, False), "S3": (0, True), "S4": (2, False), "S5": (0, True),
        "S6": (0, True), "S7": (0, False), "S8": (0, False)}
    assert {t: (str(r["training_reference_date"]), r["training_gap"]) for t, r in found.items() if t[0] == "T"} == {
        "T1": ("2026-03-09", False), "T2": ("2026-03-02", True), "T3": ("2026-03-04", False),
        "T4": ("2026-04-06", True), "T5": ("2026-03-02", True), "T6": ("2026-03-02", False),
        "T7": ("2026-03-02", False), "T8": ("2026-03-09", False)}
    assert not any(r["training_gap"] for t, r in found.items() if t[0] == "S")  # no tool, no gap
    # as of 04-05 E2's Miro course (04-02) exists and precedes T4's planned start (04-06)
    build(con, "2026-04-05")
    assert rows(con, "select training_gap from intermediate.int_task_gaps where task_id = 'T4'") == [
        {"training_gap": False}]
