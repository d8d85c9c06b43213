"""Honest releases (issue 11): what cannot be true is refused in one line and the published
release stays byte for byte; old data and odd names work; the release says how fresh its data
is; a rejected file is reported as the root cause; the same inputs give the same bytes."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.landing import EMPLOYEES, PROJECTS, TASKS, TIMESHEETS, write_csv, write_landing

AS_OF = "2026-01-20"


def shas(export_dir="data/exports") -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(export_dir).iterdir())}


def run(capfd, *args) -> tuple[int, list[str]]:
    code = main(["run", *args])
    out, err = capfd.readouterr()
    return code, [line for line in (out + err).splitlines() if line.strip()]


def test_what_cannot_be_true_is_refused_and_the_release_stays(project, capfd):
    write_landing(project / "data" / "raw")
    assert run(capfd, "--as-of", AS_OF)[0] == 0
    published = shas()
    (project / "empty").mkdir()
    linked = project / "linked"  # a timesheet drop linked from a share that is not mounted
    shutil.copytree(project / "data" / "raw", linked)
    (linked / "timesheets" / "2026-01-07.csv").symlink_to("/mnt/not-mounted/2026-01-07.csv")
    refusals = {
        # the same files and as-of date as the release: only the link is new
        ("--raw-dir", "linked", "--as-of", AS_OF):
            "refused: 1 link(s) in the landing folder linked lead nowhere (not mounted?): "
            "timesheets/2026-01-07.csv; nothing was read",
        # a landing folder that is missing (an unmounted share) or holds no entity file
        ("--raw-dir", str(project / "nowhere")):
            f"refused: the landing folder {project / 'nowhere'} does not exist",
        ("--raw-dir", "empty"): "refused: the landing folder empty holds no file of any entity",
        # no project started on or before D (the first starts Mon 2026-01-05)
        ("--as-of", "2026-01-04"): "refused: as-of date 2026-01-04 is before every project "
                                   "start (the first project starts on 2026-01-05)",
    }
    for args, line in refusals.items():
        code, output = run(capfd, *args)
        assert code == 1 and len(output) == 1 and output[0].startswith(line), output
        assert shas() == published
    # an as-of date more than one day after today (2100 is after any today of this test)
    code, output = run(capfd, "--as-of", "2100-01-01")
    assert code == 2 and len(output) == 1 and "is after tomorrow" in output[0], output
    assert shas() == published


def test_dates_outside_the_plausible_window_block(project, capfd):
    raw = write_landing(project / "data" / "raw")
    assert run(capfd, "--as-of", AS_OF)[0] == 0
    published = shas()
    write_csv(raw / "projects.csv", [
        PROJECTS[0], {**PROJECTS[0], "project_id": "P9", "start_date": "0001-01-01",
                      "planned_end_date": "9999-12-31"}])
    code, output = run(capfd, "--as-of", AS_OF)
    text = "\n".join(output)
    assert code == 1 and "Traceback" not in text
    # default window: 1970-01-01 to 50 years after the as-of date
    assert ("projects.csv line 3: start_date = '0001-01-01' breaks rule \"start_date within "
            "the plausible dates 1970-01-01 to 2076-01-20\" (key P9)") in text, text
    assert "planned_end_date = '9999-12-31' breaks rule \"planned_end_date within" in text
    assert shas() == published


@pytest.mark.parametrize("variable, value, line", [
    ("PMO_AS_OF", "2026-02-30", "pmo run: PMO_AS_OF: '2026-02-30' is not a date"),
    ("PMO_MAX_BAD_ROW_SHARE", "5", "pmo run: PMO_MAX_BAD_ROW_SHARE: '5' is not a share; "
                                   "allowed 0 to 1"),
    ("PMO_TIMEZONE", "Mars/Base", "pmo run: PMO_TIMEZONE: 'Mars/Base' is not a time zone"),
    ("PMO_DATE_MIN", "1970", "pmo run: PMO_DATE_MIN: '1970' is not a date"),
    ("PMO_STALE_DAYS", "a week", "pmo run: PMO_STALE_DAYS: 'a week' is not a whole number"),
    # a bare number would be bytes to DuckDB: refused, not read as 2 bytes
    ("PMO_MEMORY_LIMIT", "2", "pmo run: PMO_MEMORY_LIMIT: '2' is not an amount of memory; "
                              "expected MB or GB, at least 256MB (for example 512MB or 2GB)"),
])
def test_a_bad_setting_is_one_line_and_exit_2(project, capfd, monkeypatch, variable, value, line):
    monkeypatch.setenv(variable, value)
    code, output = run(capfd)
    assert code == 2 and len(output) == 1 and output[0].startswith(line), output


def test_settings_read_shares_and_windows():
    from datetime import date

    from pipelines.settings import Settings

    assert Settings.load({"PMO_MAX_BAD_ROW_SHARE": "1%"}).max_bad_row_share == 0.01
    assert Settings.load({"PMO_MAX_BAD_ROW_SHARE": "0.05"}).max_bad_row_share == 0.05
    assert Settings().date_window(date(2026, 1, 20)) == (date(1970, 1, 1), date(2076, 1, 20))
    assert Settings().date_window(date(2024, 2, 29)) == (date(1970, 1, 1), date(2074, 2, 28))
    custom = Settings.load({"PMO_DATE_MIN": "2000-01-01", "PMO_DATE_MAX_YEARS": "10"})
    assert custom.date_window(date(2026, 1, 20)) == (date(2000, 1, 1), date(2036, 1, 20))
    fixed = Settings.load({"PMO_DATE_MAX": "2030-12-31"})
    assert fixed.date_window(date(2026, 1, 20))[1] == date(2030, 12, 31)


def test_the_warehouse_connection_gets_the_memory_limit(tmp_path):
    from pipelines.defs.resources import Warehouse
    from pipelines.settings import Settings

    settings = Settings.load({"PMO_MEMORY_LIMIT": "512mb"})
    assert settings.memory_limit == "512MB" and Settings().memory_limit == "1GB"
    warehouse = Warehouse(database=str(tmp_path / "w.duckdb"), memory_limit=settings.memory_limit)
    with warehouse.get_connection() as con:
        # DuckDB shows it in MiB: 512,000,000 bytes / 1024**2 = 488.28
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "488.2 MiB"


def shift(rows, years):
    """The rows with every date moved `years` back (the day of month and weekday differ)."""
    def move(value):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return f"{int(value[:4]) - years}{value[4:]}"
        return value
    return [{k: move(v) for k, v in row.items()} for row in rows]


def test_old_data_and_odd_names_compute(project, capfd):
    # Data of 2011 (15 years back: P1 starts Wed 2011-01-05), as of 2011-07-29, in a landing
    # folder, warehouse and export dir whose names need quoting in SQL.
    raw = project / "landing 2011 (o'brien)"
    write_csv(raw / "projects.csv", shift(PROJECTS, 15))
    write_csv(raw / "tasks.csv", shift(TASKS, 15))
    write_csv(raw / "employees.csv", EMPLOYEES)
    write_csv(raw / "timesheets" / "2011-01-06.csv", shift(TIMESHEETS, 15))
    exports = project / "exports-C2019-03 'x'"
    code, output = run(capfd, "--as-of", "2011-07-29", "--raw-dir", str(raw),
                       "--warehouse", "C2019-03.duckdb", "--export-dir", str(exports))
    assert code == 0, output
    with duckdb.connect(str(exports / "kpi.duckdb"), read_only=True) as con:
        got = con.execute("""SELECT as_of::VARCHAR, "at", pd FROM kpi_project""").fetchall()
        history = con.execute("SELECT min(as_of)::VARCHAR, max(as_of)::VARCHAR, "
                              "count(DISTINCT as_of) FROM kpi_project_history").fetchall()
    # AT = wd(Wed 2011-01-05, Fri 2011-07-29): Wed..Fri of the first week = 3, then 29 whole
    # weeks (Mon 01-10 .. Fri 07-29) = 145: 148. PD = wd(01-05, Sun 2011-03-27): 3 + 11 weeks
    # (01-10 .. 03-25) = 58.
    assert got == [("2011-07-29", 148, 58)]
    # the run keeps the history complete: every day from P1's start (Wed 01-05) to the as-of
    # date, 27 + 28 + 31 + 30 + 31 + 30 + 29 = 206 days
    assert history == [("2011-01-05", "2011-07-29", 206)]
    assert json.loads((exports / "release.json").read_text())["as_of"] == "2011-07-29"


def test_freshness_is_recorded_and_stale_data_warns(project, capfd):
    write_landing(project / "data" / "raw")
    # "data": the latest timesheet day (no progress reports): 2026-01-06
    code, output = run(capfd, "--as-of", "data")
    assert code == 0 and not [line for line in output if line.startswith("warning")], output
    release = json.loads(Path("data/exports/release.json").read_text())
    assert release["as_of"] == "2026-01-06" and release["warnings"] == []
    assert not release["release"].endswith(".partial")
    assert release["release"] == Path("data/exports").resolve().name
    # as of 01-20 the timesheets end 14 days before: more than PMO_STALE_DAYS = 7
    code, output = run(capfd, "--as-of", AS_OF)
    line = ("timesheets end on 2026-01-06 (timesheets/2026-01-06.csv), 14 days before the "
            "as-of date 2026-01-20 (more than PMO_STALE_DAYS = 7)")
    assert code == 0 and [x for x in output if x.startswith("warning: ")] == [
        f"warning: {line}: the KPIs miss the facts of the days since"], output
    release = json.loads(Path("data/exports/release.json").read_text())
    assert release["as_of"] == AS_OF and release["warnings"][0].startswith(line)
    assert release["freshness"] == {
        "timesheets": {"latest": "2026-01-06", "file": "timesheets/2026-01-06.csv",
                       "days_before_as_of": 14},
        # T1: actual_start 01-05, completed_on 01-16: its fact is 01-16
        "tasks": {"latest": "2026-01-16", "file": "tasks.csv", "days_before_as_of": 4},
        "projects": {"latest": "2026-01-05", "file": "projects.csv", "days_before_as_of": 15},
    }
    assert line in Path("data/exports/report.html").read_text()
    # allowing 14 days, the same data is fresh enough
    os.environ["PMO_STALE_DAYS"] = "14"  # the conftest restores the environment
    code, output = run(capfd, "--as-of", AS_OF)
    assert code == 0 and not [x for x in output if x.startswith("warning: ")], output


def test_a_rejected_file_is_the_root_cause_not_each_reference(project, capfd):
    raw = write_landing(project / "data" / "raw")
    (raw / "projects.csv").write_text("project_identifier,project_name\nP1,CRM\n")
    code, output = run(capfd, "--as-of", AS_OF)
    text = "\n".join(output)
    assert code == 1
    assert "projects.csv: rejected: missing required column(s)" in text
    assert "  2 tasks reference projects of the rejected file projects.csv" in output, text
    assert "references projects.project_id" not in text  # not listed row by row


def test_quarantined_rows_are_counted_per_entity_and_rule(project, capfd, monkeypatch):
    raw = write_landing(project / "data" / "raw")
    write_csv(raw / "timesheets" / "2026-01-07.csv", [
        {**TIMESHEETS[0], "entry_id": "TS3", "work_date": "2026-01-07"},
        {**TIMESHEETS[0], "entry_id": "TS4", "work_date": "2026-01-07", "hours": "-4"}])
    monkeypatch.setenv("PMO_MAX_BAD_ROW_SHARE", "30%")  # 1 of 4 rows = 25%
    code, output = run(capfd, "--as-of", AS_OF)
    assert code == 0, output
    assert ('quarantined: 1 timesheets row(s) breaking "hours > 0 and <= 24" '
            "(left out of the KPIs)") in output, output


def test_same_inputs_give_byte_identical_exports(project, capfd):
    write_landing(project / "data" / "raw")
    tables = {}
    for name in ("one", "two"):
        assert run(capfd, "--as-of", AS_OF, "--warehouse", f"{name}/w.duckdb",
                   "--export-dir", f"{name}/exports")[0] == 0
        tables[name] = {f: h for f, h in shas(f"{name}/exports").items()
                        if f.endswith((".csv", ".parquet"))}
    assert len(tables["one"]) >= 20 and tables["one"] == tables["two"]
    first = Path("one/exports").resolve()
    assert run(capfd, "--as-of", AS_OF, "--warehouse", "one/w.duckdb",
               "--export-dir", "one/exports")[0] == 0
    assert Path("one/exports").resolve() == first  # identical content: not republished


def test_freshness_reads_the_rows_that_count_not_every_raw_row(con, tmp_path):
    """The latest raw timesheet day is tried first (publish/freshness.py); when the row
    holding it no longer counts (its key was delivered again, dated earlier), the latest day
    of the rows that count is found all the same."""
    from datetime import date

    from pipelines.contract import ENTITIES
    from pipelines.ingest.load import ingest_entity
    from pipelines.publish.freshness import freshness

    write_landing(tmp_path)
    write_csv(tmp_path / "timesheets" / "2026-01-07.csv",
              [{**TIMESHEETS[0], "entry_id": "TS9", "work_date": "2026-01-07"}])
    for e in ENTITIES.values():
        ingest_entity(con, tmp_path, e)
    assert freshness(con, date(2026, 1, 10))["timesheets"] == {
        "latest": "2026-01-07", "file": "timesheets/2026-01-07.csv", "days_before_as_of": 3}
    write_csv(tmp_path / "timesheets" / "2026-01-08.csv",  # TS9 corrected: it was the 6th
              [{**TIMESHEETS[0], "entry_id": "TS9", "work_date": "2026-01-06"}])
    ingest_entity(con, tmp_path, ENTITIES["timesheets"])
    assert freshness(con, date(2026, 1, 10))["timesheets"] == {
        "latest": "2026-01-06", "file": "timesheets/2026-01-08.csv", "days_before_as_of": 4}
    assert freshness(con, date(2026, 1, 4))["timesheets"] == {
        "latest": None, "file": None, "days_before_as_of": None}
