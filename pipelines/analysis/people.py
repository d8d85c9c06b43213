"""People and training: how busy is everyone, who is over-allocated, where are the skill
gaps, and who should get which refresher training and why? Questions and charts; people
appear by employee id only.

    kpi = PeopleData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    utilization_heatmap(kpi.utilization_heatmap(weeks=26))
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from pipelines.analysis.base import KpiBase
from pipelines.analysis.chartkit import WIDTH, flag_scale, horizontal_bars, rules


class PeopleData(KpiBase):
    """The people, utilization and training questions."""

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
        rule = self.params  # the release's training benchmarks
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


# --------------------------------------------------------------------------------------------
# charts


UTILIZATION_BANDS = alt.Scale(  # under 50 %, 50-80 %, 80-100 %, 100-120 %, over 120 %
    type="threshold", domain=[0.5, 0.8, 1.0, 1.2],
    range=["#eff3ff", "#9ecae1", "#3182bd", "#fd8d3c", "#a50f15"])


def utilization_heatmap(heat: pl.DataFrame) -> alt.FacetChart:
    """Utilization per employee (rows, one panel per department) and week."""
    weeks = int(heat["weeks_in_period"].max() or 1) if not heat.is_empty() else 1
    employees = heat["employee_id"].n_unique()
    period = "week" if weeks == 1 else f"{weeks}-week period"
    step = 10 if employees <= 40 else 6
    return alt.Chart(heat).mark_rect().encode(
        x=alt.X("yearmonthdate(week_start):O", title=f"{period} starting",
                axis=alt.Axis(format="%d %b %y", labelAngle=-60, labelOverlap=True)),
        y=alt.Y("employee_id:N", title=None,
                axis=alt.Axis(labelFontSize=6 if step < 10 else 9, labelOverlap=True)),
        color=alt.Color("utilization:Q", title="utilization", scale=UTILIZATION_BANDS,
                        legend=alt.Legend(format=".0%")),
        tooltip=["employee_id", "department", alt.Tooltip("week_start:T", title="from"),
                 alt.Tooltip("utilization:Q", format=".0%"),
                 alt.Tooltip("project_hours:Q", format=".1f"),
                 alt.Tooltip("available_hours:Q", format=".1f"), "weeks_over_allocated"],
    ).properties(width=WIDTH, height=alt.Step(step)).facet(
        row=alt.Row("department:N", title=None, header=alt.Header(labelAngle=0,
                                                                  labelAlign="left")),
        spacing=6,
        title=f"Utilization per employee and {period} (project / available hours)",
    ).resolve_scale(y="independent")


def over_allocation_trend(by_week: pl.DataFrame) -> alt.Chart:
    """Share of each department's employees over-allocated, week by week."""
    return alt.Chart(by_week).mark_line().encode(
        x=alt.X("week_start:T", title="week"),
        y=alt.Y("share_over_allocated:Q", title="employees over-allocated",
                axis=alt.Axis(format=".0%")),
        color=alt.Color("department:N"),
        tooltip=["department", alt.Tooltip("week_start:T"), "employees", "over_allocated",
                 alt.Tooltip("share_over_allocated:Q", format=".0%"),
                 alt.Tooltip("hours_over_capacity:Q", format=",.0f")],
    ).properties(title="Over-allocated employees per department and week", width=WIDTH,
                 height=220)


def most_over_allocated(people: pl.DataFrame) -> alt.Chart:
    return horizontal_bars(
        people, "weeks_over_allocated:Q", "employee_id", "weeks over-allocated (last 90 days)",
        "Most often over-allocated people", alt.Color("department:N"),
        ["employee_id", "department", "weeks_over_allocated",
         alt.Tooltip("utilization_avg:Q", format=".0%")])


def skill_gaps(by_department: pl.DataFrame) -> alt.Chart:
    return horizontal_bars(
        by_department, "skill_gap_tasks:Q", "department", "open tasks with a skill gap",
        "Open tasks assigned to someone below the required skill level", alt.value("#8c564b"),
        ["department", "skill_gap_tasks", "people_with_gaps", "people"])


def skill_gap_people(people: pl.DataFrame) -> alt.Chart:
    return horizontal_bars(
        people, "skill_gap_tasks:Q", "employee_id", "open tasks with a skill gap",
        "People holding tasks beyond their assessed skill",
        alt.Color("training_recommended:N", title="training recommended", scale=flag_scale()),
        ["employee_id", "department", "skill_gap_tasks", "training_recommended"])


def training_benchmarks(points: pl.DataFrame, on_time_below: float,
                        estimate_above: float) -> alt.LayerChart:
    """On-time rate against estimate ratio per person, with the two training benchmarks."""
    dots = alt.Chart(points).mark_circle(opacity=0.8).encode(
        x=alt.X("on_time_rate:Q", title="tasks done on time (last 90 days)",
                axis=alt.Axis(format=".0%")),
        y=alt.Y("estimate_ratio:Q", title="actual / planned hours of those tasks",
                scale=alt.Scale(zero=False)),
        size=alt.Size("tasks_completed:Q", title="tasks done", scale=alt.Scale(range=[20, 300])),
        color=alt.Color("training_recommended:N", title="training recommended",
                        scale=flag_scale()),
        tooltip=["employee_id", "department", "tasks_completed",
                 alt.Tooltip("on_time_rate:Q", format=".0%"),
                 alt.Tooltip("estimate_ratio:Q", format=".2f"), "training_recommended"],
    )
    return (rules([on_time_below], "x", "#d62728") + rules([estimate_above], "y", "#d62728")
            + dots).properties(
        title=f"Training benchmarks: on time below {on_time_below:.0%} or estimate ratio "
              f"above {estimate_above}", width=WIDTH, height=320)


def training_by_department(recs: pl.DataFrame) -> alt.Chart:
    return horizontal_bars(
        recs, "count():Q", "department", "people",
        "Refresher training recommended, by department and reason",
        alt.Color("reason:N", title="why"), ["department", "reason:N", "count():Q"])


