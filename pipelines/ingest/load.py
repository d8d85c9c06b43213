"""Landing folder -> raw layer, incremental by content hash, per the delivery semantics.

Every present file is hashed on every run (sha256, hashlib.file_digest): a size+mtime test
misses a same-size edit whose mtime was kept (`cp -p`, `rsync -t`, tar), and the ctime that
would catch it is not recorded in `state.files`. (Within one run, the nothing-new check, ingest
and the check after it share each file's hash while stat says it is unchanged, ctime included:
landing._HASHES.) Hashing runs at about 0.6 GB/s on the 2-core
CI machine (0.4 s for a 250 MB file, a tenth of parsing it), so a no-op run over the large
data set (371 MB) spends about 0.6 s on it. A file is read only when its hash changed. A changed
file replaces all the rows it brought, also when it now has none; a vanished file keeps them;
the current row per key is picked later, in the raw layer's current view (raw_schema.py).

Detailed reports of timesheet tools name people by e-mail (or name) and work by project and task
name. Their rows are resolved to ids here, against the raw layer's employees, projects and
tasks that count (`_resolve`), so those are ingested first (`ingest_order`). A row that does not resolve is loaded with
empty ids and a row-rule violation naming what was not found, so the gate reports it by file
and line like any broken rule. Such a file's manifest hash is its content hash plus a
fingerprint of the files it was resolved against: a re-run with the same files reads nothing,
a changed employees, projects or tasks file makes it resolve anew.

Files are parsed before the warehouse transaction opens and parsing is bounded (landing.py),
so the write lock is held only while rows are typed and inserted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import state
from pipelines.checks import rules
from pipelines.contract import ENTITIES, Entity
from pipelines.ingest import exports
from pipelines.ingest.landing import (StructuralFault, clip, content_hash, entity_files, locate,
                                       read_strings)
from pipelines.ingest.readers import ExportFault
from pipelines.ingest.readers.timesheet_tools import resolve_timesheets
from pipelines.ingest.raw_schema import current_rows_sql, ensure_raw_schema, record_snapshots
from pipelines.sql import ident, literal, shown

MAX_PARSE_ERRORS_SHOWN = 5
# Changed files' rows move from Python to a DuckDB temp table in batches of about this many
# rows: few enough statements for 900 small daily files, little Python memory for large ones.
STAGE_ROWS = 200_000
MAX_NAMES_SHOWN = 20
# provenance; no contract column starts with _
INTERNAL = ("_file", "_row", "_ref", "_extra", "_as_of", "_source")
assert not any(c.startswith("_") for e in ENTITIES.values() for c in e.column_names)


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


def _typed(column: str, sql_type: str) -> str:
    return f"TRY_CAST({ident(column)} AS {sql_type})"


TYPE_WORDS = {"date": "a date (YYYY-MM-DD)", "decimal": "a number", "integer": "a whole number"}


def _unparsable(col) -> str:
    """SQL condition: the landed text of `col` is not a value of its type (NaN and infinity
    are not numbers a rule could judge)."""
    typed = _typed(col.name, col.sql_type)
    finite = f" OR NOT isfinite({typed})" if col.type == "decimal" else ""
    return f"{ident(col.name)} IS NOT NULL AND ({typed} IS NULL{finite})"


def _parse_errors(con: duckdb.DuckDBPyConnection, entity: Entity, view: str,
                  columns: set[str], ref: str) -> dict[str, str]:
    """Values that do not parse as their column's type: file -> message with the first few.
    Values of personal columns are masked, every value is cut short."""
    probes = [
        f"""SELECT _file, _row, {ref}, {literal(c.name)}, {shown(ident(c.name), c.personal)},
                   {literal(TYPE_WORDS[c.type])} FROM {view} WHERE {_unparsable(c)}"""
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
    for file, row, where, column, value, expected in rows:
        errors.setdefault(file, []).append(
            f'{clip(where) if where else locate(file, row)} column {column}: "{clip(value)}" '
            f"is not {expected}")
    return {file: "; ".join(msgs) for file, msgs in errors.items()}


def _json_extra(df: pl.DataFrame, known: set[str]) -> pl.DataFrame:
    """`_extra` as JSON text: a reader's struct of extra columns, and any column that is
    neither the contract's nor provenance (kept, never dropped)."""
    stray = [c for c in df.columns if c not in known and c not in INTERNAL]
    if "_extra" in df.columns and df.schema["_extra"] == pl.String and not stray:
        return df
    parts = [pl.col(c) for c in stray]
    if "_extra" in df.columns:
        if df.schema["_extra"] != pl.String:
            parts = [pl.col("_extra").struct.unnest(), *parts]
        elif stray:
            raise ValueError(f"columns outside the contract besides a JSON _extra: {stray}")
    if not parts:
        return df
    return df.with_columns(pl.struct(parts).struct.json_encode().alias("_extra")).drop(stray)


