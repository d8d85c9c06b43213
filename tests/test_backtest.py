"""pipelines/backtest.py: scoring by hand on the kpi_forecast data set, then on generated data.

By hand (tests/test_kpi_forecast.py's data, every finished task 1.5 times its plan), forecast as
of D0 = Wed 2026-03-11, scored against data up to 2026-04-30:
  A: forecast finish Wed 04-01 at P50 = P80 = P95 (worked out there), EAC 16,500; it finished
     Tue 03-24 (a hit at every quantile) and cost 4,500 + 100 h logged after D0 at 100/h =
     14,500 (<= 16,500: a hit)
  B: nothing left to do, forecast 03-12 at EAC = AC = 0; it finished 04-10 (a miss) and a 200
     expense came in after D0 (200 > 0: a miss)
So 2 active, 2 finished, 1 of 2 (50 %) within every quantile, of finish and of cost. Both
quantile dates (04-01, 03-12) fall by 04-30, so both projects are also "due" at every quantile,
1 of 2 finished by it.
"""

from datetime import date

import duckdb
import pytest

from pipelines.backtest import backtest, format_table, load_raw
from tests.kpi_data import insert, project, timesheet, warehouse
from tests.test_kpi_forecast import load as load_forecast_data

D0, DATA_END = date(2026, 3, 11), date(2026, 4, 30)


def test_backtest_scores_the_forecasts_by_hand():
    con = warehouse()
    load_forecast_data(con)
    # what happened after D0: a later file re-delivers A and B with their end dates
    insert(con, "projects", [
        project("A", department="Build", start_date="2026-03-02", planned_end_date="2026-03-20",
                budget=11200.0, actual_end_date="2026-03-24", status="completed"),
        project("B", department="Build", start_date="2026-03-02", planned_end_date="2026-03-31",
                budget=1000.0, actual_end_date="2026-04-10", status="completed"),
    ], file="projects_later.csv")
    insert(con, "timesheets", [timesheet(f"L{i}", "E1", "A3", f"2026-03-{16 + i}", 20.0) for i in range(5)],
           file="timesheets_later.csv")
    insert(con, "expenses", [{"expense_id": "X2", "project_id": "B", "expense_date": "2026-04-01",
                              "amount": 200.0}], file="expenses_later.csv")
    result = backtest(con, D0, DATA_END)
    expected = {"projects_active": 2, "projects_finished": 2, "projects_scored": 2,
                "projects_still_open": 0}
    for level in ("p50", "p80", "p95"):
        expected |= {f"finish_{level}_hits": 1, f"finish_{level}_share": 0.5,
                     f"finish_{level}_open_missed": 0, f"eac_{level}_hits": 1, f"eac_{level}_share": 0.5,
                     f"finish_{level}_due": 2, f"finish_{level}_due_hits": 1,
                     f"finish_{level}_due_share": 0.5}
    assert {k: result[k] for k in expected} == expected
    by_project = {p["project_id"]: p for p in result["projects"]}
    assert by_project["A"]["final_cost"] == 14500.0 and by_project["B"]["final_cost"] == 200.0
    table = format_table(result)
    assert "as of 2026-03-11" in table and "P80" in table and "50%" in table


@pytest.fixture(scope="module")
def generated_backtest(tmp_path_factory):
    from devtools.generate import DEFAULT_END, generate

    raw = tmp_path_factory.mktemp("backtest") / "raw"
    generate("demo", 2, raw)
    with duckdb.connect() as con:
        load_raw(con, raw)
        return backtest(con, date(DEFAULT_END.year - 1, DEFAULT_END.month, DEFAULT_END.day), DEFAULT_END)


def test_backtest_on_generated_data(generated_backtest):
    result = generated_backtest
    assert result["projects_finished"] >= 5
    assert result["projects_scored"] == result["projects_finished"]  # every one had a forecast
    shares = [result[f"finish_{level}_share"] for level in ("p50", "p80", "p95")]
    assert shares == sorted(shares)  # a later quantile holds at least as often
    for p in result["projects"]:
        assert p["finish_p50"] <= p["finish_p80"] <= p["finish_p95"]
        assert p["eac_p50"] <= p["eac_p80"] <= p["eac_p95"]
    assert 0.4 <= result["finish_p50_share"] <= 0.6


def test_backtest_p80_is_calibrated(generated_backtest):
    """The issue's bar, on the test's own seed (2; the method was checked on other seeds, see
    README): P80 holds for 70-90 % of the projects finished since D0. Measured: 8 of 10."""
    assert 0.7 <= generated_backtest["finish_p80_share"] <= 0.9
