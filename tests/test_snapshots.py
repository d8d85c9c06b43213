"""Successive exports of one schedule are status snapshots (docs/inputs.md, tool exports).

As of D, tasks, progress and actuals come from the latest export whose status date is on or
before D; the plan (planned dates, hours and cost, the budget: PV and BAC) from the earliest,
the baseline. Every expected number is worked out by hand from the fixtures' READMEs
(tests/fixtures/mspdi/README.md, tests/fixtures/xer/README.md), not taken from the code.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.contract import ENTITIES
from pipelines.ingest.raw_schema import current_rows_sql, ensure_raw_schema
from pipelines.settings import KpiParams
from pipelines.transform.models import build_all
from tests.test_exports_pipeline import land, project_row, run_engine

KIOSK = "3B7E9D10-5C2A-4F61-8E0B-71A4C2D9E5F3"  # the GUID of the MS Project file: the project id
KIOSK_FILES = ("mspdi/kiosk_2024-04-05_baseline.xml", "mspdi/kiosk_2024-04-12.xml",
               "mspdi/kiosk_2024-04-19.xml")


def as_of(con, day: str) -> None:
    build_all(con, KpiParams(as_of=date.fromisoformat(day)).as_variables())


def kpis(con, project_id: str) -> tuple:
    row = project_row(con, project_id)
    return (row["tasks_total"], row["actual_hours"], row["ac"], row["bac"], row["pv"], row["ev"])


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    root = land(tmp_path_factory.mktemp("kiosk"), *KIOSK_FILES)
    con, failures = run_engine(root, "2024-04-19")
    assert failures == []
    return con


# (as of, tasks in scope, actual hours, AC, BAC, PV, EV). Weights are the planned costs
# (every task has one): counter 2000 and paint 800 from the baseline, signage 400 from the
# first update (the earliest snapshot holding it); W = 2800, then 3200 once signage exists.
@pytest.mark.parametrize("day, expected", [
    # Mon 04-08, after the baseline: counter 1 of its 5 planned days -> PV 2800*400/2800
    ("2024-04-08", (2, 0, 0, 2800, 400, 0)),
    # Wed 04-10: update 1 (dated 04-12) already books 8 h on 04-08..04-10, but it is not
    # known on 04-10: no hours, no cost; counter 3/5 planned -> PV 1200
    ("2024-04-10", (2, 0, 0, 2800, 1200, 0)),
    # Fri 04-12, update 1: 3 x 8 h at 50/h; signage created 04-11 joins; counter 50 % done.
    # BAC stays the baseline's 2800 though update 1 re-baselined to 3600;
    # PV = 2800 * 2000/3200 = 1750, EV = 2800 * 1000/3200 = 875
    ("2024-04-12", (3, 24, 1200, 2800, 1750, 875)),
    # Tue 04-16: update 2 (04-19) not known yet; paint's baseline window 04-15..16 is due:
    # PV = 2800 * 2800/3200 = 2450
    ("2024-04-16", (3, 24, 1200, 2800, 2450, 875)),
    # Fri 04-19, update 2: counter 48 h (04-08..04-10 repeated from update 1: counted once)
    # + paint 8 h = 56 h, AC 2800; PV = 2800 * 3200/3200, EV = 2800 * (2000 + 400)/3200
    ("2024-04-19", (3, 56, 2800, 2800, 2800, 2100)),
])
def test_ms_project_baseline_and_two_updates(kiosk, day, expected):
    as_of(kiosk, day)
    assert kpis(kiosk, KIOSK) == pytest.approx(expected)


def test_the_plan_is_the_baseline_and_repeated_actuals_count_once(kiosk):
    as_of(kiosk, "2024-04-19")
    plan = kiosk.execute("""SELECT task_name, planned_start, planned_end, planned_hours,
                                   planned_cost, status FROM staging.stg_tasks ORDER BY 1"""
                         ).fetchall()
    # update 2 re-baselined the counter to 48 h / 2400 ending 04-15 and moved paint: the
    # baseline's plan stands; the status is update 2's
    assert plan == [
        ("Build counter", date(2024, 4, 8), date(2024, 4, 12), 40, 2000, "done"),
        ("Paint", date(2024, 4, 15), date(2024, 4, 16), 16, 800, "in_progress"),
        ("Signage", date(2024, 4, 17), date(2024, 4, 17), 8, 400, "todo")]
    # 3 + 6 + 1 timephased days in the files, 7 distinct (assignment, day) keys
    assert kiosk.execute("SELECT count(*) FROM raw.timesheets").fetchone()[0] == 10
    assert kiosk.execute("SELECT count(*), sum(hours) FROM staging.stg_timesheets"
                         ).fetchone() == (7, 56)
    # progress is dated by each snapshot's status date: the history of % complete
    assert kiosk.execute("""SELECT status_date, sum(percent_complete) FROM
                            staging.stg_task_progress GROUP BY 1 ORDER BY 1""").fetchall() == [
        (date(2024, 4, 5), 0), (date(2024, 4, 12), 50), (date(2024, 4, 19), 150)]
    # provenance stays in the raw layer: each snapshot's rows carry its status date
    assert kiosk.execute("SELECT DISTINCT _file, _as_of FROM raw.projects ORDER BY 1").fetchall() \
        == [("kiosk_2024-04-05_baseline.xml#projects", date(2024, 4, 5)),
            ("kiosk_2024-04-12.xml#projects", date(2024, 4, 12)),
            ("kiosk_2024-04-19.xml#projects", date(2024, 4, 19))]


@pytest.mark.parametrize("day, expected", [
    # data date of the first snapshot: JMU 16 h on A1010 + 2 h on A1030 over Mon-Tue = 18 h
    # at 60/h = 1080; A1010, A1020, A1030 (milestones are no tasks); BAC 10280
    ("2024-03-06", (3, 18, 1080, 10280)),
    # Sunday between the snapshots: still the first one
    ("2024-03-10", (3, 18, 1080, 10280)),
    # the second: 49 h + 13 h, AC 5845 (README); A1025 joins; BAC still the baseline's
    ("2024-03-13", (4, 62, 5845, 10280)),
])
def test_p6_snapshots_as_of_each_data_date_and_between(tmp_path, day, expected):
    root = land(tmp_path, "xer/cafe_2024-03-06.xer", "xer/cafe_2024-03-13_cp1252.xer")
    con, failures = run_engine(root, day)
    assert failures == []
    assert kpis(con, "CAFE-01")[:4] == pytest.approx(expected)
    # A1030's days of the first snapshot are restated by the second: one row per day
    hours = dict(con.execute("""SELECT task_id, sum(hours) FROM staging.stg_timesheets
                                GROUP BY 1""").fetchall())
    assert hours["CAFE-01/A1030"] == pytest.approx(2 if day < "2024-03-13" else 9)


def test_undated_rows_keep_the_delivery_semantics_and_the_variable_may_be_unset():
    """Canonical files have no status date: the file sorting last wins as before; a dated row
    loses to an undated one (a correction delivered in our own layout); with `as_of` unset
    (the checks outside a model build) no snapshot is left out."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    rows = [  # (budget, file, status date)
        (100, "a.xml#projects", "2024-01-05"), (200, "b.xml#projects", "2024-02-05"),
        (300, "c.xml#projects", "2024-03-05")]
    for budget, file, day in rows:
        con.execute("""INSERT INTO raw.projects (project_id, status, budget, _file, _row, _as_of)
                       VALUES ('P', ?, ?, ?, 1, ?)""", [file[0], budget, file, day])
    current = current_rows_sql(ENTITIES["projects"])
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("c", 100)]
    con.execute("SET VARIABLE as_of = DATE '2024-02-20'")
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("b", 100)]
    con.execute("SET VARIABLE as_of = DATE '2024-01-01'")  # before every snapshot: none
    assert con.execute(f"SELECT count(*) FROM ({current})").fetchone()[0] == 0
    con.execute("""INSERT INTO raw.projects (project_id, status, budget, _file, _row)
                   VALUES ('P', 'fix', 250, 'projects.csv', 1)""")
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("fix", 250)]


