"""Settings of a run: the PMO_* variables and command-line flags, read and checked once.

`Settings.load(environ, **flags)` is the only place that reads the environment; everything
below receives the `Settings` value (or the part of it it needs). A bad value is refused when
it is read, with one line naming the variable, the value and what is allowed.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names it and what is allowed."""


CSV_DIALECTS = {"excel": ",", "excel-eu": ";"}
"""PMO_CSV_DIALECT: the CSV exports' field separator; "excel-eu" also writes decimal commas."""

DATA = "data"
"""The as-of date "data" (`pmo run --as-of data`, PMO_AS_OF=data): the latest dated fact of the
landing data (the last timesheet day or progress report, on or before tomorrow)."""


@dataclass(frozen=True)
class KpiParams:
    """Every number the KPI SQL reads with getvariable('<name>') (docs/kpis.md)."""

    as_of: date = date(2000, 1, 1)  # always replaced by the run's as-of date
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
class Settings:
    """Where data lands, lives and is published, and how the KPIs are computed."""

    raw_dir: Path = Path("data/raw")
    warehouse: Path = Path("data/warehouse.duckdb")
    export_dir: Path = Path("data/exports")
    dagster_home: Path = Path(".dagster_home")
    as_of: date | str | None = None  # None: today in `timezone`; DATA: the data's latest fact
    timezone: str = "UTC"
    max_bad_row_share: float = 0.0
    stale_days: int = 7
    timings_file: Path | None = None  # benchmark phase timings (JSON lines), when set
    # the plausible window of every date column (an error-level contract rule): from date_min
    # to date_max, or when date_max is not set, to date_max_years after the as-of date
    date_min: date = date(1970, 1, 1)
    date_max: date | None = None
    date_max_years: int = 50
    csv_dialect: str = "excel"  # CSV exports: "excel" (",", ".") or "excel-eu" (";", ",")
    # DuckDB's memory for the run's warehouse connection; beyond it, it spills to disk
    # (DuckDB's own default, 80 % of RAM, lets one nightly run take most of a shared machine)
    memory_limit: str = "1GB"
    kpi: KpiParams = field(default_factory=KpiParams)

    @classmethod
    def load(cls, environ: Mapping[str, str], **flags: object) -> "Settings":
        """Settings from PMO_* variables, a flag (not None) overriding its variable."""
        def pick(name: str, variable: str, default: str | None = None) -> str | None:
            flag = flags.get(name)
            return str(flag) if flag is not None else environ.get(variable, default)

        timezone = _timezone(pick("timezone", "PMO_TIMEZONE", "UTC"))
        as_of = pick("as_of", "PMO_AS_OF")
        horizon = _number("PMO_HORIZON_WEEKS", pick("horizon_weeks", "PMO_HORIZON_WEEKS", "12"),
                          int, low=1, high=520)
        timings = environ.get("PMO_TIMINGS")
        date_min = environ.get("PMO_DATE_MIN") or "1970-01-01"
        date_max = environ.get("PMO_DATE_MAX")
        return cls(
            raw_dir=Path(pick("raw_dir", "PMO_RAW_DIR", "data/raw")),
            warehouse=Path(pick("warehouse", "PMO_WAREHOUSE", "data/warehouse.duckdb")),
            export_dir=Path(pick("export_dir", "PMO_EXPORT_DIR", "data/exports")),
            dagster_home=Path(environ.get("DAGSTER_HOME") or ".dagster_home").absolute(),
            as_of=_as_of("PMO_AS_OF", as_of) if as_of else None,
            timezone=timezone,
            max_bad_row_share=_share("PMO_MAX_BAD_ROW_SHARE",
                                     pick("max_bad_row_share", "PMO_MAX_BAD_ROW_SHARE", "0")),
            stale_days=_number("PMO_STALE_DAYS", pick("stale_days", "PMO_STALE_DAYS", "7"), int,
                               low=0, high=3650),
            timings_file=Path(timings) if timings else None,
            date_min=parse_date("PMO_DATE_MIN", date_min),
            date_max=parse_date("PMO_DATE_MAX", date_max) if date_max else None,
            date_max_years=_number("PMO_DATE_MAX_YEARS", environ.get("PMO_DATE_MAX_YEARS", "50"),
                                   int, low=1, high=1000),
            csv_dialect=_choice("PMO_CSV_DIALECT", environ.get("PMO_CSV_DIALECT") or "excel",
                                CSV_DIALECTS),
            memory_limit=_memory("PMO_MEMORY_LIMIT",
                                 pick("memory_limit", "PMO_MEMORY_LIMIT", "1GB")),
            kpi=KpiParams(horizon_weeks=horizon),
        )

    @classmethod
    def from_env(cls, **flags: object) -> "Settings":
        """The process environment: the only place a PMO_* variable is read."""
        return cls.load(os.environ, **flags)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    def run_as_of(self, requested: str | date | None = None,
                  latest_fact: Callable[[date], date | None] | None = None) -> date:
        """The as-of date of a run, decided here only: the run's own day (a schedule tick or a
        run tag) when it has one, else the configured one, else today in the timezone.

        "data" is the latest dated fact of the landing data: `latest_fact(tomorrow)` gives it
        (the ingested warehouse knows it; see pipelines.publish.freshness.latest_fact). A day
        more than one day after today is refused: no fact of it can exist yet."""
        value = requested if requested else self.as_of
        if isinstance(value, str) and value.strip().lower() == DATA:
            if latest_fact is None:
                raise SettingsError("as-of date 'data' is known only once the landing data is "
                                    "read; give a date (YYYY-MM-DD) here")
            day = latest_fact(self.today() + timedelta(days=1))
            if day is None:
                raise SettingsError("as-of date 'data': the landing data holds no timesheet day "
                                    "or progress report to take the date from; give a date")
        elif isinstance(value, date):
            day = value
        elif value:
            day = parse_date("as-of date", value)
        else:
            day = self.today()
        return self.check_as_of(day)

    def check_as_of(self, day: date) -> date:
        tomorrow = self.today() + timedelta(days=1)
        if day > tomorrow:
            raise SettingsError(f"as-of date {day.isoformat()} is after tomorrow "
                                f"({tomorrow.isoformat()} in {self.timezone}): no fact of that "
                                "day exists yet; give a date up to tomorrow")
        return day

    def date_window(self, as_of: date) -> tuple[date, date]:
        """The plausible dates of any date column: PMO_DATE_MIN (default 1970-01-01) to
        PMO_DATE_MAX, or PMO_DATE_MAX_YEARS (default 50) years after the as-of date."""
        if self.date_max is not None:
            high = self.date_max
        else:
            years = as_of.year + self.date_max_years
            high = date(years, as_of.month, 28 if as_of.month == 2 and as_of.day == 29
                        else as_of.day) if years <= 9999 else date.max
        return self.date_min, high

    def params(self, as_of: date) -> KpiParams:
        return self.kpi.at(as_of)

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)


