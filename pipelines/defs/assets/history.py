"""KPI history: kpi_project as of each day the runs (and backfills) computed."""

import dagster as dg

from pipelines.defs.jobs import history_days
from pipelines.defs.resources import Warehouse
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.history import HISTORY, record_history


@dg.asset(
    key=dg.AssetKey(HISTORY.split(".")),
    group_name="marts",
    kinds={"duckdb", "sql"},
    deps=[dg.AssetKey(["marts", "kpi_project"])],
)
def kpi_project_history(context: dg.AssetExecutionContext, warehouse: Warehouse,
                        settings: dg.ResourceParam[Settings]):
    """kpi_project as it was as of each day; re-running a day replaces that day's rows. A run
    writes its own day; `pmo backfill` a range of days, in one run."""
    with warehouse.get_connection() as con, phase(settings.timings_file, "history"):
        days = history_days(context, settings, con)
        written = record_history(con, days, settings.kpi)
    return dg.MaterializeResult(metadata={
        "days": len(written), "rows": sum(written.values()),
        "first_day": days[0].isoformat(), "last_day": days[-1].isoformat()})
