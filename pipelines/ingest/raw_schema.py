"""The raw layer: typed copies of landed files, and the rows of them that count.

`raw.<entity>` holds every row of every ingested file (the latest content of each file) with
its provenance: `_file` (path under the landing folder), `_row` (1-based data row; CSV line =
_row + 1), `_ref` (the place in a tool export: "Task UID 7"), `_extra` (columns outside the
contract, as JSON), `_as_of` (the status date of the tool export the row came from) and
`_source` (the schedule it is a snapshot of: the tool's project id, else the export's file
name); both NULL for canonical and mapped files. `raw._snapshots` lists every export file's
(schedule, status date), whatever entities it holds rows of. `raw.<entity>_current` is what
staging reads: rows that break no rule and, per key, one row (docs/inputs.md, delivery
semantics and tool exports):

- rows of exports whose status date is after the run's as-of date D (DuckDB variable
  `as_of`; unset, as when the checks run outside a model build: no bound) are left out, so a
  later status snapshot cannot leak into a run as of an earlier day;
- of the dated rows left, only those of the latest snapshot of their schedule count: a task
  deleted in the tool, a worklog removed, a day no longer timephased is gone from the latest
  export and so from the run (the older snapshots are not its history: a task absent from the
  latest one would otherwise stay open forever). The one exception is `task_progress`: each
  snapshot reports % complete at its own status date only, so an older snapshot's reports
  dated on or before its status date stay, as the history, for the tasks the latest snapshot
  still holds;
- of the rest, per key, an undated row (a file of our own layout, a correction) before a dated
  one, then the latest status date, then the file sorting last, then the last row;
- when that row is dated, its plan columns (`plan: true` in contract.yaml: what PV and BAC
  are computed from) come from the earliest snapshot that states them, the baseline: an update
  of a schedule moves progress and actuals, never the plan it is measured against.
"""

from __future__ import annotations

import duckdb

from pipelines import state
from pipelines.contract import ENTITIES, Entity
from pipelines.sql import ident

# `_as_of` and `_source` come last: warehouses created before them get them by ALTER TABLE,
# at the same place.
SNAPSHOT_COLUMNS = {"_as_of": "DATE", "_source": "VARCHAR"}
LINEAGE_COLUMNS = ("_file VARCHAR NOT NULL, _row BIGINT NOT NULL, _ref VARCHAR, _extra JSON, "
                   + ", ".join(f"{c} {t}" for c, t in SNAPSHOT_COLUMNS.items()))
CURRENT_SUFFIX = "_current"
AS_OF = "getvariable('as_of')"  # the run's as-of date while models are built
# Every export file's snapshots, one row per (file, schedule): written when a unit of the file
# is loaded. Kept apart from the entities' rows because an update may hold no row of an
# entity an older snapshot held (every worklog deleted): that too must end the older rows.
SNAPSHOTS = "raw._snapshots"
SNAPSHOTS_DDL = (f"CREATE TABLE IF NOT EXISTS {SNAPSHOTS} "
                 "(_file VARCHAR NOT NULL, _source VARCHAR NOT NULL, _as_of DATE NOT NULL)")
# Entities whose older snapshots keep the facts dated on or before their own status date:
# entity -> (the column naming what the fact is about, the fact's date column).
HISTORY_KEPT = {"task_progress": ("task_id", "status_date")}


def table_ddl(entity: Entity) -> str:
    cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in entity.columns)
    return f"CREATE TABLE IF NOT EXISTS raw.{entity.name} ({cols}, {LINEAGE_COLUMNS})"


def latest_snapshots_sql(as_of: str = AS_OF) -> str:
    """SELECT of (_s: schedule, _d: status date of its latest snapshot on or before `as_of`)."""
    return (f"SELECT _source AS _s, max(_as_of) AS _d FROM {SNAPSHOTS} "
            f"WHERE _as_of <= coalesce({as_of}, _as_of) GROUP BY _source")


def partition_columns(entity: Entity) -> list[str]:
    """Columns whose values alone decide which rows of an entity count (current_rows_sql):
    the key, or for an entity whose older snapshots keep history, what the facts are about
    (which rows are kept depends on every row about the same thing, whatever its date)."""
    return [HISTORY_KEPT[entity.name][0]] if entity.name in HISTORY_KEPT else list(entity.key)


