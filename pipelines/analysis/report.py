"""The manager report: one self-contained HTML page, manager-first.

    html = render_report(Path("data/exports/kpi.duckdb"))

First screen: what needs attention — the active portfolio in numbers, what changed since the
previous release and a month ago (new reds, recoveries, worst movers, from
kpi_project_history), and the failing projects with the most money at risk (VAC = BAC − EAC,
most negative first) with their drivers. Then the active portfolio's health and trend, the
projects finished in the last 12 months (apart from the archive), each top failing project's
drivers and evidence, and every project in a sortable, filterable table one click away.

Self-contained and offline: charts are inline SVG drawn by vl-convert, the style sheet and one
small script (department filter, table sort and filter) are inline, no URL anywhere. Without
the script the page shows the whole portfolio. It reads only the given kpi.duckdb, read-only,
and the release's KPI parameters (thresholds) through pipelines.analysis.base. A part whose
table is not published (drivers, history) is replaced by a note instead of failing the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import altair as alt
import polars as pl

from pipelines.analysis import chartkit, failing, narrative, portfolio
from pipelines.analysis.data import AsOfError, KpiData, MissingTableError
from pipelines.analysis.narrative import money, num, pct, plural

TOP = 10  # failing projects in the money-at-risk list and with a drivers section
TOP_PER_DEPARTMENT = 3  # ... and the worst of each department (shown when it is filtered)
MOVERS = 5  # worst movers listed per comparison
EVIDENCE_ROWS = 5  # largest pieces of evidence per project in the drivers section
RECENT_MONTHS = 12
ALL = "ALL"  # the data-scope of the parts for the whole portfolio
LIST_COLUMNS = {"project_id": "project", "project_name": "name", "department": "department",
                "stage": "stage", "health": "health", "actual_end_date": "finished",
                "cpi": "CPI", "spi": "SPI", "bac": "budget (BAC)", "vac": "VAC",
                "delay_days": "delay (days)", "primary_driver": "primary driver"}
RISK_COLUMNS = {"rank": "#", "project_id": "project", "project_name": "name",
                "department": "department", "cpi": "CPI", "spi": "SPI", "vac": "VAC",
                "primary_driver": "primary driver", "drivers": "flagged drivers"}
FORMATS = {"cpi": "num2", "spi": "num2", "vac": "money", "bac": "money", "vac_change": "money",
           "vac_before": "money", "cpi_before": "num2"}
STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       color: #222; background: #f6f7f9; }
header { background: #1f2d3d; color: white; padding: 14px 32px; display: flex;
         flex-wrap: wrap; align-items: center; gap: 8px 28px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 2px 0 0; color: #c9d3dd; font-size: 13px; }
header label { margin-left: auto; font-size: 14px; }
header select { font-size: 14px; padding: 2px 4px; }
nav { font-size: 13px; padding: 6px 32px; background: #e9edf1; }
nav a { margin-right: 16px; color: #1f4e79; }
main { max-width: 1180px; margin: 0 auto; padding: 4px 32px 40px; }
section { background: white; border-radius: 6px; padding: 10px 20px 14px; margin: 14px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h2 { font-size: 19px; margin: 6px 0 8px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
p { line-height: 1.45; margin: 6px 0; }
figure.chart { margin: 10px 0; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
table.pmo-table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.pmo-table th, table.pmo-table td { border-bottom: 1px solid #e3e6ea; padding: 3px 8px; }
table.pmo-table th { background: #eef1f4; position: sticky; top: 0; }
table.pmo-table .num { text-align: right; font-variant-numeric: tabular-nums; }
table.pmo-table .txt { text-align: left; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort=ascending]::after { content: " ▲"; }
table.sortable th[aria-sort=descending]::after { content: " ▼"; }
.scroll { max-height: 640px; overflow: auto; border: 1px solid #e3e6ea; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.tile { background: #eef1f4; border-radius: 6px; padding: 6px 12px; min-width: 110px;
        font-size: 13px; }
.tile b { display: block; font-size: 21px; }
.tile.bad b { color: #d62728; }
.tile.good b { color: #2ca02c; }
.cols { display: flex; flex-wrap: wrap; gap: 0 28px; }
.cols > div { flex: 1 1 340px; }
section.warnings { background: #fff3cd; border: 2px solid #e0a800; color: #5c4400; }
section.warnings h2 { color: #7a5200; }
.note { color: #8a5a00; background: #fff6e0; padding: 6px 10px; border-radius: 4px; }
.filters { display: flex; gap: 12px; align-items: center; margin: 8px 0; font-size: 13px; }
summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
footer { color: #777; font-size: 12px; text-align: center; padding: 12px; }
@media print {
  body { background: white; font-size: 11px; }
  header { background: white; color: black; border-bottom: 2px solid #222; padding: 6px 0; }
  header p { color: #333; }
  header label, nav, .filters, footer { display: none; }
  main { max-width: none; padding: 0; }
  section { box-shadow: none; padding: 0; margin: 10px 0; break-inside: auto; }
  figure.chart, table.pmo-table tr, .tiles { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { max-height: none; overflow: visible; border: 0; }
  table.pmo-table th { position: static; }
}
"""
SCRIPT = """
(function () {
  var dept = document.getElementById('dept');
  function show(el, on) { el.hidden = !on; }
  function applyDept() {
    var d = dept.value;
    document.querySelectorAll('[data-scope]').forEach(function (el) {
      show(el, el.getAttribute('data-scope') === (d || 'ALL')); });
    document.querySelectorAll('[data-top]').forEach(function (el) {
      show(el, d ? el.getAttribute('data-department') === d
                 : el.getAttribute('data-top') === '1'); });
    filterList();
  }
  function filterList() {
    var table = document.getElementById('all-projects');
    if (!table) return;
    var d = dept.value, q = document.getElementById('q').value.toLowerCase(),
        stage = document.getElementById('stage').value, n = 0;
    table.tBodies[0].querySelectorAll('tr').forEach(function (tr) {
      var on = (!d || tr.getAttribute('data-department') === d)
            && (!stage || tr.getAttribute('data-stage') === stage)
            && (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      show(tr, on); if (on) n++; });
    document.getElementById('shown').textContent = n;
  }
  function sortBy(th) {
    var table = th.closest('table'), i = Array.prototype.indexOf.call(th.parentNode.children, th),
        asc = th.getAttribute('aria-sort') !== 'ascending', body = table.tBodies[0];
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    function key(tr) { var td = tr.children[i], v = td.getAttribute('data-v');
      return v !== null ? parseFloat(v) : td.textContent.toLowerCase(); }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) { var x = key(a), y = key(b);
      if (x === '' || x === y) return 0; if (y === '') return -1;
      return (x < y ? -1 : 1) * (asc ? 1 : -1); });
    rows.forEach(function (tr) { body.appendChild(tr); });
  }
  dept.addEventListener('change', applyDept);
  ['q', 'stage'].forEach(function (id) { var el = document.getElementById(id);
    if (el) el.addEventListener('input', filterList); });
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th); }); });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; }); });
  applyDept();
})();
"""


