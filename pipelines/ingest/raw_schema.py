"""The raw layer: typed copies of landed files, and the rows of them that count.

`raw.<entity>` holds every row of every ingested file (the latest content of each file) with
its provenance: `_file` (path under the landing folder), `_row` (1-based data row; CSV line =
_row + 1), `_ref` (the place in a tool export: "Task UID 7"), `_extra` (columns outside the
contract, as JSON), `_as_of` (the status date of the tool export the row came from; NULL for
canonical and mapped files). `raw.<entity>_current` is what staging reads: rows that break no
rule and, per key, one row (docs/inputs.md, delivery semantics and tool exports):

- rows of exports whose status date is after the run's as-of date D (DuckDB variable
  `as_of`; unset, as when the checks run outside a model build: no bound) are left out, so a
  later status snapshot cannot leak into a run as of an earlier day;
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

# `_as_of` comes last: warehouses created before it get it by ALTER TABLE, at the same place.
LINEAGE_COLUMNS = ("_file VARCHAR NOT NULL, _row BIGINT NOT NULL, _ref VARCHAR, _extra JSON, "
                   "_as_of DATE")
CURRENT_SUFFIX = "_current"
AS_OF = "getvariable('as_of')"  # the run's as-of date while models are built


def table_ddl(entity: Entity) -> str:
    cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in entity.columns)
    return f"CREATE TABLE IF NOT EXISTS raw.{entity.name} ({cols}, {LINEAGE_COLUMNS})"


def current_rows_sql(entity: Entity, excluded: tuple[str, ...] = ("row", "set"),
                     as_of: str = AS_OF) -> str:
    """The rows that count (module docstring): not quarantined for a rule of the `excluded`
    kinds, not from a snapshot dated after `as_of` (SQL; NULL = no bound), and per key one
    row, with the baseline's plan when it is a snapshot's. Only keys delivered more than once
    need ranking, which keeps millions of timesheet rows cheap. Staging reads it (as a view);
    the cross-file rules judge it with only the row-rule breakers left out."""
    keys = ", ".join(ident(k) for k in entity.key)
    plan = [c.name for c in entity.columns if c.plan and c.name not in entity.key]
    # The baseline's value: the first one stated, in status-date order (undated rows last; they
    # only matter when the chosen row is undated, and then its own values are kept).
    baseline = (f"OVER (PARTITION BY {keys} ORDER BY _as_of ASC NULLS LAST, _file, _row "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)")
    replaced = ", ".join(
        f"CASE WHEN _as_of IS NULL THEN {ident(c)} "
        f"ELSE first_value({ident(c)} IGNORE NULLS) {baseline} END AS {ident(c)}"
        for c in plan)
    chosen = f"* REPLACE ({replaced})" if plan else "*"
    return f"""
        WITH delivered AS (
            SELECT * FROM raw.{entity.name}
            ANTI JOIN ({state.quarantined_sql(entity.name, excluded)}) USING (_file, _row)
            WHERE _as_of IS NULL OR _as_of <= coalesce({as_of}, _as_of)),
        repeated AS (SELECT {keys} FROM delivered GROUP BY ALL HAVING count(*) > 1)
        SELECT * FROM delivered ANTI JOIN repeated USING ({keys})
        UNION ALL
        SELECT * FROM (
            SELECT {chosen} FROM delivered SEMI JOIN repeated USING ({keys})
            QUALIFY row_number() OVER (PARTITION BY {keys}
                ORDER BY _as_of DESC NULLS FIRST, _file DESC, _row DESC) = 1)"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The bookkeeping schema, the raw schema and every entity's table and current view (empty
    when the entity never arrived)."""
    state.ensure(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for entity in ENTITIES.values():
        con.execute(table_ddl(entity))
        # a warehouse from before status snapshots: the column is added, NULL = undated
        con.execute(f"ALTER TABLE raw.{entity.name} ADD COLUMN IF NOT EXISTS _as_of DATE")
        con.execute(f"CREATE OR REPLACE VIEW raw.{entity.name}{CURRENT_SUFFIX} AS "
                    f"{current_rows_sql(entity)}")
