"""Any other CSV or XLSX file, described by `mapping.yaml` at the landing folder's root.

    sources:
      - files: "hr_export/*.csv"     # glob under the landing folder
        entity: employees            # a contract entity
        delimiter: ";"               # optional; default ","
        decimal: ","                 # optional; default "."
        date_format: "%d.%m.%Y"      # optional; default ISO
        encoding: "cp1252"           # optional; default UTF-8
        sheet: "Personal"            # optional, XLSX only; default the first sheet
        columns:                     # contract column: column in the file
          employee_id: "Personalnummer"

Only mapped columns are kept (the file's other columns are dropped); decimal and integer
columns get `.` as decimal mark and lose thousands separators; date columns become ISO (a
value that does not parse stays as written, for the type check to report with its line).
See docs/formats/mapping.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl
import yaml

from pipelines.contract import ENTITIES
from pipelines.ingest.readers import Export, ExportFault
from pipelines.ingest.readers._common import frame
from pipelines.ingest.readers._text import canonical_number, cut, decode, is_encoding, \
    read_table, strptime_iso

MAPPING_FILE = "mapping.yaml"
KEYS = {"files", "entity", "delimiter", "decimal", "date_format", "encoding", "sheet", "columns"}
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx",)


class MappingError(Exception):
    """mapping.yaml cannot be used as written; the message names the file and the source."""


@dataclass(frozen=True)
class Source:
    index: int  # 1-based place in `sources`
    files: str
    entity: str
    columns: dict[str, str] = field(hash=False)
    delimiter: str = ","
    decimal: str = "."
    date_format: str | None = None
    encoding: str = "utf-8"
    sheet: str | int | None = None

    @property
    def label(self) -> str:
        return f"source {self.index} ({cut(self.files)!r})"


def _source(spec: object, index: int, where: str) -> Source:
    def fail(problem: str) -> MappingError:
        files = spec.get("files") if isinstance(spec, dict) else None
        label = f"source {index}" + (f" ({cut(files)!r})" if isinstance(files, str) else "")
        return MappingError(f"{where}: {label}: {problem}")

    if not isinstance(spec, dict):
        raise fail("must be a mapping with files, entity and columns")
    unknown = sorted(str(k) for k in spec if k not in KEYS)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: "
                   f"{', '.join(sorted(KEYS))}")
    files = spec.get("files")
    if not isinstance(files, str) or not files.strip():
        raise fail("'files' must be a glob such as \"hr_export/*.csv\"")
    if files.startswith("/") or ".." in Path(files).parts:
        raise fail("'files' must be a glob inside the landing folder")
    entity = spec.get("entity")
    if entity not in ENTITIES:
        raise fail(f"unknown entity {cut(entity)!r}; one of: {', '.join(ENTITIES)}")
    columns = spec.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("'columns' must map contract columns to the file's columns")
    known = ENTITIES[entity].column_names
    for name, source_column in columns.items():
        if name not in known:
            raise fail(f"{cut(name)!r} is not a column of {entity}; columns: {', '.join(known)}")
        if not isinstance(source_column, str) or not source_column.strip():
            raise fail(f"column {name}: the file's column must be a name (text)")
    if len({c.strip().lower() for c in columns.values()}) < len(columns):
        raise fail("two contract columns are mapped to the same column of the file")
    delimiter = spec.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n' \
            or delimiter.isalnum():
        raise fail(f"bad delimiter {cut(delimiter)!r}: one character such as \",\" \";\" "
                   "or \"\\t\", not a letter, digit, quote or line break")
    decimal = spec.get("decimal", ".")
    if decimal not in (".", ","):
        raise fail(f"bad decimal mark {cut(decimal)!r}: \".\" or \",\"")
    if decimal == delimiter:
        raise fail("the decimal mark and the delimiter are the same character")
    date_format = spec.get("date_format")
    if date_format is not None:
        if not isinstance(date_format, str) or "%" not in date_format:
            raise fail(f"bad date_format {cut(date_format)!r}: a strftime pattern such as "
                       "\"%d.%m.%Y\"")
        try:
            sample = date(2024, 11, 23)
            if datetime.strptime(sample.strftime(date_format), date_format).date() != sample:
                raise ValueError
        except ValueError:
            raise fail(f"bad date_format {cut(date_format)!r}: it does not read back the "
                       "dates it writes (needs day, month and year)") from None
    encoding = spec.get("encoding", "utf-8")
    if not isinstance(encoding, str) or not is_encoding(encoding):
        raise fail(f"unknown encoding {cut(encoding)!r}")
    sheet = spec.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        raise fail("'sheet' must be a sheet name or its number (1 = first)")
    return Source(index=index, files=files.strip(), entity=entity,
                  columns={k: v.strip() for k, v in columns.items()}, delimiter=delimiter,
                  decimal=decimal, date_format=date_format, encoding=encoding, sheet=sheet)


def load_mapping(root: Path) -> list[Source]:
    """The sources of `root/mapping.yaml`, validated; [] when there is no such file."""
    path = root / MAPPING_FILE
    if not path.is_file():
        return []
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MappingError(f"{where}: not readable as YAML: {reason}") from error
    if raw is None:
        return []
    if not isinstance(raw, dict) or set(raw) - {"sources"}:
        keys = sorted(map(str, set(raw) - {"sources"})) if isinstance(raw, dict) else []
        raise MappingError(f"{where}: the file must hold one key, 'sources' (a list)"
                           + (f"; unknown key(s): {', '.join(keys)}" if keys else ""))
    sources = raw.get("sources") or []
    if not isinstance(sources, list):
        raise MappingError(f"{where}: 'sources' must be a list")
    return [_source(spec, i, where) for i, spec in enumerate(sources, 1)]


def sources_for(root: Path, sources: list[Source]) -> dict[Path, Source]:
    """Each file under `root` matched by a source's glob, with its source. A file matched by
    two sources is an error (which one would it be?)."""
    found: dict[Path, Source] = {}
    for source in sources:
        for path in sorted(root.glob(source.files)):
            if not path.is_file() or path.name == MAPPING_FILE:
                continue
            other = found.get(path)
            if other is not None and other is not source:
                raise MappingError(
                    f"{root / MAPPING_FILE}: {path.relative_to(root).as_posix()} is matched "
                    f"by {other.label} and by {source.label}; a file may have one source only")
            found[path] = source
    return found


Cells = tuple[list[str], list[tuple[int, int, list[str]]], str]  # header, records, unit


def _cells_csv(path: Path, source: Source) -> Cells:
    text, _ = decode(path.read_bytes(), source.encoding)
    table = read_table(text, source.delimiter)
    return table.header, table.records, "line"


def _cells_xlsx(path: Path, source: Source) -> Cells:
    sheet = source.sheet
    try:
        if isinstance(sheet, str):
            df = pl.read_excel(path, sheet_name=sheet)
        else:
            df = pl.read_excel(path, sheet_id=sheet or 1)
    except Exception as error:  # noqa: BLE001 - any reader failure is the file's fault
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExportFault(f"cannot read the workbook: {cut(reason, 120)}") from error
    columns = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype in (pl.Datetime, pl.Date):
            col = col.cast(pl.Date)  # spreadsheets store dates as midnight datetimes
        # numbers typed in the workbook already use "." - mark them so no decimal comma
        # conversion touches them: strings are prefixed with "s", numbers with "n".
        prefix = "s" if dtype == pl.String else "n"
        columns.append(pl.concat_str(pl.lit(prefix), col.cast(pl.String)).alias(name))
    rows = df.select(columns).rows()
    records = [(i, i + 1, [v if v is not None else "" for v in row])
               for i, row in enumerate(rows, 1)]
    return [str(c).strip() for c in df.columns], records, "row"


def read_mapped(path: Path, source: Source) -> Export:
    """The file's rows as the source's entity: mapped columns renamed to contract names,
    values made canonical; `_row` is the data record (1 = first after the header), `_ref`
    the line (CSV, header = line 1) or the spreadsheet row."""
    entity = ENTITIES[source.entity]
    is_xlsx = path.name.lower().endswith(XLSX_SUFFIXES)
    header, records, unit = (_cells_xlsx if is_xlsx else _cells_csv)(path, source)

    exact: dict[str, list[int]] = {}
    folded: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        exact.setdefault(name, []).append(i)
        folded.setdefault(name.lower(), []).append(i)
    where: dict[str, int] = {}
    for contract_column, file_column in source.columns.items():
        found = exact.get(file_column) or folded.get(file_column.lower())
        if not found:
            shown = ", ".join(repr(cut(h)) for h in header[:30])
            raise ExportFault(f"column {cut(file_column)!r} (mapped to {contract_column} by "
                              f"mapping.yaml {source.label}) is not in the file; its columns: "
                              f"{shown}{' ...' if len(header) > 30 else ''}")
        if len(found) > 1:
            raise ExportFault(f"column {cut(file_column)!r} (mapped to {contract_column}) "
                              f"appears {len(found)} times in the header")
        where[contract_column] = found[0]

    kinds = {c: entity.column(c).type for c in where}
    rows = []
    for record, line, cells in records:
        out: dict[str, str | int | None] = {"_row": record, "_ref": f"{unit} {line}"}
        for column, index in where.items():
            value = cells[index] if index < len(cells) else ""
            typed_number = False
            if is_xlsx:
                typed_number, value = value[:1] == "n", value[1:]
            if value is None or not value.strip():
                out[column] = None
                continue
            kind = kinds[column]
            if kind in ("decimal", "integer"):
                value = value.strip() if typed_number else canonical_number(value, source.decimal)
                if kind == "integer" and value and value.endswith(".0") \
                        and value[:-2].lstrip("+-").isdigit():
                    value = value[:-2]  # a whole number a workbook stores as 3.0
            elif kind == "date" and source.date_format and not typed_number:
                value = strptime_iso(value, source.date_format)
            out[column] = value
        rows.append(out)
    ordered = [c for c in entity.column_names if c in where]
    return Export(tables={source.entity: frame(rows, ordered)})


def recognise(path: Path, head: bytes) -> bool:
    """Mapped files are found through mapping.yaml (sources_for), never by content."""
    return False