def render_report(kpi_duckdb: Path, warnings: Sequence[str] = ()) -> str:
    """The manager report of a published kpi.duckdb (read-only), as one HTML page. `warnings`
    (the release's: stale timesheets or progress, ...) are shown on top, before any number."""
    with KpiData(kpi_duckdb) as kpi:
        page = _Page(kpi)
        _warnings(page, warnings)
        projects = _project_list(kpi)
        _attention(kpi, page, projects)
        _active(kpi, page)
        _finished(kpi, page, projects)
        _drivers(kpi, page, projects)
        _full_list(page, projects)
        return page.render()


def _warnings(page: "_Page", warnings: Sequence[str]) -> None:
    """The release's warnings, first thing on the page: the numbers below may mislead."""
    if warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
        page.add(f'<section class="warnings" id="warnings" role="alert"><h2>Warning'
                 f'{"s" if len(warnings) > 1 else ""}: read the numbers below with care</h2>'
                 f"<ul>{items}</ul></section>")


class _Page:
    def __init__(self, kpi: KpiData) -> None:
        self.kpi = kpi
        self.parts: list[str] = []
        self._charts = 0

    def add(self, html: str) -> None:
        self.parts.append(html)

    def text(self, markdown: str) -> None:
        self.add(f"<p>{_markdown(markdown)}</p>")

    def chart(self, chart: alt.TopLevelMixin) -> None:
        self._charts += 1
        svg = _scoped(chartkit.to_svg(chart), f"c{self._charts}")
        self.add(f'<figure class="chart">{svg}</figure>')

    def table(self, frame: pl.DataFrame, labels: dict[str, str] | None = None,
              max_rows: int | None = 60) -> None:
        if labels:
            frame = frame.select([c for c in labels if c in frame.columns])
        self.add(chartkit.table(frame, FORMATS, max_rows, labels=labels).html)

    def note(self, message: str) -> None:
        self.add(f'<p class="note">{escape(message)}</p>')

    def guarded(self, build: Callable[[], None]) -> None:
        """A part that needs a table the release may lack: a note instead of a failure."""
        try:
            build()
        except (MissingTableError, AsOfError) as e:
            self.note(str(e))

    def per_department(self, frame: pl.DataFrame, build: Callable[[pl.DataFrame, str], None]
                       ) -> None:
        """A part drawn for the whole portfolio and for each department (the filter shows
        one): `build(rows of that scope, scope words)`."""
        for scope in [ALL, *self.kpi.all_departments]:
            rows = frame if scope == ALL else frame.filter(pl.col("department") == scope)
            self.add(f'<div data-scope="{escape(scope)}"{"" if scope == ALL else " hidden"}>')
            build(rows, "the whole portfolio" if scope == ALL else scope)
            self.add("</div>")

    def render(self) -> str:
        kpi = self.kpi
        made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>'
                          for d in kpi.all_departments)
        nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in (
            ("attention", "Needs attention"), ("active", "Active portfolio"),
            ("finished", "Recently finished"), ("drivers", "Drivers"),
            ("all", "All projects")))
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>PMO portfolio report, as of {kpi.as_of}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<header><div><h1>PMO portfolio report · as of {kpi.as_of}</h1>"
            f"<p>Release {escape(kpi.release_id)} · health red below CPI or SPI "
            f"{kpi.params.health_red_below:.2f}, amber below "
            f"{kpi.params.health_amber_below:.2f}</p></div>"
            f'<label>Department <select id="dept"><option value="">All departments'
            f"</option>{options}</select></label></header><nav>{nav}</nav><main>"
            + "".join(self.parts)
            + f"</main><footer>Generated {made} from the published KPI tables (kpi.duckdb) "
            f"of release {escape(kpi.release_id)}. Self-contained: nothing is loaded from the "
            f"network. The department filter applies to the numbers, lists and project "
            f"sections; the charts show every department.</footer>"
            f"<script>{SCRIPT}</script></body></html>\n")


