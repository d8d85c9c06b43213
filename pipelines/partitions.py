"""The as-of date of a run: its daily partition when it has one, else configuration."""

from datetime import date

import dagster as dg

from pipelines.resources import PmoConfig
from pipelines.settings import timezone

# One partition per as-of date; end_offset=1 so that "today" is a valid as-of date.
daily = dg.DailyPartitionsDefinition(
    start_date="2015-01-01", timezone=timezone(), end_offset=1)


def run_as_of(context: dg.AssetExecutionContext, pmo: PmoConfig) -> date:
    key = context.run.tags.get("dagster/partition")
    return date.fromisoformat(key) if key else pmo.as_of_date()
