"""The nightly increment of the day models (pipelines/transform/increment.py) gives exactly the
tables of a full build: the demo data built as of 11-19 without 11-20's timesheets, then the
night's delivery (11-20's timesheets and progress, a re-estimated task, a late timesheet from
September, a late progress report, a changed hourly rate, a new expense) built incrementally
as of 11-20, against a fresh warehouse built in full from the same raw rows. Every table of every layer must hold the same rows, bit
for bit (EXCEPT ALL both ways)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from devtools.time_travel import load_landing
from pipelines.settings import KpiParams
from pipelines.transform import history, increment as increment_module
from pipelines.transform.models import build_all, build_models

NIGHT = date(2026, 11, 20)
BEFORE = date(2026, 11, 19)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    from devtools.generate import generate

    raw = tmp_path_factory.mktemp("increment") / "raw"
    generate("demo", 1, raw, timesheet_files="daily")
    return raw


def fake_files(con) -> None:
    """One manifest row per entity: the raw fingerprints the builder compares."""
    con.execute("""INSERT INTO state.files SELECT DISTINCT entity, entity, 'h1', 1, 1, 1, now(),
                   'loaded', NULL, NULL, NULL FROM (SELECT unnest(['projects', 'tasks',
                   'timesheets', 'employees', 'expenses', 'task_progress', 'holidays', 'leave',
                   'skills', 'trainings', 'tool_rollouts']) AS entity)""")


def night(con) -> dict[str, date]:
    """The night's delivery, applied to raw rows (and the manifest, so staging rebuilds);
    returns the first day each touched project can change on (worked out from the changes)."""
    con.execute("INSERT INTO raw.timesheets FROM night_timesheets")
    # a task of a running project re-estimated (the tool export rewrote the task file): the
    # project's weights change on every day
    (task, replanned), = con.execute("""
        SELECT min(task_id), min_by(project_id, task_id) FROM raw.tasks
        JOIN raw.projects USING (project_id)
        WHERE start_date < DATE '2026-06-01' AND actual_end_date IS NULL""").fetchall()
    con.execute("UPDATE raw.tasks SET planned_hours = planned_hours + 8 WHERE task_id = ?", [task])
    # an hour booked late, in September, on the task of the last entry that day
    (late,) = con.execute("""
        INSERT INTO raw.timesheets BY NAME SELECT 'LATE1' AS entry_id, employee_id, task_id,
        DATE '2026-09-14' AS work_date, 3.5 AS hours, 'late.csv' AS _file, 1 AS _row
        FROM raw.timesheets WHERE work_date = DATE '2026-09-14'
        ORDER BY entry_id DESC LIMIT 1 RETURNING task_id""").fetchone()
    # one person's rate changes: the days they booked on, in every project, count again
    (person,) = con.execute("""SELECT max(employee_id) FROM raw.timesheets
                               WHERE work_date = DATE '2026-03-02'""").fetchone()
    con.execute("UPDATE raw.employees SET hourly_cost = hourly_cost + 5 WHERE employee_id = ?",
                [person])
    (charged,) = con.execute("""
        INSERT INTO raw.expenses BY NAME SELECT 'EXLATE' AS expense_id, project_id,
        DATE '2026-10-01' AS expense_date, 99.5 AS amount, 'travel' AS category,
        'late.csv' AS _file, 1 AS _row FROM raw.projects ORDER BY project_id LIMIT 1
        RETURNING project_id""").fetchone()
    # progress reported on the new day by a task that reported before: its earned fraction
    # moves from the last one, reported before the days the night rebuilds
    con.execute("""
        INSERT INTO raw.task_progress BY NAME SELECT task_id, DATE '2026-11-20' AS status_date,
        max(percent_complete) + 1 AS percent_complete, 'night.csv' AS _file, 1 AS _row
        FROM raw.task_progress WHERE status_date < DATE '2026-11-01'
        GROUP BY task_id HAVING max(percent_complete) < 90 ORDER BY task_id LIMIT 1""")
    # a report that arrives late, between two earlier ones of its task
    (reported,) = con.execute("""
        INSERT INTO raw.task_progress BY NAME SELECT task_id, DATE '2026-10-05' AS status_date,
        min(percent_complete) AS percent_complete, 'late.csv' AS _file, 2 AS _row
        FROM raw.task_progress GROUP BY task_id
        HAVING min(status_date) < DATE '2026-10-05' AND max(status_date) > DATE '2026-10-05'
            AND count(*) FILTER (status_date = DATE '2026-10-05') = 0
            AND min(percent_complete) < max(percent_complete)
        ORDER BY task_id LIMIT 1 RETURNING task_id""").fetchone()
    con.execute("UPDATE state.files SET hash = 'h2' WHERE entity IN "
                "('timesheets', 'tasks', 'employees', 'expenses', 'task_progress')")
    firsts = con.execute("""SELECT tasks.project_id, min(work_date) FROM raw.timesheets
                            JOIN raw.tasks USING (task_id) WHERE employee_id = ?
                            GROUP BY ALL""", [person]).fetchall()
    (late_project,) = con.execute("SELECT project_id FROM raw.tasks WHERE task_id = ?",
                                  [late]).fetchone()
    (reported_project,) = con.execute("SELECT project_id FROM raw.tasks WHERE task_id = ?",
                                      [reported]).fetchone()
    touched: dict[str, date] = {}
    for project, day in [*firsts, (late_project, date(2026, 9, 14)),
                         (reported_project, date(2026, 10, 5)),
                         (charged, date(2026, 10, 1)), (replanned, date(1, 1, 1))]:
        touched[project] = min(day, touched.get(project, day))
    return touched


def warehouse(path, landing):
    con = duckdb.connect(str(path))
    load_landing(con, landing)
    fake_files(con)
    con.execute(f"""CREATE TABLE night_timesheets AS FROM raw.timesheets
                    WHERE work_date = DATE '{NIGHT}'""")
    con.execute(f"DELETE FROM raw.timesheets WHERE work_date = DATE '{NIGHT}'")
    return con


def model_tables(con) -> list[str]:
    return [f"{s}.{t}" for s, t in con.execute(
        """SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name =
           current_database() AND schema_name IN ('staging', 'intermediate', 'marts')
           ORDER BY ALL""").fetchall()]


def spy(monkeypatch) -> tuple[list[str], dict[str, date]]:
    """The day models spliced, and the tail (project -> first day rebuilt) they were given."""
    spliced, tail = [], {}
    splice = increment_module.Increment.splice

    def spying(self, model):
        spliced.append(model.table)
        tail.update(self.con.execute("FROM temp.main.history_tail").fetchall())
        return splice(self, model)

    monkeypatch.setattr(increment_module.Increment, "splice", spying)
    return spliced, tail


def test_nightly_increment_equals_a_full_build(landing, tmp_path, monkeypatch):
    spliced, tail = spy(monkeypatch)

    copies = []
    store_tail = history._store_tail
    monkeypatch.setattr(history, "_store_tail",
                        lambda con, last: copies.append(last) or store_tail(con, last))

    nightly = warehouse(tmp_path / "nightly.duckdb", landing)
    list(build_models(nightly, KpiParams().at(BEFORE).as_variables(), only_changed=True))
    history.record_history(nightly, None, BEFORE, KpiParams())
    assert spliced == [] and copies == []  # the first build: in full, its digests kept
    touched = night(nightly)
    list(build_models(nightly, KpiParams().at(NIGHT).as_variables(), only_changed=True))
    history.record_history(nightly, None, NIGHT, KpiParams())
    assert sorted(spliced) == sorted(increment_module.TAILED) and copies == [NIGHT]
    # the tail: every project from the new day on, those the night touched from that day on
    projects = [p for (p,) in nightly.execute("SELECT project_id FROM raw.projects").fetchall()]
    assert tail == {p: min(touched.get(p, NIGHT), NIGHT) for p in projects}
    assert len([d for d in tail.values() if d < NIGHT]) >= 4

    full = warehouse(tmp_path / "full.duckdb", landing)
    night(full)
    build_all(full, KpiParams().at(NIGHT).as_variables())
    history.record_history(full, None, NIGHT, KpiParams())
    full.close()

    nightly.execute(f"ATTACH '{tmp_path / 'full.duckdb'}' AS full_build (READ_ONLY)")
    tables = model_tables(nightly)
    assert {"intermediate.hist_kpi_project", "marts.kpi_project_history"} <= set(tables)
    differing = {}
    for table in tables:
        counts = nightly.execute(f"""SELECT
            (SELECT count(*) FROM (FROM {table} EXCEPT ALL FROM full_build.{table})),
            (SELECT count(*) FROM (FROM full_build.{table} EXCEPT ALL FROM {table})),
            (SELECT count(*) FROM {table})""").fetchone()
        if counts[:2] != (0, 0):
            differing[table] = counts
    assert differing == {}


def test_a_changed_holiday_rebuilds_the_day_models_in_full(landing, tmp_path, monkeypatch):
    spliced, _ = spy(monkeypatch)
    con = warehouse(tmp_path / "w.duckdb", landing)
    list(build_models(con, KpiParams().at(BEFORE).as_variables(), only_changed=True))
    con.execute("""INSERT INTO raw.holidays BY NAME SELECT DATE '2026-11-20' AS holiday_date,
                   'Added' AS name, 'late.csv' AS _file, 1 AS _row""")
    con.execute("UPDATE state.files SET hash = 'h2' WHERE entity = 'holidays'")
    rebuilt = {b.table for b in build_models(con, KpiParams().at(NIGHT).as_variables(),
                                             only_changed=True) if b.rows is not None}
    assert spliced == [] and set(increment_module.DAY_MODELS) <= rebuilt
