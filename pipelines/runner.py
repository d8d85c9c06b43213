"""Run the whole graph in this process and tell the user, in plain words, what happened."""

from __future__ import annotations

import re
import shutil
import time
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines import progress
from pipelines.contract import ENTITIES
from pipelines.defs import build_definitions
from pipelines.defs.jobs import AS_OF_TAG, HISTORY_FROM_TAG, HISTORY_TO_TAG
from pipelines.fastpath import inputs_fingerprint
from pipelines.ingest.landing import landing_problem, unknown_files_message
from pipelines.publish.release import forget_inputs, record_inputs
from pipelines.settings import Settings
from pipelines.timing import phase

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def instance(settings: Settings) -> dg.DagsterInstance:
    """The project's Dagster instance; a new one gets the project's settings (no telemetry)."""
    home = settings.dagster_home
    config = home / "dagster.yaml"
    if not config.exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), config)
    return dg.DagsterInstance.from_config(str(home))


def run_everything(settings: Settings, as_of: date | str, inputs: str | None = None) -> bool:
    """Materialize every asset once as of a day ("data": the landing data's latest fact).
    True when everything passed. A landing folder that is missing or holds no entity file is
    refused before anything runs. `inputs`: the run's inputs fingerprint when the caller has
    computed it already (pipelines.fastpath); a run that passes records it, so that the next
    run with the same inputs need not start."""
    started = time.perf_counter()
    forget_inputs(settings.export_dir)  # from here on, only this run's success counts
    problem = landing_problem(settings.raw_dir)
    if problem:
        print(f"refused: {problem}")
        return False
    if inputs is None:
        with phase(settings.timings_file, "inputs"):
            inputs = inputs_fingerprint(settings, as_of)
    job = build_definitions(settings).resolve_job_def("pmo_run")
    tag = as_of.isoformat() if isinstance(as_of, date) else str(as_of)
    with instance(settings) as dagster, progress.shown():
        result = job.execute_in_process(run_config=QUIET, instance=dagster, raise_on_error=False,
                                        tags={AS_OF_TAG: tag})
    unread = unknown_files_message(settings.raw_dir, list(ENTITIES))
    if unread:
        print(f"warning: {unread}")
    if not report(result, settings):
        return False
    _record_inputs(result, settings, as_of, inputs)
    print_run_summary(result, settings, time.perf_counter() - started)
    return True


def _record_inputs(result: dg.ExecuteInProcessResult, settings: Settings, as_of: date | str,
                   before: str | None) -> None:
    """Record the inputs of a run that passed, when they are still those it started with (a
    file that landed or changed during the run may or may not have been read: the next run
    must look at it). The files' hashes are the run's own while stat says a file is
    unchanged (pipelines/ingest/landing.py), so this costs a stat per file."""
    release = next((Path(str(m.metadata["release"].value))
                    for m in (e.step_materialization_data.materialization
                              for e in result.get_asset_materialization_events())
                    if m.asset_key == dg.AssetKey(["exports", "kpi_release"])
                    and "release" in m.metadata), None)
    if before is None or release is None:
        return
    with phase(settings.timings_file, "inputs"):
        after = inputs_fingerprint(settings, as_of)
    if after != before:
        print("note: a landed file or the pipeline's code changed during the run, so the "
              "next run starts again")
        return
    record_inputs(settings.export_dir, release, before)


def backfill(settings: Settings, first: date, last: date) -> bool:
    """Fill kpi_project_history for every day of [first, last] in one run, then publish."""
    started = time.perf_counter()
    forget_inputs(settings.export_dir)  # a backfill changes the history: `pmo run` runs next
    job = build_definitions(settings).resolve_job_def("pmo_run")
    days = (last - first).days + 1
    with instance(settings) as dagster, progress.shown():
        progress.start("history", None, f"history: kpi_project_history for {days} day(s), "
                       f"{first} to {last}")
        result = job.execute_in_process(
            run_config=QUIET, instance=dagster, raise_on_error=False,
            asset_selection=[dg.AssetKey(["marts", "kpi_project_history"]),
                             dg.AssetKey(["exports", "kpi_release"])],
            tags={HISTORY_FROM_TAG: first.isoformat(), HISTORY_TO_TAG: last.isoformat()})
        progress.finish("history", f"history: {days} day(s) computed")
    if not report(result, settings):
        return False
    print(f"summary: kpi_project_history filled for {days} day(s), {first} to {last}; "
          f"published in {settings.export_dir}; {time.perf_counter() - started:.1f} s")
    return True


def _refusal(step: dg.DagsterEvent) -> str | None:
    """The message of a step that refused the run (pipelines.defs.jobs.Refused), if it did."""
    error = step.step_failure_data.error
    while error is not None:
        if error.cls_name == "Refused":
            return re.sub(r"^[\w.]*Refused: ", "", error.message.strip())
        error = error.cause
    return None


