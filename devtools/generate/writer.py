"""Writes the landing folder: one CSV per entity, timesheets as one file, or one per month or day."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl

from .calendar import Calendar

ENTITIES = ["projects", "tasks", "task_progress", "employees", "skills", "trainings", "leave", "tool_rollouts",
            "holidays", "expenses", "timesheets"]
LAYOUTS = ("single", "monthly", "daily")


def prepare(out_dir: Path) -> None:
    """Make out_dir ready for a fresh data set: remove what an earlier run wrote, refuse anything else
    (the landing folder must hold only entity files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    known = {f"{e}.csv" for e in ENTITIES} | {"timesheets"}
    strangers = sorted(p.name for p in out_dir.iterdir() if p.name not in known)
    if strangers:
        raise ValueError(f"{out_dir} holds files that are not entity files: {', '.join(strangers[:5])}")
    for p in out_dir.iterdir():
        if p.is_dir():
            if any(not f.name.endswith(".csv") for f in p.iterdir()):
                raise ValueError(f"{p} holds files that are not timesheet drops")
            shutil.rmtree(p)
        else:
            p.unlink()


def write(df: pl.DataFrame, path: Path, decimals: int | None = 2) -> None:
    df.write_csv(path, float_precision=decimals, null_value="")


def timesheet_frame(cal: Calendar, rows: dict, emp_ids: pl.Series, task_ids: pl.Series, first_id: int) -> pl.DataFrame:
    n = len(rows["day"])
    task = pl.Series(rows["task"]).set(pl.Series(rows["task"] < 0), None)
    entry = pl.int_range(first_id, first_id + n, eager=True).cast(pl.String).str.zfill(8)
    return pl.DataFrame({
        "entry_id": pl.select(pl.concat_str(pl.lit("TS"), entry)).to_series(),
        "employee_id": emp_ids.gather(rows["emp"]),
        "task_id": task_ids.gather(task),
        "work_date": pl.Series(cal.to_datetime64(rows["day"])),
        "hours": pl.Series(rows["hours"]),
    })


def write_timesheets(out_dir: Path, layout: str, cal: Calendar, rows: dict, emp_ids, task_ids) -> None:
    """Rows must be sorted by day; entry ids number them in that order across all files."""
    day = rows["day"]
    if layout == "daily":
        keys = day
    else:
        keys = cal.to_datetime64(day).astype("datetime64[M]").astype(np.int64)
    cuts = np.flatnonzero(np.diff(keys)) + 1
    bounds = list(zip(np.r_[0, cuts], np.r_[cuts, len(day)]))
    if layout != "single":
        (out_dir / "timesheets").mkdir(exist_ok=True)
    handle = open(out_dir / "timesheets.csv", "wb") if layout == "single" else None
    try:
        for i, (a, b) in enumerate(bounds):
            part = timesheet_frame(cal, {k: v[a:b] for k, v in rows.items()}, emp_ids, task_ids, a + 1)
            if handle is not None:
                part.write_csv(handle, include_header=i == 0, float_precision=2, null_value="")
                continue
            d = cal.date(day[a])
            name = d.isoformat() if layout == "daily" else d.strftime("%Y-%m")
            write(part, out_dir / "timesheets" / f"{name}.csv")
    finally:
        if handle is not None:
            handle.close()
