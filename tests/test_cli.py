"""`pmo` explains itself: every option has help with its format and default, a bad value gives
one line and exit 2 (never a traceback), a passed run ends with a summary, progress by phase
is drawn only on a terminal, and `pmo backtest` is wired. Values worked out by hand from
tests/landing.py."""

import argparse
import re
from pathlib import Path

import pytest

from pipelines import progress
from pipelines.cli import main, parser
from tests.landing import write_landing

AS_OF = "2026-01-20"


def call(capfd, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def test_every_option_has_help_with_its_format_or_default():
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, sub in commands.choices.items():
        if name == "recovery":  # its own parser: devtools/recovery.py
            continue
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            text = action.help or ""
            assert text, f"pmo {name} {action.option_strings}: no help"
            said = ("default" in text or "required" in text)
            assert said, f"pmo {name} {action.option_strings}: help names no default: {text}"
            if action.type is not None and action.type not in (Path,) and \
                    action.type.__name__ in ("as_of_flag", "date_flag"):
                assert "YYYY-MM-DD" in text, f"pmo {name} {action.option_strings}: no format"
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("argv, environ, line", [
    (["run", "--as-of", "2026-13-01"], {},
     "pmo run: --as-of: '2026-13-01' is not a date; expected YYYY-MM-DD (for example "
     "2026-11-20) or 'data' (see pmo run --help)"),
    (["run"], {"PMO_AS_OF": "yesterday"},
     "pmo run: PMO_AS_OF: 'yesterday' is not a date; expected YYYY-MM-DD, for example "
     "2026-11-20"),
    (["run"], {"PMO_CSV_DIALECT": "semicolon"},
     "pmo run: PMO_CSV_DIALECT: 'semicolon' is not allowed; expected one of excel, excel-eu"),
    (["run"], {"PMO_MAX_BAD_ROW_SHARE": "5"},
     "pmo run: PMO_MAX_BAD_ROW_SHARE: '5' is not a share; allowed 0 to 1 (0.01 or 1% = one "
     "row in a hundred)"),
    (["backfill", "--from", "2026-02-30", "--to", "2026-03-01"], {},
     "pmo backfill: --from: '2026-02-30' is not a date; expected YYYY-MM-DD, for example "
     "2026-11-20 (see pmo backfill --help)"),
    (["backfill", "--from", "2026-03-02", "--to", "2026-03-01"], {},
     "pmo backfill: --to 2026-03-01 is before --from 2026-03-02"),
    (["backfill", "--from", "2026-03-01"], {},
     "pmo backfill: the following arguments are required: --to (see pmo backfill --help)"),
    (["generate", "--out", "x", "--seed", "one"], {},
     "pmo generate: --seed: 'one' is not a whole number (see pmo generate --help)"),
    (["generate", "--out", "x", "--scale", "huge"], {},
     "pmo generate: --scale: invalid choice: 'huge' (choose from 'demo', 'medium', 'large', "
     "'xlarge') "
     "(see pmo generate --help)"),
    (["backtest", "--as-of", "tomorrow"], {},
     "pmo backtest: --as-of: 'tomorrow' is not a date; expected YYYY-MM-DD, for example "
     "2026-11-20 (see pmo backtest --help)"),
    (["run", "--as-of", "2999-01-01"], {}, None),  # after tomorrow: refused in one line
])
def test_a_bad_value_gives_one_line_and_exit_2(project, capfd, monkeypatch, argv, environ,
                                               line):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, out, err = call(capfd, *argv)
    assert code == 2
    assert out == "" and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    if line:
        assert err == line + "\n"
    else:
        assert err.startswith("pmo run: as-of date 2999-01-01 is after tomorrow")


def test_help_exits_0_and_names_formats_and_defaults(capfd):
    code, out, _ = call(capfd, "run", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "--as-of D the as-of date D: YYYY-MM-DD, or 'data'" in text
    assert "(default: PMO_EXPORT_DIR, else data/exports)" in text


def summary(out: str) -> list[str]:
    lines = out.splitlines()
    return lines[lines.index("summary:") + 1:]


def test_run_ends_with_a_summary_and_draws_no_progress_off_a_terminal(project, capfd):
    """tests/landing.py as of 2026-01-20: 1 project, 2 tasks, 2 employees, 2 timesheet rows
    in 4 files = 7 rows. EV = 10000 * 40 / 120 (T1 done, T2 not started; weights planned
    hours) = 3333.33; AC = (8 + 7.5) h * 50 = 775; CPI = 4.30. PV: T1 planned over, T2 2 of 20
    working days (19 Jan - 13 Feb) = 10000 * (40 + 8) / 120 = 4000; SPI = 0.83 < 0.90: red."""
    write_landing(project / "data" / "raw")
    code, out, err = call(capfd, "run", "--as-of", AS_OF)
    assert code == 0, out + err
    lines = summary(out)
    assert lines[:4] == [
        "  as of        2026-01-20",
        "  ingested     7 rows from 4 new or changed file(s), 0 unchanged",
        "  checks       11 of 11 passed",
        "  portfolio    1 active project(s): 1 red, 0 amber, 0 green; CPI 4.30, SPI 0.83"]
    release = Path("data/exports").resolve()
    assert lines[4] == (f"  outputs      data/exports -> {release}: report.html, kpi.duckdb, "
                        "<table>.parquet and .csv, data_dictionary.md, release.json")
    assert re.fullmatch(r"  elapsed      \d+\.\d s", lines[5]) and len(lines) == 6
    assert "\x1b[" not in out + err and "ingest:" not in out + err  # no progress off a terminal

    # nothing new, run anyway (without --force no run starts: tests/test_fastpath.py)
    code, out, err = call(capfd, "run", "--as-of", AS_OF, "--force")
    assert code == 0 and summary(out)[1] == (
        "  ingested     0 rows from 0 new or changed file(s), 4 unchanged")


def test_report_shows_the_release_warnings_on_top(project, capfd):
    """Timesheets end on 2026-01-06, 14 days before 2026-01-20 (more than PMO_STALE_DAYS = 7)."""
    write_landing(project / "data" / "raw")
    assert call(capfd, "run", "--as-of", AS_OF)[0] == 0
    page = Path("data/exports/report.html").read_text()
    warning = page.index('<section class="warnings" id="warnings" role="alert">')
    assert warning < page.index('id="attention"')  # before any number
    assert ("<li>timesheets end on 2026-01-06 (timesheets/2026-01-06.csv), 14 days before the "
            "as-of date 2026-01-20") in page[warning:]
    assert "pmo-warning" not in page  # no banner injected by the publish asset any more


def test_progress_by_phase_is_drawn_when_enabled(project, capfd, monkeypatch):
    """Forced on (as on a terminal): each phase ends on its own line of counts."""
    monkeypatch.setattr(progress, "enabled", lambda: True)
    write_landing(project / "data" / "raw")
    code, out, err = call(capfd, "run", "--as-of", AS_OF)
    assert code == 0, out + err
    assert "ingest: 4 file(s) read, 7 rows, 0 unchanged" in out
    assert "checks: 11 of 11 passed" in out
    assert re.search(r"models: (\d+) rebuilt, 0 unchanged", out)
    assert "publish: new release as of 2026-01-20" in out
    assert out.index("ingest:") < out.index("checks:") < out.index("models:") < \
        out.index("publish:") < out.index("summary:")


def test_progress_calls_do_nothing_without_a_display():
    progress.start("ingest", 3, "ingest")  # no display open: no output, no error
    progress.advance("ingest", "x")
    progress.finish("ingest", "done")


def test_backtest_is_wired_to_the_landing_folder(project, capfd):
    """P1 starts 2026-01-05 and has not finished by 2026-01-20: active at D0, still open."""
    write_landing(project / "data" / "raw")
    code, out, err = call(capfd, "backtest", "--as-of", "2026-01-05", "--data-end", AS_OF)
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "Forecast backtest as of 2026-01-05 against data up to 2026-01-20",
        "active at the as-of date: 1; finished by the data end: 0 (scored: 0); still open: 1"]
    # the data's end defaults to its latest timesheet day, 2026-01-06
    code, out, err = call(capfd, "backtest", "--as-of", "2026-01-06")
    assert code == 2 and err == ("pmo backtest: --as-of 2026-01-06 must be before the end of "
                                 "the data (2026-01-06): there is nothing to score after it\n")
    code, out, err = call(capfd, "backtest", "--raw-dir", "missing")
    assert code == 2 and err.startswith("pmo backtest: --raw-dir: missing is not a folder")


def test_backfill_ends_with_a_summary(project, capfd):
    """Two days, 2026-01-19 and 2026-01-20, after a run that ingested the landing folder."""
    write_landing(project / "data" / "raw")
    assert call(capfd, "run", "--as-of", AS_OF)[0] == 0
    code, out, err = call(capfd, "backfill", "--from", "2026-01-19", "--to", AS_OF)
    assert code == 0, out + err
    assert re.search(r"^summary: kpi_project_history filled for 2 day\(s\), 2026-01-19 to "
                     r"2026-01-20; published in data/exports; \d+\.\d s$", out, re.M), out
