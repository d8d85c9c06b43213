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


def put(con, entity: str, file: str, day: str | None, source: str | None = "xer:P",
        **values) -> None:
    """One raw row of `file` (the next _row), and the file's snapshot when it is dated, as
    ingest leaves them (load.py: rows, then raw._snapshots)."""
    row = con.execute(f"SELECT count(*) + 1 FROM raw.{entity} WHERE _file = ?", [file]
                      ).fetchone()[0]
    names = [*values, "_file", "_row", "_as_of", "_source"]
    con.execute(f"INSERT INTO raw.{entity} ({', '.join(names)}) VALUES "
                f"({', '.join('?' * len(names))})",
                [*values.values(), file, row, day, source if day else None])
    if day:
        export = file.split("#")[0]
        con.execute("DELETE FROM raw._snapshots WHERE _file = ? AND _source = ?",
                    [export, source])
        con.execute("INSERT INTO raw._snapshots VALUES (?, ?, ?)", [export, source, day])


def test_undated_rows_keep_the_delivery_semantics_and_the_variable_may_be_unset():
    """Canonical files have no status date: the file sorting last wins as before; a dated row
    loses to an undated one (a correction delivered in our own layout); with `as_of` unset
    (the checks outside a model build) no snapshot is left out."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    for budget, file, day in [(100, "a.xml#projects", "2024-01-05"),
                              (200, "b.xml#projects", "2024-02-05"),
                              (300, "c.xml#projects", "2024-03-05")]:
        put(con, "projects", file, day, project_id="P", status=file[0], budget=budget)
    current = current_rows_sql(ENTITIES["projects"])
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("c", 100)]
    con.execute("SET VARIABLE as_of = DATE '2024-02-20'")
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("b", 100)]
    con.execute("SET VARIABLE as_of = DATE '2024-01-01'")  # before every snapshot: none
    assert con.execute(f"SELECT count(*) FROM ({current})").fetchone()[0] == 0
    put(con, "projects", "projects.csv", None, project_id="P", status="fix", budget=250)
    assert con.execute(f"SELECT status, budget FROM ({current})").fetchall() == [("fix", 250)]


def test_only_the_latest_snapshot_of_a_schedule_counts():
    """Schedule P: baseline a.xml (01-05) with tasks T1, T2, T1's progress and a worklog;
    update b.xml (02-05) with T1 alone (T2 deleted in the tool), T1's progress, no worklog.
    Schedule Q (another project id): c.xml (01-10) with U1. What a later snapshot of P no
    longer holds is gone, Q is not touched, and progress reported by a at its own status date
    stays as T1's history."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    plan = {"planned_start": "2024-01-08", "planned_hours": 10}
    put(con, "tasks", "a.xml#tasks", "2024-01-05", task_id="T1", status="todo", **plan)
    put(con, "tasks", "a.xml#tasks", "2024-01-05", task_id="T2", status="todo", **plan)
    put(con, "tasks", "b.xml#tasks", "2024-02-05", task_id="T1", status="in_progress",
        planned_start="2024-01-15", planned_hours=12)
    put(con, "tasks", "c.xml#tasks", "2024-01-10", source="xer:Q", task_id="U1", status="todo")
    put(con, "timesheets", "a.xml#timesheets", "2024-01-05", entry_id="T1/E1/2024-01-04",
        employee_id="E1", task_id="T1", work_date="2024-01-04", hours=8)
    for file, day, task, percent in [("a.xml", "2024-01-05", "T1", 10),
                                     ("a.xml", "2024-01-05", "T2", 20),
                                     ("b.xml", "2024-02-05", "T1", 50)]:
        put(con, "task_progress", f"{file}#task_progress", day, task_id=task,
            status_date=day, percent_complete=percent)

    def rows(entity: str, columns: str) -> list[tuple]:
        return con.execute(f"SELECT {columns} FROM ({current_rows_sql(ENTITIES[entity])}) "
                           "ORDER BY ALL").fetchall()

    con.execute("SET VARIABLE as_of = DATE '2024-01-20'")  # a and c in effect
    assert rows("tasks", "task_id, status") == [("T1", "todo"), ("T2", "todo"), ("U1", "todo")]
    assert rows("timesheets", "entry_id, hours") == [("T1/E1/2024-01-04", 8)]
    assert rows("task_progress", "task_id, status_date, percent_complete") == [
        ("T1", date(2024, 1, 5), 10), ("T2", date(2024, 1, 5), 20)]
    con.execute("SET VARIABLE as_of = DATE '2024-02-05'")  # b replaces a; c stays
    # T2 is gone; T1 is b's with a's plan (start 01-08, 10 h, not b's 01-15, 12 h)
    assert rows("tasks", "task_id, status, planned_start, planned_hours") == [
        ("T1", "in_progress", date(2024, 1, 8), 10), ("U1", "todo", None, None)]
    # b holds no timesheet row: a's worklog, which b no longer states, is gone too
    assert rows("timesheets", "entry_id") == []
    # T1: 10 % at 01-05 (a's, T1 is still in b) and 50 % at 02-05; T2's report left with T2
    assert rows("task_progress", "task_id, status_date, percent_complete") == [
        ("T1", date(2024, 1, 5), 10), ("T1", date(2024, 2, 5), 50)]


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


