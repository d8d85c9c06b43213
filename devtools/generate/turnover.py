"""A planted leaver: leaves halfway through their work; weeks later a senior colleague takes it over,
part-time, dearer per hour and slower while learning it. The hours the leaver logged count under the
turnover driver; the gap and the slow takeover make the project late and over budget."""
from __future__ import annotations

import numpy as np

REPLACEMENT = 0.5  # the colleague covers the work next to their own: half a task slot


def hand_over(sched, p, e, t, order, al, i0, a_start, a_end, rate, taken, six):
    """Returns (segment task, start, end ordinals, last day) of the leaver's own work, or None when
    e cannot leave in time (then e simply stays)."""
    rng, cal, st = sched.rng, sched.cal, sched.staffing
    last_ok = int(np.searchsorted(al, cal.d_end - 75, "right")) - 1  # the loss shows before end_date
    other, other_free = sched.blocked.pop(e)
    t_o = min(i0 + int(rng.uniform(0.45, 0.65) * t["nd_act"].sum()), last_ok)
    t_o = max(t_o, int(np.searchsorted(al, other_free)))  # their work on other projects ends first
    if t_o < i0 + 10 or t_o > min(last_ok, i0 + 0.8 * t["nd_act"].sum()):
        st.set_slot(e, other, other_free)
        return None
    term = int(al[t_o])
    done = a_end <= t_o
    strad = (a_start <= t_o) & ~done
    later = a_start > t_o
    per_day = rate * t["inten"]
    left = np.where(strad, (a_end - t_o) * per_day, np.where(later, t["nd_act"] * per_day, 0.0))
    ramp = np.where(strad, rng.uniform(1.8, 2.2, len(left)), rng.uniform(1.4, 1.6, len(left)))
    handed = order[(strad | later)[order]]  # in execution order
    gap = int(rng.integers(30, 90))  # finding someone takes weeks
    need = int(left.sum() / (REPLACEMENT * rate) * 1.5) + 60  # calendar days of takeover, roughly
    r = st.pick(sched.pf.dept[p], term + gap, need, False, False, True, taken, senior=True)
    if r < 0:
        r = st.pick(sched.pf.dept[p], term + gap, 0, False, False, True, taken)
    st.leave_company(e, term)
    own = np.flatnonzero(done | strad)
    t["a1"][strad | later] = -1
    t["a0"][later] = -1
    result = own, a_start[own], np.minimum(a_end[own], t_o), term
    if r < 0 or len(handed) == 0:
        return result

    taken.add(r)
    al_r = sched.al[six][r]
    rate_r = REPLACEMENT * sched.slot_rate(r)
    nd_r = np.maximum(1, np.ceil(left[handed] * ramp[handed] / rate_r)).astype(int)
    j0 = int(np.searchsorted(al_r, st.start_day(r, term + gap, False)))
    r_end = j0 + np.cumsum(nd_r) - 1
    r_start = r_end - nd_r + 1
    fits = r_end < len(al_r)
    t["a1"][handed[fits]] = al_r[r_end[fits]]
    t["a0"][handed] = np.where(later[handed], al_r[np.minimum(r_start, len(al_r) - 1)], t["a0"][handed])
    t["assignee"][handed] = r
    t["skill"][handed], t["level"][handed] = sched.req.refit(r, t["skill"][handed], t["level"][handed])
    ok = r_start < len(al_r)
    sched.add_segments(handed[ok], r, six, r_start[ok], np.minimum(r_end[ok], len(al_r) - 1), rate_r, False)
    st.book(r, False, int(al_r[min(r_end[-1], len(al_r) - 1)]))
    return result
