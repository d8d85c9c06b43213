"""The Dagster code location: everything `pmo run`, the nightly schedule and the UI run."""

import dagster as dg

from pipelines.assets.history import kpi_project_history
from pipelines.assets.models import sql_models
from pipelines.assets.publish import kpi_release
from pipelines.assets.raw import ingest_landing_folder
from pipelines.resources import resources_from_env
from pipelines.schedules import landing_sensor, nightly_schedule


def build_definitions() -> dg.Definitions:
    """Resources come from the PMO_* environment as it is when this is called."""
    everything = dg.define_asset_job(
        "pmo_run", selection=dg.AssetSelection.all(),
        description="Ingest, check and build every KPI table, as of the partition's day.")
    return dg.Definitions(
        assets=[ingest_landing_folder, sql_models, kpi_project_history, kpi_release],
        jobs=[everything],
        schedules=[nightly_schedule(everything)],
        sensors=[landing_sensor(everything)],
        resources=resources_from_env(),
        executor=dg.in_process_executor,  # one process, one DuckDB writer
    )


defs = build_definitions()
