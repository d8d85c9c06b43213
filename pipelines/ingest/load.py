"""Landing folder -> raw layer, incremental by content hash, per the delivery semantics.

A file is read again only when its content changed (size and mtime are the quick test, the
hash the real one). A changed file replaces the rows it brought; a vanished file keeps them;
the current row per key is picked later, in staging (the file sorting last wins).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import state
from pipelines.contract import Entity
from pipelines.ingest.landing import StructuralFault, entity_files, locate, read_strings
from pipelines.ingest.raw_schema import ensure_raw_schema
from pipelines.sql import ident, literal

MAX_PARSE_ERRORS_SHOWN = 5


@dataclass
class IngestReport:
    entity: str
    present: list[str] = field(default_factory=list)  # files in the landing folder now
    loaded: dict[str, int] = field(default_factory=dict)  # file -> rows read this run
    rejected: dict[str, str] = field(default_factory=dict)  # file -> why
    unchanged: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(self.loaded.values())


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _typed(column: str, sql_type: str) -> str:
    return f"TRY_CAST({ident(column)} AS {sql_type})"


TYPE_WORDS = {"date": "a date (YYYY-MM-DD)", "decimal": "a number", "integer": "a whole number"}


def _parse_errors(con: duckdb.DuckDBPyConnection, entity: Entity, columns: set[str]) -> dict:
    """Values that do not parse as their column's type: file -> message with the first few."""
    probes = [
        f"""SELECT _file, _row, {literal(c.name)}, left({ident(c.name)}, 40),
                   {literal(TYPE_WORDS[c.type])} FROM landed
            WHERE {ident(c.name)} IS NOT NULL AND {_typed(c.name, c.sql_type)} IS NULL"""
        for c in entity.columns
        if c.type != "text" and c.name in columns
    ]
    if not probes:
        return {}
    rows = con.execute(
        f"""SELECT * FROM ({" UNION ALL ".join(probes)})
            QUALIFY row_number() OVER (PARTITION BY _file ORDER BY _row) <= {MAX_PARSE_ERRORS_SHOWN}
            ORDER BY _file, _row"""
    ).fetchall()
    errors: dict[str, list[str]] = {}
    for file, row, column, value, expected in rows:
        errors.setdefault(file, []).append(
            f'{locate(file, row)} column {column}: "{value}" is not {expected}')
    return {file: "; ".join(msgs) for file, msgs in errors.items()}


def _read_changed(entity: Entity, root: Path, files: list[str], report: IngestReport):
    frames = []
    required = {c.name for c in entity.columns if c.required}
    for name in files:
        try:
            df = read_strings(root / name)
        except StructuralFault as fault:
            report.rejected[name] = str(fault)
            continue
        missing = sorted(required - set(df.columns))
        if missing:
            found = ", ".join(c for c in df.columns if c != "_row")
            report.rejected[name] = (
                f"missing required column(s) {', '.join(missing)} (found: {found})"
            )
            continue
        frames.append(df.with_columns(pl.lit(name).alias("_file")))
    return pl.concat(frames, how="diagonal") if frames else None


def _load(con: duckdb.DuckDBPyConnection, entity: Entity, landed: pl.DataFrame, report):
    con.register("landed", landed)
    columns = set(landed.columns)
    report.rejected.update(_parse_errors(con, entity, columns))
    good = [f for f in landed["_file"].unique().to_list() if f not in report.rejected]
    extras = [c for c in landed.columns if c not in entity.column_names and c not in ("_file", "_row")]
    extra_sql = (
        "to_json({" + ", ".join(f"{literal(c)}: {ident(c)}" for c in extras) + "})"
        if extras else "NULL")
    select = ", ".join(
        f"{_typed(c.name, c.sql_type)} AS {ident(c.name)}" for c in entity.columns
        if c.name in columns)
    con.execute(f"DELETE FROM raw.{entity.name} WHERE _file IN (SELECT unnest(?))", [good])
    con.execute(
        f"""INSERT INTO raw.{entity.name} BY NAME
            SELECT {select + ", " if select else ""}_file, _row, {extra_sql} AS _extra
            FROM landed WHERE _file IN (SELECT unnest(?))""",
        [good],
    )
    counts = con.execute(
        "SELECT _file, count(*) FROM landed WHERE _file IN (SELECT unnest(?)) GROUP BY _file",
        [good],
    ).fetchall()
    report.loaded.update(dict(counts))
    con.unregister("landed")


def ingest_entity(con: duckdb.DuckDBPyConnection, root: Path, entity: Entity) -> IngestReport:
    """Bring the entity's new and changed files into `raw.<entity>`; update the manifest."""
    ensure_raw_schema(con)
    report = IngestReport(entity.name)
    known = state.known_files(con, entity.name)
    stats, hashes, to_read = {}, {}, []
    for path in entity_files(root, entity.name):
        name = path.relative_to(root).as_posix()
        report.present.append(name)
        st = path.stat()
        stats[name] = (st.st_size, st.st_mtime_ns)
        old = known.get(name)
        if old and old[1:] == stats[name]:
            report.unchanged += 1
            continue
        hashes[name] = _digest(path)
        if old and old[0] == hashes[name]:
            report.unchanged += 1  # touched, same content: remember the new stat only
        else:
            to_read.append(name)

    con.execute("BEGIN TRANSACTION")
    landed = _read_changed(entity, root, to_read, report)
    if landed is not None:
        _load(con, entity, landed, report)
    for name, digest in hashes.items():
        if name not in to_read:
            state.touch_file(con, name, *stats[name])
            continue
        outcome = "rejected" if name in report.rejected else "loaded"
        state.record_file(con, name, entity.name, digest, *stats[name], report.loaded.get(name),
                          outcome, report.rejected.get(name))
    state.forget_vanished_rejections(con, entity.name, report.present)
    # Row-level findings of a replaced file are stale; its new rows get validated afresh.
    if report.loaded:
        state.clear_violations(con, entity.name, "row", list(report.loaded))
        state.clear_violations(con, entity.name, "set", list(report.loaded))
    con.execute("COMMIT")
    return report
