"""How fresh the data of a release is: per entity, the latest dated fact and the file it came from.

A release computed as of D is only as good as the facts that reach D. When timesheets or
progress reports end well before D, the hours and the earned value of the last days are
missing and the KPIs look worse (or better) than they are; the release says so.

Facts are read from `raw.<entity>_current` (the rows that count, as staging reads them), on or
before D: a later fact is not known as of D. The view leaves out tool exports dated after the
DuckDB variable `as_of`, so `freshness` sets it to D; `later_exports` names those left out,
`reader_notes` says what the readers of tool exports noted. `latest_fact` gives the as-of
date "data" (the last timesheet day or progress report of the landing data).
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines import state
from pipelines.contract import ENTITIES
from pipelines.ingest.landing import clip
from pipelines.ingest.raw_schema import current_rows_sql
from pipelines.sql import ident

# The main date columns of each entity: a row's dated fact is the latest of them.
MAIN_DATES = {
    "timesheets": ("work_date",),
    "task_progress": ("status_date",),
    "tasks": ("completed_on", "actual_start"),
    "expenses": ("expense_date",),
    "projects": ("actual_end_date", "start_date"),
    "trainings": ("completed_on",),
    "skills": ("assessed_on",),
}
# Entities whose end, when stale, makes the KPIs of the last days wrong: warned about.
WATCHED = ("timesheets", "task_progress")
# The facts the as-of date "data" is taken from.
AS_OF_SOURCES = ("timesheets", "task_progress")


def _fact_sql(entity: str, table: str, columns: str = "_file") -> str:
    dates = [ident(c) for c in MAIN_DATES[entity]]
    fact = dates[0] if len(dates) == 1 else f"greatest({', '.join(dates)})"
    return f"SELECT {fact} AS fact, {columns} FROM {table}"


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?", [schema, table]).fetchone()[0] > 0 or \
        con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = ? AND view_name = ?", [schema, table]).fetchone()[0] > 0


def freshness(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, dict]:
    """entity -> {"latest": date of the latest fact on or before as_of (ISO, or None when the
    entity has rows but none dated by then), "file": the file holding it (the one sorting
    last on a tie), "days_before_as_of"}; entities without rows are left out. Sets the DuckDB
    variable `as_of` to `as_of`: unset, a status snapshot dated after D would count, and its
    facts (on or before D, restated later) could call stale data fresh."""
    con.execute(f"SET VARIABLE as_of = DATE '{as_of.isoformat()}'")
    found = {}
    for entity in MAIN_DATES:
        if entity not in ENTITIES or not _exists(con, "raw", f"{entity}_current"):
            continue
        latest, file, counted = _latest_fact(con, entity, as_of)
        if not counted:
            continue
        found[entity] = {"latest": latest.isoformat() if latest else None, "file": file,
                         "days_before_as_of": (as_of - latest).days if latest else None}
    return found


def _latest_fact(con: duckdb.DuckDBPyConnection, entity: str,
                 as_of: date) -> tuple[date | None, str | None, bool]:
    """(latest fact on or before as_of among the rows that count, its file, whether any row
    counts). Deciding which of millions of timesheet rows count is the cost, so the rows of
    the raw table dated on that latest raw day are tried first: when a row of their keys
    that counts holds it, no other row can beat it (when the dates are no plan columns, a
    row that counts holds its own raw row's dates). Otherwise every row that counts, once."""
    spec = ENTITIES[entity]
    fact_columns = MAIN_DATES[entity]
    if not any(spec.column(c).plan for c in fact_columns):
        top = con.execute(f"SELECT max(fact) FROM ({_fact_sql(entity, f'raw.{entity}')}) "
                          "WHERE fact <= ?", [as_of]).fetchone()[0]
        if top is not None:
            day = f"DATE '{top.isoformat()}'"
            suspects = (f"SELECT * FROM ({_fact_sql(entity, f'raw.{entity}', '*')}) "
                        f"WHERE fact = {day}")
            rows = f"({current_rows_sql(spec, within=suspects)})"
            best = con.execute(f"""
                SELECT fact, _file FROM ({_fact_sql(entity, rows)}) WHERE fact = {day}
                ORDER BY _file DESC LIMIT 1""").fetchone()
            if best:
                return best[0], best[1], True
    counted, best = con.execute(f"""
        SELECT count(*), max((fact, _file)) FILTER (WHERE fact <= ?)
        FROM ({_fact_sql(entity, f"raw.{entity}_current")})""", [as_of]).fetchone()
    latest, file = (best[0], best[1]) if best else (None, None)
    return latest, file, counted > 0


def stale_warnings(fresh: dict[str, dict], as_of: date, stale_days: int) -> list[str]:
    """One line per watched entity that ends more than stale_days before the as-of date."""
    lines = []
    for entity in WATCHED:
        fact = fresh.get(entity)
        if fact is None:
            continue
        if fact["latest"] is None:
            lines.append(f"{entity}: no row dated on or before the as-of date {as_of}; the KPIs "
                         f"of {as_of} have none of its facts")
        elif fact["days_before_as_of"] > stale_days:
            lines.append(f"{entity} end on {fact['latest']} ({clip(fact['file'])}), "
                         f"{fact['days_before_as_of']} days before the as-of date {as_of} "
                         f"(more than PMO_STALE_DAYS = {stale_days}): the KPIs miss the "
                         "facts of the days since")
    return lines


def later_exports(con: duckdb.DuckDBPyConnection, as_of: date) -> list[str]:
    """One line per tool export left out of a release as of `as_of` because its status date is
    after it (raw._snapshots; none before the first ingest)."""
    if not _exists(con, "raw", "_snapshots"):
        return []
    return [f"{clip(file)}: status date {day} is after the as-of date {as_of}: the export is "
            "left out of this release (run as of that date or later to include it)"
            for file, day in con.execute(
                """SELECT _file, min(_as_of) FROM raw._snapshots GROUP BY _file
                   HAVING min(_as_of) > ? ORDER BY _file""", [as_of]).fetchall()]


def reader_notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per note a reader made of a tool export whose rows count (hours it could not
    book, the encoding it guessed): said in every release while the file counts."""
    if not _exists(con, "state", "export_notes"):
        return []
    return [f"{clip(file)}: {note}" for file, note in state.export_notes(con)]


def latest_fact(con: duckdb.DuckDBPyConnection, until: date) -> date | None:
    """The as-of date "data": the latest timesheet day or progress report on or before
    `until` (tomorrow: a future-dated row is no fact yet), over every ingested row."""
    parts = [f"SELECT max({ident(MAIN_DATES[e][0])}) FILTER (WHERE {ident(MAIN_DATES[e][0])} "
             f"<= $until) AS fact FROM raw.{e}" for e in AS_OF_SOURCES
             if _exists(con, "raw", e)]
    if not parts:
        return None
    return con.execute(f"SELECT max(fact) FROM ({' UNION ALL '.join(parts)})",
                       {"until": until}).fetchone()[0]
