"""The model factory: lineage read from SQL, dependency order, rebuild only what changed."""

from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.models import Model, build_if_changed, discover, read_upstream, set_params
from pipelines.ingest.raw_schema import ensure_raw_schema


def test_upstream_is_read_from_the_sql_not_from_ctes_or_bookkeeping():
    sql = """
        WITH tasks AS (SELECT * FROM staging.stg_tasks),
             done AS (SELECT * FROM tasks JOIN intermediate.int_calendar USING (day))
        SELECT * FROM done
        WHERE NOT EXISTS (SELECT 1 FROM raw._violations)
          AND project_id IN (SELECT project_id FROM raw.projects)"""
    assert read_upstream(sql) == ("intermediate.int_calendar", "raw.projects", "staging.stg_tasks")


def test_every_model_file_is_an_asset_with_its_sql_lineage():
    models = discover()
    assert set(models) == {f"{p.parent.name}.{p.stem}"
                           for p in Path("models").glob("*/*.sql")}
    graph = build_definitions().resolve_asset_graph()
    for table, model in models.items():
        key = dg.AssetKey(table.split("."))
        assert graph.get(key).parent_keys == {dg.AssetKey(u.split(".")) for u in model.upstream}
        assert graph.get(key).group_name == model.layer
    order = list(models)
    for table, model in models.items():  # dependency order
        assert all(order.index(u) < order.index(table) for u in model.upstream if u in models)


def test_model_is_rebuilt_only_when_its_inputs_change(con):
    ensure_raw_schema(con)
    con.execute("INSERT INTO raw._manifest VALUES ('holidays.csv', 'holidays', 'h1', 1, 1, 1, "
                "now(), 'loaded', NULL, NULL)")
    con.execute("CREATE SCHEMA staging")
    model = Model("m", "staging", Path("m.sql"),
                  "SELECT getvariable('as_of') AS d FROM raw.holidays", ("raw.holidays",))
    params = {"as_of": date(2026, 1, 1), "started_credit": 0.5}
    set_params(con, params)
    assert build_if_changed(con, model, params)[0] == 0
    assert build_if_changed(con, model, params)[0] is None  # same inputs: skipped
    assert build_if_changed(con, model, {**params, "started_credit": 0.0})[0] is None  # unused
    assert build_if_changed(con, model, {**params, "as_of": date(2026, 1, 2)})[0] == 0
    con.execute("UPDATE raw._manifest SET hash = 'h2'")  # the file changed
    assert build_if_changed(con, model, {**params, "as_of": date(2026, 1, 2)})[0] == 0
    con.execute("DROP TABLE staging.m")  # gone: rebuilt whatever the state says
    assert build_if_changed(con, model, {**params, "as_of": date(2026, 1, 2)})[0] == 0
