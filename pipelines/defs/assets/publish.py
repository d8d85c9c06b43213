"""Publishing: the KPI tables out to readers, only after every blocking check passed."""

import hashlib
import json
from datetime import timedelta
from functools import partial
from pathlib import Path

import dagster as dg

from pipelines import progress
from pipelines.defs.assets.models import model_key
from pipelines.defs.resources import Warehouse
from pipelines.publish.freshness import freshness, later_exports, reader_notes, stale_warnings
from pipelines.publish.release import (content_fingerprint, current_release, data_as_of, publish,
                                       published_fingerprint)
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.history import HISTORY
from pipelines.transform.models import discover

KPI_TABLES = [model_key(t) for t in discover() if t.startswith("marts.")]


def render_report(kpi_duckdb: Path, warnings: list[str] = ()) -> str:
    """The managers' report with the release's warnings on top (charts: Altair and vl-convert,
    imported only here, so that loading the definitions stays fast)."""
    from pipelines.analysis.report import render_report as render

    return render(kpi_duckdb, warnings=list(warnings))


@dg.asset(
    key=dg.AssetKey(["exports", "kpi_release"]),
    group_name="publish",
    kinds={"parquet", "csv", "duckdb"},
    deps=[*KPI_TABLES, model_key(HISTORY)],
    metadata={"export_dir": "PMO_EXPORT_DIR (default data/exports), a link to the release",
              "files": "<table>.parquet, <table>.csv, kpi.duckdb, data_dictionary.md/.json, "
                       "report.html, release.json"},
    # the nightly schedule publishes every day: a release older than 26 hours is late
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26)),
)
def kpi_release(context: dg.AssetExecutionContext, warehouse: Warehouse,
                settings: dg.ResourceParam[Settings]):
    """Every KPI table as Parquet, CSV and kpi.duckdb with a data dictionary and report.html,
    switched in atomically under PMO_EXPORT_DIR; readers never open the warehouse. The release
    is labelled with the as-of date of the data it holds, and records how fresh its data is
    (release.json: `freshness` per entity, `warnings` when timesheets or progress are stale
    and for each tool export left out because its status date is after the as-of date)."""
    export_dir = settings.export_dir
    with warehouse.get_connection() as con, phase(settings.timings_file, "publish"):
        progress.start("publish", None, "publish: writing Parquet, CSV, kpi.duckdb, report")
        as_of = data_as_of(con)
        fresh = freshness(con, as_of)  # sets the DuckDB variable as_of: exports after D out
        warnings = (stale_warnings(fresh, as_of, settings.stale_days)
                    + later_exports(con, as_of) + reader_notes(con))
        # the freshness is content too: the same tables with other warnings are a new release
        fingerprint = hashlib.sha256(json.dumps(
            [content_fingerprint(con, as_of), fresh, warnings, settings.csv_dialect]
        ).encode()).hexdigest()
        unchanged = published_fingerprint(export_dir) == fingerprint
        release = (current_release(export_dir) if unchanged
                   else publish(con, export_dir, as_of, fingerprint=fingerprint,
                                render_report=partial(render_report, warnings=warnings),
                                notes={"freshness": fresh, "warnings": warnings},
                                csv_dialect=settings.csv_dialect))
    done = "unchanged, not republished" if unchanged else "new release"
    progress.finish("publish", f"publish: {done} as of {as_of}")
    for line in warnings:
        context.log.warning(line)
    return dg.MaterializeResult(metadata={
        "release": dg.MetadataValue.path(str(release)), "as_of": as_of.isoformat(),
        "republished": not unchanged, "warnings": dg.MetadataValue.json(warnings),
        "freshness": dg.MetadataValue.json(fresh),
        "latest_fact": max((f["latest"] for f in fresh.values() if f["latest"]), default=""),
        "dagster/row_count": sum(r["rows"] for r in _manifest(release).get("tables", {}).values())})


def _manifest(release: Path | None) -> dict:
    manifest = release / "release.json" if release else None
    return json.loads(manifest.read_text()) if manifest and manifest.exists() else {}
