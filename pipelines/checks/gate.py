"""The quality gate of one entity: every rule, one verdict, readable messages.

Structural faults (rejected files, a required entity never delivered) always block.
Rule violations block too, unless their rows are within PMO_MAX_BAD_ROW_SHARE of the
entity: then those rows stay in `state.violations` (the quarantine) and staging leaves them out.

Root cause first: rows that break a reference to an entity with a rejected file are not
listed one by one (the rejected file is the cause, reported by that entity): one line says how
many rows reference the rejected file(s).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines import state
from pipelines.checks import rules
from pipelines.checks.row_rules import validate_pending
from pipelines.checks.set_rules import DateWindow, evaluate_set_rules
from pipelines.contract import Entity
from pipelines.ingest.landing import clip, locate
from pipelines.sql import ident

SHOWN = 100


@dataclass
class Verdict:
    entity: str
    rows: int = 0
    bad_rows: int = 0
    max_share: float = 0.0
    faults: list[str] = field(default_factory=list)  # structural: file -> problem
    violations: list[dict] = field(default_factory=list)  # the first SHOWN rule violations
    by_rule: dict[str, int] = field(default_factory=dict)  # rule -> rows breaking it
    # rows failing only a reference to an entity with rejected files: (target, files, rows)
    consequences: list[tuple[str, list[str], int]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.bad_rows / self.rows if self.rows else 0.0

    @property
    def passed(self) -> bool:
        return not self.faults and (self.bad_rows == 0 or self.share <= self.max_share)

    @property
    def quarantined(self) -> int:
        return self.bad_rows if self.passed else 0

    def messages(self) -> list[str]:
        lines = list(self.faults)
        lines += [f"{n:,} {self.entity} reference {target} of the rejected "
                  f"file{'s' if len(files) > 1 else ''} {', '.join(files)}"
                  for target, files, n in self.consequences]
        lines += [
            f"{v['file']} {v['where']}: {v['column']} = {v['value']!r} breaks rule "
            f"\"{v['rule']}\" (key {v['key']})"
            for v in self.violations
        ]
        listed = self.bad_rows - sum(n for _, _, n in self.consequences)
        if self.violations and listed > len(self.violations):
            lines.append(f"... {self.bad_rows:,} rows break a rule in all")
        return lines

    def summary(self) -> str:
        if self.faults:
            return f"{self.entity}: {len(self.faults)} file(s) rejected"
        if self.consequences and self.bad_rows == sum(n for _, _, n in self.consequences):
            targets = ", ".join(sorted({t for t, _, _ in self.consequences}))
            return (f"{self.entity}: {self.bad_rows:,} of {self.rows:,} rows reference rows of "
                    f"a rejected file of {targets}")
        if not self.bad_rows:
            return f"{self.entity}: {self.rows} rows, every rule holds"
        verb = "quarantined" if self.passed else "break a rule (blocking)"
        return (f"{self.entity}: {self.bad_rows} of {self.rows} rows ({self.share:.2%}) {verb}; "
                f"allowed share {self.max_share:.2%}")


def evaluate(con: duckdb.DuckDBPyConnection, entity: Entity, max_share: float,
             window: DateWindow | None = None) -> Verdict:
    """Check every rule of the entity (the plausible-date rule when `window` is given)."""
    validate_pending(con, entity)
    evaluate_set_rules(con, entity, window)
    verdict = Verdict(entity.name, max_share=max_share)
    verdict.faults = [f"{file}: rejected: {message}"
                      for file, message in state.rejected_files(con, entity.name)]
    if entity.required and not state.delivered_files(con, entity.name):
        verdict.faults.append(
            f"{entity.name}: required entity, but no file was delivered "
            f"(expected {entity.name}.csv or {entity.name}/*.csv, .csv.gz, .parquet, .xlsx)")
    verdict.rows = con.execute(f"SELECT count(*) FROM raw.{entity.name}").fetchone()[0]
    verdict.bad_rows = state.bad_row_count(con, entity.name)
    verdict.by_rule = dict(con.execute(
        """SELECT rule, count(DISTINCT (_file, _row)) FROM state.violations WHERE entity = ?
           GROUP BY rule ORDER BY rule""", [entity.name]).fetchall())
    consequential = []  # reference rules whose target has rejected files
    for col in entity.columns:
        target = col.references.split(".")[0] if col.references else None
        rule = rules.reference_rule(col) if target else None
        if target and target != entity.name and verdict.by_rule.get(rule):
            files = [f for f, _ in state.rejected_files(con, target)]
            if files:
                consequential.append(rule)
                verdict.consequences.append((target, files, verdict.by_rule[rule]))
    # where the row is: its place as the reader saw it (`_ref`: "Task UID 7", "line 12, Log
    # Work 2", the line a CSV record starts on when quoted values hold line breaks), else the
    # line or row its number gives
    verdict.violations = [
        {"file": f, "where": clip(ref) if ref else locate(f, r), "row": r, "key": k,
         "column": c, "value": v, "rule": rule}
        for f, r, k, c, v, rule, ref in con.execute(
            f"""SELECT v._file, v._row, v.key, v."column", v.value, v.rule, raw._ref
               FROM state.violations AS v
               LEFT JOIN raw.{ident(entity.name)} AS raw USING (_file, _row)
               WHERE v.entity = ? AND NOT list_contains(?::VARCHAR[], v.rule)
               ORDER BY v._file, v._row, v.rule LIMIT ?""",
            [entity.name, consequential, SHOWN]).fetchall()
    ]
    return verdict
