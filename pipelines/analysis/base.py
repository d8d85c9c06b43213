"""The shared base of the analysis questions: the read-only connection to one release's
`kpi.duckdb`, the as-of date, the department filter, the release's id and KPI parameters.

    kpi = KpiBase.open(EXPORT_DIR, as_of=AS_OF, department=DEPARTMENT)
    kpi.sql(f"SELECT count(*) FROM {kpi.table('kpi_project')} WHERE {kpi.in_scope()}")

Only the published `kpi.duckdb` is read, read-only and never the warehouse. The export dir is
a symlink to the current release; the file is resolved once, when the data is opened, so every
question of one notebook run is answered from the same release even if the pipeline publishes
a new one meanwhile (old releases stay readable; see pipelines/publish/release.py).

As-of date: by default the release's date. Another date is answered from the tables that hold
it: project questions from `kpi_project_history`, other tables only when they carry that date,
else `AsOfError` says which dates there are. Department filter: None for the whole portfolio,
a name or a list of names.

The topic modules (portfolio, failing, people, tools) add their questions to this base;
`pipelines.analysis.data.KpiData` has them all.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import KpiParams

ROOT = Path(__file__).resolve().parents[2]
PARTIAL = ".partial"  # suffix of a release directory while the publish step writes it
# Tables published by models that other parts of the pipeline add; named in error messages.
PRODUCERS = {
    "rca_drivers": "the root-cause drivers model (models/marts/rca_drivers.sql)",
    "kpi_people": "the people model (models/marts/kpi_people.sql)",
    "kpi_tool_adoption": "the tool adoption model (models/marts/kpi_tool_adoption.sql)",
    "rca_evidence": "the root-cause evidence model (models/marts/rca_evidence.sql)",
}
ACTIVE = "(actual_end_date IS NULL AND status <> 'cancelled')"  # started, not finished
STAGE = ("CASE WHEN status = 'cancelled' THEN 'cancelled' "
         "WHEN actual_end_date IS NOT NULL THEN 'finished' ELSE 'active' END")


class MissingTableError(LookupError):
    """A KPI table a question needs is not in the published kpi.duckdb."""


class AsOfError(LookupError):
    """The asked as-of date is not published in a table a question needs."""


def resolve_export_dir(export_dir: str | os.PathLike | None = None) -> Path:
    """The export dir: the argument, else $PMO_EXPORT_DIR, else data/exports. A relative path is
    taken from the working directory when it holds kpi.duckdb there, else from the repository
    root (notebooks run with notebooks/ as working directory)."""
    if export_dir:
        value = Path(export_dir).expanduser()
    else:  # the settings of this environment (PMO_EXPORT_DIR), read where settings are read
        from pipelines.settings import Settings

        value = Settings.from_env().export_dir
    if value.is_absolute() or (value / "kpi.duckdb").exists():
        return value.absolute()
    return ROOT / value


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def release_manifest(kpi_duckdb: Path) -> dict:
    """release.json next to kpi.duckdb, or {} (the publish step writes it after report.html)."""
    manifest = kpi_duckdb.parent / "release.json"
    try:
        return json.loads(manifest.read_text()) if manifest.exists() else {}
    except (OSError, ValueError):
        return {}


def release_id(kpi_duckdb: Path) -> str:
    """The release's id: release.json's, else the directory's name without `.partial`."""
    name = release_manifest(kpi_duckdb).get("release") or kpi_duckdb.parent.name
    return name.removesuffix(PARTIAL)


def recorded_params(con: duckdb.DuckDBPyConnection, tables: set[str],
                    manifest: dict) -> KpiParams:
    """The KPI parameters the release records (a `kpi_params` table of name/value rows, or a
    `kpi_params` object in release.json); a parameter not recorded keeps its default, which
    lives in one place only: pipelines.settings.KpiParams."""
    recorded: dict = dict(manifest.get("kpi_params") or {})
    if "kpi_params" in tables:
        recorded.update(dict(con.execute("SELECT name, value FROM kpi_params").fetchall()))
    values = {}
    for f in fields(KpiParams):
        if f.name in recorded and f.name != "as_of":
            kind = type(getattr(KpiParams, f.name))
            values[f.name] = kind(recorded[f.name])
    return KpiParams(**values)


