"""The one job, and the run tags that say as of which day (and which history days) it runs."""

from datetime import date, timedelta

import dagster as dg
import duckdb

from pipelines.publish.freshness import latest_fact
from pipelines.settings import Settings, SettingsError

AS_OF_TAG = "pmo/as_of"  # YYYY-MM-DD or "data"; absent: the settings' as-of date, else today
HISTORY_FROM_TAG, HISTORY_TO_TAG = "pmo/history_from", "pmo/history_to"  # a backfill's range

pmo_run = dg.define_asset_job(
    "pmo_run", selection=dg.AssetSelection.all(),
    description="Ingest, check and build every KPI table, as of the run's day, and publish.")


class Refused(Exception):
    """The run cannot give true KPIs (no landing data, an as-of date before every project,
    ...): the step stops, nothing downstream runs, the published release stays. The runner
    prints the message as one line."""


def run_as_of(context: dg.AssetExecutionContext, settings: Settings,
              con: duckdb.DuckDBPyConnection | None = None) -> date:
    """The run's as-of date; "data" is read from the ingested warehouse `con`."""
    try:
        return settings.run_as_of(context.run.tags.get(AS_OF_TAG),
                                  latest_fact=(lambda until: latest_fact(con, until))
                                  if con is not None else None)
    except SettingsError as error:
        raise Refused(str(error)) from None


def history_days(context: dg.AssetExecutionContext, settings: Settings,
                 con: duckdb.DuckDBPyConnection | None = None) -> list[date]:
    """The days whose KPI history a run writes: a backfill's range, else the run's day."""
    tags = context.run.tags
    if HISTORY_FROM_TAG not in tags:
        return [run_as_of(context, settings, con)]
    first = settings.run_as_of(tags[HISTORY_FROM_TAG])
    last = settings.run_as_of(tags[HISTORY_TO_TAG])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
