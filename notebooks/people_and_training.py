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
# # People and training
#
# How busy is everyone, who is over-allocated, where are the skill gaps, and who should get
# which refresher training? Reads only the published KPI tables (`kpi.duckdb`, read-only);
# people appear by employee id only.

# %% tags=["parameters"]
import os

EXPORT_DIR = os.environ.get("PMO_EXPORT_DIR", "data/exports")  # published exports (kpi.duckdb)
AS_OF = None  # "YYYY-MM-DD", a published date; None = the release's as-of date
DEPARTMENT = None  # a department name, or None for the whole portfolio
WEEKS = 26  # weeks of utilization to show, up to the as-of date

# %%
from IPython.display import Markdown

from pipelines.analysis import chartkit, narrative, people

chartkit.enable()
kpi = people.PeopleData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
rule = kpi.params  # the training benchmarks the release was computed with
Markdown(f"Reading `{kpi.path}` read-only: as of **{kpi.as_of}**, {kpi.scope}.")

# %% [markdown]
# ## How busy is each person, week by week?

# %%
heat = kpi.utilization_heatmap(weeks=WEEKS)
Markdown(narrative.utilization_text(heat))

# %%
people.utilization_heatmap(heat)

# %% [markdown]
# ## Who is over-allocated, and how often?

# %%
top = kpi.most_over_allocated()
by_week = kpi.over_allocation_by_week(weeks=WEEKS)
Markdown(narrative.over_allocation_text(top, by_week))

# %%
people.most_over_allocated(top)

# %%
people.over_allocation_trend(by_week)

# %% [markdown]
# ## Where are the skill gaps?

# %%
gaps = kpi.skill_gaps()
Markdown(narrative.skill_gap_text(gaps))

# %%
people.skill_gaps(gaps)

# %%
people.skill_gap_people(kpi.skill_gap_people())

# %% [markdown]
# ## Who should get which refresher training, and why?

# %%
recs = kpi.training_recommendations()
Markdown(narrative.training_text(recs, kpi.people().height))

# %%
people.training_benchmarks(kpi.performance_points(), rule.training_on_time_below,
                           rule.training_estimate_above)

# %%
people.training_by_department(recs.rename({"reason_kind": "reason"}))

# %%
chartkit.table(recs.select("employee_id", "department", "tasks_completed", "on_time_rate",
                         "estimate_ratio", "training_reason"),
             {"on_time_rate": "pct", "estimate_ratio": "num2"}, max_rows=100)

# %%
kpi.close()
