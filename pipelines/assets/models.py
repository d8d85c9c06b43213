"""One asset per SQL model in `models/`, its upstream read from the SQL itself."""

import hashlib

import dagster as dg

from pipelines.models import Model, build, discover, set_params
from pipelines.partitions import run_as_of
from pipelines.resources import PmoConfig, Warehouse

def build_model_asset(model: Model) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([model.layer, model.name]),
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        deps=[dg.AssetKey(table.split(".")) for table in model.upstream],
        description=model.description or f"Model {model.table}.",
        code_version=hashlib.sha256(model.sql.encode()).hexdigest()[:12],
        metadata={"sql_file": str(model.path.relative_to(model.path.parents[2]))},
    )
    def _model(context: dg.AssetExecutionContext, warehouse: Warehouse, pmo: PmoConfig):
        params = pmo.params(run_as_of(context, pmo))
        with warehouse.get_connection() as con:
            set_params(con, params.as_variables())
            rows = build(con, model)
        return dg.MaterializeResult(
            metadata={"dagster/row_count": rows, "as_of": params.as_of.isoformat()})

    return _model

model_assets = [build_model_asset(m) for m in discover().values()]
