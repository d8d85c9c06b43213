"""The layered SQL models in `models/`: discovery, lineage read from the SQL, the one builder.

A model is one file `models/<layer>/<name>.sql` holding one SELECT. It becomes the table
`<layer>.<name>`; its upstream tables are the `schema.table` names its SQL reads (`raw.<entity>`
for `raw.<entity>_current`). Parameters (as-of date, thresholds) are DuckDB variables read
with `getvariable('name')`. `build_models` serves the run (only what changed), the history
(as of other days, in a scratch catalog) and the benchmark floor (everything, no bookkeeping).
"""

from __future__ import annotations

import graphlib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Iterable, Iterator
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pipelines import state
from pipelines.ingest.raw_schema import CURRENT_SUFFIX, snapshots_in_effect
from pipelines.sql import ident
from pipelines.transform import models_dir
from pipelines.transform.increment import SPINE, TAILED, Increment
from pipelines.transform.staging_append import record_built, try_append

MODELS_DIR = models_dir()
LAYERS = ("staging", "intermediate", "marts")
SOURCE_SCHEMAS = ("raw", *LAYERS)


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path
    sql: str
    upstream: tuple[str, ...]  # "schema.table" names

    @property
    def table(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def params(self) -> tuple[str, ...]:
        """The run parameters the SQL reads."""
        return tuple(sorted(set(re.findall(r"getvariable\('(\w+)'\)", self.sql))))

    @property
    def description(self) -> str:
        """The leading `--` comment block of the file."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line.removeprefix("--").strip())
        return "\n".join(lines).strip()


def read_upstream(sql: str) -> tuple[str, ...]:
    """Tables in our schemas that a SELECT reads (CTE names are not tables).

    `raw._*` tables (manifest, violations) are the raw layer's own bookkeeping, not assets.
    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = {
        f"{t.db}.{t.name.removesuffix(CURRENT_SUFFIX) if t.db == 'raw' else t.name}"
        for t in tree.find_all(exp.Table)
        if t.db in SOURCE_SCHEMAS and t.name not in ctes and not t.name.startswith("_")
    }
    return tuple(sorted(found))


@cache
def discover(models_dir: Path = MODELS_DIR) -> dict[str, Model]:
    """Every model file, keyed by table name, in dependency order."""
    models = {}
    for layer in LAYERS:
        for path in sorted((models_dir / layer).glob("*.sql")):
            sql = path.read_text()
            model = Model(path.stem, layer, path, sql, read_upstream(sql))
            models[model.table] = model
    graph = {t: [u for u in m.upstream if u in models] for t, m in models.items()}
    return {t: models[t] for t in graphlib.TopologicalSorter(graph).static_order()}


def set_params(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> None:
    """Expose run parameters to the SQL as DuckDB variables."""
    for name, value in params.items():
        literal = f"DATE '{value.isoformat()}'" if isinstance(value, date) else "?"
        args = [] if isinstance(value, date) else [value]
        con.execute(f"SET VARIABLE {name} = {literal}", args)


def _build(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    """(Re)create the model's table in the catalog in use; returns its row count."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
    # Staging reads raw tables, whose row order is the order files were ingested in: sorted
    # here, every later model reads the same rows in the same order (and, on one thread, adds
    # them up in it), so the same data gives the same last bit however it was ingested.
    select = (f"SELECT * FROM (\n{model.sql}\n) ORDER BY ALL" if model.layer == "staging"
              else model.sql)
    con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{select}")
    return con.execute(f"SELECT count(*) FROM {model.table}").fetchall()[0][0]


def raw_fingerprint(con: duckdb.DuckDBPyConnection, entity: str) -> str:
    """The delivered files (by content hash), the quarantined rows of an entity, and the status
    snapshots of tool exports in effect as of the run's date (DuckDB variable `as_of`): a
    table built on exports is rebuilt when D passes a status date, one without dated rows
    (canonical timesheets, millions of rows) never for a move of D alone."""
    bad = state.violations_fingerprint(con, entity)
    snapshots = snapshots_in_effect(con, [entity])
    return hashlib.sha256(
        f"{state.files_fingerprint(con, [entity])}|{bad}|{snapshots}".encode()).hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection, model: Model, params: dict[str, object],
                built: dict[str, str]) -> str:
    """SQL, the parameters it reads and what its upstream tables were built from."""
    upstream = [
        raw_fingerprint(con, t.split(".")[1]) if t.startswith("raw.") else built.get(t, "")
        for t in model.upstream
    ]
    used = {name: str(params[name]) for name in model.params}
    return hashlib.sha256(json.dumps([model.sql, used, upstream]).encode()).hexdigest()


class OutOfMemory(Exception):
    """A model did not fit in the connection's memory limit (DuckDB spills most work to disk,
    but not every operator can)."""

    def __init__(self, table: str):
        super().__init__(table)
        self.table = table


@dataclass(frozen=True)
class Built:
    table: str
    rows: int | None  # None: skipped, its inputs had not changed
    fingerprint: str | None


def build_models(con: duckdb.DuckDBPyConnection, params: dict[str, object], *,
                 tables: Iterable[str] | None = None, only_changed: bool = False,
                 catalog: str | None = None) -> Iterator[Built]:
    """Build the models (all, or `tables`) in dependency order as of params["as_of"].

    only_changed: skip a model whose table exists from the same SQL, parameters and upstream,
    and record what each was built from in `state.models`. catalog: build into that attached
    catalog instead of the warehouse (as `USE catalog`), with no bookkeeping.
    """
    wanted = set(tables) if tables is not None else None
    set_params(con, params)
    home = con.execute("SELECT current_database()").fetchone()[0]
    built = state.built_fingerprints(con) if only_changed else {}
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    # One thread: every sum of doubles then adds its rows in one fixed order, so the same
    # inputs give the same last bit (parallel aggregation adds partial sums in whatever order
    # the threads finish). Measured on the demo data: 3.6-4.2 s one thread, 5.0-5.6 s two.
    con.execute("SET threads = 1")
    if catalog:
        con.execute(f"USE {ident(catalog)}")
    # the day models only update the days their inputs touched (transform/increment.py)
    increment = Increment(con, discover(), params) if only_changed and not catalog else None
    try:
        for table, model in build_order(discover()):
            if wanted is not None and table not in wanted:
                continue
            if not only_changed:
                yield Built(table, _build(con, model), None)
                continue
            current = fingerprint(con, model, params, built)
            if built.get(table) == current and _exists(con, model):
                if increment and table in TAILED:
                    increment.up_to_date(table)
                yield Built(table, None, current)
                continue
            tail = False
            if increment and table in TAILED:
                try:
                    tail = increment.prepare(model, exists=_exists(con, model))
                except duckdb.OutOfMemoryException as error:
                    raise OutOfMemory(table) from error
            con.execute("BEGIN TRANSACTION")
            try:
                if tail:
                    rows = increment.splice(model)
                elif model.layer == "staging":  # new files' rows appended when that is exact
                    rows = try_append(con, model) if _exists(con, model) else None
                    if rows is None:
                        rows = _build(con, model)
                    record_built(con, model)
                else:
                    rows = _build(con, model)
                state.store_fingerprint(con, "models", table, current)
                con.execute("COMMIT")
            except BaseException as error:
                # at once: any later statement (even the SET below) would fail on the aborted
                # transaction and hide this error behind DuckDB's "please ROLLBACK"
                con.execute("ROLLBACK")
                if isinstance(error, duckdb.OutOfMemoryException):
                    raise OutOfMemory(table) from error
                raise
            finally:
                if tail:
                    increment.release()
            built[table] = current
            yield Built(table, rows, current)
        if increment:
            increment.finish()
    finally:
        if catalog:
            con.execute(f"USE {ident(home)}")
        con.execute(f"SET threads = {int(threads)}")


def build_order(models: dict[str, Model]) -> list[tuple[str, Model]]:
    """Dependency order, with the history's day spine and everything built on it last: the
    inputs the increment digests are all built when the first day model is reached."""
    late = {SPINE, *TAILED}
    for table, model in models.items():  # dependency order: upstream first
        if late.intersection(model.upstream):
            late.add(table)
    return ([(t, m) for t, m in models.items() if t not in late]
            + [(t, m) for t, m in models.items() if t in late])


def _exists(con: duckdb.DuckDBPyConnection, model: Model) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                       "current_database() AND schema_name = ? AND table_name = ?",
                       [model.layer, model.name]).fetchone()[0] > 0


def build_all(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> dict[str, int]:
    """Every model, rebuilt (tests, the benchmark floor, notebooks' scratch warehouses)."""
    return {b.table: b.rows for b in build_models(con, params)}