def test_a_warehouse_from_before_snapshots_gets_the_column():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("""CREATE TABLE raw.holidays (holiday_date DATE, name VARCHAR,
                   _file VARCHAR NOT NULL, _row BIGINT NOT NULL, _ref VARCHAR, _extra JSON)""")
    con.execute("INSERT INTO raw.holidays VALUES ('2024-12-25', 'Christmas', 'holidays.csv', 1, "
                "NULL, NULL)")
    ensure_raw_schema(con)
    assert con.execute("SELECT holiday_date, _as_of FROM raw.holidays_current").fetchall() == [
        (date(2024, 12, 25), None)]


def test_pmo_run_on_a_snapshot_series_between_two_status_dates(project, capfd):
    """`pmo run` as of a day between update 1 and update 2: update 2 is left out."""
    from pipelines.cli import main

    for name in KIOSK_FILES:
        land(project / "data", name)
    assert main(["run", "--as-of", "2024-04-16"]) == 0, capfd.readouterr()
    with duckdb.connect(str(project / "data" / "exports" / "kpi.duckdb"), read_only=True) as con:
        assert con.execute("SELECT tasks_total, actual_hours, ac, bac FROM kpi_project "
                           "WHERE project_id = ?", [KIOSK]).fetchone() == (3, 24, 1200, 2800)
