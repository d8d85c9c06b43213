"""Dagster resources: the warehouse connection and the run's configuration."""

import os
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.settings import KpiParams, Paths, as_of_from_env, max_bad_row_share

class Warehouse(dg.ConfigurableResource):
    """The pipeline's own DuckDB file; only this process writes it, readers use the exports.

    Unlike dagster-duckdb's resource it does not retry a locked file for minutes (a lock here
    means another run is going: fail at once) and it closes the connection when a step fails.
    """

    database: str

    @contextmanager
    def get_connection(self):
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.database)
        try:
            yield con
        finally:
            con.close()

class PmoConfig(dg.ConfigurableResource):
    """Where data lands and is published, and as of which date the KPIs are computed."""

    raw_dir: str
    export_dir: str
    as_of: str = ""  # YYYY-MM-DD; empty: PMO_AS_OF, else today in PMO_TIMEZONE
    max_bad_row_share: float = 0.0
    kpi_params: dict[str, float] = {}  # overrides of KpiParams by name (thresholds, credit)

    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else as_of_from_env()

    def params(self, as_of: date | None = None) -> KpiParams:
        known = {f.name for f in fields(KpiParams)} - {"as_of"}
        unknown = set(self.kpi_params) - known
        if unknown:
            raise dg.Failure(f"unknown KPI parameter(s): {', '.join(sorted(unknown))}")
        types = {f.name: type(getattr(KpiParams(), f.name)) for f in fields(KpiParams)}
        overrides = {k: types[k](v) for k, v in self.kpi_params.items()}
        return replace(KpiParams(as_of=as_of or self.as_of_date()), **overrides)

def resources_from_env() -> dict[str, dg.ConfigurableResource]:
    paths = Paths.from_env()
    return {
        "warehouse": Warehouse(database=str(paths.warehouse)),
        "pmo": PmoConfig(
            raw_dir=str(paths.raw_dir),
            export_dir=str(paths.export_dir),
            as_of=os.environ.get("PMO_AS_OF", ""),
            max_bad_row_share=max_bad_row_share(),
        ),
    }
