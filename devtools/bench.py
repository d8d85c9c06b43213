"""`pmo bench`: how fast and lean a run is, against a bare-DuckDB floor measured alongside.

Scenarios, each `pmo run` in a fresh child process (its peak memory read with wait4):
  full     an empty warehouse: ingest, checks, models, history, exports
  nightly  one new day of timesheets and one changed task file, as of the new day
  noop     the same again: nothing new (answered from the inputs fingerprint, no Dagster run)
and the floor: the same raw files read with plain DuckDB `read_csv` into typed tables, then
the same KPI SQL; no orchestration, no validation, no publishing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path("data/bench")


def dataset(scale: str, seed: int) -> Path:
    """The generated landing folder for a scale, made once and kept (timesheets as daily drops)."""
    from devtools.generate import generate

    home = ROOT / f"{scale}-seed{seed}"
    raw, done = home / "raw", home / "generated"
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        started = time.perf_counter()
        generate(scale, seed, raw, timesheet_files="daily")
        done.write_text(f"{time.perf_counter() - started:.1f}\n")
    return raw


def _child(args: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run a child; returns (seconds, exit code, peak RSS in MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = process.stdout.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(output[-3000:], file=sys.stderr)
    return seconds, code, usage.ru_maxrss // 1024


def run_pipeline(raw: Path, work: Path, as_of: date) -> dict:
    timings = work / "timings.jsonl"
    timings.unlink(missing_ok=True)
    env = {**os.environ, "PMO_RAW_DIR": str(raw), "PMO_WAREHOUSE": str(work / "warehouse.duckdb"),
           "PMO_EXPORT_DIR": str(work / "exports"), "DAGSTER_HOME": str(work / "dagster"),
           "PMO_TIMINGS": str(timings), "PMO_AS_OF": as_of.isoformat()}
    seconds, code, peak = _child([sys.executable, "-m", "pipelines.cli", "run"], env)
    if code:
        raise SystemExit(f"pmo run failed (exit {code}) on {raw}")
    phases: dict[str, float] = {}
    for line in timings.read_text().splitlines():
        entry = json.loads(line)
        phases[entry["phase"]] = phases.get(entry["phase"], 0.0) + entry["seconds"]
    phases["other"] = seconds - sum(phases.values())  # start-up, imports, Dagster bookkeeping
    return {"seconds": seconds, "peak_mb": peak, "phases": phases}


HISTORY_MODELS = ("intermediate.hist_", "marts.kpi_project")  # the one-pass history chain
# kpi_project as computed for one date before the history became one pass
# (devtools/time_travel.py: the per-date PV curve and earned schedule models, then the per-date
# kpi_project SELECT, kept with the tests as the reference the history is held to); the floor
# times them to give "the single-date KPI SQL" the history is measured against


def floor(raw: Path, database: Path, as_of: date) -> dict:
    """Plain DuckDB: read_csv every entity into a typed table, then the KPI SQL. In-process.

    The models are timed one by one: `history` is the one-pass chain (hist_* and the
    kpi_project slice), `single_date_kpi_sql` every other model plus the per-date kpi_project
    SELECT, i.e. the KPI SQL for one date the way it was computed before the history."""
    import duckdb

    from devtools.time_travel import SINGLE_DATE, build_reference, load_landing
    from pipelines.transform.models import build_models
    from pipelines.settings import KpiParams

    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    started = time.perf_counter()
    load_landing(con, raw)
    loaded = time.perf_counter()
    history, other, last = 0.0, 0.0, loaded
    for built in build_models(con, KpiParams(as_of=as_of).as_variables()):
        now = time.perf_counter()
        if built.table.startswith(HISTORY_MODELS):
            history += now - last
        else:
            other += now - last
        last = now
    done = time.perf_counter()
    con.execute("SET threads = 1")  # as build_models does
    single = time.perf_counter()
    build_reference(con)
    con.execute("CREATE TABLE single_date_kpi_project AS " + SINGLE_DATE)
    single = time.perf_counter() - single
    days, rows = con.execute("SELECT count(DISTINCT as_of), count(*) "
                             "FROM intermediate.hist_kpi_project").fetchone()
    timesheet_rows = con.execute("SELECT count(*) FROM raw.timesheets").fetchall()[0][0]
    figures = {"seconds": done - started, "timesheet_rows": timesheet_rows,
               "phases": {"read_csv": loaded - started, "models": done - loaded},
               "history": {"seconds": history, "days": days, "rows": rows,
                           "single_date_kpi_sql": other + single}}
    figures["history"]["checked"] = check_history(con, as_of)  # after the timing: not timed
    con.close()
    return figures


def check_history(con, as_of: date) -> dict:
    """The time-travel rule at this scale: the history's rows for a sample of days against
    a single-date build of each day (only the models the reference SQL reads, rebuilt as of
    that day). Differences stop the benchmark: a fast wrong history is no result."""
    from devtools.time_travel import differences, history_rows, reference_reads, sample_days
    from pipelines.settings import KpiParams
    from pipelines.transform.models import build_models, discover

    first = con.execute("SELECT min(as_of) FROM intermediate.hist_kpi_project").fetchone()[0]
    days = sample_days(first, as_of)
    models = discover()
    needed, todo = set(), list(reference_reads())
    while todo:  # the reference's upstream models, transitively
        table = todo.pop()
        if table in models and table not in needed:
            needed.add(table)
            todo += models[table].upstream

    def build_day(con, day: date) -> None:
        for _ in build_models(con, KpiParams(as_of=day).as_variables(), tables=needed):
            pass

    found, compared = differences(con, history_rows(con, days), days, build_day)
    if found:
        raise SystemExit(f"history differs from single-date builds on {len(found)} values, "
                         "e.g.\n" + "\n".join(found[:20]))
    return {"days": [d.isoformat() for d in days], "project_days": compared, "differences": 0}


def floor_in_child(raw: Path, database: Path, as_of: date) -> dict:
    """The floor in a process of its own. In this one it would leave the bench process
    holding the floor's memory, and each `pmo run` child forked from it would then report that
    memory as its own peak (ru_maxrss counts the pages a child shares with its parent until it
    execs): the previous round's 3.3 GB no-op peak was this bench process, not the run."""
    output = subprocess.run(
        [sys.executable, "-m", "devtools.bench", "floor", str(raw), str(database),
         as_of.isoformat()], check=True, stdout=subprocess.PIPE).stdout
    return json.loads(output.decode().splitlines()[-1])