# --------------------------------------------------------------------------------------------
# the data behind several parts


def _project_list(kpi: KpiData) -> pl.DataFrame:
    """Every project with its stage and, for the red ones, drivers; `rank` orders the active
    red projects by money at risk (1 = most negative VAC)."""
    projects = kpi.projects()
    try:
        red = kpi.with_drivers(projects.filter(pl.col("health") == "red")).select(
            "project_id", "primary_driver", "drivers")
    except (MissingTableError, AsOfError):
        red = pl.DataFrame(schema={"project_id": pl.String, "primary_driver": pl.String,
                                   "drivers": pl.String})
    projects = projects.join(red, on="project_id", how="left")
    return projects.with_columns(
        pl.when((pl.col("health") == "red") & (pl.col("stage") == "active"))
        .then(pl.col("vac").rank("ordinal").over(
            (pl.col("health") == "red") & (pl.col("stage") == "active")))
        .alias("rank"))


def _at_risk(projects: pl.DataFrame) -> pl.DataFrame:
    """The active red projects, most money at risk first, with `top` (in the portfolio's TOP)
    and `shown` (in the TOP or among its department's TOP_PER_DEPARTMENT)."""
    red = projects.filter(pl.col("rank").is_not_null()).sort("rank")
    return red.with_columns(
        (pl.col("rank") <= TOP).alias("top"),
        ((pl.col("rank") <= TOP)
         | (pl.col("rank").rank("ordinal").over("department") <= TOP_PER_DEPARTMENT))
        .alias("shown"))


