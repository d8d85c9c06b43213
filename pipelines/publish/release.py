"""Publishing the KPI tables for readers: a complete release directory, then an atomic switch.

For the export dir `data/exports`:

    data/exports.releases/<release-id>/   <table>.parquet, <table>.csv, kpi.duckdb,
                                          data_dictionary.json, data_dictionary.md, release.json,
                                          quarantine.parquet and .csv (when rows were quarantined)
    data/exports -> exports.releases/<release-id>      (relative symlink, swapped atomically)

Readers (BI tools, notebooks) open files through the symlink and so see one whole release, old
or new; they never open the warehouse, which DuckDB lets one writer or many readers hold, never
both. A release is never modified once the symlink points at it, and the last KEEP_RELEASES stay
on disk, so a reader's open connection keeps working across publishes.

CSV files are opened by spreadsheets, which run a cell starting with a formula character: in
CSV only, a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
`'` (OWASP's CSV-injection advice). Numbers are typed columns and are never quoted.

CSV files are also written for people: UTF-8 with a byte-order mark (so that Excel reads
non-ASCII names right), ISO dates, and numbers rounded by the unit schema.yml gives them
(money to cents, printed with two decimals; ratios and fractions to 4 decimals; hours and days
to 2), with `;` and decimal commas for PMO_CSV_DIALECT=excel-eu. Parquet and kpi.duckdb keep
every value unchanged, at full precision. The history's CSV (a row per project and day) is
written from lines formatted once and kept in the warehouse (publish/csv_lines.py): a nightly
run formats only the rows it changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from typing import Callable

from pipelines.contract import ENTITIES
from pipelines.ingest.landing import line_sql
from pipelines.publish import csv_lines
from pipelines.publish.dictionary import data_dictionary, render_markdown, table_columns
from pipelines.sql import ident, literal

# Renders report.html from a release's kpi.duckdb; given by the caller (the Dagster wiring),
# so that publishing the tables never depends on the charting stack.
ReportRenderer = Callable[[Path], str]

log = logging.getLogger(__name__)

# The oldest storage format DuckDB 2.0.1 writes (storage number 64, tagged "v1.0.0+"): DuckDB
# 1.0.0 and 1.1.3 open it with every KPI column type; older version strings are accepted but
# write the same format, and the default ("latest", number 999) is unreadable before 2.0.
STORAGE_VERSION = "v1.0.0"
KEEP_RELEASES = 3
PARTIAL = ".partial"  # suffix of a release being written; left behind only by a crash
RELEASE_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z-\d{4}-\d{2}-\d{2}-[0-9a-f]{6}")
PERSONAL_COLUMNS = {c.name for e in ENTITIES.values() for c in e.columns if c.personal}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUARANTINE = "quarantine"
BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark: Excel then reads the CSV as UTF-8
CSV_DELIMITERS = {"excel": ",", "excel-eu": ";"}  # PMO_CSV_DIALECT
MONEY_UNITS = {"currency", "money"}  # written with exactly 2 decimals in CSV
RATIO_UNITS = {"ratio", "fraction"}  # rounded to 4 decimals in CSV
MEASURE_UNITS = {"hours", "days", "working days"}  # rounded to 2 decimals in CSV


class PublishError(RuntimeError):
    """The tables cannot be published as asked; readers keep the previous release."""


class PersonalDataError(PublishError):
    """A table to publish carries a column the input contract marks personal."""


def releases_dir(export_dir: Path) -> Path:
    return export_dir.with_name(export_dir.name + ".releases")


def current_release(export_dir: Path) -> Path | None:
    """The release directory readers see now; None before the first publish."""
    export_dir = _absolute(export_dir)
    if not export_dir.is_symlink():
        return None
    target = _absolute(export_dir.parent / os.readlink(export_dir))
    return target if target.is_dir() else None


def data_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The as-of date of the KPI tables themselves (kpi_project's), which labels a release."""
    found = con.execute("SELECT DISTINCT as_of FROM marts.kpi_project").fetchall()
    if len(found) != 1:
        raise PublishError(f"marts.kpi_project holds {len(found)} as-of dates; expected one")
    return found[0][0]


def content_fingerprint(con: duckdb.DuckDBPyConnection, as_of: date,
                        tables: list[str] | None = None) -> str:
    """What a release of these tables would hold: per table its rows and a sum of row hashes."""
    digest = hashlib.sha256(as_of.isoformat().encode())
    for t in _kpi_tables(con, tables):
        count, total = con.execute(
            f"SELECT count(*), sum(hash(t))::VARCHAR FROM marts.{ident(t)} AS t").fetchone()
        digest.update(f"|{t}:{count}:{total}".encode())
    return digest.hexdigest()


