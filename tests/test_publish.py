"""Publishing: complete releases in every format, the data dictionary, no personal data, and an
atomic switch that readers in other processes and crashes of the publisher cannot break."""

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

import pipelines.publish.release as publish_module
from pipelines.contract import ENTITIES
from pipelines.publish.dictionary import UndocumentedColumnsError, data_dictionary, load_docs
from pipelines.ingest.load import ingest_entity
from pipelines.transform.models import build_all
from pipelines.publish.release import (PARTIAL, PERSONAL_COLUMNS, PersonalDataError, PublishError,
                               current_release, releases_dir)
from pipelines.settings import KpiParams
from tests.landing import write_landing

ROOT = Path(__file__).resolve().parent.parent
D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
TABLES = ["kpi_portfolio", "kpi_project", "kpi_project_history"]


def make_marts(con, as_of: date, projects: int = 3) -> None:
    """A tiny warehouse: KPI tables in marts, plus tables that must never be exported."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS staging")
    con.execute(f"""
        CREATE OR REPLACE TABLE marts.kpi_project AS
        SELECT 'P' || i AS project_id, 'Project ' || i AS project_name,
               CASE WHEN i % 2 = 0 THEN 'IT' ELSE 'HR' END AS department,
               DATE '{as_of}' AS as_of,
               CASE WHEN i = 1 THEN NULL ELSE 0.8 + i / 10 END AS cpi,
               1.0 / i AS spi, CASE WHEN i = 1 THEN 'unknown' ELSE 'green' END AS health,
               CASE WHEN i = 2 THEN true END AS on_time, (i * 10)::BIGINT AS tasks_total,
               sum(i) OVER (ORDER BY i) AS "at"  -- HUGEINT, as the real model makes it
        FROM range(1, {projects + 1}) AS r(i)""")
    con.execute("""CREATE OR REPLACE TABLE marts.kpi_project_history AS
                   SELECT * FROM marts.kpi_project
                   UNION ALL SELECT * REPLACE (as_of - 1 AS as_of) FROM marts.kpi_project""")
    con.execute(f"""CREATE OR REPLACE TABLE marts.kpi_portfolio AS
                    SELECT * FROM (VALUES ('IT', DATE '{as_of}', 2::BIGINT, 0.93::DOUBLE),
                                          ('ALL', DATE '{as_of}', 3::BIGINT, NULL::DOUBLE))
                    AS t(department, as_of, projects_active, portfolio_cpi)""")
    con.execute("CREATE OR REPLACE TABLE marts._scratch AS SELECT 1 AS x")
    con.execute("""CREATE OR REPLACE TABLE staging.stg_employees AS
                   SELECT 'E1' AS employee_id, 'Ada Lovelace' AS full_name, 50.0 AS hourly_cost""")


def plain_report(kpi_duckdb: Path) -> str:
    """These tests exercise publishing with made-up tables; the real report (which needs the
    real KPI tables) is checked where the real models run (tests/test_run.py, notebooks)."""
    return "<html>report</html>"


def publish(*args, **kwargs) -> Path:
    """The report renderer is the caller's (the Dagster wiring); here, a plain one."""
    return publish_module.publish(*args, **{"render_report": plain_report, **kwargs})


@pytest.fixture
def wh(con):
    make_marts(con, D1)
    return con


@pytest.fixture
def export_dir(tmp_path):
    return tmp_path / "data" / "exports"


def rows(con, sql):
    return con.execute(f"{sql} ORDER BY ALL").fetchall()


def marts_columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = "
                       "'marts' AND table_name = ? ORDER BY column_index", [table]).fetchall()


def snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_every_table_is_exported_in_every_format_with_equal_values(wh, export_dir):
    release = publish(wh, export_dir, D1)

    assert current_release(export_dir) == release
    assert export_dir.is_symlink() and os.readlink(export_dir) == f"exports.releases/{release.name}"
    assert sorted(p.name for p in export_dir.iterdir()) == sorted(
        [f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")]
        + ["kpi.duckdb", "data_dictionary.json", "data_dictionary.md", "report.html",
           "release.json"])
    header = (export_dir / "kpi.duckdb").read_bytes()[:20]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64  # 1.x opens it

    with duckdb.connect(str(export_dir / "kpi.duckdb"), read_only=True) as pub:
        assert rows(pub, "SELECT table_name FROM duckdb_tables()") == [(t,) for t in TABLES]
        for t in TABLES:
            expected = rows(wh, f"SELECT * FROM marts.{t}")
            types = dict(marts_columns(wh, t))
            assert len(expected) in (2, 3, 6)
            assert rows(pub, f"SELECT * FROM {t}") == expected
            assert dict(pub.execute(f"SELECT column_name, data_type FROM duckdb_columns() "
                                    f"WHERE table_name = '{t}'").fetchall()) == types
            assert rows(wh, f"SELECT * FROM '{export_dir / t}.parquet'") == expected
            # CSV rounds ratios to 4 decimals (schema.yml units); every other value is equal
            rounded = [c for c in ("cpi", "spi") if c in types]
            csv_expected = rows(wh, f"SELECT * REPLACE ({', '.join(f'round({c}, 4) AS {c}' for c in rounded)}) "
                                    f"FROM marts.{t}") if rounded else expected
            assert rows(wh, f"SELECT * FROM read_csv('{export_dir / t}.csv', header = true, "
                            f"columns = {types})") == csv_expected
    assert ("P1", "Project 1", "HR", D1, None, 1.0, "unknown", None, 10, 1) in rows(
        wh, f"SELECT * FROM '{export_dir}/kpi_project.parquet'")

    manifest = json.loads((export_dir / "release.json").read_text())
    assert manifest["as_of"] == "2026-03-01" and manifest["storage_version"] == "v1.0.0"
    assert manifest["tables"] == {"kpi_portfolio": {"rows": 2}, "kpi_project": {"rows": 3},
                                  "kpi_project_history": {"rows": 6}}
    assert {n: f["sha256"] for n, f in manifest["files"].items()} == {
        n: h for n, h in snapshot(export_dir).items() if n != "release.json"}


def test_dictionary_documents_every_column_with_type_and_meaning(wh, export_dir):
    publish(wh, export_dir, D1)
    dictionary = json.loads((export_dir / "data_dictionary.json").read_text())

    assert dictionary["as_of"] == "2026-03-01" and list(dictionary["tables"]) == TABLES
    for t, doc in dictionary["tables"].items():
        assert doc["description"] and doc["grain"]
        assert [(c["name"], c["type"]) for c in doc["columns"]] == marts_columns(wh, t)
        assert all(c["description"] for c in doc["columns"])
    project = {c["name"]: c for c in dictionary["tables"]["kpi_project"]["columns"]}
    assert project["cpi"]["type"] == "DOUBLE" and project["cpi"]["unit"] == "ratio"
    assert project["cpi"]["formula"].startswith("EV / AC")
    assert project["at"] == {"name": "at", "type": "HUGEINT", "unit": "working days",
                             "description": "Actual time elapsed.", "formula": "wd(start_date, D)"}
    history = {c["name"]: c for c in dictionary["tables"]["kpi_project_history"]["columns"]}
    assert history["cpi"] == project["cpi"]  # inherited with columns_like
    assert history["as_of"]["description"] != project["as_of"]["description"]

    markdown = (export_dir / "data_dictionary.md").read_text()
    assert "## kpi_portfolio" in markdown and "As of 2026-03-01" in markdown
    assert "| `portfolio_cpi` | DOUBLE | ratio | Cost performance index of the active projects. | " \
           "sum(EV) / sum(AC) over active projects whose AC is known |" in markdown
    with duckdb.connect(str(export_dir / "kpi.duckdb"), read_only=True) as pub:
        assert pub.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'kpi_project' "
                           "AND column_name = 'cpi'").fetchone()[0] == project["cpi"]["description"]


def test_undocumented_column_fails_publishing_and_names_it(wh, export_dir):
    first = publish(wh, export_dir, D1)
    wh.execute("ALTER TABLE marts.kpi_portfolio ADD COLUMN mystery_metric DOUBLE")
    wh.execute("CREATE TABLE marts.kpi_new AS SELECT 1 AS x")

    with pytest.raises(UndocumentedColumnsError) as error:
        publish(wh, export_dir, D2)
    assert "kpi_portfolio.mystery_metric" in str(error.value)
    assert "kpi_new (table description), kpi_new.x" in str(error.value)
    assert "kpi_portfolio.department" not in str(error.value)
    assert current_release(export_dir) == first
    assert sorted(p.name for p in releases_dir(export_dir).iterdir()) == [".lock", first.name]
    with pytest.raises(UndocumentedColumnsError, match="kpi_portfolio.mystery_metric"):
        data_dictionary(wh, ["kpi_portfolio"])


def test_malformed_docs_entry_is_an_error(tmp_path):
    docs = tmp_path / "schema.yml"
    docs.write_text("models:\n  - name: t\n    columns:\n"
                    "      - {name: a, description: Cost, in currency, unit: currency}\n")
    with pytest.raises(ValueError, match="t.a: malformed entry"):
        load_docs(docs)


