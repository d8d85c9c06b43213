"""Primavera P6 XER: the tab-separated export of one or more P6 projects.

    ERMHDR  <version>  <export date>  Project  ...
    %T  <table name>
    %F  <field> <field> ...
    %R  <value> <value> ...
    ...
    %E

The file is read line by line in one pass; only the tables the mapping needs (PROJECT,
PROJWBS, OBS, CALENDAR, TASK, TASKRSRC, RSRC, RSRCRATE, PROJCOST, COSTTYPE) are kept, every
other table is only checked for its shape. The text is UTF-8 when it decodes as such, else
Windows-1252 (what P6 writes on Western-European Windows). The mapping is written down for
users in docs/formats/xer.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pipelines.ingest.readers import Export, ExportFault
from pipelines.ingest.readers._common import (
    schedule_columns,
    DEFAULT_WEEKDAYS,
    fmt_decimal,
    SNAPSHOT_COLUMNS,
    frame,
    iso_date,
    spread_hours,
    to_decimal,
    working_days,
)

KEPT = {"PROJECT", "PROJWBS", "OBS", "CALENDAR", "TASK", "TASKRSRC", "RSRC", "RSRCRATE",
        "PROJCOST", "COSTTYPE"}
TASK_TYPES = {"TT_Task", "TT_Rsrc", "TT_LOE"}  # not TT_Mile, TT_FinMile, TT_WBS
TASK_STATUS = {"TK_NotStart": "todo", "TK_Active": "in_progress", "TK_Complete": "done"}
PROJECT_STATUS = {"WS_Planned": "planned", "WS_WhatIf": "planned", "WS_Requested": "planned",
                  "WS_Open": "active"}
LABOUR = {"RT_Labor", None, ""}  # resource types whose units are hours of a person
WEEK_HOURS = Decimal(40)
_ZERO = Decimal(0)

COLUMNS = schedule_columns("role")


def recognise(path: Path, head: bytes) -> bool:
    """A first line that starts with the ERMHDR record (a UTF-8 byte-order mark allowed)."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"ERMHDR\t") or head.rstrip(b"\r\n") == b"ERMHDR"


# ---------------------------------------------------------------------------------- parsing

@dataclass
class _Row:
    line: int    # line the row starts on
    number: int  # 1-based row number within its table
    values: dict[str, str]

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value.strip() if value and value.strip() else None


def _lines(path: Path, encoding: str) -> Iterator[str]:
    with path.open("r", encoding=encoding, newline="") as handle:
        for line in handle:
            yield line.rstrip("\r\n")


def _parse(path: Path, encoding: str) -> dict[str, list[_Row]]:
    tables: dict[str, list[_Row]] = {}
    table: str | None = None
    fields: list[str] | None = None
    pending: tuple[int, str] | None = None  # a %R row (line, text) until the next record
    counts: dict[str, int] = {}
    ended = False

    def close_row() -> None:
        nonlocal pending
        if pending is None:
            return
        line, text = pending
        pending = None
        values = text.split("\t")[1:]
        if len(values) < len(fields):
            raise ExportFault(f"table {table}, line {line}: the row has {len(values)} fields "
                              f"where %F names {len(fields)}; the file is truncated or damaged")
        if len(values) > len(fields) and any(v.strip() for v in values[len(fields):]):
            raise ExportFault(f"table {table}, line {line}: the row has {len(values)} fields "
                              f"where %F names {len(fields)}")
        counts[table] = counts.get(table, 0) + 1
        if table in KEPT:
            tables[table].append(_Row(line, counts[table], dict(zip(fields, values))))

    number = 0
    for number, text in enumerate(_lines(path, encoding), start=1):
        if number == 1:
            if not text.lstrip("\ufeff").startswith("ERMHDR"):
                raise ExportFault("line 1: an XER file starts with the ERMHDR header")
            continue
        marker = text[:2]
        if marker in ("%T", "%F", "%R", "%E") and (len(text) == 2 or text[2] == "\t"):
            close_row()
            if ended:
                raise ExportFault(f"line {number}: records after the %E end mark")
        elif pending is not None:  # a line break inside a value: the row goes on
            pending = (pending[0], pending[1] + "\n" + text)
            continue
        elif not text.strip():
            continue
        else:
            raise ExportFault(f"line {number}: a line that is no XER record "
                              f"(records start with %T, %F, %R or %E)")
        if marker == "%T":
            table = text[3:].strip()
            fields = None
            if table in KEPT:
                tables[table] = []
        elif marker == "%F":
            if table is None:
                raise ExportFault(f"line {number}: field names (%F) before any table (%T)")
            fields = [f.strip() for f in text.split("\t")[1:]]
        elif marker == "%R":
            if table is None or fields is None:
                raise ExportFault(f"table {table or '(none)'}, line {number}: a row (%R) "
                                  "before the table's field names (%F)")
            pending = (number, text)
        else:
            ended = True
    close_row()
    if not ended:
        raise ExportFault(f"the file ends at line {number} without the %E end mark "
                          f"(last table {table or '(none)'}); it is truncated")
    return tables


