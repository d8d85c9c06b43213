"""Publishing: the KPI tables out to readers, only after every blocking check passed."""

from pathlib import Path

import dagster as dg

from pipelines.history import HISTORY
from pipelines.assets.models import model_key
from pipelines.models import discover
from pipelines.partitions import run_as_of
from pipelines.publish import content_fingerprint, current_release, publish, published_fingerprint
from pipelines.resources import PmoConfig, Warehouse
from pipelines.timing import phase

KPI_TABLES = [model_key(t) for t in discover() if t.startswith("marts.")]


@dg.asset(
    key=dg.AssetKey(["exports", "kpi_release"]),
    group_name="publish",
    kinds={"parquet", "csv", "duckdb"},
    deps=[*KPI_TABLES, model_key(HISTORY)],
)
def kpi_release(context: dg.AssetExecutionContext, warehouse: Warehouse, pmo: PmoConfig):
    """Every KPI table as Parquet, CSV and kpi.duckdb with a data dictionary, switched in
    atomically under PMO_EXPORT_DIR; readers never open the warehouse."""
    as_of, export_dir = run_as_of(context, pmo), Path(pmo.export_dir)
    with warehouse.get_connection() as con, phase("publish"):
        fingerprint = content_fingerprint(con, as_of)
        unchanged = published_fingerprint(export_dir) == fingerprint
        release = (current_release(export_dir) if unchanged
                   else publish(con, export_dir, as_of, fingerprint=fingerprint))
    return dg.MaterializeResult(metadata={
        "release": dg.MetadataValue.path(str(release)), "as_of": as_of.isoformat(),
        "republished": not unchanged})
