"""The pipeline's own bookkeeping, all of it in the warehouse schema `state` (the first five
tables owned here):

- `state.files`: every landed file by path, entity, content hash and outcome (the manifest);
- `state.violations`: one row per broken rule and raw row (the quarantine when allowed);
- `state.export_notes`: what a tool export's reader noted about the file as last read (hours
  it could not book, the encoding it guessed), said in every release while the file counts;
- `state.set_rules`: what the cross-file rules of an entity were last evaluated on;
- `state.models`: what each SQL model's table was last built from;
- `state.staged_builds`, `state.staged_files`: which files each staging table holds, so that
  new files' rows can be appended (owned by pipelines/transform/staging_append.py);
- `state.history_digests`, `state.history_tail`: the history's inputs by project and day, and
  the rows the last run rebuilt (owned by pipelines/transform/increment.py);
- `state.csv_lines_kpi_project_history`: the history's CSV lines as last published, its header
  line first (owned by pipelines/publish/csv_lines.py).

Everything else (raw, staging, intermediate, marts) is data; this schema is how a run knows
what it does not need to do again. Deleting it makes the next run do everything once more.
"""

from __future__ import annotations

import hashlib

import duckdb

DDL = [
    "CREATE SCHEMA IF NOT EXISTS state",
    """CREATE TABLE IF NOT EXISTS state.files (
        file VARCHAR PRIMARY KEY,   -- path under the landing folder
        entity VARCHAR NOT NULL,
        hash VARCHAR NOT NULL,      -- sha256 of the file's content as last read
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        rows BIGINT,
        loaded_at TIMESTAMP NOT NULL,
        outcome VARCHAR NOT NULL,   -- loaded | rejected
        validated_hash VARCHAR,     -- hash whose rows the row-level rules last checked
        message VARCHAR,            -- why a file was rejected
        waived VARCHAR[]            -- columns whose values a tool export need not state
    )""",
    # kind 'row': a file's rows on their own, kept until the file changes;
    # kind 'set': keys, references and totals across files, recomputed when an input changes.
    """CREATE TABLE IF NOT EXISTS state.violations (
        entity VARCHAR NOT NULL,
        _file VARCHAR NOT NULL,
        _row BIGINT NOT NULL,
        key VARCHAR,                -- the row's key values, joined with |
        "column" VARCHAR,
        value VARCHAR,
        rule VARCHAR NOT NULL,
        kind VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS state.export_notes (
        file VARCHAR NOT NULL,      -- the export's path under the landing folder
        hash VARCHAR NOT NULL,      -- sha256 of the content the note is about
        note VARCHAR NOT NULL       -- the reader's words (never personal data)
    )""",
    """CREATE TABLE IF NOT EXISTS state.set_rules (
        entity VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS state.models (
        table_name VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, built_at TIMESTAMP)""",
]

# Bookkeeping tables of earlier versions: dropped, so the next run re-reads and rebuilds.
LEGACY = ["raw._manifest", "raw._violations", "raw._set_rule_state", "main._model_state"]


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)
    for table in LEGACY:
        con.execute(f"DROP TABLE IF EXISTS {table}")


# --- files -------------------------------------------------------------------------------

def known_files(con: duckdb.DuckDBPyConnection, entity: str) -> dict[str, tuple[str, int, int]]:
    """file -> (hash, size, mtime_ns) of the entity's files as last seen."""
    return {f: (h, size, mtime) for f, h, size, mtime in con.execute(
        "SELECT file, hash, size, mtime_ns FROM state.files WHERE entity = ?", [entity]
    ).fetchall()}


FILE_FIELDS = ("file", "entity", "hash", "size", "mtime_ns", "rows", "outcome", "message",
               "waived")


def record_files(con, records: list[tuple]) -> None:
    """Remember files as read now: one tuple of FILE_FIELDS per file, in one statement (one
    statement per file cost 6 ms each, 3 s for the demo data's daily timesheet files)."""
    if not records:
        return
    columns = list(zip(*records))
    types = ["VARCHAR[]", "VARCHAR[]", "VARCHAR[]", "BIGINT[]", "BIGINT[]", "BIGINT[]",
             "VARCHAR[]", "VARCHAR[]", "VARCHAR[][]"]
    unnested = ", ".join(f"unnest(?::{t}) AS {name}" for t, name in zip(types, FILE_FIELDS))
    con.execute(f"""INSERT OR REPLACE INTO state.files
                    ({", ".join(FILE_FIELDS)}, loaded_at)
                    SELECT *, now()::TIMESTAMP FROM (SELECT {unnested})""",
                [list(c) for c in columns]).fetchall()


def touch_file(con, file: str, size: int, mtime_ns: int) -> None:
    con.execute("UPDATE state.files SET size = ?, mtime_ns = ? WHERE file = ?",
                [size, mtime_ns, file])


def forget_vanished_rejections(con, entity: str, present: list[str]) -> None:
    """A rejected file that was taken away no longer blocks (it never brought rows)."""
    con.execute("""DELETE FROM state.files WHERE entity = ? AND outcome = 'rejected'
                   AND file NOT IN (SELECT unnest(?::VARCHAR[]))""", [entity, present])


def rejected_files(con, entity: str) -> list[tuple[str, str]]:
    return con.execute("""SELECT file, message FROM state.files
                          WHERE entity = ? AND outcome = 'rejected' ORDER BY file""",
                       [entity]).fetchall()


def delivered_files(con, entity: str) -> int:
    return con.execute("SELECT count(*) FROM state.files WHERE entity = ?",
                       [entity]).fetchone()[0]


