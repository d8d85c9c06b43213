"""The Primavera P6 XER reader, against small files written by hand.

Two snapshots of one project (data dates Wed 2024-03-06 and Wed 2024-03-13, the second saved
in Windows-1252 as P6 does), and the second cut short. Every expected value is worked out by
hand from the fixture (arithmetic in the comments). See tests/fixtures/xer/README.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines.contract import load_contract
from pipelines.ingest.readers import Export, ExportFault, xer
from pipelines.ingest.readers._common import spread_hours

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "xer"
FIRST = FIXTURES / "cafe_2024-03-06.xer"
SECOND = FIXTURES / "cafe_2024-03-13_cp1252.xer"
PERSONAL = ("José", "Müller", "Dana Example", "jose@example.com")


def rows(export: Export, entity: str) -> list[dict]:
    return export.tables[entity].to_dicts()


def by(export: Export, entity: str, column: str) -> dict[str, dict]:
    return {r[column]: r for r in rows(export, entity)}


def actual_cost(export: Export) -> Decimal:
    """AC as the KPI model computes it: sum of hours x hourly_cost, plus the expenses."""
    rate = {e["employee_id"]: Decimal(e["hourly_cost"] or 0) for e in rows(export, "employees")}
    labour = sum((Decimal(t["hours"]) * rate[t["employee_id"]]
                  for t in rows(export, "timesheets")), Decimal(0))
    return labour + sum((Decimal(e["amount"]) for e in rows(export, "expenses")), Decimal(0))


@pytest.fixture(scope="module")
def first() -> Export:
    return xer.read(FIRST)


@pytest.fixture(scope="module")
def second() -> Export:
    return xer.read(SECOND)


def variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = FIRST.read_bytes().decode("utf-8")
    assert old in text
    path = tmp_path / "variant.xer"
    path.write_bytes(text.replace(old, new, count).encode("utf-8"))
    return path


# ------------------------------------------------------------------ recognition and faults

@pytest.mark.parametrize("name", ["cafe_2024-03-06.xer", "cafe_2024-03-13_cp1252.xer",
                                  "cafe_truncated.xer"])
def test_recognise_the_ermhdr_line(name):
    path = FIXTURES / name
    assert xer.recognise(path, path.read_bytes()[:65536])


def test_recognise_refuses_other_files(tmp_path):
    path = tmp_path / "x.xer"
    assert xer.recognise(path, b"\xef\xbb\xbfERMHDR\t8.1\t2017-09-27\tProject\r\n")
    assert not xer.recognise(path, b'<?xml version="1.0"?><Project xmlns="x"/>')
    assert not xer.recognise(path, b"task_code,task_name\nA1010,Survey\n")
    assert not xer.recognise(path, b"%T\tTASK\r\n%F\ttask_id\r\n")  # no header line


def test_a_truncated_file_names_table_and_line():
    # the file stops inside TASKRSRC row 603: 5 of the 17 fields, and no %E
    with pytest.raises(ExportFault, match=r"table TASKRSRC, line 50: the row has 5 fields "
                                          r"where %F names 17; the file is truncated"):
        xer.read(FIXTURES / "cafe_truncated.xer")


def test_a_file_without_end_mark_is_truncated(tmp_path):
    path = variant(tmp_path, "%E\r\n", "")
    with pytest.raises(ExportFault, match=r"without the %E end mark \(last table PROJCOST\)"):
        xer.read(path)


def test_a_row_before_the_field_names_is_refused(tmp_path):
    path = variant(tmp_path, "%T\tCOSTTYPE\r\n%F\tcost_type_id\tseq_num\tcost_type\r\n",
                   "%T\tCOSTTYPE\r\n")
    with pytest.raises(ExportFault, match=r"table COSTTYPE, line \d+: a row \(%R\) before the "
                                          r"table's field names \(%F\)"):
        xer.read(path)


def test_a_line_break_inside_a_value_continues_the_row(tmp_path):
    path = variant(tmp_path, "\tSurvey and design\t", "\tSurvey and\r\ndesign\t")
    tasks = by(xer.read(path), "tasks", "task_id")
    assert tasks["CAFE-01/A1010"]["task_name"] == "Survey and\ndesign"
    assert tasks["CAFE-01/A1020"]["_row"] == tasks["CAFE-01/A1010"]["_row"] + 2  # its line


def test_a_bad_number_names_table_line_and_field(tmp_path):
    path = variant(tmp_path, "\t2400\t960\t", "\t2,400\t960\t")
    with pytest.raises(ExportFault, match=r"table TASKRSRC, line \d+: target_cost is not a number"):
        xer.read(path)


# ---------------------------------------------------------------- first snapshot (UTF-8)

def test_project_row(first):
    [project] = rows(first, "projects")
    assert project | {"_row": None, "_ref": None} == {
        "project_id": "CAFE-01", "project_name": "Café Fit-out – Phase 1",  # root WBS node
        "department": "Construction",             # OBS of the root WBS node
        "start_date": "2024-03-04", "planned_end_date": "2024-03-22",  # scd_end_date
        # BAC = TASKRSRC target_cost 2400 + 2880 + 800 + 1200 + PROJCOST target_cost 3000
        "budget": "10280", "status": "active",     # WS_Open, not every activity complete
        "working_weekdays": "1111100", "_row": None, "_ref": None}
    assert first.source_id == "CAFE-01"
    assert first.status_date == date(2024, 3, 6)   # last_recalc_date, the data date
    assert first.notes == []                       # UTF-8: nothing to say


def test_tasks_are_task_resource_and_level_of_effort_activities(first):
    tasks = by(first, "tasks", "task_id")
    # A1000 (TT_Mile) and A1040 (TT_FinMile) are no tasks
    assert sorted(tasks) == ["CAFE-01/A1010", "CAFE-01/A1020", "CAFE-01/A1030"]
    survey, joinery, supervision = (tasks[f"CAFE-01/{c}"] for c in ("A1010", "A1020", "A1030"))
    assert survey | {"_row": None} == {
        "task_id": "CAFE-01/A1010", "project_id": "CAFE-01", "task_name": "Survey and design",
        "assignee_id": "JMU", "created_on": "2024-02-26", "planned_start": "2024-03-04",
        "planned_end": "2024-03-08", "planned_hours": "40", "planned_cost": "2400",
        "actual_start": "2024-03-04", "completed_on": None, "status": "in_progress",
        "_row": None, "_ref": "TASK row 2 (task_code A1010)"}
    # target_work_qty 64 counts labour only (the crane's 8 h are equipment);
    # cost 2880 (carpenter) + 800 (crane) + 3000 (PROJCOST materials) = 6680
    assert (joinery["planned_hours"], joinery["planned_cost"]) == ("64", "6680")
    assert (joinery["status"], joinery["assignee_id"]) == ("todo", "DEX")
    # LOE with empty target_work_qty: the TASKRSRC target_qty (20); no create_date: the
    # project's planned start
    assert (supervision["planned_hours"], supervision["created_on"]) == ("20", "2024-03-04")


def test_employees_are_labour_resources_with_their_first_rate(first):
    employees = by(first, "employees", "employee_id")
    assert sorted(employees) == ["DEX", "JMU"]     # the crane (RT_Equip) is no employee
    jose, dana = employees["JMU"], employees["DEX"]
    assert (jose["full_name"], jose["email"], jose["role"]) == (
        "José Müller", "jose@example.com", "Site engineer")
    # the rate from 2020-01-01 (60), not the later one listed first in RSRCRATE (65)
    assert (jose["hourly_cost"], jose["weekly_capacity_hours"]) == ("60", "40")
    assert (dana["hourly_cost"], dana["weekly_capacity_hours"]) == ("45", "32")  # 0.8 x 40


def test_first_snapshot_actuals(first):
    sheet = {(r["task_id"], r["work_date"]): r["hours"] for r in rows(first, "timesheets")}
    # 16 h on A1010 and 2 h on A1030, Mon 03-04 and Tue 03-05 (the data date is Wed 03-06)
    assert sheet == {("CAFE-01/A1010", "2024-03-04"): "8", ("CAFE-01/A1010", "2024-03-05"): "8",
                     ("CAFE-01/A1030", "2024-03-04"): "1", ("CAFE-01/A1030", "2024-03-05"): "1"}
    assert rows(first, "expenses") == []            # 960 + 120 = 18 h x 60: all labour
    assert actual_cost(first) == Decimal(1080)


# ------------------------------------------------------------- second snapshot (cp1252)

def test_windows_1252_is_read_and_said(second):
    [project] = rows(second, "projects")
    assert project["project_name"] == "Café Fit-out – Phase 1"  # é = 0xE9, – = 0x96
    assert by(second, "employees", "employee_id")["JMU"]["full_name"] == "José Müller"
    assert by(second, "tasks", "task_id")["CAFE-01/A1025"]["task_name"] == \
        "Snagging – café counter"
    assert any("Windows-1252" in note for note in second.notes)


def test_second_snapshot_plan_and_progress(second):
    [project] = rows(second, "projects")
    assert project["budget"] == "11000"              # 10280 + A1025's 720
    assert project["planned_end_date"] == "2024-03-25"
    assert second.status_date == date(2024, 3, 13)
    tasks = by(second, "tasks", "task_id")
    assert (tasks["CAFE-01/A1010"]["status"], tasks["CAFE-01/A1010"]["completed_on"]) == (
        "done", "2024-03-08")
    assert tasks["CAFE-01/A1025"]["created_on"] == "2024-03-12"
    progress = {r["task_id"]: r["percent_complete"] for r in rows(second, "task_progress")}
    assert progress == {"CAFE-01/A1010": "100", "CAFE-01/A1020": "25", "CAFE-01/A1030": "40",
                        "CAFE-01/A1025": "0"}     # phys_complete_pct
    assert {r["status_date"] for r in rows(second, "task_progress")} == {"2024-03-13"}


def test_second_snapshot_hours_spread_over_working_days(second):
    sheet = {(r["task_id"], r["employee_id"], r["work_date"]): Decimal(r["hours"])
             for r in rows(second, "timesheets")}
    survey = {d: h for (t, _, d), h in sheet.items() if t == "CAFE-01/A1010"}
    joinery = {(e, d): h for (t, e, d), h in sheet.items() if t == "CAFE-01/A1020"}
    supervision = {d: h for (t, _, d), h in sheet.items() if t == "CAFE-01/A1030"}
    # 36 regular + 4 overtime hours, actual start Mon 03-04 to actual finish Fri 03-08
    assert survey == {f"2024-03-0{d}": Decimal(8) for d in (4, 5, 6, 7, 8)}
    # 13 h from Mon 03-11 up to the day before the data date (Tue 03-12); the crane's 4 h
    # are not hours of a person
    assert joinery == {("DEX", "2024-03-11"): Decimal("6.5"), ("DEX", "2024-03-12"): Decimal("6.5")}
    # 9 h over 7 working days (03-04..03-08, 03-11, 03-12): 900 hundredths / 7 = 128 r 4
    assert sorted(supervision.values()) == [Decimal("1.28")] * 3 + [Decimal("1.29")] * 4
    assert sum(supervision.values()) == Decimal(9)


def test_second_snapshot_ac_equals_the_file(second):
    expenses = {r["expense_id"]: (r["amount"], r["expense_date"], r["category"])
                for r in rows(second, "expenses")}
    assert expenses == {
        # overtime premium: 2160 + 360 - 40 h x 60 = 120
        "CAFE-01/A1010/other-cost": ("120", "2024-03-04", "resource cost not in timesheets"),
        "CAFE-01/A1020/expense/700": ("1800", "2024-03-11", "Materials"),  # PROJCOST act_cost
        "CAFE-01/A1020/other-cost": ("400", "2024-03-11", "resource cost not in timesheets"),
    }
    # AC of the file: act_reg_cost + act_ot_cost 2160 + 360 + 585 + 400 + 540, + 1800
    assert actual_cost(second) == Decimal(5845)


def test_snapshots_of_one_schedule(first, second):
    assert first.source_id == second.source_id == "CAFE-01"
    assert first.status_date < second.status_date
    # the later snapshot sends every timesheet key of the earlier one again (later file wins)
    keys = {r["entry_id"] for r in rows(first, "timesheets")}
    assert keys <= {r["entry_id"] for r in rows(second, "timesheets")}
    assert "CAFE-01/A1010/JMU/2024-03-04" in keys


def two_projects(tmp_path, first_date: str) -> Export:
    """The first fixture with a second project CAFE-02 (data date 2024-03-20, no activities)
    after CAFE-01, whose data date becomes `first_date` (empty: none)."""
    text = FIRST.read_bytes().decode("utf-8")
    project_row = next(line for line in text.split("\r\n") if line.startswith("%R\t100\tCAFE-01"))
    other = project_row.replace("%R\t100\tCAFE-01", "%R\t101\tCAFE-02").replace(
        "2024-03-06 00:00", "2024-03-20 00:00")
    mine = project_row.replace("2024-03-06 00:00", first_date)
    path = tmp_path / "two.xer"
    path.write_bytes(text.replace(project_row, mine + "\r\n" + other).encode("utf-8"))
    return xer.read(path)


def snapshot_of(export: Export, entity: str) -> set[tuple]:
    return set(export.tables[entity].select("_source", "_as_of").unique().iter_rows())


def test_two_projects_in_one_file_each_dated_by_its_own_data_date(tmp_path):
    export = two_projects(tmp_path, "2024-03-06 00:00")
    assert sorted(r["project_id"] for r in rows(export, "projects")) == ["CAFE-01", "CAFE-02"]
    assert snapshot_of(export, "projects") == {("CAFE-01", "2024-03-06"),
                                               ("CAFE-02", "2024-03-20")}
    # every activity is CAFE-01's: its rows are a snapshot as of its own data date (the first
    # snapshot has no expenses: nothing spent beyond the timesheets by 03-06)
    assert rows(export, "expenses") == []
    for entity in ("tasks", "task_progress", "timesheets"):
        assert snapshot_of(export, entity) == {("CAFE-01", "2024-03-06")}, entity
    assert {r["status_date"] for r in rows(export, "task_progress")} == {"2024-03-06"}
    # the resources belong to no one project: the pair's snapshot, as of the latest data date
    assert export.source_id == "CAFE-01+CAFE-02"
    assert export.status_date == date(2024, 3, 20)
    assert "_as_of" not in export.tables["employees"].columns
    assert any("2 projects" in note for note in export.notes)


def test_a_first_project_without_data_date_leaves_only_its_own_rows_undated(tmp_path):
    export = two_projects(tmp_path, "")
    assert snapshot_of(export, "projects") == {("CAFE-01", None), ("CAFE-02", "2024-03-20")}
    assert snapshot_of(export, "tasks") == {("CAFE-01", None)}
    assert rows(export, "task_progress") == []  # no data date: no progress report of CAFE-01
    assert export.status_date == date(2024, 3, 20)  # CAFE-02's, not none


# ------------------------------------------------------------------------------ the shape

@pytest.mark.parametrize("path", [FIRST, SECOND], ids=lambda p: p.stem)
def test_frames_are_contract_strings_with_provenance(path):
    export = xer.read(path)
    contract = load_contract()
    for entity, df in export.tables.items():
        assert set(df.columns) - {"_row", "_ref"} <= set(contract[entity].column_names), entity
        assert df.schema["_row"] == pl.Int64 and df.schema["_ref"] == pl.String
        assert all(t == pl.String for c, t in df.schema.items() if c != "_row"), entity
        assert df["_row"].n_unique() == df.height, entity


@pytest.mark.parametrize("path", [FIRST, SECOND], ids=lambda p: p.stem)
def test_no_personal_data_in_notes_or_references(path):
    export = xer.read(path)
    text = " ".join(export.notes) + " ".join(
        r for df in export.tables.values() for r in df["_ref"].to_list())
    assert not any(p in text for p in PERSONAL)


# ------------------------------------------------------------------- spreading (shared)

def test_spread_is_even_and_exact_to_the_hundredth():
    days = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)]
    assert spread_hours(Decimal(10), days) == [
        (days[0], Decimal("3.34")), (days[1], Decimal("3.33")), (days[2], Decimal("3.33"))]


def test_spread_keeps_a_person_under_24_hours_a_day():
    days = [date(2024, 3, 4), date(2024, 3, 5)]
    booked = {days[0]: Decimal(16)}                  # 16 h already on Monday
    # 20 h: 10 + 10 would make Monday 26 h; Monday takes its 8 h of room, Tuesday the rest
    assert spread_hours(Decimal(20), days, booked) == [(days[0], Decimal(8)),
                                                       (days[1], Decimal(12))]
    assert booked == {days[0]: Decimal(24), days[1]: Decimal(12)}
    # more than fits: the rest lands on the last day, over 24 h, for the checks to report
    assert spread_hours(Decimal(30), days, booked) == [(days[1], Decimal(30))]
    assert booked[days[1]] == Decimal(42)
