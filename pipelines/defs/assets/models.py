"""Every SQL model in `models/` is an asset, its upstream read from the SQL itself.

Like dagster-dbt's assets, the models share one step: one asset per file in the graph, but
one process step for the lot, so a run does not pay Dagster's per-step bookkeeping 30 times.
"""

import hashlib
import warnings

import dagster as dg

from pipelines import progress
from pipelines.defs.jobs import Refused, run_as_of
from pipelines.defs.resources import Warehouse
from pipelines.publish.dictionary import load_docs, table_columns
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.models import Model, OutOfMemory, build_models, discover


def model_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


MARTS_DOCS = load_docs()  # schema.yml, read once (libyaml): column docs of the KPI tables


def column_schema(table: str, types: dict[str, str] | None = None) -> dg.TableSchema | None:
    """A marts table's columns as documented in schema.yml (unit and formula in the
    description), typed with the warehouse's types when known, else by unit."""
    schema, name = table.split(".", 1)
    doc = MARTS_DOCS.get(name) if schema == "marts" else None
    if doc is None:
        return None
    names = list(types) if types else list(doc["columns"])
    columns = []
    for column in names:
        entry = doc["columns"].get(column, {})
        text = " ".join(filter(None, [entry.get("description", ""),
                                      f"Unit: {entry['unit']}." if entry.get("unit") else "",
                                      f"Formula: {entry['formula']}" if entry.get("formula")
                                      else ""]))
        columns.append(dg.TableColumn(column, (types or {}).get(column) or entry.get("unit")
                                      or "", description=text or None))
    return dg.TableSchema(columns=columns)


def model_spec(model: Model) -> dg.AssetSpec:
    metadata = {
        "sql_file": f"models/{model.layer}/{model.path.name}",
        "sql": dg.MetadataValue.md(f"```sql\n{model.sql.strip()}\n```"),
        "dagster/table_name": f"warehouse.{model.table}",
    }
    with warnings.catch_warnings():  # code references are "beta" in Dagster 1.x: not for users
        warnings.simplefilter("ignore")
        metadata["dagster/code_references"] = dg.CodeReferencesMetadataValue(code_references=[
            dg.LocalFileCodeReference(file_path=str(model.path.resolve()), line_number=1,
                                      label=f"models/{model.layer}/{model.path.name}")])
    schema = column_schema(model.table)
    if schema is not None:
        metadata["dagster/column_schema"] = schema
    doc = MARTS_DOCS.get(model.table.split(".", 1)[1]) if model.layer == "marts" else None
    description = model.description or (
        f"{doc['description']} Grain: {doc['grain']}." if doc else f"Model {model.table}.")
    return dg.AssetSpec(
        model_key(model.table),
        group_name=model.layer,
        kinds={"duckdb", "sql"},
        deps=[model_key(table) for table in model.upstream],
        description=description,
        code_version=hashlib.sha256(model.sql.encode()).hexdigest()[:12],
        metadata=metadata,
        skippable=True,
    )


def refuse_before_first_start(con, as_of) -> None:
    """No project started on or before the as-of date: every KPI table would be empty, and
    publishing it would replace good KPIs by nothing. Refused before any table is built.
    The projects are read as of the date (DuckDB variable `as_of`): a project only a later
    status snapshot holds has not started as far as that day knows."""
    con.execute(f"SET VARIABLE as_of = DATE '{as_of.isoformat()}'")
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
        progress.start("models", len(selected), "models: building the KPI tables")
        rebuilt = 0
        try:
            for built in build_models(con, settings.params(as_of).as_variables(),
                                      tables=selected, only_changed=True):
                metadata = {"as_of": as_of.isoformat(), "rebuilt": built.rows is not None}
                if built.rows is not None:
                    rebuilt += 1
                    metadata["dagster/row_count"] = built.rows
                    layer, name = built.table.split(".", 1)
                    schema = column_schema(built.table, dict(table_columns(con, name, layer))) \
                        if layer == "marts" else None
                    if schema is not None:  # with the warehouse's column types
                        metadata["dagster/column_schema"] = schema
                progress.advance("models", f"models: {built.table}"
                                 f"{'' if built.rows is not None else ' (unchanged)'}")
                yield dg.MaterializeResult(asset_key=model_key(built.table), metadata=metadata,
                                           data_version=dg.DataVersion(built.fingerprint))
        except OutOfMemory as error:
            raise Refused(f"{error.table} did not fit in the memory the warehouse may use "
                          f"(PMO_MEMORY_LIMIT={settings.memory_limit}); give it more, for "
                          "example PMO_MEMORY_LIMIT=2GB, and run again; the published KPIs "
                          "stay as they are") from None
        progress.finish("models", f"models: {rebuilt} rebuilt, {len(selected) - rebuilt} "
                        "unchanged")
