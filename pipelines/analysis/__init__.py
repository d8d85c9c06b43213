"""Analysis helpers for the notebooks and the manager report.

They read only the published `kpi.duckdb` (read-only), never the warehouse:

- `data`: the read-only connection and the SQL questions, answered as polars frames;
- `charts`: Altair chart builders and the offline renderer for JupyterLab;
- `narrative`: the few sentences computed from the data that go with the charts;
- `report`: `render_report(kpi_duckdb)`, a self-contained HTML page (inline SVG, no script);
- `notebooks`: find, parameterize and execute the notebooks of `notebooks/` (tests, scripts).
"""

from pipelines.analysis.data import AsOfError, KpiData, MissingTableError, resolve_export_dir

__all__ = ["KpiData", "MissingTableError", "AsOfError", "resolve_export_dir"]
