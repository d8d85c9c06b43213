"""Appending a new delivery's rows to a staging table gives exactly the table a full build
would (pipelines/transform/staging_append.py), and appending is declined whenever it could not.

Each warehouse is built through the real ingest and checks from a small landing folder; "a
full build" is the builder's own (`models._build`: `SELECT * FROM (<sql>) ORDER BY ALL` on one
thread), compared row for row and in physical order (`SELECT * FROM <table>`).
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.checks.gate import evaluate
from pipelines.contract import ENTITIES
from pipelines.ingest.load import find_foreign, ingest_entity, ingest_order
from pipelines.ingest.raw_schema import ensure_raw_schema
from pipelines.settings import Settings
from pipelines.transform.models import _build, discover
from pipelines.transform.staging_append import record_built, try_append
from tests.landing import write_csv, write_landing
from tests.test_exports_pipeline import land

TIMESHEETS = discover()["staging.stg_timesheets"]
# The template's as-of date. Most tests keep it: a new date means a new plausible-date window,
# which re-judges every entity's cross-file rules (half a second); the nightly move of the
# date is exercised where it matters.
DAY = "2026-01-06"


def deliver(con: duckdb.DuckDBPyConnection, root: Path, as_of: str) -> None:
    """What a run does before the models: ingest every entity, then judge every rule as of
    the day (with the run's plausible-date window); rows breaking a rule are quarantined."""
    foreign = find_foreign(root)
    ensure_raw_schema(con)
    for entity in ingest_order(ENTITIES.values()):
        ingest_entity(con, root, entity, foreign, schema_ready=True)
    con.execute(f"SET VARIABLE as_of = DATE '{as_of}'")
    window = Settings().date_window(date.fromisoformat(as_of))
    for entity in ENTITIES.values():
        evaluate(con, entity, 1.0, window)
    con.execute("SET threads = 1")  # as build_models does


def build(con, model=TIMESHEETS) -> int:
    """The builder's full build, then the record try_append starts from."""
    rows = _build(con, model)
    record_built(con, model)
    return rows


def table(con, name: str = TIMESHEETS.table) -> list[tuple]:
    return con.execute(f"SELECT * FROM {name}").fetchall()


def full_build(con, model=TIMESHEETS) -> list[tuple]:
    """The table a full build would give now, built aside."""
    fresh = dataclasses.replace(model, name=f"{model.name}_fresh")
    _build(con, fresh)
    return table(con, fresh.table)


def day(root: Path, name: str, *rows: tuple) -> None:
    """A daily timesheet file: (entry_id, employee_id, task_id, work_date, hours) rows."""
    fields = ("entry_id", "employee_id", "task_id", "work_date", "hours")
    write_csv(root / "timesheets" / name, [dict(zip(fields, r)) for r in rows])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A landing folder and a warehouse as of 2026-01-06 (TS1 and TS2 in
    timesheets/2026-01-06.csv) with stg_timesheets built and recorded, made once."""
    folder = tmp_path_factory.mktemp("template")
    root = write_landing(folder / "raw")
    with duckdb.connect(str(folder / "w.duckdb")) as con:
        deliver(con, root, DAY)
        assert build(con) == 2
    return folder


@pytest.fixture
def warehouse(template, tmp_path):
    """A copy of the template's landing folder and warehouse: (connection, landing root)."""
    shutil.copytree(template / "raw", tmp_path / "raw")
    shutil.copy(template / "w.duckdb", tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("SET threads = 1")
    yield con, tmp_path / "raw"
    con.close()


def appended(con) -> int | None:
    """try_append and, as the builder does after it, the record of the new build."""
    rows = try_append(con, TIMESHEETS)
    if rows is not None:
        record_built(con, TIMESHEETS)
    return rows


CHANGED_FILE = "1 file(s) it was built from changed, went or were read again"


def declined(con, caplog, model=TIMESHEETS) -> str:
    """try_append's answer None, and why (its debug message)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="pipelines.transform.staging_append"):
        assert try_append(con, model) is None
    said = [r.getMessage() for r in caplog.records
            if r.name == "pipelines.transform.staging_append"]
    return said[-1].split("not appended: ", 1)[1]


def test_a_new_daily_file_is_appended_as_a_full_build_would_place_it(warehouse):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"),
        ("TS4", "E1", "", "2026-01-07", "2"))
    deliver(con, root, "2026-01-07")
    before = table(con)
    assert appended(con) == 4
    assert table(con) == full_build(con)
    assert table(con)[:2] == before and [r[0] for r in table(con)] == ["TS1", "TS2", "TS3",
                                                                        "TS4"]
    # and the next night again, from the record the append left
    day(root, "2026-01-08.csv", ("TS5", "E2", "T2", "2026-01-08", "7"))
    deliver(con, root, "2026-01-08")
    assert appended(con) == 5
    assert table(con) == full_build(con)


def test_a_key_delivered_by_two_new_files_comes_from_the_one_sorting_last(warehouse):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    day(root, "2026-01-07b.csv", ("TS3", "E2", "T2", "2026-01-07", "5"),
        ("TS4", "E1", "T1", "2026-01-07", "1"))
    deliver(con, root, DAY)
    assert appended(con) == 4
    assert table(con) == full_build(con)
    assert table(con)[2][4] == 5.0


def test_a_row_breaking_a_rule_in_a_new_file_is_left_out(warehouse):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "30"),  # over 24 h
        ("TS4", "E9", "T2", "2026-01-07", "3"),  # no such employee
        ("TS5", "E1", "T1", "2026-01-07", "4"))
    deliver(con, root, DAY)
    assert appended(con) == 3
    assert table(con) == full_build(con)
    assert [r[0] for r in table(con)] == ["TS1", "TS2", "TS5"]


def test_nothing_new_leaves_the_table_as_it_is(warehouse):
    con, root = warehouse
    deliver(con, root, "2026-01-07")  # only the day moved: no dated row depends on it
    assert appended(con) == 2
    assert table(con) == full_build(con)


def test_a_removed_old_file_keeps_its_rows_and_the_new_one_is_appended(warehouse):
    con, root = warehouse
    (root / "timesheets" / "2026-01-06.csv").unlink()  # a vanished file keeps its rows
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    assert appended(con) == 3
    assert table(con) == full_build(con)


def test_a_new_file_delivering_an_existing_entry_again_is_declined(warehouse, caplog):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS2", "E1", "T1", "2026-01-06", "6"),
        ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    before = table(con)
    assert declined(con, caplog) == "a new file holds a key of an older file"
    assert table(con) == before  # nothing written
    assert ("TS2", "E1", "T1", date(2026, 1, 6), 6.0,
            "timesheets/2026-01-07.csv") in full_build(con)


def test_a_new_entry_sorting_before_the_last_one_is_declined(warehouse, caplog):
    con, root = warehouse
    # TS10 is a higher number, but as text it sorts before TS2, the table's last row
    day(root, "2026-01-07.csv", ("TS10", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    assert declined(con, caplog) == "a new row does not sort after the table's last"
    assert [r[0] for r in full_build(con)] == ["TS1", "TS10", "TS2"]


def test_a_replaced_old_file_is_declined(warehouse, caplog):
    con, root = warehouse
    day(root, "2026-01-06.csv", ("TS1", "E1", "T1", "2026-01-05", "8"),
        ("TS2", "E1", "T1", "2026-01-06", "6.5"))
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    assert declined(con, caplog) == CHANGED_FILE


def test_an_old_file_read_again_with_the_same_content_is_declined(warehouse, caplog):
    """A file whose manifest entry is forgotten is read again (ensure_raw_schema does so for
    exports after a migration): its rows may differ though its content did not."""
    con, root = warehouse
    con.execute("DELETE FROM state.files WHERE file = 'timesheets/2026-01-06.csv'")
    deliver(con, root, DAY)
    assert declined(con, caplog) == CHANGED_FILE


def test_a_new_file_making_old_rows_break_a_rule_is_declined(warehouse, caplog):
    con, root = warehouse
    # E1 already has 7.5 h on 01-06 (TS2): 20 h more is over 24 h that day; both rows go to
    # the quarantine, and TS2 leaves the table
    day(root, "2026-01-07.csv", ("TS3", "E1", "T1", "2026-01-06", "20"))
    deliver(con, root, DAY)
    assert declined(con, caplog) == "the quarantined rows of its files changed"
    assert [r[0] for r in full_build(con)] == ["TS1"]


def test_a_referenced_row_going_away_is_declined(warehouse, caplog):
    """A new tasks.csv without T1: the old timesheet rows on T1 break their reference."""
    con, root = warehouse
    from tests.landing import TASKS
    write_csv(root / "tasks.csv", TASKS[1:])
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    assert declined(con, caplog) == "the quarantined rows of its files changed"


def test_a_table_rebuilt_without_a_record_is_declined(warehouse, caplog):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    _build(con, TIMESHEETS)  # a full build nobody recorded
    assert declined(con, caplog) == "the table changed since its last recorded build"
    con.execute(f"DROP TABLE {TIMESHEETS.table}")
    assert declined(con, caplog) == "the table is not there"


def test_a_changed_or_not_row_wise_model_is_declined(warehouse, caplog):
    con, root = warehouse
    day(root, "2026-01-07.csv", ("TS3", "E2", "T2", "2026-01-07", "6"))
    deliver(con, root, DAY)
    edited = dataclasses.replace(TIMESHEETS, sql=TIMESHEETS.sql + "\nwhere hours > 1")
    assert declined(con, caplog, edited) == "its SQL or the current-rows view changed"
    summed = dataclasses.replace(
        TIMESHEETS, name="stg_hours",
        sql="select employee_id, sum(hours) as hours from raw.timesheets_current group by all")
    build(con, summed)
    assert con.execute("SELECT count(*) FROM state.staged_builds "
                       "WHERE table_name = 'staging.stg_hours'").fetchone()[0] == 0
    assert declined(con, caplog, summed) == (
        "not a row-wise projection of one entity's current rows")
    # the unchanged model still appends
    assert appended(con) == 3
    assert table(con) == full_build(con)


def test_other_row_wise_staging_models_append_too(warehouse):
    """stg_projects (a coalesce, an alias): a second projects file with a new project."""
    con, root = warehouse
    projects = discover()["staging.stg_projects"]
    build(con, projects)
    from tests.landing import PROJECTS
    write_csv(root / "projects" / "more.csv",
              [dict(PROJECTS[0], project_id="P2", working_weekdays="1111110")])
    deliver(con, root, DAY)
    assert try_append(con, projects) == 2
    assert table(con, projects.table) == full_build(con, projects)


KIOSK_FILES = ("mspdi/kiosk_2024-04-05_baseline.xml", "mspdi/kiosk_2024-04-12.xml")


def test_status_snapshots_in_effect_must_not_change(tmp_path, caplog):
    """Timesheets from MS Project status updates: a later as-of date seeing the same snapshot
    appends nothing and stands; an update's rows repeating older keys, or the day passing its
    status date, decline."""
    root = land(tmp_path, *KIOSK_FILES)
    con = duckdb.connect()
    deliver(con, root, "2024-04-12")
    rows = build(con)
    assert rows > 0 and con.execute(
        "SELECT count(*) FROM raw.timesheets WHERE _as_of IS NOT NULL").fetchone()[0] > 0
    deliver(con, root, "2024-04-16")  # the same snapshot in effect
    assert appended(con) == rows
    assert table(con) == full_build(con)
    shutil.copy(Path(__file__).parent / "fixtures" / "mspdi" / "kiosk_2024-04-19.xml",
                root / "kiosk_2024-04-19.xml")
    deliver(con, root, "2024-04-16")  # landed, dated after the day, same keys as update 1
    assert declined(con, caplog) == "a new file holds a key of an older file"
    deliver(con, root, "2024-04-19")  # now in effect: the older actuals are replaced
    assert declined(con, caplog) == "the status snapshots in effect changed"