def _header_names(df: pl.DataFrame) -> list[str]:
    extra = df.schema.get("_extra")
    names = [c for c in df.columns if c not in INTERNAL]
    return names + ([f.name for f in extra.fields] if isinstance(extra, pl.Struct) else [])


def _read_changed(con: duckdb.DuckDBPyConnection, entity: Entity, root: Path,
                  files: dict[str, str], report: IngestReport, units: dict[str, exports.Foreign],
                  waived: dict[str, list[str]], unresolved: dict[str, list[dict]]):
    """The changed files' rows (None when none could be taken) and the files they replace.
    `files`: name -> content hash. A tool export need not state required values other than
    keys (`waived`); a canonical or mapped file must carry every required column. Rows that
    name people and work by name are resolved to ids; those that do not resolve go to
    `unresolved` (file -> rows with what was not found)."""
    staged, taken, pending, pending_rows = None, [], [], 0
    known = set(entity.column_names)
    required = {c.name for c in entity.columns if c.required}
    for name, digest in files.items():
        unit = units.get(name)
        try:
            if unit is None:
                df = read_strings(root / name, known)
            else:
                df = exports.read_unit(unit, entity.name, digest)
                if unit.reader in exports.RESOLVED:
                    df, unresolved[name] = _resolve(con, entity, df)
        except (StructuralFault, ExportFault) as fault:
            report.rejected[name] = str(fault)
            continue
        except OSError as error:  # vanished or unreadable since it was listed
            report.rejected[name] = f"cannot read the file ({type(error).__name__})"
            continue
        if unit is not None and unit.source is None:
            waived[name] = sorted(required - set(entity.key))
            missing = []
        else:
            missing = sorted(required - set(df.columns))
        if missing:
            found = _header_names(df)
            listed = ", ".join(clip(c) for c in found[:MAX_NAMES_SHOWN])
            hidden = len(found) - MAX_NAMES_SHOWN
            more = f" and {hidden} more" if hidden > 0 else ""
            report.rejected[name] = (
                f"missing required column(s) {', '.join(missing)} (found: {listed}{more})")
            continue
        pending.append(_json_extra(df, known).with_columns(pl.lit(name).alias("_file")))
        taken.append(name)
        pending_rows += len(df)
        if pending_rows >= STAGE_ROWS:
            staged, pending, pending_rows = _stage(con, entity, staged, pending), [], 0
    if pending:
        staged = _stage(con, entity, staged, pending)
    return staged, taken


def _stage(con: duckdb.DuckDBPyConnection, entity: Entity, staged: str | None,
           frames: list[pl.DataFrame]) -> str:
    """Append some files' rows to a temporary table of the run's changed rows (created by the
    first call): the rows wait in DuckDB, which spills beyond its memory limit, instead of all
    of them in Python at once (7 million timesheet rows as strings took about 1.5 GB). Columns
    are text, as read; a column only some files have is added when it first comes."""
    frame = pl.concat(frames, how="diagonal").with_columns(pl.exclude("_row").cast(pl.String))
    table = f"_landed_{entity.name}"
    view = f"_landing_{entity.name}"
    # (each statement's result is fetched: DuckDB refuses to register a frame while one is open)
    con.register(view, frame)
    try:
        if staged is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}").fetchall()
            return table
        present = _temp_columns(con, table)
        for column in frame.columns:
            if column not in present:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {ident(column)} VARCHAR").fetchall()
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}").fetchall()
        return table
    finally:
        con.unregister(view)


def _temp_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE "
                                      "database_name = 'temp' AND table_name = ?",
                                      [table]).fetchall()}


# Constant rule texts: what was not found is the violation's value (never a person's name or
# e-mail), so the quarantine summary counts one rule, not one per name, and one INSERT records
# every unresolved row.
PERSON_RULE = "employee_id resolves from the entry's e-mail (else its person's name)"
TASK_RULE = "task_id resolves from the entry's project and task names"


