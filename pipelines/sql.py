"""Quoting for DuckDB: the one way a name or a value from outside reaches SQL text.

Values are bound as parameters wherever DuckDB allows it; where it does not (paths in COPY and
ATTACH, catalog names, column names), they pass through these helpers. Names from landed
files never reach SQL at all: ingest keeps the contract's columns by their contract names and
the others as JSON data (pipelines/ingest/landing.py).
"""

from __future__ import annotations

from pathlib import Path

ECHO_CHARS = 40  # the most of a value a message shows (pipelines/ingest/landing.clip too)
MASK = "***"


def _checked(text: str) -> str:
    if "\x00" in text:  # DuckDB's parser ends a statement text at NUL
        raise ValueError("a NUL character cannot be quoted for SQL")
    return text


def ident(name: str) -> str:
    """A quoted identifier: any text, including quotes, dots, hyphens and semicolons."""
    return '"' + _checked(str(name)).replace('"', '""') + '"'


def literal(value: str | Path) -> str:
    """A quoted string literal (for paths and names DuckDB does not take as parameters)."""
    return "'" + _checked(str(value)).replace("'", "''") + "'"


def shown(expr: str, personal: bool = False) -> str:
    """SQL for a value as a message may show it: masked for a personal column (its values
    never reach messages or logs), otherwise as text cut to ECHO_CHARS characters."""
    if personal:
        return f"CASE WHEN ({expr}) IS NULL THEN NULL ELSE {literal(MASK)} END"
    return f"left(CAST({expr} AS VARCHAR), {ECHO_CHARS})"
