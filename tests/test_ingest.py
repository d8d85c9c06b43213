"""Ingest: every file form, the delivery semantics, and incremental reads."""

import gzip
import os
import shutil

import polars as pl
import pytest

from pipelines.contract import ENTITIES
from pipelines.ingest.load import ingest_entity
from tests.landing import TIMESHEETS, write_csv, write_landing

TS = ENTITIES["timesheets"]


def rows(con, entity="timesheets"):
    return con.execute(
        f"SELECT entry_id, hours, work_date::VARCHAR, _file, _row FROM raw.{entity} ORDER BY _file, _row"
    ).fetchall()


def test_csv_file_is_typed_with_file_and_row(con, tmp_path):
    write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    report = ingest_entity(con, tmp_path, TS)
    assert report.loaded == {"timesheets.csv": 2}
    assert rows(con) == [("TS1", 8.0, "2026-01-05", "timesheets.csv", 1),
                         ("TS2", 7.5, "2026-01-06", "timesheets.csv", 2)]
    assert con.execute("SELECT typeof(work_date), typeof(hours) FROM raw.timesheets LIMIT 1"
                       ).fetchone() == ("DATE", "DOUBLE")


@pytest.mark.parametrize("form", ["csv.gz", "parquet", "xlsx"])
def test_every_format_gives_the_same_rows(con, tmp_path, form):
    frame = pl.DataFrame(TIMESHEETS)
    path = tmp_path / "timesheets" / f"2026-01-06.{form}"
    path.parent.mkdir()
    if form == "csv.gz":
        path.write_bytes(gzip.compress(frame.write_csv().encode()))
    elif form == "parquet":  # typed columns, as a tool would write them
        frame.with_columns(pl.col("work_date").str.to_date(), pl.col("hours").cast(pl.Float64)
                           ).write_parquet(path)
    else:
        frame.with_columns(pl.col("work_date").str.to_date(), pl.col("hours").cast(pl.Float64)
                           ).write_excel(path)
    ingest_entity(con, tmp_path, TS)
    name = f"timesheets/2026-01-06.{form}"
    assert rows(con) == [("TS1", 8.0, "2026-01-05", name, 1), ("TS2", 7.5, "2026-01-06", name, 2)]


def test_column_names_match_case_insensitively_and_extra_columns_are_kept(con, tmp_path):
    (tmp_path / "timesheets.csv").write_text(
        " Entry_ID ,EMPLOYEE_ID,task_id,work_date,hours,Comment\nTS1,E1,,2026-01-05,8,kickoff\n")
    ingest_entity(con, tmp_path, TS)
    assert con.execute("SELECT entry_id, task_id, _extra->>'comment' FROM raw.timesheets"
                       ).fetchall() == [("TS1", None, "kickoff")]


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_quoted_empty_cell_is_no_value(con, tmp_path, form):
    """An export that quotes every cell writes a missing task as "": no value, as an empty
    cell is (a Parquet file's empty text likewise), not a task id '' that references nothing."""
    path = tmp_path / f"timesheets.{form}"
    if form == "csv":
        path.write_text('"entry_id","employee_id","task_id","work_date","hours"\r\n'
                        '"TS1","E1","","2026-01-05","8"\r\n')
    else:
        pl.DataFrame({"entry_id": ["TS1"], "employee_id": ["E1"], "task_id": [""],
                      "work_date": ["2026-01-05"], "hours": [8.0]}).write_parquet(path)
    ingest_entity(con, tmp_path, TS)
    assert con.execute("SELECT entry_id, task_id, hours FROM raw.timesheets").fetchall() == [
        ("TS1", None, 8.0)]


def test_header_only_replacement_deletes_the_files_rows(con, tmp_path):
    """Delivery rule 3: a changed file replaces its rows, also by none at all."""
    path = write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    assert ingest_entity(con, tmp_path, TS).loaded == {"timesheets.csv": 2}
    path.write_text("entry_id,employee_id,task_id,work_date,hours\n")
    assert ingest_entity(con, tmp_path, TS).loaded == {"timesheets.csv": 0}
    assert rows(con) == []
    assert con.execute("SELECT rows, outcome FROM state.files").fetchall() == [(0, "loaded")]


