"""The quality gate of one entity: every rule, one verdict, readable messages.

Structural faults (rejected files, a required entity never delivered) always block.
Rule violations block too, unless their rows are within PMO_MAX_BAD_ROW_SHARE of the
entity: then those rows stay in `state.violations` (the quarantine) and staging leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines import state
from pipelines.checks.row_rules import validate_pending
from pipelines.checks.set_rules import evaluate_set_rules
from pipelines.contract import Entity
from pipelines.ingest.landing import locate

SHOWN = 100


@dataclass
class Verdict:
    entity: str
    rows: int = 0
    bad_rows: int = 0
    max_share: float = 0.0
    faults: list[str] = field(default_factory=list)  # structural: file -> problem
    violations: list[dict] = field(default_factory=list)  # the first SHOWN rule violations

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
        lines += [
            f"{v['file']} {v['where']}: {v['column']} = {v['value']!r} breaks rule "
            f"\"{v['rule']}\" (key {v['key']})"
            for v in self.violations
        ]
        if self.bad_rows > len(self.violations):
            lines.append(f"... {self.bad_rows} rows break a rule in all")
        return lines

    def summary(self) -> str:
        if self.faults:
            return f"{self.entity}: {len(self.faults)} file(s) rejected"
        if not self.bad_rows:
            return f"{self.entity}: {self.rows} rows, every rule holds"
        verb = "quarantined" if self.passed else "break a rule (blocking)"
        return (f"{self.entity}: {self.bad_rows} of {self.rows} rows ({self.share:.2%}) {verb}; "
                f"allowed share {self.max_share:.2%}")


def evaluate(con: duckdb.DuckDBPyConnection, entity: Entity, max_share: float) -> Verdict:
    validate_pending(con, entity)
    evaluate_set_rules(con, entity)
    verdict = Verdict(entity.name, max_share=max_share)
    verdict.faults = [f"{file}: rejected: {message}"
                      for file, message in state.rejected_files(con, entity.name)]
    if entity.required and not state.delivered_files(con, entity.name):
        verdict.faults.append(
            f"{entity.name}: required entity, but no file was delivered "
            f"(expected {entity.name}.csv or {entity.name}/*.csv, .csv.gz, .parquet, .xlsx)")
    verdict.rows = con.execute(f"SELECT count(*) FROM raw.{entity.name}").fetchone()[0]
    verdict.bad_rows = state.bad_row_count(con, entity.name)
    verdict.violations = [
        {"file": f, "where": locate(f, r), "row": r, "key": k, "column": c, "value": v, "rule": rule}
        for f, r, k, c, v, rule in state.violations(con, entity.name, SHOWN)
    ]
    return verdict
