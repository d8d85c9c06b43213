"""Employees (HR), their skills and leave, and the day-by-day availability the scheduler fills."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar
from .config import DEPARTMENTS, DEPT_ROLES, DEPT_WEIGHTS, FIRST_NAMES, LAST_NAMES, ROLES, SKILLS

NO_TERM = 10**7  # term day of someone still employed
ROLE_NAMES = list(ROLES)
SKILL_IDX = {s: i for i, s in enumerate(SKILLS)}
LEAVE_TYPES = ["annual", "sick", "parental"]


@dataclass
class Staff:
    dept: np.ndarray
    role: np.ndarray
    hire: np.ndarray  # day index, negative = before the history starts
    term: np.ndarray  # day index or NO_TERM
    cost: np.ndarray
    cap: np.ndarray  # weekly capacity hours
    manager: np.ndarray  # row index or -1
    kind: np.ndarray  # 0 head of department, 1 team lead, 2 project manager, 3 specialist
    names: list[str]
    emails: list[str]
    levels: np.ndarray  # employee x skill, 0 = skill absent
    assessed: np.ndarray  # employee x skill, day index of the assessment
    leave: np.ndarray  # rows (employee, start, end, type)

    @property
    def n(self) -> int:
        return len(self.dept)

    @property
    def daily(self) -> np.ndarray:
        return self.cap / 5.0


def make_staff(rng: np.random.Generator, cal: Calendar, n: int, years: int) -> Staff:
    sizes = np.maximum(rng.multinomial(n - 6 * len(DEPARTMENTS), DEPT_WEIGHTS) + 6, 6)
    sizes[0] += n - sizes.sum()
    dept, role, kind = [], [], []  # kind: 0 head, 1 lead, 2 PM, 3 specialist
    for d, size in enumerate(sizes):
        leads, pms = max(1, round(size / 11)), max(1, round(size * 0.08))
        spec = DEPT_ROLES[DEPARTMENTS[d]]
        picks = rng.choice(list(spec), size=size - 1 - leads - pms, p=np.array(list(spec.values())) / sum(spec.values()))
        roles = ["Head of Department"] + ["Team Lead"] * leads + ["Project Manager"] * pms + list(picks)
        dept += [d] * size
        role += [ROLE_NAMES.index(r) for r in roles]
        kind += [0] + [1] * leads + [2] * pms + [3] * len(picks)
    dept, role, kind = np.array(dept), np.array(role), np.array(kind)

    # Tenure: leaders were there before the history starts; a fifth of the others join during it.
    joins = (kind >= 2) & (rng.random(n) < 0.22)
    hire = np.where(joins, rng.integers(0, cal.d_end - 60, n), -rng.integers(30, 3650, n))
    hire[kind <= 1] = -rng.integers(400, 4000, (kind <= 1).sum())
    lo = np.maximum(hire + 120, 30)
    leaves = (kind >= 2) & (rng.random(n) < 0.04 * years) & (lo < cal.d_end - 1)
    term = np.where(leaves, rng.integers(np.minimum(lo, cal.d_end - 2), cal.d_end - 1), NO_TERM)

    # Older employees get the lower ids, as an HR system numbers them.
    order = np.lexsort((np.arange(n), hire))
    dept, role, kind, hire, term = dept[order], role[order], kind[order], hire[order], term[order]

    base = np.array([ROLES[r][0] for r in ROLE_NAMES])[role]
    cost = np.round(base * rng.uniform(0.85, 1.2, n), 2)
    cap = rng.choice([40.0, 37.5, 32.0, 24.0, 20.0], n, p=[0.76, 0.10, 0.08, 0.04, 0.02])
    cap[kind <= 2] = 40.0

    manager = np.full(n, -1)
    for d in range(len(DEPARTMENTS)):
        head = np.flatnonzero((dept == d) & (kind == 0))[0]
        leads = np.flatnonzero((dept == d) & (kind == 1))
        members = np.flatnonzero((dept == d) & (kind >= 1))
        manager[members] = rng.choice(leads, len(members))
        manager[leads] = head

    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    names, emails, seen = [], [], {}
    for f, l in zip(first, last):
        names.append(f"{f} {l}")
        local = f"{f}.{l}".lower()
        seen[local] = seen.get(local, 0) + 1
        emails.append(f"{local}{seen[local] if seen[local] > 1 else ''}@example.com")

    levels, assessed = _skills(rng, cal, role, hire)
    staff = Staff(dept, role, hire, term, cost, cap, manager, kind, names, emails, levels, assessed, np.empty((0, 4), int))
    staff.leave = _leave(rng, cal, staff)
    return staff


def _skills(rng, cal, role, hire):
    n = len(role)
    levels = np.zeros((n, len(SKILLS)), dtype=np.int8)
    for i, r in enumerate(role):
        _, seniority, skills = ROLES[ROLE_NAMES[r]]
        keep = np.array([j < 2 or rng.random() < 0.6 for j in range(len(skills))])
        idx = [SKILL_IDX[s] for s, k in zip(skills, keep) if k]
        levels[i, idx] = np.clip(np.rint(rng.normal(seniority, 0.8, len(idx))), 1, 5)
        if rng.random() < 0.3:  # a side skill picked up elsewhere
            extra = rng.integers(len(SKILLS))
            if levels[i, extra] == 0:
                levels[i, extra] = rng.integers(1, 3)
    lo = np.maximum(hire, cal.d_end - 700)
    assessed = rng.integers(lo[:, None], cal.d_end, (n, len(SKILLS)))
    return levels, assessed


def _leave(rng, cal, staff: Staff) -> np.ndarray:
    """Non-overlapping leave blocks inside employment, up to end_date."""
    rows = []
    for e in range(staff.n):
        a, b = max(staff.hire[e], 0), min(staff.term[e], cal.d_end)
        yrs = max(b - a, 0) / 365.0
        if yrs <= 0:
            continue
        n_annual, n_sick = rng.poisson(2.5 * yrs), rng.poisson(2.0 * yrs)
        n_par = int(rng.random() < 0.015 * yrs)
        kinds = np.r_[np.zeros(n_annual, int), np.ones(n_sick, int), np.full(n_par, 2)]
        if len(kinds) == 0:
            continue
        starts = rng.integers(a, b + 1, len(kinds))
        length = np.where(kinds == 0, rng.choice([3, 5, 7, 10, 14], len(kinds)),
                          np.where(kinds == 1, rng.integers(1, 4, len(kinds)), rng.integers(60, 150, len(kinds))))
        order = np.argsort(starts, kind="stable")
        last_end = -10
        for s, ln, k in zip(starts[order], length[order], kinds[order]):
            if s <= last_end + 1:
                continue
            end = min(s + ln - 1, b)
            rows.append((e, s, end, k))
            last_end = end
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def availability(cal: Calendar, staff: Staff, workdays: np.ndarray) -> np.ndarray:
    """employee x day: employed, a working day in `workdays`, not on leave."""
    idx = np.arange(cal.n)
    avail = (idx >= staff.hire[:, None]) & (idx <= staff.term[:, None]) & workdays[None, :]
    diff = np.zeros((staff.n, cal.n + 1), dtype=np.int8)
    lv = staff.leave
    np.add.at(diff, (lv[:, 0], lv[:, 1]), 1)
    np.add.at(diff, (lv[:, 0], lv[:, 2] + 1), -1)
    avail &= np.cumsum(diff[:, :-1], axis=1, dtype=np.int8) == 0
    return avail