@pytest.mark.parametrize("column", ["full_name", "email", "hourly_cost", "Email"])
def test_personal_column_refuses_to_publish(wh, export_dir, column):
    assert PERSONAL_COLUMNS == {"full_name", "email", "hourly_cost"}  # from contract.yaml
    wh.execute(f"CREATE TABLE marts.kpi_people AS SELECT 'E1' AS employee_id, 'x' AS \"{column}\"")

    with pytest.raises(PersonalDataError, match=f"kpi_people.{column}"):
        publish(wh, export_dir, D1)
    assert not export_dir.exists() and not releases_dir(export_dir).exists()


def test_only_kpi_tables_of_marts_are_published(wh, export_dir):
    for tables in (["stg_employees"], ["_scratch"], ["kpi_nope"], []):
        with pytest.raises(PublishError):
            publish(wh, export_dir, D1, tables=tables)
    publish(wh, export_dir, D1, tables=["kpi_portfolio"])
    assert json.loads((export_dir / "release.json").read_text())["tables"] == {
        "kpi_portfolio": {"rows": 2}}


def test_failed_publish_leaves_previous_set_untouched(wh, export_dir, monkeypatch):
    first = publish(wh, export_dir, D1)
    before = snapshot(export_dir)
    make_marts(wh, D2, projects=4)

    def fail_after_parquet(con, work, csv_dialect="excel"):
        # kpi.duckdb and every table's Parquet and CSV are written: the disk fills up then
        written = sorted(p.name for p in work.glob("*.parquet"))
        assert written == [f"{t}.parquet" for t in TABLES] and (work / "kpi.duckdb").exists()
        raise RuntimeError("disk full")

    write_quarantine = publish_module._write_quarantine
    monkeypatch.setattr(publish_module, "_write_quarantine", fail_after_parquet)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(wh, export_dir, D2)

    assert current_release(export_dir) == first
    assert snapshot(export_dir) == before
    left = sorted(p.name for p in releases_dir(export_dir).glob("2*"))
    assert left[0] == first.name and left[1].endswith(PARTIAL) and len(left) == 2
    monkeypatch.setattr(publish_module, "_write_quarantine", write_quarantine)
    second = publish(wh, export_dir, D2)  # and removes the abandoned partial release
    assert sorted(p.name for p in releases_dir(export_dir).glob("2*")) == [first.name, second.name]


KILLER = """
import os, signal, sys
from datetime import date
from pathlib import Path
import duckdb
import pipelines.publish.release as p

render = lambda kpi: "<html>report</html>"  # made-up tables: see plain_report


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv[3]
if point == "writing":
    p._write_duckdb = die  # parquet and csv files are written, kpi.duckdb is not
elif point == "switching":
    p.os.replace = die  # the new release and the temporary link exist, the switch does not
elif point == "cleaning":
    p._clean = die  # switched, old releases not yet cleaned
p.publish(duckdb.connect(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[4]),
          render_report=render)
"""


def assert_complete(export_dir: Path, as_of: date) -> None:
    """Every file release.json lists is there, unchanged, and kpi.duckdb holds that as_of."""
    manifest = json.loads((export_dir / "release.json").read_text())
    assert manifest["as_of"] == as_of.isoformat()
    assert {n: f["sha256"] for n, f in manifest["files"].items()} == {
        n: h for n, h in snapshot(export_dir).items() if n != "release.json"}
    with duckdb.connect(str(export_dir / "kpi.duckdb"), read_only=True) as pub:
        assert pub.execute("SELECT max(as_of) FROM kpi_project").fetchone()[0] == as_of


