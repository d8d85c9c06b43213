"""The raw layer: typed copies of landed files, and the rows of them that count.

`raw.<entity>` holds every row of every ingested file (the latest content of each file) with
its provenance: `_file` (path under the landing folder), `_row` (1-based data row; CSV line =
_row + 1), `_ref` (the place in a tool export: "Task UID 7"), `_extra` (columns outside the
contract, as JSON). `raw.<entity>_current` is what staging reads: rows that break no rule,
and per key the row from the file that sorts last (docs/inputs.md, delivery semantics).
"""

from __future__ import annotations

import duckdb

from pipelines import state
from pipelines.contract import ENTITIES, Entity
from pipelines.sql import ident

LINEAGE_COLUMNS = "_file VARCHAR NOT NULL, _row BIGINT NOT NULL, _ref VARCHAR, _extra JSON"
CURRENT_SUFFIX = "_current"


def table_ddl(entity: Entity) -> str:
    cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in entity.columns)
    return f"CREATE TABLE IF NOT EXISTS raw.{entity.name} ({cols}, {LINEAGE_COLUMNS})"


def current_rows_sql(entity: Entity, excluded: tuple[str, ...] = ("row", "set")) -> str:
    """The rows that count: not quarantined for a rule of the `excluded` kinds, and per key the
    one from the file sorting last. Only keys delivered more than once need ranking, which keeps
    millions of timesheet rows cheap. Staging reads it (as a view); the cross-file rules judge
    it with only the row-rule breakers left out."""
    keys = ", ".join(ident(k) for k in entity.key)
    return f"""
        WITH delivered AS (
            SELECT * FROM raw.{entity.name}
            ANTI JOIN ({state.quarantined_sql(entity.name, excluded)}) USING (_file, _row)),
        repeated AS (SELECT {keys} FROM delivered GROUP BY ALL HAVING count(*) > 1)
        SELECT * FROM delivered ANTI JOIN repeated USING ({keys})
        UNION ALL
        SELECT * FROM (
            SELECT * FROM delivered SEMI JOIN repeated USING ({keys})
            QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _file DESC, _row DESC) = 1)"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The bookkeeping schema, the raw schema and every entity's table and current view (empty
    when the entity never arrived)."""
    state.ensure(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for entity in ENTITIES.values():
        con.execute(table_ddl(entity))
        con.execute(f"CREATE OR REPLACE VIEW raw.{entity.name}{CURRENT_SUFFIX} AS "
                    f"{current_rows_sql(entity)}")
