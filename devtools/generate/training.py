"""Tool rollouts per department and the courses people take (tool courses and skill courses)."""
from __future__ import annotations

import numpy as np

from .calendar import Calendar
from .config import DEPARTMENTS, DEPT_TOOLS, SKILL_COURSES, SKILLS, TOOLS
from .people import NO_TERM, Staff

NEVER = NO_TERM


def make_rollouts(rng: np.random.Generator, cal: Calendar) -> np.ndarray:
    """Rows (tool, department, day): two or three tools per department, the first early in the history
    so that most projects run after at least one rollout."""
    rows = []
    windows = [(0.02, 0.12), (0.40, 0.60), (0.70, 0.88)]
    for d, dept in enumerate(DEPARTMENTS):
        tools = rng.permutation(DEPT_TOOLS[dept])[: rng.integers(2, 4)]
        for t, (lo, hi) in zip(tools, windows):
            rows.append((TOOLS.index(t), d, int(rng.uniform(lo, hi) * cal.d_end)))
    return np.array(rows, dtype=np.int64)


def default_tool_training(rng, cal: Calendar, staff: Staff, rollouts: np.ndarray) -> np.ndarray:
    """employee x tool: day the person finished the tool's course (NEVER if not).
    Most of the department is trained within weeks of a rollout (a few pilot users just before it),
    newcomers in their first weeks; about one in ten never is."""
    train = np.full((staff.n, len(TOOLS)), NEVER, dtype=np.int64)
    for t, d, day in rollouts:
        who = np.flatnonzero(staff.dept == d)
        when = np.maximum(day, staff.hire[who] + 5) + rng.integers(-10, 45, len(who))
        when = np.maximum(when, staff.hire[who])
        ok = (rng.random(len(who)) < 0.9) & (when <= np.minimum(staff.term[who], cal.d_end))
        train[who[ok], t] = when[ok]
    return train


def course_rows(rng, cal: Calendar, staff: Staff, tool_train: np.ndarray) -> list[tuple[int, str, str, int]]:
    """(employee, course, skill-or-tool, day) for tool courses and a few skill courses."""
    rows = [(e, f"{TOOLS[t]} Essentials", TOOLS[t], int(tool_train[e, t]))
            for e, t in zip(*np.nonzero(tool_train < NEVER))]
    course_skills = [s for s in SKILLS if s in SKILL_COURSES]
    for e in range(staff.n):
        lo, hi = max(staff.hire[e], 0), min(staff.term[e], cal.d_end)
        own = [s for s in course_skills if staff.levels[e, SKILLS.index(s)] > 0]
        k = min(len(own), rng.poisson(0.4 * (hi - lo) / 365)) if hi > lo else 0
        for s in rng.permutation(own)[:k]:
            rows.append((e, SKILL_COURSES[s], s, int(rng.integers(lo, hi + 1))))
    return rows
