"""The manager report on a hand-made kpi.duckdb of three projects, where every answer is known.

As of 2026-03-31, all active:

| project | department  | health (day before) | BAC    | EAC    | VAC    | CPI  |
|---------|-------------|---------------------|--------|--------|--------|------|
| A1      | Finance     | red (red)           |  1,000 |  1,500 |   −500 | 0.67 |
| B2      | Engineering | red (green)         | 10,000 | 13,000 | −3,000 | 0.77 |
| C3      | Engineering | green (red)         |    500 |    480 |    +20 | 1.04 |

So B2 is the top VAC risk although A1 has the worse CPI; B2 turned red since the previous
release (2026-03-30) and C3 recovered. The release directory still carries `.partial` (the
publish step renders the report before it renames the directory).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.analysis.data import KpiData
from pipelines.analysis.report import render_report

AS_OF, BEFORE = date(2026, 3, 31), date(2026, 3, 30)
RELEASE = "20260331T101010.000001Z-2026-03-31-abc123"
PROJECTS = [  # id, name, department, health, health the day before, bac, eac, cpi
    ("A1", "Alpha", "Finance", "red", "red", 1000.0, 1500.0, 0.67),
    ("B2", "Beta", "Engineering", "red", "green", 10000.0, 13000.0, 0.77),
    ("C3", "Gamma", "Engineering", "green", "red", 500.0, 480.0, 1.04),
]


def write_kpi(path: Path, params: dict | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        columns = """project_id VARCHAR, project_name VARCHAR, department VARCHAR,
            status VARCHAR, health VARCHAR, as_of DATE, bac DOUBLE, eac DOUBLE, vac DOUBLE,
            cpi DOUBLE, spi DOUBLE, ev DOUBLE, ac DOUBLE, pv DOUBLE, actual_hours DOUBLE,
            planned_hours DOUBLE, estimate_ratio DOUBLE, tasks_overdue INT, delay_days INT,
            actual_end_date DATE, planned_end_date DATE, forecast_end_date DATE"""
        con.execute(f"CREATE TABLE kpi_project ({columns})")
        con.execute(f"CREATE TABLE kpi_project_history ({columns})")
        for pid, name, dept, health, before, bac, eac, cpi in PROJECTS:
            for table, day, h in (("kpi_project", AS_OF, health),
                                  ("kpi_project_history", AS_OF, health),
                                  ("kpi_project_history", BEFORE, before)):
                con.execute(f"INSERT INTO {table} VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, "
                            f"?, ?, 0.95, 100, 100 / ?, 105, 10, 12, 1.2, 0, NULL, NULL, "
                            f"'2026-12-31', '2027-01-31')",
                            [pid, name, dept, h, day, bac, eac, bac - eac, cpi, cpi])
        con.execute("""CREATE TABLE kpi_portfolio AS SELECT * FROM (VALUES
            ('ALL', DATE '2026-03-31', 3, 2, 0, 1, 0.8, 0.95, 0.5, 0, 0, NULL, NULL, 0.8))
            t(department, as_of, projects_active, projects_red, projects_amber,
              projects_green, portfolio_cpi, portfolio_spi, pct_tasks_done,
              projects_finished_12m, projects_on_time_12m, pct_on_time_12m, roi_12m,
              utilization_28d)""")
        con.execute("""CREATE TABLE kpi_delivery (department VARCHAR, quarter VARCHAR,
            projects_finished INT, projects_on_time INT, pct_on_time DOUBLE,
            avg_delay_days DOUBLE)""")
        if params:
            con.execute("CREATE TABLE kpi_params (name VARCHAR, value DOUBLE)")
            con.executemany("INSERT INTO kpi_params VALUES (?, ?)", list(params.items()))
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_kpi(tmp_path_factory.mktemp("r") / f"{RELEASE}.partial" / "kpi.duckdb")


@pytest.fixture(scope="module")
def html(tiny) -> str:
    return render_report(tiny)


def scope_blocks(html: str, scope: str) -> str:
    """Everything the department filter shows for one scope (`ALL`: no filter)."""
    return "".join(re.findall(rf'<div data-scope="{scope}"[^>]*>(.*?)</div>(?=<div data-scope|'
                              rf'</div>|<h3|<figure|<p)', html, re.S))


def test_top_failing_is_ranked_by_money_at_risk(tiny):
    with KpiData(tiny) as kpi:
        red = kpi.red_list(stage="active", order="vac") if kpi.has("rca_drivers") else \
            kpi.red_projects(stage="active", order="vac")
        assert red["project_id"].to_list() == ["B2", "A1"]  # VAC −3,000 before −500
        assert kpi.red_projects()["project_id"].to_list() == ["A1", "B2"]  # by CPI


def test_changes_since_the_previous_release(tiny):
    with KpiData(tiny) as kpi:
        assert kpi.comparison_dates() == {"previous release": BEFORE}  # no date a month back
        changes = dict(kpi.changes(BEFORE).select("project_id", "change").iter_rows())
    assert changes == {"A1": None, "B2": "new red", "C3": "recovered"}


def test_first_screen_names_the_biggest_risk_and_the_changes(html):
    first = html.split('<section id="active"')[0]
    assert "<strong>B2 Beta</strong> (Engineering), VAC -3.0k" in first
    assert "1 project turned red (B2); 1 project recovered (C3)." in first
    risk = first.split("money at risk</h3>")[1]
    assert risk.index(">B2<") < risk.index(">A1<")  # rank 1 is B2


@pytest.mark.parametrize("scope, shown, hidden", [
    ("ALL", ["B2", "A1"], []),
    ("Finance", ["A1"], ["B2", "C3"]),
    ("Engineering", ["B2"], ["A1"]),
])
def test_department_filter_shows_only_its_projects(html, scope, shown, hidden):
    block = scope_blocks(html, scope)
    for project in shown:
        assert f">{project}<" in block, (scope, project)
    for project in hidden:
        assert f">{project}<" not in block, (scope, project)


def test_department_filter_lists_every_department(html):
    options = re.findall(r'<option value="([^"]*)">', html.split("</select>")[0])
    assert options == ["", "Engineering", "Finance"]


def test_full_list_is_one_click_away_sortable_and_filterable(html):
    full = html.split('<section id="all">')[1]
    assert full.startswith("<h2>All projects</h2><details>")
    assert 'id="all-projects"' in full and "sortable" in full
    rows = re.findall(r'<tr data-department="([^"]+)" data-stage="([^"]+)">', full)
    assert sorted(rows) == [("Engineering", "active"), ("Engineering", "active"),
                            ("Finance", "active")]
    assert 'data-v="-3000.0"' in full  # the raw VAC, for sorting


def test_header_shows_release_without_partial_and_as_of(html):
    header = html.split("</header>")[0]
    assert f"Release {RELEASE} " in header and ".partial" not in header
    assert "as of 2026-03-31" in header


@pytest.mark.parametrize("params, shown", [(None, "0.90"), ({"health_red_below": 0.8}, "0.80")])
def test_thresholds_come_from_the_release(tmp_path, params, shown):
    kpi = write_kpi(tmp_path / RELEASE / "kpi.duckdb", params)
    with KpiData(kpi) as data:
        assert data.params.health_red_below == float(shown)
    assert f"health red below CPI or SPI {shown}" in render_report(kpi)


def test_self_contained_offline_and_print_friendly(html):
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", html), "a URL in the report: it must need no network"
    assert not re.search(r"<link|<iframe|@import|src=", html, re.I)
    assert len(re.findall(r"<script", html)) == 1  # the one inline filter and sort script
    assert "@media print" in html


DRIVERS = [  # project, driver, share, flagged, rank
    ("A1", "skill_gap", 0.4, True, 1), ("A1", "over_allocation", 0.3, True, 2),
    ("B2", "estimation", 0.5, True, 1), ("B2", "scope_creep", 0.1, False, None),
]
EVIDENCE = [  # project, driver, task, employee, hours, detail
    ("A1", "skill_gap", "T1", "E1", 30.0, "a1-skill-t1"),
    ("A1", "skill_gap", "T2", "E2", 10.0, "a1-skill-t2"),
    ("A1", "over_allocation", "T3", "E1", 50.0, "a1-over-t3"),
    ("B2", "estimation", "T4", "E3", 70.0, "b2-est-t4"),
    ("B2", "estimation", "T5", "E3", 5.0, "b2-est-t5"),
    ("B2", "scope_creep", "T6", "E4", 99.0, "b2-scope-t6"),  # not flagged: no evidence
]


@pytest.fixture(scope="module")
def with_drivers(tmp_path_factory) -> Path:
    """The three projects with root-cause drivers and their evidence."""
    path = write_kpi(tmp_path_factory.mktemp("d") / RELEASE / "kpi.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("""CREATE TABLE rca_drivers (project_id VARCHAR, driver VARCHAR,
            share DOUBLE, baseline DOUBLE, lift DOUBLE, flagged BOOLEAN, rank INT)""")
        con.executemany("INSERT INTO rca_drivers VALUES (?, ?, ?, 0.1, ? / 0.1, ?, ?)",
                        [(p, d, s, s, f, r) for p, d, s, f, r in DRIVERS])
        con.execute("""CREATE TABLE rca_evidence (project_id VARCHAR, driver VARCHAR,
            task_id VARCHAR, task_name VARCHAR, employee_id VARCHAR, hours DOUBLE,
            detail VARCHAR)""")
        con.executemany("INSERT INTO rca_evidence VALUES (?, ?, ?, 'task', ?, ?, ?)", EVIDENCE)
    return path


def test_evidence_of_several_projects_in_one_query_is_each_projects_own(with_drivers):
    with KpiData(with_drivers) as kpi:
        both = kpi.evidence_details(["B2", "A1"], limit=2)
        assert both["project_id"].to_list() == ["B2", "B2", "A1", "A1"]  # given order, 2 each
        # per project: the primary driver's first, most hours first
        assert both["detail"].to_list() == ["b2-est-t4", "b2-est-t5", "a1-skill-t1",
                                            "a1-skill-t2"]
        for project in ("A1", "B2"):
            own = both.filter(both["project_id"] == project).drop("project_id")
            assert own.equals(kpi.evidence_detail(project, limit=2))


def test_drivers_section_shows_each_projects_chart_and_evidence(with_drivers):
    html = render_report(with_drivers)
    sections = dict(re.findall(r'<h3 id="(\w+)">.*?</h3>(.*?)</div>',
                               html.split('<section id="drivers">')[1], re.S))
    assert set(sections) == {"A1", "B2"}
    for project, own in sections.items():
        assert "<svg" in own and "share of hours per driver" in own  # its drivers chart
        shown = set(re.findall(r"\b([ab]\d-[a-z]+-t\d)\b", own))
        assert shown == {e[5] for e in EVIDENCE
                         if e[0] == project and e[1] != "scope_creep"}, project
