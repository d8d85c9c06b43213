"""Failing projects: the red list, ranked by cost performance or by money at risk (VAC), each
project's root-cause drivers, and the tasks, people and hours behind them. Questions and
charts.

    kpi = FailingData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    red = kpi.red_list()                     # primary driver and flagged drivers per project
    red_projects(red)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import altair as alt
import polars as pl

from pipelines.analysis.base import STAGE, KpiBase
from pipelines.analysis.chartkit import (
    DRIVER_ORDER, HEALTH_COLORS, INDEX_COLORS, WIDTH, flag_scale, folded_lines, index_lines,
    rules, scale, tooltips)

# The tasks, employees and hours behind each driver's share (one row per project, driver, task,
# employee and, for over_allocation, week): the failing-projects drill-down.
EVIDENCE_TABLE = "rca_evidence"
ORDERS = {"cpi": "cpi NULLS LAST, project_id",  # worst cost performance first
          "vac": "vac NULLS LAST, project_id"}  # most money at risk (bac - eac) first


class FailingData(KpiBase):
    """The failing-projects questions."""

    def red_projects(self, stage: str | None = None, order: str = "cpi") -> pl.DataFrame:
        """Failing (red) projects with their KPIs, worst cost performance first (order `cpi`)
        or most money at risk first (order `vac`); all, or one stage (`active`, `finished`)."""
        return self.sql(f"""
            SELECT * FROM (
                SELECT project_id, project_name, department, status, {STAGE} AS stage,
                       cpi, spi, bac, ac, eac, vac, actual_hours, planned_hours,
                       estimate_ratio, tasks_overdue, delay_days, forecast_end_date,
                       planned_end_date, actual_end_date
                FROM {self.table('kpi_project')}
                WHERE {self.in_scope()} AND health = 'red')
            WHERE $stage IS NULL OR stage = $stage
            ORDER BY {ORDERS[order]}""", stage=stage)

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

    def red_list(self, stage: str | None = None, order: str = "cpi") -> pl.DataFrame:
        """The failing projects (see red_projects) with their primary driver (`unexplained`
        when no driver is flagged) and every flagged driver in rank order."""
        return self.with_drivers(self.red_projects(stage, order))

    def with_drivers(self, projects: pl.DataFrame) -> pl.DataFrame:
        """Projects (a project_id column) with `flagged_drivers` (rank order), `drivers`
        (joined) and `primary_driver` (the first, else `unexplained`)."""
        drivers = self.drivers(projects["project_id"].to_list())
        flagged = (drivers.filter(pl.col("flagged"))
                   .sort(["project_id", "rank", "excess"], descending=[False, False, True],
                         nulls_last=True)
                   .group_by("project_id", maintain_order=True)
                   .agg(pl.col("driver").alias("flagged_drivers")))
        out = projects.join(flagged, on="project_id", how="left").with_columns(
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
        return self.evidence_details([project_id], limit).drop("project_id")

    def evidence_details(self, project_ids: Iterable[str], limit: int = 20) -> pl.DataFrame:
        """evidence_detail of several projects in one query (one scan of rca_evidence, not one
        per project): `limit` rows per project, with its project_id, in the given order."""
        self.require(EVIDENCE_TABLE, "rca_drivers")
        ids = list(project_ids)
        return self.sql(f"""
            WITH flagged AS (
                SELECT project_id, driver, rank FROM {self.table('rca_drivers')}
                WHERE list_contains($ids, project_id) AND flagged
            )
            SELECT e.project_id, e.driver, e.task_id, any_value(e.task_name) AS task_name,
                   e.employee_id, sum(e.hours) AS hours,
                   CASE WHEN count(*) = 1 THEN any_value(e.detail)
                        ELSE count(*) || ' weeks, e.g. ' || max(e.detail) END AS detail
            FROM {self.table(EVIDENCE_TABLE)} AS e JOIN flagged USING (project_id, driver)
            WHERE list_contains($ids, e.project_id)
            GROUP BY e.project_id, e.driver, e.task_id, e.employee_id, flagged.rank
            QUALIFY row_number() OVER (
                PARTITION BY e.project_id
                ORDER BY flagged.rank NULLS LAST, sum(e.hours) DESC, e.task_id, e.employee_id
            ) <= $limit
            ORDER BY list_position($ids, e.project_id), flagged.rank NULLS LAST, hours DESC,
                     e.task_id, e.employee_id""", ids=ids, limit=limit)


def primary_driver_counts(red: pl.DataFrame) -> pl.DataFrame:
    """Failing projects and money at risk per primary driver (a red_list frame)."""
    return (red.group_by("primary_driver")
            .agg(pl.len().alias("projects"), pl.col("vac").sum().alias("vac"))
            .sort(["vac", "projects"], descending=[False, True]))


# --------------------------------------------------------------------------------------------
# charts


def red_projects(red: pl.DataFrame) -> alt.LayerChart:
    """Failing projects: CPI and SPI, labelled with the primary driver."""
    base = alt.Chart(red).encode(y=alt.Y("project_id:N", title=None,
                                         sort=alt.EncodingSortField(field="cpi", op="min")))
    bars = base.transform_fold(["cpi", "spi"], as_=["index", "value"]).mark_bar().encode(
        x=alt.X("value:Q", title="index (1 = on plan)"),
        yOffset="index:N",
        color=alt.Color("index:N", title=None, legend=alt.Legend(orient="top"),
                        scale=scale(INDEX_COLORS)),
        tooltip=["project_id", "project_name", "department", "index:N",
                 alt.Tooltip("value:Q", format=".2f"), "primary_driver"],
    )
    label = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.datum(1.0), text="primary_driver:N")
    return alt.layer(bars, rules([1.0], "x", "#555", False), label).properties(
        title="Failing projects: CPI and SPI, and the primary driver", width=WIDTH - 160,
        height=alt.Step(13))


def money_at_risk(red: pl.DataFrame, limit: int = 15, width: int = WIDTH - 300
                  ) -> alt.LayerChart:
    """The failing projects with the most money at risk (most negative VAC), the bar labelled
    with the amount and the primary driver; the rest of the list is summed in one line."""
    top = red.sort("vac", nulls_last=True).head(limit).with_columns(
        (-pl.col("vac")).alias("at_risk"),
        (pl.col("project_id") + " " + pl.col("project_name").str.slice(0, 24)).alias("project"))
    base = alt.Chart(top).encode(y=alt.Y("project:N", title=None, sort=None,
                                         axis=alt.Axis(labelLimit=200)))
    bars = base.mark_bar(color=HEALTH_COLORS["red"]).encode(
        x=alt.X("at_risk:Q", title="forecast overrun (−VAC = EAC − BAC)",
                axis=alt.Axis(format="~s")),
        tooltip=tooltips("project_id", "project_name", "department",
                         alt.Tooltip("at_risk:Q", format=",.0f", title="forecast overrun"),
                         alt.Tooltip("cpi:Q", format=".2f"), alt.Tooltip("spi:Q", format=".2f"),
                         "primary_driver"))
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("at_risk:Q"), text=alt.Text("label:N")).transform_calculate(
        label="format(datum.at_risk, '.3~s') + ' · ' + datum.primary_driver")
    rest = red.height - top.height
    title = f"Failing projects with the most money at risk (top {top.height} of {red.height})" \
        if rest > 0 else "Failing projects by money at risk"
    return (bars + text).properties(title=title, width=width, height=alt.Step(18))


def driver_heatmap(drivers: pl.DataFrame) -> alt.LayerChart:
    """Share of each failing project's hours under each driver; flagged drivers outlined."""
    base = alt.Chart(drivers).encode(
        x=alt.X("driver:N", sort=DRIVER_ORDER, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("project_id:N", title=None),
    )
    cells = base.mark_rect(strokeWidth=2.5).encode(
        color=alt.Color("share:Q", title="share of hours",
                        scale=alt.Scale(scheme="oranges", domain=[0, 1]),
                        legend=alt.Legend(format=".0%")),
        stroke=alt.condition("datum.flagged", alt.value("black"), alt.value(None)),
        tooltip=["project_id", "project_name", "driver", alt.Tooltip("share:Q", format=".0%"),
                 alt.Tooltip("baseline:Q", format=".0%"), alt.Tooltip("lift:Q", format=".1f"),
                 "flagged", "rank"],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("black")))
    return (cells + text).properties(
        title="Drivers of the failing projects (share of hours; outlined = flagged)",
        width=WIDTH - 120)


