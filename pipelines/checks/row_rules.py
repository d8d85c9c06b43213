"""Rules that a file's rows meet or break on their own, checked once per file content.

The rows of files loaded since their last validation form a view; the GX suite and the SQL
rules GX cannot express on DuckDB (patterns, a key repeated within a file) run over it, and
the findings stay in `state.violations` (kind 'row') until the file changes again.
"""

from __future__ import annotations

import duckdb

from pipelines import state
from pipelines.checks import rules
from pipelines.checks.gx_suite import run_suite
from pipelines.contract import Entity
from pipelines.sql import ident, literal, shown


def file_rules(entity: Entity, rows: str) -> list[tuple[str, str]]:
    """(rule text, SELECT of offending (_file, _row, column, value)) over the relation `rows`;
    values as messages may show them (pipelines.sql.shown)."""
    keys = ", ".join(ident(k) for k in entity.key)
    first = entity.key[0]
    found = [(f"unique key ({', '.join(entity.key)}) within a file", f"""
        SELECT _file, _row, {literal(first)}, {shown(ident(first), entity.column(first).personal)}
        FROM {rows}
        QUALIFY row_number() OVER (PARTITION BY _file, {keys} ORDER BY _row) > 1""")]
    found += [(rules.regex_rule(col), f"""
        SELECT _file, _row, {literal(col.name)}, {shown(ident(col.name), col.personal)} FROM {rows}
        WHERE NOT regexp_full_match({ident(col.name)}, {literal(col.regex)})""")
              for col in entity.columns if col.regex]
    return found


def validate_pending(con: duckdb.DuckDBPyConnection, entity: Entity) -> int:
    """Check the rows of files loaded since their last validation; returns how many rows."""
    view = f"_pending_{entity.name}"  # in `main`: GX's reflection drops schema names
    con.execute(f"CREATE OR REPLACE VIEW main.{view} AS SELECT * FROM raw.{entity.name} "
                f"WHERE _file IN ({state.pending_files_sql(entity.name)})")
    rows = con.execute(f"SELECT count(*) FROM main.{view}").fetchone()[0]
    if rows:
        run_suite(con, entity, view)
        for rule, offending in file_rules(entity, f"main.{view}"):
            state.add_violations(con, entity.name, "row", rule, offending, f"main.{view}",
                                 rules.key_sql(entity))
    state.mark_validated(con, entity.name)
    con.execute(f"DROP VIEW main.{view}")
    return rows
