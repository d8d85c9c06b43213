"""Portfolio health: how healthy is the portfolio, where are the red projects, what changed
since the previous release and month, and is it getting better? Questions and charts.

    kpi = PortfolioData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    health_by_department(kpi.health_counts())

Every result is aggregated in SQL down to what a chart draws (Altair refuses > 5,000 rows);
the charts stay readable at 2,000 projects: they aggregate, label only the worst few, and
leave the rest to tooltips.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from pipelines.analysis.base import ACTIVE, STAGE, KpiBase
from pipelines.analysis.chartkit import (
    DATE_AXIS, HEALTH_COLORS, WIDTH, health_scale, index_lines, rules, tooltips)

LABELLED = 5  # projects named in a chart of every project: the worst few by money at risk
QUARTERS = 8  # quarters of finish in the on-time heatmap


class PortfolioData(KpiBase):
    """The portfolio questions."""

    def portfolio(self) -> pl.DataFrame:
        """kpi_portfolio rows of the selection (the `ALL` row without a department filter)."""
        where = self.in_scope() if self.departments else "department = 'ALL'"
        return self.sql(f"SELECT * FROM {self.table('kpi_portfolio')} WHERE {where} "
                        f"ORDER BY department")

    def projects(self) -> pl.DataFrame:
        """Every project of the selection at the as-of date, with its stage."""
        return self.sql(f"""
            SELECT *, {STAGE} AS stage FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} ORDER BY project_id""")

    def health_counts(self) -> pl.DataFrame:
        """Projects per department, stage (active, finished) and health."""
        return self.sql(f"""
            SELECT department, {STAGE} AS stage, health, count(*) AS projects
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND status <> 'cancelled'
            GROUP BY ALL ORDER BY department, stage, health""")

    def cpi_spi(self, stage: str | None = None) -> pl.DataFrame:
        """CPI and SPI of every project that has both (cancelled ones left out), or of one
        stage (`active`, `finished`)."""
        return self.sql(f"""
            SELECT * FROM (
                SELECT project_id, project_name, department, health, {STAGE} AS stage,
                       cpi, spi, bac, ac, ev, eac, vac, delay_days
                FROM {self.table('kpi_project')}
                WHERE {self.in_scope()} AND status <> 'cancelled'
                  AND cpi IS NOT NULL AND spi IS NOT NULL)
            WHERE $stage IS NULL OR stage = $stage
            ORDER BY project_id""", stage=stage)

    def on_time_by_quarter(self, quarters: int | None = None) -> pl.DataFrame:
        """Finished projects and the share on time, per department and quarter of finish
        (the last `quarters` quarters with a finish, or all)."""
        return self.sql(f"""
            WITH d AS (SELECT * FROM {self.table('kpi_delivery')} WHERE {self.in_scope()})
            SELECT department, quarter, projects_finished, projects_on_time, pct_on_time,
                   avg_delay_days
            FROM d
            WHERE $quarters IS NULL OR quarter IN (
                SELECT DISTINCT quarter FROM d ORDER BY quarter DESC LIMIT $quarters)
            ORDER BY quarter, department""", quarters=quarters)

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
    # what changed

    def comparison_dates(self) -> dict[str, date]:
        """The dates to compare with, from kpi_project_history: `previous release` (the last
        date before the as-of date) and `a month ago` (the last date at least a month back);
        only those the history holds."""
        if not self.has("kpi_project_history"):
            return {}
        row = self.con.execute("""
            SELECT max(as_of) FILTER (as_of < $as_of),
                   max(as_of) FILTER (as_of <= $as_of::DATE - INTERVAL 1 MONTH)
            FROM kpi_project_history""", {"as_of": self.as_of}).fetchall()[0]
        return {k: v for k, v in zip(("previous release", "a month ago"), row) if v}

    def changes(self, since: date) -> pl.DataFrame:
        """Each project of the selection now against `since` (kpi_project_history): health
        and VAC then and now, and `change`: `new red` (red now, not red then or new),
        `recovered` (red then, not now) or null."""
        self.require("kpi_project_history")
        return self.sql(f"""
            SELECT c.project_id, c.project_name, c.department, c.stage,
                   p.health AS health_before, c.health, p.cpi AS cpi_before, c.cpi,
                   p.vac AS vac_before, c.vac, c.vac - p.vac AS vac_change,
                   CASE WHEN c.health = 'red' AND p.health IS DISTINCT FROM 'red' THEN 'new red'
                        WHEN p.health = 'red' AND c.health <> 'red' THEN 'recovered'
                   END AS change
            FROM (SELECT *, {STAGE} AS stage FROM {self.table('kpi_project')}) AS c
            LEFT JOIN (SELECT * FROM kpi_project_history WHERE as_of = $since) AS p
                   USING (project_id)
            WHERE {self.in_scope('c.department')} AND c.status <> 'cancelled'
              AND (c.actual_end_date IS NULL OR c.actual_end_date > $since)
            ORDER BY c.project_id""", since=since)

    def recently_finished(self, months: int = 12) -> pl.DataFrame:
        """Projects of the selection that finished in the last `months` months, latest
        first, with `on_time` (finished by the planned end)."""
        return self.sql(f"""
            SELECT project_id, project_name, department, actual_end_date, planned_end_date,
                   health, cpi, spi, bac, ac, vac, delay_days,
                   coalesce(delay_days, 0) <= 0 AS on_time
            FROM {self.table('kpi_project')}
            WHERE {self.in_scope()} AND status <> 'cancelled' AND actual_end_date IS NOT NULL
              AND actual_end_date > $as_of::DATE - to_months($months::INT)
            ORDER BY actual_end_date DESC, project_id""", months=months)


# --------------------------------------------------------------------------------------------
# charts


def health_by_department(counts: pl.DataFrame) -> alt.Chart:
    """Projects per department by health, active and finished side by side."""
    return alt.Chart(counts, title="Project health by department").mark_bar().encode(
        x=alt.X("sum(projects):Q", title="projects"),
        y=alt.Y("department:N", title=None, sort="-x"),
        color=alt.Color("health:N", scale=health_scale(), title="health"),
        order=alt.Order("health_rank:Q"),
        column=alt.Column("stage:N", title=None, sort=["active", "finished"]),
        tooltip=tooltips("department", "stage", "health", "projects"),
    ).transform_calculate(
        health_rank="indexof(['red','amber','green','unknown'], datum.health)",
    ).properties(width=WIDTH // 2 - 40)


def cpi_spi(points: pl.DataFrame, red_below: float = 0.9,
            labelled: int = LABELLED) -> alt.LayerChart:
    """CPI against SPI per project; lines at 1 (on plan) and at the red threshold. Only the
    `labelled` red projects with the most money at risk (most negative VAC) are named, by
    their rank; beyond 200 points the dots shrink and fade, and the axes are clipped to the
    bulk of the projects (outliers sit on the edge; tooltips give every value)."""
    many = points.height > 200
    worst = set(points.filter(pl.col("health") == "red").sort("vac", nulls_last=True)
                .head(labelled)["project_id"].to_list())
    points = points.with_columns(
        pl.col("vac").rank("ordinal").over(pl.col("project_id").is_in(worst)).alias("rank"))
    points = points.with_columns(
        pl.when(pl.col("project_id").is_in(worst)).then(pl.col("rank").cast(pl.String))
        .otherwise(None).alias("label"))
    domain = {"spi": _bounds(points["spi"]), "cpi": _bounds(points["cpi"])}
    base = alt.Chart(points)

    def axis(name: str, title: str) -> dict:
        return {"field": name, "type": "quantitative", "title": title,
                "scale": alt.Scale(domain=domain[name], clamp=True, nice=False)}

    dots = base.mark_point(size=25 if many else 90, opacity=0.45 if many else 0.85,
                           filled=True).encode(
        x=alt.X(**axis("spi", "SPI (schedule: earned / planned value)")),
        y=alt.Y(**axis("cpi", "CPI (cost: earned value / actual cost)")),
        color=alt.Color("health:N", scale=health_scale()),
        shape=alt.Shape("stage:N", title="stage"),
        tooltip=tooltips("project_id", "project_name", "department", "health", "stage",
                         alt.Tooltip("cpi:Q", format=".2f"), alt.Tooltip("spi:Q", format=".2f"),
                         alt.Tooltip("vac:Q", format=",.0f", title="VAC")),
    )
    ring = base.transform_filter("datum.label != null").mark_point(
        size=160, color="black", strokeWidth=1.5).encode(x=alt.X("spi:Q"), y=alt.Y("cpi:Q"))
    labels = base.transform_filter("datum.label != null").mark_text(
        align="left", dx=8, dy=-6, fontSize=12, fontWeight="bold").encode(
        x=alt.X("spi:Q"), y=alt.Y("cpi:Q"), text=alt.Text("label:N"))
    red = HEALTH_COLORS["red"]
    layers = [rules([1.0], "x", "#555", False), rules([1.0], "y", "#555", False),
              rules([red_below], "x", red), rules([red_below], "y", red), dots, ring, labels]
    title = "Cost against schedule performance per project"
    if worst:
        title = [title, f"numbered: the {len(worst)} red projects with the most money at risk"]
    return alt.layer(*layers).properties(title=title, width=WIDTH, height=380)


def _bounds(values: pl.Series) -> list[float]:
    """An axis range holding the 1st to 99th percentile of the values, 1 and the red line."""
    values = values.drop_nulls()
    if values.is_empty():
        return [0.5, 1.5]
    low, high = values.quantile(0.01) or 0.5, values.quantile(0.99) or 1.5
    pad = (high - low) * 0.08 + 0.02
    return [round(min(low, 0.85) - pad, 2), round(max(high, 1.05) + pad, 2)]


def on_time_heatmap(delivery: pl.DataFrame) -> alt.LayerChart:
    """Share of finished projects on time per department and quarter of finish."""
    base = alt.Chart(delivery).encode(
        x=alt.X("quarter:O", title="quarter of finish"),
        y=alt.Y("department:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("pct_on_time:Q", title="on time", scale=alt.Scale(
            domain=[0, 1], scheme="redyellowgreen"), legend=alt.Legend(format=".0%")),
        tooltip=tooltips("department", "quarter", "projects_finished", "projects_on_time",
                         alt.Tooltip("pct_on_time:Q", format=".0%"),
                         alt.Tooltip("avg_delay_days:Q", format=".0f",
                                     title="avg delay (days)")),
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("label:N"),
        color=alt.condition("datum.pct_on_time < 0.2 || datum.pct_on_time > 0.8",
                            alt.value("white"), alt.value("black")),
    ).transform_calculate(label="datum.projects_on_time + '/' + datum.projects_finished")
    return (cells + text).properties(
        title="Projects finished on time (on time / finished) by department and quarter",
        width=WIDTH)


def portfolio_trend(trend: pl.DataFrame, red_below: float = 0.9) -> alt.VConcatChart:
    """Portfolio CPI and SPI over the history, and the active projects by health."""
    index = index_lines(trend, "portfolio_cpi", "portfolio_spi",
                        "Portfolio CPI and SPI (active projects)", red_below)
    health = alt.Chart(trend).transform_fold(
        ["red", "amber", "green"], as_=["health", "projects"]
    ).mark_area(opacity=0.85).encode(
        x=alt.X("as_of:T", title="as of", axis=DATE_AXIS),
        y=alt.Y("projects:Q", stack=True, title="active projects"),
        color=alt.Color("health:N", scale=health_scale()),
        order=alt.Order("rank:Q"),
        tooltip=tooltips(alt.Tooltip("as_of:T"), "health:N", "projects:Q"),
    ).transform_calculate(rank="indexof(['red','amber','green'], datum.health)")
    return alt.vconcat(
        index, health.properties(title="Active projects by health", width=WIDTH, height=150),
    ).resolve_scale(color="independent")
