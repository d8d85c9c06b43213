"""The quality gate: each rule of inputs.md rejects a crafted bad row with the right message."""

import pytest

from pipelines.checks.gate import evaluate
from pipelines.contract import ENTITIES
from pipelines.ingest.load import ingest_entity
from tests.landing import EMPLOYEES, PROJECTS, TASKS, TIMESHEETS, write_csv, write_landing


def gate(con, root, entity, max_share=0.0):
    for e in ENTITIES.values():
        ingest_entity(con, root, e)
    return evaluate(con, ENTITIES[entity], max_share)


def test_valid_delivery_passes_every_entity(con, tmp_path):
    write_landing(tmp_path)
    for e in ENTITIES.values():
        ingest_entity(con, tmp_path, e)
    verdicts = [evaluate(con, e, 0.0) for e in ENTITIES.values()]
    assert [v.entity for v in verdicts if not v.passed] == []
    assert {v.entity: v.rows for v in verdicts if v.rows} == {
        "projects": 1, "tasks": 2, "timesheets": 2, "employees": 2}


# (entity, row index, column, bad value, expected message). Row index 0 is CSV line 2.
RULES = [
    ("projects", 0, "project_name", "", "project_name = None breaks rule \"project_name is required\""),
    ("projects", 0, "pmo_type", "outsourced", "breaks rule \"pmo_type in (internal, external)\""),
    ("projects", 0, "planned_end_date", "2025-12-31", "breaks rule \"planned_end_date >= start_date\""),
    ("projects", 0, "actual_end_date", "2025-12-01", "breaks rule \"actual_end_date >= start_date\""),
    ("projects", 0, "budget", "-1", "budget = '-1.0' breaks rule \"budget >= 0\""),
    ("projects", 0, "expected_benefit", "-5", "breaks rule \"expected_benefit >= 0\""),
    ("projects", 0, "status", "done", "breaks rule \"status in (planned, active, on_hold, completed, cancelled)\""),
    ("projects", 0, "working_weekdays", "11111", "breaks rule \"working_weekdays matches ^[01]{7}$\""),
    ("projects", 0, "project_manager_id", "E404", "breaks rule \"project_manager_id references employees.employee_id\""),
    ("tasks", 1, "project_id", "P404", "breaks rule \"project_id references projects.project_id\""),
    ("tasks", 1, "assignee_id", "E404", "breaks rule \"assignee_id references employees.employee_id\""),
    ("tasks", 1, "required_skill_level", "6", "breaks rule \"required_skill_level >= 1 and <= 5\""),
    ("tasks", 1, "planned_end", "2026-01-01", "breaks rule \"planned_end >= planned_start\""),
    ("tasks", 1, "planned_hours", "0", "breaks rule \"planned_hours > 0 and <= 1e+09\""),
    ("tasks", 1, "planned_cost", "-3", "breaks rule \"planned_cost >= 0 and <= 1e+12\""),
    # the history adds money and hours as exact decimals: absurd sizes are refused, not overflowed
    ("tasks", 1, "planned_cost", "2e12", "planned_cost = '2000000000000.0' breaks rule"),
    ("tasks", 1, "planned_hours", "5e9", "breaks rule \"planned_hours > 0 and <= 1e+09\""),
    ("employees", 1, "hourly_cost", "1e30", "breaks rule \"hourly_cost >= 0 and <= 1e+09\""),
    ("tasks", 0, "completed_on", "2026-01-01", "breaks rule \"completed_on >= actual_start\""),
    ("tasks", 1, "status", "blocked", "breaks rule \"status in (todo, in_progress, done, cancelled)\""),
    ("tasks", 1, "status", "done", "breaks rule \"status done requires completed_on\""),
    ("tasks", 1, "created_on", "", "breaks rule \"created_on is required\""),
    ("employees", 1, "manager_id", "E404", "breaks rule \"manager_id references employees.employee_id\""),
    ("employees", 1, "termination_date", "2020-01-01", "breaks rule \"termination_date >= hire_date\""),
    ("employees", 1, "hourly_cost", "-1", "breaks rule \"hourly_cost >= 0 and <= 1e+09\""),
    ("employees", 1, "weekly_capacity_hours", "81", "breaks rule \"weekly_capacity_hours >= 0 and <= 80\""),
    ("timesheets", 1, "hours", "-2", "hours = '-2.0' breaks rule \"hours > 0 and <= 24\""),
    ("timesheets", 1, "hours", "25", "breaks rule \"hours > 0 and <= 24\""),
    ("timesheets", 1, "task_id", "T404", "task_id = 'T404' breaks rule \"task_id references tasks.task_id\""),
    ("timesheets", 1, "employee_id", "E404", "breaks rule \"employee_id references employees.employee_id\""),
    ("timesheets", 1, "entry_id", "TS1", "entry_id = 'TS1' breaks rule \"unique key (entry_id) within a file\""),
]
SOURCES = {"projects": ("projects.csv", PROJECTS), "tasks": ("tasks.csv", TASKS),
           "employees": ("employees.csv", EMPLOYEES),
           "timesheets": ("timesheets/2026-01-06.csv", TIMESHEETS)}