def report(result: dg.ExecuteInProcessResult, settings: Settings) -> bool:
    """Print failed checks and steps in plain words, quarantined rows and the release's
    warnings. True when everything passed."""
    checks = result.get_asset_check_evaluations()
    failed_checks = [e for e in checks if not e.passed]
    failed_steps = [  # a blocked check already speaks for itself above
        e for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE
        and e.step_failure_data.error.cls_name != "DagsterAssetCheckFailedError"
    ]
    refusals = [r for r in map(_refusal, failed_steps) if r]
    if refusals:  # one clear line: the run could not be true
        for line in refusals:
            print(f"refused: {line}")
        return False
    for check in failed_checks:
        print(f"\nFAILED {check.asset_key.to_user_string()} {check.check_name}: "
              f"{check.description}")
        messages = check.metadata.get("messages")
        for line in (messages.value.splitlines() if messages else []):
            print(f"  {line}")
    for step in failed_steps:
        error = step.step_failure_data.error
        cause = error.cause.message if error and error.cause else (error.message if error else "")
        print(f"\nFAILED step {step.step_key}: {cause.strip()}")
    if failed_checks or failed_steps:
        print("\nThe run was blocked: no KPI table was replaced; the last published ones stay.")
        return False
    for check in checks:  # quarantine on: the rows left out, per entity and rule
        by_rule = check.metadata.get("quarantined_by_rule")
        for rule, rows in sorted((by_rule.value if by_rule else {}).items()):
            print(f"quarantined: {rows:,} {check.asset_key.path[-1]} row(s) breaking "
                  f"\"{rule}\" (left out of the KPIs)")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == dg.AssetKey(["exports", "kpi_release"]):
            found = materialization.metadata.get("warnings")
            for line in (found.value if found else []):
                print(f"warning: {line}")
    print(f"run ok: KPI tables published in {settings.export_dir} "
          f"(Parquet, CSV, kpi.duckdb, data_dictionary.md, report.html)")
    return True


def run_summary(result: dg.ExecuteInProcessResult, settings: Settings,
                seconds: float) -> list[str]:
    """What a passed run did, in a few lines: as-of date, rows ingested, checks, the KPI
    headline of the published release, where the outputs are, how long it took."""
    import duckdb

    files = rows = unchanged = 0
    as_of = release = None
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        meta = materialization.metadata
        if materialization.asset_key.path[0] == "raw":
            files += meta["files_read"].value if "files_read" in meta else 0
            rows += meta["rows_read"].value if "rows_read" in meta else 0
            unchanged += meta["files_unchanged"].value if "files_unchanged" in meta else 0
        elif materialization.asset_key == dg.AssetKey(["exports", "kpi_release"]):
            as_of = meta["as_of"].value if "as_of" in meta else None
            release = meta["release"].value if "release" in meta else None
    checks = result.get_asset_check_evaluations()
    passed = sum(c.passed for c in checks)
    lines = [f"as of        {as_of or '-'}",
             f"ingested     {rows:,} rows from {files:,} new or changed file(s), "
             f"{unchanged:,} unchanged",
             f"checks       {passed} of {len(checks)} passed"]
    kpi = settings.export_dir / "kpi.duckdb"
    try:
        with duckdb.connect(str(kpi), read_only=True) as con:
            found = con.execute(
                """SELECT projects_active, projects_red, projects_amber, projects_green,
                          portfolio_cpi, portfolio_spi FROM kpi_portfolio
                   WHERE department = 'ALL'""").fetchone()
    except duckdb.Error:
        found = None
    if found:
        active, red, amber, green, cpi, spi = found
        lines.append(f"portfolio    {active:,} active project(s): {red:,} red, {amber:,} amber, "
                     f"{green:,} green; CPI {_ratio(cpi)}, SPI {_ratio(spi)}")
    lines += [f"outputs      {settings.export_dir}"
              + (f" -> {release}" if release else "")
              + ": report.html, kpi.duckdb, <table>.parquet and .csv, data_dictionary.md, "
              "release.json",
              f"elapsed      {seconds:.1f} s"]
    return lines


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_run_summary(result: dg.ExecuteInProcessResult, settings: Settings,
                      seconds: float) -> None:
    print("summary:")
    for line in run_summary(result, settings, seconds):
        print(f"  {line}")


def print_summary(settings: Settings) -> None:
    """Headline KPIs, read from the published kpi.duckdb as any reader would."""
    import duckdb

    export_dir = settings.export_dir
    with duckdb.connect(str(export_dir / "kpi.duckdb"), read_only=True) as con:
        con.sql("""SELECT department, projects_active AS active, projects_red AS red,
                          projects_amber AS amber, projects_green AS green,
                          round(portfolio_cpi, 2) AS cpi, round(portfolio_spi, 2) AS spi,
                          round(pct_on_time_12m, 2) AS on_time_12m,
                          round(utilization_28d, 2) AS utilization_28d
                   FROM kpi_portfolio ORDER BY department = 'ALL', department""").show(
            max_width=200)
        # "red" in the table above counts active projects; finished ones can be red too
        # (late or over budget): the stage column says which is which
        print("Failing (red) projects, active first, and the primary driver found for each:")
        con.sql("""SELECT project_id, project_name, department,
                          CASE WHEN actual_end_date IS NULL THEN 'active'
                               ELSE 'finished ' || actual_end_date END AS stage,
                          round(cpi, 2) AS cpi, round(spi, 2) AS spi, primary_driver
                   FROM kpi_project
                   JOIN (SELECT DISTINCT project_id, primary_driver FROM rca_drivers
                         WHERE is_failing) USING (project_id)
                   ORDER BY actual_end_date IS NOT NULL, cpi NULLS LAST""").show(
            max_width=200, max_rows=15)
        tables = [t for (t,) in con.execute("SHOW TABLES").fetchall()]
    print(f"Published KPI tables ({', '.join(tables)}) in {export_dir}: "
          f"<table>.parquet, <table>.csv, kpi.duckdb, data_dictionary.md")