@pytest.mark.parametrize("point, survivor", [("writing", D1), ("switching", D1), ("cleaning", D2)])
def test_killed_publisher_leaves_one_whole_set(tmp_path, export_dir, point, survivor):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        make_marts(con, D1)
        first = publish(con, export_dir, D1)
        make_marts(con, D2, projects=4)

    killed = subprocess.run([sys.executable, "-c", KILLER, str(warehouse), str(export_dir), point,
                             D2.isoformat()], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9, killed.stderr

    assert (current_release(export_dir) == first) == (survivor == D1)
    assert_complete(export_dir, survivor)
    with duckdb.connect(str(warehouse)) as con:  # the next publish cleans up what the kill left
        publish(con, export_dir, D2)
    assert_complete(export_dir, D2)
    assert not list(releases_dir(export_dir).glob(f"*{PARTIAL}"))
    assert not list(export_dir.parent.glob(".exports.switch-*"))


def test_only_the_last_three_releases_are_kept(wh, export_dir):
    published = [publish(wh, export_dir, date(2026, 3, day)) for day in range(1, 6)]
    assert sorted(p.name for p in releases_dir(export_dir).iterdir()) == [
        ".lock", *[p.name for p in published[-3:]]]
    assert current_release(export_dir) == published[-1]


READER = """
import sys
import duckdb
query = "SELECT max(as_of)::VARCHAR, count(*) FROM kpi_project"
held = duckdb.connect(sys.argv[1], read_only=True)
print(*held.execute(query).fetchone(), flush=True)
sys.stdin.readline()  # the test publishes meanwhile
print(*held.execute(query).fetchone(), flush=True)
fresh = duckdb.connect(sys.argv[1], read_only=True)
print(*fresh.execute(query).fetchone(), flush=True)
"""


def test_reader_in_another_process_is_neither_blocked_nor_broken(wh, export_dir):
    publish(wh, export_dir, D1)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(export_dir / "kpi.duckdb")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().split() == ["2026-03-01", "3"]
        make_marts(wh, D2, projects=4)
        publish(wh, export_dir, D2)  # while the reader holds the published file open
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["2026-03-01", "3"]  # its connection still works
        assert reader.stdout.readline().split() == ["2026-03-02", "4"]  # a new one sees the new set
        assert reader.wait(timeout=30) == 0
    finally:
        reader.kill()


def test_first_publish_onto_a_missing_dir(wh, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export_dir = Path("data/exports")  # relative, as PMO_EXPORT_DIR defaults
    assert current_release(export_dir) is None and not export_dir.parent.exists()
    release = publish(wh, export_dir, D1)
    assert release == tmp_path / "data" / "exports.releases" / release.name
    assert current_release(export_dir) == release and (export_dir / "kpi_project.csv").is_file()


def test_first_publish_replaces_an_empty_plain_dir(wh, export_dir):
    export_dir.mkdir(parents=True)
    release = publish(wh, export_dir, D1)
    assert current_release(export_dir) == release
    assert not list(releases_dir(export_dir).glob("legacy-*"))


def test_first_publish_moves_a_user_dir_aside_and_keeps_it(wh, export_dir, caplog):
    (export_dir / "mine").mkdir(parents=True)
    (export_dir / "notes.txt").write_text("keep me")
    (export_dir / "mine" / "old.csv").write_text("a,b\n1,2\n")

    publish(wh, export_dir, D1)
    [legacy] = releases_dir(export_dir).glob("legacy-*")
    assert (legacy / "notes.txt").read_text() == "keep me"
    assert (legacy / "mine" / "old.csv").read_text() == "a,b\n1,2\n"
    assert f"moved it to {legacy}" in caplog.text
    assert export_dir.is_symlink() and not (export_dir / "notes.txt").exists()
    for day in range(2, 6):  # retention never deletes user files
        publish(wh, export_dir, date(2026, 3, day))
    assert (legacy / "notes.txt").read_text() == "keep me"


def test_a_file_in_place_of_the_export_dir_is_refused(wh, export_dir):
    export_dir.parent.mkdir(parents=True)
    export_dir.write_text("not a directory")
    with pytest.raises(PublishError, match="is a file"):
        publish(wh, export_dir, D1)
    assert export_dir.read_text() == "not a directory"


def test_the_real_kpi_models_publish_fully_documented(con, tmp_path):
    """Every column the SQL models in models/marts produce is in models/marts/schema.yml."""
    write_landing(tmp_path / "raw")
    for entity in ENTITIES.values():
        ingest_entity(con, tmp_path / "raw", entity)
    build_all(con, KpiParams(as_of=date(2026, 2, 2)).as_variables())

    release = publish(con, tmp_path / "exports", date(2026, 2, 2))
    marts = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                       "WHERE schema_name = 'marts'").fetchall()}
    assert {"kpi_project", "kpi_portfolio"} <= marts
    manifest = json.loads((release / "release.json").read_text())
    assert set(manifest["tables"]) == {t for t in marts if not t.startswith("_")}
    assert manifest["tables"]["kpi_project"] == {"rows": 1}


def test_dictionary_documents_the_input_contract_from_contract_yaml(wh, export_dir):
    publish(wh, export_dir, D1)
    inputs = json.loads((export_dir / "data_dictionary.json").read_text())["inputs"]
    assert set(inputs) == set(ENTITIES)
    hours = next(c for c in inputs["timesheets"]["columns"] if c["name"] == "hours")
    assert hours["rules"] == ["hours is required", "hours > 0 and <= 24"]
    email = next(c for c in inputs["employees"]["columns"] if c["name"] == "email")
    assert email["personal"] is True
    markdown = (export_dir / "data_dictionary.md").read_text()
    assert "| `hourly_cost` (personal) | decimal | hourly_cost is required; hourly_cost >= 0 and <= 1e+09 |" in markdown
