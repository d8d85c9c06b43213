"""generate(): people, portfolio, schedule, timesheets, money, then the CSV files."""
from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from .calendar import Calendar
from .config import DEFAULT_END, SCALES
from .money import benefits, expenses, plan_costs
from .people import availability, make_staff
from .plan import make_portfolio
from .schedule import Scheduler
from .tables import (day_col, employees_frame, hr_frames, ids, project_dates, projects_frame, small_frames,
                     task_names, task_status, tasks_frame, truth_frame)
from .timesheets import DayMap, admin_rows, cap_weeks, order_rows, progress, split_entries, task_rows
from .training import NEVER, course_rows, default_tool_training, make_rollouts
from .writer import LAYOUTS, prepare, write, write_timesheets


def generate(scale: str, seed: int, out_dir: Path, truth_file: Path | None = None, end_date: date = DEFAULT_END,
             timesheet_files: str = "monthly") -> dict:
    """Write a synthetic raw data set in the input contract to out_dir; returns rows per entity."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    if timesheet_files not in LAYOUTS:
        raise ValueError(f"timesheet_files must be one of {', '.join(LAYOUTS)}")
    out_dir = Path(out_dir)
    if truth_file is not None:
        truth_file = Path(truth_file)
        if truth_file.resolve().is_relative_to(out_dir.resolve()):
            raise ValueError("truth_file must be outside out_dir: the landing folder holds only entity files")
    prepare(out_dir)  # refuses foreign files before any work
    cfg = SCALES[scale]
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, zlib.crc32(scale.encode())]).spawn(8)]

    cal = Calendar(end_date, cfg["years"])
    staff = make_staff(rng[0], cal, cfg["employees"], cfg["years"])
    avail5, avail6 = availability(cal, staff, cal.work5), availability(cal, staff, cal.work6)
    rollouts = make_rollouts(rng[1], cal)
    tool_train = default_tool_training(rng[1], cal, staff, rollouts)
    workers = staff.kind > 0
    pf = make_portfolio(rng[2], cal, staff, cfg["projects"], avail5[workers, : cal.d_end + 1].sum(), rollouts)

    sched = Scheduler(rng[3], cal, staff, avail5, avail6, pf, rollouts, tool_train)
    t, segs = sched.run()
    days = DayMap(sched.al, cal.d_end)
    del avail6, sched.al

    # People who left during a planted turnover: employment, leave and courses end with them.
    staff.term = sched.staffing.term
    lv = staff.leave
    lv = lv[lv[:, 1] <= staff.term[lv[:, 0]]]
    lv[:, 2] = np.minimum(lv[:, 2], staff.term[lv[:, 0]])
    staff.leave = lv
    avail5 = availability(cal, staff, cal.work5)
    for (e, tool), day in sched.train_after.items():
        tool_train[e, tool] = max(tool_train[e, tool], day)
    tool_train[tool_train > np.minimum(staff.term, cal.d_end)[:, None]] = NEVER
    courses = course_rows(rng[1], cal, staff, tool_train)
    t["tool"] = assign_tools(rng[4], cal, pf, t, tool_train, rollouts)

    rows = task_rows(rng[5], segs, days)
    expected = rows.pop("expected")
    admin = admin_rows(rng[5], avail5, staff, cal.d_end, rows)
    rows = cap_weeks({k: np.concatenate([rows[k], admin[k]]) for k in rows}, avail5, staff, cal.d_end)
    prog = progress(rows, expected, t["a0"], t["a1"], cal.d_end)
    rows = split_entries(rng[5], rows)

    # Tasks created after end_date are not in an export taken that day; number the rest by project.
    keep = np.flatnonzero(t["created"] <= cal.d_end)
    order = keep[np.lexsort((keep, t["ps"][keep], t["proj"][keep]))]
    new = np.full(len(t["proj"]), -1)
    new[order] = np.arange(len(order))
    t = {k: v[order] for k, v in t.items()}
    if (new[rows["task"][rows["task"] >= 0]] < 0).any():
        raise RuntimeError("generator bug: a timesheet on a task created after end_date")
    rows["task"] = np.where(rows["task"] >= 0, new[rows["task"]], -1).astype(np.int32)
    rows = order_rows(rows)
    prog = prog.with_columns(pl.Series("task", new[prog["task"].to_numpy()])).filter(pl.col("task") >= 0)

    status, started, done = task_status(t, cal.d_end)
    pst, plan_end, actual_end = project_dates(rng[6], cal, pf, t, status, sched.start)
    money = plan_costs(rng[6], pf, staff, t)
    exp = expenses(rng[6], cal, pf, t, money, rows)
    expected_b, realized_b = benefits(rng[6], pf, money["budget"], pst == "completed")

    pids = ids("P", pf.n, 4)
    emp_ids = ids("E", staff.n, 4)
    tids = ids("T", len(t["proj"]), 6)
    frames = {
        "projects": projects_frame(rng[7], cal, pf, pids, emp_ids, sched.pm, sched.start, pst, plan_end, actual_end,
                                   money["budget"], expected_b, realized_b),
        "tasks": tasks_frame(cal, t, tids, pids, emp_ids, task_names(rng[7], t, pf.dept[t["proj"]]), status,
                             started, done, money["task_cost"]),
        "task_progress": pl.DataFrame({"task_id": tids[prog["task"].to_numpy()]}).with_columns(
            status_date=day_col(cal, prog["day"].to_numpy()), percent_complete=prog["pct"]),
        "employees": employees_frame(cal, staff, emp_ids),
        "expenses": pl.DataFrame({"expense_id": ids("X", exp.height, 6), "project_id": pids[exp["proj"].to_numpy()]})
        .with_columns(expense_date=day_col(cal, exp["day"].to_numpy()), category=exp["category"], amount=exp["amount"]),
    }
    frames["skills"], frames["trainings"], frames["leave"] = hr_frames(cal, staff, emp_ids, courses)
    frames["tool_rollouts"], frames["holidays"] = small_frames(cal, rollouts)

    for name, df in frames.items():
        write(df, out_dir / f"{name}.csv", 1 if name == "task_progress" else 2)
    write_timesheets(out_dir, timesheet_files, cal, rows, pl.Series(emp_ids), pl.Series(tids))
    if truth_file is not None:
        truth_file.parent.mkdir(parents=True, exist_ok=True)
        truth_frame(pids, pf).write_csv(truth_file, null_value="")
    summary = {name: df.height for name, df in frames.items()}
    summary["timesheets"] = len(rows["day"])
    return summary


def assign_tools(rng, cal: Calendar, pf, t: dict, train: np.ndarray, rollouts: np.ndarray) -> np.ndarray:
    """The tool a task is done in: the department's newest rolled-out tool its assignee was trained in
    by the task's start. Planted training gaps keep their (untrained) tool; healthy work has a little
    such noise too."""
    ref = np.where((t["a0"] >= 0) & (t["a0"] <= cal.d_end), t["a0"], t["ps"])
    dept = pf.dept[t["proj"]]
    tool = np.full(len(ref), -1)
    latest = np.full(len(ref), -1)
    for tl, d, day in rollouts[np.argsort(rollouts[:, 2], kind="stable")]:
        live = (dept == d) & (ref >= day)
        latest[live] = tl
        tool[live & (train[t["assignee"], tl] <= ref)] = tl
    noise = (pf.cause[t["proj"]] < 0) & (tool < 0) & (latest >= 0) & (rng.random(len(ref)) < 0.02)
    tool[noise] = latest[noise]
    forced = t["tool"] >= 0
    tool[forced] = t["tool"][forced]
    return tool