def project_drivers(drivers: pl.DataFrame, project_id: str) -> alt.LayerChart:
    """One project's share per driver against the green-project baseline."""
    base = alt.Chart(drivers).encode(
        y=alt.Y("driver:N", sort=DRIVER_ORDER, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="share of the project's hours", axis=alt.Axis(format=".0%")),
        color=alt.Color("flagged:N", title="flagged", scale=flag_scale(false="#9ecae1")),
        tooltip=tooltips("driver", alt.Tooltip("share:Q", format=".1%"),
                         alt.Tooltip("baseline:Q", format=".1%"),
                         alt.Tooltip("lift:Q", format=".1f"), "flagged", "rank",
                         alt.Tooltip("hours:Q", format=",.0f"), "hours_of"),
    )
    baseline = base.mark_tick(color="black", thickness=2, size=22).encode(
        x=alt.X("baseline:Q"))
    return (bars + baseline).properties(
        title=f"{project_id}: share of hours per driver (tick = median of green projects)",
        width=WIDTH - 160)


def driver_hours(drivers: pl.DataFrame, project_id: str) -> alt.LayerChart:
    """Hours behind each driver of one project."""
    base = alt.Chart(drivers).encode(y=alt.Y("driver:N", sort=DRIVER_ORDER, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("hours:Q", title="hours"),
        color=alt.Color("hours_of:N", title="hours counted",
                        scale=alt.Scale(range=["#6baed6", "#fd8d3c"])),
        tooltip=["driver", alt.Tooltip("hours:Q", format=",.0f"), "hours_of",
                 alt.Tooltip("share:Q", format=".1%")],
    )
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(
        x="hours:Q", text=alt.Text("hours:Q", format=",.0f"))
    return (bars + text).properties(title=f"{project_id}: hours behind each driver",
                                    width=WIDTH - 160)


def project_history(history: pl.DataFrame, project_id: str,
                    red_below: float = 0.9) -> alt.LayerChart:
    """One project's CPI and SPI over the published history."""
    return index_lines(history, "cpi", "spi", f"{project_id}: CPI and SPI over time",
                       red_below, tooltip=["health"])


def evidence_bars(evidence: pl.DataFrame, key: str, title: str) -> alt.Chart:
    """Hours under each driver per person or task (rca_evidence, aggregated in SQL), the
    largest first, stacked by driver."""
    return alt.Chart(evidence).mark_bar().encode(
        x=alt.X("sum(hours):Q", title="hours under the driver"),
        y=alt.Y(f"{key}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
        color=alt.Color("driver:N", scale=alt.Scale(domain=DRIVER_ORDER, scheme="tableau10")),
        tooltip=[key, "driver", alt.Tooltip("hours:Q", format=",.1f"), "tasks", "people"],
    ).properties(title=title, width=WIDTH - 260, height=alt.Step(16))


def evidence_people(evidence: pl.DataFrame, project_id: str) -> alt.Chart:
    return evidence_bars(evidence, "employee_id",
                         f"{project_id}: people with most hours under its drivers")


def evidence_tasks(evidence: pl.DataFrame, project_id: str) -> alt.Chart:
    return evidence_bars(evidence, "task", f"{project_id}: tasks with most hours under its drivers")


def project_hours_history(history: pl.DataFrame, project_id: str) -> alt.Chart:
    """Planned hours (scope) and actual hours of one project over the published history."""
    return folded_lines(history, {"planned_hours": "#fd8d3c", "actual_hours": "#6baed6"},
                        f"{project_id}: planned (scope) and actual hours over time", "hours",
                        fmt=",.0f", zero=True, height=180)


def project_trend(history: pl.DataFrame, project_id: str,
                  red_below: float = 0.9) -> alt.VConcatChart:
    """CPI and SPI, then planned and actual hours, of one project over the history."""
    return alt.vconcat(project_history(history, project_id, red_below),
                       project_hours_history(history, project_id)
                       ).resolve_scale(color="independent")
