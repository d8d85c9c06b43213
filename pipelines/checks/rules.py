"""What each contract rule says, in words a user reads in an error message."""

from __future__ import annotations

from pipelines.contract import Column, Entity
from pipelines.sql import ident, shown


def key_sql(entity: Entity, alias: str = "r") -> str:
    """SQL for a row's key values joined with |, as the findings report them (each value cut
    short, and masked should a key column ever be personal)."""
    return " || '|' || ".join(shown(f"{alias}.{ident(k)}", entity.column(k).personal)
                              for k in entity.key)


def fmt(number: float) -> str:
    return f"{number:g}"


def bounds_rule(col: Column) -> str | None:
    low = f"> {fmt(col.gt)}" if col.gt is not None else (
        f">= {fmt(col.min)}" if col.min is not None else None)
    high = f"<= {fmt(col.max)}" if col.max is not None else None
    parts = [p for p in (low, high) if p]
    return f"{col.name} {' and '.join(parts)}" if parts else None


def allowed_rule(col: Column) -> str:
    return f"{col.name} in ({', '.join(col.allowed)})"


def required_rule(col: Column) -> str:
    return f"{col.name} is required"


def gte_rule(col: Column) -> str:
    return f"{col.name} >= {col.gte_column}"


def regex_rule(col: Column) -> str:
    return f"{col.name} matches {col.regex}"


def reference_rule(col: Column) -> str:
    return f"{col.name} references {col.references}"


def column_rules(col: Column) -> list[str]:
    """Every rule of one column, as text (the data dictionary shows these)."""
    rules = [required_rule(col)] if col.required else []
    rules += [allowed_rule(col)] if col.allowed else []
    rules += [r for r in [bounds_rule(col)] if r]
    rules += [gte_rule(col)] if col.gte_column else []
    rules += [regex_rule(col)] if col.regex else []
    rules += [reference_rule(col)] if col.references else []
    return rules
