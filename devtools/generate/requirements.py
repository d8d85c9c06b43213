"""What skill (and level) a task asks of its assignee: met for healthy work, above them for a skill gap."""
from __future__ import annotations

import numpy as np

from .config import DEPARTMENTS, DEPT_ROLES, ROLES, SKILLS
from .people import ROLE_NAMES, Staff

SKILL_IDX = {s: i for i, s in enumerate(SKILLS)}


class Requirements:
    def __init__(self, rng: np.random.Generator, staff: Staff):
        self.rng, self.staff = rng, staff
        # core skills of each role weigh triple: a developer mostly gets development tasks
        self.weight = np.ones((len(ROLE_NAMES), len(SKILLS)))
        for r, name in enumerate(ROLE_NAMES):
            for s in ROLES[name][2][:2]:
                self.weight[r, SKILL_IDX[s]] = 3.0
        self.dept_skills = [
            np.array(sorted({SKILL_IDX[s] for role in list(DEPT_ROLES[d]) + ["Project Manager"] for s in ROLES[role][2]}))
            for d in DEPARTMENTS
        ]

    def met(self, e: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(skill, level) per task, at or below the person's level; -1/0 = no requirement / no level."""
        rng, lv = self.rng, self.staff.levels[e]
        own = np.flatnonzero(lv)
        w = self.weight[self.staff.role[e], own]
        skill = rng.choice(own, n, p=w / w.sum())
        level = np.maximum(1, lv[skill] - rng.choice(3, n, p=[0.45, 0.40, 0.15]))
        skill[rng.random(n) < 0.08] = -1
        level[(skill < 0) | (rng.random(n) < 0.05)] = 0
        return skill, level

    def gap(self, e: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(skill, level) above what the person has: a weak skill asked one or two levels higher,
        or a skill of the department the person lacks."""
        rng, lv = self.rng, self.staff.levels[e]
        weak = np.flatnonzero((lv > 0) & (lv <= 3))
        absent = np.setdiff1d(self.dept_skills[self.staff.dept[e]], np.flatnonzero(lv))
        if len(absent) == 0:
            absent = np.flatnonzero(lv == 0)
        use_weak = (rng.random(n) < 0.7) & (len(weak) > 0)
        skill = np.where(use_weak, rng.choice(weak, n) if len(weak) else 0, rng.choice(absent, n))
        level = np.where(use_weak, lv[skill] + rng.integers(1, 3, n), rng.integers(2, 4, n))
        return skill, np.minimum(level, 5)

    def refit(self, e: int, skill: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Requirements of tasks handed over to e, made to match e (a replacement is chosen for fit)."""
        lv = self.staff.levels[e]
        skill, level = skill.copy(), level.copy()
        has = skill >= 0
        lacks = has & (lv[np.maximum(skill, 0)] == 0)
        if lacks.any():
            skill[lacks], level[lacks] = self.met(e, int(lacks.sum()))
        has = skill >= 0
        level[has] = np.minimum(level[has], np.maximum(lv[skill[has]], 1))
        return skill, level