def published_fingerprint(export_dir: Path) -> str | None:
    """The content fingerprint of the release readers see now, if any."""
    release = current_release(export_dir)
    manifest = release / "release.json" if release else None
    if not manifest or not manifest.exists():
        return None
    return json.loads(manifest.read_text()).get("fingerprint")


INPUTS_RECORD = "inputs.json"  # in the releases folder: see record_inputs


def record_inputs(export_dir: Path, release: Path, inputs: str) -> bool:
    """Note that a run with inputs fingerprint `inputs` (pipelines.fastpath) succeeded
    completely and left `release` as the one readers see, with the size and mtime of each of
    its files then; False (nothing noted) when another release is current by now. A later
    `pmo run` with the same inputs answers from this note without running."""
    export_dir = _absolute(export_dir)
    releases = releases_dir(export_dir)
    with _lock(releases):  # not while another publisher switches the link
        if current_release(export_dir) != _absolute(release):
            return False
        record = {"inputs": inputs, "release": release.name, "files": _stat_files(release)}
        tmp = releases / f".{INPUTS_RECORD}.{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(record, indent=2) + "\n")
        os.replace(tmp, releases / INPUTS_RECORD)
    return True


def recorded_inputs(export_dir: Path) -> tuple[str, Path] | None:
    """(inputs fingerprint, release) of the last complete run, when that release is still
    the one readers see and none of its files was removed, added, resized or rewritten since
    (by size and mtime: re-hashing a release, 1.1 GB at the large scale, would cost more than
    the run it saves; the files' SHA-256 are in its release.json for anyone to verify)."""
    export_dir = _absolute(export_dir)
    release = current_release(export_dir)
    try:
        record = json.loads((releases_dir(export_dir) / INPUTS_RECORD).read_text())
        if release is None or record["release"] != release.name \
                or record["files"] != _stat_files(release):
            return None
        return record["inputs"], release
    except (OSError, ValueError, KeyError, TypeError):  # none, or not ours to trust
        return None


def forget_inputs(export_dir: Path) -> None:
    """A run is starting: until it succeeds completely, no run may be skipped on the
    strength of an earlier one (a refused, failed or killed run leaves no note)."""
    (releases_dir(_absolute(export_dir)) / INPUTS_RECORD).unlink(missing_ok=True)


def _stat_files(release: Path) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in sorted(release.iterdir())}


def publish(con: duckdb.DuckDBPyConnection, export_dir: Path, as_of: date | None = None,
            tables: list[str] | None = None, fingerprint: str | None = None,
            render_report: ReportRenderer | None = None, notes: dict | None = None,
            csv_dialect: str = "excel") -> Path:
    """Write every KPI table of schema `marts` (or `tables`) as a new release and switch the
    export dir to it; returns the release directory. The release is labelled with the as-of
    date of its data unless `as_of` says otherwise; `notes` go into release.json. `csv_dialect`
    (PMO_CSV_DIALECT): "excel" (`,` and decimal points) or "excel-eu" (`;`, decimal commas)."""
    if csv_dialect not in CSV_DELIMITERS:
        raise PublishError(f"unknown CSV dialect {csv_dialect!r}; expected one of "
                           f"{', '.join(CSV_DELIMITERS)}")
    export_dir = _absolute(export_dir)
    as_of = as_of or data_as_of(con)
    tables = _kpi_tables(con, tables)
    _refuse_personal_data(con, tables)
    dictionary = data_dictionary(con, tables)  # fails on undocumented columns, before any write
    if export_dir.exists() and not export_dir.is_dir():
        raise PublishError(f"{export_dir} is a file, not an export directory; move it away")
    releases = releases_dir(export_dir)
    releases.mkdir(parents=True, exist_ok=True)
    with _lock(releases):
        # sorts by creation time (microseconds: several publishes a second stay ordered)
        now = datetime.now(UTC)
        release_id = f"{now:%Y%m%dT%H%M%S.%fZ}-{as_of:%Y-%m-%d}-{secrets.token_hex(3)}"
        work = releases / (release_id + PARTIAL)
        work.mkdir()
        # No cleanup on failure: an exception leaves what a kill leaves, a .partial directory
        # that the next publish removes; the export dir still points at the previous release.
        _write_duckdb(con, work / "kpi.duckdb", tables, dictionary)
        # The managers' report, from the release's own kpi.duckdb, drawn in a thread while
        # DuckDB writes the Parquet and CSV files (it releases the GIL; drawing holds it).
        with ThreadPoolExecutor(max_workers=1) as pool:
            report = pool.submit(render_report, work / "kpi.duckdb") if render_report else None
            rows = _write_tables(con, work, tables, dictionary, csv_dialect)
            notes = {**(notes or {}), QUARANTINE: _write_quarantine(con, work, csv_dialect)}
            try:
                if report is not None:
                    (work / "report.html").write_text(report.result(), encoding="utf-8")
            except Exception as error:  # noqa: BLE001 - a chart must not hold back the tables
                notes["report_error"] = f"{type(error).__name__}: {str(error)[:300]}"
                log.warning("report.html not written: %s", notes["report_error"])
        dictionary = {"release": release_id, "as_of": as_of.isoformat(), **dictionary}
        (work / "data_dictionary.json").write_text(json.dumps(dictionary, indent=2) + "\n")
        (work / "data_dictionary.md").write_text(render_markdown(dictionary))
        _write_manifest(work, release_id, as_of, rows,
                        fingerprint or content_fingerprint(con, as_of, tables), notes)
        release = releases / release_id
        os.rename(work, release)
        _fsync(releases)
        _switch(export_dir, release)
        _clean(export_dir, keep=release)
    log.info("published %d tables as of %s to %s", len(tables), as_of, release)
    return release


