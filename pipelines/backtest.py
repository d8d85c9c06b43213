"""Backtest of the Monte Carlo forecasts (marts.kpi_forecast, docs/kpis.md, Forecast).

Builds every model as of an earlier date D0 on raw data that runs on to `data_end`, takes each
active project's finish_p50 / p80 / p95 and eac_p50 / p80 / p95, and checks them against what
happened by `data_end`: among the projects active at D0 that finished in (D0, data_end], the
share whose actual_end_date is on or before each quantile (a calibrated P80 holds for about 80 %
of them), and the same for their final actual cost (labour + expenses up to data_end) against
the EAC quantiles.

Only projects that finished by data_end can be scored, which favours the ones that went well:
projects still open at data_end are counted separately, with how many are already past each
quantile (certain misses). A second score has no such bias: among all the projects active at D0
whose quantile date falls on or before data_end (chosen by the forecast, not by the outcome),
the share that had finished by that date.

    python -m pipelines.backtest --scale demo --seed 2 --as-of 2025-11-20 --data-end 2026-11-20
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

from pipelines.settings import KpiParams
from pipelines.transform.models import build_all

LEVELS = ("p50", "p80", "p95")

OUTCOMES_SQL = """
with final_labour as (
    select tasks.project_id, sum(timesheets.hours * employees.hourly_cost) as labour_cost
    from staging.stg_timesheets as timesheets
    inner join staging.stg_tasks as tasks using (task_id)
    left join staging.stg_employees as employees using (employee_id)
    where timesheets.work_date <= $data_end
    group by tasks.project_id
),

final_expenses as (
    select project_id, sum(amount) as expense_cost
    from staging.stg_expenses
    where expense_date <= $data_end
    group by project_id
)

select
    forecast.project_id,
    forecast.finish_p50,
    forecast.finish_p80,
    forecast.finish_p95,
    forecast.eac_p50,
    forecast.eac_p80,
    forecast.eac_p95,
    case when projects.actual_end_date <= $data_end then projects.actual_end_date end
        as actual_end_date,
    coalesce(final_labour.labour_cost, 0) + coalesce(final_expenses.expense_cost, 0) as final_cost
