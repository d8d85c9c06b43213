"""The manager report: one self-contained HTML page of the portfolio and its failing projects.

    html = render_report(Path("data/exports/kpi.duckdb"))

The page needs nothing else: charts are inline SVG drawn by vl-convert (no script at all, no
font or style sheet from the network, no URL anywhere in the page), tables are plain HTML, the
style sheet is inline. It reads only the given kpi.duckdb, read-only. A part whose table is not
published (root-cause drivers, history) is replaced by a note instead of failing the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import altair as alt
import polars as pl

from pipelines.analysis import charts, narrative
from pipelines.analysis.data import AsOfError, KpiData, MissingTableError

MAX_PROJECT_SECTIONS = 20  # failing projects with a drivers section (worst CPI first)
STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       color: #222; background: #f6f7f9; }
header { background: #1f2d3d; color: white; padding: 18px 32px; }
header h1 { margin: 0; font-size: 24px; }
header p { margin: 4px 0 0; color: #c9d3dd; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 32px 40px; }
section { background: white; border-radius: 6px; padding: 12px 20px 16px; margin: 18px 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h2 { font-size: 19px; margin: 6px 0 8px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { line-height: 1.45; }
figure.chart { margin: 10px 0; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
table.pmo-table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.pmo-table th, table.pmo-table td { border-bottom: 1px solid #e3e6ea; padding: 4px 8px;
                                          text-align: left; }
table.pmo-table th { background: #eef1f4; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 10px 0; }
.tile { background: #eef1f4; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.tile b { display: block; font-size: 22px; }
.tile.red b { color: #d62728; }
.note { color: #8a5a00; background: #fff6e0; padding: 6px 10px; border-radius: 4px; }
footer { color: #777; font-size: 12px; text-align: center; padding: 12px; }
"""


def render_report(kpi_duckdb: Path) -> str:
    """A self-contained HTML page with the key charts and tables of the portfolio and of the
    failing projects with their drivers, from a published kpi.duckdb (read-only)."""
    with KpiData(kpi_duckdb) as kpi:
        page = _Page()
        _portfolio(kpi, page)
        _failing(kpi, page)
        return page.render(kpi)


class _Page:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self._charts = 0

    def add(self, html: str) -> None:
        self.parts.append(html)

    def text(self, markdown: str) -> None:
        self.add(f"<p>{_markdown(markdown)}</p>")

    def chart(self, chart: alt.TopLevelMixin) -> None:
        self._charts += 1
        svg = _scoped(charts.to_svg(chart), f"c{self._charts}")
        self.add(f'<figure class="chart">{svg}</figure>')

    def table(self, frame: pl.DataFrame, formats: dict[str, str] | None = None) -> None:
        self.add(charts.table(frame, formats).html)

    def note(self, message: str) -> None:
        self.add(f'<p class="note">{escape(message)}</p>')

    def guarded(self, build: Callable[[], None]) -> None:
        """A part that needs a table the release may lack: a note instead of a failure."""
        try:
            build()
        except (MissingTableError, AsOfError) as e:
            self.note(str(e))

    def render(self, kpi: KpiData) -> str:
        made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>PMO portfolio report, as of {kpi.as_of}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<header><h1>PMO portfolio report</h1><p>As of {kpi.as_of} · {kpi.scope} · "
            f"release {escape(kpi.path.parent.name)}</p></header><main>"
            + "".join(self.parts)
            + f"</main><footer>Generated {made} from the published KPI tables "
            f"(kpi.duckdb). Self-contained: no script, nothing loaded from the network."
            f"</footer></body></html>\n")


def _portfolio(kpi: KpiData, page: _Page) -> None:
    page.add("<section><h2>Portfolio</h2>")
    portfolio = kpi.portfolio()
    if not portfolio.is_empty():
        r = portfolio.row(0, named=True)
        tiles = [("active projects", r["projects_active"], ""),
                 ("red", r["projects_red"], "red"), ("amber", r["projects_amber"], ""),
                 ("green", r["projects_green"], ""),
                 ("portfolio CPI", narrative.num(r["portfolio_cpi"]), ""),
                 ("portfolio SPI", narrative.num(r["portfolio_spi"]), ""),
                 ("on time, 12 months", narrative.pct(r["pct_on_time_12m"]), ""),
                 ("utilization, 28 days", narrative.pct(r["utilization_28d"]), "")]
        page.add('<div class="tiles">' + "".join(
            f'<div class="tile {cls}"><b>{escape(str(v))}</b>{escape(label)}</div>'
            for label, v, cls in tiles) + "</div>")
    page.text(narrative.portfolio_headline(portfolio, kpi.as_of, kpi.scope))
    counts = kpi.health_counts()
    page.add("<h3>Project health by department</h3>")
    page.text(narrative.health_text(counts))
    page.chart(charts.health_by_department(counts))
    points = kpi.cpi_spi()
    page.add("<h3>Cost against schedule</h3>")
    page.text(narrative.cpi_spi_text(points))
    page.chart(charts.cpi_spi(points))
    delivery = kpi.on_time_by_quarter()
    page.add("<h3>On-time delivery by department and quarter</h3>")
    page.text(narrative.on_time_text(delivery))
    if not delivery.is_empty():
        page.chart(charts.on_time_heatmap(delivery))

    def trend() -> None:
        data = kpi.portfolio_trend()
        page.add("<h3>Trend</h3>")
        page.text(narrative.trend_text(data))
        if data.height > 1:
            page.chart(charts.portfolio_trend(data))

    page.guarded(trend)
    page.add("</section>")


def _failing(kpi: KpiData, page: _Page) -> None:
    page.add("<section><h2>Failing projects and their drivers</h2>")
    red = kpi.red_projects()
    if red.is_empty():
        page.text(f"No project is failing (red) as of {kpi.as_of} in {kpi.scope}.")
        page.add("</section>")
        return
    columns = ["project_id", "project_name", "department", "stage", "cpi", "spi", "vac",
               "delay_days"]
    formats = {"cpi": "num2", "spi": "num2", "vac": "money"}
    try:
        red = kpi.red_list()
    except (MissingTableError, AsOfError) as e:
        page.note(f"Root-cause drivers are not available: {e}")
        page.table(red.select(columns), formats)
        page.add("</section>")
        return
    page.text(narrative.red_list_text(red, kpi.as_of, kpi.scope))
    page.table(red.select(*columns, "primary_driver", "drivers"), formats)
    page.chart(charts.red_projects(red))
    drivers = kpi.drivers()
    page.chart(charts.driver_heatmap(drivers))
    if red.height > MAX_PROJECT_SECTIONS:
        page.text(f"Drivers and evidence of the {MAX_PROJECT_SECTIONS} failing projects with the "
                  f"lowest CPI follow; the table above lists all {red.height}.")
    for project_id, name in red.head(MAX_PROJECT_SECTIONS).select(
            "project_id", "project_name").iter_rows():
        mine = drivers.filter(pl.col("project_id") == project_id)
        page.add(f'<h3 id="{escape(project_id)}">{escape(project_id)} {escape(name)}</h3>')
        page.text(narrative.project_text(kpi.project(project_id), mine))
        page.chart(charts.project_drivers(mine, project_id).properties(height=130))
        page.guarded(lambda: _evidence(kpi, page, project_id))
    page.add("</section>")


def _evidence(kpi: KpiData, page: _Page, project_id: str) -> None:
    evidence = kpi.evidence_detail(project_id, limit=5)
    if not evidence.is_empty():
        page.add("<p>The largest pieces of evidence:</p>")
        page.table(evidence, {"hours": "num1"})


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
