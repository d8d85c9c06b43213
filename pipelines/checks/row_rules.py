"""Rules that a file's rows meet or break on their own, checked once per file content.

The rows of files loaded since their last validation form a view; the GX suite and the SQL
rules GX cannot express on DuckDB (patterns, a key repeated within a file) run over it, and
the findings stay in `raw._violations` (kind 'row') until the file changes again.
"""

from __future__ import annotations

import duckdb

from pipelines.checks import rules
from pipelines.checks.gx_suite import run_suite
from pipelines.contract import Entity


def file_rules(entity: Entity, rows: str) -> list[tuple[str, str]]:
    """(rule text, SELECT of offending (_file, _row, column, value)) over the relation `rows`."""
    keys = ", ".join(f'"{k}"' for k in entity.key)
    found = [(f"unique key ({', '.join(entity.key)}) within a file", f"""
        SELECT _file, _row, '{entity.key[0]}', CAST("{entity.key[0]}" AS VARCHAR) FROM {rows}
        QUALIFY row_number() OVER (PARTITION BY _file, {keys} ORDER BY _row) > 1""")]
    found += [(rules.regex_rule(col), f"""
        SELECT _file, _row, '{col.name}', "{col.name}" FROM {rows}
        WHERE NOT regexp_full_match("{col.name}", '{col.regex}')""")
              for col in entity.columns if col.regex]
    return found


def validate_pending(con: duckdb.DuckDBPyConnection, entity: Entity) -> int:
    """Check the rows of files loaded since their last validation; returns how many rows."""
    pending = f"""SELECT file FROM raw._manifest WHERE entity = '{entity.name}'
                  AND outcome = 'loaded' AND validated_hash IS DISTINCT FROM hash"""
    view = f"_pending_{entity.name}"  # in `main`: GX's reflection drops schema names
    con.execute(f"CREATE OR REPLACE VIEW main.{view} AS "
                f"SELECT * FROM raw.{entity.name} WHERE _file IN ({pending})")
    rows = con.execute(f"SELECT count(*) FROM main.{view}").fetchone()[0]
    if rows:
        run_suite(con, entity, view)
        key = rules.key_sql(entity)
        for rule, offending in file_rules(entity, f"main.{view}"):
            con.execute(f"""
                INSERT INTO raw._violations
                SELECT '{entity.name}', r._file, r._row, {key}, bad.col, bad.value, ?, 'row'
                FROM ({offending}) AS bad(_file, _row, col, value)
                JOIN main.{view} AS r USING (_file, _row)""", [rule])
    con.execute(f"UPDATE raw._manifest SET validated_hash = hash WHERE file IN ({pending})")
    con.execute(f"DROP VIEW main.{view}")
    return rows
