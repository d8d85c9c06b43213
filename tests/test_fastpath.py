"""A `pmo run` with nothing new answers from the inputs fingerprint (pipelines/fastpath.py)
without starting Dagster; any change of what a run reads or how it computes starts a run, and
only a run that passed completely lets a later one be skipped.

One project (tests/landing.py, as of 2026-01-20) is built once per module and copied for each
test; "a run started" is read from the Dagster instance's run storage (one run more) and "no
run" from it too (no run more) and from the release readers see (the same folder)."""

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipelines import fastpath
from pipelines.cli import main
from pipelines.publish.release import current_release
from pipelines.runner import instance
from pipelines.settings import Settings
from tests.landing import TIMESHEETS, write_csv, write_landing

AS_OF = "2026-01-20"
NOTHING_NEW = "nothing new since the release of 2026-01-20 (same files, settings, as-of date " \
              "and code): data/exports -> "
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def same_code(monkeypatch):
    """Several people work in one checkout: an edit elsewhere during the session must not
    change the answers here. The code's own part is tested on a copy of the models below."""
    monkeypatch.setattr(fastpath, "code_fingerprint", lambda: FROZEN_CODE)


CODE_FINGERPRINT = fastpath.code_fingerprint  # the real one, before any test replaces it
FROZEN_CODE = CODE_FINGERPRINT()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project after one passed run as of AS_OF."""
    home = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "code_fingerprint", lambda: FROZEN_CODE)
        patch.chdir(home)
        patch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
        write_landing(home / "data" / "raw")
        assert main(["run", "--as-of", AS_OF]) == 0
    return home


@pytest.fixture
def done(built, tmp_path, monkeypatch):
    """A copy of the built project as the working directory (the export dir's link is
    relative, so it points into the copy)."""
    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    monkeypatch.chdir(project)
    monkeypatch.setenv("DAGSTER_HOME", str(project / "dagster_home"))
    return project


def runs() -> int:
    with instance(Settings.from_env()) as dagster:
        return dagster.get_runs_count()


def release() -> Path | None:
    return current_release(Path("data/exports"))


def run(capfd, *flags: str) -> tuple[int, str]:
    code = main(["run", "--as-of", AS_OF, *flags])
    out, err = capfd.readouterr()
    return code, out + err


def assert_skipped(capfd) -> None:
    before, published = runs(), release()
    code, output = run(capfd)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == f"{NOTHING_NEW}{published}; no run started (pmo run --force runs anyway)"
    # the release's warning still holds (timesheets end 13 or 14 days before the as-of date)
    assert lines[1].startswith("warning: timesheets end on 2026-01-0") and len(lines) == 2
    assert runs() == before and release() == published


def assert_ran(capfd, *flags: str, passed: bool = True) -> str:
    before = runs()
    code, output = run(capfd, *flags)
    assert NOTHING_NEW not in output
    assert runs() == before + 1
    assert code == (0 if passed else 1), output
    return output


def test_a_second_run_with_nothing_new_starts_no_dagster_run(done, capfd):
    assert_skipped(capfd)
    assert_skipped(capfd)  # and again: a skip neither records nor forgets anything


def test_force_runs_anyway_and_republishes_nothing(done, capfd):
    published = release()
    output = assert_ran(capfd, "--force")
    assert "ingested     0 rows from 0 new or changed file(s), 4 unchanged" in output
    assert release() == published  # identical content: not republished
    assert_skipped(capfd)  # the forced run passed: it recorded the same inputs


def test_a_changed_byte_of_the_same_size_and_mtime_runs(done, capfd):
    tasks = done / "data" / "raw" / "tasks.csv"
    stat = tasks.stat()
    tasks.write_bytes(tasks.read_bytes().replace(b",Design,", b",Desigm,"))
    os.utime(tasks, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `cp -p` or rsync -t leave it
    assert tasks.stat().st_size == stat.st_size
    output = assert_ran(capfd)
    assert "ingested     2 rows from 1 new or changed file(s), 3 unchanged" in output
    assert_skipped(capfd)


def test_an_added_file_runs(done, capfd):
    write_csv(done / "data" / "raw" / "timesheets" / "2026-01-07.csv",
              [{**TIMESHEETS[0], "entry_id": "TS3", "work_date": "2026-01-07"}])
    assert "ingested     1 rows from 1 new or changed file(s), 4 unchanged" in assert_ran(capfd)


def test_a_removed_file_runs(done, capfd):
    (done / "data" / "raw" / "timesheets" / "2026-01-06.csv").unlink()
    assert_ran(capfd)  # a vanished file keeps its rows (docs/inputs.md): the run passes


def test_a_different_as_of_runs(done, capfd):
    before = runs()
    assert main(["run", "--as-of", "2026-01-21"]) == 0
    assert runs() == before + 1
    assert NOTHING_NEW not in capfd.readouterr().out


def test_a_changed_setting_runs(done, capfd, monkeypatch):
    monkeypatch.setenv("PMO_STALE_DAYS", "30")  # 14 days behind is no longer stale
    output = assert_ran(capfd)
    assert "warning: timesheets end" not in output


def test_a_refused_run_is_followed_by_a_run(done, capfd):
    raw = done / "data" / "raw"
    raw.rename(done / "unmounted")
    before = runs()
    code, output = run(capfd)
    assert code == 1 and output.startswith("refused: the landing folder data/raw does not exist")
    assert runs() == before  # refused before Dagster
    (done / "unmounted").rename(raw)  # the very files of the recorded run are back
    assert_ran(capfd)


def test_a_run_after_a_failed_run_is_not_skipped(done, capfd):
    bad = done / "data" / "raw" / "timesheets" / "2026-01-07.csv"
    bad.write_text("entry_id,employe_id,task_id,work_date,hours\nTS3,E1,T1,2026-01-07,8\n")
    assert "The run was blocked" in assert_ran(capfd, passed=False)
    bad.unlink()  # the landing folder is as the recorded run saw it (a rejected file that is
    # taken away no longer blocks), the warehouse's bookkeeping is not
    assert_ran(capfd)
    assert_skipped(capfd)


def test_a_run_the_schedule_or_sensor_starts_clears_the_record(done, capfd):
    """The landing sensor ingests a file that blocks the gate; the file is then taken away.
    The landing folder is as the recorded run saw it, the warehouse is not (a vanished file
    keeps its rows): `pmo run` must run, not answer from the record."""
    from pipelines.defs import build_definitions
    from pipelines.runner import QUIET

    bad = done / "data" / "raw" / "timesheets" / "2026-01-08.csv"
    bad.write_text("entry_id,employee_id,task_id,work_date,hours\nTS9,E1,T1,2026-01-08,25\n")
    settings = Settings.from_env(as_of=AS_OF)
    job = build_definitions(settings).resolve_job_def("pmo_run")
    with instance(settings) as dagster:  # as the daemon would start it
        result = job.execute_in_process(run_config=QUIET, instance=dagster,
                                        raise_on_error=False)
    assert not result.success  # 25 hours in one day break a rule: blocked
    bad.unlink()
    assert "The run was blocked" in assert_ran(capfd, passed=False)


def test_a_file_landing_during_a_run_is_not_taken_as_read(done, capfd, monkeypatch):
    """The run may or may not have read it: its record would be a guess, so there is none."""
    from pipelines import runner

    real = runner.report

    def report_then_land(result, settings):  # the job is over, the record not yet written
        write_csv(done / "data" / "raw" / "timesheets" / "2026-01-07.csv",
                  [{**TIMESHEETS[0], "entry_id": "TS3", "work_date": "2026-01-07"}])
        return real(result, settings)

    monkeypatch.setattr(runner, "report", report_then_land)
    assert ("note: a landed file or the pipeline's code changed during the run, so the next "
            "run starts again") in assert_ran(capfd, "--force")
    monkeypatch.setattr(runner, "report", real)
    assert "ingested     1 rows from 1 new or changed file(s), 4 unchanged" in assert_ran(capfd)
    assert_skipped(capfd)


def test_an_export_dir_removed_or_edited_runs(done, capfd):
    published = release()
    csv = published / "kpi_project.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    assert_ran(capfd)  # the content fingerprint is unchanged: the run itself does not repair
    Path("data/exports").unlink()  # the link readers open, removed
    assert_ran(capfd)
    assert release() is not None and release() != published  # published again


def test_the_data_keyword_skips_on_the_same_day_only(done, capfd, monkeypatch):
    """'data' is the latest timesheet day or progress report on or before tomorrow:
    2026-01-06 here (the last timesheet; there are no progress reports)."""
    assert main(["run", "--as-of", "data"]) == 0
    capfd.readouterr()
    first = fastpath.inputs_fingerprint(Settings.from_env(), "data")
    assert main(["run", "--as-of", "data"]) == 0
    assert capfd.readouterr().out.startswith(
        "nothing new since the release of 2026-01-06 (same files")
    # tomorrow the same files may give another day (a future-dated row becomes a fact)
    monkeypatch.setattr(Settings, "today", lambda self: date(2099, 1, 1))
    assert fastpath.inputs_fingerprint(Settings.from_env(), "data") != first


def test_an_edited_model_changes_the_code_fingerprint(tmp_path, monkeypatch):
    """The real code fingerprint (not the frozen one above) over a copy of the models."""
    import pipelines.transform

    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    monkeypatch.setattr(pipelines.transform, "models_dir", lambda: models)
    first = CODE_FINGERPRINT()
    assert CODE_FINGERPRINT() == first
    sql = models / "marts" / "kpi_project.sql"
    sql.write_text(sql.read_text() + " ")  # one byte more
    assert CODE_FINGERPRINT() != first


def test_the_answer_imports_neither_dagster_nor_great_expectations(done):
    """A fresh process, as `pmo run` is: the skip happens before either is imported."""
    script = ("import sys\n"
              "from pipelines import fastpath\n"
              f"fastpath.code_fingerprint = lambda: {FROZEN_CODE!r}\n"
              "from pipelines.cli import main\n"
              f"code = main(['run', '--as-of', {AS_OF!r}])\n"
              "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
              "{'dagster', 'great_expectations', 'sqlglot', 'altair'})\n"
              "print('exit', code, 'imported', heavy)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.startswith(NOTHING_NEW)
    assert out.splitlines()[-1] == "exit 0 imported []"
