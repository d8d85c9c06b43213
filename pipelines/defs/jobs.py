"""The one job, and the run tags that say as of which day (and which history days) it runs."""

from datetime import date, timedelta

import dagster as dg

from pipelines.settings import Settings

AS_OF_TAG = "pmo/as_of"  # YYYY-MM-DD; absent: the settings' as-of date, else today
HISTORY_FROM_TAG, HISTORY_TO_TAG = "pmo/history_from", "pmo/history_to"  # a backfill's range

pmo_run = dg.define_asset_job(
    "pmo_run", selection=dg.AssetSelection.all(),
    description="Ingest, check and build every KPI table, as of the run's day, and publish.")


def run_as_of(context: dg.AssetExecutionContext, settings: Settings) -> date:
    return settings.run_as_of(context.run.tags.get(AS_OF_TAG))


def history_days(context: dg.AssetExecutionContext, settings: Settings) -> list[date]:
    """The days whose KPI history a run writes: a backfill's range, else the run's day."""
    tags = context.run.tags
    if HISTORY_FROM_TAG not in tags:
        return [run_as_of(context, settings)]
    first = settings.run_as_of(tags[HISTORY_FROM_TAG])
    last = settings.run_as_of(tags[HISTORY_TO_TAG])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