def parse_date(what: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(f"{what}: {value[:40]!r} is not a date; expected YYYY-MM-DD, "
                            "for example 2026-11-20") from None


def _as_of(variable: str, value: str) -> date | str:
    return DATA if value.strip().lower() == DATA else parse_date(variable, value)


def _choice(variable: str, value: str, allowed) -> str:
    text = value.strip().lower()
    if text not in allowed:
        raise SettingsError(f"{variable}: {value[:40]!r} is not allowed; expected one of "
                            f"{', '.join(allowed)}")
    return text


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"PMO_TIMEZONE: {value[:40]!r} is not a time zone; expected an IANA "
                            "name such as UTC or Europe/Berlin") from None
    return value


def _number(variable: str, value: str, kind: type, low: float, high: float):
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(f"{variable}: {value[:40]!r} is not a "
                            f"{'whole number' if kind is int else 'number'} "
                            f"from {low:g} to {high:g}") from None
    if not low <= number <= high:
        raise SettingsError(f"{variable}: {value!r} is out of range; allowed {low:g} to {high:g}")
    return number


MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(MB|GB)\s*", re.IGNORECASE)


def _memory(variable: str, value: str) -> str:
    """An amount of memory as DuckDB reads it ("1GB", "512MB"), with its unit (a bare number is
    refused: DuckDB would read it as bytes); at least 256 MB."""
    match = MEMORY.fullmatch(value)
    megabytes = (float(match[1]) * (1000 if match[2].upper() == "GB" else 1)) if match else 0
    if megabytes < 256:
        raise SettingsError(f"{variable}: {value!r} is not an amount of memory; expected MB or "
                            "GB, at least 256MB (for example 512MB or 2GB)")
    return f"{match[1]}{match[2].upper()}"


def _share(variable: str, value: str) -> float:
    """A share from 0 to 1; "1%" means 0.01. "5" is refused: it would let every row through."""
    text = value.strip()
    if text.endswith("%"):
        return _number(variable, text[:-1], float, 0, 100) / 100
    try:
        share = float(text)
    except ValueError:
        share = None
    if share is None or not 0 <= share <= 1:
        raise SettingsError(f"{variable}: {value[:40]!r} is not a share; allowed 0 to 1 "
                            "(0.01 or 1% = one row in a hundred)")
    return share