def _kpi_tables(con: duckdb.DuckDBPyConnection, tables: list[str] | None) -> list[str]:
    available = [t for (t,) in con.execute(
        """SELECT table_name FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = 'marts'
           ORDER BY table_name""").fetchall() if not t.startswith("_")]
    chosen = available if tables is None else list(tables)
    unknown = [t for t in chosen if t not in available]
    if unknown:
        raise PublishError(f"not KPI tables of schema marts: {', '.join(unknown)} "
                           f"(exportable: {', '.join(available) or 'none'})")
    odd = [t for t in chosen if not re.fullmatch(r"\w+", t)]  # names become file names
    if odd or not chosen:
        raise PublishError(f"nothing to publish or unusable table names: {odd or 'no tables'}")
    return chosen


def _refuse_personal_data(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    found = [f"{t}.{name}" for t in tables for name, _ in table_columns(con, t)
             if name.lower() in PERSONAL_COLUMNS]
    if found:
        raise PersonalDataError(
            f"refusing to publish personal data (columns marked personal in the input "
            f"contract): {', '.join(found)}. Exports identify people by employee_id only.")


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(Path(path).absolute()))  # comparable paths, links not followed


FLOATING = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


def csv_cell(name: str, type_: str, unit: str | None, decimal_comma: bool) -> str:
    """The SQL expression of one column of a CSV file (see the module doc): formula guard on
    text, rounding by unit on non-integer numbers, a decimal comma when asked."""
    column = ident(name)
    if type_ == "VARCHAR":
        starts = ", ".join(literal(c) for c in FORMULA_STARTS)
        return (f"CASE WHEN left({column}, 1) IN ({starts}) THEN {literal(chr(39))} || {column} "
                f"ELSE {column} END")
    if not type_.startswith(FLOATING):
        return column  # integers, dates (ISO), booleans: as DuckDB writes them
    value = f"{column}::DOUBLE"
    if unit in MONEY_UNITS:  # cents, always two decimals: 50343.70 (a decimal has no -0);
        # DECIMAL prints twice as fast as printf (7 s of 14 for the large history); printf
        # for what no DECIMAL(38, 2) holds (inf, nan, 1e36 and more)
        text = (f"CASE WHEN abs({value}) < 1e35 THEN round({value}, 2)::DECIMAL(38, 2)::VARCHAR "
                f"ELSE printf('%.2f', {value}) END")
    elif unit in RATIO_UNITS or unit in MEASURE_UNITS:
        text = f"round({value}, {4 if unit in RATIO_UNITS else 2}) + 0.0"
    else:
        text = value
    if decimal_comma:
        text = f"replace(({text})::VARCHAR, '.', ',')"
    return text