def _read_tables(path: Path) -> tuple[dict[str, list[_Row]], str]:
    try:
        return _parse(path, "utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _parse(path, "cp1252"), "cp1252"
    except UnicodeDecodeError:  # the 5 bytes cp1252 leaves undefined
        return _parse(path, "latin-1"), "latin-1"


# ---------------------------------------------------------------------------------- helpers

def _num(row: _Row, name: str, table: str) -> Decimal | None:
    try:
        return to_decimal(row.get(name))
    except ValueError:
        raise ExportFault(f"table {table}, line {row.line}: {name} is not a number") from None


def _day(row: _Row, name: str, table: str) -> date | None:
    try:
        return iso_date(row.get(name))
    except ValueError:
        raise ExportFault(f"table {table}, line {row.line}: {name} is not a date") from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _calendar_weekdays(data: str | None) -> str | None:
    """Monday..Sunday flags from a CALENDAR clndr_data blob: in its DaysOfWeek part each day
    1 (Sunday) .. 7 (Saturday) is working when it lists a shift `(s|08:00|f|16:00)`."""
    if not data:
        return None
    data = data.replace("\x7f", "")
    at = data.find("DaysOfWeek()")
    if at == -1:
        return None
    flags: dict[int, str] = {}
    for match in re.finditer(r"\(0\|\|([1-7])\(\)", data[at:]):
        start = at + match.end()
        depth, i = 0, start
        while i < len(data):  # the day's block: up to the parenthesis closing it
            if data[i] == "(":
                depth += 1
            elif data[i] == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        flags.setdefault(int(match.group(1)), "1" if "s|" in data[start:i] else "0")
        if len(flags) == 7:
            break
    if not flags:
        return None
    return "".join(flags.get(d, DEFAULT_WEEKDAYS[(d - 2) % 7]) for d in (2, 3, 4, 5, 6, 7, 1))


# ---------------------------------------------------------------------------------- mapping

def read(path: Path) -> Export:
    tables, encoding = _read_tables(path)
    notes: list[str] = []
    if encoding != "utf-8":
        shown = "Windows-1252" if encoding == "cp1252" else "Latin-1"
        notes.append(f"the file is not UTF-8; it was read as {shown} (the usual encoding of "
                     "P6 exports on Windows); check names with accents")
    projects = tables.get("PROJECT", [])
    if not projects:
        raise ExportFault("the file has no PROJECT table (or it has no rows): it holds no "
                          "project, only global data")

    def rows(name: str) -> list[_Row]:
        return tables.get(name, [])

    # projects, keyed by P6's internal proj_id
    project_ids: dict[str, str] = {}
    data_dates: dict[str, date | None] = {}
    for p in projects:
        short = p.get("proj_short_name")
        if not short:
            raise ExportFault(f"table PROJECT, line {p.line}: the project has no "
                              "proj_short_name (its Project ID)")
        project_ids[p.get("proj_id") or ""] = short
        data_dates[p.get("proj_id") or ""] = _day(p, "last_recalc_date", "PROJECT")
    if len(set(project_ids.values())) < len(project_ids):
        raise ExportFault("table PROJECT: two projects have the same proj_short_name")
    # Each project's rows are a snapshot as of its own data date. Rows of no one project (the
    # resources) are as of the latest of them; a project without a data date is undated.
    several = len(projects) > 1
    known_dates = [d for d in data_dates.values() if d is not None]
    status_date = max(known_dates, default=None)
    if several:
        notes.append(f"the file holds {len(projects)} projects; each project's rows are dated "
                     "by its own data date (last_recalc_date), the resources by the latest")

    root_wbs = {w.get("proj_id"): w for w in rows("PROJWBS") if w.get("proj_node_flag") == "Y"}
    obs_names = {o.get("obs_id"): o.get("obs_name") for o in rows("OBS")}
    calendars = {c.get("clndr_id"): _calendar_weekdays(c.values.get("clndr_data"))
                 for c in rows("CALENDAR")}
    cost_types = {c.get("cost_type_id"): c.get("cost_type") for c in rows("COSTTYPE")}

    # resources: labour resources are employees
    resources = {r.get("rsrc_id"): r for r in rows("RSRC")}
    labour = {rid for rid, r in resources.items() if r.get("rsrc_type") in LABOUR}
    first_rate: dict[str, _Row] = {}
    for rate in sorted(rows("RSRCRATE"), key=lambda r: (r.get("start_date") or "", r.line)):
        first_rate.setdefault(rate.get("rsrc_id"), rate)

    # activities and their assignments
    assignments: dict[str, list[_Row]] = {}
    for a in rows("TASKRSRC"):
        assignments.setdefault(a.get("task_id"), []).append(a)
    costs: dict[str, list[_Row]] = {}
    for c in rows("PROJCOST"):
        costs.setdefault(c.get("task_id"), []).append(c)

    assignment_price: dict[str, Decimal | None] = {}
    for a in rows("TASKRSRC"):
        if a.get("cost_per_qty") and a.get("rsrc_id") not in assignment_price:
            assignment_price[a.get("rsrc_id")] = _num(a, "cost_per_qty", "TASKRSRC")
    project_by_id = {p.get("proj_id"): p for p in projects}
    # per-row snapshot columns, only when the projects' dates may differ (readers/__init__.py)
    own = {pid: ({"_as_of": _iso(data_dates[pid]), "_source": short} if several else {})
           for pid, short in project_ids.items()}
    weekdays_of = {pid: calendars.get(p.get("clndr_id")) for pid, p in project_by_id.items()}

    hourly: dict[str, Decimal | None] = {}
    employees = []
    for rid in labour:
        r = resources[rid]
        rate = first_rate.get(rid)
        cost = _num(rate, "cost_per_qty", "RSRCRATE") if rate else None
        if cost is None:  # no price in the resource: the price its assignments use
            cost = assignment_price.get(rid)
        hourly[rid] = cost
        units = _num(rate, "max_qty_per_hr", "RSRCRATE") if rate else None
        employees.append({
            "employee_id": r.get("rsrc_short_name"), "full_name": r.get("rsrc_name"),
            "email": r.get("email_addr"), "role": r.get("rsrc_title_name"),
            "hourly_cost": fmt_decimal(cost),
            "weekly_capacity_hours": fmt_decimal(units * WEEK_HOURS) if units is not None else None,
            "_row": r.line,
            "_ref": f"RSRC row {r.number} (rsrc_short_name {r.get('rsrc_short_name')})"})
    employees.sort(key=lambda e: e["_row"])
    if any(not resources[rid].get("rsrc_short_name") for rid in labour):
        raise ExportFault("table RSRC: a labour resource has no rsrc_short_name (its Resource ID)")
    employee_of = {rid: resources[rid].get("rsrc_short_name") for rid in labour}

    task_rows, progress_rows, timesheets, expenses, project_rows = [], [], [], [], []
    booked: dict[str, dict[date, Decimal]] = {}
    entries: dict[tuple[str, str, date], list] = {}
    budget: dict[str, Decimal] = {}
    all_complete: dict[str, bool] = {}
    last_finish: dict[str, date] = {}
    unplaced = 0
    for t in rows("TASK"):
        pid = t.get("proj_id")
        if pid not in project_ids:
            raise ExportFault(f"table TASK, line {t.line}: the activity's project (proj_id) "
                              "is not in the PROJECT table")
        project_id = project_ids[pid]
        data_date = data_dates[pid]
        code = t.get("task_code")
        ref = f"TASK row {t.number} (task_code {code})"
        if not code:
            raise ExportFault(f"table TASK, line {t.line}: the activity has no task_code")
        task_id = f"{project_id}/{code}"
        task_type = t.get("task_type")
        is_task = task_type in TASK_TYPES
        status_code = t.get("status_code")
        all_complete[pid] = all_complete.get(pid, True) and status_code == "TK_Complete"
        mine = assignments.get(t.get("task_id"), [])
        extra = costs.get(t.get("task_id"), [])
        planned_cost = sum((_num(a, "target_cost", "TASKRSRC") or _ZERO for a in mine), _ZERO) \
            + sum((_num(c, "target_cost", "PROJCOST") or _ZERO for c in extra), _ZERO)
        budget[pid] = budget.get(pid, _ZERO) + planned_cost
        actual_start = _day(t, "act_start_date", "TASK")
        actual_end = _day(t, "act_end_date", "TASK")
        weekdays = weekdays_of[pid] or DEFAULT_WEEKDAYS
        if actual_end and all_complete[pid]:
            last_finish[pid] = max(last_finish.get(pid, actual_end), actual_end)

        # actual hours: spread per assignment over the days worked up to the data date
        labour_cost = _ZERO
        if is_task:
            for a in mine:
                rid = a.get("rsrc_id")
                hours = (_num(a, "act_reg_qty", "TASKRSRC") or _ZERO) \
                    + (_num(a, "act_ot_qty", "TASKRSRC") or _ZERO)
                if rid not in employee_of or hours <= 0:
                    continue
                first = _day(a, "act_start_date", "TASKRSRC") or actual_start
                if first is None:
                    unplaced += 1
                    continue
                last = _day(a, "act_end_date", "TASKRSRC") or actual_end
                if last is None:  # still running: worked up to the day before the data date
                    last = data_date - timedelta(days=1) if data_date else first
                days = working_days(first, max(first, last), weekdays) or [first]
                employee = employee_of[rid]
                for day, h in spread_hours(hours, days, booked.setdefault(employee, {})):
                    entry = entries.setdefault((task_id, employee, day), [_ZERO, t, a, pid])
                    entry[0] += h
                    labour_cost += h * (hourly[rid] or _ZERO)

        # actual cost the timesheets do not carry: project expenses, then the rest
        day = actual_start or data_date
        for c in extra:
            amount = _num(c, "act_cost", "PROJCOST")
            if amount:
                expenses.append({
                    "expense_id": f"{task_id}/expense/{c.get('cost_item_id') or c.number}",
                    "project_id": project_id, "expense_date": _iso(day),
                    "category": cost_types.get(c.get("cost_type_id")) or "project expense",
                    "amount": fmt_decimal(amount),
                    "_ref": f"PROJCOST row {c.number} (task_code {code})", **own[pid]})
        resource_cost = sum(((_num(a, "act_reg_cost", "TASKRSRC") or _ZERO)
                             + (_num(a, "act_ot_cost", "TASKRSRC") or _ZERO) for a in mine), _ZERO)
        other = resource_cost - labour_cost
        if abs(other) >= Decimal("0.005"):
            expenses.append({
                "expense_id": f"{task_id}/other-cost", "project_id": project_id,
                "expense_date": _iso(day),
                "category": "resource cost not in timesheets",
                "amount": fmt_decimal(other),
                "_ref": f"{ref}, resource cost not in the timesheets", **own[pid]})

        if not is_task:
            continue
        planned_hours = _num(t, "target_work_qty", "TASK")
        if not planned_hours:
            in_assignments = [_num(a, "target_qty", "TASKRSRC") or _ZERO for a in mine
                              if a.get("rsrc_id") in labour]
            if in_assignments:
                planned_hours = sum(in_assignments, _ZERO)
        assignee = next((employee_of[a.get("rsrc_id")] for a in mine
                         if a.get("rsrc_id") in employee_of), None)
        project = project_by_id[pid]
        task_rows.append({
            "task_id": task_id, "project_id": project_id, "task_name": t.get("task_name"),
            "assignee_id": assignee,
            "created_on": _iso(_day(t, "create_date", "TASK")
                               or _day(project, "plan_start_date", "PROJECT")),
            "planned_start": _iso(_day(t, "target_start_date", "TASK")),
            "planned_end": _iso(_day(t, "target_end_date", "TASK")),
            "planned_hours": fmt_decimal(planned_hours), "planned_cost": fmt_decimal(planned_cost),
            "actual_start": _iso(actual_start),
            "completed_on": _iso(actual_end) if status_code == "TK_Complete" else None,
            "status": TASK_STATUS.get(status_code, status_code),
            "_row": t.line, "_ref": ref, **own[pid]})
        if data_date is not None:
            progress_rows.append({
                "task_id": task_id, "status_date": data_date.isoformat(),
                "percent_complete": fmt_decimal(_num(t, "phys_complete_pct", "TASK")),
                "_row": t.line, "_ref": ref, **own[pid]})

    for (task_id, employee, day), (hours, t, a, pid) in sorted(
            entries.items(), key=lambda item: (item[1][1].number, item[0][1], item[0][2])):
        timesheets.append({
            "entry_id": f"{task_id}/{employee}/{day.isoformat()}", "employee_id": employee,
            "task_id": task_id, "work_date": day.isoformat(), "hours": fmt_decimal(hours),
            "_row": len(timesheets) + 1,
            "_ref": f"TASKRSRC row {a.number} (task_code {t.get('task_code')}), {day.isoformat()}",
            **own[pid]})
    for number, e in enumerate(expenses, start=1):
        e["_row"] = number
    if unplaced:
        notes.append(f"{unplaced} assignment(s) have actual hours but no actual start: their "
                     "hours are not in the timesheets; their cost counts as an expense")

    for p in projects:
        pid = p.get("proj_id")
        wbs = root_wbs.get(pid)
        status = p.get("status_code") or (wbs.get("status_code") if wbs else None)
        if status in ("WS_Inactive", "WS_Open") and all_complete.get(pid):
            mapped = "completed"
        elif status == "WS_Inactive":
            mapped = "on_hold"
        else:
            mapped = PROJECT_STATUS.get(status, status)
        department = obs_names.get(wbs.get("obs_id")) if wbs else None
        project_rows.append({
            "project_id": project_ids[pid],
            "project_name": (wbs.get("wbs_name") if wbs else None) or p.get("proj_short_name"),
            "department": department,
            "start_date": _iso(_day(p, "plan_start_date", "PROJECT")),
            "planned_end_date": _iso(_day(p, "scd_end_date", "PROJECT")
                                     or _day(p, "plan_end_date", "PROJECT")),
            "actual_end_date": _iso(last_finish.get(pid)) if all_complete.get(pid) else None,
            "budget": fmt_decimal(budget.get(pid, _ZERO)), "status": mapped,
            "working_weekdays": weekdays_of[pid],
            "_row": p.line, "_ref": f"PROJECT row {p.number} (proj_short_name {project_ids[pid]})",
            **own[pid]})
    project_columns = [c for c in COLUMNS["projects"]
                       if c not in ("department", "working_weekdays", "status", "actual_end_date")
                       or any(r[c] for r in project_rows)]

    dated = SNAPSHOT_COLUMNS if several else []
    out = {
        "projects": frame(project_rows, project_columns + dated),
        "tasks": frame(task_rows, COLUMNS["tasks"] + dated),
        "task_progress": frame(progress_rows, COLUMNS["task_progress"] + dated),
        "timesheets": frame(timesheets, COLUMNS["timesheets"] + dated),
        "expenses": frame(expenses, COLUMNS["expenses"] + dated),
        "employees": frame(employees, COLUMNS["employees"]),
    }
    # the resources of several projects: a snapshot of that set of projects
    source_id = "+".join(sorted(r["project_id"] for r in project_rows))
    return Export(tables=out, status_date=status_date, source_id=source_id, notes=notes)

