"""Publishing: the KPI tables out to readers, only after every blocking check passed."""

from pathlib import Path

import dagster as dg

from pipelines.defs.assets.models import model_key
from pipelines.defs.resources import Warehouse
from pipelines.publish.release import (content_fingerprint, current_release, data_as_of, publish,
                                       published_fingerprint)
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.history import HISTORY
from pipelines.transform.models import discover

KPI_TABLES = [model_key(t) for t in discover() if t.startswith("marts.")]


def render_report(kpi_duckdb: Path) -> str:
    """The managers' report (charts: Altair and vl-convert, imported only here)."""
    from pipelines.analysis.report import render_report as render

    return render(kpi_duckdb)


@dg.asset(
    key=dg.AssetKey(["exports", "kpi_release"]),
    group_name="publish",
    kinds={"parquet", "csv", "duckdb"},
    deps=[*KPI_TABLES, model_key(HISTORY)],
)
def kpi_release(context: dg.AssetExecutionContext, warehouse: Warehouse,
                settings: dg.ResourceParam[Settings]):
    """Every KPI table as Parquet, CSV and kpi.duckdb with a data dictionary and report.html,
    switched in atomically under PMO_EXPORT_DIR; readers never open the warehouse. The release
    is labelled with the as-of date of the data it holds."""
    export_dir = settings.export_dir
    with warehouse.get_connection() as con, phase(settings.timings_file, "publish"):
        as_of = data_as_of(con)
        fingerprint = content_fingerprint(con, as_of)
        unchanged = published_fingerprint(export_dir) == fingerprint
        release = (current_release(export_dir) if unchanged
                   else publish(con, export_dir, as_of, fingerprint=fingerprint,
                                render_report=render_report))
    return dg.MaterializeResult(metadata={
        "release": dg.MetadataValue.path(str(release)), "as_of": as_of.isoformat(),
        "republished": not unchanged})
