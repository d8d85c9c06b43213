"""Every column that docs/outputs.md promises for the four KPI tables exists, on an empty warehouse
and on the hand-made data set (copied from docs/outputs.md, "columns that must exist")."""

import pytest

from tests.kpi_data import build, handmade_results, warehouse

PROMISED = {
    "kpi_project": """project_id, project_name, department, pmo_type, status, as_of, bac, pv, ev, ac,
        cv, sv, cpi, spi, csi, eac, etc, vac, eac_atypical, eac_composite, tcpi, es, at, spi_t,
        sv_t, forecast_end_date, planned_hours, planned_hours_to_date, earned_hours, actual_hours,
        hours_efficiency, planned_hours_done, actual_hours_done, estimate_ratio, tasks_total,
        tasks_done, pct_tasks_done, tasks_overdue, tasks_done_on_time, bei, planned_end_date,
        actual_end_date, on_time, delay_days, roi, expected_roi, health""",
    "kpi_portfolio": """department, as_of, projects_active, projects_red, projects_amber,
        projects_green, portfolio_cpi, portfolio_spi, pct_tasks_done, projects_finished_12m,
        projects_on_time_12m, pct_on_time_12m, roi_12m, utilization_28d""",
    "kpi_delivery": """department, quarter, projects_finished, projects_on_time, pct_on_time,
        avg_delay_days""",
    "kpi_utilization": """employee_id, department, week_start, available_hours, project_hours,
        total_hours, utilization, over_allocated""",
}


def promised(table):
    return [c.strip() for c in PROMISED[table].split(",")]


def test_promised_columns_exist_on_an_empty_warehouse():
    con = warehouse()
    build(con, "2026-03-11")
    for table in PROMISED:
        columns = [d[0] for d in con.execute(f"select * from marts.{table} limit 0").description]
        assert [c for c in promised(table) if c not in columns] == [], table


@pytest.mark.parametrize("table", sorted(PROMISED))
def test_promised_columns_exist_with_data(table):
    for results in handmade_results().values():
        assert results[table], f"{table} is empty"
        assert [c for c in promised(table) if c not in results[table][0]] == []


def test_no_personal_data_in_the_kpi_tables():
    for results in handmade_results().values():
        for table, table_rows in results.items():
            assert not {"full_name", "email", "hourly_cost"} & set(table_rows[0]), table