@pytest.mark.parametrize("entity,index,column,value,expected", RULES,
                         ids=[f"{r[0]}.{r[2]}={r[3]!r}" for r in RULES])
def test_rule_rejects_crafted_row(con, tmp_path, entity, index, column, value, expected):
    write_landing(tmp_path)
    file, rows = SOURCES[entity]
    bad = [dict(r) for r in rows]
    bad[index][column] = value
    write_csv(tmp_path / file, bad)
    verdict = gate(con, tmp_path, entity)
    assert not verdict.passed
    line = f"{file} line {index + 2}: "
    assert any(m.startswith(line) and expected in m for m in verdict.messages()), verdict.messages()


def test_hours_of_one_employee_and_day_sum_to_at_most_24(con, tmp_path):
    write_landing(tmp_path)
    write_csv(tmp_path / "timesheets" / "2026-01-07.csv",
              [{**TIMESHEETS[1], "entry_id": "TS3", "hours": "17"}])  # 7.5 + 17 on 01-06
    verdict = gate(con, tmp_path, "timesheets")
    assert verdict.bad_rows == 2
    assert any(m.startswith("timesheets/2026-01-07.csv line 2: hours = '24.5 h on 2026-01-06 in all'")
               for m in verdict.messages()), verdict.messages()


@pytest.mark.parametrize("content,expected", [
    ("entry_id,employe_id,task_id,work_date,hours\nTS1,E1,T1,2026-01-05,8\n",
     "missing required column(s) employee_id"),
    ("entry_id,employee_id,task_id,work_date,hours\nTS1,E1,T1,05/01/2026,8\n",
     'line 2 column work_date: "05/01/2026" is not a date (YYYY-MM-DD)'),
    ("entry_id,employee_id,task_id,work_date,hours\nTS1,E1,T1,2026-01-05,\"8,5\"\n",
     'line 2 column hours: "8,5" is not a number'),
    (b"entry_id,employee_id,task_id,work_date,hours\nTS1,E\xe9,T1,2026-01-05,8\n",
     "not valid UTF-8"),
])
def test_structural_fault_rejects_the_file(con, tmp_path, content, expected):
    write_landing(tmp_path)
    path = tmp_path / "timesheets" / "2026-01-07.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    verdict = gate(con, tmp_path, "timesheets")
    assert not verdict.passed
    assert verdict.faults[0].startswith("timesheets/2026-01-07.csv: rejected: ")
    assert expected in verdict.faults[0]


def test_missing_required_entity_blocks(con, tmp_path):
    write_landing(tmp_path)
    (tmp_path / "employees.csv").unlink()
    verdict = gate(con, tmp_path, "employees")
    assert not verdict.passed
    assert "employees: required entity, but no file was delivered" in verdict.faults[0]


def test_bad_rows_within_allowed_share_are_quarantined(con, tmp_path):
    write_landing(tmp_path)
    write_csv(tmp_path / "timesheets" / "2026-01-06.csv",
              [TIMESHEETS[0], {**TIMESHEETS[1], "hours": "-1"}])
    assert not gate(con, tmp_path, "timesheets", max_share=0.4).passed  # 1 of 2 = 50%
    verdict = evaluate(con, ENTITIES["timesheets"], 0.5)
    assert (verdict.passed, verdict.quarantined, verdict.share) == (True, 1, 0.5)
    assert con.execute("SELECT _file, _row, rule FROM state.violations").fetchall() == [
        ("timesheets/2026-01-06.csv", 2, "hours > 0 and <= 24")]


def test_fixed_file_clears_its_findings(con, tmp_path):
    write_landing(tmp_path)
    write_csv(tmp_path / "timesheets" / "2026-01-06.csv", [{**TIMESHEETS[0], "hours": "-1"}])
    assert not gate(con, tmp_path, "timesheets").passed
    write_csv(tmp_path / "timesheets" / "2026-01-06.csv", TIMESHEETS)
    assert gate(con, tmp_path, "timesheets").passed