from marts.kpi_forecast as forecast
inner join staging.stg_projects as projects using (project_id)
left join final_labour using (project_id)
left join final_expenses using (project_id)
order by forecast.project_id
"""


def backtest(con: duckdb.DuckDBPyConnection, as_of_d0: date, data_end: date,
             params: KpiParams | None = None) -> dict:
    """Forecast as of D0 in `con` (its raw tables hold data up to data_end; its models are
    rebuilt as of D0), then score the forecasts against what happened by data_end."""
    if data_end <= as_of_d0:
        raise ValueError(f"data_end {data_end} must be after the as-of date {as_of_d0}")
    build_all(con, (params or KpiParams()).at(as_of_d0).as_variables())
    cursor = con.execute(OUTCOMES_SQL, {"data_end": data_end})
    names = [d[0] for d in cursor.description]
    projects = [dict(zip(names, r)) for r in cursor.fetchall()]

    finished = [p for p in projects if p["actual_end_date"] is not None]
    scored = [p for p in finished if p["finish_p50"] is not None]
    still_open = [p for p in projects if p["actual_end_date"] is None]
    result: dict = {
        "as_of": as_of_d0,
        "data_end": data_end,
        "projects_active": len(projects),
        "projects_finished": len(finished),
        "projects_scored": len(scored),  # finished and with a forecast
        "projects_still_open": len(still_open),
    }
    for level in LEVELS:
        hits = sum(p["actual_end_date"] <= p[f"finish_{level}"] for p in scored)
        result[f"finish_{level}_hits"] = hits
        result[f"finish_{level}_share"] = hits / len(scored) if scored else None
        # open at data_end although the quantile lies before it: a miss already
        result[f"finish_{level}_open_missed"] = sum(
            p[f"finish_{level}"] is not None and p[f"finish_{level}"] < data_end for p in still_open)
        # the quantile date came by data_end: whether the project finished by it is known,
        # finished by data_end or not
        due = [p for p in projects if p[f"finish_{level}"] is not None and p[f"finish_{level}"] <= data_end]
        due_hits = sum(p["actual_end_date"] is not None and p["actual_end_date"] <= p[f"finish_{level}"]
                       for p in due)
        result[f"finish_{level}_due"] = len(due)
        result[f"finish_{level}_due_hits"] = due_hits
        result[f"finish_{level}_due_share"] = due_hits / len(due) if due else None
        costed = [p for p in scored if p[f"eac_{level}"] is not None]
        cost_hits = sum(p["final_cost"] <= p[f"eac_{level}"] for p in costed)
        result[f"eac_{level}_hits"] = cost_hits
        result[f"eac_{level}_share"] = cost_hits / len(costed) if costed else None
    result["projects"] = projects
    return result


def format_table(result: dict) -> str:
    """The backtest as a small text table for the command line."""
    def share(value):
        return "-" if value is None else f"{value:.0%}"

    lines = [
        f"Forecast backtest as of {result['as_of']} against data up to {result['data_end']}",
        f"active at the as-of date: {result['projects_active']}; finished by the data end: "
        f"{result['projects_finished']} (scored: {result['projects_scored']}); "
        f"still open: {result['projects_still_open']}",
        "",
        f"{'quantile':<10}{'finish <= q':>14}{'share':>8}{'open, past q':>15}"
        f"{'final cost <= q':>18}{'share':>8}{'q by the end: finished by q':>30}{'share':>8}",
    ]
    for level in LEVELS:
        lines.append(
            f"{level.upper():<10}"
            f"{result[f'finish_{level}_hits']:>7} of {result['projects_scored']:<4}"
            f"{share(result[f'finish_{level}_share']):>8}"
            f"{result[f'finish_{level}_open_missed']:>15}"
            f"{result[f'eac_{level}_hits']:>11} of {result['projects_scored']:<4}"
            f"{share(result[f'eac_{level}_share']):>8}"
            f"{result[f'finish_{level}_due_hits']:>23} of {result[f'finish_{level}_due']:<4}"
            f"{share(result[f'finish_{level}_due_share']):>8}")
    return "\n".join(lines)


def load_raw(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """Ingest a landing folder (e.g. a generated data set) into the raw tables of `con`."""
    from pipelines.contract import ENTITIES
    from pipelines.ingest.load import ingest_entity, ingest_order

    for entity in ingest_order(ENTITIES.values()):  # timesheet reports resolve against people
        report = ingest_entity(con, raw_dir, entity)
        if report.rejected:
            raise RuntimeError(f"{entity.name}: files rejected: {report.rejected}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.backtest",
        description="forecast as of an earlier date on generated data and score the forecasts "
                    "against what happened by the data's end")
    parser.add_argument("--scale", choices=["demo", "medium", "large"], default="demo")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--raw-dir", type=Path,
                        help="use this landing folder instead of generating one")
    parser.add_argument("--as-of", type=date.fromisoformat,
                        help="forecast date D0 (default: a year before the data end)")
    parser.add_argument("--data-end", type=date.fromisoformat,
                        help="end of the data (default: the generator's end date)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pmo-backtest-") as tmp:
        raw = args.raw_dir
        data_end = args.data_end
        if raw is None or data_end is None:
            from devtools.generate import DEFAULT_END, generate

            data_end = data_end or DEFAULT_END
            if raw is None:
                raw = Path(tmp) / "raw"
                generate(args.scale, args.seed, raw)
        as_of = args.as_of or date(data_end.year - 1, data_end.month, data_end.day)
        with duckdb.connect() as con:
            load_raw(con, raw)
            print(format_table(backtest(con, as_of, data_end)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
