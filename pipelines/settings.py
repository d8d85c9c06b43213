"""Configuration: environment variables of outputs.md and the KPI parameters of kpis.md."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


def timezone() -> str:
    return os.environ.get("PMO_TIMEZONE", "UTC")


def today(tz: str | None = None) -> date:
    return datetime.now(ZoneInfo(tz or timezone())).date()


@dataclass(frozen=True)
class KpiParams:
    """Every number the KPI SQL reads with getvariable('<name>')."""

    as_of: date = field(default_factory=today)
    started_credit: float = 0.5  # earned fraction of a started task with no progress report
    health_red_below: float = 0.90
    health_amber_below: float = 0.95
    driver_min_share: float = 0.15  # a driver is flagged at this share of the hours ...
    driver_min_lift: float = 2.0  # ... and at this multiple of its green-project baseline
    driver_baseline_floor: float = 0.01
    scope_creep_days: int = 14  # tasks created later than this after start are scope creep
    people_window_days: int = 90
    training_min_tasks: int = 3
    training_on_time_below: float = 0.7
    training_estimate_above: float = 1.3
    tool_window_days: int = 90
    tool_min_tasks: int = 10
    tool_change_tolerance: float = 0.05  # a KPI moved at least this much: better or worse
    horizon_weeks: int = 12  # weeks ahead in kpi_capacity
    forecast_draws: int = 1000  # Monte Carlo draws per project in kpi_forecast
    forecast_seed: int = 1  # fixed seed: the same inputs give the same forecast
    forecast_min_group: int = 30  # finished tasks a ratio group needs before it is used alone

    def as_variables(self) -> dict[str, object]:
        return asdict(self)

    def at(self, as_of: date) -> "KpiParams":
        return replace(self, as_of=as_of)


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    warehouse: Path
    export_dir: Path

    @classmethod
    def from_env(cls) -> "Paths":
        return cls(
            raw_dir=Path(os.environ.get("PMO_RAW_DIR", "data/raw")),
            warehouse=Path(os.environ.get("PMO_WAREHOUSE", "data/warehouse.duckdb")),
            export_dir=Path(os.environ.get("PMO_EXPORT_DIR", "data/exports")),
        )


def as_of_from_env() -> date:
    value = os.environ.get("PMO_AS_OF")
    return date.fromisoformat(value) if value else today()


def max_bad_row_share() -> float:
    return float(os.environ.get("PMO_MAX_BAD_ROW_SHARE", "0"))
