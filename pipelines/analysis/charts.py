"""Altair chart builders for the notebooks and the report, and the offline chart renderer.

Rendering offline in JupyterLab 4.6.6 as shipped: Altair 6 emits Vega-Lite 6 under the
mimetype `application/vnd.vegalite.v6.json`, which JupyterLab's built-in renderer (Vega 5.33,
Vega-Lite 5.6) does not draw and which nbformat even rejects as output data; Altair's default
html renderer loads Vega from a CDN, and inline html or SVG outputs only show in trusted
notebooks. `enable()` therefore registers the `pmo` renderer: the chart is compiled to a Vega
spec in Python by vl-convert (Vega-Lite 6, no network) and emitted as
`application/vnd.vega.v5+json`, which JupyterLab's own Vega renderer draws, interactive and
also in untrusted notebooks (the renderer is marked safe), plus a PNG for front ends without a
Vega renderer (nbconvert, GitHub, VS Code). The report uses the same charts as inline SVG.

Every builder takes a polars frame already aggregated in SQL (pipelines.analysis.data).
"""

from __future__ import annotations

import base64
from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc

VEGA5_MIMETYPE = "application/vnd.vega.v5+json"
RENDERER = "pmo"

HEALTH_COLORS = {"red": "#d62728", "amber": "#ff9f1c", "green": "#2ca02c",
                 "unknown": "#9e9e9e", "cancelled": "#d0d0d0"}
VERDICT_COLORS = {"improved": "#2ca02c", "no change": "#7f7f7f", "worse": "#d62728",
                  "too little data": "#c7c7c7"}
DRIVER_ORDER = ["over_allocation", "skill_gap", "training_gap", "estimation", "turnover",
                "scope_creep"]
WIDTH = 640


def health_scale() -> alt.Scale:
    return alt.Scale(domain=list(HEALTH_COLORS), range=list(HEALTH_COLORS.values()))


def verdict_scale() -> alt.Scale:
    return alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values()))


# --------------------------------------------------------------------------------------------
# rendering


def vl_version() -> str:
    """The Vega-Lite version of Altair's schema, as vl-convert names it (e.g. `6.4`)."""
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


def to_vega(chart: alt.TopLevelMixin | dict) -> dict:
    """The chart compiled to a Vega spec, offline (vl-convert bundles Vega-Lite)."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return vlc.vegalite_to_vega(spec, vl_version=vl_version())


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a standalone SVG document (no script, no network)."""
    return vlc.vegalite_to_svg(chart.to_dict(), vl_version=vl_version())


def offline_renderer(spec: dict, png: bool = True, **metadata: Any):
    """Altair renderer: compiled Vega for JupyterLab's built-in Vega 5 renderer + a PNG."""
    vega = to_vega(spec)
    # vl-convert stamps Vega 6; JupyterLab's Vega 5.33 draws the same grammar. The stamp would
    # only make vega-embed print a version warning in the browser console.
    vega["$schema"] = "https://vega.github.io/schema/vega/v5.json"
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    bundle: dict[str, Any] = {VEGA5_MIMETYPE: vega,
                              "text/plain": f"<chart: {title or 'untitled'}>"}
    if png:
        bundle["image/png"] = base64.b64encode(vlc.vega_to_png(vega, scale=1)).decode()
    embed = metadata.get("embed_options") or {"actions": {"export": True, "source": False,
                                                          "compiled": False, "editor": False}}
    return bundle, {VEGA5_MIMETYPE: {"embed_options": embed}}


def enable(png: bool = True) -> None:
    """Draw every Altair chart of this kernel offline in JupyterLab (see the module doc)."""
    alt.renderers.register(RENDERER, offline_renderer)
    alt.renderers.enable(RENDERER, png=png)


# --------------------------------------------------------------------------------------------
# portfolio


