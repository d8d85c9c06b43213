"""Daily timesheet rows from the simulated work, vectorised: one row per task slot per available day,
admin time on top, then each person's week trimmed to their available hours unless a planted
over-allocation says otherwise."""
from __future__ import annotations

import numpy as np
import polars as pl

from .people import Staff

SPLIT = 0.42  # share of task-days logged as two entries (morning and afternoon timers)


class DayMap:
    """Maps (employee, ordinal of their available day) to a day index, for both calendars."""

    def __init__(self, al: dict[bool, list[np.ndarray]], d_end: int):
        self.flat, self.off, self.upto_end = {}, {}, {}
        for six, lists in al.items():
            lens = np.array([len(a) for a in lists])
            self.flat[six] = np.concatenate(lists).astype(np.int32)
            self.off[six] = np.r_[0, np.cumsum(lens)[:-1]]
            self.upto_end[six] = np.array([np.searchsorted(a, d_end, "right") for a in lists])

    def day(self, six: np.ndarray, emp: np.ndarray, o: np.ndarray) -> np.ndarray:
        out = np.empty(len(o), np.int32)
        for flag in (False, True):
            m = six == flag
            out[m] = self.flat[flag][self.off[flag][emp[m]] + o[m]]
        return out


def task_rows(rng, segs: dict, days: DayMap) -> dict[str, np.ndarray]:
    """Rows up to end_date; also returns each task's total simulated hours (incl. after end_date)."""
    n_tasks = int(segs["task"].max()) + 1 if len(segs["task"]) else 0
    expected = np.bincount(segs["task"], weights=(segs["o1"] - segs["o0"] + 1) * segs["rate"], minlength=n_tasks)
    last = np.empty(len(segs["emp"]), int)
    for flag in (False, True):
        m = segs["six"] == flag
        last[m] = days.upto_end[flag][segs["emp"][m]] - 1
    o1 = np.minimum(segs["o1"], last)
    keep = o1 >= segs["o0"]
    idx = np.flatnonzero(keep)
    lens = (o1 - segs["o0"] + 1)[idx]
    rep = np.repeat(idx, lens)
    first = np.repeat(np.cumsum(lens) - lens, lens)
    o = segs["o0"][rep] + (np.arange(len(rep)) - first)
    emp = segs["emp"][rep].astype(np.int32)
    day = days.day(segs["six"][rep], emp, o)
    hours = np.maximum(0.25, np.round(segs["rate"][rep] * rng.uniform(0.8, 1.2, len(rep)) * 4) / 4)
    return dict(emp=emp, task=segs["task"][rep].astype(np.int32), day=day, hours=hours,
                over=segs["over"][rep], expected=expected)


def admin_rows(rng, avail5: np.ndarray, staff: Staff, d_end: int, rows: dict) -> dict[str, np.ndarray]:
    """Time not booked on a project: short on busy days, most of an idle day."""
    n_days = d_end + 1
    busy = np.zeros(staff.n * n_days, bool)
    busy[rows["emp"].astype(np.int64) * n_days + rows["day"]] = True
    busy = busy.reshape(staff.n, n_days)
    on = avail5[:, :n_days]
    draw = rng.random(on.shape)
    pick = on & np.where(busy, draw < 0.3, draw < 0.85)
    emp, day = np.nonzero(pick)
    is_busy = busy[emp, day]
    daily = staff.daily[emp]
    hours = np.where(is_busy, rng.choice([0.5, 0.75, 1.0, 1.5], len(emp)),
                     np.round(daily * rng.uniform(0.3, 0.8, len(emp)) * 2) / 2)
    hours = np.maximum(hours, 0.25)
    return dict(emp=emp.astype(np.int32), task=np.full(len(emp), -1, np.int32), day=day.astype(np.int32),
                hours=hours, over=np.zeros(len(emp), bool))


def cap_weeks(rows: dict, avail5: np.ndarray, staff: Staff, d_end: int) -> dict:
    """Scale a person's week down to 97% of their available hours, except weeks they spend on a
    project planted with over-allocation (those are the point)."""
    n_weeks = d_end // 7 + 1
    on = np.zeros((staff.n, n_weeks * 7), bool)
    on[:, : d_end + 1] = avail5[:, : d_end + 1]
    avail = on.reshape(staff.n, n_weeks, 7).sum(2) * staff.daily[:, None]
    key = rows["emp"].astype(np.int64) * n_weeks + rows["day"] // 7
    total = np.bincount(key, weights=rows["hours"], minlength=staff.n * n_weeks)
    exempt = np.bincount(key, weights=rows["over"], minlength=staff.n * n_weeks) > 0
    limit = 0.97 * avail.ravel()
    factor = np.where((total > limit) & ~exempt, limit / np.maximum(total, 1e-9), 1.0)
    f = factor[key]
    hours = np.where(f < 1, np.floor(rows["hours"] * f * 4) / 4, rows["hours"])
    keep = hours > 0
    out = {k: v[keep] for k, v in rows.items()}
    out["hours"] = hours[keep]
    return out


def split_entries(rng, rows: dict) -> dict:
    """Some task-days come as two timer entries."""
    m = (rows["task"] >= 0) & (rows["hours"] >= 1) & (rng.random(len(rows["hours"])) < SPLIT)
    first = np.clip(np.round(rows["hours"][m] * rng.uniform(0.3, 0.7, m.sum()) * 4) / 4, 0.25, rows["hours"][m] - 0.25)
    extra = {k: v[m] for k, v in rows.items()}
    extra["hours"] = rows["hours"][m] - first
    hours = rows["hours"].copy()
    hours[m] = first
    rows = dict(rows, hours=hours)
    return {k: np.concatenate([rows[k], extra[k]]) for k in rows}


def order_rows(rows: dict) -> dict:
    """Sort by day, employee, task (admin last) so files read like exports; ids follow this order."""
    key = (rows["day"].astype(np.int64) * 10**6 + rows["emp"]) * 10**7 + (rows["task"].astype(np.int64) % 10**7)
    order = np.argsort(key, kind="stable")
    return {k: v[order] for k, v in rows.items()}


def progress(rows: dict, expected: np.ndarray, a0: np.ndarray, a1: np.ndarray, d_end: int) -> pl.DataFrame:
    """Friday status reports for tasks in progress: share of the task's hours logged so far."""
    m = rows["task"] >= 0
    task, day = rows["task"][m], rows["day"][m]
    friday = day + (4 - day % 7) % 7
    df = (pl.DataFrame({"task": task, "friday": friday, "hours": rows["hours"][m]})
          .group_by("task", "friday").agg(pl.col("hours").sum())
          .sort("task", "friday")
          .with_columns(pl.col("hours").cum_sum().over("task").alias("cum")))
    t = df["task"].to_numpy()
    f = df["friday"].to_numpy()
    end = np.where(a1[t] >= 0, a1[t], 10**9)
    keep = (f <= d_end) & (f < end) & (f >= a0[t]) & (a0[t] >= 0)
    pct = np.clip(np.round(100 * df["cum"].to_numpy() / np.maximum(expected[t], 1e-9), 1), 1.0, 99.0)
    return pl.DataFrame({"task": t[keep], "day": f[keep], "pct": pct[keep]})
