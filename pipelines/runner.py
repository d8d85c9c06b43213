"""Run the whole graph in this process and tell the user, in plain words, what happened."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from pipelines.definitions import build_definitions


QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_everything(as_of: date) -> bool:
    """Materialize every asset once as of a day. True when everything passed."""
    job = build_definitions().resolve_job_def("pmo_run")
    result = job.execute_in_process(
        run_config=QUIET, instance=dg.DagsterInstance.get(),
        partition_key=as_of.isoformat(), raise_on_error=False)
    return report(result)


def backfill(first: date, last: date) -> bool:
    """Fill kpi_project_history for every day of [first, last] in one run."""
    job = build_definitions().resolve_job_def("pmo_run")
    result = job.execute_in_process(
        run_config=QUIET, instance=dg.DagsterInstance.get(), raise_on_error=False,
        asset_selection=[dg.AssetKey(["marts", "kpi_project_history"])],
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
    print(f"run ok: warehouse {os.environ.get('PMO_WAREHOUSE', 'data/warehouse.duckdb')}")
    return True


def print_summary() -> None:
    """A few headline KPIs, read back from the warehouse after the run."""
    import duckdb

    path = os.environ.get("PMO_WAREHOUSE", "data/warehouse.duckdb")
    with duckdb.connect(path, read_only=True) as con:
        tables = {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()}
        if "kpi_project" in tables:
            print(con.sql("""SELECT health, count(*) AS projects, round(avg(cpi), 3) AS avg_cpi,
                                    round(avg(spi), 3) AS avg_spi
                             FROM marts.kpi_project GROUP BY health ORDER BY health"""))
        print(f"KPI tables in {path} (schema marts): {', '.join(sorted(tables)) or 'none yet'}")
