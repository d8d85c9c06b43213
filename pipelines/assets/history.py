"""KPI history: kpi_project as of each day, one daily partition per as-of date."""

from datetime import timedelta

import dagster as dg

from pipelines.history import HISTORY, record_history
from pipelines.partitions import daily
from pipelines.resources import PmoConfig, Warehouse
from pipelines.timing import phase


@dg.asset(
    key=dg.AssetKey(HISTORY.split(".")),
    group_name="marts",
    kinds={"duckdb", "sql"},
    deps=[dg.AssetKey(["marts", "kpi_project"])],
    partitions_def=daily,
    backfill_policy=dg.BackfillPolicy.single_run(),  # a range of days in one run, one process
)
def kpi_project_history(context: dg.AssetExecutionContext, warehouse: Warehouse, pmo: PmoConfig):
    """kpi_project as it was as of each day; re-running a day replaces that day's rows."""
    window = context.partition_time_window
    days = [window.start.date() + timedelta(days=n) for n in range((window.end - window.start).days)]
    with warehouse.get_connection() as con, phase("history"):
        written = record_history(con, days, pmo.params())
    return dg.MaterializeResult(metadata={
        "days": len(written), "rows": sum(written.values()),
        "first_day": days[0].isoformat(), "last_day": days[-1].isoformat()})

