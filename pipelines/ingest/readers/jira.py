"""Jira's issue export as CSV ("Export Excel CSV (all fields)"): projects, tasks, employees and
timesheets. The mapping is documented in docs/formats/jira.md.

Jira repeats column names (one `Sprint`, `Log Work`, `Comment`, `Labels`, `Watchers` column
per value), so the header is read with the csv module and every column kept by position;
names are matched case-insensitively (Server writes `Due Date`, Cloud `Due date`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipelines.ingest.readers import Export, ExportFault
from pipelines.ingest.readers._common import fmt_decimal, frame, spread_hours, working_days
from pipelines.ingest.readers._text import cell, decode, head_text, header_of, positions, read_table

RECOGNISED_BY = ("issue key", "summary", "status")

STATUS = {
    "todo": {"to do", "open", "backlog", "new", "reopened", "selected for development"},
    "in_progress": {"in progress", "in review", "review", "code review", "in development",
                    "in testing", "testing", "qa"},
    "done": {"done", "closed", "resolved", "complete", "completed", "fixed"},
    "cancelled": {"won't do", "wont do", "won't fix", "wont fix", "cancelled", "canceled",
                  "rejected", "declined", "obsolete", "abandoned"},
}
STATUS_OF = {name: status for status, names in STATUS.items() for name in names}
STATUS_CATEGORY = {"to do": "todo", "new": "todo", "in progress": "in_progress",
                   "indeterminate": "in_progress", "done": "done", "complete": "done"}
NOT_DONE_RESOLUTIONS = {"won't do", "wont do", "won't fix", "wont fix", "duplicate",
                        "cannot reproduce", "incomplete", "declined", "rejected", "obsolete"}
NOT_TASKS = {"epic"}

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_JIRA_DATE = re.compile(r"^(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})"
                        r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")

TASK_COLUMNS = ["task_id", "project_id", "task_name", "assignee_id", "created_on",
                "planned_start", "planned_end", "planned_hours", "actual_start", "completed_on",
                "status"]
PROJECT_COLUMNS = ["project_id", "project_name", "start_date", "planned_end_date", "status"]
EMPLOYEE_COLUMNS = ["employee_id", "full_name"]
TIMESHEET_COLUMNS = ["entry_id", "employee_id", "task_id", "work_date", "hours"]


def recognise(path: Path, head: bytes) -> bool:
    if not path.name.lower().endswith((".csv", ".txt")):
        return False
    names = {n.lower() for n in header_of(head_text(head))}
    return all(n in names for n in RECOGNISED_BY)


def jira_date(text: str | None) -> date | None:
    """`28/May/08 1:00 PM`, `28/May/2008 13:00`, `12/Oct/26` or ISO `2008-05-28 13:00`;
    None when empty or in another shape."""
    if not text:
        return None
    value = text.strip()
    match = _JIRA_DATE.match(value)
    try:
        if match:
            month = MONTHS.get(match[2].lower())
            if month is None:
                return None
            year = int(match[3])
            year = year if len(match[3]) == 4 else (2000 + year if year < 70 else 1900 + year)
            return date(year, month, int(match[1]))
        match = _ISO_DATE.match(value)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def seconds(text: str | None) -> int | None:
    """Seconds of an estimate or time-spent cell (Jira writes whole seconds)."""
    if not text:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return int(value) if value.is_finite() and value >= 0 else None


def hours_text(secs: int) -> str:
    return fmt_decimal(Decimal(secs) / 3600, places=4)


@dataclass
class Worklog:
    comment: str
    day: date | None
    raw_date: str
    author: str | None
    secs: int | None


def parse_worklog(text: str) -> Worklog | None:
    """A `Log Work` cell: `comment;date;author;seconds`. The comment may itself hold `;` (and
    line breaks), so the cell is split from the right."""
    parts = text.rsplit(";", 3)
    if len(parts) == 3:
        parts = ["", *parts]
    if len(parts) != 4:
        return None
    comment, when, author, secs = parts
    return Worklog(comment, jira_date(when), when.strip(), author.strip() or None,
                   seconds(secs))


def status_of(status: str | None, category: str | None, resolution: str | None) -> str | None:
    """The contract status of a Jira status; a Done-like status with a "not done" resolution
    (Won't Do, Duplicate ...) is cancelled. An unknown status falls back to its status
    category; without one it stays as written, for the `in` rule to report."""
    if not status:
        return STATUS_CATEGORY.get((category or "").strip().lower())
    mapped = STATUS_OF.get(status.strip().lower())
    if mapped is None:
        mapped = STATUS_CATEGORY.get((category or "").strip().lower())
    if mapped == "done" and resolution and resolution.strip().lower() in NOT_DONE_RESOLUTIONS:
        return "cancelled"
    return mapped if mapped is not None else status


@dataclass
class Columns:
    """Where each field is in this export (first position for single fields)."""
    at: dict[str, list[int]]

    def one(self, *names: str) -> int | None:
        for name in names:
            found = self.at.get(name)
            if found:
                return found[0]
        return None

    def all(self, name: str) -> list[int]:
        return self.at.get(name, [])


@dataclass
class Issue:
    key: str
    record: int
    line: int
    project: str | None
    assignee: str | None
    created: date | None
    due: date | None
    resolved: date | None
    start: date | None
    estimate: int | None
    spent: int | None
    status: str | None
    row: dict = field(default_factory=dict)
    worklogs: list[Worklog] = field(default_factory=list)


def _text_date(value: str | None) -> str | None:
    """A Jira date cell as ISO text; a cell in another shape is passed on unchanged."""
    parsed = jira_date(value)
    return parsed.isoformat() if parsed else value


def read(path: Path) -> Export:
    text, encoding = decode(path.read_bytes())
    table = read_table(text)
    cols = Columns(positions(table.header))
    missing = [n for n in RECOGNISED_BY if not cols.all(n)]
    if missing:
        raise ExportFault(f"not a Jira issue export: no column {', '.join(missing)}")
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"the file is not UTF-8; it was read as {encoding}")

    at = {
        "key": cols.one("issue key"), "summary": cols.one("summary"),
        "type": cols.one("issue type"), "status": cols.one("status"),
        "category": cols.one("status category"), "resolution": cols.one("resolution"),
        "project_key": cols.one("project key"), "project_name": cols.one("project name"),
        "assignee": cols.one("assignee"), "assignee_id": cols.one("assignee id"),
        "created": cols.one("created"), "updated": cols.one("updated"),
        "resolved": cols.one("resolved"), "due": cols.one("due date", "due"),
        "start": cols.one("custom field (start date)", "start date"),
        "estimate": cols.one("original estimate"), "spent": cols.one("time spent"),
    }
    worklog_at = cols.all("log work")

    issues: list[Issue] = []
    projects: dict[str, dict] = {}
    names: dict[str, str] = {}  # employee id -> display name, where the export gives one
    employee_seen: dict[str, int] = {}  # employee id -> first line it appears on
    latest: date | None = None
    skipped_types: dict[str, int] = {}
    epic_hours = Decimal(0)
    bad_worklogs = 0

    def later(day: date | None) -> None:
        nonlocal latest
        if day and (latest is None or day > latest):
            latest = day

    for record, line, row in table.records:
        key = cell(row, at["key"])
        if key is None:
            raise ExportFault(f"line {line}: the issue has no Issue key")
        issue_type = (cell(row, at["type"]) or "").lower()
        created = jira_date(cell(row, at["created"]))
        resolved = jira_date(cell(row, at["resolved"]))
        later(created)
        later(resolved)
        later(jira_date(cell(row, at["updated"])))
        worklogs = []
        for i in worklog_at:
            value = cell(row, i)
            if value is None:
                continue
            log = parse_worklog(value)
            if log is None or log.day is None or log.secs is None or log.author is None:
                bad_worklogs += 1
                continue
            later(log.day)
            worklogs.append(log)
        if issue_type in NOT_TASKS:
            skipped_types[issue_type] = skipped_types.get(issue_type, 0) + 1
            epic_hours += sum(Decimal(w.secs) for w in worklogs) / 3600
            continue

        project = cell(row, at["project_key"]) or (key.rsplit("-", 1)[0] if "-" in key else None)
        display = cell(row, at["assignee"])
        assignee = cell(row, at["assignee_id"]) or display
        if assignee and display:
            names.setdefault(assignee, display)
        for who in [assignee, *(w.author for w in worklogs)]:
            if who:
                employee_seen.setdefault(who, line)
        issue = Issue(
            key=key, record=record, line=line, project=project, assignee=assignee,
            created=created, due=jira_date(cell(row, at["due"])), resolved=resolved,
            start=jira_date(cell(row, at["start"])), estimate=seconds(cell(row, at["estimate"])),
            spent=seconds(cell(row, at["spent"])),
            status=status_of(cell(row, at["status"]), cell(row, at["category"]),
                             cell(row, at["resolution"])),
            worklogs=worklogs)
        issue.row = {
            "task_id": key, "project_id": project, "task_name": cell(row, at["summary"]),
            "assignee_id": assignee, "created_on": _text_date(cell(row, at["created"])),
            "planned_start": (_text_date(cell(row, at["start"]))
                              or _text_date(cell(row, at["created"]))),
            "planned_end": (_text_date(cell(row, at["due"]))
                            or _text_date(cell(row, at["resolved"]))),
            "planned_hours": hours_text(issue.estimate) if issue.estimate else None,
            "actual_start": min((w.day for w in worklogs), default=None),
            "completed_on": resolved.isoformat() if resolved and issue.status == "done" else None,
            "status": issue.status,
        }
        if issue.row["actual_start"]:
            issue.row["actual_start"] = issue.row["actual_start"].isoformat()
        issues.append(issue)
        if project:
            p = projects.setdefault(project, {
                "project_id": project, "project_name": cell(row, at["project_name"]),
                "line": line, "issues": 0, "created": [], "due": []})
            p["issues"] += 1
            p["project_name"] = p["project_name"] or cell(row, at["project_name"])
            if created:
                p["created"].append(created)
            if issue.due:
                p["due"].append(issue.due)

    task_rows = []
    for n, issue in enumerate(issues, 1):
        task_rows.append({**issue.row, "_row": n, "_ref": f"line {issue.line}"})

    project_rows = []
    for n, p in enumerate(projects.values(), 1):
        start = min(p["created"], default=None)
        end = max(p["due"], default=None) or max(p["created"], default=None)
        project_rows.append({
            "project_id": p["project_id"], "project_name": p["project_name"],
            "start_date": start.isoformat() if start else None,
            "planned_end_date": end.isoformat() if end else None, "status": "active",
            "_row": n, "_ref": f"line {p['line']} (first of {p['issues']} issues)"})

    employee_rows = [
        {"employee_id": who, "full_name": names.get(who, who), "_row": n, "_ref": f"line {line}"}
        for n, (who, line) in enumerate(employee_seen.items(), 1)]

    timesheet_rows, spread_notes = _timesheets(issues, latest)
    notes += spread_notes
    if skipped_types:
        notes.append(f"{sum(skipped_types.values())} epic(s) not taken as tasks"
                     + (f" (their {fmt_decimal(epic_hours, 2)} h of worklogs are not booked)"
                        if epic_hours else ""))
    if bad_worklogs:
        notes.append(f"{bad_worklogs} Log Work cell(s) not readable as comment;date;author;seconds")
    no_end = sum(1 for i in issues if not i.row["planned_end"])
    no_hours = sum(1 for i in issues if not i.row["planned_hours"])
    if no_end:
        notes.append(f"{no_end} issue(s) have neither a due date nor a resolution date: "
                     "their planned_end is empty")
    if no_hours:
        notes.append(f"{no_hours} issue(s) have no Original Estimate: their planned_hours is empty")

    # Each project is a schedule of its own: an export whose filter takes in more (or fewer)
    # projects than the last one must still end the rows of each project's older exports.
    # The people are a snapshot of the set of projects.
    keys = sorted(projects)
    own = ["_source"] if len(keys) > 1 else []
    if own:
        project_of = {i.key: i.project for i in issues}
        for r in project_rows:
            r["_source"] = r["project_id"]
        for r in task_rows:
            r["_source"] = r["project_id"]
        for r in timesheet_rows:
            r["_source"] = project_of.get(r["task_id"])
    return Export(
        tables={
            "projects": frame(project_rows, PROJECT_COLUMNS + own),
            "tasks": frame(task_rows, TASK_COLUMNS + own),
            "employees": frame(employee_rows, EMPLOYEE_COLUMNS),
            "timesheets": frame(timesheet_rows, TIMESHEET_COLUMNS + own),
        },
        status_date=latest, source_id="+".join(keys) or None, notes=notes)


def _timesheets(issues: list[Issue], latest: date | None) -> tuple[list[dict], list[str]]:
    """Worklogs as timesheet rows; time spent without worklogs spread over working days."""
    rows: list[dict] = []
    booked: dict[str, dict[date, Decimal]] = {}
    for issue in issues:
        for n, log in enumerate(issue.worklogs, 1):
            if not log.secs:
                continue
            hours = Decimal(log.secs) / 3600
            person = booked.setdefault(log.author, {})
            person[log.day] = person.get(log.day, Decimal(0)) + hours
            rows.append({"entry_id": f"{issue.key}/{n}", "employee_id": log.author,
                         "task_id": issue.key, "work_date": log.day.isoformat(),
                         "hours": hours_text(log.secs), "_ref": f"line {issue.line}, Log Work {n}"})
    notes: list[str] = []
    unassigned = undated = spread = 0
    for issue in issues:
        if issue.worklogs or not issue.spent:
            continue
        if not issue.assignee:
            unassigned += 1
            continue
        first = issue.created
        last = issue.resolved or latest
        if first is None or last is None:
            undated += 1
            continue
        days = working_days(first, last) if last >= first else []
        if not days:
            days = [first]
        spread += 1
        person = booked.setdefault(issue.assignee, {})
        for day, hours in spread_hours(Decimal(issue.spent) / 3600, days, person):
            rows.append({"entry_id": f"{issue.key}/spread/{day.isoformat()}",
                         "employee_id": issue.assignee, "task_id": issue.key,
                         "work_date": day.isoformat(), "hours": fmt_decimal(hours),
                         "_ref": f"line {issue.line}, Time Spent spread"})
    for n, row in enumerate(rows, 1):
        row["_row"] = n
    if spread:
        notes.append(f"{spread} issue(s) have Time Spent but no worklogs: their time is spread "
                     "evenly over the working days from Created to Resolved (or the export's "
                     "latest date), booked to the assignee")
    if unassigned:
        notes.append(f"{unassigned} issue(s) have Time Spent but neither worklogs nor an "
                     "assignee: their time is not booked")
    if undated:
        notes.append(f"{undated} issue(s) have Time Spent but no readable Created date: their "
                     "time is not booked")
    return rows, notes

