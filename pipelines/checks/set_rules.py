"""Rules across files, as DuckDB SQL: references, totals over current rows, conditions.

Each rule is a SELECT of the offending rows of `raw.<entity>` as
(_file, _row, column, value); `evaluate_set_rules` stores them in `raw._violations`.
"""

from __future__ import annotations

import duckdb

from pipelines.checks import rules
from pipelines.contract import ENTITIES, Entity
from pipelines.ingest.raw_schema import files_fingerprint


def _keys(entity: Entity) -> str:
    return ", ".join(f'"{k}"' for k in entity.key)


def _current(entity: Entity) -> str:
    """The rows staging will keep: per key, the one from the file sorting last. Only keys
    delivered more than once need ranking, which keeps millions of timesheet rows cheap."""
    table, keys = f"raw.{entity.name}", _keys(entity)
    return f"""(WITH repeated AS (SELECT {keys} FROM {table} GROUP BY ALL HAVING count(*) > 1)
        SELECT * FROM {table} ANTI JOIN repeated USING ({keys})
        UNION ALL
        SELECT * FROM (SELECT * FROM {table} SEMI JOIN repeated USING ({keys})
            QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _file DESC, _row DESC) = 1))"""


NAMED_RULES = {
    "hours_per_employee_day": ("hours of one employee on one date sum to <= 24", """
        WITH current AS {current},
        too_many AS (SELECT employee_id, work_date, sum(hours) AS total FROM current
                     GROUP BY ALL HAVING sum(hours) > 24)
        SELECT _file, _row, 'hours', format('{} h on {} in all', total, work_date)
        FROM current JOIN too_many USING (employee_id, work_date)"""),
    "done_requires_completed_on": ("status done requires completed_on", """
        SELECT _file, _row, 'completed_on', NULL FROM raw.tasks
        WHERE status = 'done' AND completed_on IS NULL"""),
}


def set_rules(entity: Entity) -> list[tuple[str, str]]:
    """(rule text, SELECT of offending rows) for every set-level rule of the entity."""
    found = []
    for col in entity.columns:
        if col.references:
            target, target_col = col.references.split(".")
            found.append((rules.reference_rule(col), f"""
                SELECT _file, _row, '{col.name}', "{col.name}" FROM raw.{entity.name} AS r
                WHERE "{col.name}" IS NOT NULL AND "{col.name}" NOT IN
                    (SELECT "{target_col}" FROM raw.{target} WHERE "{target_col}" IS NOT NULL)"""))
    for name in entity.rules:
        text, sql = NAMED_RULES[name]
        found.append((text, sql.replace("{current}", _current(entity))))
    return found


STATE_DDL = """CREATE TABLE IF NOT EXISTS raw._set_rule_state (
    entity VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL)"""


def evaluate_set_rules(con: duckdb.DuckDBPyConnection, entity: Entity) -> bool:
    """Replace the entity's set-level findings with a fresh evaluation, unless no file of the
    entity or of those it references changed since the last one. True when evaluated."""
    con.execute(STATE_DDL)
    current = files_fingerprint(con, [entity.name, *referenced_entities(entity)])
    stored = con.execute("SELECT fingerprint FROM raw._set_rule_state WHERE entity = ?",
                         [entity.name]).fetchone()
    if stored and stored[0] == current:
        return False
    key = rules.key_sql(entity)
    con.execute("DELETE FROM raw._violations WHERE entity = ? AND kind = 'set'", [entity.name])
    for rule, offending in set_rules(entity):
        con.execute(f"""
            INSERT INTO raw._violations
            SELECT '{entity.name}', r._file, r._row, {key}, bad.col, bad.value, ?, 'set'
            FROM ({offending}) AS bad(_file, _row, col, value)
            JOIN raw.{entity.name} AS r USING (_file, _row)""", [rule])
    con.execute("INSERT OR REPLACE INTO raw._set_rule_state VALUES (?, ?)", [entity.name, current])
    return True


def referenced_entities(entity: Entity) -> list[str]:
    """Entities whose rows this entity's rules read (for lineage of the checks)."""
    found = {c.references.split(".")[0] for c in entity.columns if c.references}
    return sorted(found - {entity.name} & set(ENTITIES))
