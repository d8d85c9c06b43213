"""The raw layer: one asset per entity of the input contract, with its quality gate beside it.

All entities are ingested and checked in one step, so that references are checked against
the whole delivery and a user sees every problem of a delivery at once, not the first one.
"""

import dagster as dg

from pipelines import progress
from pipelines.checks.gate import evaluate
from pipelines.checks.gx_suite import warm_up
from pipelines.contract import ENTITIES
from pipelines.defs.jobs import Refused, run_as_of
from pipelines.defs.resources import Warehouse
from pipelines.ingest.landing import landing_problem, unknown_files_message
from pipelines.publish.release import forget_inputs
from pipelines.ingest.load import LandingProblem, find_foreign, ingest_entity, ingest_order
from pipelines.ingest.raw_schema import ensure_raw_schema
from pipelines.settings import Settings
from pipelines.timing import phase

CHECK = "contract_rules"


def raw_key(entity: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity])


@dg.multi_asset(
    name="ingest_landing_folder",
    specs=[
        dg.AssetSpec(
            raw_key(e.name),
            group_name="raw",
            kinds={"duckdb", "polars"},
            description=f"{e.description} Typed rows of every landed file `{e.name}.*` and "
            f"`{e.name}/*`; only new or changed files are read. Key: {', '.join(e.key)}; "
            f"{'required' if e.required else 'optional'} entity. The rows that count (no "
            f"broken rule, latest file per key; of tool exports, the latest status snapshot "
            f"on or before the as-of date, with the baseline's plan) are the view "
            f"`raw.{e.name}_current`.",
            metadata={
                "dagster/table_name": f"warehouse.raw.{e.name}",
                "dagster/column_schema": dg.TableSchema(columns=[
                    dg.TableColumn(c.name, c.type, description=c.description
                                   + (" (personal: never exported)" if c.personal else ""),
                                   constraints=dg.TableColumnConstraints(nullable=not c.required))
                    for c in e.columns]),
            },
            skippable=True,
        )
        for e in ENTITIES.values()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset=raw_key(e.name),
            blocking=True,
            description="Every rule of the input contract: file structure and types, required "
            "values, allowed values, bounds, keys, references (row rules as a GX suite).",
        )
        for e in ENTITIES.values()
    ],
    can_subset=True,
)
def ingest_landing_folder(context: dg.AssetExecutionContext, warehouse: Warehouse,
                          settings: dg.ResourceParam[Settings]):
    """Bring new and changed landed files into `raw`, then check every contract rule."""
    selected = [e for e in ENTITIES.values() if raw_key(e.name) in context.selected_asset_keys]
    # Whatever starts this run (pmo run, the schedule, the sensor, the UI), the warehouse is
    # about to change: no later `pmo run` may be skipped on the strength of an earlier record.
    forget_inputs(settings.export_dir)
    problem = landing_problem(settings.raw_dir)
    if problem:
        raise Refused(problem)
    try:
        foreign = find_foreign(settings.raw_dir)  # tool exports and mapped files, found once
    except LandingProblem as fault:
        raise Refused(str(fault)) from None
    with warehouse.get_connection() as con:
        with phase(settings.timings_file, "ingest"):
            reports = {}
            progress.start("ingest", len(selected), "ingest: reading landed files")
            ensure_raw_schema(con)
            # The first changed file: import GX (about 4 s of Python) for the suites of the
            # new rows while files are parsed and loaded (polars and DuckDB leave the GIL).
            warming = []

            def before_reading() -> None:
                if not warming:
                    warming.append(True)
                    warm_up()

            # timesheet-tool reports resolve people and tasks against this run's employees,
            # projects and tasks: those are ingested first
            for entity in ingest_order(selected):
                report = ingest_entity(con, settings.raw_dir, entity, foreign,
                                       before_reading=before_reading, schema_ready=True)
                reports[entity.name] = report
                progress.advance("ingest", f"ingest: {entity.name}, {len(report.loaded):,} "
                                 f"file(s) read, {report.rows_loaded:,} rows")
            progress.finish("ingest", "ingest: {:,} file(s) read, {:,} rows, {:,} unchanged".format(
                sum(len(r.loaded) for r in reports.values()),
                sum(r.rows_loaded for r in reports.values()),
                sum(r.unchanged for r in reports.values())))
        unread = unknown_files_message(settings.raw_dir, list(ENTITIES))
        if unread:
            context.log.warning(unread)
        for entity in selected:
            report = reports[entity.name]
            for file, problem in report.rejected.items():
                context.log.error(f"{file}: rejected: {problem}")
            total = con.execute(f"SELECT count(*) FROM raw.{entity.name}").fetchone()[0]
            yield dg.MaterializeResult(asset_key=raw_key(entity.name), metadata={
                "dagster/row_count": total,  # every row of every landed file version
                "files_present": len(report.present),
                "files_read": len(report.loaded) + len(report.rejected),
                "files_unchanged": report.unchanged,
                "files_rejected": dg.MetadataValue.json(report.rejected),
                "rows_read": report.rows_loaded,
            })
        as_of = run_as_of(context, settings, con)
        window = settings.date_window(as_of)
        # The cross-file rules judge the rows that count as of the run's date, as staging will
        # read them: status snapshots of tool exports dated later are not among them.
        con.execute(f"SET VARIABLE as_of = DATE '{as_of.isoformat()}'")
        progress.start("checks", len(selected), "checks: contract rules")
        passed = 0
        for entity in selected:
            with phase(settings.timings_file, "checks"):
                verdict = evaluate(con, entity, settings.max_bad_row_share, window)
            passed += verdict.passed
            progress.advance("checks", f"checks: {entity.name} "
                             f"{'passed' if verdict.passed else 'FAILED'}")
            if entity is selected[-1]:
                progress.finish("checks", f"checks: {passed} of {len(selected)} passed")
            yield dg.AssetCheckResult(
                asset_key=raw_key(entity.name),
                check_name=CHECK,
                passed=verdict.passed,
                description=verdict.summary(),
                metadata={
                    "rows": verdict.rows,
                    "bad_rows": verdict.bad_rows,
                    "bad_row_share": verdict.share,
                    "quarantined_rows": verdict.quarantined,
                    "quarantined_by_rule": dg.MetadataValue.json(
                        verdict.by_rule if verdict.quarantined else {}),
                    "messages": dg.MetadataValue.text("\n".join(verdict.messages())),
                    "failing_rows": dg.MetadataValue.json(verdict.violations),
                },
            )
