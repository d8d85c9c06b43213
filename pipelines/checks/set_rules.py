"""Rules across files, as DuckDB SQL: references, totals over current rows, conditions.

They judge the rows that count (`raw_schema.current_rows_sql`, the same definition staging
reads) with only the rows that broke a row rule left out, so a row quarantined for its own
fault never makes a valid neighbour fail. Each rule is a SELECT of the offending rows as
(_file, _row, column, value); `evaluate_set_rules` stores them in `state.violations`.

Deciding which rows count ranks every key of the entity (millions of timesheet rows), so each
rule also names its *suspects*: the raw rows that could break it, found from their own values
in one cheap scan (a date outside the window, a value the target does not hold, an employee-day
whose positive hours exceed 24 in all). The rule is then judged on the rows that count of the
suspects' keys only (`current_rows_sql(within=...)`), which gives exactly the rows judging
every row would: a row that counts is a raw row of its key with, at most, plan columns taken
from another raw row of the same key, so a row that breaks a rule has a suspect among its key's
raw rows.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines import state
from pipelines.checks import rules
from pipelines.contract import ENTITIES, Entity
from pipelines.ingest.raw_schema import current_rows_sql, snapshots_in_effect
from pipelines.sql import ident, literal

# name -> (rule text, SELECT of offending rows of `judged`, SELECT of the raw rows that could
# break it: the suspects, whose keys' rows that count are judged)
NAMED_RULES = {
    "hours_per_employee_day": ("hours of one employee on one date sum to <= 24", """
        SELECT _file, _row, 'hours', format('{} h on {} in all', total, work_date)
        FROM judged JOIN (SELECT employee_id, work_date, sum(hours) AS total FROM judged
                          GROUP BY ALL HAVING sum(hours) > 24) AS too_many
        USING (employee_id, work_date)""",
        # the rows that count of an employee-day are some of its raw rows: their total is at
        # most the sum of its raw rows' positive hours
        """SELECT * FROM raw.timesheets AS suspect SEMI JOIN (
               SELECT employee_id, work_date FROM raw.timesheets GROUP BY ALL
               HAVING sum(hours) FILTER (WHERE hours > 0) > 24) AS too_many
           ON suspect.employee_id IS NOT DISTINCT FROM too_many.employee_id
              AND suspect.work_date IS NOT DISTINCT FROM too_many.work_date"""),
    "done_requires_completed_on": ("status done requires completed_on", """
        SELECT _file, _row, 'completed_on', NULL FROM judged
        WHERE status = 'done' AND completed_on IS NULL""",
        "SELECT * FROM raw.tasks WHERE status = 'done' AND completed_on IS NULL"),
}


DateWindow = tuple[date, date]


def window_rule(column: str, window: DateWindow) -> str:
    return f"{column} within the plausible dates {window[0]} to {window[1]}"


def set_rules(entity: Entity, window: DateWindow | None = None) -> list[tuple[str, str, str]]:
    """(rule text, SELECT of offending rows of `judged`, SELECT of its suspects among the raw
    rows) for every set-level rule (module docstring). Suspects are found by the same test
    on a raw row's own value of one column, so a row that counts with that value (its own, or
    a baseline's plan value from another row of its key) has a suspect of its key.

    window: the plausible dates (Settings.date_window of the run's as-of date); every date
    column of the contract must lie within it. It is a set rule because it depends on the
    run, not on the file alone: a new window re-judges every row."""
    found = []

    def single_column(rule: str, column: str, value: str, breaks: str) -> None:
        found.append((rule, f"""
            SELECT _file, _row, {literal(column)}, {value} FROM judged WHERE {breaks}""",
                      f"SELECT * FROM raw.{entity.name} WHERE {breaks}"))

    if window is not None:
        for col in entity.columns:
            if col.type == "date":
                single_column(window_rule(col.name, window), col.name,
                              f"{ident(col.name)}::VARCHAR",
                              f"{ident(col.name)} NOT BETWEEN "
                              f"{literal(window[0].isoformat())}::DATE AND "
                              f"{literal(window[1].isoformat())}::DATE")
    for col in entity.columns:
        if col.references:
            target, target_col = col.references.split(".")
            # The target's rows as of the run's date: a row of an export dated later, or of a
            # snapshot its schedule's latest has replaced, is not there to refer to. Rows that
            # break a rule still are: their own entity reports them.
            targets = current_rows_sql(ENTITIES[target], excluded=())
            single_column(rules.reference_rule(col), col.name, ident(col.name),
                          f"{ident(col.name)} IS NOT NULL AND {ident(col.name)} NOT IN "
                          f"(SELECT {ident(target_col)} FROM ({targets}) "
                          f"WHERE {ident(target_col)} IS NOT NULL)")
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
    for rule, offending, suspects in set_rules(entity, window):
        judged = current_rows_sql(entity, excluded=("row",), within=suspects)
        state.add_violations(con, entity.name, "set", rule, f"WITH judged AS ({judged}) "
                             f"{offending}", f"raw.{entity.name}", rules.key_sql(entity))
    state.store_fingerprint(con, "set_rules", entity.name, current)
    return True


def referenced_entities(entity: Entity) -> list[str]:
    """Entities whose rows this entity's rules read (for lineage of the checks)."""
    found = {c.references.split(".")[0] for c in entity.columns if c.references}
    return sorted(found - {entity.name} & set(ENTITIES))
