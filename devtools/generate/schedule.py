"""Runs the portfolio: staffs each project, plans its tasks, then simulates when the work really ran.

A member works through their tasks one after the other in a task slot. Work is counted in the
member's available days (an ordinal over their working days off leave), so a leave-aware plan is a
cumsum. Planned dates come from the estimates, actual dates from the estimates times a stretch.
Healthy projects stretch a little under 1 (teams plan with some slack), less after a tool rollout
for people trained in the tool and more for those who are not; each planted cause bends the run
through exactly what its root-cause driver measures."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .calendar import Calendar
from .config import CAUSES
from .people import Staff
from .plan import CANCELLED, NORMAL, ON_HOLD, PLANNED, Portfolio, latest_rollout
from .requirements import Requirements
from .scope import add_scope, append_small
from .staffing import Staffing
from .turnover import hand_over

SLOT = 0.42  # share of a working day one task slot takes; people hold two
RUNNING, CANCELLED_TASK = 0, 1  # task state besides its dates

# cause -> (share of a member's tasks hit, stretch range): as the primary cause, and mixed in mildly
STRONG = {"estimation": (0.85, 1.6, 2.3), "skill_gap": (0.8, 1.7, 2.2), "training_gap": (0.85, 1.5, 1.9)}
MILD = {"estimation": (0.25, 1.25, 1.45), "skill_gap": (0.15, 1.3, 1.5), "training_gap": (0.15, 1.2, 1.4)}
# On healthy projects, after a department rolls out a tool, people trained in it work a little
# faster, the untrained a little slower (kpi_tool_adoption compares them)
TOOL_PACE = {True: 0.96, False: 1.02}


class Buffer:
    def __init__(self):
        self.cols = defaultdict(list)

    def add(self, **cols):
        for k, v in cols.items():
            self.cols[k].append(np.asarray(v))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


class Scheduler:
    def __init__(self, rng, cal: Calendar, staff: Staff, avail5, avail6, pf: Portfolio, rollouts,
                 tool_train: np.ndarray | None = None):
        self.rng, self.cal, self.staff, self.pf, self.rollouts = rng, cal, staff, pf, rollouts
        self.tool_train = tool_train  # employee x tool: day of the person's course in the tool
        # each person's available days, for Monday-Friday and for Monday-Saturday projects
        self.al = {False: [np.flatnonzero(r) for r in avail5], True: [np.flatnonzero(r) for r in avail6]}
        self.work = {False: np.flatnonzero(cal.work5), True: np.flatnonzero(cal.work6)}
        self.staffing = Staffing(rng, staff)
        self.req = Requirements(rng, staff)
        self.tasks, self.segs = Buffer(), Buffer()
        self.n_tasks = 0
        self.train_after: dict[tuple[int, int], int] = {}  # (employee, tool) -> earliest course day
        self.blocked: dict[int, tuple[int, int]] = {}  # planted leaver -> (other slot, day it frees)
        n = pf.n
        self.start, self.plan_day, self.plan_end = np.zeros(n, int), np.zeros(n, int), np.zeros(n, int)
        self.pm = np.full(n, -1)
        self.cut = np.full(n, -1)  # cancellation or hold day
        self.resume = np.full(n, -1)

    def run(self):
        for p in range(self.pf.n):
            self.project(p)
        return self.tasks.arrays(), self.segs.arrays()

    def workday(self, p: int, day: int) -> int:
        w = self.work[bool(self.pf.six_day[p])]
        return int(w[min(np.searchsorted(w, day), len(w) - 1)])

    def durations(self, total: float) -> np.ndarray:
        """Task lengths in working days (median 10) adding up to about `total`."""
        d = np.clip(np.rint(np.exp(self.rng.normal(np.log(10), 0.5, 200))), 2, 40).astype(int)
        return d[: max(1, int(np.searchsorted(np.cumsum(d), total)) + 1)]

    def slot_rate(self, e: int) -> float:
        return SLOT * self.staff.daily[e]

    def add_segments(self, local, emp, six, o0, o1, rate, over):
        """Worked stretches of the member's tasks (numbered from self.n_tasks), in available-day ordinals."""
        n = len(local)
        self.segs.add(task=self.n_tasks + local, emp=np.full(n, emp), six=np.full(n, six), o0=o0, o1=o1,
                      rate=np.broadcast_to(rate, n), over=np.full(n, over))

    # ---- a project -----------------------------------------------------------------------------
    def project(self, p: int):
        rng, pf, cal, st = self.rng, self.pf, self.cal, self.staffing
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
        if not pf.costed[p]:  # earned value by hours: a cost mix that shifts over time would skew CPI
            offsets[:] = 0
        over, leaver = np.zeros(k, bool), np.zeros(k, bool)
        if cause == "over_allocation":
            over = rng.random(k) < 0.85
            over[0] |= not over[1:].any()
        if cause == "turnover":
            leaver[1 + rng.permutation(k - 1)[: max(2, round(0.75 * (k - 1)))]] = True
        two = ~over & (rng.random(k) < 0.4) & (cause != "turnover")  # two tasks of the project side by side
        need = int(span * 1.3 * (2.3 if cause in STRONG else 1.5)) + 60  # days a member must stay
        # Planted, stopped and future projects take people who stay: a leaver there would be a second
        # cause, or would hold tasks planned after their last day.
        stable = cause is not None or pf.kind[p] != NORMAL

        taken: set[int] = set()
        for j in range(k):
            want, both = s + offsets[j], bool(over[j] or two[j] or leaver[j])
            e = st.pick(pf.dept[p], want, need, j == 0, both, stable, taken, leaving=leaver[j])
            if e < 0 and over[j]:  # overworked members must be free of other work: wait for one
                e = st.pick(pf.dept[p], want, need, False, True, stable, taken, patient=True)
            if e < 0 and leaver[j]:
                e = st.pick(pf.dept[p], want, need, False, False, stable, taken, winding_down=True, leaving=True)
            if e < 0 and j == 0:  # no project manager free: a team lead or a specialist runs it
                e = st.pick(pf.dept[p], s, need, False, False, stable, taken)
            if e < 0:
                continue
            taken.add(e)
            st.marked[e] |= cause not in (None, "turnover")
            if leaver[j]:  # a leaver takes no new work elsewhere
                self.blocked[e] = st.block(e)
            if self.pm[p] < 0:
                self.pm[p] = e
            for seq in range(2 if two[j] else 1):
                extra = cause is None and pf.kind[p] == NORMAL and j == k - 1 and seq == 0 and rng.random() < 0.35
                self.member(p, e, want, bool(over[j]), bool(leaver[j]), cause, second, tool, taken, extra)
        if not taken:  # nobody free in time: the first colleague who frees up starts it, late
            e = st.pick(pf.dept[p], s, 0, False, False, True, taken, patient=True)
            if e >= 0:
                self.pm[p] = e
                self.member(p, e, s, False, False, cause, second, tool, taken, False)
        if pf.costed[p]:
            self.fixed_cost_tasks(p)

    def member(self, p, e, want, over, leaver, cause, second, tool, taken, extra):
        """One task sequence of member e (both slots at double pace when `over`): plan, run, record."""
        rng, pf = self.rng, self.pf
        six = bool(pf.six_day[p])
        al = self.al[six][e]
        i0 = int(np.searchsorted(al, self.staffing.start_day(e, want, over)))
        # a planted leaver holds a large share of the work, so losing them delays the whole project
        nd = self.durations(pf.load[p] * (rng.uniform(1.2, 1.5) if leaver else rng.uniform(0.6, 1.3)))
        n = len(nd)
        rate = self.slot_rate(e) * (2 if over else 1)
        stretch = np.clip(rng.normal(pf.perf[p], 0.04, n), 0.8, 1.15)
        pe_o = i0 + np.cumsum(nd) - 1
        if cause is None:
            stretch *= self.tool_pace(p, e, al[np.minimum(pe_o - nd + 1, len(al) - 1)])
        inten = np.ones(n)
        skill, level = self.req.met(e, n)
        tools = np.full(n, -1)
        for name, table in ((cause, STRONG), (second, MILD)):
            if name in table:
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
        t = dict(nd=nd, nd_act=np.maximum(1, np.rint(nd * stretch)).astype(int), ps_o=pe_o - nd + 1, pe_o=pe_o,
                 skill=skill, level=level, tool=tools, inten=inten, created=np.full(n, self.plan_day[p]),
                 late=np.zeros(n, bool))
        order = np.arange(n)
        creep = rng.uniform(0.75, 1.0) if cause == "scope_creep" else (
            rng.uniform(0.08, 0.14) if second == "scope_creep" and rng.random() < 0.5 else 0)
        if creep:
            order = add_scope(self, t, order, e, al, i0, creep, p)
        elif extra:
            order = append_small(self, t, order, e, al, p)

        n = len(t["nd"])
        a_start, a_end = self.sequence(t["nd_act"], order, i0, np.searchsorted(al, t["created"] + 3))
        end = len(al) - 1
        t["assignee"] = np.full(n, e)
        t["a0"], t["a1"] = al[np.minimum(a_start, end)], al[np.minimum(a_end, end)]
        t["a1"][a_end > end] = -1  # ran past the person's employment or the horizon: never finished
        t["state"] = np.full(n, RUNNING)
        segs = np.arange(n), a_start, a_end, int(al[min(a_end.max(), end)])
        if pf.kind[p] == PLANNED:
            t["a0"][:], t["a1"][:] = -1, -1
            segs = segs[0][:0], a_start[:0], a_end[:0], segs[3]
        elif pf.kind[p] != NORMAL:
            segs = self.stop(p, t, al, a_start, a_end)
        elif leaver:
            segs = hand_over(self, p, e, t, order, al, i0, a_start, a_end, rate, taken, six) or segs
        local, o0, o1, last = segs
        ok = o0 <= end
        self.add_segments(local[ok], e, six, o0[ok], np.minimum(o1[ok], end), rate * t["inten"][local[ok]], over)
        if tool >= 0 and (t["tool"] == tool).any():  # their course in the tool comes only after this project
            self.train_after[(e, tool)] = max(self.train_after.get((e, tool), 0), last + int(rng.integers(10, 60)))
        if self.staffing.term[e] > last:  # a leaver's slots were closed when they left
            self.staffing.book(e, over, last)
        ps, pe = al[np.minimum(t["ps_o"], end)], al[np.minimum(t["pe_o"], end)]
        self.plan_end[p] = max(self.plan_end[p], pe.max())
        self.n_tasks += n
        self.tasks.add(proj=np.full(n, p), assignee=t["assignee"], plan_emp=np.full(n, e), skill=t["skill"],
                       level=t["level"], tool=t["tool"], created=np.minimum(t["created"], ps), ps=ps, pe=pe,
                       hours=np.maximum(0.5, np.round(t["nd"] * rate * rng.uniform(0.97, 1.03, n) * 2) / 2),
                       a0=t["a0"], a1=t["a1"], state=t["state"], fixed=np.zeros(n, bool), late=t["late"])

    def tool_pace(self, p: int, e: int, days: np.ndarray) -> np.ndarray:
        """Pace factor of tasks starting on `days`: after the department's latest rollout, faster
        when the person is trained in that tool by then, slower when not; 1 before any rollout."""
        pace = np.ones(len(days))
        if self.tool_train is None:
            return pace
        rows = self.rollouts[self.rollouts[:, 1] == self.pf.dept[p]]
        for tool, _, day in rows[np.argsort(rows[:, 2], kind="stable")]:  # the latest rollout wins
            live = days >= day
            pace[live] = np.where(self.tool_train[e, tool] <= days[live], TOOL_PACE[True], TOOL_PACE[False])
        return pace

    def stop(self, p, t, al, a_start, a_end):
        """Cancelled or on-hold project: work stops at the cut day. Cancelled: the rest is cancelled.
        On hold: the rest is re-planned to run after the resume date."""
        oc = int(np.searchsorted(al, self.cut[p], "right")) - 1
        done, after = a_end <= oc, a_start > oc
        if self.pf.kind[p] == CANCELLED:
            t["state"][~done] = CANCELLED_TASK
        elif (~done).any():
            delta = int(np.searchsorted(al, self.resume[p])) - t["ps_o"][~done].min()
            t["ps_o"][~done] += delta
            t["pe_o"][~done] += delta
        t["a1"][~done], t["a0"][after] = -1, -1
        keep = np.flatnonzero(~after)
        return keep, a_start[keep], np.minimum(a_end[keep], oc), int(al[max(min(oc, a_end.max()), 0)])

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

    def fixed_cost_tasks(self, p):
        """One-day tasks carrying a planned cost a tool or vendor charges (licences, hardware)."""
        rng, cal, kind = self.rng, self.cal, self.pf.kind[p]
        if self.pm[p] < 0 or rng.random() > 0.6:
            return
        s, m = self.start[p], int(rng.integers(1, 3))
        days = np.array([self.workday(p, s + int(rng.uniform(0, 0.5) * max(self.plan_end[p] - s, 20)))
                         for _ in range(m)])
        a = np.where((days <= cal.d_end) & (kind != PLANNED), days, -1)
        state = np.full(m, RUNNING)
        if kind in (CANCELLED, ON_HOLD):
            after = days > self.cut[p]
            a[after] = -1
            if kind == CANCELLED:
                state[after] = CANCELLED_TASK
            else:
                days[after] = [self.workday(p, self.resume[p] + int(rng.integers(0, 20))) for _ in range(after.sum())]
        self.n_tasks += m
        self.tasks.add(proj=np.full(m, p), assignee=np.full(m, self.pm[p]), plan_emp=np.full(m, self.pm[p]),
                       skill=np.full(m, -1), level=np.zeros(m, int), tool=np.full(m, -1),
                       created=np.full(m, self.plan_day[p]), ps=days, pe=days, hours=np.full(m, 1.0), a0=a, a1=a,
                       state=state, fixed=np.ones(m, bool), late=np.zeros(m, bool))