def nightly_delivery(raw: Path, seed: int) -> date:
    """One new day of timesheets and one changed task file; returns the new day."""
    import polars as pl

    from devtools.generate import append_day

    drop = append_day(raw, seed)
    tasks = raw / "tasks.csv"
    frame = pl.read_csv(tasks, infer_schema=False)
    frame = frame.with_columns(  # one task re-estimated: a tool export rewrites the whole file
        pl.when(pl.int_range(pl.len()) == 0).then(pl.col("planned_hours").cast(pl.Float64) + 8)
        .otherwise(pl.col("planned_hours").cast(pl.Float64)).alias("planned_hours"))
    tasks.unlink()  # a new file: the cached data set's hard link stays untouched
    frame.write_csv(tasks)
    return date.fromisoformat(drop.stem)


def bench(scale: str, seed: int) -> dict:
    from devtools.generate import DEFAULT_END

    source = dataset(scale, seed)
    work = ROOT / f"{scale}-seed{seed}" / "work"
    shutil.rmtree(work, ignore_errors=True)
    raw = work / "raw"
    shutil.copytree(source, raw, copy_function=os.link)  # hard links: no copy of the data
    results = {"floor": floor_in_child(raw, work / "floor.duckdb", DEFAULT_END),
               "full": run_pipeline(raw, work, DEFAULT_END)}
    day = nightly_delivery(raw, seed)
    results["nightly"] = run_pipeline(raw, work, day)
    results["noop"] = run_pipeline(raw, work, day)
    return {"scale": scale, "seed": seed, "machine": f"{os.cpu_count()} cores",
            "results": results}


def render(report: dict) -> str:
    results = report["results"]
    floor_s, full_s = results["floor"]["seconds"], results["full"]["seconds"]
    lines = [f"pmo bench --scale {report['scale']} ({report['machine']})", "",
             "| scenario | seconds | x floor | x full | peak MB | phases (s) |",
             "|---|---:|---:|---:|---:|---|"]
    for name, r in results.items():
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        peak = r.get("peak_mb", "")
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['seconds'] / floor_s:.2f} | "
                     f"{r['seconds'] / full_s:.2f} | {peak} | {phases} |")
    history = results["floor"].get("history")
    if history:
        single = history["single_date_kpi_sql"]
        lines += ["", f"history, every day in one pass ({history['days']} days, "
                      f"{history['rows']:,} project-days): {history['seconds']:.1f} s = "
                      f"{history['seconds'] / single:.2f} x the floor's single-date KPI SQL "
                      f"({single:.1f} s)"]
        checked = history.get("checked")
        if checked:
            lines.append(f"time travel: the history's rows on {len(checked['days'])} days "
                         f"({', '.join(checked['days'])}; {checked['project_days']:,} "
                         "project-days) equal single-date builds of those days")
    return "\n".join(lines)


def render_scales(reports: list[dict]) -> str:
    """Cost against scale: one row per scale measured (each its own `pmo bench` run), with
    each scale's full build and peak memory against the next smaller scale's."""
    order = list(SCALE_ORDER)
    reports = sorted((r for r in reports if r["scale"] in order),
                     key=lambda r: order.index(r["scale"]))
    lines = ["| scale | timesheet rows | floor s | full s | x floor | x smaller scale | "
             "nightly s | no-op s | peak MB (full) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    previous = None
    for report in reports:
        r = report["results"]
        full = r["full"]["seconds"]
        rows = r["floor"].get("timesheet_rows")
        growth = f"{full / previous:.2f}" if previous else ""
        lines.append(f"| {report['scale']} | {'' if rows is None else f'{rows:,}'} | "
                     f"{r['floor']['seconds']:.1f} | {full:.1f} | "
                     f"{full / r['floor']['seconds']:.2f} | {growth} | "
                     f"{r['nightly']['seconds']:.1f} | {r['noop']['seconds']:.1f} | "
                     f"{r['full'].get('peak_mb', '')} |")
        previous = full
    return "\n".join(lines)


SCALE_ORDER = ("demo", "medium", "large", "xlarge")


def report_bench(scale: str, seed: int, json_path: Path | None = None) -> int:
    report = bench(scale, seed)
    target = json_path or ROOT / f"{scale}-results.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"\nfigures written to {target}")
    # every scale measured so far on this machine (data/bench/<scale>-results.json)
    measured = [json.loads(p.read_text()) for p in sorted(ROOT.glob("*-results.json"))]
    print("\ncost against scale (each scale's own pmo bench run):\n")
    print(render_scales(measured))
    return 0


if __name__ == "__main__":  # `python -m devtools.bench floor RAW DATABASE AS_OF` (floor_in_child)
    _, _, raw_arg, database_arg, as_of_arg = sys.argv
    import resource

    figures = floor(Path(raw_arg), Path(database_arg), date.fromisoformat(as_of_arg))
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(figures))
