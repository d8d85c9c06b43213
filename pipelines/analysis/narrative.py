"""The few sentences that go with the charts, computed from the data (never written by hand).

Each function takes the frames of pipelines.analysis.data and returns Markdown; the notebooks
show it with `IPython.display.Markdown`, the report turns it into HTML.
"""

from __future__ import annotations

from datetime import date

import polars as pl


def pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x * 100:.{digits}f}%"


def num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def money(x: float | None) -> str:
    if x is None:
        return "n/a"
    for size, unit in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:,.1f}{unit}"
    return f"{x:,.0f}"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def tally(frame: pl.DataFrame, column: str) -> list[str]:
    """`<count> <value>` per value of a column, the most frequent first."""
    counts = frame.group_by(column).len().sort(["len", column], descending=[True, False])
    return [f"{r['len']} {r[column]}" for r in counts.iter_rows(named=True)]


def listing(items: list[str], limit: int = 8) -> str:
    shown = items[:limit]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    if len(shown) <= 1:
        return (shown[0] if shown else "none") + more
    return ", ".join(shown[:-1]) + (" and " if not more else ", ") + shown[-1] + more


# --------------------------------------------------------------------------------------------
# portfolio


def portfolio_headline(portfolio: pl.DataFrame, as_of: date, scope: str) -> str:
    if portfolio.is_empty():
        return f"No portfolio row as of {as_of} for {scope}."
    lines = []
    for r in portfolio.iter_rows(named=True):
        who = "The whole portfolio" if r["department"] == "ALL" else r["department"]
        line = (f"**{who}** as of {as_of}: {plural(r['projects_active'], 'active project')}, "
                f"{r['projects_red']} red, {r['projects_amber']} amber, "
                f"{r['projects_green']} green. Portfolio CPI {num(r['portfolio_cpi'])} "
                f"(each unit spent earned {num(r['portfolio_cpi'])} of planned value), "
                f"SPI {num(r['portfolio_spi'])}, {pct(r['pct_tasks_done'])} of the active "
                f"projects' tasks done.")
        if r["projects_finished_12m"]:
            line += (f" In the last 12 months {plural(r['projects_finished_12m'], 'project')} "
                     f"finished, {r['projects_on_time_12m']} on time "
                     f"({pct(r['pct_on_time_12m'])}), ROI {pct(r['roi_12m'])}.")
        if r["utilization_28d"] is not None:
            line += f" Utilization over the last 28 days: {pct(r['utilization_28d'])}."
        lines.append(line)
    return "\n\n".join(lines)


def health_text(counts: pl.DataFrame) -> str:
    active = counts.filter(pl.col("stage") == "active")
    if active.is_empty():
        return "No active project in the selection."
    by_dept = (active.group_by("department")
               .agg(pl.col("projects").sum().alias("active"),
                    pl.col("projects").filter(pl.col("health") == "red").sum().alias("red"))
               .with_columns((pl.col("red") / pl.col("active")).alias("share"))
               .sort(["share", "red", "department"], descending=[True, True, False]))
    total, red = int(by_dept["active"].sum()), int(by_dept["red"].sum())
    worst = by_dept.row(0, named=True)
    text = f"{red} of {total} active projects are red ({pct(red / total)})."
    if worst["red"]:
        text += (f" The highest share is in {worst['department']}: {worst['red']} of "
                 f"{worst['active']} active projects.")
    finished = counts.filter(pl.col("stage") == "finished")
    if not finished.is_empty():
        late = int(finished.filter(pl.col("health") == "red")["projects"].sum())
        text += (f" Of {int(finished['projects'].sum())} finished projects, {late} are red "
                 f"(finished late or over cost).")
    return text


def cpi_spi_text(points: pl.DataFrame, red_below: float = 0.9) -> str:
    if points.is_empty():
        return "No project has both a CPI and an SPI yet."
    both = points.filter((pl.col("cpi") < 1) & (pl.col("spi") < 1))
    cost = points.filter(pl.col("cpi") < red_below)
    worst = points.sort("cpi").row(0, named=True)
    overrun = money(-worst["vac"] if worst["vac"] is not None else None)
    who = f"{worst['project_id']} ({worst['project_name']}, {worst['department']})"
    return (f"{plural(len(both), 'project')} of {len(points)} are both over cost and behind "
            f"schedule (CPI and SPI below 1); {len(cost)} have a CPI below {red_below:.2f}. "
            f"The worst cost performance is {who}: CPI {num(worst['cpi'])}, SPI "
            f"{num(worst['spi'])}, forecast overrun {overrun}.")