def _resolve(con: duckdb.DuckDBPyConnection, entity: Entity,
             df: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    """A timesheet-tool report's rows with employee_id and task_id found in the raw layer: the
    resolved rows with their ids, the others with none; and those others, each with the rules
    it breaks and what was not found.

    The rows resolved against are the rows that count (raw_schema.current_rows_sql), with no
    date bound (a report is undated: it counts as of every D and is resolved once) and no rule
    left out: the quarantine is decided by the checks, after every entity is ingested, and a
    report is resolved again only when a file it was resolved against changes (the module
    docstring). So a task deleted in a schedule's latest export, or renamed there, is no longer
    matched by its old name."""
    if entity.name != "timesheets":  # the only entity such reports feed (exports.FEEDS)
        return df, []
    view = "_resolving"
    against = {name: f"({current_rows_sql(ENTITIES[name], excluded=(), as_of='NULL')})"
               for name in exports.RESOLVED["timesheet_tools"]}
    # a cursor of its own: the caller's connection may hold a result not fetched to the end
    with con.cursor() as cur:
        cur.register(view, df)
        sql, failed = resolve_timesheets(cur, view, **against)
        resolved = cur.sql(sql).pl()
    bad_rows = [u["_row"] for u in failed]
    rest = df.filter(pl.col("_row").is_in(bad_rows)).drop(
        [c for c in ("employee_id", "task_id") if c in df.columns])
    rows = pl.concat([resolved.cast({c: pl.String for c in ("employee_id", "task_id")}), rest],
                     how="diagonal_relaxed")
    for u in failed:
        u["rules"] = [(c, rule, u[side]) for c, rule, side in (
            ("employee_id", PERSON_RULE, "person"), ("task_id", TASK_RULE, "task")) if u[side]]
    return rows.sort("_row"), failed


def _add_unresolved(con: duckdb.DuckDBPyConnection, entity: Entity,
                    unresolved: dict[str, list[dict]]) -> None:
    """Row-rule violations for the loaded rows that did not resolve, in one statement: the
    gate then names the file, the line, the rule and what was not found (the value), and
    quarantines or blocks them like any rule."""
    found = [(file, u["_row"], column, rule, missing) for file, rows in unresolved.items()
             for u in rows for column, rule, missing in u["rules"]]
    if not found:
        return
    view = "_unresolved"
    con.register(view, pl.DataFrame(found, schema=["_file", "_row", "col", "rule", "value"],
                                    orient="row"))
    try:
        con.execute(f"""
            INSERT INTO state.violations
                (entity, _file, _row, key, "column", value, rule, kind)
            SELECT ?, r._file, r._row, {rules.key_sql(entity)}, u.col, u.value, u.rule, 'row'
            FROM {view} AS u JOIN raw.{ident(entity.name)} AS r USING (_file, _row)""",
                    [entity.name])
    finally:
        con.unregister(view)


def _load(con: duckdb.DuckDBPyConnection, entity: Entity, staged: str, report,
          files: list[str]) -> None:
    """Replace the rows of `files` in raw.<entity> by the typed rows of the table `_stage`
    filled: contract columns, `_file`, `_row` and, when present, `_ref` (a tool export's
    place), `_extra` (JSON text), `_as_of` and `_source`. A file whose values do not parse is
    rejected and keeps its previous rows."""
    columns = _temp_columns(con, staged)
    ref = "_ref" if "_ref" in columns else "NULL"
    report.rejected.update(_parse_errors(con, entity, staged, columns, ref))
    good = [f for f in files if f not in report.rejected]
    extra = "CAST(_extra AS JSON)" if "_extra" in columns else "NULL"
    as_of = "TRY_CAST(_as_of AS DATE)" if "_as_of" in columns else "NULL"
    source = "_source" if "_source" in columns else "NULL"
    select = "".join(f"{_typed(c.name, c.sql_type)} AS {ident(c.name)}, "
                     for c in entity.columns if c.name in columns)
    table = f"raw.{ident(entity.name)}"
    con.execute(f"DELETE FROM {table} WHERE _file IN (SELECT unnest(?::VARCHAR[]))", [good])
    con.execute(
        f"""INSERT INTO {table} BY NAME
            SELECT {select}_file, _row, {ref} AS _ref, {extra} AS _extra, {as_of} AS _as_of,
                   {source} AS _source
            FROM {staged} WHERE _file IN (SELECT unnest(?::VARCHAR[]))""", [good])
    counts = dict(con.execute(
        f"""SELECT _file, count(*) FROM {staged}
            WHERE _file IN (SELECT unnest(?::VARCHAR[])) GROUP BY _file""", [good]
    ).fetchall())
    report.loaded.update({f: counts.get(f, 0) for f in good})  # a header-only file: 0 rows


def ingest_entity(con: duckdb.DuckDBPyConnection, root: Path, entity: Entity,
                  foreign: list[exports.Foreign] | None = None,
                  before_reading: Callable[[], None] | None = None,
                  schema_ready: bool = False) -> IngestReport:
    """Bring the entity's new and changed files into `raw.<entity>`; update the manifest.
    Its files are `<entity>.*`, `<entity>/**` and a unit `<file>#<entity>` of each tool
    export or mapped file that may feed it (`foreign`: found once per run by the caller).
    `before_reading` is called before changed files are parsed (none changed: not called);
    `schema_ready`: the caller ran ensure_raw_schema in this run already (it re-creates
    every entity's view: 50 ms, paid once per run instead of once per entity)."""
    if not schema_ready:
        ensure_raw_schema(con)
    report = IngestReport(entity.name)
    known = state.known_files(con, entity.name)
    canonical = entity_files(root, entity.name)
    if foreign is None:
        foreign = find_foreign(root)
    units = exports.units_for(foreign, entity.name)
    paths = {p.relative_to(root).as_posix(): p for p in canonical}
    paths.update({name: unit.path for name, unit in units.items()})
    stats, hashes, to_read, waived, unresolved = {}, {}, {}, {}, {}
    resolved_against: dict[str, str] = {}  # reader -> fingerprint of what it resolves against
    for name, path in paths.items():
        report.present.append(name)
        try:
            st = path.stat()
            digest = content_hash(path)
        except OSError as error:
            report.rejected[name] = f"cannot read the file ({type(error).__name__})"
            stats[name], hashes[name] = (0, 0), ""
            continue
        stats[name] = (st.st_size, st.st_mtime_ns)
        hashes[name] = digest
        reader = units[name].reader if name in units else None
        if reader in exports.RESOLVED:  # its rows change when what they resolve against does
            if reader not in resolved_against:
                resolved_against[reader] = state.files_fingerprint(
                    con, list(exports.RESOLVED[reader]))[:16]
            hashes[name] = f"{digest}+resolved:{resolved_against[reader]}"
        old = known.get(name)
        if old and old[0] == hashes[name]:
            report.unchanged += 1  # same content: at most its stat is remembered anew
        else:
            to_read[name] = digest

    if to_read and before_reading is not None:
        before_reading()
    # no lock held while parsing
    landed, taken = _read_changed(con, entity, root, to_read, report, units, waived, unresolved)
    con.execute("BEGIN TRANSACTION")
    try:
        if landed is not None:
            _load(con, entity, landed, report, taken)
        read = []
        for name, digest in hashes.items():
            if name in report.loaded or name in report.rejected:
                read.append((name, entity.name, digest, *stats[name], report.loaded.get(name),
                             "rejected" if name in report.rejected else "loaded",
                             report.rejected.get(name), waived.get(name)))
            elif known[name][1:] != stats[name]:
                state.touch_file(con, name, *stats[name])
        state.record_files(con, read)
        for name in report.loaded:  # what each export read is a snapshot of, and its notes
            if name in units and units[name].source is None:
                record_snapshots(con, units[name].name, exports.snapshots(units[name],
                                                                         to_read[name]))
            if name in units:
                state.record_notes(con, units[name].name, to_read[name],
                                   exports.notes(units[name], to_read[name]))
        state.forget_vanished_rejections(con, entity.name, report.present)
        # Row-level findings of a replaced file are stale; its new rows get validated afresh.
        if report.loaded:
            state.clear_violations(con, entity.name, "row", list(report.loaded))
            state.clear_violations(con, entity.name, "set", list(report.loaded))
            _add_unresolved(con, entity, {f: unresolved[f] for f in report.loaded
                                          if unresolved.get(f)})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:  # after COMMIT or ROLLBACK: inside a failed transaction it would hide the error
        if landed is not None:
            con.execute(f"DROP TABLE IF EXISTS {landed}")
    return report


def ingest_order(entities):
    """The entities in the order ingest takes them: the contract's, except that timesheets
    come after every entity a timesheet-tool report is resolved against (stable sort)."""
    return sorted(entities, key=lambda e: e.name == "timesheets")


class LandingProblem(ValueError):
    """The landing folder cannot be read as it is: a mapping.yaml that cannot be followed, a
    schedule file no reader knows. The message names the file."""


def find_foreign(root: Path) -> list[exports.Foreign]:
    """The landing folder's tool exports and mapped files, once per run (the caller passes
    them to each entity's ingest); a broken mapping.yaml or an unknown schedule file stops
    the run in words."""
    canonical = {p for e in ENTITIES for p in entity_files(root, e)}
    foreign, problems = exports.find_foreign(root, canonical)
    if problems:
        raise LandingProblem("; ".join(problems))
    return foreign
