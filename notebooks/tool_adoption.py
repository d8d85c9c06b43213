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
# # Tool adoption
#
# Did each new tool change how the department delivers, measured against its own standard
# in the 90 days before the rollout, and did trained people do better than untrained ones?
# Reads only the published KPI tables (`kpi.duckdb`, read-only).

# %% tags=["parameters"]
import os

EXPORT_DIR = os.environ.get("PMO_EXPORT_DIR", "data/exports")  # published exports (kpi.duckdb)
AS_OF = None  # "YYYY-MM-DD", a published date; None = the release's as-of date
DEPARTMENT = None  # a department name, or None for the whole portfolio

# %%
from IPython.display import Markdown

from pipelines.analysis import chartkit, narrative, tools

chartkit.enable()
kpi = tools.ToolData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
Markdown(f"Reading `{kpi.path}` read-only: as of **{kpi.as_of}**, {kpi.scope}.")

# %% [markdown]
# ## Did on-time delivery change after each rollout?

# %%
adoption = kpi.tool_adoption()
Markdown(narrative.tool_text(adoption))

# %%
tools.before_after(adoption, "on_time_rate", "tasks on time", ".0%")

# %% [markdown]
# ## Did estimates get more accurate?

# %%
tools.before_after(adoption, "estimate_ratio", "actual / planned hours", ".2f")

# %% [markdown]
# ## After the rollout, did trained people do better than untrained ones?

# %%
Markdown(narrative.trained_text(adoption))

# %%
tools.trained_vs_untrained(adoption)

# %% [markdown]
# ## How much data is behind each verdict?

# %%
tools.sample_sizes(adoption, kpi.params.tool_min_tasks)

# %%
chartkit.table(adoption.select("tool", "department", "rollout_date", "tasks_before",
                             "tasks_after", "on_time_rate_before", "on_time_rate_after",
                             "estimate_ratio_before", "estimate_ratio_after", "verdict"),
             {"on_time_rate_before": "pct", "on_time_rate_after": "pct",
              "estimate_ratio_before": "num2", "estimate_ratio_after": "num2"})

# %%
kpi.close()
