"""The day grid every other module indexes into: day 0 is the Monday that starts the history."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

# Work simulated past end_date so open tasks have a believable future; rows after end_date are dropped.
FUTURE_DAYS = 1200


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(first_year: int, last_year: int) -> list[tuple[date, str]]:
    """A generic European-style holiday calendar, one entry per date."""
    out: dict[date, str] = {}
    for y in range(first_year, last_year + 1):
        e = easter(y)
        for d, name in [
            (date(y, 1, 1), "New Year's Day"), (e - timedelta(2), "Good Friday"), (e + timedelta(1), "Easter Monday"),
            (date(y, 5, 1), "Labour Day"), (e + timedelta(39), "Ascension Day"), (e + timedelta(50), "Whit Monday"),
            (date(y, 10, 3), "National Day"), (date(y, 12, 25), "Christmas Day"), (date(y, 12, 26), "Boxing Day"),
        ]:
            out.setdefault(d, name)
    return sorted(out.items())


class Calendar:
    def __init__(self, end: date, years: int):
        first = end - timedelta(days=365 * years)
        self.start = first - timedelta(days=first.weekday())  # a Monday, so ISO week = day // 7
        self.d_end = (end - self.start).days  # index of end_date
        self.n = self.d_end + 1 + FUTURE_DAYS
        self.end = end
        idx = np.arange(self.n)
        self.weekday = idx % 7  # 0 = Monday
        self.holidays = [(d, n) for d, n in public_holidays(self.start.year, end.year + 4)
                         if self.start <= d <= self.date(self.n - 1)]
        self.holiday = np.zeros(self.n, dtype=bool)
        self.holiday[[self.index(d) for d, _ in self.holidays]] = True
        self.work5 = (self.weekday < 5) & ~self.holiday  # people's availability and default project days
        self.work6 = (self.weekday < 6) & ~self.holiday  # projects with working_weekdays 1111110

    def index(self, d: date) -> int:
        return (d - self.start).days

    def date(self, i: int) -> date:
        return self.start + timedelta(days=int(i))

    def to_datetime64(self, idx: np.ndarray) -> np.ndarray:
        return np.datetime64(self.start, "D") + np.asarray(idx).astype("timedelta64[D]")
