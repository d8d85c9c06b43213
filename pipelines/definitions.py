"""The Dagster code location: everything `pmo run`, the nightly schedule and the UI run."""

import dagster as dg

from pipelines.assets.models import model_assets
from pipelines.assets.raw import ingest_landing_folder
from pipelines.resources import resources_from_env

everything = dg.define_asset_job("pmo_run", selection=dg.AssetSelection.all(),
                                 description="Ingest, check and build every KPI table.")

defs = dg.Definitions(
    assets=[ingest_landing_folder, *model_assets],
    jobs=[everything],
    resources=resources_from_env(),
    executor=dg.in_process_executor,  # one process, one DuckDB writer
)
