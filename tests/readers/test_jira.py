"""The Jira CSV reader: recognition, repeated columns, the mapping to contract entities."""

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.ingest.readers import ExportFault
from pipelines.ingest.readers import jira
from pipelines.ingest.readers._text import positions

FIXTURES = Path(__file__).parent.parent / "fixtures"
ISSUES = FIXTURES / "jira" / "issues.csv"
SEMICOLON = FIXTURES / "jira" / "issues_semicolon.csv"
PEOPLE = ("alice", "bob", "carol", "dave", "Jana", "Berger")


def by(frame, key):
    return {row[key]: row for row in frame.iter_rows(named=True)}


@pytest.fixture(scope="module")
def export():
    return jira.read(ISSUES)


def test_recognises_jira_exports_only(tmp_path):
    assert jira.recognise(ISSUES, ISSUES.read_bytes()[:65536])
    assert jira.recognise(SEMICOLON, SEMICOLON.read_bytes()[:65536])
    toggl = FIXTURES / "timesheet_tools" / "toggl_detailed.csv"
    assert not jira.recognise(toggl, toggl.read_bytes())
    renamed = tmp_path / "issues.parquet"
    assert not jira.recognise(renamed, ISSUES.read_bytes()[:65536])
    no_status = tmp_path / "x.csv"
    no_status.write_text("Summary,Issue key\nA,B-1\n")
    assert not jira.recognise(no_status, no_status.read_bytes())


def test_repeated_columns_are_kept_by_position():
    header = ["Summary", "Sprint", "Log Work", "Sprint", "Log Work", "Log Work"]
    assert positions(header) == {"summary": [0], "sprint": [1, 3], "log work": [2, 4, 5]}


def test_tasks(export):
    tasks = by(export.tables["tasks"], "task_id")
    assert set(tasks) == {"DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5", "OPS-1"}  # the epic is not
    assert {k: v for k, v in tasks["DEMO-2"].items() if k != "_row"} == {
        "task_id": "DEMO-2", "project_id": "DEMO", "task_name": "Pay with card",
        "assignee_id": "alice", "created_on": "2024-01-02", "planned_start": "2024-01-02",
        "planned_end": "2024-01-19", "planned_hours": "16", "actual_start": "2024-01-03",
        "completed_on": "2024-01-19", "status": "done", "_ref": "line 3",
        "_source": "DEMO"}  # two projects in the file: each row names its own schedule
    # a sub-task is a task; no due date and not resolved: planned_end stays empty
    assert tasks["DEMO-3"]["status"] == "in_progress"
    assert tasks["DEMO-3"]["planned_end"] is None
    assert tasks["DEMO-3"]["_ref"] == "line 6"  # DEMO-2's quoted line breaks counted
    # Closed with resolution Won't Do: cancelled, never completed
    assert tasks["DEMO-4"]["status"] == "cancelled"
    assert tasks["DEMO-4"]["completed_on"] is None
    assert tasks["DEMO-4"]["planned_hours"] is None
    # custom field (Start date) wins over Created; 4-digit year and 24-hour clock
    assert tasks["OPS-1"]["planned_start"] == "2024-02-01"
    assert tasks["OPS-1"]["created_on"] == "2024-01-22"
    assert tasks["OPS-1"]["status"] == "todo"
    assert tasks["OPS-1"]["assignee_id"] is None
    assert export.tables["tasks"]["_row"].to_list() == [1, 2, 3, 4, 5]


def test_worklogs_become_timesheets(export):
    sheets = by(export.tables["timesheets"], "entry_id")
    assert {k: sheets["DEMO-2/1"][k] for k in ("employee_id", "task_id", "work_date", "hours")} \
        == {"employee_id": "alice", "task_id": "DEMO-2", "work_date": "2024-01-03", "hours": "4"}
    # empty comment; comment with ";" and a line break, parsed from the right
    assert (sheets["DEMO-2/2"]["employee_id"], sheets["DEMO-2/2"]["hours"]) == ("bob", "2")
    assert (sheets["DEMO-2/3"]["work_date"], sheets["DEMO-2/3"]["hours"]) == ("2024-01-05", "6")
    assert sheets["DEMO-3/1"]["hours"] == "1.5"
    assert sheets["DEMO-2/3"]["_ref"] == "line 3, Log Work 3"
    assert not any(k.startswith("DEMO-1/") for k in sheets)  # the epic's worklog
    rows = export.tables["timesheets"]["_row"].to_list()
    assert rows == list(range(1, len(rows) + 1))  # unique: the pipeline keys rows by _row


def test_time_spent_without_worklogs_is_spread_over_working_days(export):
    spread = [r for r in export.tables["timesheets"].iter_rows(named=True)
              if r["task_id"] == "DEMO-5"]
    assert [(r["work_date"], r["hours"]) for r in spread] == [
        ("2024-01-15", "5.34"), ("2024-01-16", "5.33"), ("2024-01-17", "5.33")]
    assert {r["employee_id"] for r in spread} == {"carol"}
    assert sum(Decimal(r["hours"]) for r in spread) == 16


def test_spread_keeps_a_person_under_24_hours_a_day(tmp_path):
    export_file = tmp_path / "cap.csv"
    export_file.write_text(
        "Issue key,Summary,Status,Assignee,Created,Resolved,Time Spent,Log Work\n"
        "X-1,Night shift,Done,erin,01/Apr/24 8:00 AM,01/Apr/24 6:00 PM,72000,"
        "\";01/Apr/24 8:00 AM;erin;72000\"\n"
        "X-2,Follow-up,Done,erin,01/Apr/24 9:00 AM,02/Apr/24 5:00 PM,43200,\n")
    rows = [r for r in jira.read(export_file).tables["timesheets"].iter_rows(named=True)
            if r["task_id"] == "X-2"]
    assert [(r["work_date"], r["hours"]) for r in rows] == [("2024-04-01", "4"),
                                                           ("2024-04-02", "8")]


