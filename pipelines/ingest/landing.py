"""The landing folder: which files belong to an entity, and reading one into strings.

Every reader returns the same shape, whatever the format: one String column per file
column (names trimmed and lower-cased) plus `_row`, the 1-based data row, so that typing and
error messages are written once, in SQL (pipelines/ingest.py).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMATS = (".csv", ".csv.gz", ".parquet", ".xlsx")


class StructuralFault(Exception):
    """The file as a whole cannot be taken: unreadable, wrong encoding, missing column."""


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    return next((f for f in FORMATS if name.endswith(f)), None)


def entity_files(root: Path, entity: str) -> list[Path]:
    """`<root>/<entity>.<ext>` and `<root>/<entity>/*.<ext>`, sorted by path."""
    candidates = list(root.glob(f"{entity}.*")) + list((root / entity).glob("*"))
    return sorted(p for p in candidates if p.is_file() and file_format(p))


def unknown_files(root: Path, entities: list[str]) -> list[str]:
    """Files in the landing folder that belong to no entity: never read, so always reported
    (a misspelt `timesheet.csv` must not vanish silently)."""
    known = {p for e in entities for p in entity_files(root, e)}
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p not in known)


def unknown_files_message(root: Path, entities: list[str]) -> str | None:
    found = unknown_files(root, entities) if root.is_dir() else []
    if not found:
        return None
    return (f"not read: {len(found)} file(s) in {root} match no entity of the input contract "
            f"(expected <entity>.<csv|csv.gz|parquet|xlsx> or <entity>/*): "
            f"{', '.join(found[:10])}{' ...' if len(found) > 10 else ''}")


def _as_strings(df: pl.DataFrame) -> pl.DataFrame:
    def to_string(name: str, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(name)
        if dtype == pl.Datetime or dtype == pl.Date:
            col = col.cast(pl.Date)  # spreadsheets store dates as midnight datetimes
        return col.cast(pl.String)

    return df.select(to_string(n, t) for n, t in df.schema.items())


def read_strings(path: Path) -> pl.DataFrame:
    """The file's rows as strings with normalized column names and `_row`."""
    fmt = file_format(path)
    try:
        if fmt in (".csv", ".csv.gz"):
            df = pl.read_csv(path, infer_schema=False, encoding="utf8")
        elif fmt == ".parquet":
            df = _as_strings(pl.read_parquet(path))
        else:
            df = _as_strings(pl.read_excel(path, sheet_id=1))
    except Exception as error:  # noqa: BLE001 - any reader failure is the file's fault
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "utf-8" in reason.lower() or "utf8" in reason.lower():
            reason = f"not valid UTF-8 ({reason})"
        raise StructuralFault(f"cannot read the file: {reason}") from error
    names = [c.strip().lower() for c in df.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise StructuralFault(f"column named twice: {', '.join(duplicated)}")
    return df.rename(dict(zip(df.columns, names))).with_row_index("_row", offset=1)


def locate(file: str, row: int) -> str:
    """Where a data row is, as the user's editor or spreadsheet shows it (header = line 1)."""
    if file.lower().endswith(".parquet"):
        return f"row {row}"
    return f"{'row' if file.lower().endswith('.xlsx') else 'line'} {row + 1}"
