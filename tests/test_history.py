"""KPI history: a backfill equals single-date runs; re-running a day replaces it."""

import duckdb

from pipelines.cli import main
from tests.landing import write_landing

DAYS = [f"2026-01-{d:02d}" for d in range(8, 18)]  # ten days across a weekend


def history(day=None):
    with duckdb.connect("data/warehouse.duckdb", read_only=True) as con:
        where = f"WHERE as_of = DATE '{day}'" if day else ""
        return con.execute(f"FROM marts.kpi_project_history {where} ORDER BY ALL").fetchall()


def kpi_project():
    with duckdb.connect("data/warehouse.duckdb", read_only=True) as con:
        return con.execute("FROM marts.kpi_project ORDER BY ALL").fetchall()


def test_ten_day_backfill_equals_ten_single_date_runs(project):
    write_landing(project / "data" / "raw")
    single = {}
    for day in DAYS:
        assert main(["run", "--as-of", day]) == 0
        single[day] = kpi_project()
        assert history(day) == single[day]  # the run adds its day to the history
    assert main(["backfill", "--from", DAYS[0], "--to", DAYS[-1]]) == 0
    assert {day: history(day) for day in DAYS} == single
    assert len({rows[0][5] for rows in single.values()}) > 1  # the days really differ (pv)


def test_a_run_writes_every_day_from_the_first_start_and_rerunning_replaces(project):
    write_landing(project / "data" / "raw")
    assert main(["backfill", "--from", "2026-01-12", "--to", "2026-01-13"]) != 0  # no run yet
    assert main(["run", "--as-of", "2026-01-13"]) == 0
    after_run = history()
    # P1 starts Mon 2026-01-05 (tests/landing.py): one row a day from then through 01-13
    assert [(r[0], r[5].isoformat()) for r in after_run] == [
        ("P1", f"2026-01-{d:02d}") for d in range(5, 14)]
    assert history("2026-01-13") == kpi_project()
    assert main(["run", "--as-of", "2026-01-13"]) == 0  # nothing new: history copied from before
    assert history() == after_run
    assert main(["backfill", "--from", "2026-01-12", "--to", "2026-01-13"]) == 0
    assert main(["backfill", "--from", "2026-01-13", "--to", "2026-01-13"]) == 0
    assert history() == after_run  # replaced, not added
