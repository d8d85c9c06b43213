"""The portfolio before it runs: each project's department, size, nominal start, fate and planted cause."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar
from .config import CAUSES, DEPARTMENTS
from .people import Staff

NORMAL, PLANNED, CANCELLED, ON_HOLD = 0, 1, 2, 3
SECONDARY = ("skill_gap", "training_gap", "estimation", "scope_creep")  # causes that can be mixed in mildly
MIN_AGE = {"turnover": 380, "estimation": 260}  # days of history a cause needs to show; others 160


@dataclass
class Portfolio:
    dept: np.ndarray
    start: np.ndarray  # nominal start day
    kind: np.ndarray
    team: np.ndarray  # team size
    load: np.ndarray  # working days of work per member
    six_day: np.ndarray  # works Monday..Saturday
    wwd: list[str | None]  # working_weekdays as delivered
    external: np.ndarray
    perf: np.ndarray  # healthy projects' pace: task duration multiplier
    costed: np.ndarray  # every task carries a planned_cost (earned value weighs by cost)
    cause: np.ndarray  # index in CAUSES or -1
    secondary: np.ndarray  # index in CAUSES or -1

    @property
    def n(self) -> int:
        return len(self.dept)


def make_portfolio(rng, cal: Calendar, staff: Staff, n: int, avail_days: np.ndarray, rollouts: np.ndarray) -> Portfolio:
    workers = staff.kind > 0
    share = np.bincount(staff.dept[workers], minlength=len(DEPARTMENTS)) / workers.sum()
    dept = rng.choice(len(DEPARTMENTS), n, p=share)
    kind = rng.choice(4, n, p=[0.86, 0.05, 0.05, 0.04])
    size = rng.choice(3, n, p=[0.35, 0.45, 0.20])
    base = np.choose(size, [rng.integers(3, 6, n), rng.integers(5, 10, n), rng.integers(9, 16, n)])
    load = np.choose(size, [rng.uniform(50, 100, n), rng.uniform(100, 200, n), rng.uniform(200, 330, n)])
    # A share of the portfolio is already starting when tracking begins, about as many projects as
    # run at once later, so people are busy from the first weeks.
    span = load.mean() * 1.45 * 1.2
    burst = span / (cal.d_end + span)
    u = rng.random(n)
    start = np.where(u < burst, rng.integers(0, 45, n), rng.integers(0, cal.d_end - 20, n))
    start[kind == PLANNED] = cal.d_end + rng.integers(7, 120, (kind == PLANNED).sum())
    stop = (kind == CANCELLED) | (kind == ON_HOLD)
    start[stop] = np.minimum(start[stop], cal.d_end - 200)
    order = np.argsort(start, kind="stable")
    dept, kind, start, base, load = dept[order], kind[order], start[order], base[order], load[order]
    team = np.clip(np.rint(base * _team_scale(cal, start, kind, base, load, avail_days)), 2, 40).astype(int)

    r = rng.random(n)
    six_day = r < 0.04
    wwd = ["1111110" if a else ("1111100" if b else None) for a, b in zip(six_day, r > 0.88)]
    perf = rng.normal(1.0, 0.035, n)
    p = Portfolio(dept, start, kind, team, load, six_day, wwd, rng.random(n) < 0.35, perf,
                  rng.random(n) < 0.8, np.full(n, -1), np.full(n, -1))
    _plant(rng, cal, p, rollouts)
    # Healthy teams plan with a little slack: a few percent faster than estimated on average, so
    # most of their tasks end on time; a few run slower (amber). Planted projects keep the pace
    # their causes are calibrated against.
    p.perf = np.where(p.cause < 0, np.clip(0.97 + 1.3 * (perf - 1.0), 0.88, 1.1), np.clip(perf, 0.92, 1.06))
    return p


def _team_scale(cal, start, kind, base, load, avail_days) -> float:
    """Scale team sizes so that the work before end_date fills ~88% of everyone's two task slots
    (members hold 1.4 slots on a project on average)."""
    inside = np.clip((cal.d_end - start) / (load * 1.45), 0, 1) * (kind != PLANNED)
    inside[kind != NORMAL] *= 0.5  # cancelled and on-hold projects stop halfway
    return float(2 * 0.88 * avail_days / (1.4 * base * load * inside).sum())


def latest_rollout(rollouts: np.ndarray, dept: int, day: int) -> int:
    """Tool index of the department's most recent rollout on or before day, -1 if none."""
    rows = rollouts[(rollouts[:, 1] == dept) & (rollouts[:, 2] <= day)]
    return int(rows[np.argmax(rows[:, 2]), 0]) if len(rows) else -1


def _plant(rng, cal, p: Portfolio, rollouts) -> None:
    """About a quarter of the projects get a primary cause, spread evenly over the six;
    two in five of them also a mild secondary one."""
    n_plant = round(0.25 * p.n)
    counts = [n_plant // 6 + (i < n_plant % 6) for i in range(6)]
    order = sorted(range(6), key=lambda c: -MIN_AGE.get(CAUSES[c], 160))  # most demanding first
    for c in order:
        name = CAUSES[c]
        ok = (p.kind == NORMAL) & (p.cause < 0) & (p.start <= cal.d_end - MIN_AGE.get(name, 160))
        if name in ("turnover", "over_allocation"):  # needs a team to leave or to overwork
            ok &= p.team >= 5
        if name == "turnover":  # done (late) by end_date, so the delay shows in full
            ok &= p.start + p.load * 1.45 * 1.8 <= cal.d_end - 30
        if name == "training_gap":
            ok &= np.array([latest_rollout(rollouts, d, s) >= 0 for d, s in zip(p.dept, p.start)])
        cand = np.flatnonzero(ok)
        if name == "turnover":  # the earliest projects: people still have both slots free to give
            cand = cand[: max(2 * counts[c], 4)]
        pick = rng.permutation(cand)[: counts[c]]
        p.cause[pick] = c
    for i in np.flatnonzero(p.cause >= 0):
        if rng.random() < 0.4:
            has_tool = latest_rollout(rollouts, p.dept[i], p.start[i]) >= 0
            options = [s for s in SECONDARY if s != CAUSES[p.cause[i]] and (s != "training_gap" or has_tool)]
            p.secondary[i] = CAUSES.index(options[rng.integers(len(options))])
