"""append_day(): the next daily timesheet drop, continuing the people and tasks already in the folder."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

SCHEMA = {"entry_id": pl.String, "employee_id": pl.String, "task_id": pl.String, "work_date": pl.Date,
          "hours": pl.Float64}


def _timesheet_files(out_dir: Path) -> list[Path]:
    files = sorted((out_dir / "timesheets").glob("*.csv")) if (out_dir / "timesheets").is_dir() else []
    return ([out_dir / "timesheets.csv"] if (out_dir / "timesheets.csv").exists() else []) + files


def append_day(out_dir: Path, seed: int, day: date | None = None) -> Path:
    """Write timesheets/<day>.csv for the day after the latest work_date present (or `day`, which must
    come after it). People on in-progress tasks log about what they logged on them lately; some admin
    time on weekdays. Deterministic for the same folder, seed and day."""
    out_dir = Path(out_dir)
    files = _timesheet_files(out_dir)
    if not files:
        raise FileNotFoundError(f"no timesheets in {out_dir}")
    ts = pl.scan_csv(files, schema=SCHEMA)
    stats = ts.select(pl.col("work_date").max().alias("last"),
                      pl.col("entry_id").str.extract(r"(\d+)$").cast(pl.Int64).max().alias("max_id")).collect()
    last, max_id = stats["last"][0], int(stats["max_id"][0] or 0)
    for f in files:  # a drop with no rows (a weekend) still counts as delivered
        try:
            last = max(last, date.fromisoformat(f.stem))
        except ValueError:
            pass
    day = day or last + timedelta(days=1)
    if day <= last:
        raise ValueError(f"{day} is not after the latest timesheet date {last}")

    weekday = day.weekday()
    holidays = pl.read_csv(out_dir / "holidays.csv", schema_overrides={"holiday_date": pl.Date}) \
        if (out_dir / "holidays.csv").exists() else pl.DataFrame({"holiday_date": []}, schema={"holiday_date": pl.Date})
    holiday = day in set(holidays["holiday_date"].to_list())
    emp = pl.read_csv(out_dir / "employees.csv", schema_overrides={"hire_date": pl.Date, "termination_date": pl.Date})
    emp = emp.filter((pl.col("hire_date") <= day) & (pl.col("termination_date").is_null() | (pl.col("termination_date") >= day)))
    if (out_dir / "leave.csv").exists():
        lv = pl.read_csv(out_dir / "leave.csv", schema_overrides={"start_date": pl.Date, "end_date": pl.Date})
        away = lv.filter((pl.col("start_date") <= day) & (pl.col("end_date") >= day))["employee_id"]
        emp = emp.filter(~pl.col("employee_id").is_in(away.implode()))
    projects = pl.read_csv(out_dir / "projects.csv", schema_overrides={"working_weekdays": pl.String})
    works = projects.filter(pl.col("status") == "active").with_columns(
        pl.col("working_weekdays").fill_null("1111100").str.slice(weekday, 1).alias("on"))
    works = works.filter((pl.col("on") == "1") & pl.lit(not holiday))["project_id"]
    tasks = pl.read_csv(out_dir / "tasks.csv", infer_schema=False).filter(
        (pl.col("status") == "in_progress") & pl.col("project_id").is_in(works.implode())
        & pl.col("assignee_id").is_in(emp["employee_id"].implode()))

    recent = (ts.filter(pl.col("work_date") > last - timedelta(days=14))
              .group_by("employee_id", "task_id", "work_date").agg(pl.col("hours").sum())
              .group_by("employee_id", "task_id").agg(pl.col("hours").median().alias("usual")).collect())
    rng = np.random.default_rng([seed, day.toordinal()])
    work = (tasks.select(pl.col("assignee_id").alias("employee_id"), "task_id")
            .join(recent, on=["employee_id", "task_id"], how="left")
            .sort("employee_id", "task_id"))
    usual = work["usual"].fill_null(3.0).to_numpy()
    hours = np.maximum(0.25, np.round(usual * rng.uniform(0.8, 1.2, work.height) * 4) / 4)
    work = work.with_columns(hours=pl.Series(hours)).select("employee_id", "task_id", "hours")

    if weekday < 5 and not holiday:
        staff = emp.sort("employee_id")
        pick = rng.random(staff.height) < 0.3
        admin = pl.DataFrame({"employee_id": staff["employee_id"].filter(pl.Series(pick)),
                              "task_id": pl.Series([None] * int(pick.sum()), dtype=pl.String),
                              "hours": rng.choice([0.5, 0.75, 1.0, 1.5], int(pick.sum()))})
        work = pl.concat([work, admin])
    # Never more than a day holds: scale anyone above 24 h back under it.
    work = (work.with_columns(total=pl.col("hours").sum().over("employee_id"))
            .with_columns(hours=pl.when(pl.col("total") > 24)
                          .then((pl.col("hours") * 24 / pl.col("total") * 4).floor() / 4).otherwise(pl.col("hours")))
            .filter(pl.col("hours") > 0)
            .sort("employee_id", pl.col("task_id").fill_null("~")))
    out = work.select(
        pl.concat_str(pl.lit("TS"), (pl.int_range(pl.len()) + max_id + 1).cast(pl.String).str.zfill(8)).alias("entry_id"),
        "employee_id", "task_id", pl.lit(day).alias("work_date"), "hours")
    path = out_dir / "timesheets" / f"{day.isoformat()}.csv"
    path.parent.mkdir(exist_ok=True)
    out.write_csv(path, float_precision=2, null_value="")
    return path
