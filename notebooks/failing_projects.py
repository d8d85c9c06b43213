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
# # Failing projects
#
# Which projects are failing, and why? From the red list to one project's root-cause drivers, then to the hours and people behind
# each driver. Reads only the published KPI tables (`kpi.duckdb`, read-only).

# %% tags=["parameters"]
import os

EXPORT_DIR = os.environ.get("PMO_EXPORT_DIR", "data/exports")  # published exports (kpi.duckdb)
AS_OF = None  # "YYYY-MM-DD", a published date; None = the release's as-of date
DEPARTMENT = None  # a department name, or None for the whole portfolio
PROJECT_ID = None  # the project to drill into; None = the failing project with the lowest CPI

# %%
from IPython.display import Markdown

from pipelines.analysis import chartkit, narrative, failing

chartkit.enable()
kpi = failing.FailingData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
Markdown(f"Reading `{kpi.path}` read-only: as of **{kpi.as_of}**, {kpi.scope}.")

# %% [markdown]
# ## Which projects are failing, and what is each one's primary driver?

# %%
red = kpi.red_list()
Markdown(narrative.red_list_text(red, kpi.as_of, kpi.scope))

# %%
failing.red_projects(red)

# %%
chartkit.table(
    red.select("project_id", "project_name", "department", "stage", "cpi", "spi", "vac",
               "delay_days", "primary_driver", "drivers"),
    {"cpi": "num2", "spi": "num2", "vac": "money"})

# %% [markdown]
# ## Which drivers stand out across the failing projects?

# %%
failing.driver_heatmap(kpi.drivers())

# %% [markdown]
# ## For the selected project: which drivers stand out against the healthy projects?

# %%
project_id = kpi.pick_project(PROJECT_ID)
project = kpi.project(project_id)
drivers = kpi.drivers([project_id])
Markdown(narrative.project_text(project, drivers))

# %%
failing.project_drivers(drivers, project_id)

# %% [markdown]
# ## How many hours are behind each driver?

# %%
Markdown(narrative.driver_hours_text(drivers))

# %%
failing.driver_hours(drivers, project_id)

# %% [markdown]
# ## Which tasks and people are behind the drivers?

# %%
by_person = kpi.evidence_by_person(project_id)
by_task = kpi.evidence_by_task(project_id)
Markdown(narrative.evidence_text(by_person, by_task, drivers))

# %%
failing.evidence_people(by_person, project_id)

# %%
failing.evidence_tasks(by_task, project_id)

# %%
chartkit.table(kpi.evidence_detail(project_id), {"hours": "num1"})

# %% [markdown]
# ## How did the project get here?

# %%
history = kpi.project_history(project_id)
failing.project_trend(history, project_id, kpi.params.health_red_below)

# %%
kpi.close()
