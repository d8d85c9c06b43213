"""Every SQL model in `models/` is an asset, its upstream read from the SQL itself.

Like dagster-dbt's assets, the models share one step: one asset per file in the graph, but
one process step for the lot, so a run does not pay Dagster's per-step bookkeeping 30 times.
"""

import hashlib

import dagster as dg

from pipelines.models import Model, build_if_changed, discover, set_params
from pipelines.partitions import run_as_of
from pipelines.resources import PmoConfig, Warehouse
from pipelines.timing import phase


def model_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


def model_spec(model: Model) -> dg.AssetSpec:
    return dg.AssetSpec(
        model_key(model.table),
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        deps=[model_key(table) for table in model.upstream],
        description=model.description or f"Model {model.table}.",
        code_version=hashlib.sha256(model.sql.encode()).hexdigest()[:12],
        metadata={"sql_file": f"models/{model.layer}/{model.path.name}"},
        skippable=True,
    )


@dg.multi_asset(specs=[model_spec(m) for m in discover().values()], can_subset=True)
def sql_models(context: dg.AssetExecutionContext, warehouse: Warehouse, pmo: PmoConfig):
    """Build each selected model in dependency order, skipping those whose inputs are unchanged."""
    params = pmo.params(run_as_of(context, pmo)).as_variables()
    with warehouse.get_connection() as con:
        set_params(con, params)
        for table, model in discover().items():
            if model_key(table) not in context.selected_asset_keys:
                continue
            with phase("models"):
                rows, version = build_if_changed(con, model, params)
            metadata = {"as_of": params["as_of"].isoformat(), "rebuilt": rows is not None}
            if rows is not None:
                metadata["dagster/row_count"] = rows
            yield dg.MaterializeResult(asset_key=model_key(table), metadata=metadata,
                                       data_version=dg.DataVersion(version))