def test_a_warehouse_from_before_snapshots_reads_the_exports_again(tmp_path):
    """Exports ingested by a version without `_as_of` and `_source`: the columns are added,
    the exports' units forgotten in the manifest, and the next ingest dates their rows, so
    the numbers as of 04-12 are update 1's (the case above), not those of undated rows that
    would all count as corrections."""
    root = land(tmp_path, *KIOSK_FILES)
    con, failures = run_engine(root, "2024-04-19")
    assert failures == []
    for entity in ENTITIES:  # as the older version left the warehouse
        con.execute(f"DROP VIEW raw.{entity}_current")
        con.execute(f"ALTER TABLE raw.{entity} DROP COLUMN _source")
        con.execute(f"ALTER TABLE raw.{entity} DROP COLUMN _as_of")
    con.execute("DROP TABLE raw._snapshots")
    ensure_raw_schema(con)
    assert con.execute("SELECT count(*) FROM state.files WHERE file LIKE '%#%'"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(DISTINCT _as_of) FROM raw.projects").fetchone()[0] == 0
    con, failures = run_engine(root, "2024-04-12", con)
    assert failures == []
    assert con.execute("SELECT _as_of, count(*) FROM raw.projects GROUP BY 1 ORDER BY 1"
                       ).fetchall() == [(date(2024, 4, 5), 1), (date(2024, 4, 12), 1),
                                        (date(2024, 4, 19), 1)]
    assert kpis(con, KIOSK) == pytest.approx((3, 24, 1200, 2800, 1750, 875))


JIRA_HEADER = ("Issue key,Summary,Issue Type,Status,Project key,Project name,Assignee,Created,"
               "Updated,Original Estimate,Log Work,Log Work\n")


def test_a_worklog_deleted_in_jira_is_not_counted_from_the_older_export(tmp_path):
    """Jira numbers worklogs per issue (K-1/1, K-1/2): the first export has Ann's 2 h on 04-01
    and Bob's 3 h on 04-02 (status date 04-02, the latest date in it); Ann's worklog is deleted
    before the second (updated 04-05), where Bob's becomes K-1/1. As of 04-05 that is 3 h, not
    Bob's 3 h twice (K-1/1 of the second and K-1/2 of the first) nor 8 h."""
    root = tmp_path / "raw"
    root.mkdir()
    (root / "jira_first.csv").write_text(
        JIRA_HEADER + "K-1,Build,Task,In Progress,K,Kiosk,ann,01/Apr/24 9:00 AM,"
        "02/Apr/24 5:00 PM,36000,\";01/Apr/24 9:00 AM;ann;7200\",\";02/Apr/24 9:00 AM;bob;10800\"\n")
    (root / "jira_second.csv").write_text(
        JIRA_HEADER + "K-1,Build,Task,In Progress,K,Kiosk,ann,01/Apr/24 9:00 AM,"
        "05/Apr/24 5:00 PM,36000,\";02/Apr/24 9:00 AM;bob;10800\",\n")
    con, _ = run_engine(root, "2024-04-05")
    assert con.execute("""SELECT entry_id, employee_id, work_date, hours
                          FROM staging.stg_timesheets""").fetchall() == [
        ("K-1/1", "bob", date(2024, 4, 2), 3)]
    as_of(con, "2024-04-03")  # only the first export is known: 2 h + 3 h
    assert con.execute("SELECT sum(hours) FROM staging.stg_timesheets").fetchone()[0] == 5


def test_the_release_reads_freshness_as_of_its_date_and_names_later_exports(kiosk):
    """As of 04-16 update 2 (04-19) is not known: the timesheets end on update 1's last day,
    04-10, six days before, though update 2 holds days up to 04-15. The variable may still
    hold a later date from another build: freshness sets it."""
    from pipelines.publish.freshness import freshness, later_exports

    kiosk.execute("SET VARIABLE as_of = DATE '2024-04-19'")
    fresh = freshness(kiosk, date(2024, 4, 16))
    assert fresh["timesheets"] == {"latest": "2024-04-10",
                                   "file": "kiosk_2024-04-12.xml#timesheets",
                                   "days_before_as_of": 6}
    assert fresh["task_progress"]["latest"] == "2024-04-12"
    assert later_exports(kiosk, date(2024, 4, 16)) == [
        "kiosk_2024-04-19.xml: status date 2024-04-19 is after the as-of date 2024-04-16: the "
        "export is left out of this release (run as of that date or later to include it)"]
    assert later_exports(kiosk, date(2024, 4, 19)) == []


def test_only_a_move_of_d_past_a_status_date_re_evaluates_and_rebuilds(kiosk):
    """Cross-file rules and staging depend on D only through the snapshots in effect: 04-12
    and 04-16 both see update 1 (the same), 04-19 update 2. Entities without dated rows
    (holidays here) never depend on D, and no staging model reads the as-of date itself."""
    from pipelines.checks.set_rules import evaluate_set_rules
    from pipelines.ingest.raw_schema import snapshots_in_effect
    from pipelines.transform.models import discover, raw_fingerprint

    def at(day: str) -> tuple:
        kiosk.execute(f"SET VARIABLE as_of = DATE '{day}'")
        return (evaluate_set_rules(kiosk, ENTITIES["tasks"]),
                raw_fingerprint(kiosk, "tasks"), raw_fingerprint(kiosk, "holidays"))

    at("2024-04-12")
    assert snapshots_in_effect(kiosk, ["tasks"]) == f"mspdi:{KIOSK}@2024-04-12"
    checked, tasks, holidays = at("2024-04-16")
    assert not checked  # the same snapshot: the findings stand
    later_checked, later_tasks, later_holidays = at("2024-04-19")
    assert later_checked and later_tasks != tasks and later_holidays == holidays
    assert snapshots_in_effect(kiosk, ["tasks"]) == f"mspdi:{KIOSK}@2024-04-19"
    assert [t for t, m in discover().items()
            if t.startswith("staging.") and "as_of" in m.params] == []


@pytest.mark.parametrize("first_date, expected", [
    # CAFE-01 dated 03-06, CAFE-02 03-20; the resources as of the latest, 03-20, for the pair
    ("2024-03-06 00:00", [("xer:CAFE-01", "2024-03-06"), ("xer:CAFE-01+CAFE-02", "2024-03-20"),
                          ("xer:CAFE-02", "2024-03-20")]),
    # CAFE-01 without a data date: its rows are undated, no snapshot of it; CAFE-02's stands
    ("", [("xer:CAFE-01+CAFE-02", "2024-03-20"), ("xer:CAFE-02", "2024-03-20")]),
])
def test_a_file_of_two_projects_is_a_snapshot_of_each(tmp_path, first_date, expected):
    from pipelines.ingest import exports
    from tests.readers.test_xer import two_projects

    two_projects(tmp_path, first_date)
    path = tmp_path / "two.xer"
    foreign = exports.Foreign(path, "two.xer", "xer")
    assert exports.snapshots(foreign, "digest-" + first_date) == expected
    tasks = exports.read_unit(foreign, "tasks", "digest-" + first_date)
    # an undated row has no schedule either: the ordinary delivery semantics apply to it
    assert set(tasks.select("_source", "_as_of").unique().iter_rows()) == (
        {("xer:CAFE-01", "2024-03-06")} if first_date else {(None, None)})


def test_a_project_known_only_from_a_later_export_has_not_started_as_of_d():
    """Project P starts 01-10 according to an export dated 02-05. As of 01-20 that export is
    not known: no project has started as far as 01-20 knows, and the run is refused, whatever
    date the variable held before."""
    from pipelines.defs.assets.models import refuse_before_first_start
    from pipelines.defs.jobs import Refused

    con = duckdb.connect()
    ensure_raw_schema(con)
    put(con, "projects", "a.xml#projects", "2024-02-05", project_id="P",
        start_date="2024-01-10")
    con.execute("SET VARIABLE as_of = DATE '2024-02-05'")
    with pytest.raises(Refused, match="no project has a start"):
        refuse_before_first_start(con, date(2024, 1, 20))
    refuse_before_first_start(con, date(2024, 2, 5))  # known then: started 01-10
