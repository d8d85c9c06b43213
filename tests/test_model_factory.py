"""The model factory: lineage read from SQL, dependency order, rebuild only what changed."""

from datetime import date
from pathlib import Path

import dagster as dg

import pipelines.transform.models as models
from pipelines.defs import build_definitions
from pipelines.ingest.raw_schema import ensure_raw_schema
from pipelines.settings import Settings
from pipelines.transform.models import Model, build_models, discover, read_upstream


def test_upstream_is_read_from_the_sql_not_from_ctes_or_bookkeeping():
    sql = """
        WITH tasks AS (SELECT * FROM staging.stg_tasks),
             done AS (SELECT * FROM tasks JOIN intermediate.int_calendar USING (day))
        SELECT * FROM done
        WHERE NOT EXISTS (SELECT 1 FROM raw._violations)
          AND project_id IN (SELECT project_id FROM raw.projects_current)"""
    assert read_upstream(sql) == ("intermediate.int_calendar", "raw.projects", "staging.stg_tasks")


def test_every_model_file_is_an_asset_with_its_sql_lineage():
    models = discover()
    assert set(models) == {f"{p.parent.name}.{p.stem}"
                           for p in Path("models").glob("*/*.sql")}
    graph = build_definitions(Settings()).resolve_asset_graph()
    for table, model in models.items():
        key = dg.AssetKey(table.split("."))
        assert graph.get(key).parent_keys == {dg.AssetKey(u.split(".")) for u in model.upstream}
        assert graph.get(key).group_name == model.layer
    order = list(models)
    for table, model in models.items():  # dependency order
        assert all(order.index(u) < order.index(table) for u in model.upstream if u in models)


def test_model_is_rebuilt_only_when_its_inputs_change(con, monkeypatch):
    ensure_raw_schema(con)
    con.execute("INSERT INTO state.files VALUES ('holidays.csv', 'holidays', 'h1', 1, 1, 1, "
                "now(), 'loaded', NULL, NULL, NULL)")
    model = Model("m", "staging", Path("m.sql"),
                  "SELECT getvariable('as_of') AS d FROM raw.holidays", ("raw.holidays",))
    monkeypatch.setattr(models, "discover", lambda: {"staging.m": model})
    params = {"as_of": date(2026, 1, 1), "started_credit": 0.5}

    def rows(**changed):
        return [b.rows for b in build_models(con, {**params, **changed}, only_changed=True)]

    assert rows() == [0]
    assert rows() == [None]  # same inputs: skipped
    assert rows(started_credit=0.0) == [None]  # a parameter it does not read
    assert rows(as_of=date(2026, 1, 2)) == [0]
    con.execute("UPDATE state.files SET hash = 'h2'")  # the file changed
    assert rows(as_of=date(2026, 1, 2)) == [0]
    con.execute("DROP TABLE staging.m")  # gone: rebuilt whatever the state says
    assert rows(as_of=date(2026, 1, 2)) == [0]


def test_a_model_out_of_memory_is_named_and_rolled_back(tmp_path, monkeypatch):
    """A model that does not fit in the memory limit raises OutOfMemory naming it, after a
    ROLLBACK: the connection stays usable and the model's bookkeeping is not written (before,
    the next statement failed with DuckDB's 'please ROLLBACK' and hid which model it was)."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(con)
    big = Model("int_too_big", "intermediate", tmp_path / "int_too_big.sql",
                "SELECT range AS n, repeat('x', 100) AS pad FROM range(3000000) ORDER BY n DESC",
                ())
    monkeypatch.setattr(models, "discover", lambda: {big.table: big})
    con.execute("SET memory_limit = '20MB'")
    con.execute("SET temp_directory = ''")  # nowhere to spill: the sort must fail
    try:
        list(build_models(con, {"as_of": date(2026, 1, 20)}, only_changed=True))
    except models.OutOfMemory as error:
        assert error.table == "intermediate.int_too_big"
    else:
        raise AssertionError("the model fitted: make it bigger")
    assert con.execute("SELECT count(*) FROM state.models").fetchone()[0] == 0