def test_same_size_edit_with_preserved_mtime_is_read(con, tmp_path):
    """cp -p, rsync -t and tar keep the mtime: only the content hash sees the edit."""
    path = write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    ingest_entity(con, tmp_path, TS)
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b",8\r\n", b",9\r\n"))  # TS1: 8 h -> 9 h
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert ingest_entity(con, tmp_path, TS).loaded == {"timesheets.csv": 2}
    assert rows(con)[0][:2] == ("TS1", 9.0)


def test_a_kept_hash_is_never_used_for_an_edited_file(con, tmp_path, monkeypatch):
    """A process hashes a file once while stat(2) says it is unchanged (landing._HASHES);
    here every hash may be kept (RACY_NS 0), and a same-size edit with the mtime put back is
    still hashed anew and read: the edit moved the ctime, which nothing can put back."""
    import hashlib
    import time

    from pipelines.ingest import landing

    monkeypatch.setattr(landing, "RACY_NS", 0)
    monkeypatch.setattr(landing, "_HASHES", {})  # none kept for the rest of the session
    digests = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda f, name: digests.append(1) or real(f, name))
    path = write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    time.sleep(0.05)  # past the clock tick of the write: ctime < the hashing's start
    ingest_entity(con, tmp_path, TS)
    assert ingest_entity(con, tmp_path, TS).unchanged == 1
    assert len(digests) == 1  # the second run used the kept hash
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b",8\r\n", b",9\r\n"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert ingest_entity(con, tmp_path, TS).loaded == {"timesheets.csv": 2}
    assert len(digests) == 2
    assert rows(con)[0][:2] == ("TS1", 9.0)


def test_a_file_changed_while_it_is_hashed_is_hashed_again(tmp_path, monkeypatch):
    """The hash of a file that grew while it was read is returned but not kept."""
    import hashlib
    import time

    from pipelines.ingest import landing

    monkeypatch.setattr(landing, "RACY_NS", 0)
    monkeypatch.setattr(landing, "_HASHES", {})
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"task_id\nT1\n")
    time.sleep(0.05)
    real, digests = hashlib.file_digest, []

    def appending(f, name):  # another process writes to the file while it is read
        digests.append(1)
        result = real(f, name)
        if len(digests) == 1:
            with path.open("ab") as out:
                out.write(b"T2\n")
        return result

    monkeypatch.setattr(hashlib, "file_digest", appending)
    landing.content_hash(path)
    assert landing._HASHES == {}  # what was read is not what the file holds now
    time.sleep(0.05)
    assert landing.content_hash(path) == hashlib.sha256(b"task_id\nT1\nT2\n").hexdigest()
    assert len(digests) == 2 and list(landing._HASHES) == [path]  # unchanged since: kept


def test_a_file_written_just_now_is_hashed_every_time(tmp_path, monkeypatch):
    """Within RACY_NS of its last change a file may change again without its ctime moving
    (one clock tick): its hash is not kept."""
    import hashlib

    from pipelines.ingest.landing import content_hash

    digests = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda f, name: digests.append(1) or real(f, name))
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"task_id\nT1\n")
    assert content_hash(path) == content_hash(path) == hashlib.sha256(b"task_id\nT1\n").hexdigest()
    assert len(digests) == 2


def test_files_are_parsed_before_the_warehouse_transaction(con, tmp_path, monkeypatch):
    """No lock is held while a file is parsed: BEGIN would fail inside a transaction."""
    import pipelines.ingest.load as ingest

    write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    real = ingest.read_strings

    def outside_transaction(*args):
        con.execute("BEGIN TRANSACTION")
        con.execute("ROLLBACK")
        return real(*args)

    monkeypatch.setattr(ingest, "read_strings", outside_transaction)
    assert ingest_entity(con, tmp_path, TS).loaded == {"timesheets.csv": 2}


