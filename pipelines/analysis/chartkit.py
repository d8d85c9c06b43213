"""Chart helpers shared by the topic modules, the offline chart renderer and the HTML table.

Rendering offline in JupyterLab 4.6.6 as shipped: Altair 6 emits Vega-Lite 6 under the
mimetype `application/vnd.vegalite.v6.json`, which JupyterLab's built-in renderer (Vega 5.33,
Vega-Lite 5.6) does not draw and which nbformat even rejects as output data; Altair's default
html renderer loads Vega from a CDN, and inline html or SVG outputs only show in trusted
notebooks. `enable()` therefore registers the `pmo` renderer: the chart is compiled to a Vega
spec in Python by vl-convert (Vega-Lite 6, no network) and emitted as
`application/vnd.vega.v5+json`, which JupyterLab's own Vega renderer draws, interactive and
also in untrusted notebooks (the renderer is marked safe), plus a PNG for front ends without a
Vega renderer (nbconvert, GitHub, VS Code). The report uses the same charts as inline SVG.

Speed (the report draws ~26 charts at every release): the charts it draws give channels as
objects (`alt.X("vac:Q")`, `tooltips("project_id", ...)`), not bare strings, because Altair 6
turns each bare string into its channel class through a lookup table that it rebuilds from its
~570 schema classes every time (~8 ms a string, 134 strings in the report); and specs are not
validated against the Vega-Lite schema (see `vl_spec`).
"""

from __future__ import annotations

import base64
from html import escape
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
INDEX_COLORS = {"cpi": "#1f77b4", "spi": "#9467bd"}
DRIVER_ORDER = ["over_allocation", "skill_gap", "training_gap", "estimation", "turnover",
                "scope_creep"]
WIDTH = 640
DATE_AXIS = alt.Axis(format="%d %b %y")


def scale(colors: dict[str, str]) -> alt.Scale:
    """A color scale of fixed categories."""
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def health_scale() -> alt.Scale:
    return scale(HEALTH_COLORS)


def verdict_scale() -> alt.Scale:
    return scale(VERDICT_COLORS)


def flag_scale(true: str = HEALTH_COLORS["red"], false: str = "#9e9e9e") -> alt.Scale:
    return alt.Scale(domain=[True, False], range=[true, false])


def rules(values: list[float], axis: str = "y", color: str = "#888",
          dashed: bool = True) -> alt.Chart:
    """Reference lines at the given values (x or y); they do not pull the axis to zero."""
    mark = alt.Chart(pl.DataFrame({"v": values})).mark_rule(
        color=color, **({"strokeDash": [4, 4]} if dashed else {}))
    channel = alt.X if axis == "x" else alt.Y
    return mark.encode(**{axis: channel("v:Q", scale=alt.Scale(zero=False))})


def folded_lines(frame: pl.DataFrame, columns: dict[str, str], title: str, y_title: str,
                 fmt: str = ".3f", zero: bool = False, tooltip: list | None = None,
                 height: int = 200) -> alt.Chart:
    """One line per column (its color given) over `as_of`."""
    return alt.Chart(frame).transform_fold(list(columns), as_=["series", "value"]).mark_line(
        point=len(frame) < 40).encode(
        x=alt.X("as_of:T", title="as of", axis=DATE_AXIS),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=zero)),
        color=alt.Color("series:N", title=None, scale=scale(columns)),
        tooltip=tooltips(alt.Tooltip("as_of:T"), "series:N",
                         alt.Tooltip("value:Q", format=fmt), *(tooltip or [])),
    ).properties(title=title, width=WIDTH, height=height)


def index_lines(frame: pl.DataFrame, cpi: str, spi: str, title: str, red_below: float,
                tooltip: list | None = None) -> alt.LayerChart:
    """CPI and SPI over `as_of`, with dashed lines at 1 and at the red threshold."""
    lines = folded_lines(frame, {cpi: INDEX_COLORS["cpi"], spi: INDEX_COLORS["spi"]}, title,
                         "index (1 = on plan)", tooltip=tooltip)
    return alt.layer(rules([1.0, red_below]), lines)