def health_by_department(counts: pl.DataFrame) -> alt.Chart:
    """Projects per department by health, active and finished side by side."""
    return alt.Chart(counts, title="Project health by department").mark_bar().encode(
        x=alt.X("sum(projects):Q", title="projects"),
        y=alt.Y("department:N", title=None, sort="-x"),
        color=alt.Color("health:N", scale=health_scale(), title="health"),
        order=alt.Order("health_rank:Q"),
        column=alt.Column("stage:N", title=None, sort=["active", "finished"]),
        tooltip=["department", "stage", "health", "projects"],
    ).transform_calculate(
        health_rank="indexof(['red','amber','green','unknown'], datum.health)",
    ).properties(width=WIDTH // 2 - 40)


def cpi_spi(points: pl.DataFrame, red_below: float = 0.9) -> alt.LayerChart:
    """CPI against SPI per project; lines at 1 (on plan) and at the red threshold."""
    base = alt.Chart(points)
    dots = base.mark_point(size=90, opacity=0.85, filled=True).encode(
        x=alt.X("spi:Q", title="SPI (schedule: earned / planned value)",
                scale=alt.Scale(zero=False, nice=True)),
        y=alt.Y("cpi:Q", title="CPI (cost: earned value / actual cost)",
                scale=alt.Scale(zero=False, nice=True)),
        color=alt.Color("health:N", scale=health_scale()),
        shape=alt.Shape("stage:N", title="stage"),
        tooltip=["project_id", "project_name", "department", "health", "stage",
                 alt.Tooltip("cpi:Q", format=".2f"), alt.Tooltip("spi:Q", format=".2f"),
                 alt.Tooltip("vac:Q", format=",.0f", title="VAC")],
    )
    labels = base.transform_filter("datum.health == 'red'").mark_text(
        align="left", dx=7, fontSize=10).encode(x="spi:Q", y="cpi:Q", text="project_id:N")
    one = pl.DataFrame({"v": [1.0]})
    red = pl.DataFrame({"v": [red_below]})
    rules = [
        alt.Chart(one).mark_rule(color="#555").encode(x="v:Q"),
        alt.Chart(one).mark_rule(color="#555").encode(y="v:Q"),
        alt.Chart(red).mark_rule(color=HEALTH_COLORS["red"], strokeDash=[4, 4]).encode(x="v:Q"),
        alt.Chart(red).mark_rule(color=HEALTH_COLORS["red"], strokeDash=[4, 4]).encode(y="v:Q"),
    ]
    return alt.layer(*rules, dots, labels).properties(
        title="Cost against schedule performance per project", width=WIDTH, height=380)


def on_time_heatmap(delivery: pl.DataFrame) -> alt.LayerChart:
    """Share of finished projects on time per department and quarter of finish."""
    base = alt.Chart(delivery).encode(
        x=alt.X("quarter:O", title="quarter of finish"),
        y=alt.Y("department:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("pct_on_time:Q", title="on time", scale=alt.Scale(
            domain=[0, 1], scheme="redyellowgreen"), legend=alt.Legend(format=".0%")),
        tooltip=["department", "quarter", "projects_finished", "projects_on_time",
                 alt.Tooltip("pct_on_time:Q", format=".0%"),
                 alt.Tooltip("avg_delay_days:Q", format=".0f", title="avg delay (days)")],
    )
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("datum.pct_on_time < 0.2 || datum.pct_on_time > 0.8",
                            alt.value("white"), alt.value("black")),
    ).transform_calculate(label="datum.projects_on_time + '/' + datum.projects_finished")
    return (cells + text).properties(
        title="Projects finished on time (on time / finished) by department and quarter",
        width=WIDTH)


