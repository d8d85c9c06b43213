"""KPI history: `marts.kpi_project_history`, one slice of kpi_project rows per as-of date.

A date other than the warehouse's current as-of date is rebuilt in an in-memory scratch
catalog of the same connection: staging is shared (it does not depend on the date), the
as-of-dependent models run again under `USE scratch`, and the warehouse's own tables stay
as they are. One process, one writer, and no SQL rewritten.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.settings import KpiParams
from pipelines.sql import ident
from pipelines.transform.models import build_models, discover

SOURCE = "marts.kpi_project"
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


def _current_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    try:
        found = con.execute(f"SELECT DISTINCT as_of FROM {SOURCE}").fetchall()
    except duckdb.CatalogException:
        return None
    return found[0][0] if len(found) == 1 else None


def _store(con: duckdb.DuckDBPyConnection, home: str, source: str, day: date) -> int:
    history = f"{ident(home)}.{HISTORY}"  # qualified: the scratch catalog may be in use
    con.execute(f"CREATE TABLE IF NOT EXISTS {history} AS FROM {source} LIMIT 0")
    con.execute(f"DELETE FROM {history} WHERE as_of = ?", [day])
    con.execute(f"INSERT INTO {history} BY NAME FROM {source} WHERE as_of = ?", [day])
    return con.execute(f"SELECT count(*) FROM {history} WHERE as_of = ?", [day]).fetchone()[0]


def _rebuild_in_scratch(con: duckdb.DuckDBPyConnection, home: str, days: list[date],
                        params: KpiParams):
    """Yield after building kpi_project as of each day in the scratch catalog."""
    chain = [t for t in ancestors(SOURCE) if discover()[t].layer != "staging"]
    con.execute("ATTACH ':memory:' AS scratch")
    try:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"CREATE SCHEMA scratch.{schema}")
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'staging'", [home]).fetchall():
            con.execute(f"CREATE VIEW scratch.staging.{ident(table)} AS "
                        f"FROM {ident(home)}.staging.{ident(table)}")
        for day in days:
            for _ in build_models(con, params.at(day).as_variables(), tables=chain,
                                  catalog="scratch"):
                pass
            yield day, f"scratch.{SOURCE}"
    finally:
        con.execute("DETACH DATABASE IF EXISTS scratch")


def record_history(con: duckdb.DuckDBPyConnection, days: list[date], params: KpiParams
                   ) -> dict[date, int]:
    """Replace each day's slice of the history; returns rows written per day."""
    home = con.execute("SELECT current_database()").fetchone()[0]
    written = {}
    current = _current_as_of(con)
    if current in days:  # the run just built it: copy, do not rebuild
        written[current] = _store(con, home, f"{ident(home)}.{SOURCE}", current)
    others = [d for d in days if d != current]
    if others:  # each day is copied out before the next one rebuilds the scratch tables
        for day, source in _rebuild_in_scratch(con, home, others, params):
            written[day] = _store(con, home, source, day)
    return written