def on_time_text(delivery: pl.DataFrame) -> str:
    if delivery.is_empty():
        return "No project has finished yet in the selection."
    finished, on_time = int(delivery["projects_finished"].sum()), \
        int(delivery["projects_on_time"].sum())
    quarters = sorted(delivery["quarter"].unique().to_list())
    last = delivery.filter(pl.col("quarter") == quarters[-1])
    text = (f"{on_time} of {finished} finished projects were on time ({pct(on_time / finished)}) "
            f"over {plural(len(quarters), 'quarter')} ({quarters[0]} to {quarters[-1]}). "
            f"In {quarters[-1]}: {int(last['projects_on_time'].sum())} of "
            f"{int(last['projects_finished'].sum())}.")
    by_dept = (delivery.group_by("department")
               .agg(pl.col("projects_finished").sum(), pl.col("projects_on_time").sum())
               .with_columns((pl.col("projects_on_time") / pl.col("projects_finished"))
                             .alias("share"))
               .sort(["share", "projects_finished"], descending=[False, True]))
    worst = by_dept.row(0, named=True)
    if worst["share"] < 1:
        text += (f" Lowest on-time share: {worst['department']}, {worst['projects_on_time']} "
                 f"of {worst['projects_finished']}.")
    return text


def trend_text(trend: pl.DataFrame) -> str:
    if trend.height < 2:
        return ("The published history holds a single date, so there is no trend yet: "
                "`pmo backfill --from D1 --to D2` fills `kpi_project_history`.")
    first, last = trend.row(0, named=True), trend.row(-1, named=True)

    def move(key: str) -> str:
        a, b = first[key], last[key]
        if a is None or b is None:
            return f"{key.replace('portfolio_', '').upper()} n/a"
        word = "up" if b > a else "down" if b < a else "unchanged"
        return f"{key.replace('portfolio_', '').upper()} {num(a)} → {num(b)} ({word})"

    return (f"From {first['as_of']} to {last['as_of']} ({plural(trend.height, 'date')}): "
            f"{move('portfolio_cpi')}, {move('portfolio_spi')}; red projects "
            f"{first['red']} → {last['red']} of {first['projects_active']} → "
            f"{last['projects_active']} active.")


# --------------------------------------------------------------------------------------------
# failing projects


def red_list_text(red: pl.DataFrame, as_of: date, scope: str) -> str:
    if red.is_empty():
        return f"No project is failing (red) as of {as_of} in {scope}."
    items = [f"{r['project_id']} ({r['primary_driver']})" for r in red.iter_rows(named=True)]
    counts = red.group_by("primary_driver").len()
    most = counts["len"].max()
    top = sorted(counts.filter(pl.col("len") == most)["primary_driver"].to_list())
    common = (f"The most common primary driver is **{top[0]}**" if len(top) == 1 else
              f"The most common primary drivers are {listing([f'**{d}**' for d in top])}")
    return (f"{plural(red.height, 'project is', 'projects are')} failing (red) as of {as_of} "
            f"in {scope}: {listing(items, 12)}. {common} "
            f"({plural(most, 'project')}{' each' if len(top) > 1 else ''}).")


def project_text(project: dict, drivers: pl.DataFrame) -> str:
    flagged = drivers.filter(pl.col("flagged")).sort("rank", nulls_last=True)
    state = "finished" if project.get("actual_end_date") else "active"
    text = (f"**{project['project_id']} {project['project_name']}** ({project['department']}, "
            f"{state}, health {project['health']}): CPI {num(project['cpi'])}, SPI "
            f"{num(project['spi'])}, actual cost {money(project['ac'])} against a budget of "
            f"{money(project['bac'])}, {num(project['actual_hours'], 0)} hours logged against "
            f"{num(project['planned_hours'], 0)} planned.")
    if project.get("delay_days") is not None:
        text += f" Finished {project['delay_days']} days after the planned end."
    if flagged.is_empty():
        return text + (" No driver is flagged: the primary driver is **unexplained** (no "
                       "driver reaches its share and lift thresholds).")
    parts = [f"**{r['driver']}** {pct(r['share'])} ({num(r['hours'], 0)} {r['hours_of']}; green "
             f"projects' median {pct(r['baseline'])}, {num(r['lift'], 1)}×)"
             for r in flagged.iter_rows(named=True)]
    return text + f" Flagged drivers, primary first: {listing(parts)}."


def driver_hours_text(drivers: pl.DataFrame) -> str:
    top = drivers.sort("hours", descending=True, nulls_last=True)
    rows = [f"{r['driver']} {num(r['hours'], 0)} {r['hours_of']}"
            for r in top.iter_rows(named=True) if r["hours"]]
    if not rows:
        return "No hours fall under any driver."
    return (f"Hours behind each driver: {listing(rows)}. A share is these hours over the "
            f"project's actual hours (scope creep: over its planned hours); one hour can count "
            f"for several drivers.")


def evidence_text(by_person: pl.DataFrame, by_task: pl.DataFrame,
                  drivers: pl.DataFrame) -> str:
    if by_person.is_empty() and by_task.is_empty():
        return "No task or person carries hours under the project's drivers."
    flagged = drivers.filter(pl.col("flagged"))["driver"].to_list()
    people = (by_person.group_by("employee_id").agg(pl.col("hours").sum())
              .sort("hours", descending=True))
    tasks = by_task.group_by("task").agg(pl.col("hours").sum()).sort("hours", descending=True)
    which = listing(flagged) if flagged else "all drivers (none is flagged)"
    top_people = [f"{r['employee_id']} ({num(r['hours'], 0)} h)"
                  for r in people.head(3).iter_rows(named=True)]
    top_tasks = [f"{r['task']} ({num(r['hours'], 0)} h)"
                 for r in tasks.head(3).iter_rows(named=True)]
    return (f"Behind {which}: most hours fall on {listing(top_people)}; the heaviest tasks are "
            f"{listing(top_tasks)}. The table lists the largest pieces of evidence with why "
            f"each counts.")


