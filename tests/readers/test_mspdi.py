"""The MS Project XML (MSPDI) reader, against small files written by hand.

Every expected value below is worked out from the fixture by hand (the arithmetic is in the
comments), never copied from the reader's output. The fixtures are described in
tests/fixtures/mspdi/README.md.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines.contract import load_contract
from pipelines.ingest.readers import Export, ExportFault, mspdi
from pipelines.ingest.readers._common import parse_iso_duration_hours

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mspdi"
BASELINE = FIXTURES / "office_move_baseline.xml"
TOTALS_ONLY = FIXTURES / "website_actual_work_only.xml"
GUID = "6F2A1C3E-0B1D-4E0F-9A55-2C3D4E5F6A70"
PERSONAL = ("Alex Example", "Robin Example", "Sam Example", "Kim Example", "@example.com")


def head(path: Path) -> bytes:
    return path.read_bytes()[:65536]


def rows(export: Export, entity: str) -> list[dict]:
    return export.tables[entity].to_dicts()


def by(export: Export, entity: str, column: str) -> dict[str, dict]:
    return {r[column]: r for r in rows(export, entity)}


def actual_cost(export: Export) -> Decimal:
    """AC as the KPI model computes it: timesheet hours x the employee's hourly_cost, plus the
    expense amounts (models/intermediate/int_project_actuals.sql)."""
    rate = {e["employee_id"]: Decimal(e["hourly_cost"] or 0) for e in rows(export, "employees")}
    labour = sum((Decimal(t["hours"]) * rate[t["employee_id"]]
                  for t in rows(export, "timesheets")), Decimal(0))
    other = sum((Decimal(e["amount"]) for e in rows(export, "expenses")), Decimal(0))
    return labour + other


@pytest.fixture(scope="module")
def baseline() -> Export:
    return mspdi.read(BASELINE)


@pytest.fixture(scope="module")
def totals_only() -> Export:
    return mspdi.read(TOTALS_ONLY)


# ------------------------------------------------------------------------------ recognition

@pytest.mark.parametrize("name, expected", [
    ("office_move_baseline.xml", True),
    ("website_actual_work_only.xml", True),
    ("truncated.xml", True),              # starts like MSPDI: read() says what is wrong
    ("not_mspdi.xml", False),             # XML with another root element
    ("project_without_namespace.xml", False),  # <Project>, but not in the MSPDI namespace
])
def test_recognise_by_root_element_and_namespace(name, expected):
    path = FIXTURES / name
    assert mspdi.recognise(path, head(path)) is expected


def test_recognise_refuses_what_is_no_xml(tmp_path):
    path = tmp_path / "plan.xml"
    assert not mspdi.recognise(path, b"ERMHDR\t19.12\t2024-03-06\tProject\n")
    assert not mspdi.recognise(path, b"project_id,project_name\nP1,Office\n")
    assert not mspdi.recognise(path, b"")


def test_a_truncated_file_is_refused_with_its_line():
    with pytest.raises(ExportFault, match=r"not well-formed XML: .* at line 171.*truncated"):
        mspdi.read(FIXTURES / "truncated.xml")


def test_another_xml_is_refused_naming_its_root():
    with pytest.raises(ExportFault, match=r"root element is <project> without namespace"):
        mspdi.read(FIXTURES / "not_mspdi.xml")


def test_a_bad_duration_names_the_record_not_its_content(tmp_path):
    text = BASELINE.read_text().replace("<Work>PT16H0M0S</Work>", "<Work>sixteen</Work>", 1)
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(ExportFault, match=r"^Task UID 2: Work is not an ISO 8601 duration$"):
        mspdi.read(path)


# ------------------------------------------------------------------ plan with baseline

def test_project_row_from_the_summary_task_and_its_baseline(baseline):
    [project] = rows(baseline, "projects")
    assert project["project_id"] == GUID                # <GUID> wins over Title and Name
    assert baseline.source_id == GUID
    assert project["project_name"] == "Office Move"     # Title, not the file name in <Name>
    assert project["department"] == "Facilities"        # no Subject: Category
    assert project["start_date"] == "2024-03-04"
    assert project["planned_end_date"] == "2024-03-15"  # UID 0 Baseline 0 Finish, not 03-18
    assert project["budget"] == "2410"                  # UID 0 Baseline 0 Cost, not Cost 5030
    assert project["status"] == "active"                # 45 % complete
    assert project["actual_end_date"] is None           # not 100 % complete
    assert project["working_weekdays"] == "1111100"     # DayType 1 (Sunday) and 7 off
    assert baseline.status_date.isoformat() == "2024-03-08"  # StatusDate, not CurrentDate


def test_tasks_are_the_leaves_without_summaries_and_milestones(baseline):
    tasks = by(baseline, "tasks", "task_id")
    # UID 0 (project), 1 and 4 (summaries) and 6 (milestone) are left out
    assert sorted(tasks) == [f"{GUID}/{uid}" for uid in (2, 3, 5, 7)]
    survey, furniture, move, review = (tasks[f"{GUID}/{u}"] for u in (2, 3, 5, 7))

    assert survey | {"_row": None} == {
        "task_id": f"{GUID}/2", "project_id": GUID, "task_name": "Survey site",
        "assignee_id": f"{GUID}/R1", "created_on": "2024-02-20",
        "planned_start": "2024-03-04", "planned_end": "2024-03-05", "planned_hours": "16",
        "planned_cost": "800", "actual_start": "2024-03-04", "completed_on": "2024-03-05",
        "status": "done", "_row": None, "_ref": "Task UID 2"}
    # baseline 0 (not baseline 1, not the current values) gives the plan
    assert (furniture["planned_start"], furniture["planned_end"]) == ("2024-03-06", "2024-03-08")
    assert (furniture["planned_hours"], furniture["planned_cost"]) == ("24", "1460")
    assert furniture["status"] == "in_progress" and furniture["completed_on"] is None
    # no baseline: the current Start, Finish, Work and Cost (2000 labour + 300 van hire)
    assert (move["planned_start"], move["planned_end"]) == ("2024-03-11", "2024-03-15")
    assert (move["planned_hours"], move["planned_cost"]) == ("40", "2300")
    assert move["status"] == "todo"
    # first *work* assignment: UID 4 (Alex), not UID 3 (the van-hire cost resource)
    assert move["assignee_id"] == f"{GUID}/R1"
    # no CreateDate: the project start; 0 h of work: kept as the file states it
    assert review["created_on"] == "2024-03-04"
    assert review["planned_hours"] == "0"
    assert review["assignee_id"] is None      # its assignment has no resource (-65535)
    assert any("no planned work" in note for note in baseline.notes)


def test_progress_of_the_tasks_at_the_status_date(baseline):
    progress = {r["task_id"]: (r["status_date"], r["percent_complete"])
                for r in rows(baseline, "task_progress")}
    assert progress == {f"{GUID}/2": ("2024-03-08", "100"), f"{GUID}/3": ("2024-03-08", "60"),
                        f"{GUID}/5": ("2024-03-08", "0"), f"{GUID}/7": ("2024-03-08", "0")}


def test_work_resources_are_employees(baseline):
    employees = by(baseline, "employees", "employee_id")
    # UID 0 (MS Project's placeholder) and UID 3 (a cost resource, Type 2) are no employees
    assert sorted(employees) == [f"{GUID}/R1", f"{GUID}/R2"]
    alex, robin = employees[f"{GUID}/R1"], employees[f"{GUID}/R2"]
    assert (alex["full_name"], alex["email"], alex["department"]) == (
        "Alex Example", "alex@example.com", "Facilities")
    assert (alex["hourly_cost"], alex["weekly_capacity_hours"]) == ("50", "40")   # 1.00 x 40 h
    assert (robin["hourly_cost"], robin["weekly_capacity_hours"]) == ("40", "20")  # 0.50 x 40 h


def test_timephased_actuals_become_timesheets(baseline):
    sheet = {(r["employee_id"], r["task_id"], r["work_date"]): r["hours"]
             for r in rows(baseline, "timesheets")}
    assert sheet == {
        # assignment 1: two daily buckets of 8 h (08:00 to 08:00 next day, then 08:00-17:00)
        (f"{GUID}/R1", f"{GUID}/2", "2024-03-04"): "8",
        (f"{GUID}/R1", f"{GUID}/2", "2024-03-05"): "8",
        # assignment 2: one bucket of 24 h from Wed 03-06 08:00 to Sat 03-09 08:00 = 3 days
        (f"{GUID}/R2", f"{GUID}/3", "2024-03-06"): "8",
        (f"{GUID}/R2", f"{GUID}/3", "2024-03-07"): "8",
        (f"{GUID}/R2", f"{GUID}/3", "2024-03-08"): "8",
    }
    ids = [r["entry_id"] for r in rows(baseline, "timesheets")]
    assert f"{GUID}/A1/2024-03-04" in ids and f"{GUID}/A2/2024-03-08" in ids
    # remaining work (Type 1) on 03-11 is no actual: not a timesheet


def test_cost_beyond_labour_is_an_expense_so_ac_matches_the_file(baseline):
    expenses = {r["expense_id"]: r for r in rows(baseline, "expenses")}
    # task 3: ActualCost 1460 - 24 h x 40 = 500 (its fixed cost), on its actual start
    fixed = expenses[f"{GUID}/3/other-cost"]
    assert (fixed["amount"], fixed["expense_date"], fixed["category"]) == (
        "500", "2024-03-06", "fixed cost")
    # summary 1 carries 150 of its own: ActualCost 2410 - children (800 + 1460)
    assert expenses[f"{GUID}/1/other-cost"]["amount"] == "150"
    assert len(expenses) == 2  # task 2: 800 = 16 h x 50; UID 0: 2410 - 2410 = 0
    # AC = 16 x 50 + 24 x 40 + 500 + 150 = 2410 = ActualCost of the project summary task
    assert actual_cost(baseline) == Decimal(2410)


# ------------------------------------------------------------- only ActualWork totals

def test_project_without_guid_or_baseline(totals_only):
    [project] = rows(totals_only, "projects")
    assert project["project_id"] == "Website Relaunch"  # Title (the Name is a file name)
    assert project["department"] == "Marketing"         # Subject before Company
    assert project["budget"] == "9600"                  # no baseline: UID 0 Cost
    assert project["planned_end_date"] == "2024-05-23"  # no baseline: FinishDate
    assert project["working_weekdays"] == "1111000"     # Monday..Thursday calendar
    assert totals_only.status_date.isoformat() == "2024-05-10"  # no StatusDate: CurrentDate
    assert sorted(r["task_id"] for r in rows(totals_only, "tasks")) == [
        "Website Relaunch/1", "Website Relaunch/2"]     # UID 3 is a milestone


def test_actual_work_totals_are_spread_over_working_days(totals_only):
    sheet = {(r["task_id"], r["work_date"]): r["hours"] for r in rows(totals_only, "timesheets")}
    design = {d: h for (t, d), h in sheet.items() if t == "Website Relaunch/1"}
    build = {d: h for (t, d), h in sheet.items() if t == "Website Relaunch/2"}
    # Design: 48 h from Mon 04-29 to its actual finish Thu 05-02 = 4 working days of 12 h
    assert design == {"2024-04-29": "12", "2024-04-30": "12", "2024-05-01": "12",
                      "2024-05-02": "12"}
    # Build: 30 h from Mon 05-06 to the status date Fri 05-10; Friday is off in this
    # calendar, so Mon..Thu = 4 days of 7.5 h
    assert build == {"2024-05-06": "7.5", "2024-05-07": "7.5", "2024-05-08": "7.5",
                     "2024-05-09": "7.5"}
    assert sum(Decimal(h) for h in sheet.values()) == Decimal(78)  # UID 0 ActualWork
    assert any("spread evenly" in note for note in totals_only.notes)


def test_ac_of_the_totals_file_matches_its_actual_cost(totals_only):
    # labour 48 x 75 + 30 x 60 = 5400; Build's ActualCost 1900 - 1800 = 100 is an expense
    [expense] = rows(totals_only, "expenses")
    assert (expense["expense_id"], expense["amount"], expense["expense_date"]) == (
        "Website Relaunch/2/other-cost", "100", "2024-05-06")
    assert actual_cost(totals_only) == Decimal(5500)


# ------------------------------------------------------------------------------ the shape

@pytest.mark.parametrize("path", [BASELINE, TOTALS_ONLY], ids=lambda p: p.stem)
def test_frames_are_contract_strings_with_provenance(path):
    export = mspdi.read(path)
    contract = load_contract()
    for entity, df in export.tables.items():
        assert set(df.columns) - {"_row", "_ref"} <= set(contract[entity].column_names), entity
        assert df.schema["_row"] == pl.Int64 and df.schema["_ref"] == pl.String
        assert all(t == pl.String for c, t in df.schema.items() if c != "_row"), entity
        assert df["_row"].n_unique() == df.height, entity  # one place per row
        assert df["_row"].min() is None or df["_row"].min() >= 1


@pytest.mark.parametrize("path", [BASELINE, TOTALS_ONLY], ids=lambda p: p.stem)
def test_no_personal_data_in_notes_or_references(path):
    export = mspdi.read(path)
    text = " ".join(export.notes) + " ".join(
        r for df in export.tables.values() for r in df["_ref"].to_list())
    assert not any(p in text for p in PERSONAL)


@pytest.mark.parametrize("text, hours", [
    ("PT8H30M0S", Decimal("8.5")), ("PT480H0M0S", Decimal(480)), ("PT0H0M0S", Decimal(0)),
    ("PT7H45M0S", Decimal("7.75")), ("PT1H0M36S", Decimal("1.01")), ("P1DT2H", Decimal(26)),
    ("", None)])
def test_iso_durations_in_hours(text, hours):
    assert parse_iso_duration_hours(text) == hours


@pytest.mark.parametrize("text", ["8h", "PT", "P1M", "PT8H-3M"])
def test_what_is_no_duration_is_refused(text):
    with pytest.raises(ValueError):
        parse_iso_duration_hours(text)
