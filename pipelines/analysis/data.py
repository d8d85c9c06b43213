"""Read-only access to the published KPI tables (`kpi.duckdb`) and the analysts' SQL questions.

    kpi = KpiData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    kpi.health_counts()          # a polars DataFrame, aggregated in SQL

Only the published `kpi.duckdb` is read, read-only and never the warehouse. The export dir is
a symlink to the current release; the file is resolved once, when the data is opened, so every
question of one notebook run is answered from the same release even if the pipeline publishes
a new one meanwhile (old releases stay readable; see pipelines/publish.py).

As-of date: by default the release's date. Another date is answered from the tables that hold
it: project questions from `kpi_project_history`, other tables only when they carry that date,
else `AsOfError` says which dates there are. Department filter: None for the whole portfolio,
a name or a list of names.

Every result is aggregated in SQL down to what a chart draws (Altair refuses > 5,000 rows).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EXPORT_DIR = "data/exports"
# The tasks, employees and hours behind each driver's share (one row per project, driver, task,
# employee and, for over_allocation, week): the failing-projects drill-down.
EVIDENCE_TABLE = "rca_evidence"
# Tables published by models that other parts of the pipeline add; named in error messages.
PRODUCERS = {
    "rca_drivers": "the root-cause drivers model (models/marts/rca_drivers.sql)",
    "kpi_people": "the people model (models/marts/kpi_people.sql)",
    "kpi_tool_adoption": "the tool adoption model (models/marts/kpi_tool_adoption.sql)",
    "rca_evidence": "the root-cause evidence model (models/marts/rca_evidence.sql)",
}
ACTIVE = "(actual_end_date IS NULL AND status <> 'cancelled')"  # started, not finished


class MissingTableError(LookupError):
    """A KPI table a question needs is not in the published kpi.duckdb."""


class AsOfError(LookupError):
    """The asked as-of date is not published in a table a question needs."""


def resolve_export_dir(export_dir: str | os.PathLike | None = None) -> Path:
    """The export dir: the argument, else $PMO_EXPORT_DIR, else data/exports. A relative path is
    taken from the working directory when it holds kpi.duckdb there, else from the repository
    root (notebooks run with notebooks/ as working directory)."""
    value = Path(export_dir or os.environ.get("PMO_EXPORT_DIR") or DEFAULT_EXPORT_DIR)
    value = value.expanduser()
    if value.is_absolute() or (value / "kpi.duckdb").exists():
        return value.absolute()
    return ROOT / value


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class KpiData:
    """The published KPI tables of one release, at one as-of date, for some departments."""

    def __init__(self, kpi_duckdb: str | os.PathLike, as_of: date | str | None = None,
                 department: str | Sequence[str] | None = None):
        path = Path(kpi_duckdb)
        if not path.exists():
            raise FileNotFoundError(
                f"no published KPI tables at {path}: run the pipeline first (`pmo run`, or "
                f"`pmo demo` for the demo data set) or set EXPORT_DIR / PMO_EXPORT_DIR to the "
                f"export dir that holds kpi.duckdb")
        self.path = path.resolve()  # pins the release behind the export-dir symlink
        self.con = duckdb.connect(str(self.path), read_only=True)
        try:
            self._setup(as_of, department)
        except BaseException:
            self.con.close()
            raise

    def _setup(self, as_of: date | str | None, department: str | Sequence[str] | None) -> None:
        self.tables = {t for (t,) in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        self.require("kpi_project")
        self.release_as_of: date = self.con.execute(
            "SELECT max(as_of) FROM kpi_project").fetchall()[0][0]
        self.as_of: date = _as_date(as_of) or self.release_as_of
        self._project_table = "kpi_project"
        if self.as_of != self.release_as_of:
            self._project_table = "kpi_project_history"
            self._check_as_of("kpi_project_history")
        names = [department] if isinstance(department, str) else list(department or [])
        known = {d for t in ("kpi_project", "kpi_utilization", "kpi_people") if self.has(t)
                 for (d,) in self.con.execute(f"SELECT DISTINCT department FROM {t}").fetchall()}
        unknown = sorted(set(names) - known)
        if unknown:
            raise ValueError(f"unknown department {', '.join(unknown)}; departments: "
                             f"{', '.join(sorted(d for d in known if d))}")
        self.departments: list[str] | None = names or None

    @classmethod
    def open(cls, export_dir: str | os.PathLike | None = None, as_of: date | str | None = None,
             department: str | Sequence[str] | None = None) -> "KpiData":
        return cls(resolve_export_dir(export_dir) / "kpi.duckdb", as_of=as_of,
                   department=department)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "KpiData":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        scope = ", ".join(self.departments) if self.departments else "all departments"
        return f"KpiData({self.path}, as of {self.as_of}, {scope})"

    # ---------------------------------------------------------------------------------------
    # plumbing

    @property
    def scope(self) -> str:
        """Words for the selection, for chart titles and text."""
        return ", ".join(self.departments) if self.departments else "all departments"

    def sql(self, query: str, **params) -> pl.DataFrame:
        """Run a query with $as_of, $departments and the given $parameters; a polars frame."""
        values = {"as_of": self.as_of, "departments": self.departments, **params}
        used = set(re.findall(r"\$(\w+)", query))
        return self.con.sql(query, params={k: v for k, v in values.items() if k in used}).pl()

    def has(self, table: str) -> bool:
        return table in self.tables

    def columns(self, table: str) -> list[str]:
        return [c for (c,) in self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = $t "
            "ORDER BY column_index", {"t": table}).fetchall()]

    def require(self, *tables: str) -> None:
        missing = [t for t in tables if t not in self.tables]
        if missing:
            made_by = "; ".join(f"{t} comes from {PRODUCERS[t]}" for t in missing
                                if t in PRODUCERS)
            raise MissingTableError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not published in "
                f"{getattr(self, 'path', '?')} (it has: {', '.join(sorted(self.tables))}). "
                f"{made_by + '. ' if made_by else ''}Run the pipeline (`pmo run`) with a "
                f"version that builds {'it' if len(missing) == 1 else 'them'}, or point "
                f"EXPORT_DIR at a release that has {'it' if len(missing) == 1 else 'them'}.")

    def _check_as_of(self, table: str) -> None:
        self.require(table)
        if not self.con.execute(f"SELECT count(*) FROM {table} WHERE as_of = $as_of",
                                {"as_of": self.as_of}).fetchall()[0][0]:
            dates = self.con.execute(f"SELECT min(as_of), max(as_of), count(DISTINCT as_of) "
                                     f"FROM {table}").fetchall()[0]
            raise AsOfError(
                f"{table} holds no rows as of {self.as_of} (it has {dates[2]} dates, "
                f"{dates[0]} to {dates[1]}; the release is as of {self.release_as_of}). "
                f"Leave AS_OF empty for the release's date, run `pmo backfill` for project "
                f"history, or `pmo run --as-of {self.as_of}` for every table.")

    def table(self, name: str) -> str:
        """SQL for a published table at the as-of date: a subquery to select from."""
        if name == "kpi_project":
            name = self._project_table
        self.require(name)
        if "as_of" in self.columns(name):
            if name != "kpi_project_history" and self.as_of != self.release_as_of:
                self._check_as_of(name)
            return f"(SELECT * FROM {name} WHERE as_of = $as_of)"
        return f"(SELECT * FROM {name})"

    def in_scope(self, column: str = "department") -> str:
        """SQL condition: the row belongs to the selected departments (any without a filter)."""
        return f"list_contains($departments, {column})" if self.departments else "TRUE"

    # ---------------------------------------------------------------------------------------
    # portfolio

    def portfolio(self) -> pl.DataFrame:
        """kpi_portfolio rows of the selection (the `ALL` row without a department filter)."""
        where = self.in_scope() if self.departments else "department = 'ALL'"
        return self.sql(f"SELECT * FROM {self.table('kpi_portfolio')} WHERE {where} "
                        f"ORDER BY department")

    def projects(self) -> pl.DataFrame:
        """Every project of the selection at the as-of date, with its stage."""
        return self.sql(f"""
            SELECT *, CASE WHEN status = 'cancelled' THEN 'cancelled'
                           WHEN actual_end_date IS NOT NULL THEN 'finished'
                           ELSE 'active' END AS stage
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()}
            ORDER BY project_id""")

    def health_counts(self) -> pl.DataFrame:
        """Projects per department, stage (active, finished) and health."""
        return self.sql(f"""
            SELECT department,
                   CASE WHEN actual_end_date IS NULL THEN 'active' ELSE 'finished' END AS stage,
                   health, count(*) AS projects
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND status <> 'cancelled'
            GROUP BY ALL ORDER BY department, stage, health""")

    def cpi_spi(self) -> pl.DataFrame:
        """CPI and SPI of every project that has both (cancelled ones left out)."""
        return self.sql(f"""
            SELECT project_id, project_name, department, health,
                   CASE WHEN actual_end_date IS NULL THEN 'active' ELSE 'finished' END AS stage,
                   cpi, spi, bac, ac, ev, eac, vac, delay_days
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND status <> 'cancelled'
              AND cpi IS NOT NULL AND spi IS NOT NULL
            ORDER BY project_id""")

    def on_time_by_quarter(self) -> pl.DataFrame:
        """Finished projects and the share on time, per department and quarter of finish."""
        return self.sql(f"""
            SELECT department, quarter, projects_finished, projects_on_time, pct_on_time,
                   avg_delay_days
            FROM {self.table('kpi_delivery')}
            WHERE {self.in_scope()}
            ORDER BY quarter, department""")

    def history_dates(self) -> int:
        if not self.has("kpi_project_history"):
            return 0
        return self.con.execute("SELECT count(DISTINCT as_of) FROM kpi_project_history "
                                "WHERE as_of <= $as_of", {"as_of": self.as_of}).fetchall()[0][0]

    def portfolio_trend(self, max_points: int = 400) -> pl.DataFrame:
        """Per history date: portfolio CPI and SPI over the active projects and their health
        counts. Long histories are thinned to the last date of each week (or month)."""
        self.require("kpi_project_history")
        n = self.history_dates()
        bucket = "as_of" if n <= max_points else (
            "date_trunc('week', as_of)" if n / 7 <= max_points else "date_trunc('month', as_of)")
        return self.sql(f"""
            WITH history AS (
                SELECT * FROM kpi_project_history
                WHERE as_of <= $as_of AND {self.in_scope()} AND {ACTIVE}
            ), dates AS (
                SELECT max(as_of) AS as_of FROM history GROUP BY {bucket}
            )
            SELECT as_of, count(*) AS projects_active,
                   sum(ev) / nullif(sum(ac), 0) AS portfolio_cpi,
                   sum(ev) / nullif(sum(pv), 0) AS portfolio_spi,
                   count(*) FILTER (health = 'red') AS red,
                   count(*) FILTER (health = 'amber') AS amber,
                   count(*) FILTER (health = 'green') AS green
            FROM history JOIN dates USING (as_of)
            GROUP BY as_of ORDER BY as_of""")

    # ---------------------------------------------------------------------------------------
    # failing projects and their drivers

    def red_projects(self) -> pl.DataFrame:
        """Failing (red) projects, worst cost performance first, with their KPIs."""
        return self.sql(f"""
            SELECT project_id, project_name, department, status,
                   CASE WHEN actual_end_date IS NULL THEN 'active' ELSE 'finished' END AS stage,
                   cpi, spi, bac, ac, eac, vac, actual_hours, planned_hours, estimate_ratio,
                   tasks_overdue, delay_days, forecast_end_date, planned_end_date
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND health = 'red'
            ORDER BY cpi NULLS LAST, project_id""")

    def drivers(self, project_ids: Iterable[str] | None = None) -> pl.DataFrame:
        """Root-cause drivers of projects (default: the failing ones of the selection): share,
        baseline, lift, flagged and rank per driver, `excess` (share - baseline) and `hours`
        behind the share: logged hours, overrun hours (estimation) or planned hours
        (scope_creep)."""
        self.require("rca_drivers")
        ids = list(project_ids) if project_ids is not None else None
        which = "list_contains($ids, p.project_id)" if ids is not None else "p.health = 'red'"
        # rca_drivers may carry driver_hours (the sum of rca_evidence); else share x basis
        hours = ("d.driver_hours" if "driver_hours" in self.columns("rca_drivers") else
                 "d.share * CASE WHEN d.driver = 'scope_creep' THEN p.planned_hours "
                 "ELSE p.actual_hours END")
        return self.sql(f"""
            SELECT d.project_id, p.project_name, p.department, p.health, d.driver, d.share,
                   d.baseline, d.lift, coalesce(d.flagged, false) AS flagged, d.rank,
                   d.share - coalesce(d.baseline, 0) AS excess, {hours} AS hours,
                   CASE d.driver WHEN 'scope_creep' THEN 'planned hours of added tasks'
                                 WHEN 'estimation' THEN 'hours over the estimate'
                                 ELSE 'hours logged' END AS hours_of
            FROM {self.table('rca_drivers')} AS d
            JOIN {self.table('kpi_project')} AS p USING (project_id)
            WHERE {self.in_scope('p.department')} AND {which}
            ORDER BY d.project_id, d.rank NULLS LAST, d.share DESC""",
                        **({"ids": ids} if ids is not None else {}))

    def red_list(self) -> pl.DataFrame:
        """The failing projects with their primary driver (`unexplained` when no driver is
        flagged) and every flagged driver in rank order."""
        red = self.red_projects()
        drivers = self.drivers(red["project_id"].to_list())
        flagged = (drivers.filter(pl.col("flagged"))
                   .sort(["project_id", "rank", "excess"], descending=[False, False, True],
                         nulls_last=True)
                   .group_by("project_id", maintain_order=True)
                   .agg(pl.col("driver").alias("flagged_drivers")))
        out = red.join(flagged, on="project_id", how="left").with_columns(
            pl.col("flagged_drivers").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        return out.with_columns(
            pl.when(pl.col("flagged_drivers").list.len() > 0)
            .then(pl.col("flagged_drivers").list.first())
            .otherwise(pl.lit("unexplained")).alias("primary_driver"),
            pl.col("flagged_drivers").list.join(", ").alias("drivers"))

    def pick_project(self, project_id: str | None = None) -> str:
        """The project to drill into: the given one, else the failing project with the worst
        cost performance, else (nothing failing) the project with the lowest CPI."""
        if project_id:
            self.project(project_id)  # raises when it is not published
            return project_id
        red = self.red_projects()
        if not red.is_empty():
            return red["project_id"][0]
        worst = self.sql(f"""
            SELECT project_id FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND status <> 'cancelled'
            ORDER BY cpi NULLS LAST, project_id LIMIT 1""")
        if worst.is_empty():
            raise LookupError(f"no project as of {self.as_of} in {self.scope}")
        return worst["project_id"][0]

    def project(self, project_id: str) -> dict:
        """One project's KPI row, as a dict."""
        rows = self.sql(f"SELECT * FROM {self.table('kpi_project')} WHERE project_id = $p",
                        p=project_id)
        if rows.is_empty():
            raise ValueError(f"project {project_id} is not published as of {self.as_of}")
        return rows.row(0, named=True)

    def project_history(self, project_id: str, max_points: int = 400) -> pl.DataFrame:
        """One project's CPI, SPI and health over the published history up to the as-of date."""
        self.require("kpi_project_history")
        n = self.sql("SELECT count(*) AS n FROM kpi_project_history "
                     "WHERE project_id = $p AND as_of <= $as_of", p=project_id)["n"][0]
        return self.sql("""
            SELECT as_of, cpi, spi, health, ev, ac, pv, actual_hours, planned_hours
            FROM kpi_project_history
            WHERE project_id = $p AND as_of <= $as_of
            QUALIFY (row_number() OVER (ORDER BY as_of DESC) - 1) % $step = 0
            ORDER BY as_of""", p=project_id, step=max(1, math.ceil(n / max_points)))

    def evidence_by_person(self, project_id: str, limit: int = 15) -> pl.DataFrame:
        """The people behind a project's drivers: hours per employee and driver (rca_evidence),
        the `limit` employees with most hours under the flagged drivers (all drivers when none
        is flagged)."""
        return self._evidence_top(project_id, "employee_id", "coalesce(e.employee_id, "
                                  "'(unassigned)')", limit)

    def evidence_by_task(self, project_id: str, limit: int = 15) -> pl.DataFrame:
        """The tasks behind a project's drivers: hours per task and driver (rca_evidence)."""
        return self._evidence_top(project_id, "task",
                                  "e.task_id || ' ' || coalesce(e.task_name, '')", limit)

    def _evidence_top(self, project_id: str, name: str, key: str, limit: int) -> pl.DataFrame:
        self.require(EVIDENCE_TABLE, "rca_drivers")
        return self.sql(f"""
            WITH chosen AS (
                SELECT driver FROM {self.table('rca_drivers')}
                WHERE project_id = $p
                  AND (flagged OR NOT EXISTS (SELECT 1 FROM {self.table('rca_drivers')}
                                              WHERE project_id = $p AND flagged))
            ),
            rows AS (
                SELECT {key} AS {name}, e.driver, sum(e.hours) AS hours,
                       count(DISTINCT e.task_id) AS tasks,
                       count(DISTINCT e.employee_id) AS people
                FROM {self.table(EVIDENCE_TABLE)} AS e JOIN chosen USING (driver)
                WHERE e.project_id = $p
                GROUP BY ALL
            ),
            top AS (
                SELECT {name} FROM rows GROUP BY {name}
                ORDER BY sum(hours) DESC, {name} LIMIT $limit
            )
            SELECT rows.* FROM rows JOIN top USING ({name})
            ORDER BY {name}, driver""", p=project_id, limit=limit)

    def evidence_detail(self, project_id: str, limit: int = 20) -> pl.DataFrame:
        """The largest pieces of evidence of a project's flagged drivers, each with why it
        counts in words (rca_evidence.detail); over-allocated weeks summed per task and
        person."""
        self.require(EVIDENCE_TABLE, "rca_drivers")
        return self.sql(f"""
            WITH flagged AS (
                SELECT driver, rank FROM {self.table('rca_drivers')}
                WHERE project_id = $p AND flagged
            )
            SELECT e.driver, e.task_id, any_value(e.task_name) AS task_name, e.employee_id,
                   sum(e.hours) AS hours, count(*) AS rows_,
                   CASE WHEN count(*) = 1 THEN any_value(e.detail)
                        ELSE count(*) || ' weeks, e.g. ' || max(e.detail) END AS detail
            FROM {self.table(EVIDENCE_TABLE)} AS e JOIN flagged USING (driver)
            WHERE e.project_id = $p
            GROUP BY e.driver, e.task_id, e.employee_id, flagged.rank
            ORDER BY flagged.rank NULLS LAST, hours DESC
            LIMIT $limit""", p=project_id, limit=limit).drop("rows_")

    # ---------------------------------------------------------------------------------------
    # people, utilization, training

    def utilization_heatmap(self, weeks: int = 26, max_cells: int = 4500,
                            max_employees: int = 150) -> pl.DataFrame:
        """Utilization per employee and period over the last `weeks` weeks up to the as-of
        date. A period is a week, or a group of weeks when employees x weeks would exceed
        max_cells; beyond max_employees, those over-allocated most often are kept."""
        self.require("kpi_utilization")
        base = f"""
            SELECT * FROM {self.table('kpi_utilization')}
            WHERE {self.in_scope()} AND week_start <= $as_of
              AND week_start > date_trunc('week', $as_of::DATE) - to_weeks($weeks::INT)"""
        employees = self.sql(f"SELECT count(DISTINCT employee_id) AS n FROM ({base})",
                             weeks=weeks)["n"][0]
        keep = min(employees, max_employees)
        bucket = max(1, math.ceil(weeks * keep / max_cells))
        return self.sql(f"""
            WITH u AS ({base}),
            ranked AS (
                SELECT employee_id FROM u GROUP BY employee_id
                ORDER BY count(*) FILTER (over_allocated) DESC,
                         sum(project_hours) / nullif(sum(available_hours), 0) DESC NULLS LAST,
                         employee_id
                LIMIT $keep
            ),
            periods AS (
                SELECT u.*, datediff('week', week_start, date_trunc('week', $as_of::DATE))
                            // $bucket AS period
                FROM u JOIN ranked USING (employee_id)
            )
            SELECT employee_id, any_value(department) AS department,
                   $employees::INT AS employees_total,
                   (date_trunc('week', $as_of::DATE)
                    - to_weeks((period * $bucket + $bucket - 1)::INT))::DATE AS week_start,
                   $bucket::INT AS weeks_in_period,
                   sum(available_hours) AS available_hours, sum(project_hours) AS project_hours,
                   sum(total_hours) AS total_hours,
                   sum(project_hours) / nullif(sum(available_hours), 0) AS utilization,
                   count(*) FILTER (over_allocated) AS weeks_over_allocated
            FROM periods GROUP BY employee_id, period
            ORDER BY department, employee_id, week_start""",
                        weeks=weeks, keep=keep, bucket=bucket, employees=employees)

    def over_allocation_by_week(self, weeks: int = 52) -> pl.DataFrame:
        """Per department and week: employees, over-allocated employees and their share."""
        self.require("kpi_utilization")
        return self.sql(f"""
            SELECT department, week_start, count(*) AS employees,
                   count(*) FILTER (over_allocated) AS over_allocated,
                   count(*) FILTER (over_allocated) / count(*) AS share_over_allocated,
                   sum(greatest(total_hours - available_hours, 0)) AS hours_over_capacity
            FROM {self.table('kpi_utilization')}
            WHERE {self.in_scope()} AND week_start <= $as_of
              AND week_start > date_trunc('week', $as_of::DATE) - to_weeks($weeks::INT)
            GROUP BY ALL ORDER BY week_start, department""", weeks=weeks)

    def people(self) -> pl.DataFrame:
        """kpi_people of the selection: per employee over the trailing 90 days."""
        return self.sql(f"""SELECT * FROM {self.table('kpi_people')}
                            WHERE {self.in_scope()} ORDER BY employee_id""")

    def most_over_allocated(self, limit: int = 25) -> pl.DataFrame:
        """The people over-allocated in most weeks of the trailing window (kpi_people)."""
        return self.sql(f"""
            SELECT employee_id, department, weeks_over_allocated, utilization_avg
            FROM {self.table('kpi_people')}
            WHERE {self.in_scope()} AND weeks_over_allocated > 0
            ORDER BY weeks_over_allocated DESC, utilization_avg DESC NULLS LAST, employee_id
            LIMIT $limit""", limit=limit)

    def skill_gaps(self) -> pl.DataFrame:
        """Open tasks with a skill gap, per department, and the people who hold them."""
        return self.sql(f"""
            SELECT department, count(*) FILTER (skill_gap_tasks > 0) AS people_with_gaps,
                   count(*) AS people, sum(skill_gap_tasks)::BIGINT AS skill_gap_tasks
            FROM {self.table('kpi_people')}
            WHERE {self.in_scope()}
            GROUP BY department ORDER BY skill_gap_tasks DESC, department""")

    def skill_gap_people(self, limit: int = 25) -> pl.DataFrame:
        return self.sql(f"""
            SELECT employee_id, department, skill_gap_tasks, training_recommended
            FROM {self.table('kpi_people')}
            WHERE {self.in_scope()} AND skill_gap_tasks > 0
            ORDER BY skill_gap_tasks DESC, employee_id LIMIT $limit""", limit=limit)

    def training_recommendations(self) -> pl.DataFrame:
        """Who should get refresher training and why: kpi_people.training_reason, and
        `reason_kind`, which benchmark of the training rule (kpis.md) the numbers fail."""
        from pipelines.settings import KpiParams

        rule = KpiParams()
        return self.sql(f"""
            SELECT employee_id, department, tasks_completed, on_time_rate, estimate_ratio,
                   skill_gap_tasks, weeks_over_allocated, training_reason,
                   CASE WHEN tasks_completed >= $min_tasks AND on_time_rate < $late
                             AND estimate_ratio > $over THEN 'late and over estimate'
                        WHEN tasks_completed >= $min_tasks AND on_time_rate < $late
                             THEN 'tasks late'
                        WHEN tasks_completed >= $min_tasks AND estimate_ratio > $over
                             THEN 'over estimate'
                        ELSE 'untrained in a tool' END AS reason_kind
            FROM {self.table('kpi_people')}
            WHERE {self.in_scope()} AND training_recommended
            ORDER BY department, employee_id""",
                        min_tasks=rule.training_min_tasks, late=rule.training_on_time_below,
                        over=rule.training_estimate_above)

    def performance_points(self) -> pl.DataFrame:
        """On-time rate against estimate ratio per person with finished tasks (the two
        benchmarks of the training rule)."""
        return self.sql(f"""
            SELECT employee_id, department, tasks_completed, on_time_rate, estimate_ratio,
                   training_recommended
            FROM {self.table('kpi_people')}
            WHERE {self.in_scope()} AND tasks_completed > 0
              AND on_time_rate IS NOT NULL AND estimate_ratio IS NOT NULL
            ORDER BY employee_id""")

    # ---------------------------------------------------------------------------------------
    # tool adoption

    def tool_adoption(self) -> pl.DataFrame:
        """Every tool rollout of the selection, before and after, trained and untrained."""
        return self.sql(f"""
            SELECT tool || ' · ' || department AS rollout, *,
                   on_time_rate_after - on_time_rate_before AS on_time_change,
                   estimate_ratio_after - estimate_ratio_before AS estimate_change,
                   on_time_rate_after_trained - on_time_rate_after_untrained AS trained_gain
            FROM {self.table('kpi_tool_adoption')}
            WHERE {self.in_scope()}
            ORDER BY rollout_date, tool, department""")
