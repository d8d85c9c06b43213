"""The nightly schedule's as-of date and the landing sensor's run key."""

import os
from datetime import datetime, timezone

import dagster as dg

from pipelines.defs import build_definitions
from pipelines.defs.jobs import AS_OF_TAG
from pipelines.defs.schedules import landing_run_key, nightly_as_of
from pipelines.settings import Settings
from tests.landing import write_landing


def test_tick_at_two_computes_the_previous_day():
    tick = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    assert nightly_as_of(tick, "UTC") == "2026-11-25"
    assert nightly_as_of(datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc), "UTC") == "2026-02-28"
    # 02:00 in Tokyo is 17:00 UTC the day before: the previous day is Tokyo's
    assert nightly_as_of(datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc), "Asia/Tokyo") == (
        "2026-11-25")


def test_nightly_schedule_requests_the_previous_day():
    defs = build_definitions(Settings())
    schedule = defs.resolve_schedule_def("nightly")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))
    request = schedule(context)
    assert (request.tags[AS_OF_TAG], request.run_key) == ("2026-11-25", "nightly-2026-11-25")


def test_run_key_changes_only_with_the_file_set(tmp_path):
    write_landing(tmp_path)
    first = landing_run_key(tmp_path)
    assert landing_run_key(tmp_path) == first
    (tmp_path / "timesheets" / "2026-01-07.csv").write_text("entry_id\n")
    second = landing_run_key(tmp_path)
    assert second != first
    os.utime(tmp_path / "projects.csv", ns=(1, 1))  # changed in place
    assert landing_run_key(tmp_path) not in (first, second)
    (tmp_path / "notes.txt").write_text("not an entity file")
    assert landing_run_key(tmp_path) == landing_run_key(tmp_path)


def test_sensor_is_off_by_default_and_runs_a_file_set_once(tmp_path):
    write_landing(tmp_path)
    settings = Settings.load({"PMO_RAW_DIR": str(tmp_path), "PMO_AS_OF": "2026-01-20"})
    sensor = build_definitions(settings).resolve_sensor_def("landing_folder_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    context = dg.build_sensor_context(cursor=None)
    first = sensor(context)
    assert (first.run_key, first.tags[AS_OF_TAG]) == (landing_run_key(tmp_path), "2026-01-20")
    again = sensor(dg.build_sensor_context(cursor=context.cursor))
    assert isinstance(again, dg.SkipReason)
