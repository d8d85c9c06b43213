"""The layered SQL models in `models/`: discovery, lineage read from the SQL, execution.

A model is one file `models/<layer>/<name>.sql` holding one SELECT. It becomes the table
`<layer>.<name>`; its upstream tables are the `schema.table` names its SQL reads.
Parameters (as-of date, thresholds) are DuckDB variables read with `getvariable('name')`.
"""

from __future__ import annotations

import graphlib
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from pipelines.ingest.raw_schema import files_fingerprint

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
    return con.execute(f"SELECT count(*) FROM {model.table}").fetchall()[0][0]


# What each table was last built from, so that an unchanged model is not rebuilt.
STATE_DDL = """CREATE TABLE IF NOT EXISTS main._model_state (
    table_name VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, built_at TIMESTAMP)"""


def raw_fingerprint(con: duckdb.DuckDBPyConnection, entity: str) -> str:
    """The delivered files (by content hash) and the quarantined rows of an entity."""
    bad = con.execute("""SELECT md5(string_agg(_file || ':' || _row, ',' ORDER BY _file, _row))
                         FROM raw._violations WHERE entity = ?""", [entity]).fetchone()[0]
    return hashlib.sha256(f"{files_fingerprint(con, [entity])}|{bad}".encode()).hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection, model: Model, params: dict[str, object]) -> str:
    """SQL, the parameters it reads and what its upstream tables were built from."""
    con.execute(STATE_DDL)
    built = dict(con.execute("SELECT table_name, fingerprint FROM main._model_state").fetchall())
    upstream = [
        raw_fingerprint(con, t.split(".")[1]) if t.startswith("raw.") else built.get(t, "")
        for t in model.upstream
    ]
    used = {name: str(params[name]) for name in model.params}
    return hashlib.sha256(json.dumps([model.sql, used, upstream]).encode()).hexdigest()


def build_if_changed(con: duckdb.DuckDBPyConnection, model: Model, params: dict[str, object]
                     ) -> tuple[int | None, str]:
    """Build unless the table exists from the same inputs. (rows or None if skipped, fingerprint)."""
    current = fingerprint(con, model, params)
    stored = con.execute("SELECT fingerprint FROM main._model_state WHERE table_name = ?",
                         [model.table]).fetchone()
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND "
                         "table_name = ?", [model.layer, model.name]).fetchone()[0]
    if stored and stored[0] == current and exists:
        return None, current
    con.execute("BEGIN TRANSACTION")
    rows = build(con, model)
    con.execute("INSERT OR REPLACE INTO main._model_state VALUES (?, ?, now())",
                [model.table, current])
    con.execute("COMMIT")
    return rows, current


def build_all(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> dict[str, int]:
    """Build every model in dependency order (tests and notebooks; Dagster runs them as assets)."""
    set_params(con, params)
    return {table: build(con, model) for table, model in discover().items()}
