"""mapping.yaml: any CSV/XLSX file read as a contract entity."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.landing import read_strings
from pipelines.ingest.readers import ExportFault
from pipelines.ingest.readers.mapping import MappingError, Source, load_mapping, read_mapped, \
    sources_for

HERE = Path(__file__).parent.parent / "fixtures" / "mapping"
LANDING = HERE / "landing"


def write_mapping(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mapping.yaml").write_text(text)
    return root


def test_german_hr_export_reads_as_the_canonical_file():
    """The acceptance case: `;`, decimal comma with thousands dots, dd.mm.yyyy, cp1252 with
    umlauts and German headers give the very frame the canonical employees.csv gives."""
    found = sources_for(LANDING, load_mapping(LANDING))
    assert [p.relative_to(LANDING).as_posix() for p in found] == ["hr_export/mitarbeiter.csv"]
    (path, source), = found.items()
    mapped = read_mapped(path, source).tables["employees"]
    canonical = read_strings(HERE / "canonical" / "employees.csv")
    columns = [c for c in canonical.columns if c != "_row"]
    assert mapped.select(columns).equals(canonical.select(columns))
    assert mapped["_row"].to_list() == canonical["_row"].cast(pl.Int64).to_list()
    assert mapped["_ref"].to_list() == ["line 2", "line 3", "line 4"]
    assert "Bemerkung" not in mapped.columns  # unmapped columns are dropped
    assert mapped["full_name"].to_list()[0] == "Jürgen Müller"
    assert mapped["hourly_cost"].to_list() == ["1234.50", "78.25", "64"]


def test_no_mapping_file_means_no_sources(tmp_path):
    assert load_mapping(tmp_path) == []


@pytest.mark.parametrize(("yaml_text", "problem"), [
    ("sources:\n  - files: 'a/*.csv'\n    entity: staff\n    columns: {employee_id: Nr}\n",
     "unknown entity 'staff'"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    columns: {salary: Gehalt}\n",
     "'salary' is not a column of employees"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    delimiter: ';;'\n"
     "    columns: {employee_id: Nr}\n", "bad delimiter"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    encoding: klingon\n"
     "    columns: {employee_id: Nr}\n", "unknown encoding 'klingon'"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    sep: ';'\n"
     "    columns: {employee_id: Nr}\n", "unknown key(s) 'sep'"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    decimal: ','\n"
     "    delimiter: ','\n    columns: {employee_id: Nr}\n", "the decimal mark and the delimiter"),
    ("sources:\n  - files: 'a/*.csv'\n    entity: employees\n    date_format: '%d.%m'\n"
     "    columns: {employee_id: Nr}\n", "bad date_format"),
    ("sources:\n  - files: '../b/*.csv'\n    entity: employees\n    columns: {employee_id: Nr}\n",
     "inside the landing folder"),
])
def test_mapping_mistakes_name_the_file_and_the_source(tmp_path, yaml_text, problem):
    root = write_mapping(tmp_path, "sources:\n  - files: 'ok/*.csv'\n    entity: skills\n"
                                   "    columns: {employee_id: Nr, skill: Skill}\n"
                         + yaml_text.removeprefix("sources:\n"))
    with pytest.raises(MappingError) as error:
        load_mapping(root)
    message = str(error.value)
    assert str(root / "mapping.yaml") in message
    assert "source 2" in message
    assert problem in message


def test_unknown_top_level_key(tmp_path):
    root = write_mapping(tmp_path, "source:\n  - files: x\n")
    with pytest.raises(MappingError, match="unknown key.*source"):
        load_mapping(root)


def test_a_file_matched_by_two_sources_is_an_error(tmp_path):
    root = write_mapping(tmp_path, (
        "sources:\n"
        "  - {files: 'hr/*.csv', entity: employees, columns: {employee_id: Nr}}\n"
        "  - {files: 'hr/2024*.csv', entity: leave, columns: {employee_id: Nr}}\n"))
    (root / "hr").mkdir()
    (root / "hr" / "2024_staff.csv").write_text("Nr\n1\n")
    (root / "hr" / "old.csv").write_text("Nr\n1\n")
    with pytest.raises(MappingError, match=r"hr/2024_staff.csv is matched by source 1 .* source 2"):
        sources_for(root, load_mapping(root))


def test_a_mapped_column_the_file_lacks(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Nr,Bezeichnung\nA,Alpha\n")
    source = Source(1, "*.csv", "projects", {"project_id": "Nr", "budget": "Budget"})
    with pytest.raises(ExportFault, match="column 'Budget' \\(mapped to budget .*'Nr', "
                                          "'Bezeichnung'"):
        read_mapped(path, source)


def test_numbers_dates_and_lines(tmp_path):
    path = tmp_path / "projekte.csv"
    path.write_text(
        "Nr;Name;Budget;Start;Ende\n"
        "A;\"Ausbau 1.234,50\";1.234,50;01.02.2024;30.06.2024\n"
        "B;\"mehr-\nzeilig\";-12,5;2024-03-01;irgendwann\n"
        "C;Leer;;;\n", encoding="utf-8")
    source = Source(1, "*.csv", "projects",
                    {"project_id": "Nr", "project_name": "Name", "budget": "Budget",
                     "start_date": "Start", "planned_end_date": "Ende"},
                    delimiter=";", decimal=",", date_format="%d.%m.%Y")
    df = read_mapped(path, source).tables["projects"]
    assert df.columns == ["project_id", "project_name", "start_date", "planned_end_date",
                          "budget", "_row", "_ref"]  # contract order
    assert df.rows() == [
        ("A", "Ausbau 1.234,50", "2024-02-01", "2024-06-30", "1234.50", 1, "line 2"),
        # ISO or unreadable text stays as written, for the type check to report
        ("B", "mehr-\nzeilig", "2024-03-01", "irgendwann", "-12.5", 2, "line 3"),
        ("C", "Leer", None, None, None, 3, "line 5"),
    ]


def test_integer_columns_and_point_decimals(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("Person,Skill,Level\nE1,SQL,3\n")
    source = Source(1, "*.csv", "skills", {"employee_id": "Person", "skill": "Skill",
                                           "level": "Level"})
    assert read_mapped(path, source).tables["skills"].row(0)[:3] == ("E1", "SQL", "3")
    path.write_text("Nr,Budget\nA,\"1,234.50\"\n")
    source = Source(1, "*.csv", "projects", {"project_id": "Nr", "budget": "Budget"})
    assert read_mapped(path, source).tables["projects"]["budget"].to_list() == ["1234.50"]


def test_wrong_encoding_is_a_fault(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("Nr;Name\n1;M\xfcller\n".encode("cp1252"))
    source = Source(1, "*.csv", "employees", {"employee_id": "Nr"}, delimiter=";")
    with pytest.raises(ExportFault, match="not valid utf-8 text"):
        read_mapped(path, source)


def test_xlsx(tmp_path):
    path = tmp_path / "personal.xlsx"
    pl.DataFrame({
        "Personalnummer": ["P-1", "P-2"],
        "Eintritt": [date(2020, 1, 15), date(2021, 7, 1)],       # typed dates
        "Austritt": ["31.12.2023", None],                          # dates typed as text
        "Stundensatz": [1234.5, 80.0],                              # typed numbers: never
        "Wochenstunden": ["38,5", "40"],                            # decimal-comma'd
    }).write_excel(path)
    source = Source(1, "*.xlsx", "employees",
                    {"employee_id": "Personalnummer", "hire_date": "Eintritt",
                     "termination_date": "Austritt", "hourly_cost": "Stundensatz",
                     "weekly_capacity_hours": "Wochenstunden"},
                    decimal=",", date_format="%d.%m.%Y")
    df = read_mapped(path, source).tables["employees"]
    assert df.rows() == [("P-1", "2020-01-15", "2023-12-31", "1234.5", "38.5", 1, "row 2"),
                         ("P-2", "2021-07-01", None, "80.0", "40", 2, "row 3")]
