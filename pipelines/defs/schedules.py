"""When the graph runs by itself: nightly, and (opt-in) when files land."""

import hashlib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.contract import ENTITIES
from pipelines.defs.jobs import AS_OF_TAG
from pipelines.ingest.landing import entity_files
from pipelines.settings import DATA, Settings


def nightly_as_of(tick, timezone: str) -> str:
    """A tick at 02:00 computes the KPIs as of the day before, in the schedule's timezone."""
    return (tick.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)).isoformat()


def landing_run_key(raw_dir: Path) -> str:
    """Names, sizes and mtimes of every entity file: the same file set gives the same key."""
    listing = [
        f"{p.relative_to(raw_dir).as_posix()}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for entity in ENTITIES for p in entity_files(raw_dir, entity)
    ]
    return hashlib.sha256("\n".join(listing).encode()).hexdigest()[:20]


def nightly_schedule(job, settings: Settings) -> dg.ScheduleDefinition:
    @dg.schedule(job=job, cron_schedule="0 2 * * *", execution_timezone=settings.timezone,
                 default_status=dg.DefaultScheduleStatus.RUNNING)
    def nightly(context: dg.ScheduleEvaluationContext):
        """Every night at 02:00: the whole graph, as of the previous day."""
        as_of = nightly_as_of(context.scheduled_execution_time, settings.timezone)
        return dg.RunRequest(run_key=f"nightly-{as_of}", tags={AS_OF_TAG: as_of})

    return nightly


def landing_sensor(job, settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60,
               default_status=dg.DefaultSensorStatus.STOPPED)
    def landing_folder_sensor(context: dg.SensorEvaluationContext):
        """Off by default: run once for each new set of landed files."""
        key = landing_run_key(settings.raw_dir)
        if key == context.cursor:
            return dg.SkipReason("no new or changed file in the landing folder")
        context.update_cursor(key)
        as_of = DATA if settings.as_of == DATA else settings.run_as_of().isoformat()
        return dg.RunRequest(run_key=key, tags={AS_OF_TAG: as_of})

    return landing_folder_sensor
