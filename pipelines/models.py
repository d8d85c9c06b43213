"""The layered SQL models in `models/`: discovery, lineage read from the SQL, execution.

A model is one file `models/<layer>/<name>.sql` holding one SELECT. It becomes the table
`<layer>.<name>`; its upstream tables are the `schema.table` names its SQL reads.
Parameters (as-of date, thresholds) are DuckDB variables read with `getvariable('name')`.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
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
        f"{t.db}.{t.name}"
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


def build(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    """(Re)create the model's table; returns its row count."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
    con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
    return con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]


def build_all(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> dict[str, int]:
    """Build every model in dependency order (tests and notebooks; Dagster runs them as assets)."""
    set_params(con, params)
    return {table: build(con, model) for table, model in discover().items()}
