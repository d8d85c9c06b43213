"""The input contract, loaded from contract.yaml: entities, columns, types and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "decimal": "DOUBLE", "integer": "INTEGER"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    gt: float | None = None
    gte_column: str | None = None
    regex: str | None = None
    references: str | None = None
    personal: bool = False
    # Part of the plan (what PV and BAC are computed from): for a key stated by successive
    # status snapshots of one schedule, taken from the earliest of them, the baseline.
    plan: bool = False

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Entity:
    name: str
    key: tuple[str, ...]
    required: bool
    description: str
    columns: tuple[Column, ...]
    rules: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _column(name: str, spec: dict) -> Column:
    spec = dict(spec)
    allowed = spec.pop("in", None)
    return Column(name=name, allowed=tuple(allowed) if allowed else None, **spec)


@cache
def load_contract(path: Path = Path(__file__).with_name("contract.yaml")) -> dict[str, Entity]:
    raw = yaml.safe_load(path.read_text())
    return {
        name: Entity(
            name=name,
            key=tuple(spec["key"]),
            required=spec["required"],
            description=spec["description"],
            columns=tuple(_column(c, s) for c, s in spec["columns"].items()),
            rules=tuple(spec.get("rules", ())),
        )
        for name, spec in raw.items()
    }


ENTITIES = load_contract()