def test_files_staged_in_batches_keep_every_row_and_column(con, tmp_path, monkeypatch):
    """Changed files reach the warehouse in batches (load.STAGE_ROWS rows); with batches of one
    row, the second file's extra column and the third file's lack of one both still land."""
    import pipelines.ingest.load as ingest

    monkeypatch.setattr(ingest, "STAGE_ROWS", 1)
    folder = tmp_path / "timesheets"
    folder.mkdir()
    (folder / "a.csv").write_text("entry_id,employee_id,task_id,work_date,hours\n"
                                  "TS1,E1,T1,2026-01-05,8\n")
    (folder / "b.csv").write_text("entry_id,employee_id,task_id,work_date,hours,comment\n"
                                  "TS2,E1,T1,2026-01-06,7.5,review\nTS3,E2,T1,2026-01-06,4,x\n")
    (folder / "c.csv").write_text("entry_id,employee_id,work_date,hours\n"
                                  "TS4,E2,2026-01-07,2\n")
    assert ingest_entity(con, tmp_path, TS).loaded == {
        "timesheets/a.csv": 1, "timesheets/b.csv": 2, "timesheets/c.csv": 1}
    assert con.execute("SELECT entry_id, task_id, hours, _extra->>'comment', _row "
                       "FROM raw.timesheets ORDER BY entry_id").fetchall() == [
        ("TS1", "T1", 8.0, None, 1), ("TS2", "T1", 7.5, "review", 1),
        ("TS3", "T1", 4.0, "x", 2), ("TS4", None, 2.0, None, 1)]


def test_single_file_and_folder_forms_together(con, tmp_path):
    write_csv(tmp_path / "timesheets.csv", TIMESHEETS[:1])
    write_csv(tmp_path / "timesheets" / "2026-01-06.csv", TIMESHEETS[1:])
    report = ingest_entity(con, tmp_path, TS)
    assert sorted(report.loaded) == ["timesheets.csv", "timesheets/2026-01-06.csv"]
    assert [r[0] for r in rows(con)] == ["TS1", "TS2"]


def test_rerun_without_changes_hashes_but_reads_no_file(con, tmp_path, monkeypatch):
    write_landing(tmp_path)
    ingest_entity(con, tmp_path, TS)
    import pipelines.ingest.load as ingest

    monkeypatch.setattr(ingest, "read_strings", lambda *a: pytest.fail("a file was read"))
    report = ingest_entity(con, tmp_path, TS)
    assert (report.loaded, report.rejected, report.unchanged) == ({}, {}, 1)


def test_touched_file_with_same_content_is_hashed_but_not_read(con, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "timesheets.csv", TIMESHEETS)
    ingest_entity(con, tmp_path, TS)
    os.utime(path, ns=(1, 1))
    import pipelines.ingest.load as ingest

    monkeypatch.setattr(ingest, "read_strings", lambda *a: pytest.fail("re-read"))
    assert ingest_entity(con, tmp_path, TS).unchanged == 1


def test_changed_file_replaces_its_rows_and_removed_file_keeps_them(con, tmp_path):
    write_csv(tmp_path / "timesheets" / "a.csv", TIMESHEETS)
    write_csv(tmp_path / "timesheets" / "b.csv", [{**TIMESHEETS[0], "entry_id": "TS9"}])
    ingest_entity(con, tmp_path, TS)
    write_csv(tmp_path / "timesheets" / "a.csv", [{**TIMESHEETS[0], "hours": "3"}])
    (tmp_path / "timesheets" / "b.csv").unlink()
    report = ingest_entity(con, tmp_path, TS)
    assert report.loaded == {"timesheets/a.csv": 1}
    assert rows(con) == [("TS1", 3.0, "2026-01-05", "timesheets/a.csv", 1),
                         ("TS9", 8.0, "2026-01-05", "timesheets/b.csv", 1)]


def test_landing_folder_is_never_modified(con, tmp_path):
    write_landing(tmp_path / "land")
    before = {p: p.read_bytes() for p in (tmp_path / "land").rglob("*") if p.is_file()}
    for entity in ENTITIES.values():
        ingest_entity(con, tmp_path / "land", entity)
    after = {p: p.read_bytes() for p in (tmp_path / "land").rglob("*") if p.is_file()}
    assert before == after
    shutil.rmtree(tmp_path / "land")