# -------------------------------------------------------------------------- people and training

def utilization_text(heat: pl.DataFrame) -> str:
    if heat.is_empty():
        return "No utilization in the window."
    per_person = heat.group_by("employee_id").agg(
        (pl.col("project_hours").sum() / pl.col("available_hours").sum()).alias("u"),
        pl.col("weeks_over_allocated").sum().alias("over"))
    busy = per_person.filter(pl.col("u") > 1)
    idle = per_person.filter(pl.col("u") < 0.5)
    total = heat["project_hours"].sum() / heat["available_hours"].sum()
    weeks = heat.select(pl.col("week_start").min().alias("first"),
                        pl.col("week_start").max().alias("last")).row(0)
    shown = plural(per_person.height, "person", "people")
    if heat["employees_total"].max() > per_person.height:
        shown += (f", the most often over-allocated of {heat['employees_total'].max()}; "
                  f"filter a department to see everyone")
    return (f"From the week of {weeks[0]} on ({shown}):"
            f" {pct(total)} of available hours went to projects. "
            f"{plural(busy.height, 'person', 'people')} averaged above 100% and "
            f"{plural(idle.height, 'person', 'people')} below 50%.")


def over_allocation_text(top: pl.DataFrame, by_week: pl.DataFrame) -> str:
    if top.is_empty():
        return "No one was over-allocated in the trailing 90 days."
    latest = by_week.filter(pl.col("week_start") == by_week["week_start"].max())
    share = latest["over_allocated"].sum() / max(1, latest["employees"].sum())
    worst = (by_week.group_by("department").agg(pl.col("share_over_allocated").mean())
             .sort("share_over_allocated", descending=True).row(0, named=True))
    leaders = [f"{r['employee_id']} ({r['weeks_over_allocated']} weeks)"
               for r in top.head(5).iter_rows(named=True)]
    return (f"{plural(top.height, 'person', 'people')} logged more hours than available in at "
            f"least one week of the last 90 days; most often {listing(leaders)}. In the latest "
            f"week {pct(share)} of employees were over-allocated; over the window the highest "
            f"share is in {worst['department']} ({pct(worst['share_over_allocated'])} of its "
            f"employees a week).")


def skill_gap_text(by_department: pl.DataFrame) -> str:
    total = int(by_department["skill_gap_tasks"].sum()) if not by_department.is_empty() else 0
    if not total:
        return "No open task is assigned to someone below its required skill level."
    worst = by_department.row(0, named=True)
    return (f"{total} open tasks are assigned to someone below the required skill level, held by "
            f"{int(by_department['people_with_gaps'].sum())} people; most in "
            f"{worst['department']} ({worst['skill_gap_tasks']} tasks, "
            f"{worst['people_with_gaps']} people).")


def training_text(recs: pl.DataFrame, people_total: int) -> str:
    if recs.is_empty():
        return "No refresher training is recommended."
    who = plural(recs.height, "person", "people")
    why = listing(tally(recs, "reason_kind"))
    see = "The table below gives each person's reason (kpi_people.training_reason)."
    return f"{who} of {people_total} should get refresher training: {why}. {see}"


# -------------------------------------------------------------------------------- tool adoption

def tool_text(adoption: pl.DataFrame) -> str:
    if adoption.is_empty():
        return "No tool rollout in the selection."
    text = f"{plural(adoption.height, 'rollout')}: {listing(tally(adoption, 'verdict'))}."
    judged = adoption.filter(pl.col("verdict").is_in(["improved", "worse"]))
    if not judged.is_empty():
        best = judged.sort("on_time_change", descending=True, nulls_last=True).row(0, named=True)
        worst = judged.sort("on_time_change", nulls_last=True).row(0, named=True)
        text += (f" Largest gain in tasks on time: {best['rollout']} "
                 f"({pct(best['on_time_rate_before'])} → {pct(best['on_time_rate_after'])}); "
                 f"largest loss: {worst['rollout']} ({pct(worst['on_time_rate_before'])} → "
                 f"{pct(worst['on_time_rate_after'])}).")
    return text


def trained_text(adoption: pl.DataFrame) -> str:
    both = adoption.filter(pl.col("trained_gain").is_not_null())
    if both.is_empty():
        return "No rollout has both trained and untrained assignees with tasks done after it."
    better = both.filter(pl.col("trained_gain") > 0)
    return (f"In {better.height} of {both.height} rollouts with both groups, trained assignees "
            f"finished more tasks on time than untrained ones (median difference "
            f"{both['trained_gain'].median() * 100:+.0f} percentage points).")