# --------------------------------------------------------------------------------------------
# the parts


def _attention(kpi: KpiData, page: _Page, projects: pl.DataFrame) -> None:
    page.add('<section id="attention"><h2>What needs attention</h2>')
    dates = kpi.comparison_dates()
    changes = {label: kpi.changes(day) for label, day in dates.items()}
    since = next(iter(dates.items()), None)
    page.per_department(projects, lambda rows, scope: _tiles(
        page, rows, changes[since[0]] if since else None, scope))
    at_risk = _at_risk(projects)
    page.add('<div class="cols"><div>')
    page.add(f"<h3>Failing active projects by money at risk</h3>")
    page.per_department(at_risk, lambda rows, scope: page.table(
        rows.head(TOP).with_columns(pl.col("rank").cast(pl.Int64)), RISK_COLUMNS))
    if not at_risk.is_empty():
        page.chart(failing.money_at_risk(at_risk, TOP, width=200))
    page.add("</div><div>")
    if not changes:
        page.add("<h3>What changed</h3>")
        page.note("kpi_project_history holds no earlier date, so there is nothing to compare "
                  "with yet: `pmo backfill --from D1 --to D2` fills it.")
    for label, frame in changes.items():
        page.add(f"<h3>Since {dates[label]} ({label})</h3>")
        page.per_department(frame, lambda rows, scope: _changes(page, rows))
    page.add("</div></div></section>")


def _tiles(page: _Page, rows: pl.DataFrame, changes: pl.DataFrame | None, scope: str) -> None:
    active = rows.filter(pl.col("stage") == "active")
    red = active.filter(pl.col("health") == "red")
    at_risk = red["vac"].filter(red["vac"] < 0).sum()
    ev, ac, pv = (active[c].sum() for c in ("ev", "ac", "pv"))
    tiles = [("active projects", str(active.height), ""),
             ("red", str(red.height), "bad" if red.height else "good"),
             ("amber", str(active.filter(pl.col("health") == "amber").height), ""),
             ("money at risk (red, −VAC)", money(-at_risk) if at_risk else "0", "bad"),
             ("CPI (active)", num(ev / ac) if ac else "n/a", ""),
             ("SPI (active)", num(ev / pv) if pv else "n/a", "")]
    if changes is not None:
        mine = changes.filter(pl.col("department").is_in(rows["department"].unique().to_list()))
        new = mine.filter(pl.col("change") == "new red").height
        back = mine.filter(pl.col("change") == "recovered").height
        tiles += [("new red since last release", str(new), "bad" if new else ""),
                  ("recovered", str(back), "good" if back else "")]
    page.add('<div class="tiles">' + "".join(
        f'<div class="tile {cls}"><b>{escape(v)}</b>{escape(label)}</div>'
        for label, v, cls in tiles) + "</div>")
    page.text(_headline(red, active, scope))


def _headline(red: pl.DataFrame, active: pl.DataFrame, scope: str) -> str:
    if active.is_empty():
        return f"No active project in {scope}."
    if red.is_empty():
        return f"No active project is red in {scope}: nothing is failing."
    worst = red.sort("vac", nulls_last=True).row(0, named=True)
    driver = worst.get("primary_driver") or "n/a"
    return (f"**{red.height} of {active.height} active projects are red** in {scope}. The most "
            f"money at risk: **{worst['project_id']} {worst['project_name']}** "
            f"({worst['department']}), VAC {money(worst['vac'])}, CPI {num(worst['cpi'])}, "
            f"primary driver **{driver}**.")


