"""Quoting for DuckDB: the one way a name or a value from outside reaches SQL text.

Values are bound as parameters wherever DuckDB allows it; where it does not (paths in COPY and
ATTACH, catalog names, column names taken from files), they pass through these helpers.
"""

from __future__ import annotations

from pathlib import Path


def ident(name: str) -> str:
    """A quoted identifier: any text, including quotes, dots, hyphens and semicolons."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: str | Path) -> str:
    """A quoted string literal (for paths and names DuckDB does not take as parameters)."""
    return "'" + str(value).replace("'", "''") + "'"
