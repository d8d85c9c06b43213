"""Toggl Track, Clockify and Harvest detailed reports, and resolving their names to ids."""

from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.readers import ExportFault
from pipelines.ingest.readers import jira, timesheet_tools as tt
from pipelines.ingest.readers._text import duration_seconds, time_seconds

HERE = Path(__file__).parent.parent / "fixtures" / "timesheet_tools"
TOGGL, CLOCKIFY = HERE / "toggl_detailed.csv", HERE / "clockify_detailed.csv"
HARVEST, HARVEST_DE = HERE / "harvest_detailed.csv", HERE / "harvest_semicolon_cp1252.csv"
PERSONAL = ("aisha", "patel", "jan@", "de vries", "ben", "okafor", "hugo", "bernard", "julien",
            "roux", "example.com")


def rows(path):
    return list(tt.read(path).tables["timesheets"].iter_rows(named=True))


def pick(row, *keys):
    return tuple(row[k] for k in keys)


@pytest.mark.parametrize(("path", "tool"), [(TOGGL, "toggl"), (CLOCKIFY, "clockify"),
                                            (HARVEST, "harvest"), (HARVEST_DE, "harvest")])
def test_recognises_each_tool(path, tool):
    head = path.read_bytes()[:65536]
    assert tt.recognise(path, head)
    assert not jira.recognise(path, head)
    assert all(r["entry_id"].startswith(f"{tool}:") for r in rows(path))


def test_jira_export_is_not_a_timesheet():
    issues = HERE.parent / "jira" / "issues.csv"
    assert not tt.recognise(issues, issues.read_bytes()[:65536])


def test_toggl():
    found = rows(TOGGL)  # starts with a UTF-8 byte-order mark, as Toggl writes it
    assert [pick(r, "work_date", "hours", "_project_name", "_task_name") for r in found] == [
        ("2024-03-04", "1.5", "Bridge upgrade", "Site visit"),
        ("2024-03-04", "0.25", "Bridge upgrade", "Design review"),
        ("2024-03-04", "0.75", None, None),
        ("2024-03-05", "1.25", "Bridge upgrade", None),  # crosses midnight: the start day
    ]
    assert found[0]["_employee_email"] == "AISHA.PATEL@example.com"
    assert found[0]["_employee_name"] == "Aisha Patel"
    assert [pick(r, "_row", "_ref") for r in found][:2] == [(1, "line 2"), (2, "line 3")]
    assert "employee_id" not in tt.read(TOGGL).tables["timesheets"].columns


def test_clockify_us_dates_and_12_hour_times():
    found = rows(CLOCKIFY)
    assert [pick(r, "work_date", "hours", "_task_name") for r in found] == [
        ("2024-01-15", "2.5", "Design"),
        ("2024-01-15", "1.2833", "Backend"),  # 01:17:00 exactly, not the rounded 1.28
        ("2024-01-16", "0.5", "Design"),
    ]


def test_harvest_names_and_repeated_entries():
    found = rows(HARVEST)
    assert [pick(r, "work_date", "hours", "_employee_name", "_employee_email") for r in found] \
        == [("2024-02-12", "3.5", "Hugo Bernard", None),
            ("2024-02-13", "2", "Julien Roux", None), ("2024-02-13", "2", "Julien Roux", None)]
    ids = [r["entry_id"] for r in found]
    assert ids[2] == ids[1] + "~2"  # the same entry twice: both kept, ids still unique


def test_european_export_semicolons_decimal_commas_dotted_dates_cp1252():
    export = tt.read(HARVEST_DE)
    found = list(export.tables["timesheets"].iter_rows(named=True))
    assert [pick(r, "work_date", "hours", "_employee_name", "_task_name") for r in found] == [
        ("2024-02-26", "7.5", "Jürgen Müller", "Entwicklung"),
        ("2024-02-27", "1.25", "Jürgen Müller", "Test")]
    assert export.notes == ["the file is not UTF-8; it was read as cp1252"]


def test_entry_ids_survive_a_reordered_re_export(tmp_path):
    lines = TOGGL.read_text(encoding="utf-8-sig").splitlines()
    again = tmp_path / "again.csv"
    again.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert sorted(r["entry_id"] for r in rows(TOGGL)) == sorted(r["entry_id"] for r in rows(again))
    assert not any(p in r["entry_id"].lower() for r in rows(TOGGL) for p in PERSONAL)


def test_ambiguous_dates_are_refused(tmp_path):
    ambiguous = tmp_path / "toggl.csv"
    ambiguous.write_text(
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
        "End time,Duration,Tags,Amount ()\n"
        "Aisha Patel,aisha@example.com,,P,T,d,No,03/04/2024,09:00:00,03/04/2024,10:00:00,"
        "01:00:00,,\n"
        "Aisha Patel,aisha@example.com,,P,T,d,No,05/04/2024,09:00:00,05/04/2024,10:00:00,"
        "01:00:00,,\n")
    with pytest.raises(ExportFault, match="MM/DD/YYYY and DD/MM/YYYY") as fault:
        tt.read(ambiguous)
    assert not any(p in str(fault.value).lower() for p in PERSONAL)
    # one day above 12 tells the order
    ambiguous.write_text(ambiguous.read_text().replace("05/04/2024", "25/04/2024"))
    assert [r["work_date"] for r in rows(ambiguous)] == ["2024-04-03", "2024-04-25"]


