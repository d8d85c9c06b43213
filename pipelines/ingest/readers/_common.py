"""Small helpers shared by the readers: canonical values, durations, working days, frames.

Generic on purpose (no format knowledge here): every function takes plain values and
returns plain values, so any reader can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import polars as pl

DEFAULT_WEEKDAYS = "1111100"  # Monday..Sunday, as the contract's working_weekdays
HOURS_PER_DAY_CAP = Decimal(24)
_CENT = Decimal("0.01")

_ISO_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


def parse_iso_duration_hours(text: str | None) -> Decimal | None:
    """Hours of an ISO 8601 duration such as `PT8H30M0S` or `PT480H0M0S` (a day `D` counts
    24 hours; years and months are refused as ambiguous). None for empty text; ValueError
    for anything else that is not a duration."""
    if text is None or not text.strip():
        return None
    match = _ISO_DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT", "-P", "-PT"):
        raise ValueError(f"not an ISO 8601 duration: {text.strip()[:40]!r}")
    parts = {k: Decimal(v or 0) for k, v in match.groupdict().items() if k != "sign"}
    hours = parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    return -hours if match.group("sign") else hours


def to_decimal(text: str | None) -> Decimal | None:
    """A number written with `.` as decimal mark; None for empty text; ValueError otherwise."""
    if text is None or not str(text).strip():
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as error:
        raise ValueError(f"not a number: {str(text).strip()[:40]!r}") from error
    if not value.is_finite():
        raise ValueError(f"not a finite number: {str(text).strip()[:40]!r}")
    return value


def fmt_decimal(value: Decimal | int | float | None, places: int | None = None) -> str | None:
    """Canonical decimal text: `.` mark, no exponent, no trailing zeros (`12.5`, `40`)."""
    if value is None:
        return None
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def iso_date(text: str | None) -> date | None:
    """The date part of `2016-01-04T08:00:00`, `2017-09-16 00:00` or `2017-09-16`; None for
    empty text; ValueError otherwise."""
    if text is None or not text.strip():
        return None
    return date.fromisoformat(text.strip()[:10])


def weekday_flags(weekdays: str | None) -> str:
    """A valid Monday..Sunday 0/1 string, the default 1111100 when none or invalid."""
    return weekdays if weekdays and re.fullmatch(r"[01]{7}", weekdays) and "1" in weekdays \
        else DEFAULT_WEEKDAYS


def days_between(first: date, last: date) -> Iterable[date]:
    """Every calendar day from first to last, both included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def working_days(first: date, last: date, weekdays: str | None = None) -> list[date]:
    """Working days from first to last (both included) under Monday..Sunday flags."""
    flags = weekday_flags(weekdays)
    return [d for d in days_between(first, last) if flags[d.weekday()] == "1"]


def spread_hours(total: Decimal, days: list[date], booked: dict[date, Decimal] | None = None,
                 cap: Decimal = HOURS_PER_DAY_CAP) -> list[tuple[date, Decimal]]:
    """`total` hours spread evenly over `days`, in hundredths of an hour that add up exactly
    to `total` (rounded to 0.01). `booked` holds one person's hours already placed per day; no
    day goes over `cap` while another day of the list still has room (hours that fit nowhere
    are put on the last day, over the cap, for the checks to report). `booked` is updated.
    Days with no hours are left out."""
    booked = {} if booked is None else booked
    total = total.quantize(_CENT, rounding=ROUND_HALF_UP)
    if total <= 0 or not days:
        return []
    cents = int(total * 100)
    room = {d: max(0, int((cap - booked.get(d, Decimal(0))) * 100)) for d in days}
    share: dict[date, int] = dict.fromkeys(days, 0)
    open_days = [d for d in days if room[d] > 0]
    while cents > 0 and open_days:
        each, extra = divmod(cents, len(open_days))
        placed_any = False
        for i, d in enumerate(open_days):
            want = each + (1 if i < extra else 0)
            take = min(want, room[d])
            if take:
                share[d] += take
                room[d] -= take
                cents -= take
                placed_any = True
        open_days = [d for d in open_days if room[d] > 0]
        if not placed_any:
            break
    if cents > 0:
        share[days[-1]] += cents
    out = []
    for d in days:
        if share[d]:
            hours = Decimal(share[d]) / 100
            booked[d] = booked.get(d, Decimal(0)) + hours
            out.append((d, hours))
    return out


# Per-row status date and schedule of a file holding several projects (readers/__init__.py).
SNAPSHOT_COLUMNS = ["_as_of", "_source"]


def frame(rows: list[dict[str, str | int | None]], columns: list[str]) -> pl.DataFrame:
    """Rows as a frame of String columns (in `columns` order) plus `_row` (Int64) and `_ref`."""
    schema = {c: pl.String for c in columns} | {"_row": pl.Int64, "_ref": pl.String}
    data = {c: [r.get(c) for r in rows] for c in schema}
    return pl.DataFrame(data, schema=schema)


def schedule_columns(employee_extra: str) -> dict[str, list[str]]:
    """The contract columns a schedule export (MSPDI, XER) fills, per entity; the two formats
    differ only in what they know of a person besides id, name, e-mail, rate and capacity
    (`employee_extra`: MSPDI's resource group as department, P6's title as role)."""
    return {
        "projects": ["project_id", "project_name", "department", "start_date",
                     "planned_end_date", "actual_end_date", "budget", "status",
                     "working_weekdays"],
        "tasks": ["task_id", "project_id", "task_name", "assignee_id", "created_on",
                  "planned_start", "planned_end", "planned_hours", "planned_cost",
                  "actual_start", "completed_on", "status"],
        "task_progress": ["task_id", "status_date", "percent_complete"],
        "timesheets": ["entry_id", "employee_id", "task_id", "work_date", "hours"],
        "expenses": ["expense_id", "project_id", "expense_date", "category", "amount"],
        "employees": ["employee_id", "full_name", "email", employee_extra, "hourly_cost",
                      "weekly_capacity_hours"],
    }