def record_notes(con, file: str, digest: str, notes: list[str]) -> None:
    """The reader's notes of a tool export as read now (content `digest`), replacing older ones."""
    con.execute("DELETE FROM state.export_notes WHERE file = ?", [file])
    con.execute("""INSERT INTO state.export_notes
                   SELECT ?, ?, unnest(?::VARCHAR[])""", [file, digest, notes])


def export_notes(con) -> list[tuple[str, str]]:
    """(file, note) of every tool export whose rows count now: a unit `<file>#<entity>` of it
    is loaded from the content the note is about (a resolved unit's hash is that content's
    sha256 followed by what it was resolved against)."""
    return con.execute("""SELECT notes.file, notes.note FROM state.export_notes AS notes
                          WHERE EXISTS (SELECT 1 FROM state.files AS f
                                        WHERE f.outcome = 'loaded'
                                          AND f.file = notes.file || '#' || f.entity
                                          AND starts_with(f.hash, notes.hash))
                          ORDER BY ALL""").fetchall()


def files_fingerprint(con, entities: list[str]) -> str:
    """What the entities' raw tables hold: every delivered file by content hash and outcome."""
    listing = con.execute(
        """SELECT string_agg(file || ':' || hash || ':' || outcome, ',' ORDER BY file)
           FROM state.files WHERE list_contains(?, entity)""", [sorted(entities)]).fetchall()[0][0]
    return hashlib.sha256(str(listing).encode()).hexdigest()


def pending_files_sql(entity: str) -> str:
    """SELECT of the entity's loaded files whose rows the row rules have not checked yet.
    `entity` is a contract entity name (validated by the caller), never input."""
    return (f"SELECT file FROM state.files WHERE entity = '{entity}' AND outcome = 'loaded' "
            "AND validated_hash IS DISTINCT FROM hash")


def mark_validated(con, entity: str) -> None:
    con.execute(f"UPDATE state.files SET validated_hash = hash "
                f"WHERE file IN ({pending_files_sql(entity)})")


# --- violations --------------------------------------------------------------------------

def clear_violations(con, entity: str, kind: str, files: list[str] | None = None) -> None:
    """Forget findings of one kind: all of them, or those of rows from the given files."""
    if files is None:
        con.execute("DELETE FROM state.violations WHERE entity = ? AND kind = ?", [entity, kind])
    else:
        con.execute("""DELETE FROM state.violations WHERE entity = ? AND kind = ?
                       AND _file IN (SELECT unnest(?::VARCHAR[]))""", [entity, kind, files])


def add_violations(con, entity: str, kind: str, rule: str, offending: str, rows: str,
                   key_sql: str) -> None:
    """Store the rows that `offending` (a SELECT of (_file, _row, column, value)) finds, with
    the key read from `rows` (aliased r). SQL texts come from the contract, never from input.

    A required value (other than a key) is not asked of a tool export: what an export does
    not state is empty, and the KPIs needing it are null (docs/inputs.md)."""
    con.execute(f"""
        INSERT INTO state.violations
        SELECT ?, r._file, r._row, {key_sql}, bad.col, left(bad.value, 40), ?, ?
        FROM ({offending}) AS bad(_file, _row, col, value)
        JOIN {rows} AS r USING (_file, _row)
        WHERE NOT (? = bad.col || ' is required' AND EXISTS (
            SELECT 1 FROM state.files AS f
            WHERE f.file = r._file AND list_contains(f.waived, bad.col)))""",
                [entity, rule, kind, rule])


def bad_row_count(con, entity: str) -> int:
    return con.execute("""SELECT count(DISTINCT (_file, _row)) FROM state.violations
                          WHERE entity = ?""", [entity]).fetchone()[0]


def violations(con, entity: str, limit: int) -> list[tuple]:
    return con.execute(
        """SELECT _file, _row, key, "column", value, rule FROM state.violations
           WHERE entity = ? ORDER BY _file, _row, rule LIMIT ?""", [entity, limit]).fetchall()


def quarantined_sql(entity: str, kinds: tuple[str, ...] = ("row", "set")) -> str:
    """SELECT of (_file, _row) of the entity's rows that break a rule of the given kinds."""
    listed = ", ".join(f"'{k}'" for k in kinds)
    return (f"SELECT _file, _row FROM state.violations "
            f"WHERE entity = '{entity}' AND kind IN ({listed})")


def violations_fingerprint(con, entity: str) -> str | None:
    return con.execute("""SELECT md5(string_agg(_file || ':' || _row, ',' ORDER BY _file, _row))
                          FROM state.violations WHERE entity = ?""", [entity]).fetchone()[0]


# --- set rules and models: what a result was last computed from ---------------------------

def stored_fingerprint(con, table: str, name: str) -> str | None:
    column = {"set_rules": "entity", "models": "table_name"}[table]
    found = con.execute(f"SELECT fingerprint FROM state.{table} WHERE {column} = ?",
                        [name]).fetchone()
    return found[0] if found else None


def store_fingerprint(con, table: str, name: str, fingerprint: str) -> None:
    if table == "models":
        con.execute("INSERT OR REPLACE INTO state.models VALUES (?, ?, now()::TIMESTAMP)",
                    [name, fingerprint])
    else:
        con.execute("INSERT OR REPLACE INTO state.set_rules VALUES (?, ?)", [name, fingerprint])


def built_fingerprints(con) -> dict[str, str]:
    return dict(con.execute("SELECT table_name, fingerprint FROM state.models").fetchall())
