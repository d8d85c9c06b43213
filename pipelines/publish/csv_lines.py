"""The CSV file of the history from lines formatted once and kept in the warehouse.

kpi_project_history holds a row per project and day since the first project start (1.3 million
rows and 550 MB of CSV at the large scale). Formatting every cell of it for each release took
about 9 s of a nightly run that changed a few thousand of its rows. So the warehouse keeps each
row's CSV line (`state.csv_lines_<table>`), keyed by the table's key and a hash of the row's
values. A publish formats the rows whose key and hash it does not hold, drops the lines of rows
that are gone or changed, and writes the file from the lines in one COPY, in the order they are
kept: the header first (kept as the table's first row, never deleted), a nightly run's new lines
last. Not sorted: sorting 2 GB of lines at the xlarge scale does not fit a 2 GB memory limit.

A line is what DuckDB's CSV writer writes for the row (tests/test_csv_lines.py compares the
bytes): the cells of release.csv_cell, NULL as nothing, and a text quoted, its quotes doubled,
when it is empty or holds the delimiter, a quote or a line break. The lines are kept for one
way of formatting (columns, types, units, dialect, header); another starts them afresh, as
does the first publish after an upgrade that changed the kept table. A row changed into values
with the same 64-bit hash as before (odds 2^-64) would keep its old line, as the history's
digests would miss it (pipelines/transform/increment.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from pipelines.sql import ident, literal

KEYS = {"kpi_project_history": ("as_of", "project_id")}  # the tables written from kept lines
NEEDS_QUOTES = "[\"\r\n{delimiter}]"


def _quoted(cell: str, delimiter: str) -> str:
    """SQL: a VARCHAR cell as DuckDB's CSV writer writes it."""
    pattern = literal(NEEDS_QUOTES.format(delimiter=delimiter))
    return (f"CASE WHEN {cell} IS NULL THEN '' "
            f"WHEN {cell} = '' OR regexp_matches({cell}, {pattern}) "
            f"THEN '\"' || replace({cell}, '\"', '\"\"') || '\"' ELSE {cell} END")


def write_from_lines(con: duckdb.DuckDBPyConnection, table: str, cells: list[str],
                     header: bytes, path: Path, delimiter: str) -> None:
    """Write marts.<table> as CSV to `path`: `header` (its first line, as written by DuckDB),
    then a line per row. `cells`: per column the SQL expression of its cell."""
    keys = KEYS[table]
    key_list = ", ".join(ident(k) for k in keys)
    on = " AND ".join(f"kept.{ident(k)} IS NOT DISTINCT FROM rows.{ident(k)}"
                      for k in (*keys, "row_hash"))
    source = f"marts.{ident(table)}"
    lines = f"state.{ident('csv_lines_' + table)}"
    way = hashlib.sha256(json.dumps([cells, delimiter, header.hex()]).encode()).hexdigest()
    con.execute("CREATE SCHEMA IF NOT EXISTS state")
    kept = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = "
                       "current_database() AND schema_name = 'state' AND table_name = ?",
                       [f"csv_lines_{table}"]).fetchall()
    if kept != [(way,)]:  # none yet, or formatted another way
        con.execute(f"CREATE OR REPLACE TABLE {lines} AS SELECT {key_list}, "
                    f"0::UBIGINT AS row_hash, ''::VARCHAR AS line, false AS is_header "
                    f"FROM {source} LIMIT 0")
        # the first row, so that DuckDB writes it first (the header ends in the one line break)
        con.execute(f"INSERT INTO {lines} (line, is_header) VALUES (?, true)",
                    [header.decode().removesuffix("\n")])
        con.execute(f"COMMENT ON TABLE {lines} IS {literal(way)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE csv_rows AS "
                f"SELECT {key_list}, hash(rows) AS row_hash FROM {source} AS rows")
    con.execute(f"DELETE FROM {lines} AS kept WHERE NOT kept.is_header AND NOT EXISTS "
                f"(SELECT 1 FROM temp.csv_rows AS rows WHERE {on})")
    # only text can need quotes: numbers, dates and booleans never hold a quote, a line break
    # or the delimiter
    types = con.execute(f"SELECT {', '.join(cells)} FROM {source} LIMIT 0").description
    text = ", ".join(f"({expr})::VARCHAR AS c{i}" for i, expr in enumerate(cells))
    line = f"concat_ws({literal(delimiter)}, " + ", ".join(  # no cell is NULL by now
        _quoted(f"c{i}", delimiter) if type_ == "VARCHAR" else f"coalesce(c{i}, '')"
        for i, (_, type_, *_) in enumerate(types)) + ")"
    con.execute(f"""
        INSERT INTO {lines}
        SELECT {key_list}, row_hash, {line} AS line, false AS is_header
        FROM (
            SELECT {", ".join(f"rows.{ident(k)}" for k in keys)}, new.row_hash, {text}
            FROM {source} AS rows
            INNER JOIN (
                SELECT * FROM temp.csv_rows AS rows
                WHERE NOT EXISTS (SELECT 1 FROM {lines} AS kept
                                  WHERE NOT kept.is_header AND {on})
            ) AS new USING ({key_list})
        )""")
    con.execute("DROP TABLE temp.csv_rows")
    # One VARCHAR column with no quote character: DuckDB writes each line as it is, in the
    # order kept (preserve_insertion_order, DuckDB's default, holds for COPY; rows deleted
    # before it leave the order of the others as it was). Writing the header apart and the
    # lines behind it cost a second write of the whole file: 2-3 s at the large scale.
    con.execute(f"COPY (SELECT line FROM {lines}) TO {literal(path)} "
                "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '')")
    with path.open("rb") as written:
        if written.read(len(header)) != header:
            raise RuntimeError(f"{path} does not start with its header: DuckDB wrote the kept "
                               "lines out of their order (is preserve_insertion_order off?)")
