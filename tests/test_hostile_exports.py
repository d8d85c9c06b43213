"""Exports that are safe to open: spreadsheet formulas neutralised in CSV only, and the
quarantine published as keys and reasons, never values. Expected cells worked out by hand."""

import csv
import json

import pytest

from pipelines.checks.gate import evaluate
from pipelines.contract import ENTITIES
from pipelines.ingest.load import ingest_entity
from tests.landing import EMPLOYEES, TIMESHEETS, write_csv, write_landing
from tests.test_publish import D1, make_marts, publish

EVIL = {"P1": '=HYPERLINK("http://evil","x")', "P2": "+cmd|' /C calc'!A0", "P3": "-2+3"}


def read_csv(path):
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def evil_marts(con):
    make_marts(con, D1)
    for table in ("kpi_project", "kpi_project_history"):
        for project, name in EVIL.items():
            con.execute(f"UPDATE marts.{table} SET project_name = ? WHERE project_id = ?",
                        [name, project])
        con.execute(f"UPDATE marts.{table} SET cpi = -0.5, department = '@HR' "
                    "WHERE project_id = 'P3'")
        con.execute(f"UPDATE marts.{table} SET department = chr(9) || 'IT' WHERE project_id = 'P2'")
        con.execute(f"UPDATE marts.{table} SET department = chr(13) || 'HR' "
                    "WHERE project_id = 'P1'")
    return con


def test_formulas_get_a_leading_quote_in_csv_only(evil_marts, tmp_path):
    release = publish(evil_marts, tmp_path / "exports", D1)
    found = {r["project_id"]: (r["project_name"], r["department"], r["cpi"])
             for r in read_csv(release / "kpi_project.csv")}
    assert found == {"P1": ("'=HYPERLINK(\"http://evil\",\"x\")", "'\rHR", ""),
                     "P2": ("'+cmd|' /C calc'!A0", "'\tIT", "1.0"),
                     "P3": ("'-2+3", "'@HR", "-0.5")}  # a negative number stays a number
    history = read_csv(release / "kpi_project_history.csv")
    assert sorted(r["project_name"] for r in history) == sorted(
        ["'" + n for n in EVIL.values()] * 2)
    for source in (f"'{release}/kpi_project.parquet'", f"'{release}/kpi.duckdb'.kpi_project"):
        if source.endswith("kpi_project"):
            evil_marts.execute(f"ATTACH '{release}/kpi.duckdb' AS pub (READ_ONLY)")
            source = "pub.kpi_project"
        assert evil_marts.execute(f"SELECT project_id, project_name, department, cpi FROM {source} "
                                  "ORDER BY 1").fetchall() == [
            ("P1", EVIL["P1"], "\rHR", None), ("P2", EVIL["P2"], "\tIT", 1.0),
            ("P3", EVIL["P3"], "@HR", -0.5)]


def test_no_exported_csv_cell_starts_a_formula_unless_numeric(evil_marts, tmp_path):
    release = publish(evil_marts, tmp_path / "exports", D1)
    for path in release.glob("*.csv"):
        with path.open(newline="", encoding="utf-8-sig") as f:
            for cell in (c for row in csv.reader(f) for c in row):
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(cell)  # raises for anything but a number


def test_dictionary_says_csv_cells_are_neutralised(evil_marts, tmp_path):
    release = publish(evil_marts, tmp_path / "exports", D1)
    text = " ".join((release / "data_dictionary.md").read_text().split())
    assert ("In the `.csv` files only, a text cell that starts with `=`, `+`, `-`, `@`, a tab or "
            "a carriage return is written with a leading `'`") in text
    assert "The `.parquet` files and `kpi.duckdb` hold every value unchanged." in text


def test_quarantine_holds_only_rule_breakers_and_is_published_without_values(con, tmp_path):
    """One 30 h and one -4 h row beside a valid 7.5 h row of the same employee and day: only
    the two break a rule; the valid row stays (the 24 h rule judges 7.5 h only)."""
    root = write_landing(tmp_path / "raw")
    write_csv(root / "timesheets" / "2026-01-07.csv", [
        {**TIMESHEETS[1], "entry_id": "TS3", "hours": "30"},
        {**TIMESHEETS[1], "entry_id": "=TS4", "hours": "-4"}])
    write_csv(root / "employees.csv", [EMPLOYEES[0], {**EMPLOYEES[1], "hourly_cost": "-1"}])
    for e in ENTITIES.values():
        ingest_entity(con, root, e)
    verdicts = {e.name: evaluate(con, e, 0.5) for e in ENTITIES.values()}
    assert {n: (v.passed, v.quarantined) for n, v in verdicts.items() if v.bad_rows} == {
        "timesheets": (True, 2), "employees": (True, 1)}
    assert con.execute("SELECT entry_id FROM raw.timesheets_current ORDER BY 1").fetchall() == [
        ("TS1",), ("TS2",)]

    make_marts(con, D1)
    release = publish(con, tmp_path / "exports", D1)
    expected = [("employees", "employees.csv", 3, "E2", "hourly_cost", "hourly_cost >= 0 and <= 1e+09"),
                ("timesheets", "timesheets/2026-01-07.csv", 2, "TS3", "hours",
                 "hours > 0 and <= 24"),
                ("timesheets", "timesheets/2026-01-07.csv", 3, "=TS4", "hours",
                 "hours > 0 and <= 24")]
    assert con.execute(f"SELECT * FROM '{release}/quarantine.parquet'").fetchall() == expected
    assert [tuple(r.values()) for r in read_csv(release / "quarantine.csv")] == [
        tuple(str(v) for v in row[:3]) + (("'" if row[3] == "=TS4" else "") + row[3], *row[4:])
        for row in expected]
    manifest = json.loads((release / "release.json").read_text())
    assert manifest["quarantine"] == {"employees": {"hourly_cost >= 0 and <= 1e+09": 1},
                                      "timesheets": {"hours > 0 and <= 24": 2}}
    cells = {c for r in read_csv(release / "quarantine.csv") for c in r.values()}
    assert not cells & {"-1", "-1.0", "30", "30.0", "-4", "-4.0", "'-1", "'-4"}  # no values
    everything = b"".join(p.read_bytes() for p in release.iterdir())
    assert not [p for p in ("Alan Turing", "Ada Lovelace", "ada@example.org")
                if p.encode() in everything]


def test_no_quarantine_means_no_quarantine_files(evil_marts, tmp_path):
    release = publish(evil_marts, tmp_path / "exports", D1)
    assert not list(release.glob("quarantine.*"))
    assert json.loads((release / "release.json").read_text())["quarantine"] == {}
