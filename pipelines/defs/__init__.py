"""The Dagster wiring: assets with their checks, resources, the job, schedule and sensor.

Thin by design: each asset opens the warehouse and calls the engine (`pipelines.ingest`,
`checks`, `transform`, `publish`), which knows nothing of Dagster and is tested on DuckDB.
"""

import dagster as dg

from pipelines.defs.assets.history import kpi_project_history
from pipelines.defs.assets.models import sql_models
from pipelines.defs.assets.publish import kpi_release
from pipelines.defs.assets.raw import ingest_landing_folder
from pipelines.defs.jobs import pmo_run
from pipelines.defs.resources import Warehouse
from pipelines.defs.schedules import landing_sensor, nightly_schedule
from pipelines.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """Everything `pmo run`, the nightly schedule and the UI run, for these settings."""
    return dg.Definitions(
        assets=[ingest_landing_folder, sql_models, kpi_project_history, kpi_release],
        jobs=[pmo_run],
        schedules=[nightly_schedule(pmo_run, settings)],
        sensors=[landing_sensor(pmo_run, settings)],
        resources={"warehouse": Warehouse(database=str(settings.warehouse),
                                            memory_limit=settings.memory_limit),
                   "settings": settings},
        executor=dg.in_process_executor,  # one process, one DuckDB writer
    )
