"""Rules over sets of rows, as DuckDB SQL: keys, references, regexes, totals, conditions.

Each rule is a SELECT of the offending rows of `raw.<entity>` as
(_file, _row, column, value); `evaluate_set_rules` stores them in `raw._violations`.
"""

from __future__ import annotations

import duckdb

from pipelines.checks import rules
from pipelines.contract import ENTITIES, Entity


def _current(entity: Entity) -> str:
    """The rows that staging will keep: per key, the one from the file sorting last."""
    key = ", ".join(f'"{k}"' for k in entity.key)
    return f"""(SELECT * FROM raw.{entity.name}
               QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _file DESC, _row DESC) = 1)"""


def _key_within_file(entity: Entity) -> tuple[str, str]:
    key = ", ".join(f'"{k}"' for k in entity.key)
    return f"unique key ({', '.join(entity.key)}) within a file", f"""
        SELECT _file, _row, '{entity.key[0]}', CAST("{entity.key[0]}" AS VARCHAR) FROM raw.{entity.name}
        QUALIFY row_number() OVER (PARTITION BY _file, {key} ORDER BY _row) > 1"""


NAMED_RULES = {
    "hours_per_employee_day": ("hours of one employee on one date sum to <= 24", """
        SELECT _file, _row, 'hours', format('{} h on {} in all', total, work_date) FROM (
            SELECT *, sum(hours) OVER (PARTITION BY employee_id, work_date) AS total
            FROM {current}) WHERE total > 24"""),
    "done_requires_completed_on": ("status done requires completed_on", """
        SELECT _file, _row, 'completed_on', NULL FROM raw.tasks
        WHERE status = 'done' AND completed_on IS NULL"""),
}


def set_rules(entity: Entity) -> list[tuple[str, str]]:
    """(rule text, SELECT of offending rows) for every set-level rule of the entity."""
    found = [_key_within_file(entity)]
    for col in entity.columns:
        if col.regex:
            found.append((rules.regex_rule(col), f"""
                SELECT _file, _row, '{col.name}', "{col.name}" FROM raw.{entity.name}
                WHERE NOT regexp_full_match("{col.name}", '{col.regex}')"""))
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


def evaluate_set_rules(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """Replace the entity's set-level findings with a fresh evaluation."""
    key = " || '|' || ".join(f'CAST(r."{k}" AS VARCHAR)' for k in entity.key)
    con.execute("DELETE FROM raw._violations WHERE entity = ? AND kind = 'set'", [entity.name])
    for rule, offending in set_rules(entity):
        con.execute(f"""
            INSERT INTO raw._violations
            SELECT '{entity.name}', r._file, r._row, {key}, bad.col, bad.value, ?, 'set'
            FROM ({offending}) AS bad(_file, _row, col, value)
            JOIN raw.{entity.name} AS r USING (_file, _row)""", [rule])


def referenced_entities(entity: Entity) -> list[str]:
    """Entities whose rows this entity's rules read (for lineage of the checks)."""
    found = {c.references.split(".")[0] for c in entity.columns if c.references}
    return sorted(found - {entity.name} & set(ENTITIES))