def test_projects_and_employees(export):
    projects = by(export.tables["projects"], "project_id")
    assert {k: projects["DEMO"][k] for k in ("project_name", "start_date", "planned_end_date",
                                             "status")} == {
        "project_name": "Demo Platform", "start_date": "2024-01-02",
        "planned_end_date": "2024-01-19", "status": "active"}
    assert projects["OPS"]["planned_end_date"] == "2024-02-29"
    assert "department" not in export.tables["projects"].columns  # Jira does not carry it
    employees = export.tables["employees"]
    assert employees.columns == ["employee_id", "full_name", "_row", "_ref"]
    assert employees["employee_id"].to_list() == ["alice", "bob", "carol"]


def test_each_project_of_the_export_is_a_schedule_of_its_own(export):
    """The file holds DEMO and OPS: a later export filtered to DEMO alone must end DEMO's
    rows of this one, so every project row says which project it is a snapshot of; the people
    (of no one project) are a snapshot of the pair."""
    assert export.source_id == "DEMO+OPS"
    # the latest date in the file: OPS-1 created and updated 22/Jan/2024 13:05 (the epic's
    # update on 20/Jan and DEMO-2's resolution on 19/Jan come before)
    assert export.status_date == date(2024, 1, 22)
    assert {r["task_id"]: r["_source"] for r in export.tables["tasks"].iter_rows(named=True)} \
        == {"DEMO-2": "DEMO", "DEMO-3": "DEMO", "DEMO-4": "DEMO", "DEMO-5": "DEMO",
            "OPS-1": "OPS"}
    assert {r["project_id"]: r["_source"]
            for r in export.tables["projects"].iter_rows(named=True)} == {"DEMO": "DEMO",
                                                                          "OPS": "OPS"}
    sheets = by(export.tables["timesheets"], "entry_id")
    assert sheets["DEMO-2/1"]["_source"] == sheets["DEMO-5/spread/2024-01-15"]["_source"] \
        == "DEMO"
    assert "_source" not in export.tables["employees"].columns


def test_one_project_is_one_schedule(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("Issue key,Summary,Status,Created\nX-1,A,To Do,01/Apr/24 8:00 AM\n"
                   "X-2,B,To Do,03/Apr/24 8:00 AM\n")
    export = jira.read(one)
    assert export.source_id == "X" and export.status_date == date(2024, 4, 3)
    assert "_source" not in export.tables["tasks"].columns  # the export's source_id says it


def test_notes_count_without_naming_people(export):
    text = " ".join(export.notes)
    assert "1 epic(s) not taken as tasks" in text
    assert "Time Spent but no worklogs" in text
    assert not any(name in text for name in PEOPLE)


def test_cloud_export_with_semicolons_account_ids_and_status_categories():
    export = jira.read(SEMICOLON)
    tasks = by(export.tables["tasks"], "task_id")
    assert tasks["KUN-7"]["status"] == "done"  # "Erledigt" known by its category
    assert tasks["KUN-8"]["status"] == "in_progress"
    assert tasks["KUN-7"]["assignee_id"] == "712020:aa11"
    assert tasks["KUN-7"]["planned_hours"] == "7.5"
    assert tasks["KUN-7"]["completed_on"] == "2024-03-06"
    employees = by(export.tables["employees"], "employee_id")
    assert employees["712020:aa11"]["full_name"] == "Jana Berger"
    assert employees["712020:bb22"]["full_name"] == "712020:bb22"  # no name in the export
    sheets = by(export.tables["timesheets"], "entry_id")
    assert (sheets["KUN-7/1"]["hours"], sheets["KUN-7/2"]["employee_id"]) == ("1", "712020:bb22")


@pytest.mark.parametrize(("text", "expected"), [
    ("28/May/08 1:00 PM", date(2008, 5, 28)),
    ("28/May/2008 13:00", date(2008, 5, 28)),
    ("3/jan/24 12:15 AM", date(2024, 1, 3)),
    ("12/Oct/26", date(2026, 10, 12)),
    ("2008-05-28 13:00", date(2008, 5, 28)),
    ("31/Feb/24 1:00 PM", None),
    ("12/Foo/08 1:00 PM", None),
    ("", None),
])
def test_dates(text, expected):
    assert jira.jira_date(text) == expected


def test_unknown_status_stays_for_the_rule_to_report():
    assert jira.status_of("Awaiting Deploy", None, None) == "Awaiting Deploy"
    assert jira.status_of("Awaiting Deploy", "In Progress", None) == "in_progress"
    assert jira.status_of("Resolved", None, "Duplicate") == "cancelled"
    assert jira.status_of("Backlog", None, None) == "todo"


def test_an_issue_without_key_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Issue key,Summary,Status,Assignee\nA-1,Fine,Open,alice\n,Broken,Open,bob\n")
    with pytest.raises(ExportFault, match="line 3: the issue has no Issue key") as fault:
        jira.read(bad)
    assert "bob" not in str(fault.value)


def test_many_repeated_columns_read_in_linear_time(tmp_path):
    n = 20000
    header = ["Issue key", "Summary", "Status"] + ["Sprint"] * n + ["Log Work"] * n
    row = ["A-1", "Wide", "Open"] + ["S"] * n + [""] * n
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    started = time.perf_counter()
    export = jira.read(wide)
    assert time.perf_counter() - started < 3
    assert export.tables["tasks"]["task_id"].to_list() == ["A-1"]