def _csv_safe(columns: list[tuple[str, str]], source: str, units: dict[str, str] | None = None,
              decimal_comma: bool = False) -> str:
    """SELECT of `source` for a CSV file: VARCHAR cells starting with a formula character get
    a leading `'`. Other types are never guarded: a negative number must stay a number, and no
    other type prints as a formula. Numbers are rounded by their unit (`units`: column -> unit
    from schema.yml)."""
    parts = [f"{csv_cell(name, type_, (units or {}).get(name), decimal_comma)} AS {ident(name)}"
             for name, type_ in columns]
    return f"SELECT {', '.join(parts)} FROM ({source})"


def _copy_csv(con: duckdb.DuckDBPyConnection, select: str, path: Path, dialect: str) -> None:
    """COPY a query to a CSV file with a header, UTF-8 with a byte-order mark. DuckDB writes
    none; the first column's name carries it when DuckDB writes that name unquoted (a word),
    which saves copying the file once more (1-2 s for the large history); else the file is
    copied behind one."""
    options = (f"(FORMAT csv, HEADER, DELIMITER {literal(CSV_DELIMITERS[dialect])}, "
               "DATEFORMAT '%Y-%m-%d')")
    first = con.execute(f"SELECT * FROM ({select}) LIMIT 0").description[0][0]
    if re.fullmatch(r"\w+", first, re.ASCII):
        marked = ident(BOM.decode() + first)
        con.execute(f"COPY (SELECT * RENAME ({ident(first)} AS {marked}) FROM ({select})) "
                    f"TO {literal(path)} {options}")
        return
    plain = path.with_name(path.name + ".nobom")
    con.execute(f"COPY ({select}) TO {literal(plain)} {options}")
    with path.open("wb") as out, plain.open("rb") as source:
        out.write(BOM)
        shutil.copyfileobj(source, out, 1 << 20)
    plain.unlink()


def _write_tables(con: duckdb.DuckDBPyConnection, work: Path, tables: list[str],
                  dictionary: dict | None = None, csv_dialect: str = "excel") -> dict[str, int]:
    rows = {}
    for t in tables:
        source = f"SELECT * FROM marts.{ident(t)}"
        doc = (dictionary or {}).get("tables", {}).get(t, {"columns": []})
        units = {c["name"]: c["unit"] for c in doc["columns"] if c.get("unit")}
        con.execute(f"COPY ({source}) TO {literal(work / f'{t}.parquet')} (FORMAT parquet)")
        columns, decimal_comma = table_columns(con, t), csv_dialect == "excel-eu"
        select = _csv_safe(columns, source, units, decimal_comma=decimal_comma)
        if t in csv_lines.KEYS:  # the history: lines formatted once, kept in the warehouse
            header = work / f"{t}.csv.header"
            _copy_csv(con, f"{select} LIMIT 0", header, csv_dialect)
            cells = [csv_cell(name, type_, units.get(name), decimal_comma)
                     for name, type_ in columns]
            csv_lines.write_from_lines(con, t, cells, header.read_bytes(), work / f"{t}.csv",
                                       CSV_DELIMITERS[csv_dialect])
            header.unlink()
        else:
            _copy_csv(con, select, work / f"{t}.csv", csv_dialect)
        rows[t] = con.execute(f"SELECT count(*) FROM marts.{ident(t)}").fetchone()[0]
    return rows


def _write_quarantine(con: duckdb.DuckDBPyConnection, work: Path,
                      csv_dialect: str = "excel") -> dict[str, dict[str, int]]:
    """quarantine.parquet and .csv: every quarantined row by entity, file, line, key, column
    and rule (never its value: it may be personal), when there are any; returns the count per
    entity and rule for release.json. A release is only published when every gate passed, so
    every finding in state.violations is a quarantined row."""
    if not con.execute("""SELECT count(*) FROM duckdb_tables() WHERE database_name =
                          current_database() AND schema_name = 'state'
                          AND table_name = 'violations'""").fetchone()[0]:
        return {}
    counts: dict[str, dict[str, int]] = {}
    for entity, rule, n in con.execute("""SELECT entity, rule, count(*) FROM state.violations
                                          GROUP BY ALL ORDER BY ALL""").fetchall():
        counts.setdefault(entity, {})[rule] = n
    if counts:
        source = f"""SELECT entity, _file AS file, {line_sql('_file', '_row')} AS line, key,
                            "column", rule FROM state.violations ORDER BY ALL"""
        columns = [("entity", "VARCHAR"), ("file", "VARCHAR"), ("line", "BIGINT"),
                   ("key", "VARCHAR"), ("column", "VARCHAR"), ("rule", "VARCHAR")]
        con.execute(f"COPY ({source}) TO {literal(work / f'{QUARANTINE}.parquet')} "
                    "(FORMAT parquet)")
        _copy_csv(con, _csv_safe(columns, source), work / f"{QUARANTINE}.csv", csv_dialect)
    return counts


