"""The history's CSV written from kept lines (pipelines/publish/csv_lines.py): its lines in key
order are, byte for byte, the file DuckDB's CSV writer makes of the rows in that order, and the
file holds the same records: hostile text (delimiters, quotes, line breaks, formula starts,
empty and NULL cells, non-ASCII), odd numbers (NaN, infinities, -0.0, 1e20, float noise on
money), in both dialects, and again after rows changed, appeared and went away."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import csv_lines
from pipelines.publish.dictionary import table_columns
from pipelines.publish.release import CSV_DELIMITERS, _copy_csv, _csv_safe, csv_cell

TABLE = "kpi_project_history"
UNITS = {"bac": "currency", "cpi": "ratio", "actual_hours": "hours"}
ROWS = [
    ("P1", "2026-01-05", 'Alpha, "the" first', "IT", 1.0000000000000002, 50343.70250000001,
     12.345, 3, True, 0.1),
    ("P1", "2026-01-06", "=HYPERLINK(\"x\")", "", None, -0.0, 0.0, None, False, float("nan")),
    ("P2", "2026-01-05", "line\nbreak\r\nand;semicolon", None, float("inf"), 1e20, -1.005, 0,
     None, float("-inf")),
    ("P-3", "2026-01-05", "Zoë's café", "@HR", -0.5, 123.455, 1e-9, 7, True, 1e20),
    ("P'4", "2004-02-29", "\ttab", "+1", 1 / 3, None, 1234567.891, -2, False, -1e-300),
]


def make_table(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(f"""CREATE OR REPLACE TABLE marts.{TABLE} (project_id VARCHAR, as_of DATE,
        project_name VARCHAR, department VARCHAR, cpi DOUBLE, bac DOUBLE, actual_hours DOUBLE,
        tasks_done BIGINT, is_finished BOOLEAN, other DOUBLE)""")
    con.executemany(f"INSERT INTO marts.{TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ROWS)


def records(data: bytes, dialect: str) -> list[list[str]]:
    """The file's header and its records sorted (the kept lines are in no set order)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                           delimiter=CSV_DELIMITERS[dialect]))
    return [rows[0], *sorted(rows[1:])]


def kept_in_key_order(con, data: bytes) -> bytes:
    """The header of a written file, then the kept lines sorted by key: DuckDB's file."""
    lines = con.execute(f"SELECT line FROM state.csv_lines_{TABLE} WHERE NOT is_header "
                        "ORDER BY as_of, project_id")
    return data.split(b"\n", 1)[0] + b"\n" + b"".join(
        line.encode() + b"\n" for (line,) in lines.fetchall())


def from_lines(con, path: Path, dialect: str) -> bytes:
    columns, decimal_comma = table_columns(con, TABLE), dialect == "excel-eu"
    select = _csv_safe(columns, f"SELECT * FROM marts.{TABLE}", UNITS, decimal_comma)
    header = path.with_suffix(".header")
    _copy_csv(con, f"{select} LIMIT 0", header, dialect)
    cells = [csv_cell(n, t, UNITS.get(n), decimal_comma) for n, t in columns]
    csv_lines.write_from_lines(con, TABLE, cells, header.read_bytes(), path,
                               CSV_DELIMITERS[dialect])
    return path.read_bytes()


def by_duckdb(con, path: Path, dialect: str) -> bytes:
    source = f"SELECT * FROM marts.{TABLE} ORDER BY as_of, project_id"
    select = _csv_safe(table_columns(con, TABLE), source, UNITS, dialect == "excel-eu")
    _copy_csv(con, select, path, dialect)
    return path.read_bytes()


@pytest.mark.parametrize("dialect", ["excel", "excel-eu"])
def test_lines_are_what_duckdb_writes(tmp_path, dialect):
    con = duckdb.connect()
    make_table(con)
    written = from_lines(con, tmp_path / "lines.csv", dialect)
    expected = by_duckdb(con, tmp_path / "duckdb.csv", dialect)
    assert kept_in_key_order(con, written) == expected
    assert records(written, dialect) == records(expected, dialect)
    assert written.startswith(b"\xef\xbb\xbfproject_id")
    assert written.count(b"\n") == len(ROWS) + 3  # the header, and the two quoted line breaks
    assert b'"Alpha, ""the"" first"' in written and b"'=HYPERLINK" in written


def test_kept_lines_follow_changed_new_and_gone_rows(tmp_path):
    con = duckdb.connect()
    make_table(con)
    from_lines(con, tmp_path / "first.csv", "excel")
    kept = f"state.csv_lines_{TABLE}"
    before = dict(con.execute(f"SELECT project_id || as_of, line FROM {kept} "
                              "WHERE NOT is_header").fetchall())
    con.execute(f"UPDATE marts.{TABLE} SET cpi = 0.75, project_name = 'Renamed, \"now\"' "
                "WHERE project_id = 'P1' AND as_of = DATE '2026-01-06'")
    con.execute(f"DELETE FROM marts.{TABLE} WHERE project_id = 'P2'")
    con.execute(f"INSERT INTO marts.{TABLE} VALUES ('P5', DATE '2026-01-07', 'New', 'IT', 1.5, "
                "10.0, 1.0, 1, TRUE, 2.0)")
    written = from_lines(con, tmp_path / "second.csv", "excel")
    expected = by_duckdb(con, tmp_path / "duckdb.csv", "excel")
    assert kept_in_key_order(con, written) == expected
    assert records(written, "excel") == records(expected, "excel")
    after = dict(con.execute(f"SELECT project_id || as_of, line FROM {kept} "
                             "WHERE NOT is_header").fetchall())
    assert set(after) == {"P12026-01-05", "P12026-01-06", "P-32026-01-05", "P'42004-02-29",
                          "P52026-01-07"}
    assert after["P12026-01-06"].startswith('P1,2026-01-06,"Renamed, ""now"""')
    assert after["P-32026-01-05"] == before["P-32026-01-05"]
    # an unchanged row's line is the one kept, not formatted again
    con.execute(f"UPDATE {kept} SET line = 'KEPT' WHERE project_id = 'P-3'")
    assert b"\nKEPT\n" in from_lines(con, tmp_path / "third.csv", "excel")
    con.execute(f"UPDATE marts.{TABLE} SET tasks_done = 8 WHERE project_id = 'P-3'")
    assert b"KEPT" not in from_lines(con, tmp_path / "fourth.csv", "excel")
    # another dialect formats every line afresh
    written = from_lines(con, tmp_path / "eu.csv", "excel-eu")
    assert kept_in_key_order(con, written) == by_duckdb(con, tmp_path / "eu-duckdb.csv",
                                                        "excel-eu")
