"""Every SQL model in `models/` is an asset, its upstream read from the SQL itself.

Like dagster-dbt's assets, the models share one step: one asset per file in the graph, but
one process step for the lot, so a run does not pay Dagster's per-step bookkeeping 30 times.
"""

import hashlib

import dagster as dg

from pipelines.defs.jobs import Refused, run_as_of
from pipelines.defs.resources import Warehouse
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.models import Model, build_models, discover


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


def refuse_before_first_start(con, as_of) -> None:
    """No project started on or before the as-of date: every KPI table would be empty, and
    publishing it would replace good KPIs by nothing. Refused before any table is built."""
    first = con.execute("SELECT min(start_date) FROM raw.projects_current").fetchone()[0]
    if first is None or first > as_of:
        since = f"the first project starts on {first}" if first else "no project has a start"
        raise Refused(f"as-of date {as_of} is before every project start ({since}): there "
                      "is nothing to report as of that day; the published KPIs stay as they are")


@dg.multi_asset(specs=[model_spec(m) for m in discover().values()], can_subset=True)
def sql_models(context: dg.AssetExecutionContext, warehouse: Warehouse,
               settings: dg.ResourceParam[Settings]):
    """Build each selected model in dependency order, skipping those whose inputs are unchanged."""
    selected = [t for t in discover() if model_key(t) in context.selected_asset_keys]
    with warehouse.get_connection() as con, phase(settings.timings_file, "models"):
        as_of = run_as_of(context, settings, con)
        refuse_before_first_start(con, as_of)
        for built in build_models(con, settings.params(as_of).as_variables(), tables=selected,
                                  only_changed=True):
            metadata = {"as_of": as_of.isoformat(), "rebuilt": built.rows is not None}
            if built.rows is not None:
                metadata["dagster/row_count"] = built.rows
            yield dg.MaterializeResult(asset_key=model_key(built.table), metadata=metadata,
                                       data_version=dg.DataVersion(built.fingerprint))
