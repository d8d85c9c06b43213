"""Rules across files, as DuckDB SQL: references, totals over current rows, conditions.

They judge the rows that count (`raw_schema.current_rows_sql`, the same definition staging
reads) with only the rows that broke a row rule left out, so a row quarantined for its own
fault never makes a valid neighbour fail. Each rule is a SELECT of the offending rows as
(_file, _row, column, value); `evaluate_set_rules` stores them in `state.violations`.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines import state
from pipelines.checks import rules
from pipelines.contract import ENTITIES, Entity
from pipelines.ingest.raw_schema import current_rows_sql, snapshots_in_effect
from pipelines.sql import ident, literal

NAMED_RULES = {
    "hours_per_employee_day": ("hours of one employee on one date sum to <= 24", """
        SELECT _file, _row, 'hours', format('{} h on {} in all', total, work_date)
        FROM judged JOIN (SELECT employee_id, work_date, sum(hours) AS total FROM judged
                          GROUP BY ALL HAVING sum(hours) > 24) AS too_many
        USING (employee_id, work_date)"""),
    "done_requires_completed_on": ("status done requires completed_on", """
        SELECT _file, _row, 'completed_on', NULL FROM judged
        WHERE status = 'done' AND completed_on IS NULL"""),
}


DateWindow = tuple[date, date]


def window_rule(column: str, window: DateWindow) -> str:
    return f"{column} within the plausible dates {window[0]} to {window[1]}"


def set_rules(entity: Entity, window: DateWindow | None = None) -> list[tuple[str, str]]:
    """(rule text, SELECT of offending rows of `judged`) for every set-level rule.

    window: the plausible dates (Settings.date_window of the run's as-of date); every date
    column of the contract must lie within it. It is a set rule because it depends on the
    run, not on the file alone: a new window re-judges every row."""
    found = []
    if window is not None:
        for col in entity.columns:
            if col.type == "date":
                found.append((window_rule(col.name, window), f"""
                    SELECT _file, _row, {literal(col.name)}, {ident(col.name)}::VARCHAR
                    FROM judged
                    WHERE {ident(col.name)} NOT BETWEEN {literal(window[0].isoformat())}::DATE
                        AND {literal(window[1].isoformat())}::DATE"""))
    for col in entity.columns:
        if col.references:
            target, target_col = col.references.split(".")
            # The target's rows as of the run's date: a row of an export dated later, or of a
            # snapshot its schedule's latest has replaced, is not there to refer to. Rows that
            # break a rule still are: their own entity reports them.
            targets = current_rows_sql(ENTITIES[target], excluded=())
            found.append((rules.reference_rule(col), f"""
                SELECT _file, _row, {literal(col.name)}, {ident(col.name)} FROM judged
                WHERE {ident(col.name)} IS NOT NULL AND {ident(col.name)} NOT IN
                    (SELECT {ident(target_col)} FROM ({targets})
                     WHERE {ident(target_col)} IS NOT NULL)"""))
    found += [NAMED_RULES[name] for name in entity.rules]
    return found


def evaluate_set_rules(con: duckdb.DuckDBPyConnection, entity: Entity,
                       window: DateWindow | None = None) -> bool:
    """Replace the entity's set-level findings with a fresh evaluation, unless no file of the
    entity or of those it references changed since the last one, nor the date window, nor the
    status snapshots in effect as of the run's date (DuckDB variable `as_of`: moving D past a
    status date changes the rows judged). True when evaluated."""
    read = [entity.name, *referenced_entities(entity)]
    current = f"{state.files_fingerprint(con, read)}|{snapshots_in_effect(con, read)}"
    if window is not None:
        current = f"{current}|{window[0]}|{window[1]}"
    if state.stored_fingerprint(con, "set_rules", entity.name) == current:
        return False
    state.clear_violations(con, entity.name, "set")
    judged = f"WITH judged AS ({current_rows_sql(entity, excluded=('row',))})"
    for rule, offending in set_rules(entity, window):
        state.add_violations(con, entity.name, "set", rule, f"{judged} {offending}",
                             f"raw.{entity.name}", rules.key_sql(entity))
    state.store_fingerprint(con, "set_rules", entity.name, current)
    return True


def referenced_entities(entity: Entity) -> list[str]:
    """Entities whose rows this entity's rules read (for lineage of the checks)."""
    found = {c.references.split(".")[0] for c in entity.columns if c.references}
    return sorted(found - {entity.name} & set(ENTITIES))
