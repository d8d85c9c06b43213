"""Tasks that enter a project's plan after it started: planted scope creep, and a healthy project's
small late additions."""
from __future__ import annotations

import numpy as np


def extend(t: dict, extra: dict) -> None:
    for k, v in extra.items():
        t[k] = np.r_[t[k], v]


def add_scope(sched, t: dict, order: np.ndarray, e: int, al: np.ndarray, i0: int, ratio: float, p: int) -> np.ndarray:
    """`ratio` times the member's planned work arrives in new tasks, created weeks after the start.
    The plan squeezes them in next to the original tasks (the budget and the end date stay); the
    person works them after whatever they are doing when they arrive, so everything after slips.
    Returns the new execution order."""
    rng = sched.rng
    nd = sched.durations(t["nd"].sum() * ratio)
    m = len(nd)
    s = sched.start[p]
    horizon = max(2, int(0.5 * (al[min(t["pe_o"][-1], len(al) - 1)] - s)))
    created = np.sort(s + 15 + rng.integers(0, horizon, m))
    ps_o = np.searchsorted(al, created + rng.integers(2, 9, m))
    a_start_days = al[np.minimum(i0 + np.cumsum(t["nd_act"]) - t["nd_act"], len(al) - 1)]
    pos = np.searchsorted(a_start_days, created + 5)  # goes before the first task not yet started
    skill, level = sched.req.met(e, m)
    extend(t, dict(nd=nd, nd_act=np.maximum(1, np.rint(nd * rng.normal(1.0, 0.04, m))).astype(int),
                   ps_o=ps_o, pe_o=ps_o + nd - 1, skill=skill, level=level, tool=np.full(m, -1),
                   inten=np.ones(m), created=created, late=np.ones(m, bool)))
    keys = np.r_[np.arange(len(order)) * 2 + 1, pos * 2]
    return np.argsort(keys, kind="stable")


def append_small(sched, t: dict, order: np.ndarray, e: int, al: np.ndarray, p: int) -> np.ndarray:
    """One or two small tasks added later to a healthy project, planned (and budgeted) properly."""
    rng = sched.rng
    nd = rng.integers(2, 6, rng.integers(1, 3))
    m = len(nd)
    pe_o = t["pe_o"][-1] + np.cumsum(nd)
    ps_o = pe_o - nd + 1
    ps_day = al[np.minimum(ps_o, len(al) - 1)]
    created = np.minimum(np.maximum(sched.start[p] + 15, ps_day - rng.integers(5, 30, m)), ps_day)
    skill, level = sched.req.met(e, m)
    extend(t, dict(nd=nd, nd_act=nd.copy(), ps_o=ps_o, pe_o=pe_o, skill=skill, level=level, tool=np.full(m, -1),
                   inten=np.ones(m), created=created, late=np.zeros(m, bool)))
    return np.r_[order, np.arange(len(order), len(order) + m)]
