"""CSV exports that open cleanly in spreadsheets: UTF-8 with a byte-order mark, money to cents,
ratios to 4 decimals, ISO dates, an optional `;`/decimal-comma dialect; Parquet and kpi.duckdb
keep every value at full precision. Expected cells worked out by hand."""

import csv
from datetime import date

import pytest

from pipelines.publish.release import PublishError
from pipelines.settings import Settings, SettingsError
from tests.test_publish import D1, make_marts, publish

NAME = "Müller & Søn – Zürich 東京"


@pytest.fixture
def marts(con):
    """make_marts' three projects (P1 cpi NULL, P2 cpi 1.0000000000000002, P3 spi 1/3) with a
    non-ASCII name and a money column (bac: currency in schema.yml) with float noise."""
    make_marts(con, D1)
    con.execute("ALTER TABLE marts.kpi_project ADD COLUMN bac DOUBLE")
    con.execute("UPDATE marts.kpi_project SET project_name = ? WHERE project_id = 'P1'", [NAME])
    con.execute("UPDATE marts.kpi_project SET bac = 50343.70250000001 WHERE project_id = 'P1'")
    con.execute("UPDATE marts.kpi_project SET bac = -0.004 WHERE project_id = 'P2'")
    con.execute("UPDATE marts.kpi_project SET bac = 1234567.125 WHERE project_id = 'P3'")
    return con


def read(path, delimiter=","):
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def test_csv_has_a_bom_rounds_by_unit_and_writes_iso_dates(marts, tmp_path):
    release = publish(marts, tmp_path / "exports", D1)
    raw = (release / "kpi_project.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfproject_id,project_name,department,as_of,cpi,spi,")
    assert NAME.encode("utf-8") in raw  # UTF-8, not a legacy code page
    rows = {r["project_id"]: r for r in read(release / "kpi_project.csv")}
    # money (bac, currency): cents with two decimals; -0.004 rounds to 0.00, not -0.00;
    # 1234567.125 (exact in binary) rounds half away from zero
    assert [rows[p]["bac"] for p in ("P1", "P2", "P3")] == ["50343.70", "0.00", "1234567.13"]
    # ratios: 4 decimals (0.8 + 2/10 = 1.0000000000000002 -> 1.0; 1/3 -> 0.3333); null stays empty
    assert [rows[p]["cpi"] for p in ("P1", "P2", "P3")] == ["", "1.0", "1.1"]
    assert [rows[p]["spi"] for p in ("P1", "P2", "P3")] == ["1.0", "0.5", "0.3333"]
    assert {r["as_of"] for r in rows.values()} == {"2026-03-01"}  # ISO date
    assert rows["P1"]["project_name"] == NAME
    assert [rows[p]["tasks_total"] for p in ("P1", "P2", "P3")] == ["10", "20", "30"]  # integers


def test_non_ascii_name_round_trips_through_csv_parquet_and_duckdb(marts, tmp_path):
    release = publish(marts, tmp_path / "exports", D1)
    csv_file, parquet, kpi = (release / f for f in
                              ("kpi_project.csv", "kpi_project.parquet", "kpi.duckdb"))
    query = "SELECT project_name, bac, spi FROM {} WHERE project_id = 'P1'"
    # DuckDB's CSV reader skips the byte-order mark: the header and the name come back whole
    assert marts.execute(query.format(f"read_csv('{csv_file}')")).fetchone() == (
        NAME, 50343.70, 1.0)
    assert marts.execute(f"SELECT * FROM read_csv('{csv_file}') LIMIT 0").description[0][0] == \
        "project_id"
    # Parquet and kpi.duckdb: every value as the warehouse holds it, at full precision
    assert marts.execute(query.format(f"'{parquet}'")).fetchone() == (NAME, 50343.70250000001, 1.0)
    marts.execute(f"ATTACH '{kpi}' AS pub (READ_ONLY)")
    assert marts.execute(query.format("pub.kpi_project")).fetchone() == (
        NAME, 50343.70250000001, 1.0)
    assert marts.execute(query.replace("'P1'", "'P3'").format("pub.kpi_project")).fetchone() == (
        "Project 3", 1234567.125, 1 / 3)


def test_excel_eu_dialect_uses_semicolons_and_decimal_commas(marts, tmp_path):
    release = publish(marts, tmp_path / "exports", D1, csv_dialect="excel-eu")
    lines = (release / "kpi_project.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("project_id;project_name;department;as_of;cpi;spi;")
    rows = {r["project_id"]: r for r in read(release / "kpi_project.csv", delimiter=";")}
    assert [rows[p]["bac"] for p in ("P1", "P2", "P3")] == ["50343,70", "0,00", "1234567,13"]
    assert [rows[p]["spi"] for p in ("P1", "P2", "P3")] == ["1,0", "0,5", "0,3333"]
    assert rows["P1"]["project_name"] == NAME and rows["P1"]["as_of"] == "2026-03-01"
    portfolio = read(release / "kpi_portfolio.csv", delimiter=";")
    assert [(r["department"], r["portfolio_cpi"]) for r in portfolio] == [("IT", "0,93"),
                                                                          ("ALL", "")]


def test_formula_guard_still_applies_with_the_bom_and_either_dialect(marts, tmp_path):
    marts.execute("UPDATE marts.kpi_project SET project_name = '=1+1' WHERE project_id = 'P2'")
    for dialect, sep in (("excel", ","), ("excel-eu", ";")):
        release = publish(marts, tmp_path / dialect, D1, csv_dialect=dialect)
        names = {r["project_id"]: r["project_name"]
                 for r in read(release / "kpi_project.csv", delimiter=sep)}
        assert names == {"P1": NAME, "P2": "'=1+1", "P3": "Project 3"}


def test_csv_dialect_is_validated(marts, tmp_path):
    assert Settings.load({}).csv_dialect == "excel"
    assert Settings.load({"PMO_CSV_DIALECT": "Excel-EU"}).csv_dialect == "excel-eu"
    with pytest.raises(SettingsError) as error:
        Settings.load({"PMO_CSV_DIALECT": "excel-us"})
    assert str(error.value) == ("PMO_CSV_DIALECT: 'excel-us' is not allowed; expected one of "
                                "excel, excel-eu")
    with pytest.raises(PublishError):
        publish(marts, tmp_path / "exports", date(2026, 3, 1), csv_dialect="tsv")
