"""Dagster resources: the warehouse connection. The run's `Settings` is a resource too, as is."""

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class Warehouse(dg.ConfigurableResource):
    """The pipeline's own DuckDB file; only this process writes it, readers use the exports.

    Unlike dagster-duckdb's resource it does not retry a locked file for minutes (a lock here
    means another run is going: fail at once) and it closes the connection when a step fails.
    """

    database: str
    memory_limit: str  # Settings.memory_limit; DuckDB spills what does not fit

    @contextmanager
    def get_connection(self):
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.database, config={"memory_limit": self.memory_limit})
        try:
            yield con
        finally:
            con.close()
