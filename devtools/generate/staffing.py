"""Who is free to join a project. Everyone holds two task slots; a dedicated member takes both."""
from __future__ import annotations

import numpy as np

from .people import NO_TERM, Staff

PM = 2


class Staffing:
    def __init__(self, rng: np.random.Generator, staff: Staff):
        self.rng, self.staff = rng, staff
        self.free = np.repeat(np.maximum(staff.hire, 0)[:, None], 2, axis=1)  # first free day per slot
        self.lo, self.hi = self.free.min(1), self.free.max(1)  # kept in step with `free`
        self.term = staff.term.copy()  # turnover leavers get theirs while projects are staffed
        # worked on a project planted with another cause: their leaving would count there too
        self.marked = np.zeros(staff.n, bool)
        self.workers = np.flatnonzero(staff.kind > 0)  # heads of department only do admin
        self.pools = [self.workers[staff.dept[self.workers] == d] for d in range(staff.dept.max() + 1)]
        self.is_pm = staff.kind == PM

    def _set(self, e: int, slots: np.ndarray) -> None:
        self.free[e] = slots
        self.lo[e], self.hi[e] = slots.min(), slots.max()

    def _eligible(self, cand, want, span, pm, stable, leaving):
        ok = (self.staff.hire[cand] <= want - 5) & (self.term[cand] > want + span) & (self.lo[cand] < NO_TERM)
        ok &= self.is_pm[cand] if pm else ~self.is_pm[cand]
        if stable:  # planted projects keep people who stay, so the planted cause is the only one
            ok &= self.term[cand] == NO_TERM
        if leaving:
            ok &= ~self.marked[cand]
        return ok

    def pick(self, dept: int, want: int, span: int, pm: bool, dedicated: bool, stable: bool, taken: set,
             senior: bool = False, patient: bool = False, winding_down: bool = False, leaving: bool = False) -> int:
        """A person free around `want`: random among those free in time (own department first, then
        others; `senior`: among the costlier third of them; `winding_down`: the one whose other work
        ends first), else whoever frees up first within three months (`patient`: whenever); -1 if nobody.
        `dedicated` needs both slots free; `leaving` excludes people whose leaving would blur another
        planted cause."""
        mask = np.zeros(self.staff.n, bool)
        mask[list(taken)] = True
        free_of = self.hi if dedicated else self.lo
        for pool in ([self.pools[dept]] if pm else [self.pools[dept], self.workers]):
            cand = pool[~mask[pool]]
            ok = self._eligible(cand, want, span, pm, stable, leaving)
            fine = np.flatnonzero(ok & (free_of[cand] <= want + 10))
            if senior and len(fine) > 2:
                cost = self.staff.cost[cand[fine]]
                fine = fine[cost >= np.quantile(cost, 0.67)]
            if winding_down and len(fine):
                return int(cand[fine[np.argmin(self.hi[cand[fine]])]])
            if len(fine):
                return int(cand[fine[self.rng.integers(len(fine))]])
        cand = self.pools[dept][~mask[self.pools[dept]]]
        ok = self._eligible(cand, want, span, pm, stable, leaving)
        if not ok.any():
            return -1
        free = np.where(ok, free_of[cand], NO_TERM)
        best = int(np.argmin(free))
        return int(cand[best]) if free[best] <= (NO_TERM - 2 if patient else want + 90) else -1

    def book(self, e: int, dedicated: bool, until: int) -> None:
        """Member e works until day `until` (inclusive) in one slot, or both when dedicated."""
        slots = self.free[e].copy()
        if dedicated:
            slots = np.maximum(slots, until + 1)
        else:
            slots[np.argmin(slots)] = max(slots.min(), until + 1)
        self._set(e, slots)

    def block(self, e: int) -> tuple[int, int]:
        """Keep e's busier slot from new work (a leaver winds down); returns (slot, day it frees)."""
        other = int(np.argmax(self.free[e]))
        day = int(self.free[e, other])
        self.set_slot(e, other, BLOCKED)
        return other, day

    def set_slot(self, e: int, slot: int, day: int) -> None:
        slots = self.free[e].copy()
        slots[slot] = day
        self._set(e, slots)

    def start_day(self, e: int, want: int, dedicated: bool) -> int:
        return int(max(want, self.hi[e] if dedicated else self.lo[e]))

    def leave_company(self, e: int, day: int) -> None:
        self.term[e] = day
        self._set(e, np.array([NO_TERM, NO_TERM]))


BLOCKED = NO_TERM - 1  # a slot nobody may book (below NO_TERM, so the person still counts as employed)