def test_hours_fall_back_to_decimal_column_then_clock_times(tmp_path):
    export = tmp_path / "clockify.csv"
    export.write_text(
        "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
        "End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),"
        "Billable Amount (USD)\n"
        "P,,d,T,U,,u@example.com,,No,2024-01-15,09:00,2024-01-15,10:00,,\"1,75\",,\n"
        "P,,d,T,U,,u@example.com,,No,2024-01-15,11:00 PM,2024-01-16,01:30 AM,,,,\n")
    assert [r["hours"] for r in rows(export)] == ["1.75", "2.5"]


@pytest.mark.parametrize(("text", "seconds"), [
    ("01:30 PM", 13 * 3600 + 1800), ("12:00 AM", 0), ("12:30 PM", 12 * 3600 + 1800),
    ("1:30:15 pm", 13 * 3600 + 1815), ("13:30", 13 * 3600 + 1800), ("13:30 PM", None),
    ("25:00", None)])
def test_clock_times(text, seconds):
    assert time_seconds(text) == seconds


def test_durations():
    assert duration_seconds("01:30:00") == 5400
    assert duration_seconds("125:10:00") == 125 * 3600 + 600
    assert duration_seconds("47:06 min") == 47 * 60 + 6
    assert duration_seconds("1.5") is None


@pytest.fixture
def warehouse():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.employees(employee_id VARCHAR, full_name VARCHAR, "
                "email VARCHAR, department VARCHAR)")
    con.execute("CREATE TABLE raw.projects(project_id VARCHAR, project_name VARCHAR)")
    con.execute("CREATE TABLE raw.tasks(task_id VARCHAR, project_id VARCHAR, task_name VARCHAR)")
    con.execute("""INSERT INTO raw.employees VALUES
        ('E1', 'Aisha Patel', 'aisha.patel@example.com ', 'Civil'),
        ('E2', 'Jan de Vries', 'jan@example.com', 'Civil'),
        ('E3', 'Hugo Bernard', NULL, 'Design'),
        ('E3', 'Hugo Bernard', NULL, 'Design')""")  # delivered twice: still one employee
    con.execute("INSERT INTO raw.projects VALUES ('P1', ' bridge UPGRADE'), ('P2', 'Brochure')")
    con.execute("""INSERT INTO raw.tasks VALUES
        ('T1', 'P1', 'Site Visit'), ('T2', 'P1', 'Design review'), ('T3', 'P1', 'design review'),
        ('T4', 'P2', 'Design')""")
    yield con
    con.close()


def test_resolve_toggl_rows(warehouse):
    warehouse.register("toggl", tt.read(TOGGL).tables["timesheets"].to_arrow())
    sql, unresolved = tt.resolve_timesheets(warehouse, "toggl")
    resolved = warehouse.execute(
        f"SELECT _row, employee_id, task_id, hours FROM ({sql}) ORDER BY _row").fetchall()
    assert resolved == [(1, "E1", "T1", "1.5"),   # e-mail in capitals, names in other case
                        (3, "E2", None, "0.75")]  # no project, no task: time off projects
    assert unresolved == [
        {"_row": 2, "_ref": "line 3",
         "reason": "task name matches 2 tasks in project 'Bridge upgrade'",
         "person": None, "task": "task name matches 2 tasks in project 'Bridge upgrade'"},
        {"_row": 4, "_ref": "line 5",
         "reason": "the entry names project 'Bridge upgrade' but no task",
         "person": None, "task": "the entry names project 'Bridge upgrade' but no task"}]
    columns = [d[0] for d in warehouse.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    assert {"entry_id", "work_date", "hours", "employee_id", "task_id", "_row", "_ref"} \
        <= set(columns)


def test_resolve_by_name_when_the_export_has_no_email(warehouse):
    warehouse.register("harvest", tt.read(HARVEST).tables["timesheets"].to_arrow())
    sql, unresolved = tt.resolve_timesheets(warehouse, "harvest")
    assert warehouse.execute(f"SELECT _row, employee_id, task_id FROM ({sql})").fetchall() \
        == [(1, "E3", "T4")]
    assert [(u["_row"], u["reason"]) for u in unresolved] == [
        (2, "no employee with this name"), (3, "no employee with this name")]
    assert not any(p in u["reason"].lower() for u in unresolved for p in PERSONAL)


def test_resolve_reasons(warehouse):
    warehouse.execute("""CREATE TABLE ts AS SELECT * FROM (VALUES
        (1, 'line 2', 'nobody@example.com', NULL, 'Brochure', 'Design'),
        (2, 'line 3', 'jan@example.com', NULL, 'Harbour', 'Design'),
        (3, 'line 4', 'jan@example.com', NULL, 'Brochure', 'Printing'),
        (4, 'line 5', 'jan@example.com', NULL, NULL, 'Design'),
        (5, 'line 6', 'jan@example.com', NULL, NULL, 'design review'),
        (6, 'line 7', NULL, NULL, NULL, NULL))
        AS t(_row, _ref, _employee_email, _employee_name, _project_name, _task_name)""")
    sql, unresolved = tt.resolve_timesheets(warehouse, "ts")
    assert warehouse.execute(f"SELECT _row, employee_id, task_id FROM ({sql})").fetchall() \
        == [(4, "E2", "T4")]  # a task name unique across projects needs no project
    assert {u["_row"]: u["reason"] for u in unresolved} == {
        1: "no employee with this e-mail",
        2: "no project named 'Harbour'",
        3: "no task named 'Printing' in project 'Brochure'",
        5: "task name matches 2 tasks",
        6: "the entry names no person"}
