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

import math
from pathlib import Path
from datetime import date, timedelta

import duckdb
import pytest

from pipelines.contract import ENTITIES
from pipelines.ingest.landing import entity_files
from pipelines.ingest.raw_schema import ensure_raw_schema
from tests.kpi_data import build, load_handmade, rows, warehouse

REFERENCE = Path(__file__).parent / "fixtures" / "reference"
# the previous round's single-date models of the PV curve and earned schedule: no product model
# reads them any more, so they live here, as the independent reference the history is held to
REFERENCE_MODELS = ["int_project_pv_curve", "int_project_earned_schedule"]
SINGLE_DATE = (REFERENCE / "kpi_project_as_of.sql").read_text()


def single_date_rows(con, sql: str = SINGLE_DATE) -> list[dict]:
    """kpi_project as the reference computes it as of the date the models were last built."""
    for name in REFERENCE_MODELS:
        con.execute(f"CREATE OR REPLACE TABLE intermediate.{name} AS "
                    f"{(REFERENCE / f'{name}.sql').read_text()}")
    return rows(con, sql)


def same(history, single) -> bool:
    if history is None or single is None:
        return history is None and single is None
    if isinstance(single, float) or isinstance(history, float):
        # 1e-9 relative; 1e-6 absolute for differences of large, nearly equal amounts (etc =
        # eac - ac of a finished project is rounding noise around 0 in both builds)
        return math.isclose(history, single, rel_tol=1e-9, abs_tol=1e-6)
    return history == single


def history_by_day(con, last: str) -> dict[date, dict[str, dict]]:
    build(con, last)
    by_day: dict[date, dict[str, dict]] = {}
    for r in rows(con, "select * from intermediate.hist_kpi_project"):
        by_day.setdefault(r["as_of"], {})[r["project_id"]] = r
    return by_day


def differences(con, days: list[date], last: date) -> list[str]:
    history = history_by_day(con, last.isoformat())
    found = []
    for day in days:
        build(con, day.isoformat())
        single = {r["project_id"]: r for r in single_date_rows(con)}
        assert single, f"no project started by {day}: pick days that test something"
        day_rows = history.get(day, {})
        if set(day_rows) != set(single):
            found.append(f"{day}: projects {sorted(set(day_rows) ^ set(single))}")
            continue
        for project, expected in single.items():
            assert list(day_rows[project]) == list(expected)  # same columns, same order
            found += [f"{day} {project} {column}: history {day_rows[project][column]!r}, "
                      f"single {value!r}"
                      for column, value in expected.items()
                      if not same(day_rows[project][column], value)]
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


def load_landing(con: duckdb.DuckDBPyConnection, raw) -> None:
    """The landing folder's canonical files into raw tables, as the benchmark floor reads them."""
    ensure_raw_schema(con)
    for entity in ENTITIES.values():
        files = [str(p) for p in entity_files(raw, entity.name)]
        if files:
            types = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in entity.columns)
            con.execute(f"""INSERT INTO raw.{entity.name} BY NAME
                SELECT * EXCLUDE (filename), filename AS _file, 0 AS _row
                FROM read_csv({files}, header = true, columns = {{{types}}}, filename = true)""")


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
    span = (DEFAULT_END - first).days
    days = sorted({first + timedelta(days=n)
                   for n in (0, 1, 6, 45, span // 3, span // 2, 2 * span // 3, span - 1, span)})
    assert differences(demo, days, DEFAULT_END) == []
