"""Detailed-report CSV exports of Toggl Track, Clockify and Harvest: timesheet rows.

These tools know people by e-mail (Harvest: by first and last name) and work by project and
task NAME, not by our ids. So a row carries its resolution keys in extra columns
(`_employee_email`, `_employee_name`, `_project_name`, `_task_name`) and no employee_id or
task_id; `resolve_timesheets` matches them against the loaded employees and tasks.
The formats and every decision are documented in docs/formats/timesheet_tools.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.ingest.readers import Export, ExportFault
from pipelines.sql import ident
from pipelines.ingest.readers._common import fmt_decimal, frame
from pipelines.ingest.readers._text import ECHO, canonical_number, cell, date_format_of, \
    decimal_mark, decode, duration_seconds, head_text, header_of, positions, read_table, \
    time_seconds, to_iso_date


@dataclass(frozen=True)
class Tool:
    name: str
    signature: tuple[str, ...]  # lower-cased columns that identify the export
    email: str | None
    user: tuple[str, ...]  # the person's name, in one column or first + last
    project: str
    task: str
    description: str
    start_date: str
    start_time: str | None
    end_date: str | None
    end_time: str | None
    durations: tuple[str, ...]  # clock durations (h:mm:ss), in order of preference
    decimals: tuple[str, ...]  # decimal hours, in order of preference


TOGGL = Tool("toggl", ("user", "email", "project", "description", "start date", "start time",
                       "duration"),
             "email", ("user",), "project", "task", "description", "start date", "start time",
             "end date", "end time", ("duration",), ())
CLOCKIFY = Tool("clockify", ("project", "user", "email", "start date", "start time",
                             "duration (h)"),
                "email", ("user",), "project", "task", "description", "start date",
                "start time", "end date", "end time", ("duration (h)",), ("duration (decimal)",))
HARVEST = Tool("harvest", ("date", "project", "task", "hours", "first name", "last name"),
               None, ("first name", "last name"), "project", "task", "notes", "date", None,
               None, None, (), ("hours",))
TOOLS = (CLOCKIFY, TOGGL, HARVEST)  # Clockify first: its header also holds Toggl's names

COLUMNS = ["entry_id", "work_date", "hours", "_employee_email", "_employee_name",
           "_project_name", "_task_name"]


def tool_of(header: list[str]) -> Tool | None:
    names = {n.lower() for n in header}
    return next((t for t in TOOLS if all(c in names for c in t.signature)), None)


def recognise(path: Path, head: bytes) -> bool:
    if not path.name.lower().endswith((".csv", ".txt")):
        return False
    return tool_of(header_of(head_text(head))) is not None


def _entry_id(tool: str, parts: list[str | None], seen: dict[str, int]) -> str:
    """A stable id from what identifies the entry in the tool (person, start, project, task,
    description, duration), hashed so that no name or e-mail shows; a repeat within the file
    gets `~2`, `~3` in file order."""
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]
    base = f"{tool}:{digest}"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}~{seen[base]}"


def read(path: Path) -> Export:
    text, encoding = decode(path.read_bytes())
    table = read_table(text)
    tool = tool_of(table.header)
    if tool is None:
        raise ExportFault("not a Toggl Track, Clockify or Harvest detailed report: the header "
                          "lacks the columns of each")
    at = positions(table.header)

    def col(name: str | None) -> int | None:
        return at[name][0] if name and name in at else None

    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"the file is not UTF-8; it was read as {encoding}")
    records = table.records
    # Harvest and Clockify write a "Total" line under the entries of some exports.
    records = [r for r in records
               if not (cell(r[2], 0) or "").lower().startswith("total")
               or cell(r[2], col(tool.start_date))]

    dates = [cell(r[2], col(tool.start_date)) for r in records]
    date_fmt = date_format_of(dates, table.header[col(tool.start_date)])
    default_mark = "," if table.delimiter == ";" else "."
    marks = {name: decimal_mark((cell(r[2], col(name)) for r in records), default_mark)
             for name in tool.decimals if col(name) is not None}

    rows: list[dict] = []
    seen: dict[str, int] = {}
    no_hours = 0
    for record, line, row in records:
        secs = None
        for name in tool.durations:
            secs = duration_seconds(cell(row, col(name)))
            if secs is not None:
                break
        hours: str | None = None
        if secs is not None:
            hours = fmt_decimal(Decimal(secs) / 3600, places=4)
        else:
            for name in tool.decimals:
                value = cell(row, col(name))
                if value:
                    hours = canonical_number(value, marks[name])
                    break
        if hours is None and tool.start_time and tool.end_time:
            start = time_seconds(cell(row, col(tool.start_time)))
            end = time_seconds(cell(row, col(tool.end_time)))
            same_day = cell(row, col(tool.end_date)) in (None, cell(row, col(tool.start_date)))
            if start is not None and end is not None:
                hours = fmt_decimal(Decimal(end - start + (0 if same_day else 86400)) / 3600,
                                    places=4)
        if hours is None:
            no_hours += 1
        email = cell(row, col(tool.email))
        person = " ".join(p for p in (cell(row, col(c)) for c in tool.user) if p) or None
        project, task = cell(row, col(tool.project)), cell(row, col(tool.task))
        work_date = to_iso_date(cell(row, col(tool.start_date)), date_fmt)
        start_time = cell(row, col(tool.start_time))
        identity = [(email or "").lower() or person, work_date, str(time_seconds(start_time)),
                    project, task, cell(row, col(tool.description)), hours]
        rows.append({
            "entry_id": _entry_id(tool.name, identity, seen), "work_date": work_date,
            "hours": hours, "_employee_email": email, "_employee_name": person,
            "_project_name": project, "_task_name": task,
            "_row": record, "_ref": f"line {line}"})
    if no_hours:
        notes.append(f"{no_hours} row(s) have no readable duration: their hours are empty")
    return Export(tables={"timesheets": frame(rows, COLUMNS)}, notes=notes)


# ----------------------------------------------------------------------------- resolution

def _norm(expr: str) -> str:
    return f"nullif(lower(trim({expr})), '')"


def resolve_timesheets(con: duckdb.DuckDBPyConnection, relation_sql: str,
                       employees: str = "raw.employees", projects: str = "raw.projects",
                       tasks: str = "raw.tasks") -> tuple[str, list[dict]]:
    """SQL selecting the rows of `relation_sql` (rows as `read` gives them) whose person and
    task are found in `employees` and `tasks`/`projects` (relations in SQL; ingest passes the
    rows that count, load.py `_resolve`), with employee_id and task_id filled in; and the rows that are not, as {"_row", "_ref", "reason"}, with the reason split
    into what was not found of the person ("person") and of the task ("task"), None if found.

    A person is found by e-mail (case-insensitive, trimmed), else - when the export has no
    e-mail - by full name (trimmed, case-insensitive); a task by its name within the project
    of that name (both trimmed, case-insensitive), or by name alone when the row names no
    project. A row with neither project nor task is time off projects (task_id null). Reasons
    name what is missing in words and never quote a person's name or e-mail."""
    base = f"""
        WITH src AS (SELECT * FROM {relation_sql}),
        by_email AS (
            SELECT {_norm('email')} AS k, min(employee_id) AS employee_id,
                   count(DISTINCT employee_id) AS n
            FROM {employees} WHERE {_norm('email')} IS NOT NULL GROUP BY 1),
        by_name AS (
            SELECT {_norm('full_name')} AS k, min(employee_id) AS employee_id,
                   count(DISTINCT employee_id) AS n
            FROM {employees} WHERE {_norm('full_name')} IS NOT NULL GROUP BY 1),
        project_tasks AS (
            SELECT {_norm('p.project_name')} AS pk, {_norm('t.task_name')} AS tk,
                   min(t.task_id) AS task_id, count(DISTINCT t.task_id) AS n
            FROM {tasks} AS t JOIN {projects} AS p ON p.project_id = t.project_id
            GROUP BY 1, 2),
        named_projects AS (SELECT DISTINCT {_norm('project_name')} AS pk FROM {projects}),
        any_tasks AS (
            SELECT {_norm('task_name')} AS tk, min(task_id) AS task_id,
                   count(DISTINCT task_id) AS n
            FROM {tasks} GROUP BY 1),
        keyed AS (
            SELECT src.*, {_norm('_employee_email')} AS _ek, {_norm('_employee_name')} AS _nk,
                   {_norm('_project_name')} AS _pk, {_norm('_task_name')} AS _tk
            FROM src),
        matched AS (
            SELECT keyed.*,
                   e.employee_id AS _e_id, e.n AS _e_n, m.employee_id AS _m_id, m.n AS _m_n,
                   pt.task_id AS _pt_id, pt.n AS _pt_n, np.pk IS NOT NULL AS _project_known,
                   anyt.task_id AS _at_id, anyt.n AS _at_n
            FROM keyed
            LEFT JOIN by_email AS e ON e.k = keyed._ek
            LEFT JOIN by_name AS m ON m.k = keyed._nk AND keyed._ek IS NULL
            LEFT JOIN project_tasks AS pt ON pt.pk = keyed._pk AND pt.tk = keyed._tk
            LEFT JOIN named_projects AS np ON np.pk = keyed._pk
            LEFT JOIN any_tasks AS anyt ON anyt.tk = keyed._tk AND keyed._pk IS NULL),
        judged AS (
            SELECT *,
                CASE WHEN _ek IS NOT NULL THEN (CASE WHEN _e_n = 1 THEN _e_id END)
                     WHEN _nk IS NOT NULL THEN (CASE WHEN _m_n = 1 THEN _m_id END) END
                    AS _employee_id,
                CASE WHEN _pk IS NOT NULL AND _tk IS NOT NULL
                         THEN (CASE WHEN _pt_n = 1 THEN _pt_id END)
                     WHEN _tk IS NOT NULL THEN (CASE WHEN _at_n = 1 THEN _at_id END) END
                    AS _task_id,
                CASE
                    WHEN _ek IS NULL AND _nk IS NULL THEN 'the entry names no person'
                    WHEN _ek IS NOT NULL AND _e_n IS NULL THEN 'no employee with this e-mail'
                    WHEN _ek IS NOT NULL AND _e_n > 1
                        THEN 'e-mail matches ' || _e_n || ' employees'
                    WHEN _ek IS NULL AND _m_n IS NULL THEN 'no employee with this name'
                    WHEN _ek IS NULL AND _m_n > 1
                        THEN 'name matches ' || _m_n || ' employees'
                END AS _person_reason,
                CASE
                    WHEN _pk IS NULL AND _tk IS NULL THEN NULL
                    WHEN _tk IS NULL THEN 'the entry names project '''
                        || left(trim(_project_name), {ECHO}) || ''' but no task'
                    WHEN _pk IS NOT NULL AND NOT _project_known THEN 'no project named '''
                        || left(trim(_project_name), {ECHO}) || ''''
                    WHEN _pk IS NOT NULL AND _pt_n IS NULL THEN 'no task named '''
                        || left(trim(_task_name), {ECHO}) || ''' in project '''
                        || left(trim(_project_name), {ECHO}) || ''''
                    WHEN _pk IS NOT NULL AND _pt_n > 1 THEN 'task name matches '
                        || _pt_n || ' tasks in project '''
                        || left(trim(_project_name), {ECHO}) || ''''
                    WHEN _pk IS NULL AND _at_n IS NULL THEN 'no task named '''
                        || left(trim(_task_name), {ECHO}) || ''''
                    WHEN _pk IS NULL AND _at_n > 1
                        THEN 'task name matches ' || _at_n || ' tasks'
                END AS _task_reason
            FROM matched)
        SELECT *, nullif(concat_ws('; ', _person_reason, _task_reason), '') AS _reason
        FROM judged"""
    src_columns = [d[0] for d in con.execute(f"SELECT * FROM {relation_sql} LIMIT 0").description]
    dropped = {"employee_id", "task_id"}
    kept = ", ".join(ident(c) for c in src_columns if c not in dropped)
    sql = (f"SELECT {kept}, _employee_id AS employee_id, _task_id AS task_id "
           f"FROM ({base}) WHERE _reason IS NULL")
    unresolved = [
        {"_row": row, "_ref": ref, "reason": reason, "person": person, "task": task}
        for row, ref, reason, person, task in con.execute(
            f"""SELECT _row, _ref, _reason, _person_reason, _task_reason FROM ({base})
                WHERE _reason IS NOT NULL ORDER BY _row""").fetchall()]
    return sql, unresolved