def portfolio_trend(trend: pl.DataFrame, red_below: float = 0.9) -> alt.VConcatChart:
    """Portfolio CPI and SPI over the history, and the active projects by health."""
    index = alt.Chart(trend).transform_fold(
        ["portfolio_cpi", "portfolio_spi"], as_=["index", "value"]
    ).mark_line(point=len(trend) < 40).encode(
        x=alt.X("as_of:T", title=None, axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("value:Q", title="index", scale=alt.Scale(zero=False)),
        color=alt.Color("index:N", title=None, scale=alt.Scale(
            domain=["portfolio_cpi", "portfolio_spi"], range=["#1f77b4", "#9467bd"])),
        tooltip=[alt.Tooltip("as_of:T"), "index:N", alt.Tooltip("value:Q", format=".3f")],
    )
    limit = alt.Chart(pl.DataFrame({"v": [1.0, red_below]})).mark_rule(
        strokeDash=[4, 4], color="#888").encode(y="v:Q")
    health = alt.Chart(trend).transform_fold(
        ["red", "amber", "green"], as_=["health", "projects"]
    ).mark_area(opacity=0.85).encode(
        x=alt.X("as_of:T", title="as of", axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("projects:Q", stack=True, title="active projects"),
        color=alt.Color("health:N", scale=health_scale()),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("as_of:T"), "health:N", "projects:Q"],
    ).transform_calculate(rank="indexof(['red','amber','green'], datum.health)")
    return alt.vconcat(
        (limit + index).properties(title="Portfolio CPI and SPI (active projects)",
                                   width=WIDTH, height=200),
        health.properties(title="Active projects by health", width=WIDTH, height=150),
    ).resolve_scale(color="independent")


# --------------------------------------------------------------------------------------------
# failing projects


def red_projects(red: pl.DataFrame) -> alt.LayerChart:
    """Failing projects: CPI and SPI, labelled with the primary driver."""
    base = alt.Chart(red).encode(y=alt.Y("project_id:N", title=None,
                                         sort=alt.EncodingSortField(field="cpi", op="min")))
    bars = base.transform_fold(["cpi", "spi"], as_=["index", "value"]).mark_bar().encode(
        x=alt.X("value:Q", title="index (1 = on plan)"),
        yOffset="index:N",
        color=alt.Color("index:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["cpi", "spi"], range=["#1f77b4", "#9467bd"])),
        tooltip=["project_id", "project_name", "department", "index:N",
                 alt.Tooltip("value:Q", format=".2f"), "primary_driver"],
    )
    label = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.datum(1.0), text="primary_driver:N")
    one = alt.Chart(pl.DataFrame({"v": [1.0]})).mark_rule(color="#555").encode(x="v:Q")
    return alt.layer(bars, one, label).properties(
        title="Failing projects: CPI and SPI, and the primary driver", width=WIDTH - 160,
        height=alt.Step(13))


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
        color=alt.Color("flagged:N", title="flagged", scale=alt.Scale(
            domain=[True, False], range=[HEALTH_COLORS["red"], "#9ecae1"])),
        tooltip=["driver", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("baseline:Q", format=".1%"), alt.Tooltip("lift:Q", format=".1f"),
                 "flagged", "rank", alt.Tooltip("hours:Q", format=",.0f"), "hours_of"],
    )
    baseline = base.mark_tick(color="black", thickness=2, size=22).encode(x="baseline:Q")
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
    lines = alt.Chart(history).transform_fold(["cpi", "spi"], as_=["index", "value"]).mark_line(
        point=len(history) < 40).encode(
        x=alt.X("as_of:T", title="as of", axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("value:Q", title="index", scale=alt.Scale(zero=False)),
        color=alt.Color("index:N", title=None, scale=alt.Scale(
            domain=["cpi", "spi"], range=["#1f77b4", "#9467bd"])),
        tooltip=[alt.Tooltip("as_of:T"), "index:N", alt.Tooltip("value:Q", format=".3f"),
                 "health"],
    )
    rules = alt.Chart(pl.DataFrame({"v": [1.0, red_below]})).mark_rule(
        strokeDash=[4, 4], color="#888").encode(y="v:Q")
    return (rules + lines).properties(title=f"{project_id}: CPI and SPI over time",
                                      width=WIDTH, height=200)


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
    return alt.Chart(history).transform_fold(
        ["planned_hours", "actual_hours"], as_=["hours", "value"]
    ).mark_line(point=len(history) < 40).encode(
        x=alt.X("as_of:T", title="as of", axis=alt.Axis(format="%d %b %y")),
        y=alt.Y("value:Q", title="hours"),
        color=alt.Color("hours:N", title=None, scale=alt.Scale(
            domain=["planned_hours", "actual_hours"], range=["#fd8d3c", "#6baed6"])),
        tooltip=[alt.Tooltip("as_of:T"), "hours:N", alt.Tooltip("value:Q", format=",.0f")],
    ).properties(title=f"{project_id}: planned (scope) and actual hours over time",
                 width=WIDTH, height=180)


def project_trend(history: pl.DataFrame, project_id: str,
                  red_below: float = 0.9) -> alt.VConcatChart:
    """CPI and SPI, then planned and actual hours, of one project over the history."""
    return alt.vconcat(project_history(history, project_id, red_below),
                       project_hours_history(history, project_id)
                       ).resolve_scale(color="independent")


# --------------------------------------------------------------------------------------------
# people and training


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
    return alt.Chart(people).mark_bar().encode(
        x=alt.X("weeks_over_allocated:Q", title="weeks over-allocated (last 90 days)"),
        y=alt.Y("employee_id:N", sort="-x", title=None),
        color=alt.Color("department:N"),
        tooltip=["employee_id", "department", "weeks_over_allocated",
                 alt.Tooltip("utilization_avg:Q", format=".0%")],
    ).properties(title="Most often over-allocated people", width=WIDTH - 160)


def skill_gaps(by_department: pl.DataFrame) -> alt.Chart:
    return alt.Chart(by_department).mark_bar().encode(
        x=alt.X("skill_gap_tasks:Q", title="open tasks with a skill gap"),
        y=alt.Y("department:N", sort="-x", title=None),
        color=alt.value("#8c564b"),
        tooltip=["department", "skill_gap_tasks", "people_with_gaps", "people"],
    ).properties(title="Open tasks assigned to someone below the required skill level",
                 width=WIDTH - 160)


def skill_gap_people(people: pl.DataFrame) -> alt.Chart:
    return alt.Chart(people).mark_bar().encode(
        x=alt.X("skill_gap_tasks:Q", title="open tasks with a skill gap"),
        y=alt.Y("employee_id:N", sort="-x", title=None),
        color=alt.Color("training_recommended:N", title="training recommended",
                        scale=alt.Scale(domain=[True, False], range=["#d62728", "#9e9e9e"])),
        tooltip=["employee_id", "department", "skill_gap_tasks", "training_recommended"],
    ).properties(title="People holding tasks beyond their assessed skill", width=WIDTH - 160)


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
                        scale=alt.Scale(domain=[True, False], range=["#d62728", "#9e9e9e"])),
        tooltip=["employee_id", "department", "tasks_completed",
                 alt.Tooltip("on_time_rate:Q", format=".0%"),
                 alt.Tooltip("estimate_ratio:Q", format=".2f"), "training_recommended"],
    )
    x_rule = alt.Chart(pl.DataFrame({"v": [on_time_below]})).mark_rule(
        strokeDash=[4, 4], color="#d62728").encode(x="v:Q")
    y_rule = alt.Chart(pl.DataFrame({"v": [estimate_above]})).mark_rule(
        strokeDash=[4, 4], color="#d62728").encode(y="v:Q")
    return (x_rule + y_rule + dots).properties(
        title=f"Training benchmarks: on time below {on_time_below:.0%} or estimate ratio "
              f"above {estimate_above}", width=WIDTH, height=320)


