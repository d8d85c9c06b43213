"""The data dictionary of the published KPI tables.

Columns and types come from the tables themselves (DuckDB), meaning, unit and formula from
`models/marts/schema.yml`. An exported column without a description is an error, so the docs
cannot drift from the tables; docs of tables or columns that do not exist are skipped.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from pipelines.checks.rules import column_rules
from pipelines.contract import ENTITIES
from pipelines.transform import models_dir

SCHEMA_YML = models_dir() / "marts" / "schema.yml"
COLUMN_KEYS = ("description", "unit", "formula")


class UndocumentedColumnsError(ValueError):
    """Exported tables or columns that schema.yml does not describe."""


def load_docs(path: Path = SCHEMA_YML) -> dict[str, dict]:
    """Table docs by name: description, grain and column docs by column name.

    `columns_like: <table>` inherits that table's column docs (kpi_project_history); the
    table's own `columns` add to or override them."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster
    models = {m["name"]: m for m in yaml.load(path.read_text(), Loader=loader)["models"]}
    docs = {}
    for name, model in models.items():
        like = model.get("columns_like")
        inherited = models[like].get("columns", []) if like else []
        columns = {}
        for column in [*inherited, *model.get("columns", [])]:
            # an unquoted comma in a YAML flow mapping silently splits a text into a new key
            odd = set(column) - {"name", *COLUMN_KEYS}
            if odd or not all(isinstance(column.get(k, ""), str) for k in COLUMN_KEYS):
                raise ValueError(f"{path}: {name}.{column.get('name')}: malformed entry {column!r} "
                                 "(quote texts that hold ': ' or ',')")
            columns[column["name"]] = column
        docs[name] = {"description": model.get("description", ""),
                      "grain": model.get("grain", ""), "columns": columns}
    return docs


def table_columns(con: duckdb.DuckDBPyConnection, table: str, schema: str = "marts",
                  database: str | None = None) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a table's columns, in table order."""
    return con.execute(
        """SELECT column_name, data_type FROM duckdb_columns()
           WHERE database_name = coalesce(?, current_database())
             AND schema_name = ? AND table_name = ?
           ORDER BY column_index""", [database, schema, table]).fetchall()


def data_dictionary(con: duckdb.DuckDBPyConnection, tables: list[str],
                    docs_path: Path = SCHEMA_YML) -> dict:
    """{"tables": {table: {description, grain, columns: [{name, type, description, unit?,
    formula?}]}}} for the `marts` tables given; raises UndocumentedColumnsError."""
    docs = load_docs(docs_path)
    result, missing = {}, []
    for table in tables:
        doc = docs.get(table, {"description": "", "grain": "", "columns": {}})
        if not doc["description"].strip():
            missing.append(f"{table} (table description)")
        columns = []
        for name, type_ in table_columns(con, table):
            column = doc["columns"].get(name, {})
            if not column.get("description", "").strip():
                missing.append(f"{table}.{name}")
            columns.append({"name": name, "type": type_,
                            **{k: column[k] for k in COLUMN_KEYS if column.get(k)}})
        result[table] = {"description": doc["description"], "grain": doc["grain"],
                         "columns": columns}
    if missing:
        raise UndocumentedColumnsError(
            f"not documented in {docs_path}: {', '.join(missing)}. Add a description (and a unit "
            "and formula where relevant) for each before publishing.")
    return {"tables": result, "inputs": input_contract()}


def input_contract() -> dict:
    """The landing-folder entities the KPIs come from, straight from contract.yaml: the same
    types and rule texts that ingest and the quality gate use."""
    return {e.name: {"description": e.description, "key": list(e.key), "required": e.required,
                     "columns": [{"name": c.name, "type": c.type, "description": c.description,
                                  "rules": column_rules(c), "personal": c.personal}
                                 for c in e.columns]}
            for e in ENTITIES.values()}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


CSV_AND_QUARANTINE = [
    "**CSV files and spreadsheet formulas.** A spreadsheet runs a cell that starts with a "
    "formula character. In the `.csv` files only, a text cell that starts with `=`, `+`, `-`, "
    "`@`, a tab or a carriage return is written with a leading `'` so that it shows as text; "
    "number columns are never guarded (a negative number stays a number). The `.parquet` "
    "files and `kpi.duckdb` hold every value unchanged.", "",
    "**CSV files for spreadsheets.** UTF-8 with a byte-order mark (Excel reads names with "
    "accents or other scripts right), a header row, dates as `YYYY-MM-DD`. Numbers are rounded "
    "in the `.csv` files only, by the unit below: money (`currency`) to cents with two "
    "decimals (`50343.70`), ratios and fractions to 4 decimals, hours and days to 2. With "
    "`PMO_CSV_DIALECT=excel-eu` fields are separated by `;` and decimals written with a comma "
    "(`50343,70`). Use the `.parquet` files or `kpi.duckdb` for full precision.", "",
    "**Quarantine.** When rows of the input broke a rule but were within "
    "`PMO_MAX_BAD_ROW_SHARE` and left out of the KPIs, `quarantine.parquet` and "
    "`quarantine.csv` list them, one row per row and rule: `entity`, `file` (path in the "
    "landing folder), `line` (line or row as an editor or spreadsheet shows it), `key` (the "
    "row's key values joined with `|`), `column`, `rule`. They carry no values, so no personal "
    "data; `release.json` counts them per entity and rule under `quarantine`.", ""]


def render_markdown(dictionary: dict) -> str:
    """The dictionary for a person: one section per table, one row per column."""
    head = ["# KPI data dictionary", ""]
    if "as_of" in dictionary:
        head += [f"As of {dictionary['as_of']}, release `{dictionary.get('release', '')}`. "
                 "Ratios are fractions (0.85, not 85); money is in the budget's currency; "
                 "null means not defined, never zero.", ""]
    lines = head + CSV_AND_QUARANTINE
    for table, doc in dictionary["tables"].items():
        lines += [f"## {table}", "", _cell(doc["description"]), "",
                  f"Grain: {_cell(doc['grain'])}", "",
                  "| column | type | unit | meaning | formula |", "|---|---|---|---|---|"]
        lines += [f"| `{c['name']}` | {c['type']} | {_cell(c.get('unit', ''))} | "
                  f"{_cell(c['description'])} | {_cell(c.get('formula', ''))} |"
                  for c in doc["columns"]]
        lines.append("")
    lines += ["# Input contract", "", "What the landing folder delivers (`<entity>.csv` or "
              "`<entity>/*.csv`, also .csv.gz, .parquet, .xlsx), checked before any KPI is "
              "computed. Personal columns never leave the warehouse.", ""]
    for entity, doc in dictionary.get("inputs", {}).items():
        lines += [f"## {entity}", "", f"{_cell(doc['description'])} Key: "
                  f"{', '.join(doc['key'])}; {'required' if doc['required'] else 'optional'}.",
                  "", "| column | type | rules | meaning |", "|---|---|---|---|"]
        lines += [f"| `{c['name']}`{' (personal)' if c['personal'] else ''} | {c['type']} | "
                  f"{_cell('; '.join(c['rules']))} | {_cell(c['description'])} |"
                  for c in doc["columns"]]
        lines.append("")
    return "\n".join(lines)