class KpiBase:
    """The published KPI tables of one release, at one as-of date, for some departments."""

    def __init__(self, kpi_duckdb: str | os.PathLike, as_of: date | str | None = None,
                 department: str | Sequence[str] | None = None):
        path = Path(kpi_duckdb)
        if not path.exists():
            raise FileNotFoundError(
                f"no published KPI tables at {path}: run the pipeline first (`pmo run`, or "
                f"`pmo demo` for the demo data set) or set EXPORT_DIR / PMO_EXPORT_DIR to the "
                f"export dir that holds kpi.duckdb")
        self.path = path.resolve()  # pins the release behind the export-dir symlink
        self.con = duckdb.connect(str(self.path), read_only=True)
        self._columns: dict[str, list[str]] = {}
        try:
            self._setup(as_of, department)
        except BaseException:
            self.con.close()
            raise

    def _setup(self, as_of: date | str | None, department: str | Sequence[str] | None) -> None:
        self.tables = {t for (t,) in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        self.require("kpi_project")
        self.release_as_of: date = self.con.execute(
            "SELECT max(as_of) FROM kpi_project").fetchall()[0][0]
        self.as_of: date = _as_date(as_of) or self.release_as_of
        self._project_table = "kpi_project"
        if self.as_of != self.release_as_of:
            self._project_table = "kpi_project_history"
            self._check_as_of("kpi_project_history")
        names = [department] if isinstance(department, str) else list(department or [])
        self.all_departments = sorted(
            {d for t in ("kpi_project", "kpi_utilization", "kpi_people") if self.has(t)
             for (d,) in self.con.execute(f"SELECT DISTINCT department FROM {t}").fetchall()
             if d})
        unknown = sorted(set(names) - set(self.all_departments))
        if unknown:
            raise ValueError(f"unknown department {', '.join(unknown)}; departments: "
                             f"{', '.join(self.all_departments)}")
        self.departments: list[str] | None = names or None
        self.release_id = release_id(self.path)
        self.params = recorded_params(self.con, self.tables, release_manifest(self.path))

    @classmethod
    def open(cls, export_dir: str | os.PathLike | None = None, as_of: date | str | None = None,
             department: str | Sequence[str] | None = None):
        return cls(resolve_export_dir(export_dir) / "kpi.duckdb", as_of=as_of,
                   department=department)

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path}, as of {self.as_of}, {self.scope})"

    @property
    def scope(self) -> str:
        """Words for the selection, for chart titles and text."""
        return ", ".join(self.departments) if self.departments else "all departments"

    def sql(self, query: str, **params) -> pl.DataFrame:
        """Run a query with $as_of, $departments and the given $parameters; a polars frame."""
        values = {"as_of": self.as_of, "departments": self.departments, **params}
        used = set(re.findall(r"\$(\w+)", query))
        return self.con.sql(query, params={k: v for k, v in values.items() if k in used}).pl()

    def has(self, table: str) -> bool:
        return table in self.tables

    def columns(self, table: str) -> list[str]:
        # asked by every table() call; the file is opened read-only, so its columns are fixed
        if table not in self._columns:
            self._columns[table] = [c for (c,) in self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $t "
                "ORDER BY column_index", {"t": table}).fetchall()]
        return list(self._columns[table])

    def require(self, *tables: str) -> None:
        missing = [t for t in tables if t not in self.tables]
        if missing:
            made_by = "; ".join(f"{t} comes from {PRODUCERS[t]}" for t in missing
                                if t in PRODUCERS)
            it = "it" if len(missing) == 1 else "them"
            raise MissingTableError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not published in "
                f"{getattr(self, 'path', '?')} (it has: {', '.join(sorted(self.tables))}). "
                f"{made_by + '. ' if made_by else ''}Run the pipeline (`pmo run`) with a "
                f"version that builds {it}, or point EXPORT_DIR at a release that has {it}.")

    def _check_as_of(self, table: str) -> None:
        self.require(table)
        if not self.con.execute(f"SELECT count(*) FROM {table} WHERE as_of = $as_of",
                                {"as_of": self.as_of}).fetchall()[0][0]:
            first, last, n = self.con.execute(
                f"SELECT min(as_of), max(as_of), count(DISTINCT as_of) FROM {table}"
            ).fetchall()[0]
            held = f"it has {n} dates, {first} to {last}"
            fixes = ("Leave AS_OF empty for the release's date, run `pmo backfill` for project "
                     f"history, or `pmo run --as-of {self.as_of}` for every table.")
            raise AsOfError(f"{table} holds no rows as of {self.as_of} ({held}; the release "
                            f"is as of {self.release_as_of}). {fixes}")

    def table(self, name: str) -> str:
        """SQL for a published table at the as-of date: a subquery to select from."""
        if name == "kpi_project":
            name = self._project_table
        self.require(name)
        if "as_of" in self.columns(name):
            if name != "kpi_project_history" and self.as_of != self.release_as_of:
                self._check_as_of(name)
            return f"(SELECT * FROM {name} WHERE as_of = $as_of)"
        return f"(SELECT * FROM {name})"

    def in_scope(self, column: str = "department") -> str:
        """SQL condition: the row belongs to the selected departments (any without a filter)."""
        return f"list_contains($departments, {column})" if self.departments else "TRUE"

    def history_dates(self) -> int:
        """Dates of kpi_project_history up to the as-of date (0 without the table)."""
        if not self.has("kpi_project_history"):
            return 0
        return self.con.execute("SELECT count(DISTINCT as_of) FROM kpi_project_history "
                                "WHERE as_of <= $as_of", {"as_of": self.as_of}).fetchall()[0][0]
