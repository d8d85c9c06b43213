"""Read-only access to the published KPI tables (`kpi.duckdb`): every question of every topic.

    kpi = KpiData.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    kpi.health_counts()          # a polars DataFrame, aggregated in SQL

The questions live with their topic (portfolio, failing, people, tools; the connection, as-of
date and department filter in base); a notebook opens its topic's class, the manager report
this one, which has them all.
"""

from __future__ import annotations

from pipelines.analysis.base import (  # noqa: F401 - the public names of this module
    ACTIVE, PRODUCERS, AsOfError, KpiBase, MissingTableError,
    resolve_export_dir)
from pipelines.analysis.failing import EVIDENCE_TABLE, FailingData  # noqa: F401
from pipelines.analysis.people import PeopleData
from pipelines.analysis.portfolio import PortfolioData
from pipelines.analysis.tools import ToolData


class KpiData(PortfolioData, FailingData, PeopleData, ToolData):
    """The published KPI tables of one release, at one as-of date, for some departments."""