def _changes(page: _Page, rows: pl.DataFrame) -> None:
    new = rows.filter(pl.col("change") == "new red").sort("vac", nulls_last=True)
    back = rows.filter(pl.col("change") == "recovered").sort("vac", nulls_last=True)
    movers = (rows.filter(pl.col("vac_change") < 0).sort("vac_change").head(MOVERS))
    page.text(f"{plural(new.height, 'project')} turned red"
              + (f" ({narrative.listing(new['project_id'].to_list(), 6)})" if new.height else "")
              + f"; {plural(back.height, 'project')} recovered"
              + (f" ({narrative.listing(back['project_id'].to_list(), 6)})"
                 if back.height else "") + ".")
    if not movers.is_empty():
        page.table(movers, {"project_id": "worst movers", "project_name": "name",
                            "health_before": "was", "health": "now", "vac_before": "VAC was",
                            "vac": "VAC now", "vac_change": "change"})


def _active(kpi: KpiData, page: _Page) -> None:
    red_below = kpi.params.health_red_below
    page.add('<section id="active"><h2>Active portfolio: health and trend</h2>')
    page.text(narrative.portfolio_headline(kpi.portfolio(), kpi.as_of, kpi.scope))

    def trend() -> None:
        data = kpi.portfolio_trend()
        page.text(narrative.trend_text(data))
        if data.height > 1:
            page.chart(portfolio.portfolio_trend(data, red_below))

    page.guarded(trend)
    counts = kpi.health_counts().filter(pl.col("stage") == "active")
    page.text(narrative.health_text(counts))
    page.chart(portfolio.health_by_department(counts))
    points = kpi.cpi_spi("active")
    page.text(narrative.cpi_spi_text(points, red_below))
    if not points.is_empty():
        page.chart(portfolio.cpi_spi(points, red_below))
    page.add("</section>")


def _finished(kpi: KpiData, page: _Page, projects: pl.DataFrame) -> None:
    page.add(f'<section id="finished"><h2>Finished in the last {RECENT_MONTHS} months</h2>')
    recent = kpi.recently_finished(RECENT_MONTHS)
    archive = projects.filter(pl.col("stage") == "finished").height - recent.height
    page.per_department(recent, lambda rows, scope: page.text(_finished_text(rows, scope)))
    page.text(f"{plural(archive, 'project')} finished earlier {'is' if archive == 1 else 'are'} "
              f"the archive: in the full list below (stage `finished`).")
    delivery = kpi.on_time_by_quarter(portfolio.QUARTERS)
    if not delivery.is_empty():
        page.chart(portfolio.on_time_heatmap(delivery))
    if not recent.is_empty():
        page.add(f"<details><summary>The {recent.height} projects finished in the last "
                 f"{RECENT_MONTHS} months</summary>")
        page.table(recent.with_columns(pl.col("on_time").replace_strict(
            {True: "yes", False: "no"}, return_dtype=pl.String)), {
            "project_id": "project", "project_name": "name", "department": "department",
            "actual_end_date": "finished", "on_time": "on time", "delay_days": "delay (days)",
            "health": "health", "cpi": "CPI", "vac": "VAC"}, max_rows=None)
        page.add("</details>")
    page.add("</section>")


def _finished_text(rows: pl.DataFrame, scope: str) -> str:
    if rows.is_empty():
        return f"No project finished in the last {RECENT_MONTHS} months in {scope}."
    on_time = int(rows["on_time"].sum())
    red = rows.filter(pl.col("health") == "red").height
    return (f"{plural(rows.height, 'project')} finished in {scope}: {on_time} on time "
            f"({pct(on_time / rows.height)}), {red} red at the finish (late or over cost), "
            f"overrun against budget {money(-rows['vac'].filter(rows['vac'] < 0).sum())}.")


