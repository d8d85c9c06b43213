# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Portfolio health
#
# How healthy is the project portfolio as of the as-of date, where are the red projects, and
# is it getting better? Reads only the published KPI tables (`kpi.duckdb`, read-only).

# %% tags=["parameters"]
import os

EXPORT_DIR = os.environ.get("PMO_EXPORT_DIR", "data/exports")  # published exports (kpi.duckdb)
AS_OF = None  # "YYYY-MM-DD", a published date; None = the release's as-of date
DEPARTMENT = None  # a department name, or None for the whole portfolio

# %%
from IPython.display import Markdown

from pipelines.analysis import chartkit, narrative, portfolio

chartkit.enable()
kpi = portfolio.PortfolioData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
Markdown(f"Reading `{kpi.path}` read-only: as of **{kpi.as_of}**, {kpi.scope}.")

# %% [markdown]
# ## Where does the portfolio stand?

# %%
Markdown(narrative.portfolio_headline(kpi.portfolio(), kpi.as_of, kpi.scope))

# %% [markdown]
# ## How many projects are red, amber and green, and in which departments?

# %%
counts = kpi.health_counts()
Markdown(narrative.health_text(counts))

# %%
portfolio.health_by_department(counts)

# %% [markdown]
# ## Which projects are over cost, behind schedule, or both?

# %%
points = kpi.cpi_spi()
Markdown(narrative.cpi_spi_text(points, kpi.params.health_red_below))

# %%
portfolio.cpi_spi(points, kpi.params.health_red_below)

# %% [markdown]
# ## How often does each department deliver on time, quarter by quarter?

# %%
delivery = kpi.on_time_by_quarter()
Markdown(narrative.on_time_text(delivery))

# %%
portfolio.on_time_heatmap(delivery)

# %% [markdown]
# ## Is the portfolio getting better or worse?

# %%
trend = kpi.portfolio_trend()
Markdown(narrative.trend_text(trend))

# %%
portfolio.portfolio_trend(trend, kpi.params.health_red_below)

# %% [markdown]
# ## What changed since the previous release?

# %%
since = kpi.comparison_dates()
changes = kpi.changes(since["previous release"]) if since else None
chartkit.table(changes.filter(changes["change"].is_not_null()), max_rows=30) if since else \
    Markdown("The published history holds no earlier date to compare with.")

# %%
kpi.close()
