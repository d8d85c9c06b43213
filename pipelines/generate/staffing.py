"""Who is free to join a project. Everyone holds two task slots; a dedicated member takes both."""
from __future__ import annotations

import numpy as np

from .people import NO_TERM, Staff

PM = 2


class Staffing:
    def __init__(self, rng: np.random.Generator, staff: Staff):
        self.rng, self.staff = rng, staff
        self.free = np.repeat(np.maximum(staff.hire, 0)[:, None], 2, axis=1)  # first free day per slot
        self.term = staff.term.copy()  # turnover leavers get theirs while projects are staffed
        self.workers = np.flatnonzero(staff.kind > 0)  # heads of department only do admin
        self.pools = [self.workers[staff.dept[self.workers] == d] for d in range(staff.dept.max() + 1)]

    def _eligible(self, cand, want, span, pm, stable):
        s = self.staff
        ok = (s.hire[cand] <= want - 5) & (self.term[cand] > want + span) & (self.free[cand].min(1) < NO_TERM)
        ok &= (s.kind[cand] == PM) if pm else (s.kind[cand] != PM)
        if stable:  # planted projects keep people who stay, so the planted cause is the only one
            ok &= self.term[cand] == NO_TERM
        return ok

    def pick(self, dept: int, want: int, span: int, pm: bool, dedicated: bool, stable: bool, taken: set) -> int:
        """A person free around `want`: random among those free in time (own department first, then
        others), else whoever frees up first within three months; -1 if nobody."""
        for pool in ([self.pools[dept]] if pm else [self.pools[dept], self.workers]):
            cand = pool[~np.isin(pool, list(taken))] if taken else pool
            ok = self._eligible(cand, want, span, pm, stable)
            free = self.free[cand].max(1) if dedicated else self.free[cand].min(1)
            fine = np.flatnonzero(ok & (free <= want + 10))
            if len(fine):
                return int(cand[fine[self.rng.integers(len(fine))]])
        cand = self.pools[dept]
        cand = cand[~np.isin(cand, list(taken))] if taken else cand
        ok = self._eligible(cand, want, span, pm, stable)
        free = np.where(ok, self.free[cand].max(1) if dedicated else self.free[cand].min(1), NO_TERM)
        best = int(np.argmin(free)) if len(cand) else -1
        return int(cand[best]) if best >= 0 and free[best] <= want + 90 else -1

    def book(self, e: int, dedicated: bool, until: int) -> None:
        """Member e works until day `until` (inclusive) in one slot, or both when dedicated."""
        if dedicated:
            self.free[e, :] = np.maximum(self.free[e, :], until + 1)
        else:
            slot = np.argmin(self.free[e])
            self.free[e, slot] = max(self.free[e, slot], until + 1)

    def start_day(self, e: int, want: int, dedicated: bool) -> int:
        return int(max(want, self.free[e].max() if dedicated else self.free[e].min()))

    def leave_company(self, e: int, day: int) -> None:
        self.term[e] = day
        self.free[e, :] = NO_TERM