def _drivers(kpi: KpiData, page: _Page, projects: pl.DataFrame) -> None:
    page.add('<section id="drivers"><h2>Why the top failing projects fail</h2>')
    at_risk = _at_risk(projects).filter(pl.col("shown"))
    if at_risk.is_empty():
        page.text(f"No active project is failing (red) as of {kpi.as_of}.")
        page.add("</section>")
        return
    ids = at_risk["project_id"].to_list()
    try:
        drivers = kpi.drivers(ids)
    except (MissingTableError, AsOfError) as e:
        page.note(f"Root-cause drivers are not available: {e}")
        page.add("</section>")
        return
    red = _at_risk(projects)
    counts = failing.primary_driver_counts(red).rename(
        {"primary_driver": "primary driver", "vac": "VAC"})
    page.text("Primary drivers of the active red projects, most money at risk first "
              "(`unexplained`: no driver reaches its share and lift thresholds):")
    page.add(chartkit.table(counts, {"VAC": "money"}).html)
    # the evidence of every project shown in one query, not one per project (21 at 2,000
    # projects); without its table, each project's section says so
    try:
        evidence: pl.DataFrame | str = kpi.evidence_details(ids, limit=EVIDENCE_ROWS)
    except (MissingTableError, AsOfError) as e:
        evidence = str(e)
    for r in at_risk.iter_rows(named=True):  # r: the project's kpi_project row, and more
        project_id = r["project_id"]
        mine = drivers.filter(pl.col("project_id") == project_id)
        page.add(f'<div class="project" data-department="{escape(r["department"])}" '
                 f'data-top="{int(r["top"])}"{"" if r["top"] else " hidden"}>'
                 f'<h3 id="{escape(project_id)}">{int(r["rank"])}. {escape(project_id)} '
                 f'{escape(r["project_name"])}</h3>')
        page.text(narrative.project_text(r, mine))
        if not mine.is_empty():
            page.chart(failing.project_drivers(mine, project_id).properties(height=110))
        _evidence(page, evidence, project_id)
        page.add("</div>")
    page.add("</section>")


def _evidence(page: _Page, evidence: pl.DataFrame | str, project_id: str) -> None:
    """One project's largest pieces of evidence, or why there are none (`evidence`: the
    error message)."""
    if isinstance(evidence, str):
        page.note(evidence)
        return
    mine = evidence.filter(pl.col("project_id") == project_id).drop("project_id")
    if not mine.is_empty():
        page.add("<p>The largest pieces of evidence:</p>")
        page.add(chartkit.table(mine, {"hours": "num1"}).html)


def _full_list(page: _Page, projects: pl.DataFrame) -> None:
    frame = projects.sort(["rank", "project_id"], nulls_last=True).select(
        [c for c in LIST_COLUMNS if c in projects.columns])
    stages = "".join(f'<option value="{s}">{s}</option>'
                     for s in sorted(frame["stage"].unique().to_list()))
    page.add(f'<section id="all"><h2>All projects</h2><details><summary>All '
             f'{frame.height} projects: sortable (click a column), filterable</summary>'
             f'<div class="filters"><input id="q" type="search" placeholder="filter: id, name, '
             f'driver ..." size="28"><select id="stage"><option value="">every stage</option>'
             f'{stages}</select><span><span id="shown">{frame.height}</span> shown</span></div>'
             f'<div class="scroll">')
    html = chartkit.table(frame, FORMATS, None, css_class="pmo-table sortable",
                          attrs=("department", "stage"), labels=LIST_COLUMNS).html
    page.add(html.replace("<table ", '<table id="all-projects" ', 1))
    page.add("</div></details></section>")


def _markdown(text: str) -> str:
    """The little Markdown the narrative uses (**bold**, `code`, paragraphs) as HTML."""
    html = escape(text)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"`(.+?)`", r"<code>\1</code>", html)
    return html.replace("\n\n", "</p><p>")


def _scoped(svg: str, prefix: str) -> str:
    """An SVG ready to inline: ids made unique in the page (Vega numbers its clip paths from
    1 in every chart) and the XML namespace declarations, which HTML does not need, dropped."""
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
