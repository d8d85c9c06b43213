"""The history's models brought up to date from the days their inputs touched.

The history models hold one row per project and as-of day (the day spine and the day models
built on it) or per project and day of a change (the change models: what a day adds to a
running sum). By the time-travel rule a project's row for day d depends on the project's plan
(its project row, its tasks), on its facts dated up to d (timesheets with the booker's hourly
cost, progress reports, expenses), on the calendar and on the KPI parameters; nothing else. So
when a run moves the as-of date from D0 to D and some of those inputs change, a project's rows
can only change from its *tail start* on:

    the project's first day, when its plan changed (or the project is new, or gone);
    else the earliest day of a fact of the project that changed;
    else D0 + 1 (the new days only).

A build stores a digest of every input by project and day (`state.history_digests`); the next
build compares, and builds each tailed model (`TAILED`) for the tail alone: the same SQL in a
scratch catalog where `intermediate.hist_tail` holds the tail (a full build's has every project
from the first day there is), the spine and the day models hold the tail rows only and the
change models the tail projects' rows; then the tail rows of the warehouse's table are replaced
by the scratch build's. The models read hist_tail to compute nothing before a project's tail
start: the spine generates only the tail days, a change model reads only the facts of the tail
days (and of the day before it, where a change is a difference to the day before), and a day
model adds up a project's changes before its tail into one opening sum and runs on from there
over the tail's change rows. The plan models (`PLANS`: the PV curve, one row per project,
scope version and breakpoint) are rebuilt the same way for the projects whose plan changed.
The history copy (transform/history.py) then replaces the same rows of kpi_project_history,
from `state.history_tail`.

Why a tail row equals the full build's row bit for bit: the rows of a change model for a day
are computed from the same facts whichever days are computed with them, and every running sum
adds exact decimals, whose sum does not depend on the order or grouping of its rows.
tests/test_increment.py holds every table to a full build.

Anything the digests do not place on a project and day rebuilds these models in full, as
before: a changed calendar day or holiday, model SQL or parameter, an as-of date before the last
build's, a model built without this bookkeeping (no digests yet). A digest is a sum of 64-bit
row hashes per project and day: a change that leaves it equal (odds about 2^-64) would go
unseen until that project changes again or a full rebuild (`pmo run --force` does not reset
it; deleting the schema `state` does).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date

import duckdb

from pipelines import state
from pipelines.sql import ident

SPINE = "intermediate.hist_project_days"
TAIL_MODEL = "intermediate.hist_tail"  # a full build's tail: every project, every day
EVER = "DATE '0001-01-01'"  # tail start of a project whose every day is rebuilt
# The rows of a project's tail, by the grain of the table: a day model's (and the spine's) from
# the tail start on, a change model's from the tail start on (`day`: the day of the change); a
# plan model's (one row per project and scope version or breakpoint) all of them, when the plan
# changed. A day model reads the tail rows of the spine and of the day models before it and
# every row of the tail projects' changes; a plan model reads the rows of the tail projects.
DAYS = "rows.project_id = tail.project_id AND rows.as_of >= tail.from_day"
CHANGES = "rows.project_id = tail.project_id AND rows.day >= tail.from_day"
PROJECTS = "rows.project_id = tail.project_id"
PLANS = f"rows.project_id = tail.project_id AND tail.from_day = {EVER}"
TAILED = {
    SPINE: DAYS,
    "intermediate.hist_project_actual_changes": CHANGES,
    "intermediate.hist_project_ev_changes": CHANGES,
    "intermediate.hist_project_pv_curve": PLANS,
    "intermediate.hist_project_actuals": DAYS,
    "intermediate.hist_project_earned_value": DAYS,
    "intermediate.hist_project_earned_schedule": DAYS,
    "intermediate.hist_kpi_project": DAYS,
}
DAY_MODELS = tuple(t for t, rows in TAILED.items() if rows == DAYS)
CHANGE_MODELS = tuple(t for t, rows in TAILED.items() if rows == CHANGES)
TAIL = "temp.main.history_tail"
NEW_DIGESTS = "temp.main.history_digests_new"
CHANGED = "temp.main.history_changed"
SCRATCH = "history_increment"
KEY = "_history_increment"  # state.models row: what the stored digests were taken as of
STORED_TAIL = "state.history_tail"

# input -> SELECT (project_id, day, digest): an input's rows by project and the first as-of day
# they count on (NULL: every day of the project). sum(hash(row)) does not depend on row order.
INPUTS = {
    "project": """SELECT project_id, NULL::DATE AS day, sum(hash(projects)) AS digest
                  FROM staging.stg_projects AS projects GROUP BY ALL""",
    "tasks": """SELECT project_id, NULL::DATE AS day, sum(hash(tasks)) AS digest
                FROM intermediate.hist_task_plan AS tasks GROUP BY ALL""",
    # the booker's hourly cost with each hour: a changed rate touches the days it was booked on
    "timesheets": """SELECT tasks.project_id, timesheets.work_date AS day,
                            sum(hash(timesheets, employees.hourly_cost)) AS digest
                     FROM staging.stg_timesheets AS timesheets
                     INNER JOIN intermediate.hist_task_plan AS tasks USING (task_id)
                     LEFT JOIN staging.stg_employees AS employees USING (employee_id)
                     GROUP BY ALL""",
    "progress": """SELECT tasks.project_id, progress.status_date AS day,
                          sum(hash(progress)) AS digest
                   FROM staging.stg_task_progress AS progress
                   INNER JOIN intermediate.hist_task_plan AS tasks USING (task_id)
                   GROUP BY ALL""",
    "expenses": """SELECT project_id, expense_date AS day, sum(hash(expenses)) AS digest
                   FROM staging.stg_expenses AS expenses GROUP BY ALL""",
    # every calendar day by working-week pattern (project_id holds the pattern): a changed day
    # moves every later working-day number, so it rebuilds everything; new days at the end do not
    "calendar": """SELECT working_weekdays AS project_id, day, hash(calendar) AS digest
                   FROM intermediate.int_calendar AS calendar""",
    # any change rebuilds everything: forecast dates past the calendar's end assume none
    "holidays": """SELECT '' AS project_id, holiday_date AS day, hash(holidays) AS digest
                   FROM staging.stg_holidays AS holidays""",
}
GLOBAL = ("calendar", "holidays")


def chain_key(models: dict, params: dict[str, object]) -> str:
    """What the day models compute apart from the dated inputs: the SQL of every model they
    are built from and the parameters except the as-of date."""
    needed, stack = set(), list(DAY_MODELS)
    while stack:
        table = stack.pop()
        if table in models and table not in needed:
            needed.add(table)
            stack.extend(models[table].upstream)
    sql = [models[t].sql for t in models if t in needed]
    used = {k: str(v) for k, v in sorted(params.items()) if k != "as_of"}
    return hashlib.sha256(json.dumps([sql, used]).encode()).hexdigest()


class Increment:
    """One run's incremental build of the day models (see the module docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, models: dict, params: dict[str, object]):
        self.con = con
        self.as_of: date = params["as_of"]
        self.key = chain_key(models, params)  # cheap: no query
        self.planned = False  # digests taken this run
        self.tail = False  # the tail is known: day models may be built for it alone
        self.done: set[str] = set()

    def _plan(self) -> None:
        """Digest the inputs and, when the stored digests allow it, work out the tail."""
        con = self.con
        self.planned = True
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        con.execute("RESET threads")  # sums of hashes are exact: any order, all cores
        try:
            selects = " UNION ALL ".join(
                f"SELECT {input!r} AS input, * FROM ({sql})" for input, sql in INPUTS.items())
            con.execute(f"CREATE OR REPLACE TEMP TABLE history_digests_new AS {selects}")
        finally:
            con.execute(f"SET threads = {int(threads)}")
        stored = state.stored_fingerprint(con, "models", KEY)
        if not stored:
            return
        before = json.loads(stored)
        if before.get("key") != self.key or date.fromisoformat(before["as_of"]) > self.as_of:
            return
        if any(state.stored_fingerprint(con, "models", t) is None for t in TAILED):
            return
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                           "current_database() AND schema_name = 'state' "
                           "AND table_name = 'history_digests'").fetchone()[0]:
            return  # the bookkeeping was deleted: everything once more
        # the digests that differ, once: the calendar test and the tail both read them
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE history_changed AS
            SELECT coalesce(new.input, old.input) AS input,
                   coalesce(new.project_id, old.project_id) AS project_id,
                   coalesce(new.day, old.day) AS day,
                   new.input IS NOT NULL AND old.input IS NOT NULL AS on_both
            FROM {NEW_DIGESTS} AS new
            FULL OUTER JOIN state.history_digests AS old
                ON old.input = new.input AND old.project_id = new.project_id
                AND old.day IS NOT DISTINCT FROM new.day
            WHERE new.digest IS DISTINCT FROM old.digest""")
        calendar_moved = con.execute(
            f"SELECT count(*) FROM {CHANGED} WHERE input = 'holidays' "
            "OR (input = 'calendar' AND on_both)").fetchone()[0]
        if calendar_moved:
            return
        first_new_day = date.fromordinal(date.fromisoformat(before["as_of"]).toordinal() + 1)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE history_tail AS
            WITH projects AS (
                SELECT project_id FROM {NEW_DIGESTS} WHERE input = 'project'
                UNION SELECT project_id FROM state.history_digests WHERE input = 'project'
            ),
            touched AS (
                SELECT project_id, min(coalesce(day, {EVER})) AS from_day
                FROM {CHANGED} WHERE input NOT IN {GLOBAL} GROUP BY project_id
            )
            SELECT project_id, least(coalesce(touched.from_day, ?), ?) AS from_day
            FROM projects LEFT JOIN touched USING (project_id)""",
            [first_new_day, first_new_day])
        self.tail = True

    def prepare(self, model, exists: bool) -> bool:
        """Build a tailed model's tail rows into the scratch catalog, outside the warehouse's
        transaction; False: the model is to be rebuilt in full (also when its table is
        missing)."""
        if not self.planned:
            self._plan()
        self.done.add(model.table)
        if not (self.tail and exists):
            return False
        con = self.con
        self.home = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH ':memory:' AS {SCRATCH}")
        try:
            for schema in ("staging", "intermediate", "marts"):
                con.execute(f"CREATE SCHEMA {SCRATCH}.{schema}")
            for table in model.upstream:
                source = f"{ident(self.home)}.{table}"
                if table == TAIL_MODEL:
                    select = f"FROM {TAIL}"
                else:
                    rows = (PLANS if TAILED[model.table] == PLANS else DAYS if table in DAY_MODELS
                            else PROJECTS if table in CHANGE_MODELS else None)
                    select = (f"SELECT rows.* FROM {source} AS rows INNER JOIN {TAIL} AS tail "
                              f"ON {rows}" if rows else f"FROM {source}")
                con.execute(f"CREATE VIEW {SCRATCH}.{table} AS {select}")
            con.execute(f"USE {SCRATCH}")
            try:
                con.execute(f"CREATE TABLE {model.table} AS {model.sql}")
            finally:
                con.execute(f"USE {ident(self.home)}")
        except BaseException:
            self.release()
            raise
        return True

    def up_to_date(self, table: str) -> None:
        """A model of TAILED skipped: its table is current with this run's inputs."""
        self.done.add(table)

    def splice(self, model) -> int:
        """In the warehouse's transaction: the tail rows replaced by the scratch build's."""
        con, target = self.con, f"{ident(self.home)}.{model.table}"
        con.execute(f"DELETE FROM {target} AS rows USING {TAIL} AS tail "
                    f"WHERE {TAILED[model.table]}")
        con.execute(f"INSERT INTO {target} BY NAME FROM {SCRATCH}.{model.table}")
        return con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]

    def release(self) -> None:
        self.con.execute(f"DETACH DATABASE IF EXISTS {SCRATCH}")

    def finish(self) -> None:
        """Keep this run's digests when every day model is up to date with them, and the tail
        that took the day models from the previous build to this one (state.history_tail:
        the history copy takes the same rows, transform/history.py)."""
        if not self.planned or set(TAILED) - self.done:
            return
        con = self.con
        before = json.loads(state.stored_fingerprint(con, "models", KEY) or "{}")
        build = {"key": self.key, "as_of": self.as_of.isoformat(), "build": secrets.token_hex(8),
                 # the build this one differs from by the tail only (None: rebuilt in full)
                 "after": [before["as_of"], before["build"]] if self.tail else None}
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TABLE state.history_digests AS FROM {NEW_DIGESTS}")
        if self.tail:
            con.execute(f"CREATE OR REPLACE TABLE {STORED_TAIL} AS FROM {TAIL}")
        else:
            con.execute(f"DROP TABLE IF EXISTS {STORED_TAIL}")
        state.store_fingerprint(con, "models", KEY, json.dumps(build))
        con.execute("COMMIT")
        for table in (NEW_DIGESTS, CHANGED, TAIL):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def last_build(con: duckdb.DuckDBPyConnection) -> dict:
    """The day models' last recorded build: as_of, build (an id) and after ([as_of, build] of
    the build it differs from by state.history_tail alone, or None); {} when there is none."""
    return json.loads(state.stored_fingerprint(con, "models", KEY) or "{}")