def training_by_department(recs: pl.DataFrame) -> alt.Chart:
    return alt.Chart(recs).mark_bar().encode(
        x=alt.X("count():Q", title="people"),
        y=alt.Y("department:N", sort="-x", title=None),
        color=alt.Color("reason:N", title="why"),
        tooltip=["department", "reason:N", "count():Q"],
    ).properties(title="Refresher training recommended, by department and reason",
                 width=WIDTH - 160)


# --------------------------------------------------------------------------------------------
# tool adoption


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


def trained_vs_untrained(adoption: pl.DataFrame) -> alt.Chart:
    return alt.Chart(adoption).transform_fold(
        ["on_time_rate_after_trained", "on_time_rate_after_untrained"], as_=["group", "rate"]
    ).transform_calculate(
        group="replace(datum.group, 'on_time_rate_after_', '')"
    ).mark_bar().encode(
        x=alt.X("rate:Q", title="tasks on time after the rollout", axis=alt.Axis(format=".0%")),
        y=alt.Y("rollout:N", title=None, sort=None),
        yOffset="group:N",
        color=alt.Color("group:N", title="assignee", scale=alt.Scale(
            domain=["trained", "untrained"], range=["#2ca02c", "#ff7f0e"])),
        tooltip=["rollout", "group:N", alt.Tooltip("rate:Q", format=".0%")],
    ).properties(title="After each rollout: tasks on time, trained against untrained assignees",
                 width=WIDTH - 160, height=alt.Step(11))


