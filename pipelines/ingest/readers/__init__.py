"""Readers of foreign files: tool exports and mapped files become rows of contract entities.

Every reader is a module with two functions and no Dagster, DuckDB or warehouse in it:

    recognise(path: Path, head: bytes) -> bool
        True when the file is this reader's format. `head` is the first 64 KiB of the file;
        recognition is by content (and extension), never by the file's name alone.

    read(path: Path) -> Export
        The file's rows, per contract entity, as String columns in canonical form (ISO dates
        `YYYY-MM-DD`, `.` as decimal mark, empty = null), named as in pipelines/contract.yaml,
        plus two provenance columns:
            _row  Int64   1-based place of the row in the file (line, record or element number)
            _ref  String  where the row came from in words: "line 12", "Task UID 7",
                          "TASK row 431 (task_code A1010)"
        A column the export does not carry is simply absent (it becomes null). A file holding
        several projects, each with its own status date, may add to a project's rows
            _as_of   String  that project's status date (ISO; null: undated)
            _source  String  that project's id in the tool
        which then stand for those rows instead of the Export's status_date and source_id. Raise
        `ExportFault(message)` for a file that cannot be taken (truncated, wrong root element,
        missing column); the message names what is wrong in words and never quotes personal
        data (names, e-mails, costs of people).

Rows are then typed, checked and loaded exactly like canonical files: the same rules, the same
delivery semantics, the same messages (which name the source file and the row's `_ref`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl


class ExportFault(Exception):
    """A foreign file that cannot be read as its format promises; the message says why."""


@dataclass
class Export:
    """What one foreign file holds, per contract entity."""

    tables: dict[str, pl.DataFrame]  # entity -> String columns + _row (Int64) + _ref (String)
    # The export's status date: its rows count for runs as of this day or later, and the
    # earliest export holding a key gives its plan (raw_schema.current_rows_sql). None: the
    # rows are undated facts under the ordinary delivery semantics (timesheet-tool reports).
    status_date: date | None = None
    # The project's own id in the tool: successive exports with the same id are snapshots of
    # one schedule, and only the latest on or before D counts (raw_schema.current_rows_sql).
    # None: the file itself is the schedule.
    source_id: str | None = None
    notes: list[str] = field(default_factory=list)  # things the user should know (no personal data)
