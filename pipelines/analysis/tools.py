"""Tool adoption: did each new tool change how the department delivers, measured against its
own standard in the 90 days before the rollout, and did trained people do better than
untrained ones? Questions and charts.

    kpi = ToolData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    before_after(kpi.tool_adoption(), "on_time_rate", "tasks on time", ".0%")
"""

from __future__ import annotations

import altair as alt
import polars as pl

from pipelines.analysis.base import KpiBase
from pipelines.analysis.chartkit import WIDTH, rules, scale, verdict_scale


class ToolData(KpiBase):
    """The tool adoption questions."""

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


# --------------------------------------------------------------------------------------------
# charts


def before_after(adoption: pl.DataFrame, metric: str, title: str, fmt: str) -> alt.LayerChart:
    """Per rollout, `<metric>_before` to `<metric>_after`, the after point colored by verdict."""
    before, after = f"{metric}_before", f"{metric}_after"
    base = alt.Chart(adoption).encode(y=alt.Y("rollout:N", title=None, sort=None))
    line = base.mark_rule(color="#999", strokeWidth=2).encode(
        x=alt.X(f"{before}:Q", title=title, axis=alt.Axis(format=fmt),
                scale=alt.Scale(zero=False)), x2=f"{after}:Q")
    start = base.mark_point(filled=True, color="#555", size=70).encode(
        x=f"{before}:Q", tooltip=["rollout", "rollout_date", "tasks_before",
                                  alt.Tooltip(f"{before}:Q", format=fmt)])
    end = base.mark_point(filled=True, size=110, shape="diamond").encode(
        x=f"{after}:Q", color=alt.Color("verdict:N", scale=verdict_scale()),
        tooltip=["rollout", "rollout_date", "tasks_after",
                 alt.Tooltip(f"{after}:Q", format=fmt), "verdict"])
    return (line + start + end).properties(
        title=f"{title}: 90 days before (grey) and after (diamond) each rollout",
        width=WIDTH - 160)


def paired_bars(frame: pl.DataFrame, colors: dict[str, str], name: str, value: alt.X,
                title: str, legend: str | None = None, tooltip: list | None = None,
                rule_at: float | None = None) -> alt.Chart | alt.LayerChart:
    """Per rollout, one bar per column of `colors` (folded into `name`), side by side; with
    `rule_at`, a dashed red line there."""
    field = value.shorthand.split(":")[0]
    bars = alt.Chart(frame).transform_fold(list(colors), as_=[name, field]).mark_bar().encode(
        x=value, y=alt.Y("rollout:N", title=None, sort=None), yOffset=f"{name}:N",
        color=alt.Color(f"{name}:N", title=legend, scale=scale(colors)),
        tooltip=["rollout", f"{name}:N", *(tooltip or [value.shorthand])])
    chart = bars if rule_at is None else alt.layer(bars, rules([rule_at], "x", "#d62728"))
    return chart.properties(title=title, width=WIDTH - 160, height=alt.Step(11))


def trained_vs_untrained(adoption: pl.DataFrame) -> alt.Chart:
    groups = adoption.rename({"on_time_rate_after_trained": "trained",
                              "on_time_rate_after_untrained": "untrained"})
    return paired_bars(
        groups, {"trained": "#2ca02c", "untrained": "#ff7f0e"}, "group",
        alt.X("rate:Q", title="tasks on time after the rollout", axis=alt.Axis(format=".0%")),
        "After each rollout: tasks on time, trained against untrained assignees", "assignee",
        [alt.Tooltip("rate:Q", format=".0%")])


def sample_sizes(adoption: pl.DataFrame, min_tasks: int = 10) -> alt.LayerChart:
    return paired_bars(
        adoption, {"tasks_before": "#9e9e9e", "tasks_after": "#1f77b4"}, "side",
        alt.X("tasks:Q", title="tasks done in the window"),
        f"Tasks behind each verdict (dashed: {min_tasks}, the minimum per side)",
        tooltip=["tasks:Q", "verdict"], rule_at=min_tasks)