def tooltips(*items: str | alt.Tooltip) -> list[alt.Tooltip]:
    """Tooltip channels: a field shorthand (`"driver"`, `"hours:Q"`) or a ready alt.Tooltip
    (see the module doc for why not bare strings)."""
    return [alt.Tooltip(i) if isinstance(i, str) else i for i in items]


def horizontal_bars(frame: pl.DataFrame, x: str, y: str, x_title: str, title: str,
                    color: Any, tooltip: list) -> alt.Chart:
    """Bars of `x` per `y`, the longest first."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X(x, title=x_title), y=alt.Y(f"{y}:N", sort="-x", title=None),
        color=color, tooltip=tooltip,
    ).properties(title=title, width=WIDTH - 160)


# --------------------------------------------------------------------------------------------
# rendering


def vl_version() -> str:
    """The Vega-Lite version of Altair's schema, as vl-convert names it (e.g. `6.4`)."""
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


def vl_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """The chart's Vega-Lite spec, not validated against the Vega-Lite schema: the charts are
    built by this package and drawn by its tests, and Altair's jsonschema validation cost more
    than building the dict itself (~1 s of the report at 2,000 projects)."""
    return chart if isinstance(chart, dict) else chart.to_dict(validate=False)


def to_vega(chart: alt.TopLevelMixin | dict) -> dict:
    """The chart compiled to a Vega spec, offline (vl-convert bundles Vega-Lite)."""
    return vlc.vegalite_to_vega(vl_spec(chart), vl_version=vl_version())


def to_svg(chart: alt.TopLevelMixin | dict) -> str:
    """The chart as a standalone SVG document (no script, no network)."""
    return vlc.vegalite_to_svg(vl_spec(chart), vl_version=vl_version())


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
# tables (for the answers that are lists: the red list, training reasons)


def cell(value: Any, kind: str | None = None) -> str:
    """A value as table text: kind `pct`, `money`, `num<digits>` or by its type."""
    from pipelines.analysis.narrative import money, num, pct

    if value is None:
        return ""
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


class Table:
    """A polars frame as a compact HTML table (notebooks display it; the report embeds it).
    With `attrs`, each row carries data-<column> attributes (the report's filters use them)
    and each cell its raw value as data-v (for sorting)."""

    def __init__(self, frame: pl.DataFrame, formats: dict[str, str] | None = None,
                 max_rows: int | None = 60, css_class: str = "pmo-table",
                 attrs: tuple[str, ...] = (), labels: dict[str, str] | None = None):
        self.frame, self.formats, self.max_rows = frame, formats or {}, max_rows
        self.css_class, self.attrs, self.labels = css_class, attrs, labels or {}

    @property
    def html(self) -> str:
        numeric = {c for c, t in self.frame.schema.items() if t.is_numeric()}
        align = {c: "num" if c in numeric else "txt" for c in self.frame.columns}
        head = "".join(f'<th class="{align[c]}">{escape(self.labels.get(c, c))}</th>'
                       for c in self.frame.columns)
        shown = self.frame if self.max_rows is None else self.frame.head(self.max_rows)
        rows = []
        for row in shown.iter_rows(named=True):
            data = "".join(f' data-{a.replace("_", "-")}="{escape(str(row[a]))}"'
                           for a in self.attrs)
            cells = "".join(
                f'<td class="{align[c]}"'
                + (f' data-v="{escape(str(v))}"' if self.attrs and c in numeric and v is not None
                   else "")
                + f">{cell(v, self.formats.get(c))}</td>" for c, v in row.items())
            rows.append(f"<tr{data}>{cells}</tr>")
        more = (f"<p><em>{self.frame.height - self.max_rows} more rows not shown.</em></p>"
                if self.max_rows is not None and self.frame.height > self.max_rows else "")
        return (f'<table class="{self.css_class}"><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>{more}")

    def _repr_html_(self) -> str:
        return self.html


def table(frame: pl.DataFrame, formats: dict[str, str] | None = None,
          max_rows: int | None = 60, **options: Any) -> Table:
    return Table(frame, formats, max_rows, **options)
