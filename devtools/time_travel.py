"""The time-travel check: the one-pass history's row for day d equals a single-date build as of d.

The single-date side is the previous round's per-date SQL (tests/fixtures/reference: the PV
curve, earned schedule and kpi_project SELECT as of one date), which shares no code with the
history models. Used by tests/test_history_range.py (hand-made and demo data) and by
`pmo bench` (a sample of days at the benchmark's scale, on the floor's warehouse).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import duckdb

REFERENCE = Path(__file__).parent.parent / "tests" / "fixtures" / "reference"
REFERENCE_MODELS = ("int_project_pv_curve", "int_project_earned_schedule")
SINGLE_DATE = (REFERENCE / "kpi_project_as_of.sql").read_text()


def load_landing(con: duckdb.DuckDBPyConnection, raw: Path) -> None:
    """A landing folder's canonical files into raw tables with plain `read_csv` (no checks,
    no bookkeeping): how the benchmark floor reads them."""
    from pipelines.contract import ENTITIES
    from pipelines.ingest.landing import entity_files
    from pipelines.ingest.raw_schema import ensure_raw_schema

    ensure_raw_schema(con)
    for entity in ENTITIES.values():
        files = [str(p) for p in entity_files(raw, entity.name)]
        if files:
            types = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in entity.columns)
            con.execute(f"""INSERT INTO raw.{entity.name} BY NAME
                SELECT * EXCLUDE (filename), filename AS _file, 0 AS _row
                FROM read_csv({files}, header = true, columns = {{{types}}}, filename = true)""")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, args: list | None = None) -> list[dict]:
    cursor = con.execute(sql, args or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def build_reference(con: duckdb.DuckDBPyConnection) -> None:
    """The per-date PV curve and earned schedule, as of the date the models were last built."""
    for name in REFERENCE_MODELS:
        con.execute(f"CREATE OR REPLACE TABLE intermediate.{name} AS "
                    f"{(REFERENCE / f'{name}.sql').read_text()}")


def reference_reads() -> set[str]:
    """The product models the reference SQL reads (its own per-date models excluded)."""
    from pipelines.transform.models import read_upstream

    sqls = [SINGLE_DATE, *((REFERENCE / f"{name}.sql").read_text() for name in REFERENCE_MODELS)]
    own = {f"intermediate.{name}" for name in REFERENCE_MODELS}
    return {table for sql in sqls for table in read_upstream(sql)} - own


def single_date_rows(con: duckdb.DuckDBPyConnection, sql: str = SINGLE_DATE) -> list[dict]:
    """kpi_project as the reference computes it as of the date the models were last built."""
    build_reference(con)
    return _rows(con, sql)


def history_rows(con: duckdb.DuckDBPyConnection,
                 days: list[date] | None = None) -> dict[date, dict[str, dict]]:
    """intermediate.hist_kpi_project by day and project (only `days`, when given)."""
    sql = "select * from intermediate.hist_kpi_project"
    if days is not None:
        sql += " where as_of in (select unnest(?::DATE[]))"
    by_day: dict[date, dict[str, dict]] = {}
    for r in _rows(con, sql, None if days is None else [list(days)]):
        by_day.setdefault(r["as_of"], {})[r["project_id"]] = r
    return by_day


def same(history: object, single: object) -> bool:
    if history is None or single is None:
        return history is None and single is None
    if isinstance(single, float) or isinstance(history, float):
        # 1e-9 relative; 1e-6 absolute for differences of large, nearly equal amounts (etc =
        # eac - ac of a finished project is rounding noise around 0 in both builds)
        return math.isclose(history, single, rel_tol=1e-9, abs_tol=1e-6)
    return history == single


def differences(con: duckdb.DuckDBPyConnection, history: dict[date, dict[str, dict]],
                days: list[date], build_day: Callable[[duckdb.DuckDBPyConnection, date], None]
                ) -> tuple[list[str], int]:
    """Each day built alone (`build_day`) and its reference kpi_project compared with the
    history's rows for that day, column by column; returns (differences, project-days
    compared)."""
    found, compared = [], 0
    for day in days:
        build_day(con, day)
        single = {r["project_id"]: r for r in single_date_rows(con)}
        if not single:
            raise ValueError(f"no project started by {day}: pick days that test something")
        day_rows = history.get(day, {})
        if set(day_rows) != set(single):
            found.append(f"{day}: projects {sorted(set(day_rows) ^ set(single))}")
            continue
        for project, expected in single.items():
            compared += 1
            if list(day_rows[project]) != list(expected):
                found.append(f"{day} {project}: columns {list(day_rows[project])} against "
                             f"{list(expected)}")
                continue
            found += [f"{day} {project} {column}: history {day_rows[project][column]!r}, "
                      f"single {value!r}"
                      for column, value in expected.items()
                      if not same(day_rows[project][column], value)]
    return found, compared


def sample_days(first: date, last: date) -> list[date]:
    """Days across a history: its first days, a week and a month and a half in, thirds,
    the middle, and its last two days."""
    span = (last - first).days
    return sorted({first + timedelta(days=n)
                   for n in (0, 1, 6, 45, span // 3, span // 2, 2 * span // 3, span - 1, span)
                   if 0 <= n <= span})