def current_rows_sql(entity: Entity, excluded: tuple[str, ...] = ("row", "set"),
                     as_of: str = AS_OF, within: str | None = None) -> str:
    """The rows that count (module docstring): not quarantined for a rule of the `excluded`
    kinds (none: every row), not from a snapshot dated after `as_of` (SQL; NULL = no bound)
    nor from a snapshot older than its schedule's latest, and per key one row, with the
    baseline's plan when it is a snapshot's. Only keys delivered more than once need ranking,
    which keeps millions of timesheet rows cheap. Staging reads it (as a view); the
    cross-file rules judge it with only the row-rule breakers left out.

    within: a SELECT of rows of `raw.<entity>`; only the rows that count among those sharing
    their `partition_columns` values are returned. Which rows count is decided within such a
    partition alone, so these are exactly the rows that count of those partitions: a rule
    judges a few suspect keys without ranking millions of rows."""
    keys = ", ".join(ident(k) for k in entity.key)
    scope = ""
    if within is not None:
        columns = [ident(c) for c in partition_columns(entity)]
        scope = (f"SEMI JOIN (SELECT DISTINCT {', '.join(columns)} FROM ({within})) AS _within "
                 "ON " + " AND ".join(f"raw.{entity.name}.{c} IS NOT DISTINCT FROM _within.{c}"
                                      for c in columns))
    plan = [c.name for c in entity.columns if c.plan and c.name not in entity.key]
    # The baseline's value: the first one stated, in status-date order, over every snapshot
    # on or before D (undated rows last; they only matter when the chosen row is undated, and
    # then its own values are kept).
    baseline = (f"OVER (PARTITION BY {keys} ORDER BY _as_of ASC NULLS LAST, _file, _row "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")
    replaced = ", ".join(
        f"CASE WHEN _as_of IS NULL THEN {ident(c)} "
        f"ELSE first_value({ident(c)} IGNORE NULLS) {baseline} END AS {ident(c)}"
        for c in plan)
    chosen = f"* REPLACE ({replaced})" if plan else "*"
    quarantine = (f"ANTI JOIN ({state.quarantined_sql(entity.name, excluded)}) "
                  "USING (_file, _row)" if excluded else "")
    kept, kept_join = "", ""
    if entity.name in HISTORY_KEPT:
        about, day = (ident(c) for c in HISTORY_KEPT[entity.name])
        kept_join = f"""
            LEFT JOIN (SELECT DISTINCT d._source AS _ks, d.{about} AS _ka FROM delivered AS d
                       JOIN latest ON d._source = latest._s AND d._as_of = latest._d) AS kept
                ON delivered._source = kept._ks AND delivered.{about} = kept._ka"""
        kept = f" OR (kept._ka IS NOT NULL AND delivered.{day} <= delivered._as_of)"
    return f"""
        WITH delivered AS (
            SELECT * FROM raw.{entity.name} {quarantine} {scope}
            WHERE _as_of IS NULL OR _as_of <= coalesce({as_of}, _as_of)),
        latest AS ({latest_snapshots_sql(as_of)}),
        marked AS (
            SELECT delivered.*,
                   delivered._as_of IS NULL OR latest._d IS NOT NULL{kept} AS _counts
            FROM delivered
            LEFT JOIN latest ON delivered._source = latest._s
                AND delivered._as_of = latest._d{kept_join}),
        repeated AS (SELECT {keys} FROM delivered GROUP BY ALL HAVING count(*) > 1)
        SELECT * EXCLUDE (_counts) FROM marked ANTI JOIN repeated USING ({keys}) WHERE _counts
        UNION ALL
        SELECT * EXCLUDE (_counts) FROM (
            SELECT {chosen} FROM marked SEMI JOIN repeated USING ({keys})
            QUALIFY _counts AND row_number() OVER (PARTITION BY {keys}
                ORDER BY _counts DESC, _as_of DESC NULLS FIRST, _file DESC, _row DESC) = 1)"""


def record_snapshots(con: duckdb.DuckDBPyConnection, file: str,
                     snapshots: list[tuple[str, str]]) -> None:
    """Replace what `raw._snapshots` knows of an export file: its (schedule, ISO status date)
    pairs, none for a file without a status date."""
    con.execute(f"DELETE FROM {SNAPSHOTS} WHERE _file = ?", [file])
    if snapshots:
        con.executemany(f"INSERT INTO {SNAPSHOTS} VALUES (?, ?, ?::DATE)",
                        [[file, source, day] for source, day in snapshots])


def snapshots_in_effect(con: duckdb.DuckDBPyConnection, entities: list[str]) -> str:
    """The snapshot in effect as of the DuckDB variable `as_of`, per schedule the entities
    hold dated rows of ("schedule@date,..."; empty when they hold none): what, besides the
    files, decides which of their rows count. Fingerprints of what is computed from them
    include it, so that it is computed again when D passes a status date, and only then."""
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'raw'").fetchall()}
    wanted = [e for e in entities if e in present]
    if not wanted or "_snapshots" not in present:
        return ""
    sources = " UNION ".join(f"SELECT _source FROM raw.{ident(e)} WHERE _as_of IS NOT NULL"
                             for e in wanted)
    found = con.execute(f"""
        SELECT string_agg(_s || '@' || _d, ',' ORDER BY _s) FROM ({latest_snapshots_sql()})
        WHERE _s IN ({sources})""").fetchone()[0]
    return found or ""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The bookkeeping schema, the raw schema and every entity's table and current view (empty
    when the entity never arrived)."""
    state.ensure(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(SNAPSHOTS_DDL)
    columns = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'raw'").fetchall()}
    added = False
    for entity in ENTITIES.values():
        existed = (entity.name, "_file") in columns
        con.execute(table_ddl(entity))
        # a warehouse from before status snapshots: the columns are added, NULL = undated
        for column, sql_type in SNAPSHOT_COLUMNS.items():
            if existed and (entity.name, column) not in columns:
                con.execute(f"ALTER TABLE raw.{entity.name} ADD COLUMN {column} {sql_type}")
                added = True
        con.execute(f"CREATE OR REPLACE VIEW raw.{entity.name}{CURRENT_SUFFIX} AS "
                    f"{current_rows_sql(entity)}")
    if added:
        # The exports' rows already loaded carry no status date nor schedule, and an unchanged
        # file is never read again: undated, they would beat every snapshot as corrections do.
        # Forgetting the units in the manifest makes this run read them again (a mapped file's
        # units too, which only costs the reading).
        con.execute("DELETE FROM state.files WHERE ends_with(file, '#' || entity)")