def sample_sizes(adoption: pl.DataFrame, min_tasks: int = 10) -> alt.LayerChart:
    bars = alt.Chart(adoption).transform_fold(
        ["tasks_before", "tasks_after"], as_=["side", "tasks"]
    ).mark_bar().encode(
        x=alt.X("tasks:Q", title="tasks done in the window"),
        y=alt.Y("rollout:N", title=None, sort=None),
        yOffset="side:N",
        color=alt.Color("side:N", title=None, scale=alt.Scale(
            domain=["tasks_before", "tasks_after"], range=["#9e9e9e", "#1f77b4"])),
        tooltip=["rollout", "side:N", "tasks:Q", "verdict"],
    )
    rule = alt.Chart(pl.DataFrame({"v": [min_tasks]})).mark_rule(
        strokeDash=[4, 4], color="#d62728").encode(x="v:Q")
    return (bars + rule).properties(
        title=f"Tasks behind each verdict (dashed: {min_tasks}, the minimum per side)",
        width=WIDTH - 160, height=alt.Step(11))


# --------------------------------------------------------------------------------------------
# tables (for the few answers that are lists: the red list, training reasons)


class Table:
    """A polars frame as a compact HTML table (notebooks display it; the report embeds it)."""

    def __init__(self, frame: pl.DataFrame, formats: dict[str, str] | None = None,
                 max_rows: int = 60):
        self.frame, self.formats, self.max_rows = frame, formats or {}, max_rows

    def _cell(self, column: str, value: Any) -> str:
        from html import escape

        from pipelines.analysis.narrative import money, num, pct

        if value is None:
            return ""
        kind = self.formats.get(column)
        if kind == "pct":
            return pct(value)
        if kind == "money":
            return money(value)
        if kind and kind.startswith("num"):
            return num(value, int(kind[3:] or 2))
        if isinstance(value, float):
            return num(value)
        if isinstance(value, list):
            return escape(", ".join(map(str, value)))
        return escape(str(value))

    @property
    def html(self) -> str:
        from html import escape

        numeric = {c for c, t in self.frame.schema.items() if t.is_numeric()}
        align = {c: "right" if c in numeric else "left" for c in self.frame.columns}
        head = "".join(f'<th style="text-align:{align[c]}">{escape(c)}</th>'
                       for c in self.frame.columns)
        rows = "".join(
            "<tr>" + "".join(f'<td style="text-align:{align[c]}">{self._cell(c, v)}</td>'
                             for c, v in row.items()) + "</tr>"
            for row in self.frame.head(self.max_rows).iter_rows(named=True))
        more = (f"<p><em>{self.frame.height - self.max_rows} more rows not shown.</em></p>"
                if self.frame.height > self.max_rows else "")
        return (f'<table class="pmo-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table>{more}")

    def _repr_html_(self) -> str:
        return self.html


def table(frame: pl.DataFrame, formats: dict[str, str] | None = None,
          max_rows: int = 60) -> Table:
    return Table(frame, formats, max_rows)
