"""Microsoft Project XML (MSPDI): one schedule saved as XML by MS Project (File > Save As >
XML), Project Online exports or tools that write the same schema.

One project per file. The file is read in one streaming pass (iterparse): the records
(Calendar, Task, Resource, Assignment) are taken one at a time, kept only as the few values
the mapping needs and dropped from the tree, so memory follows the number of records, not
the file size. `_row` is a record's number among the records of its kind (the 7th <Task>
element is row 7 of tasks); `_ref` names its UID, which MS Project shows.
The mapping is written down for users in docs/formats/mspdi.md.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from pipelines.ingest.readers import Export, ExportFault
from pipelines.ingest.readers._common import (
    schedule_columns,
    fmt_decimal,
    frame,
    iso_date,
    parse_iso_duration_hours,
    spread_hours,
    to_decimal,
    working_days,
)

NAMESPACE = "http://schemas.microsoft.com/project"
_Q = "{" + NAMESPACE + "}"  # prefix of every MSPDI element's tag
_SEP = "\x1f"  # expat's separator between namespace and local name
_CONTAINERS = {"Calendars": "Calendar", "Tasks": "Task", "Resources": "Resource",
               "Assignments": "Assignment"}
_ACTUAL_WORK = "2"      # TimephasedData Type: assignment actual work
_WORK_RESOURCE = "1"    # Resource Type: 0 material, 1 work, 2 cost
_UNASSIGNED = "-65535"  # ResourceUID of an assignment without resource
_ZERO = Decimal(0)

COLUMNS = schedule_columns("department")


# ------------------------------------------------------------------------------ recognition

class _Stop(Exception):
    pass


def _root_name(head: bytes) -> str | None:
    """The namespace-qualified name of the first element of `head`, None when there is none."""
    found: list[str] = []

    def start(name, _attrs):
        found.append(name)
        raise _Stop

    parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEP)
    parser.StartElementHandler = start
    try:
        parser.Parse(head, False)
    except _Stop:
        pass
    except xml.parsers.expat.ExpatError:
        return None
    return found[0] if found else None


def recognise(path: Path, head: bytes) -> bool:
    """XML whose root element is `Project` in the MSPDI namespace."""
    return _root_name(head) == f"{NAMESPACE}{_SEP}Project"


# ---------------------------------------------------------------------------------- parsing

def _text(elem: Element, tag: str) -> str | None:
    child = elem.find(_Q + tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _records(path: Path, on_record) -> tuple[dict[str, str], int]:
    """Streams the file (iterparse, end events only); hands each record (Calendar, Task,
    Resource, Assignment: an Element) with its 1-based number among the records of its kind
    to `on_record`, then empties it. Returns the project's own simple fields and the project's
    element number (1)."""
    with path.open("rb") as handle:
        root_name = _root_name(handle.read(1 << 16))
    if root_name is not None:
        _check_root("{" + root_name.replace(_SEP, "}", 1) if _SEP in root_name else root_name)
    counts: dict[str, int] = {}
    records = {_Q + kind: kind for kind in _CONTAINERS.values()}
    root = None
    try:
        for _, elem in ElementTree.iterparse(path, events=("end",)):
            kind = records.get(elem.tag)
            if kind is not None:
                counts[kind] = counts.get(kind, 0) + 1
                on_record(kind, elem, counts[kind])
                elem.clear()
            root = elem
    except ElementTree.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        hint = "; the file looks truncated" if reason in ("no element found",
                                                          "unclosed token") else ""
        raise ExportFault(f"not well-formed XML: {reason} at line {line}, column {column + 1}"
                          f"{hint}") from None
    if root is None:
        raise ExportFault("the file holds no XML element")
    _check_root(root.tag)
    project = {}
    for child in root:
        if len(child) == 0 and child.text and child.text.strip() and child.tag.startswith(_Q):
            project[child.tag[len(_Q):]] = child.text.strip()
    return project, 1


def _check_root(tag: str) -> None:
    if tag == _Q + "Project":
        return
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        shown = f"<{local[:60]}> in namespace {namespace[:80]}"
    else:
        shown = f"<{tag[:60]}> without namespace"
    raise ExportFault(f"not an MS Project XML (MSPDI) file: the root element is {shown}, "
                      f"not <Project> in namespace {NAMESPACE}")


# ------------------------------------------------------------------------------ the records

@dataclass
class _Task:
    uid: str
    number: int  # 1-based among the records of its kind
    name: str | None
    summary: bool
    milestone: bool
    level: int
    create_date: date | None
    start: date | None
    finish: date | None
    work: Decimal | None
    cost: Decimal | None
    actual_start: date | None
    actual_finish: date | None
    percent: Decimal | None
    actual_cost: Decimal
    baseline: dict[str, str]


@dataclass
class _Resource:
    uid: str
    number: int  # 1-based among the records of its kind
    type: str
    name: str | None
    email: str | None
    group: str | None
    rate: Decimal | None
    max_units: Decimal | None


@dataclass
class _Assignment:
    uid: str
    number: int  # 1-based among the records of its kind
    task_uid: str
    resource_uid: str
    actual_work: Decimal
    actual_start: date | None
    actual_finish: date | None
    actuals: list[tuple[datetime, datetime, Decimal, int]] = field(default_factory=list)


def _number(value: str | None, where: str, what: str) -> Decimal | None:
    try:
        return to_decimal(value)
    except ValueError:
        raise ExportFault(f"{where}: {what} is not a number") from None


# MSPDI writes amounts of money in hundredths of the currency unit: a task costing 5,120.00
# is <Cost>512000</Cost> (MPXJ's MSPDI reader divides these fields by 100 and its writer
# multiplies them; Project Server keeps costs to 1/100 of a unit). Rates are not amounts:
# <StandardRate>75</StandardRate> is 75.00 an hour.
_HUNDREDTHS = Decimal(100)


def _money(value: str | None, where: str, what: str) -> Decimal | None:
    amount = _number(value, where, what)
    return None if amount is None else amount / _HUNDREDTHS


def _hours(value: str | None, where: str, what: str) -> Decimal | None:
    try:
        return parse_iso_duration_hours(value)
    except ValueError:
        raise ExportFault(f"{where}: {what} is not an ISO 8601 duration") from None


def _day(value: str | None, where: str, what: str) -> date | None:
    try:
        return iso_date(value)
    except ValueError:
        raise ExportFault(f"{where}: {what} is not a date") from None


def _moment(value: str | None, where: str, what: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ExportFault(f"{where}: {what} is not a date and time") from None


def _baseline0(elem: Element) -> dict[str, str]:
    for baseline in elem.findall(_Q + "Baseline"):
        if (_text(baseline, "Number") or "0") == "0":
            return {c.tag[len(_Q):]: c.text.strip() for c in baseline if c.text and c.text.strip()}
    return {}


def _task(elem: Element, number: int) -> _Task:
    uid = _text(elem, "UID") or ""
    where = f"Task UID {uid}"
    return _Task(
        uid=uid, number=number, name=_text(elem, "Name"),
        summary=_text(elem, "Summary") == "1", milestone=_text(elem, "Milestone") == "1",
        level=int(_number(_text(elem, "OutlineLevel"), where, "OutlineLevel") or 0),
        create_date=_day(_text(elem, "CreateDate"), where, "CreateDate"),
        start=_day(_text(elem, "Start"), where, "Start"),
        finish=_day(_text(elem, "Finish"), where, "Finish"),
        work=_hours(_text(elem, "Work"), where, "Work"),
        cost=_money(_text(elem, "Cost"), where, "Cost"),
        actual_start=_day(_text(elem, "ActualStart"), where, "ActualStart"),
        actual_finish=_day(_text(elem, "ActualFinish"), where, "ActualFinish"),
        percent=_number(_text(elem, "PercentComplete"), where, "PercentComplete"),
        actual_cost=_money(_text(elem, "ActualCost"), where, "ActualCost") or _ZERO,
        baseline=_baseline0(elem),
    )


def _resource(elem: Element, number: int) -> _Resource:
    uid = _text(elem, "UID") or ""
    where = f"Resource UID {uid}"
    return _Resource(
        uid=uid, number=number, type=_text(elem, "Type") or _WORK_RESOURCE,
        name=_text(elem, "Name"), email=_text(elem, "EmailAddress"), group=_text(elem, "Group"),
        rate=_number(_text(elem, "StandardRate"), where, "StandardRate"),
        max_units=_number(_text(elem, "MaxUnits"), where, "MaxUnits"),
    )


def _assignment(elem: Element, number: int) -> _Assignment:
    uid = _text(elem, "UID") or ""
    where = f"Assignment UID {uid}"
    found = _Assignment(
        uid=uid, number=number, task_uid=_text(elem, "TaskUID") or "",
        resource_uid=_text(elem, "ResourceUID") or _UNASSIGNED,
        actual_work=_hours(_text(elem, "ActualWork"), where, "ActualWork") or _ZERO,
        actual_start=_day(_text(elem, "ActualStart"), where, "ActualStart"),
        actual_finish=_day(_text(elem, "ActualFinish"), where, "ActualFinish"),
    )
    for k, data in enumerate(elem.findall(_Q + "TimephasedData"), start=1):
        if _text(data, "Type") != _ACTUAL_WORK:
            continue
        hours = _hours(_text(data, "Value"), where, f"TimephasedData {k} Value")
        start = _moment(_text(data, "Start"), where, f"TimephasedData {k} Start")
        finish = _moment(_text(data, "Finish"), where, f"TimephasedData {k} Finish")
        if hours and hours > 0 and start is not None:
            found.actuals.append((start, finish or start, hours, k))
    return found


@dataclass
class _Calendar:
    days: dict[int, str]  # MSPDI DayType 1 (Sunday) .. 7 (Saturday) -> "1" working, "0" not
    base: str | None      # BaseCalendarUID


def _calendar(elem: Element) -> _Calendar:
    days: dict[int, str] = {}
    weekdays = elem.find(_Q + "WeekDays")  # the default week, not WorkWeeks or exceptions
    for day in weekdays if weekdays is not None else ():
        day_type = _text(day, "DayType")
        if day_type and day_type.isdigit() and 1 <= int(day_type) <= 7:
            days.setdefault(int(day_type), "1" if _text(day, "DayWorking") == "1" else "0")
    return _Calendar(days, _text(elem, "BaseCalendarUID"))


def _weekdays(calendars: dict[str, _Calendar], uid: str | None) -> str | None:
    """Monday..Sunday flags of a calendar, days the calendar leaves out taken from its base
    calendar; None when no weekday is stated."""
    flags: dict[int, str] = {}
    seen: set[str] = set()
    while uid and uid in calendars and uid not in seen:
        seen.add(uid)
        for day_type, working in calendars[uid].days.items():
            flags.setdefault(day_type, working)
        uid = calendars[uid].base
    if not flags:
        return None
    default = {1: "0", 7: "0"}  # Sunday and Saturday off, the other days working
    return "".join(flags.get(t, default.get(t, "1")) for t in (2, 3, 4, 5, 6, 7, 1))


# ---------------------------------------------------------------------------------- mapping

def _day_of_interval(start: datetime, finish: datetime, day_start: time) -> date:
    """The last day an actual-work interval touches: its finish day, or the day before when
    the interval ends before the working day starts (MS Project writes daily buckets from
    08:00 to 08:00 of the next day)."""
    last = finish.date()
    if last > start.date() and finish.time() <= day_start:
        last = date.fromordinal(last.toordinal() - 1)
    return last


def read(path: Path) -> Export:
    calendars: dict[str, _Calendar] = {}
    tasks: list[_Task] = []
    resources: dict[str, _Resource] = {}
    assignments: list[_Assignment] = []

    def on_record(kind: str, elem: Element, number: int) -> None:
        if kind == "Calendar":
            uid = _text(elem, "UID")
            if uid:
                calendars[uid] = _calendar(elem)
        elif kind == "Task":
            if _text(elem, "IsNull") != "1":
                tasks.append(_task(elem, number))
        elif kind == "Resource":
            resource = _resource(elem, number)
            if _text(elem, "IsNull") != "1" and resource.uid != "0":
                resources[resource.uid] = resource
        elif kind == "Assignment":
            assignments.append(_assignment(elem, number))

    meta, project_number = _records(path, on_record)
    return _export(meta, project_number, calendars, tasks, resources, assignments)


def _export(meta: dict[str, str], project_number: int, calendars: dict[str, _Calendar],
            tasks: list[_Task], resources: dict[str, _Resource],
            assignments: list[_Assignment]) -> Export:
    notes: list[str] = []
    where = "Project"
    project_id = meta.get("GUID") or meta.get("Title") or meta.get("Name")
    if not project_id:
        raise ExportFault(f"{where}: the project has neither GUID, Title nor Name, so its "
                          "rows cannot be given a project id")
    status_day = _day(meta.get("StatusDate") or meta.get("CurrentDate"), where, "StatusDate")
    project_start = _day(meta.get("StartDate"), where, "StartDate")
    weekdays = _weekdays(calendars, meta.get("CalendarUID"))
    week_minutes = _number(meta.get("MinutesPerWeek"), where, "MinutesPerWeek")
    week_hours = (week_minutes or Decimal(2400)) / 60
    try:
        day_start = time.fromisoformat(meta.get("DefaultStartTime") or "08:00:00")
    except ValueError:
        day_start = time(8)

    summary_task = next((t for t in tasks if t.uid == "0"), None)
    work_tasks = [t for t in tasks if t.uid != "0" and not t.summary and not t.milestone]
    task_ids = {t.uid: f"{project_id}/{t.uid}" for t in work_tasks}
    by_uid = {t.uid: t for t in tasks}

    # employees: work resources
    employees, employee_ids = [], {}
    for r in resources.values():
        if r.type != _WORK_RESOURCE:
            continue
        employee_ids[r.uid] = f"{project_id}/R{r.uid}"
        employees.append({
            "employee_id": employee_ids[r.uid], "full_name": r.name, "email": r.email,
            "department": r.group, "hourly_cost": fmt_decimal(r.rate),
            "weekly_capacity_hours": fmt_decimal(r.max_units * week_hours)
            if r.max_units is not None else None,
            "_row": r.number, "_ref": f"Resource UID {r.uid}"})

    # timesheets: actual work of work resources on tasks, per assignment and day
    first_assignee: dict[str, str] = {}
    booked: dict[str, dict[date, Decimal]] = {}
    hours_by_entry: dict[tuple[str, date], list] = {}
    spread_count = unplaced = mismatched = 0
    for a in assignments:
        if a.resource_uid not in employee_ids:
            continue
        employee = employee_ids[a.resource_uid]
        first_assignee.setdefault(a.task_uid, employee)
        if a.task_uid not in task_ids:
            continue
        ledger = booked.setdefault(employee, {})
        placed: list[tuple[date, Decimal]] = []
        if a.actuals:
            total = _ZERO
            for start, finish, hours, _number_ in a.actuals:
                total += hours
                if (finish - start).total_seconds() <= 86400:  # a daily bucket
                    days = [start.date()]
                else:
                    last = _day_of_interval(start, finish, day_start)
                    days = working_days(start.date(), last, weekdays) or [start.date()]
                placed += spread_hours(hours, days, ledger)
            if a.actual_work and abs(total - a.actual_work) >= Decimal("0.01"):
                mismatched += 1
        elif a.actual_work > 0:
            task = by_uid[a.task_uid]
            first = a.actual_start or task.actual_start
            if first is None:
                unplaced += 1
                continue
            last = a.actual_finish or (task.actual_finish if task.percent == 100 else None) \
                or status_day or first
            days = working_days(first, max(first, last), weekdays) or [first]
            placed = spread_hours(a.actual_work, days, ledger)
            spread_count += 1
        for day, hours in placed:
            entry = hours_by_entry.setdefault((a.uid, day), [employee, a.task_uid, _ZERO, a])
            entry[2] += hours
    timesheets, labour = [], {}
    for (uid, day), (employee, task_uid, hours, a) in hours_by_entry.items():
        rate = resources[a.resource_uid].rate or _ZERO
        labour[task_uid] = labour.get(task_uid, _ZERO) + hours * rate
        timesheets.append({
            "entry_id": f"{project_id}/A{uid}/{day.isoformat()}", "employee_id": employee,
            "task_id": task_ids[task_uid], "work_date": day.isoformat(),
            "hours": fmt_decimal(hours), "_row": len(timesheets) + 1,
            "_ref": f"Assignment UID {uid}, {day.isoformat()}"})
    if spread_count:
        notes.append(f"{spread_count} assignment(s) carry actual work without timephased "
                     "actuals: their ActualWork is spread evenly over the working days from "
                     "their actual start to their actual finish (else the status date)")
    if unplaced:
        notes.append(f"{unplaced} assignment(s) have actual work but no actual start: their "
                     "hours are not in the timesheets; their cost counts as a task expense")
    if mismatched:
        notes.append(f"{mismatched} assignment(s) have timephased actuals that do not add up "
                     "to their ActualWork; the timephased values are used")

    # tasks and their progress
    task_rows, progress_rows = [], []
    zero_work = 0
    for t in work_tasks:
        b = t.baseline
        ref = f"Task UID {t.uid}"
        where_t = ref
        planned_hours = _hours(b.get("Work"), where_t, "Baseline Work") if "Work" in b else t.work
        planned_cost = _money(b.get("Cost"), where_t, "Baseline Cost") if "Cost" in b else t.cost
        if not planned_hours:
            zero_work += 1
        percent = t.percent or _ZERO
        status = ("done" if percent >= 100 else
                  "in_progress" if percent > 0 or t.actual_start else "todo")
        task_rows.append({
            "task_id": task_ids[t.uid], "project_id": project_id, "task_name": t.name,
            "assignee_id": first_assignee.get(t.uid),
            "created_on": _iso(t.create_date or project_start),
            "planned_start": _iso(_day(b.get("Start"), where_t, "Baseline Start")
                                  if "Start" in b else t.start),
            "planned_end": _iso(_day(b.get("Finish"), where_t, "Baseline Finish")
                                if "Finish" in b else t.finish),
            "planned_hours": fmt_decimal(planned_hours), "planned_cost": fmt_decimal(planned_cost),
            "actual_start": _iso(t.actual_start),
            "completed_on": _iso(t.actual_finish) if percent >= 100 else None,
            "status": status, "_row": t.number, "_ref": ref})
        if status_day is not None:
            progress_rows.append({
                "task_id": task_ids[t.uid], "status_date": status_day.isoformat(),
                "percent_complete": fmt_decimal(percent), "_row": t.number, "_ref": ref})
    if zero_work:
        notes.append(f"{zero_work} task(s) have no planned work (0 hours); they are kept as "
                     "tasks and the checks report them")

    # expenses: actual cost that the timesheets do not explain
    expenses = []
    own_cost = _own_actual_costs(tasks)
    for t in tasks:
        if t.uid in task_ids:
            other = t.actual_cost - labour.get(t.uid, _ZERO)
            expense_id = f"{task_ids[t.uid]}/other-cost"
        else:  # summary and milestone rows: their own cost only (children are counted apart)
            other = own_cost.get(t.uid, _ZERO)
            expense_id = f"{project_id}/{t.uid}/other-cost"
        if abs(other) < Decimal("0.005"):
            continue
        day = t.actual_start or status_day
        expenses.append({
            "expense_id": expense_id, "project_id": project_id, "expense_date": _iso(day),
            "category": "fixed cost" if other > 0 else "labour rate adjustment",
            "amount": fmt_decimal(other), "_row": len(expenses) + 1,
            "_ref": f"Task UID {t.uid}, actual cost not in the timesheets"})

    # the project
    s = summary_task
    sb = s.baseline if s else {}
    budget = (_money(sb.get("Cost"), where, "project Baseline Cost") if "Cost" in sb
              else s.cost if s and s.cost is not None else None)
    if budget is None:
        budget = sum((r["planned_cost"] and Decimal(r["planned_cost"]) or _ZERO
                      for r in task_rows), _ZERO)
        notes.append("the file has no project summary task (UID 0): the budget is the sum of "
                     "the tasks' planned cost")
    planned_end = (_day(sb.get("Finish"), where, "project Baseline Finish") if "Finish" in sb
                   else _day(meta.get("FinishDate"), where, "FinishDate"))
    percent = (s.percent if s else None) or _ZERO
    status = ("completed" if percent >= 100 else
              "active" if percent > 0 or (status_day and project_start
                                          and status_day > project_start) else "planned")
    department = meta.get("Subject") or meta.get("Category") or meta.get("Company")
    project_row = {
        "project_id": project_id, "project_name": meta.get("Title") or meta.get("Name"),
        "department": department, "start_date": _iso(project_start),
        "planned_end_date": _iso(planned_end),
        "actual_end_date": _iso(s.actual_finish) if s and percent >= 100 else None,
        "budget": fmt_decimal(budget), "status": status, "working_weekdays": weekdays,
        "_row": project_number, "_ref": "Project"}
    project_columns = [c for c in COLUMNS["projects"]
                       if c not in ("department", "working_weekdays") or project_row[c]]

    tables = {
        "projects": frame([project_row], project_columns),
        "tasks": frame(task_rows, COLUMNS["tasks"]),
        "task_progress": frame(progress_rows, COLUMNS["task_progress"]),
        "timesheets": frame(timesheets, COLUMNS["timesheets"]),
        "expenses": frame(expenses, COLUMNS["expenses"]),
        "employees": frame(employees, COLUMNS["employees"]),
    }
    return Export(tables=tables, status_date=status_day, source_id=project_id, notes=notes)


def _own_actual_costs(tasks: list[_Task]) -> dict[str, Decimal]:
    """Actual cost a summary or milestone row carries itself: its ActualCost less that of its
    direct children (MS Project rolls the children's cost up into every summary)."""
    own: dict[str, Decimal] = {}
    stack: list[_Task] = []
    for t in tasks:
        while stack and stack[-1].level >= t.level:
            stack.pop()
        if stack:
            own[stack[-1].uid] = own.get(stack[-1].uid, _ZERO) - t.actual_cost
        if t.summary or t.milestone or t.uid == "0":
            own[t.uid] = own.get(t.uid, _ZERO) + t.actual_cost
        if t.summary or t.uid == "0":
            stack.append(t)
    return own


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
