"""Runs the portfolio: staffs each project, plans its tasks, then simulates when the work really ran.

A member works through their tasks one after the other inside a task slot. Work is counted in the
member's available days (an ordinal over their working days off leave), so a plan that respects
leave and holidays is one cumsum. Planned dates come from the estimates; actual dates from the
estimates times a stretch. Healthy projects stretch about 1; each planted cause bends the run
through exactly what its root-cause driver measures."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .calendar import Calendar
from .config import CAUSES
from .people import Staff
from .plan import CANCELLED, NORMAL, ON_HOLD, PLANNED, Portfolio, latest_rollout
from .requirements import Requirements
from .staffing import Staffing

SLOT = 0.42  # share of a working day one task slot takes
BLOCKED = 10**7 - 1  # a slot nobody may book (still below NO_TERM, so the person counts as employed)
REPLACEMENT = 0.5  # a replacement covers the work next to their own: part of a slot
RUNNING, CANCELLED_TASK, PAUSED = 0, 1, 2  # task state besides its dates

# cause -> (share of a member's tasks hit, stretch range) when primary, and when mixed in mildly
STRONG = {"estimation": (0.85, 1.6, 2.3), "skill_gap": (0.8, 1.7, 2.2), "training_gap": (0.85, 1.5, 1.9)}
MILD = {"estimation": (0.25, 1.25, 1.45), "skill_gap": (0.15, 1.3, 1.5), "training_gap": (0.15, 1.2, 1.4)}


class Buffer:
    def __init__(self):
        self.cols = defaultdict(list)

    def add(self, **cols):
        for k, v in cols.items():
            self.cols[k].append(np.asarray(v))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


class Scheduler:
    def __init__(self, rng, cal: Calendar, staff: Staff, avail5, avail6, pf: Portfolio, rollouts):
        self.rng, self.cal, self.staff, self.pf, self.rollouts = rng, cal, staff, pf, rollouts
        self.al = {False: [np.flatnonzero(r) for r in avail5], True: [np.flatnonzero(r) for r in avail6]}
        self.work = {False: np.flatnonzero(cal.work5), True: np.flatnonzero(cal.work6)}
        self.staffing = Staffing(rng, staff)
        self.req = Requirements(rng, staff)
        self.tasks, self.segs = Buffer(), Buffer()
        self.n_tasks = 0
        self.train_after: dict[tuple[int, int], int] = {}  # (employee, tool) -> earliest course day
        self.blocked: dict[int, tuple[int, int]] = {}  # leaver -> (other slot, day it was free)
        n = pf.n
        self.start = np.zeros(n, int)
        self.pm = np.full(n, -1)
        self.plan_day = np.zeros(n, int)
        self.cut = np.full(n, -1)  # cancellation or hold day
        self.resume = np.full(n, -1)
        self.plan_end = np.zeros(n, int)  # latest planned task end

    def run(self):
        for p in range(self.pf.n):
            self.project(p)
        return self.tasks.arrays(), self.segs.arrays()

    # ---- helpers -------------------------------------------------------------------------------
    def workday(self, p: int, day: int) -> int:
        w = self.work[bool(self.pf.six_day[p])]
        return int(w[min(np.searchsorted(w, day), len(w) - 1)])

    def durations(self, total: float, median: float = 10.0) -> np.ndarray:
        """Task lengths in working days adding up to about `total`."""
        d = np.clip(np.rint(np.exp(self.rng.normal(np.log(median), 0.5, 200))), 2, 40).astype(int)
        return d[: max(1, int(np.searchsorted(np.cumsum(d), total)) + 1)]

    # ---- a project -----------------------------------------------------------------------------
    def project(self, p: int):
        rng, pf, cal = self.rng, self.pf, self.cal
        cause = CAUSES[pf.cause[p]] if pf.cause[p] >= 0 else None
        second = CAUSES[pf.secondary[p]] if pf.secondary[p] >= 0 else None
        s = self.workday(p, pf.start[p])
        self.start[p] = s
        self.plan_day[p] = min(s - rng.integers(5, 30), cal.d_end - rng.integers(1, 10))
        span = int(pf.load[p] * 1.6)
        if pf.kind[p] == CANCELLED:
            self.cut[p] = min(s + int(rng.uniform(0.3, 0.7) * span), cal.d_end - 15)
        elif pf.kind[p] == ON_HOLD:
            self.cut[p] = min(s + int(rng.uniform(0.3, 0.6) * span), cal.d_end - 40)
            self.resume[p] = cal.d_end + rng.integers(20, 120)
        tool = latest_rollout(self.rollouts, pf.dept[p], s) if "training_gap" in (cause, second) else -1

        k = int(pf.team[p])
        offsets = np.where(rng.random(k) < 0.55, 0, rng.uniform(0, 0.35 * span, k)).astype(int)
        offsets[0] = 0
        over = np.zeros(k, bool)
        leaver = np.zeros(k, bool)
        if cause == "over_allocation":
            over = rng.random(k) < 0.85
            over[0] = over[1:].sum() == 0 or over[0]
        if cause == "turnover":
            leaver[1 + rng.permutation(k - 1)[: max(2, round(0.75 * (k - 1)))]] = True
        dedicated = over
        stretch_max = 2.3 if cause in STRONG else 1.5
        need = int(span * 1.3 * stretch_max) + 60

        # Planted, stopped and future projects keep people who stay: a leaver there would be a second cause
        # or would hold tasks planned after their last day.
        stable = cause is not None or pf.kind[p] != NORMAL
        two = ~dedicated & (rng.random(k) < 0.4) & (cause != "turnover")  # works two tasks of the project side by side
        taken: set[int] = set()
        for j in range(k):
            both = bool(dedicated[j] or two[j] or leaver[j])
            e = self.staffing.pick(pf.dept[p], s + offsets[j], need, j == 0, both, stable, taken)
            if e < 0 and leaver[j]:
                e = self.staffing.pick(pf.dept[p], s + offsets[j], need, False, False, stable, taken)
            if e < 0 and j == 0:  # no project manager free: a team lead runs it
                e = self.staffing.pick(pf.dept[p], s, need, False, False, stable, taken)
            if e < 0:
                continue
            taken.add(e)
            if leaver[j]:  # a leaver takes no new work elsewhere: hold their other slot
                other = int(np.argmax(self.staffing.free[e]))
                self.blocked[e] = (other, int(self.staffing.free[e, other]))
                self.staffing.free[e, other] = BLOCKED
            if self.pm[p] < 0:
                self.pm[p] = e
            for seq in range(2 if two[j] else 1):
                extra = cause is None and pf.kind[p] == NORMAL and j == k - 1 and seq == 0 and rng.random() < 0.35
                self.member(p, e, s + offsets[j], bool(dedicated[j]), bool(over[j]), bool(leaver[j]), cause, second,
                            tool, taken, healthy_extra=extra)
        if pf.costed[p]:
            self.fixed_cost_tasks(p)

    def member(self, p, e, want, dedicated, over, leaver, cause, second, tool, taken, healthy_extra):
        rng, pf, cal, st = self.rng, self.pf, self.cal, self.staffing
        six = bool(pf.six_day[p])
        al = self.al[six][e]
        start = st.start_day(e, want, dedicated)
        i0 = int(np.searchsorted(al, start))
        # a planted leaver holds a large share of the work, so losing them delays the whole project
        nd = self.durations(pf.load[p] * (rng.uniform(1.2, 1.5) if leaver else rng.uniform(0.6, 1.3)))
        n = len(nd)
        rate = SLOT * self.staff.daily[e] * (2 if dedicated else 1)
        stretch = np.clip(rng.normal(pf.perf[p], 0.05, n), 0.8, 1.15)
        inten = np.ones(n)
        skill, level = self.req.met(e, n)
        tools = np.full(n, -1)
        for name, table in ((cause, STRONG), (second, MILD)):
            if name not in table:
                continue
            share, lo, hi = table[name]
            hit = rng.random(n) < share
            stretch[hit] = rng.uniform(lo, hi, hit.sum())
            if name == "skill_gap" and hit.any():
                skill[hit], level[hit] = self.req.gap(e, int(hit.sum()))
            if name == "training_gap":
                tools[hit] = tool
        if over:  # more hours a day than the person has, and still slower
            inten[:] = rng.uniform(1.35, 1.55, n)
            stretch = rng.uniform(1.05, 1.2, n)
        nd_act = np.maximum(1, np.rint(nd * stretch)).astype(int)
        pe_o = i0 + np.cumsum(nd) - 1
        t = dict(nd=nd, nd_act=nd_act, ps_o=pe_o - nd + 1, pe_o=pe_o, skill=skill, level=level, tool=tools,
                 inten=inten, created=np.full(n, self.plan_day[p]), late=np.zeros(n, bool))
        order = np.arange(n)

        creep = {"scope_creep": rng.uniform(0.75, 1.0)}.get(cause) or (
            rng.uniform(0.1, 0.2) if second == "scope_creep" and rng.random() < 0.6 else 0)
        if creep:
            order = self.add_scope(t, order, e, al, i0, creep, p)
        elif healthy_extra:
            order = self.append_small(t, order, e, al, p)

        n = len(t["nd"])
        a_start, a_end = self.sequence(t["nd_act"], order, i0, np.searchsorted(al, t["created"] + 3))
        t["assignee"] = np.full(n, e)
        t["a0"], t["a1"] = al[np.minimum(a_start, len(al) - 1)], al[np.minimum(a_end, len(al) - 1)]
        t["a1"][a_end >= len(al)] = -1  # ran past the person's employment or the horizon: never finished
        t["state"] = np.full(n, RUNNING)
        seg_task, seg_o0, seg_o1 = np.arange(n), a_start.copy(), a_end.copy()
        last = int(al[min(a_end.max(), len(al) - 1)])

        kind = pf.kind[p]
        if kind == PLANNED:
            t["a0"][:], t["a1"][:] = -1, -1
            seg_task, seg_o0, seg_o1 = seg_task[:0], seg_o0[:0], seg_o1[:0]
        elif kind in (CANCELLED, ON_HOLD):
            oc = int(np.searchsorted(al, self.cut[p], "right")) - 1
            done, after = a_end <= oc, a_start > oc
            t["state"][~done] = CANCELLED_TASK if kind == CANCELLED else PAUSED
            t["state"][after & (kind == ON_HOLD)] = RUNNING  # not started: simply to do, later
            t["a1"][~done], t["a0"][after] = -1, -1
            keep = ~after
            seg_task, seg_o0, seg_o1 = seg_task[keep], seg_o0[keep], np.minimum(seg_o1[keep], oc)
            last = int(al[max(min(oc, a_end.max()), 0)])
            if kind == ON_HOLD and (~done).any():  # re-planned to run after the resume date
                delta = int(np.searchsorted(al, self.resume[p])) - t["ps_o"][~done].min()
                t["ps_o"][~done] += delta
                t["pe_o"][~done] += delta
        cut = None
        if kind == NORMAL and leaver:
            cut = self.turnover(p, e, t, order, al, i0, a_start, a_end, rate, taken, six)
            if cut is not None:
                seg_task, seg_o0, seg_o1, last = cut

        base = self.n_tasks
        self.n_tasks += n
        ok = seg_o0 < len(al)
        self.segs.add(task=base + seg_task[ok], emp=np.full(ok.sum(), e), six=np.full(ok.sum(), six),
                      o0=seg_o0[ok], o1=np.minimum(seg_o1[ok], len(al) - 1),
                      rate=rate * t["inten"][seg_task[ok]], over=np.full(ok.sum(), over))
        if tool >= 0 and (t["tool"] == tool).any():  # their course in the tool comes only after this project
            key = (e, tool)
            self.train_after[key] = max(self.train_after.get(key, 0), last + int(rng.integers(10, 60)))
        if not (leaver and cut is not None):  # a leaver's slots were closed by leave_company
            st.book(e, dedicated, last)
        hours = np.maximum(0.5, np.round(t["nd"] * rate * rng.uniform(0.97, 1.03, n) * 2) / 2)
        ps = al[np.minimum(t["ps_o"], len(al) - 1)]
        pe = al[np.minimum(t["pe_o"], len(al) - 1)]
        self.plan_end[p] = max(self.plan_end[p], pe.max())
        self.tasks.add(proj=np.full(n, p), assignee=t["assignee"], plan_emp=np.full(n, e), skill=t["skill"],
                       level=t["level"], tool=t["tool"], created=np.minimum(t["created"], ps), ps=ps, pe=pe,
                       hours=hours, a0=t["a0"], a1=t["a1"], state=t["state"], fixed=np.zeros(n, bool), late=t["late"])

    # ---- scope -----------------------------------------------------------------------------------
    def add_scope(self, t, order, e, al, i0, ratio, p):
        """Tasks that enter the plan weeks after the start: squeezed into the plan next to the
        original ones, but worked after whatever the person is doing when they arrive."""
        rng = self.rng
        nd = self.durations(t["nd"].sum() * ratio)
        m = len(nd)
        s = self.start[p]
        created = np.sort(s + 15 + rng.integers(0, max(2, int(0.5 * (al[min(t["pe_o"][-1], len(al) - 1)] - s))), m))
        ps_o = np.searchsorted(al, created + rng.integers(2, 9, m))
        a_start_days = al[np.minimum(i0 + np.cumsum(t["nd_act"]) - t["nd_act"], len(al) - 1)]
        pos = np.searchsorted(a_start_days, created + 5)
        skill, level = self.req.met(e, m)
        self._extend(t, dict(nd=nd, nd_act=np.maximum(1, np.rint(nd * rng.normal(1.0, 0.04, m))).astype(int),
                             ps_o=ps_o, pe_o=ps_o + nd - 1, skill=skill, level=level, tool=np.full(m, -1),
                             inten=np.ones(m), created=created, late=np.ones(m, bool)))
        keys = np.r_[np.arange(len(order)) * 2 + 1, pos * 2]
        return np.argsort(keys, kind="stable")

    def append_small(self, t, order, e, al, p):
        """A healthy project's late additions: one or two small tasks, planned (and budgeted) properly."""
        rng = self.rng
        nd = rng.integers(2, 6, rng.integers(1, 3))
        m = len(nd)
        pe_o = t["pe_o"][-1] + np.cumsum(nd)
        ps_o = pe_o - nd + 1
        ps_day = al[np.minimum(ps_o, len(al) - 1)]
        created = np.maximum(self.start[p] + 15, ps_day - rng.integers(5, 30, m))
        skill, level = self.req.met(e, m)
        self._extend(t, dict(nd=nd, nd_act=nd.copy(), ps_o=ps_o, pe_o=pe_o, skill=skill, level=level,
                             tool=np.full(m, -1), inten=np.ones(m), created=np.minimum(created, ps_day),
                             late=np.zeros(m, bool)))
        return np.r_[order, np.arange(len(order), len(order) + m)]

    @staticmethod
    def sequence(nd_act, order, i0, earliest):
        """Actual (start, end) ordinals of tasks worked one after the other in `order`, none before
        the plan knew of it."""
        a_end = np.empty(len(nd_act), int)
        a_end[order] = i0 + np.cumsum(nd_act[order]) - 1
        a_start = a_end - nd_act + 1
        if (a_start >= earliest).all():
            return a_start, a_end
        at = i0
        for i in order:
            a_start[i] = max(at, earliest[i])
            a_end[i] = a_start[i] + nd_act[i] - 1
            at = a_end[i] + 1
        return a_start, a_end

    @staticmethod
    def _extend(t, extra):
        for k, v in extra.items():
            t[k] = np.r_[t[k], v]

    # ---- turnover --------------------------------------------------------------------------------
    def turnover(self, p, e, t, order, al, i0, a_start, a_end, rate, taken, six):
        """e leaves halfway through their work; a colleague picks it up weeks later, slower and
        partly redoing it. Returns the leaver's segments and last day, or None if e stays."""
        rng, cal, st = self.rng, self.cal, self.staffing
        last_ok = int(np.searchsorted(al, cal.d_end - 75, "right")) - 1  # leaving shows before end_date
        other, other_free = self.blocked.pop(e)
        t_o = min(i0 + int(rng.uniform(0.45, 0.65) * t["nd_act"].sum()), last_ok)
        t_o = max(t_o, int(np.searchsorted(al, other_free)))  # their other work ends first
        if t_o < i0 + 10 or t_o > min(last_ok, i0 + 0.8 * t["nd_act"].sum()):
            st.free[e, other] = other_free
            return None
        term = int(al[t_o])
        done = a_end <= t_o
        strad = (a_start <= t_o) & ~done
        later = a_start > t_o
        per_day = rate * t["inten"]
        left = np.where(strad, (a_end - t_o) * per_day, np.where(later, t["nd_act"] * per_day, 0.0))
        ramp = np.where(strad, rng.uniform(1.8, 2.2, len(left)), rng.uniform(1.4, 1.6, len(left)))
        handed = order[(strad | later)[order]]  # in execution order
        gap = int(rng.integers(30, 90))  # finding a replacement takes weeks
        need = int(left.sum() / (SLOT * 8) * 1.6) + 60
        r = st.pick(self.pf.dept[p], term + gap, need, False, False, True, taken | {e})
        if r < 0:
            r = st.pick(self.pf.dept[p], term + gap, 0, False, False, True, taken | {e})
        st.leave_company(e, term)
        seg_task = np.flatnonzero(done | strad)
        seg_o0, seg_o1 = a_start[seg_task], np.minimum(a_end[seg_task], t_o)
        t["a1"][strad | later] = -1
        t["a0"][later] = -1
        if r < 0 or len(handed) == 0:
            return seg_task, seg_o0, seg_o1, term
        taken.add(r)
        al_r = self.al[six][r]
        rate_r = REPLACEMENT * SLOT * self.staff.daily[r]
        nd_r = np.maximum(1, np.ceil(left[handed] * ramp[handed] / rate_r)).astype(int)
        j0 = int(np.searchsorted(al_r, st.start_day(r, term + gap, False)))
        r_end = j0 + np.cumsum(nd_r) - 1
        r_start = r_end - nd_r + 1
        fits = r_end < len(al_r)
        t["a1"][handed[fits]] = al_r[r_end[fits]]
        t["a0"][handed] = np.where(later[handed], al_r[np.minimum(r_start, len(al_r) - 1)], t["a0"][handed])
        t["assignee"][handed] = r
        t["skill"][handed], t["level"][handed] = self.req.refit(r, t["skill"][handed], t["level"][handed])
        ok = r_start < len(al_r)
        base = self.n_tasks
        self.segs.add(task=base + handed[ok], emp=np.full(ok.sum(), r), six=np.full(ok.sum(), six), o0=r_start[ok],
                      o1=np.minimum(r_end[ok], len(al_r) - 1), rate=np.full(ok.sum(), rate_r),
                      over=np.zeros(ok.sum(), bool))
        st.book(r, False, int(al_r[min(r_end[-1], len(al_r) - 1)]))
        return seg_task, seg_o0, seg_o1, term

    # ---- fixed costs -----------------------------------------------------------------------------
    def fixed_cost_tasks(self, p):
        """One-day tasks carrying a planned cost a tool or vendor charges (licences, hardware)."""
        rng, cal = self.rng, self.cal
        if self.pm[p] < 0 or rng.random() > 0.6:
            return
        pe = max(self.plan_end[p], self.start[p] + 20)
        m = int(rng.integers(1, 3))
        days = np.array([self.workday(p, self.start[p] + int(rng.uniform(0, 0.5) * (pe - self.start[p])))
                         for _ in range(m)])
        a = np.where(days <= cal.d_end, days, -1)
        state = np.full(m, RUNNING)
        kind = self.pf.kind[p]
        if kind == PLANNED:
            a[:] = -1
        elif kind in (CANCELLED, ON_HOLD):
            after = days > self.cut[p]
            a[after] = -1
            state[after] = CANCELLED_TASK if kind == CANCELLED else RUNNING
            if kind == ON_HOLD:
                days[after] = [self.workday(p, self.resume[p] + int(rng.integers(0, 20))) for _ in range(after.sum())]
        self.n_tasks += m
        self.tasks.add(proj=np.full(m, p), assignee=np.full(m, self.pm[p]), plan_emp=np.full(m, self.pm[p]),
                       skill=np.full(m, -1), level=np.zeros(m, int), tool=np.full(m, -1),
                       created=np.full(m, self.plan_day[p]), ps=days, pe=days, hours=np.full(m, 1.0), a0=a, a1=a,
                       state=state, fixed=np.ones(m, bool), late=np.zeros(m, bool))
