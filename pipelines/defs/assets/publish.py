"""Publishing: the KPI tables out to readers, only after every blocking check passed."""

import hashlib
import html
import inspect
import json
import re
from functools import partial
from pathlib import Path

import dagster as dg

from pipelines.defs.assets.models import model_key
from pipelines.defs.resources import Warehouse
from pipelines.publish.freshness import freshness, stale_warnings
from pipelines.publish.release import (content_fingerprint, current_release, data_as_of, publish,
                                       published_fingerprint)
from pipelines.settings import Settings
from pipelines.timing import phase
from pipelines.transform.history import HISTORY
from pipelines.transform.models import discover

KPI_TABLES = [model_key(t) for t in discover() if t.startswith("marts.")]


def render_report(kpi_duckdb: Path, warnings: list[str] = ()) -> str:
    """The managers' report (charts: Altair and vl-convert, imported only here), with the
    release's warnings: passed on when the report takes them, else shown in a banner on top."""
    from pipelines.analysis.report import render_report as render

    if "warnings" in inspect.signature(render).parameters:
        return render(kpi_duckdb, warnings=list(warnings))
    page = render(kpi_duckdb)
    if not warnings:
        return page
    banner = "".join(f'<p class="pmo-warning" role="alert" style="background:#fff3cd;'
                     f'border:1px solid #e0a800;padding:.5em 1em;margin:.5em 0">'
                     f"<strong>Warning:</strong> {html.escape(w)}</p>" for w in warnings)
    body = re.search(r"<body[^>]*>", page)
    return page[:body.end()] + banner + page[body.end():] if body else banner + page


@dg.asset(
    key=dg.AssetKey(["exports", "kpi_release"]),
    group_name="publish",
    kinds={"parquet", "csv", "duckdb"},
    deps=[*KPI_TABLES, model_key(HISTORY)],
)
def kpi_release(context: dg.AssetExecutionContext, warehouse: Warehouse,
                settings: dg.ResourceParam[Settings]):
    """Every KPI table as Parquet, CSV and kpi.duckdb with a data dictionary and report.html,
    switched in atomically under PMO_EXPORT_DIR; readers never open the warehouse. The release
    is labelled with the as-of date of the data it holds, and records how fresh its data is
    (release.json: `freshness` per entity, `warnings` when timesheets or progress are stale)."""
    export_dir = settings.export_dir
    with warehouse.get_connection() as con, phase(settings.timings_file, "publish"):
        as_of = data_as_of(con)
        fresh = freshness(con, as_of)
        warnings = stale_warnings(fresh, as_of, settings.stale_days)
        # the freshness is content too: the same tables with other warnings are a new release
        fingerprint = hashlib.sha256(json.dumps(
            [content_fingerprint(con, as_of), fresh, warnings]).encode()).hexdigest()
        unchanged = published_fingerprint(export_dir) == fingerprint
        release = (current_release(export_dir) if unchanged
                   else publish(con, export_dir, as_of, fingerprint=fingerprint,
                                render_report=partial(render_report, warnings=warnings),
                                notes={"freshness": fresh, "warnings": warnings}))
    for line in warnings:
        context.log.warning(line)
    return dg.MaterializeResult(metadata={
        "release": dg.MetadataValue.path(str(release)), "as_of": as_of.isoformat(),
        "republished": not unchanged, "warnings": dg.MetadataValue.json(warnings),
        "freshness": dg.MetadataValue.json(fresh)})
