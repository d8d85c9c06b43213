"""Row-level rules of the contract as Great Expectations suites, run inside DuckDB.

GX validates a view of the rows that arrived since the last validation (row_rules.py),
through the pipeline's own DuckDB connection (one writer per file). The failing rows never travel to
Python: each failed expectation hands back the SQL that selects them, and DuckDB copies
them into `state.violations`. GX is imported here only, and only when rows need checking.
"""

from __future__ import annotations

import threading
from functools import cache

import duckdb

from pipelines import state
from pipelines.checks import rules
from pipelines.contract import Entity
from pipelines.sql import ident, literal, shown

ROW_ID = ["_file", "_row"]
_importing = threading.Lock()


def warm_up() -> None:
    """Import GX in the background (about 4 s of Python) while ingest reads files.

    SQLAlchemy's ORM is imported here first, in the calling thread: GX imports it, and while
    a thread is half-way through that import, `sqlalchemy.orm.base` has already hooked itself
    into `sqlalchemy.inspect`, which Dagster's event log calls in the main thread; that call
    then met a half-initialised `sqlalchemy.orm.exc` and failed the step with an
    AttributeError instead of the file's message (0.35 s, paid only by runs that read files)."""
    import sqlalchemy.orm  # noqa: F401 - imported whole before any other thread imports it

    threading.Thread(target=_gx, name="import-great-expectations", daemon=True).start()


def _gx():
    with _importing:  # one import and one context, whichever thread asks first
        return _load_gx()


@cache
def _load_gx():
    """Import GX once, and buffer query results before GX closes its SQLAlchemy connection.

    GX 1.24 reads results after closing the connection, and duckdb-engine drops pending rows
    on close (great_expectations issue 11579), so every expectation fails without this.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    execute = SqlAlchemyExecutionEngine._execute_query_with_recovery

    def buffered(connection, query):
        result = execute(connection, query)
        return result.freeze()() if result.returns_rows else result

    SqlAlchemyExecutionEngine._execute_query_with_recovery = staticmethod(buffered)
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults)

    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(), analytics_enabled=False))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def suite(entity: Entity) -> list:
    """An expectation per row-level rule; `meta` carries the rule and the value to report
    (masked for a personal column, cut short otherwise: it ends up in messages and logs)."""
    gx, _ = _gx()
    E = gx.expectations
    found = []

    def add(expectation_type, col, rule: str, value: str, **kwargs):
        found.append(expectation_type(
            meta={"rule": rule, "column": col.name, "value_sql": value}, **kwargs))

    for col in entity.columns:
        value = shown(ident(col.name), col.personal)
        if col.required:
            add(E.ExpectColumnValuesToNotBeNull, col, rules.required_rule(col), "NULL",
                column=col.name)
        if col.allowed:
            add(E.ExpectColumnValuesToBeInSet, col, rules.allowed_rule(col), value,
                column=col.name, value_set=list(col.allowed))
        if rules.bounds_rule(col):
            low = col.gt if col.gt is not None else col.min
            add(E.ExpectColumnValuesToBeBetween, col, rules.bounds_rule(col), value,
                column=col.name, min_value=low, max_value=col.max, strict_min=col.gt is not None)
        if col.gte_column:
            add(E.ExpectColumnPairValuesAToBeGreaterThanB, col, rules.gte_rule(col),
                f"{value} || {literal(' < ' + col.gte_column + ' ')} || "
                f"{shown(ident(col.gte_column), entity.column(col.gte_column).personal)}",
                column_A=col.name, column_B=col.gte_column, or_equal=True,
                ignore_row_if="either_value_is_missing")
    return found


def run_suite(con: duckdb.DuckDBPyConnection, entity: Entity, view: str) -> None:
    """Validate the rows of `main.<view>`; failing rows go to state.violations."""
    import duckdb_engine

    gx, context = _gx()
    source = context.data_sources.add_or_update_sql(
        name="warehouse", connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: duckdb_engine.ConnectionWrapper(con.cursor())})
    asset = source.add_table_asset(name=view, table_name=view)
    result = asset.add_batch_definition_whole_table("rows").get_batch().validate(
        gx.ExpectationSuite(name=entity.name, expectations=suite(entity)),
        result_format={"result_format": "SUMMARY", "unexpected_index_column_names": ROW_ID,
                       "return_unexpected_index_query": True, "partial_unexpected_count": 0})
    for outcome in result.results:  # not in suite order: the rule travels in `meta`
        meta = outcome.expectation_config.meta
        rule = meta["rule"]
        error = outcome.exception_info.get("exception_message")
        if error:
            raise RuntimeError(f"GX could not evaluate '{rule}' on {entity.name}: {error}")
        if outcome.success:
            continue
        failing = outcome.result["unexpected_index_query"].strip().rstrip(";")
        offending = f"""SELECT r._file, r._row, {literal(meta["column"])}, {meta["value_sql"]}
                        FROM main.{view} AS r SEMI JOIN ({failing}) AS bad USING (_file, _row)"""
        state.add_violations(con, entity.name, "row", rule, offending, f"main.{view}",
                             rules.key_sql(entity))
