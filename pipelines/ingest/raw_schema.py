"""The raw layer: typed copies of landed files, the file manifest and the rule violations.

`raw.<entity>` holds every row of every ingested file (the latest content of each file),
with `_file` (path under the landing folder), `_row` (1-based data row; CSV line = _row + 1)
and `_extra` (columns outside the contract, as JSON). Staging picks the current row per key.
"""

from __future__ import annotations

import hashlib

import duckdb

from pipelines.contract import ENTITIES, Entity

LINEAGE_COLUMNS = "_file VARCHAR NOT NULL, _row BIGINT NOT NULL, _extra JSON"

MANIFEST_DDL = """
CREATE TABLE IF NOT EXISTS raw._manifest (
    file VARCHAR PRIMARY KEY,   -- path under the landing folder
    entity VARCHAR NOT NULL,
    hash VARCHAR NOT NULL,      -- sha256 of the file's content as last read
    size BIGINT NOT NULL,       -- size and mtime: the quick test before hashing
    mtime_ns BIGINT NOT NULL,
    rows BIGINT,
    loaded_at TIMESTAMP NOT NULL,
    outcome VARCHAR NOT NULL,   -- loaded | rejected
    validated_hash VARCHAR,     -- hash whose rows the row-level rules last checked
    message VARCHAR             -- why a file was rejected
)"""

# One row per broken rule and row. kind: 'row' rules are kept per file until the file changes;
# 'set' rules (keys, references, totals) are recomputed by every check.
VIOLATIONS_DDL = """
CREATE TABLE IF NOT EXISTS raw._violations (
    entity VARCHAR NOT NULL,
    _file VARCHAR NOT NULL,
    _row BIGINT NOT NULL,
    key VARCHAR,                -- the row's key values, joined with |
    "column" VARCHAR,
    value VARCHAR,
    rule VARCHAR NOT NULL,
    kind VARCHAR NOT NULL
)"""


def table_ddl(entity: Entity) -> str:
    cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in entity.columns)
    return f"CREATE TABLE IF NOT EXISTS raw.{entity.name} ({cols}, {LINEAGE_COLUMNS})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and every entity table (empty when the entity never arrived)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(MANIFEST_DDL)
    con.execute(VIOLATIONS_DDL)
    for entity in ENTITIES.values():
        con.execute(table_ddl(entity))


def files_fingerprint(con: duckdb.DuckDBPyConnection, entities: list[str]) -> str:
    """What the entities' raw tables hold: every delivered file by content hash and outcome."""
    listing = con.execute(
        """SELECT string_agg(file || ':' || hash || ':' || outcome, ',' ORDER BY file)
           FROM raw._manifest WHERE list_contains(?, entity)""", [sorted(entities)]).fetchone()[0]
    return hashlib.sha256(str(listing).encode()).hexdigest()
