"""kpi_project over a date range in one pass (intermediate.hist_kpi_project) equals a single-date
build of kpi_project on every day checked: the time-travel rule of docs/kpis.md, on the
hand-made data set (five weeks from the first start) and on the demo data (days across its range).

One history build as of the last day gives every day's rows; each day is then built alone
(build_all as of that day) and its kpi_project computed by the per-date SQL
(tests/fixtures/reference/kpi_project_as_of.sql over int_projects, int_project_earned_value, ...), which
shares no code with the history models, and compared column by column. (marts.kpi_project itself
is now the last day of the history, checked by hand in tests/test_kpi_project.py.)
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from devtools.time_travel import (SINGLE_DATE, differences as day_differences, history_rows,
                                  load_landing, sample_days, single_date_rows)
from tests.kpi_data import build, load_handmade, rows, warehouse


def history_by_day(con, last: str) -> dict[date, dict[str, dict]]:
    build(con, last)
    return history_rows(con)


def differences(con, days: list[date], last: date) -> list[str]:
    found, compared = day_differences(con, history_by_day(con, last.isoformat()), days,
                                      lambda c, day: build(c, day.isoformat()))
    assert compared, "no project-day compared"
    return found


def test_reference_is_the_single_date_kpi_project():
    con = warehouse()
    load_handmade(con)
    build(con, "2026-03-11")
    assert single_date_rows(con, SINGLE_DATE + " order by project_id") == rows(
        con, "select * from marts.kpi_project order by project_id")
    # same columns of the same types (a published table keeps its schema)
    assert con.execute(f"describe ({SINGLE_DATE})").fetchall() == con.execute(
        "describe marts.kpi_project").fetchall()


def test_handmade_every_day_equals_single_date_builds():
    con = warehouse()
    load_handmade(con)
    # from the first start (03-02) for five weeks, weekends and the holiday included
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(35)]
    assert differences(con, days, days[-1]) == []


def test_handmade_history_holds_the_hand_worked_values():
    # tests/test_kpi_project.py works P1 out by hand as of 03-11: PV 6300, EV 5850, AC 6580,
    # ES 6.5 on AT 7, forecast end 03-24; the history built as of 03-23 has the same on 03-11
    con = warehouse()
    load_handmade(con)
    p1 = history_by_day(con, "2026-03-23")[date(2026, 3, 11)]["P1"]
    assert (p1["pv"], p1["ev"], p1["ac"], p1["es"], p1["at"]) == (6300.0, 5850.0, 6580.0, 6.5, 7)
    assert p1["forecast_end_date"] == date(2026, 3, 24)
    # P4 starts 03-16: no row before
    history = history_by_day(con, "2026-03-23")
    assert "P4" not in history[date(2026, 3, 13)] and "P4" in history[date(2026, 3, 16)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from devtools.generate import generate

    raw = tmp_path_factory.mktemp("demo") / "raw"
    generate("demo", 1, raw)
    con = duckdb.connect()
    load_landing(con, raw)
    yield con
    con.close()


def test_demo_days_equal_single_date_builds(demo):
    from devtools.generate import DEFAULT_END

    first = demo.execute("select min(start_date) from raw.projects").fetchone()[0]
    days = sample_days(first, DEFAULT_END)
    assert differences(demo, days, DEFAULT_END) == []
