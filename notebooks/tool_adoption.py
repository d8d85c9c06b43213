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

# %% tags=["parameters"]
import os

EXPORT_DIR = os.environ.get("PMO_EXPORT_DIR", "data/exports")  # published exports (kpi.duckdb)
AS_OF = None  # "YYYY-MM-DD", a published date; None = the release's as-of date
DEPARTMENT = None  # a department name, or None for the whole portfolio

# %% [markdown]
# # Tool adoption
#
# Did each new tool change how the department delivers, measured against its own standard
# in the 90 days before the rollout, and did trained people do better than untrained ones?
# Reads only the published KPI tables (`kpi.duckdb`, read-only).

# %%
from IPython.display import Markdown

from pipelines.analysis import charts, narrative
from pipelines.analysis.data import KpiData
from pipelines.settings import KpiParams

charts.enable()
kpi = KpiData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
Markdown(f"Reading `{kpi.path}` read-only: as of **{kpi.as_of}**, {kpi.scope}.")

# %% [markdown]
# ## Did on-time delivery change after each rollout?

# %%
adoption = kpi.tool_adoption()
Markdown(narrative.tool_text(adoption))

# %%
charts.before_after(adoption, "on_time_rate", "tasks on time", ".0%")

# %% [markdown]
# ## Did estimates get more accurate?

# %%
charts.before_after(adoption, "estimate_ratio", "actual / planned hours", ".2f")

# %% [markdown]
# ## After the rollout, did trained people do better than untrained ones?

# %%
Markdown(narrative.trained_text(adoption))

# %%
charts.trained_vs_untrained(adoption)

# %% [markdown]
# ## How much data is behind each verdict?

# %%
charts.sample_sizes(adoption, KpiParams().tool_min_tasks)

# %%
charts.table(adoption.select("tool", "department", "rollout_date", "tasks_before",
                             "tasks_after", "on_time_rate_before", "on_time_rate_after",
                             "estimate_ratio_before", "estimate_ratio_after", "verdict"),
             {"on_time_rate_before": "pct", "on_time_rate_after": "pct",
              "estimate_ratio_before": "num2", "estimate_ratio_after": "num2"})

# %%
kpi.close()