def _write_duckdb(con: duckdb.DuckDBPyConnection, path: Path, tables: list[str],
                  dictionary: dict) -> None:
    """A self-contained DuckDB file that DuckDB 1.x readers open, with the dictionary as
    table and column comments (shown by BI tools); reopened to check every column type."""
    alias = f"pmo_publish_{secrets.token_hex(4)}"
    con.execute(f"ATTACH {literal(path)} AS {alias} (STORAGE_VERSION '{STORAGE_VERSION}')")
    try:
        for t in tables:
            target = f"{alias}.main.{ident(t)}"
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM marts.{ident(t)}")
            doc = dictionary["tables"][t]
            con.execute(f"COMMENT ON TABLE {target} IS {literal(doc['description'])}")
            for c in doc["columns"]:
                column = f"{target}.{ident(c['name'])}"
                con.execute(f"COMMENT ON COLUMN {column} IS {literal(c['description'])}")
    finally:
        con.execute(f"DETACH {alias}")  # checkpoints: no .wal is left next to the file
    con.execute(f"ATTACH {literal(path)} AS {alias} (READ_ONLY)")
    try:
        written = {t: table_columns(con, t, "main", alias) for t in tables}
    finally:
        con.execute(f"DETACH {alias}")
    expected = {t: table_columns(con, t) for t in tables}
    if written != expected or Path(f"{path}.wal").exists():
        raise PublishError(f"{path} does not reopen with the warehouse's tables and types")


def _write_manifest(work: Path, release_id: str, as_of: date, rows: dict[str, int],
                    fingerprint: str, notes: dict) -> None:
    """release.json, written last: checksums of every file, each fsynced before the switch."""
    paths = sorted(work.iterdir())
    with ThreadPoolExecutor(max_workers=2) as pool:  # hashlib and fsync release the GIL
        checked = dict(zip(paths, pool.map(_checksum, paths)))
    files = {path.name: checked[path] for path in paths}
    manifest = {"release": release_id, "as_of": as_of.isoformat(), "fingerprint": fingerprint,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "duckdb_version": duckdb.__version__, "storage_version": STORAGE_VERSION,
                "tables": {t: {"rows": n} for t, n in rows.items()}, "files": files, **notes}
    with (work / "release.json").open("w") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    _fsync(work)


def _checksum(path: Path) -> dict:
    """A file's SHA-256 and size, once it is on disk (fsynced)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
        os.fsync(f.fileno())
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def _switch(export_dir: Path, release: Path) -> None:
    """Point export_dir at the release with one rename(2) of a fresh symlink onto it."""
    parent = export_dir.parent
    if export_dir.is_dir() and not export_dir.is_symlink():
        # a directory made by a user: rename(2) cannot replace it by a symlink, so it goes first
        if any(export_dir.iterdir()):
            stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
            legacy = releases_dir(export_dir) / f"legacy-{stamp}"
            os.rename(export_dir, legacy)
            log.warning("%s was a plain directory with files: moved it to %s (kept, never "
                        "deleted); %s is now a link to the published release",
                        export_dir, legacy, export_dir)
        else:
            export_dir.rmdir()
    tmp = parent / f".{export_dir.name}.switch-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(release, parent), tmp)
    os.replace(tmp, export_dir)
    _fsync(parent)


def _clean(export_dir: Path, keep: Path) -> None:
    """Delete releases beyond the newest KEEP_RELEASES, abandoned partial ones and stray
    switch links; legacy directories (user files) stay."""
    releases = releases_dir(export_dir)
    complete = sorted((p for p in releases.iterdir() if RELEASE_ID.fullmatch(p.name)), reverse=True)
    kept = {keep, *[p for p in complete if p != keep][:KEEP_RELEASES - 1]}
    garbage = [p for p in complete if p not in kept]
    garbage += [p for p in releases.iterdir() if p.name.endswith(PARTIAL)]
    for path in garbage:
        # a reader may still hold an old file open: fine on POSIX; a failure waits for next time
        shutil.rmtree(path, ignore_errors=True)
    for link in export_dir.parent.glob(f".{export_dir.name}.switch-*"):
        link.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _lock(releases: Path):
    """One publisher per export dir at a time, so cleanup never removes a live partial release."""
    with (releases / ".lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield
