"""KPI history: `marts.kpi_project_history`, kpi_project as of each day.

Every day comes from one set-based build: `intermediate.hist_kpi_project` holds kpi_project for
every day from each project's start to the as-of date D (running sums and as-of joins over the
dated facts, models/intermediate/hist_*.sql), and a day's rows there equal a build as of that day
(tests/test_history_range.py) for everything delivered as dated facts. Tool exports that are
status snapshots are the exception: the history is as known on D, from the snapshot in effect
at D, not from the snapshot that was latest on each earlier day (docs/kpis.md). Recording the
history is therefore a copy of a range of days:

- a run copies every day through its D (the history is complete from the first project start;
  days after D, written by an earlier run as of a later day, stay);
- a backfill copies its range from the warehouse's build when the range ends on or before the
  D it was built as of, else builds the hist_* chain once, as of the range's last day, in an
  in-memory scratch catalog of the same connection (staging is shared; the warehouse's own
  tables stay as they are).
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines import state
from pipelines.settings import KpiParams
from pipelines.sql import ident
from pipelines.transform.increment import DAYS, STORED_TAIL, last_build
from pipelines.transform.models import build_models, discover

SOURCE = "intermediate.hist_kpi_project"
HISTORY = "marts.kpi_project_history"


def ancestors(table: str) -> list[str]:
    """The models a table is built from, itself included, in build order."""
    models = discover()
    needed, stack = set(), [table]
    while stack:
        current = stack.pop()
        if current in models and current not in needed:
            needed.add(current)
            stack.extend(models[current].upstream)
    return [t for t in models if t in needed]


def _built_through(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as-of date the warehouse's one-pass history was built as of (its last day)."""
    try:
        return con.execute(f"SELECT max(as_of) FROM {SOURCE}").fetchone()[0]
    except duckdb.CatalogException:
        return None


def _store(con: duckdb.DuckDBPyConnection, home: str, source: str, first: date | None,
           last: date) -> dict[date, int]:
    history = f"{ident(home)}.{HISTORY}"  # qualified: the scratch catalog may be in use
    days = "as_of <= ?" if first is None else "as_of BETWEEN ? AND ?"
    bounds = [last] if first is None else [first, last]
    con.execute("BEGIN TRANSACTION")
    con.execute(f"CREATE TABLE IF NOT EXISTS {history} AS FROM {source} LIMIT 0")
    con.execute(f"DELETE FROM {history} WHERE {days}", bounds)
    con.execute(f"INSERT INTO {history} BY NAME FROM {source} WHERE {days}", bounds)
    con.execute("COMMIT")
    return dict(con.execute(f"SELECT as_of, count(*) FROM {history} WHERE {days} GROUP BY as_of",
                            bounds).fetchall())


def _build_in_scratch(con: duckdb.DuckDBPyConnection, home: str, last: date,
                      params: KpiParams) -> None:
    """The history chain as of `last`, once, into the attached catalog `scratch`."""
    chain = [t for t in ancestors(SOURCE) if discover()[t].layer != "staging"]
    con.execute("ATTACH ':memory:' AS scratch")
    for schema in ("staging", "intermediate", "marts"):
        con.execute(f"CREATE SCHEMA scratch.{schema}")
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = 'staging'", [home]).fetchall():
        con.execute(f"CREATE VIEW scratch.staging.{ident(table)} AS "
                    f"FROM {ident(home)}.staging.{ident(table)}")
    for _ in build_models(con, params.at(last).as_variables(), tables=chain, catalog="scratch"):
        pass


def _store_tail(con: duckdb.DuckDBPyConnection, last: date) -> None:
    """Replace the rows of the tail (transform/increment.py) through the build's day: the
    history held the previous build's days through its day, and this build differs from it
    in those rows alone."""
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {HISTORY} AS rows USING {STORED_TAIL} AS tail WHERE {DAYS} "
                "AND rows.as_of <= ?", [last])
    con.execute(f"INSERT INTO {HISTORY} BY NAME SELECT rows.* FROM {SOURCE} AS rows "
                f"INNER JOIN {STORED_TAIL} AS tail ON {DAYS}")
    con.execute("COMMIT")


def record_history(con: duckdb.DuckDBPyConnection, first: date | None, last: date,
                   params: KpiParams) -> dict[date, int]:
    """Replace the history's days first..last (first None: every day through last) by the
    one-pass build's; returns rows per day. A run whose one-pass build is the one the history
    was last copied from, through the same day, copies nothing (a no-op run stays cheap); one
    whose build differs from the last one copied by the nightly increment's tail copies the
    tail's rows only."""
    home = con.execute("SELECT current_database()").fetchone()[0]
    built = _built_through(con)
    source = state.stored_fingerprint(con, "models", SOURCE)  # None: built without bookkeeping
    increment = last_build(con)
    copied = f"{source}|{last}|{increment.get('build')}" if source and first is None else None
    previous = state.stored_fingerprint(con, "models", HISTORY)
    if copied and previous == copied:
        try:
            return dict(con.execute(f"SELECT as_of, count(*) FROM {HISTORY} WHERE as_of <= ? "
                                    "GROUP BY as_of", [last]).fetchall())
        except duckdb.CatalogException:
            pass
    after = increment.get("after")
    if (copied and after and built == last == date.fromisoformat(increment["as_of"])
            and previous and previous.split("|")[1:] == after):
        _store_tail(con, last)
        written = dict(con.execute(f"SELECT as_of, count(*) FROM {HISTORY} WHERE as_of <= ? "
                                   "GROUP BY as_of", [last]).fetchall())
    elif built is not None and last <= built:  # the run's own build covers the range
        written = _store(con, home, f"{ident(home)}.{SOURCE}", first, last)
    else:
        try:
            _build_in_scratch(con, home, last, params)
            written = _store(con, home, f"scratch.{SOURCE}", first, last)
        finally:
            con.execute("DETACH DATABASE IF EXISTS scratch")
    state.store_fingerprint(con, "models", HISTORY, copied or "")
    return written
