"""What a data engineer sees in the Dagster UI: descriptions, the SQL of each model and a link
to its file, the KPI tables' columns documented from schema.yml as column schemas, the input
contract's columns on the raw assets, row counts and the release's freshness."""

from datetime import timedelta

import dagster as dg

from pipelines.cli import main
from pipelines.defs import build_definitions
from pipelines.runner import instance
from pipelines.settings import Settings
from pipelines.transform.models import discover
from tests.landing import write_landing


def specs() -> dict[dg.AssetKey, dg.AssetSpec]:
    return {s.key: s for s in build_definitions(Settings()).resolve_all_asset_specs()}


def columns(schema: dg.TableSchema) -> dict[str, dg.TableColumn]:
    return {c.name: c for c in schema.columns}


def test_model_assets_show_their_sql_file_and_documented_columns():
    found = specs()
    kpi = found[dg.AssetKey(["marts", "kpi_project"])]
    model = discover()["marts.kpi_project"]
    assert kpi.metadata["sql"].value == f"```sql\n{model.sql.strip()}\n```"
    reference = kpi.metadata["dagster/code_references"].code_references[0]
    assert reference.file_path == str(model.path.resolve()) and reference.line_number == 1
    assert kpi.metadata["dagster/table_name"] == "warehouse.marts.kpi_project"
    cpi = columns(kpi.metadata["dagster/column_schema"])["cpi"]
    assert (cpi.type, cpi.description) == (
        "ratio", "Cost performance index (below 1 = over cost). Unit: ratio. "
                 "Formula: EV / AC; null when AC = 0")
    assert kpi.description.startswith("kpi_project: one row per project started on or before D")
    # every model shows its SQL; only the KPI tables (marts) have documented columns
    for table in discover():
        assert found[dg.AssetKey(table.split("."))].metadata["sql"].value.startswith(
            "```sql\n"), table
    assert "dagster/column_schema" not in found[dg.AssetKey(["staging", "stg_projects"])].metadata


def test_raw_assets_show_the_input_contract_and_the_release_a_freshness_policy():
    found = specs()
    hours = columns(found[dg.AssetKey(["raw", "timesheets"])].metadata["dagster/column_schema"])
    assert hours["hours"].type == "decimal" and hours["hours"].constraints.nullable is False
    assert "personal" in columns(found[dg.AssetKey(["raw", "employees"])].metadata[
        "dagster/column_schema"])["full_name"].description
    release = found[dg.AssetKey(["exports", "kpi_release"])]
    assert release.freshness_policy.fail_window.to_timedelta() == timedelta(hours=26)


def test_materializations_carry_row_counts_typed_columns_and_freshness(project, capfd):
    """tests/landing.py: 2 timesheet rows, 1 project (started 2026-01-05) as of 2026-01-20;
    the latest fact is the progress of T1 (completed 2026-01-16)."""
    write_landing(project / "data" / "raw")
    assert main(["run", "--as-of", "2026-01-20"]) == 0, capfd.readouterr()
    with instance(Settings.from_env()) as dagster:
        def latest(*path):
            event = dagster.get_latest_materialization_event(dg.AssetKey(list(path)))
            return event.asset_materialization.metadata

        assert latest("raw", "timesheets")["dagster/row_count"].value == 2
        assert latest("raw", "projects")["dagster/row_count"].value == 1
        kpi = latest("marts", "kpi_project")
        assert kpi["dagster/row_count"].value == 1
        typed = columns(kpi["dagster/column_schema"].schema)
        assert typed["cpi"].type == "DOUBLE" and typed["as_of"].type == "DATE"
        assert typed["cpi"].description.startswith("Cost performance index")
        release = latest("exports", "kpi_release")
        assert release["as_of"].value == "2026-01-20"
        assert release["freshness"].value["timesheets"]["latest"] == "2026-01-06"
        assert release["latest_fact"].value == "2026-01-16"
