"""Publishing: the KPI tables out to readers, only after every blocking check passed."""

from pathlib import Path

import dagster as dg

from pipelines.history import HISTORY
from pipelines.models import discover
from pipelines.partitions import run_as_of
from pipelines.publish import publish
from pipelines.resources import PmoConfig, Warehouse
from pipelines.timing import phase

KPI_TABLES = [dg.AssetKey(t.split(".")) for t in discover() if t.startswith("marts.")]


@dg.asset(
    key=dg.AssetKey(["exports", "kpi_release"]),
    group_name="publish",
    kinds={"parquet", "csv", "duckdb"},
    deps=[*KPI_TABLES, dg.AssetKey(HISTORY.split("."))],
)
def kpi_release(context: dg.AssetExecutionContext, warehouse: Warehouse, pmo: PmoConfig):
    """Every KPI table as Parquet, CSV and kpi.duckdb with a data dictionary, switched in
    atomically under PMO_EXPORT_DIR; readers never open the warehouse."""
    as_of = run_as_of(context, pmo)
    with warehouse.get_connection() as con, phase("publish"):
        release = publish(con, Path(pmo.export_dir), as_of)
    return dg.MaterializeResult(metadata={
        "release": dg.MetadataValue.path(str(release)), "as_of": as_of.isoformat()})