def test_set_rules_are_not_reevaluated_while_no_file_changes(con, tmp_path, monkeypatch):
    import pipelines.checks.set_rules as set_rules

    write_landing(tmp_path)
    assert gate(con, tmp_path, "timesheets").passed
    monkeypatch.setattr(set_rules, "set_rules", lambda e: pytest.fail("re-evaluated"))
    assert gate(con, tmp_path, "timesheets").passed
    write_csv(tmp_path / "tasks.csv", TASKS[1:])  # a referenced entity changed: T1 is gone
    monkeypatch.undo()
    verdict = gate(con, tmp_path, "timesheets")
    assert verdict.bad_rows == 2  # both timesheet rows book on T1
    assert "task_id references tasks.task_id" in verdict.messages()[0]


def test_judging_the_suspects_finds_what_judging_every_row_finds(con, tmp_path):
    """Cross-file rules judge only the rows that count of their suspects' keys
    (set_rules.py); that must give exactly the findings of judging every row that counts:
    here with a key delivered twice (the later file wins, breaking or healing a rule), an
    employee-day over 24 h only across files, and a date outside the window."""
    from datetime import date

    from pipelines.checks import rules
    from pipelines.checks.set_rules import evaluate_set_rules, set_rules
    from pipelines.ingest.raw_schema import current_rows_sql

    write_landing(tmp_path)
    day = TIMESHEETS[0]
    write_csv(tmp_path / "timesheets" / "2026-01-07.csv", [
        {**day, "entry_id": "TS1", "task_id": "T404"},  # TS1 again, later: breaks a reference
        {**day, "entry_id": "TS3", "hours": "9"},
        {**day, "entry_id": "TS4", "hours": "8", "work_date": "2126-01-05"}])
    write_csv(tmp_path / "timesheets" / "2026-01-08.csv", [
        {**day, "entry_id": "TS5", "task_id": "T404"},
        {**day, "entry_id": "TS3", "hours": "12"}])  # TS3 again: now 8 + 12 + ... > 24
    write_csv(tmp_path / "timesheets" / "2026-01-09.csv", [
        {**day, "entry_id": "TS5", "task_id": "T2"}])  # TS5 again, healed
    for e in ENTITIES.values():
        ingest_entity(con, tmp_path, e)
    window = (date(1970, 1, 1), date(2076, 1, 1))
    entity = ENTITIES["timesheets"]
    evaluate_set_rules(con, entity, window)
    found = sorted(con.execute("""SELECT _file, _row, rule FROM state.violations
                                  WHERE kind = 'set'""").fetchall())
    everything = f"WITH judged AS ({current_rows_sql(entity, excluded=('row',))})"
    expected = sorted(
        (file, row, rule) for rule, offending, _ in set_rules(entity, window)
        for file, row, *_ in con.execute(f"{everything} {offending}").fetchall())
    assert found == expected
    assert {rule for _, _, rule in found} == {
        rules.reference_rule(entity.column("task_id")),
        "hours of one employee on one date sum to <= 24",
        "work_date within the plausible dates 1970-01-01 to 2076-01-01"}
    # TS5 counts from its last file, which heals the reference; the earlier row does not count
    assert [(f, r) for f, r, rule in found if rule.startswith("task_id")] == [
        ("timesheets/2026-01-07.csv", 1)]


def test_the_orm_is_imported_whole_before_great_expectations_imports_in_a_thread():
    """Dagster's event log calls sqlalchemy.inspect in the main thread while GX is imported in
    the background; a half-imported sqlalchemy.orm there failed an ingest step with
    "partially initialized module 'sqlalchemy.orm.exc'" instead of the file's message."""
    import subprocess
    import sys

    probe = (
        "import sys, threading\n"
        "threading.Thread.start = lambda self: None  # the import in the thread: not started\n"
        "from pipelines.checks.gx_suite import warm_up\n"
        "before = 'sqlalchemy.orm' in sys.modules\n"
        "warm_up()\n"
        "print(before, 'sqlalchemy.orm.exc' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_value_spanning_lines_leaves_the_next_rows_on_their_own_lines(con, tmp_path):
    """tasks.csv: header on line 1; T1's quoted name holds two line breaks, so T1 takes lines
    2 to 4 and T2 starts on line 5, which is where the message must send the reader."""
    write_landing(tmp_path)
    tasks = [dict(TASKS[0], task_name="Design\nreview\nsign-off"),
             dict(TASKS[1], planned_hours="-5")]
    write_csv(tmp_path / "tasks.csv", tasks)
    assert (tmp_path / "tasks.csv").read_text().splitlines()[4].startswith("T2,")
    messages = gate(con, tmp_path, "tasks").messages()
    assert messages == ["tasks.csv line 5: planned_hours = '-5.0' breaks rule "
                        "\"planned_hours > 0 and <= 1e+09\" (key T2)"]
