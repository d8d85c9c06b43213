"""Run the whole graph in this process and tell the user, in plain words, what happened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.contract import ENTITIES
from pipelines.definitions import build_definitions
from pipelines.ingest.landing import unknown_files_message
from pipelines.settings import Paths


QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_everything(as_of: date) -> bool:
    """Materialize every asset once as of a day. True when everything passed."""
    job = build_definitions().resolve_job_def("pmo_run")
    result = job.execute_in_process(
        run_config=QUIET, instance=dg.DagsterInstance.get(),
        partition_key=as_of.isoformat(), raise_on_error=False)
    unread = unknown_files_message(Paths.from_env().raw_dir, list(ENTITIES))
    if unread:
        print(f"warning: {unread}")
    return report(result)


def backfill(first: date, last: date) -> bool:
    """Fill kpi_project_history for every day of [first, last] in one run, then publish."""
    job = build_definitions().resolve_job_def("pmo_run")
    result = job.execute_in_process(
        run_config=QUIET, instance=dg.DagsterInstance.get(), raise_on_error=False,
        asset_selection=[dg.AssetKey(["marts", "kpi_project_history"]),
                         dg.AssetKey(["exports", "kpi_release"])],
        tags={"dagster/asset_partition_range_start": first.isoformat(),
              "dagster/asset_partition_range_end": last.isoformat()})
    return report(result)


def report(result: dg.ExecuteInProcessResult) -> bool:
    """Print failed checks and steps in plain words. True when everything passed."""
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    failed_steps = [  # a blocked check already speaks for itself above
        e for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE
        and e.step_failure_data.error.cls_name != "DagsterAssetCheckFailedError"
    ]
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
    print(f"run ok: KPI tables published in {export_dir()} "
          f"(Parquet, CSV, kpi.duckdb, data_dictionary.md, report.html)")
    return True


def export_dir() -> Path:
    return Paths.from_env().export_dir


def print_summary() -> None:
    """Headline KPIs, read from the published kpi.duckdb as any reader would."""
    import duckdb

    path = f"{export_dir()}/kpi.duckdb"
    with duckdb.connect(path, read_only=True) as con:
        con.sql("""SELECT department, projects_active AS active, projects_red AS red,
                          projects_amber AS amber, projects_green AS green,
                          round(portfolio_cpi, 2) AS cpi, round(portfolio_spi, 2) AS spi,
                          round(pct_on_time_12m, 2) AS on_time_12m,
                          round(utilization_28d, 2) AS utilization_28d
                   FROM kpi_portfolio ORDER BY department = 'ALL', department""").show(
            max_width=200)
        print("Failing (red) projects and the primary driver found for each:")
        con.sql("""SELECT project_id, project_name, department, round(cpi, 2) AS cpi,
                          round(spi, 2) AS spi, primary_driver
                   FROM kpi_project
                   JOIN (SELECT DISTINCT project_id, primary_driver FROM rca_drivers
                         WHERE is_failing) USING (project_id)
                   ORDER BY cpi NULLS LAST""").show(max_width=200, max_rows=15)
        tables = [t for (t,) in con.execute("SHOW TABLES").fetchall()]
    print(f"Published KPI tables ({', '.join(tables)}) in {export_dir()}: "
          f"<table>.parquet, <table>.csv, kpi.duckdb, data_dictionary.md")
