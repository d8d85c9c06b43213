"""KPI history: kpi_project as of each day, from the one-pass build of every day."""

import dagster as dg

from pipelines.defs.jobs import HISTORY_FROM_TAG, history_days
from pipelines.defs.resources import Warehouse
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.history import HISTORY, SOURCE, record_history


@dg.asset(
    key=dg.AssetKey(HISTORY.split(".")),
    group_name="marts",
    kinds={"duckdb", "sql"},
    deps=[dg.AssetKey(["marts", "kpi_project"]), dg.AssetKey(SOURCE.split("."))],
)
def kpi_project_history(context: dg.AssetExecutionContext, warehouse: Warehouse,
                        settings: dg.ResourceParam[Settings]):
    """kpi_project as it was as of each day. A run writes every day from the first project
    start through its as-of date; `pmo backfill` the days of its range. Re-writing a day
    replaces that day's rows."""
    with warehouse.get_connection() as con, phase(settings.timings_file, "history"):
        days = history_days(context, settings, con)
        backfill = HISTORY_FROM_TAG in context.run.tags
        written = record_history(con, days[0] if backfill else None, days[-1], settings.kpi)
    return dg.MaterializeResult(metadata={
        "days": len(written), "rows": sum(written.values()),
        "first_day": min(written, default=days[0]).isoformat(), "last_day": days[-1].isoformat()})
