"""The simulation's arrays turned into the input contract's entities (column names and types of docs/inputs.md)."""
from __future__ import annotations

import numpy as np
import polars as pl

from .calendar import Calendar
from .config import (CAUSES, DEPARTMENTS, DEPT_OBJECTS, PROJECT_NAMES, SKILLS, SPONSORS, TASK_TEMPLATES,
                     TOOLS)
from .people import LEAVE_TYPES, NO_TERM, ROLE_NAMES, Staff
from .plan import CANCELLED, NORMAL, ON_HOLD, PLANNED, Portfolio
from .schedule import CANCELLED_TASK

GENERIC = ["Coordinate {o} work", "Review {o} deliverables", "Prepare {o} handover"]
FIXED = ["Purchase {o} licences", "Procure {o} hardware", "Sign {o} vendor contract"]


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{max(width, len(str(n)))}d}" for i in range(1, n + 1)], dtype=object)


def day_col(cal: Calendar, idx, valid=None) -> pl.Series:
    s = pl.Series(cal.to_datetime64(np.asarray(idx)))
    return s if valid is None else pl.select(pl.when(pl.Series(np.asarray(valid))).then(s)).to_series()


def task_status(t: dict, d_end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status, actual_start valid, completed_on valid) as of end_date."""
    started = (t["a0"] >= 0) & (t["a0"] <= d_end)
    done = (t["a1"] >= 0) & (t["a1"] <= d_end) & (t["state"] != CANCELLED_TASK)
    status = np.where(t["state"] == CANCELLED_TASK, "cancelled",
                      np.where(done, "done", np.where(started, "in_progress", "todo")))
    return status, started, done


def project_dates(rng, cal: Calendar, pf: Portfolio, t: dict, status: np.ndarray, start: np.ndarray):
    """(status, planned_end, actual_end or -1). Healthy plans cover the work with some slack,
    failing ones keep the date the original plan promised."""
    n = pf.n
    live = status != "cancelled"
    open_ = np.bincount(t["proj"], weights=live & (status != "done"), minlength=n) > 0
    has = np.bincount(t["proj"], minlength=n) > 0
    last_done = np.full(n, -1)
    np.maximum.at(last_done, t["proj"], np.where(status == "done", t["a1"], -1))
    plan_end = np.full(n, -1)
    np.maximum.at(plan_end, t["proj"], np.where(t["late"], -1, t["pe"]))
    sim_end = np.full(n, -1)
    np.maximum.at(sim_end, t["proj"], t["a1"])
    healthy = (pf.cause < 0) & (pf.kind == NORMAL)
    plan_end = np.where(healthy, np.maximum(plan_end, sim_end) + rng.integers(0, 21, n),
                        plan_end + rng.integers(0, 6, n))
    plan_end = np.maximum(plan_end, start)
    st = np.select([pf.kind == PLANNED, pf.kind == CANCELLED, pf.kind == ON_HOLD, start > cal.d_end,
                    has & ~open_], ["planned", "cancelled", "on_hold", "planned", "completed"], "active")
    actual_end = np.where(st == "completed", last_done, -1)
    return st, plan_end, actual_end


def task_names(rng, t: dict, dept: np.ndarray) -> list[str]:
    objs = [DEPT_OBJECTS[d] for d in DEPARTMENTS]
    pick, opick = rng.random(len(t["proj"])), rng.random(len(t["proj"]))
    out = []
    for sk, fx, d, a, b in zip(t["skill"], t["fixed"], dept, pick, opick):
        tpl = FIXED if fx else (TASK_TEMPLATES[SKILLS[sk]] if sk >= 0 else GENERIC)
        o = objs[d]
        out.append(tpl[int(a * len(tpl))].format(o=o[int(b * len(o))]))
    return out


def projects_frame(rng, cal, pf, pids, emp_ids, pm, start, st, plan_end, actual_end, budget, expected, realized):
    names = []
    for d in pf.dept:
        objs, suffixes = PROJECT_NAMES[DEPARTMENTS[d]]
        names.append(f"{objs[rng.integers(len(objs))]} {suffixes[rng.integers(len(suffixes))]}")
    sponsor = [SPONSORS[DEPARTMENTS[d]][rng.integers(len(SPONSORS[DEPARTMENTS[d]]))] if rng.random() > 0.05 else None
               for d in pf.dept]
    return pl.DataFrame({
        "project_id": pids, "project_name": names,
        "department": np.array(DEPARTMENTS, dtype=object)[pf.dept],
        "project_manager_id": [emp_ids[e] if e >= 0 else None for e in pm],
        "sponsor": sponsor, "pmo_type": np.where(pf.external, "external", "internal"),
    }).with_columns(
        start_date=day_col(cal, start), planned_end_date=day_col(cal, plan_end),
        actual_end_date=day_col(cal, np.maximum(actual_end, 0), actual_end >= 0),
        budget=pl.Series(budget), expected_benefit=pl.Series(expected, nan_to_null=True),
        realized_benefit=pl.Series(realized, nan_to_null=True), status=pl.Series(st),
        working_weekdays=pl.Series(pf.wwd, dtype=pl.String),
    )


def tasks_frame(cal, t, tids, pids, emp_ids, names, status, started, done, cost):
    return pl.DataFrame({
        "task_id": tids, "project_id": pids[t["proj"]], "task_name": names,
        "assignee_id": emp_ids[t["assignee"]],
        "required_skill": [SKILLS[s] if s >= 0 else None for s in t["skill"]],
        "required_skill_level": pl.Series(np.where(t["level"] > 0, t["level"], 0)).replace(0, None).cast(pl.Int64),
        "tool": [TOOLS[x] if x >= 0 else None for x in t["tool"]],
    }).with_columns(
        created_on=day_col(cal, t["created"]), planned_start=day_col(cal, t["ps"]), planned_end=day_col(cal, t["pe"]),
        planned_hours=pl.Series(t["hours"]), planned_cost=pl.Series(cost, nan_to_null=True),
        actual_start=day_col(cal, np.maximum(t["a0"], 0), started),
        completed_on=day_col(cal, np.maximum(t["a1"], 0), done), status=pl.Series(status),
    )


def employees_frame(cal, staff: Staff, emp_ids):
    term = staff.term
    return pl.DataFrame({
        "employee_id": emp_ids, "full_name": staff.names, "email": staff.emails,
        "department": np.array(DEPARTMENTS, dtype=object)[staff.dept],
        "role": np.array(ROLE_NAMES, dtype=object)[staff.role],
        "manager_id": [emp_ids[m] if m >= 0 else None for m in staff.manager],
    }).with_columns(
        hire_date=day_col(cal, staff.hire), termination_date=day_col(cal, np.where(term < NO_TERM, term, 0), term < NO_TERM),
        hourly_cost=pl.Series(staff.cost), weekly_capacity_hours=pl.Series(staff.cap),
    )


def hr_frames(cal, staff: Staff, emp_ids, courses):
    e, s = np.nonzero(staff.levels)
    skills = pl.DataFrame({"employee_id": emp_ids[e], "skill": np.array(SKILLS, dtype=object)[s],
                           "level": staff.levels[e, s].astype(np.int64)}).with_columns(
        assessed_on=day_col(cal, staff.assessed[e, s]))
    c = sorted(courses, key=lambda r: (r[3], r[0], r[1]))
    trainings = pl.DataFrame({"employee_id": emp_ids[[r[0] for r in c]], "course": [r[1] for r in c],
                              "skill": [r[2] for r in c]}).with_columns(completed_on=day_col(cal, [r[3] for r in c]))
    lv = staff.leave
    leave = pl.DataFrame({"employee_id": emp_ids[lv[:, 0]]}).with_columns(
        start_date=day_col(cal, lv[:, 1]), end_date=day_col(cal, lv[:, 2]),
        leave_type=pl.Series(np.array(LEAVE_TYPES, dtype=object)[lv[:, 3]]))
    return skills, trainings, leave


def small_frames(cal, rollouts):
    rollouts = rollouts[np.lexsort((rollouts[:, 0], rollouts[:, 2]))]
    tr = pl.DataFrame({"tool": np.array(TOOLS, dtype=object)[rollouts[:, 0]],
                       "department": np.array(DEPARTMENTS, dtype=object)[rollouts[:, 1]]}).with_columns(
        rollout_date=day_col(cal, rollouts[:, 2]))
    hol = pl.DataFrame({"holiday_date": [d for d, _ in cal.holidays], "name": [n for _, n in cal.holidays]})
    return tr, hol


def truth_frame(pids, pf: Portfolio) -> pl.DataFrame:
    return pl.DataFrame({"project_id": pids, "planted_cause": [CAUSES[c] if c >= 0 else None for c in pf.cause]})
