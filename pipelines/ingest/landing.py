"""The landing folder: which files belong to an entity, and reading one into strings.

Every reader returns the same shape, whatever the format: one String column per known column
found in the file (names trimmed and lower-cased), `_row` (the 1-based data row) and, when the
file has other columns, `_extra`: those columns as one JSON object under their names. Names
starting with `_` belong to the pipeline, so an input column named `_row`, `_file` or `_x` is an
extra column like any other and never stands in for provenance; the frame's own labels are
positional placeholders until the end, so no header text can clash with them.

Every landed byte is untrusted. A CSV file is checked for encoding, line length and header
size before a parser sees it, and a refusal says what is wrong in words, with a line number but
never the content of a row (it may hold personal data).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import os
import time
import zlib
from collections.abc import Collection
from pathlib import Path

import polars as pl

FORMATS = (".csv", ".csv.gz", ".parquet", ".xlsx")
MAX_COLUMNS = 1000
MAX_LINE_BYTES = 1 << 20  # 1 MiB; also the block size of the line scan (see _scan_lines)
ECHO_CHARS = 40  # the most of any input text (a header cell, a value) a message shows

# Python's csv module (used only to read the header and to explain a parse failure) refuses
# fields over 128 KiB; a line may hold up to MAX_LINE_BYTES.
csv.field_size_limit(4 * MAX_LINE_BYTES)


class StructuralFault(Exception):
    """The file as a whole cannot be taken: unreadable, wrong encoding, missing column."""


def clip(text: object) -> str:
    """Input text as a message may show it: at most ECHO_CHARS characters, all printable."""
    return "".join(c if c.isprintable() else "?" for c in str(text)[:ECHO_CHARS])


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    return next((f for f in FORMATS if name.endswith(f)), None)


# The content hashes this process computed, by file and by what stat(2) said of the file then.
# A run needs each landing file's hash three times (the nothing-new check, ingest, and the check
# that nothing landed during the run): 5.6 s of a nightly run at the large scale when each
# hashed the 371 MB again. A hash is reused only while device, inode, size, mtime and ctime are
# all unchanged. The ctime is the kernel's: no tool can set it back (`cp -p`, `touch -d` and
# tar set the mtime and move the ctime to now). Timestamps are as coarse as the kernel's clock
# tick, so a write in the same tick as an earlier one may leave them equal: a hash is kept only
# when the file's ctime was RACY_NS before the hashing began (git's "racy" rule), and only when
# the file it read (fstat of the open file) did not change while it was read. Held in memory
# only, so one run never trusts what another process saw (on a network mount whose client
# caches attributes, a change within the cache time is then seen by the next run).
_HASHES: dict[Path, tuple[tuple[int, ...], str]] = {}
RACY_NS = 2_000_000_000


def _stat_key(st: os.stat_result) -> tuple[int, ...]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def content_hash(path: Path) -> str:
    """sha256 of a file's content: how ingest and the nothing-new check know a file (never by
    size and mtime; see pipelines/ingest/load.py). Hashed once per process while the file
    stays as it was (see _HASHES)."""
    path = Path(os.path.abspath(path))
    started = time.time_ns()
    with path.open("rb") as f:
        before = _stat_key(os.fstat(f.fileno()))
        kept = _HASHES.get(path)
        if kept is not None and kept[0] == before:
            return kept[1]
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        unchanged = _stat_key(os.fstat(f.fileno())) == before
    if unchanged and before[4] < started - RACY_NS:
        _HASHES[path] = (before, digest)
    else:
        _HASHES.pop(path, None)
    return digest


def entity_files(root: Path, entity: str) -> list[Path]:
    """`<root>/<entity>.<ext>` and every `<ext>` file at any depth under `<root>/<entity>/`,
    sorted by path (the order in which a later file wins)."""
    candidates = list(root.glob(f"{entity}.*")) + list((root / entity).rglob("*"))
    return sorted(p for p in candidates if p.is_file() and file_format(p))


def unknown_files(root: Path, entities: list[str]) -> list[str]:
    """Files in the landing folder that belong to no entity and are no tool export or mapped
    file: never read, so always reported (a misspelt `timesheet.csv` must not vanish)."""
    from pipelines.ingest import exports  # readers: only when the folder is listed

    known = {p for e in entities for p in entity_files(root, e)}
    foreign, _ = exports.find_foreign(root, known)
    known |= {f.path for f in foreign} | {root / exports.mapping.MAPPING_FILE}
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p not in known)


def broken_links(root: Path) -> list[str]:
    """Links in the landing folder whose target is not there (a share that is not mounted, a
    moved file): what they were to bring cannot be read, and a run must not pass over it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_symlink() and not p.exists())


def landing_problem(root: Path) -> str | None:
    """Why a run must not start from this landing folder, in one line; None when it may. A
    folder with a file of an entity, a tool export or a mapped file holds data."""
    from pipelines.contract import ENTITIES
    from pipelines.ingest import exports

    if not root.is_dir():
        return (f"the landing folder {root} does not exist (not mounted?); nothing was "
                "read and the published KPIs stay as they are")
    broken = broken_links(root)
    if broken:
        shown = ", ".join(clip(b) for b in broken[:5]) + (" ..." if len(broken) > 5 else "")
        return (f"{len(broken)} link(s) in the landing folder {root} lead nowhere (not "
                f"mounted?): {shown}; nothing was read and the published KPIs stay as they are")
    canonical = {p for e in ENTITIES for p in entity_files(root, e)}
    if not canonical and not exports.find_foreign(root, canonical)[0]:
        return (f"the landing folder {root} holds no file of any entity (expected "
                "<entity>.csv or <entity>/**, .csv.gz, .parquet, .xlsx, a tool export or a "
                "file mapped in mapping.yaml); the published KPIs stay as they are")
    return None


def unknown_files_message(root: Path, entities: list[str]) -> str | None:
    found = unknown_files(root, entities) if root.is_dir() else []
    if not found:
        return None
    return (f"not read: {len(found)} file(s) in {root} match no entity of the input contract "
            f"(expected <entity>.<csv|csv.gz|parquet|xlsx>, <entity>/**, a tool export or a "
            f"file mapped in mapping.yaml): "
            f"{', '.join(clip(f) for f in found[:10])}{' ...' if len(found) > 10 else ''}")


def read_strings(path: Path, known: Collection[str] | None = None) -> pl.DataFrame:
    """The file's rows as strings: the `known` columns by normalized name (every column not
    starting with `_` when None), `_row`, and `_extra` (JSON) when other columns exist."""
    fmt = file_format(path)
    starts = None
    if fmt in (".csv", ".csv.gz"):
        names, df, starts = _read_csv(path)
    elif fmt == ".parquet":
        names, df = _read_parquet(path)
    else:
        names, df = _read_xlsx(path)
    shaped = _shape(df, names, known, path.name)
    if starts is not None:  # records spanning lines: each row's own line, for the messages
        shaped = shaped.with_columns(pl.Series("_ref", [f"line {n}" for n in starts],
                                               dtype=pl.String))
    return shaped


def locate(file: str, row: int) -> str:
    """Where a data row is, as the user's editor or spreadsheet shows it (header = line 1)."""
    if file.lower().endswith(".parquet"):
        return f"row {row}"
    return f"{'row' if file.lower().endswith('.xlsx') else 'line'} {row + 1}"


def line_sql(file: str, row: str) -> str:
    """SQL for the number `locate` shows, from SQL expressions of the file and the row."""
    return f"CASE WHEN lower({file}) LIKE '%.parquet' THEN {row} ELSE {row} + 1 END"


# --- CSV ----------------------------------------------------------------------------------

def _open(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _read_csv(path: Path) -> tuple[list[str], pl.DataFrame, list[int] | None]:
    """Header names, the rows as strings, and the line each row starts on when that is not
    its number + 1 (a quoted value holds a line break); else None."""
    names, quoted, lines = _csv_header(path)
    labels = [f"c{i}" for i in range(len(names))]
    source: Path | io.BytesIO = path
    if quoted:  # polars mis-reads a quote inside a header cell and drops rows: a plain header
        source = io.BytesIO(_with_header(path, ",".join(labels)))
    try:
        # null_values "": a quoted empty cell ("", as exports that quote every cell write
        # it) is no value, like an empty one
        df = pl.read_csv(source, has_header=True, new_columns=labels, infer_schema=False,
                         encoding="utf8", null_values=[""])
    except Exception:  # noqa: BLE001 - polars' text quotes the row: find the fault ourselves
        raise StructuralFault(_diagnose(path, len(names))) from None
    if df.width != len(names):  # the parser split the header differently from csv: refuse
        raise StructuralFault(f"the header splits into {len(names)} columns by CSV quoting "
                              f"rules but {df.width} by the parser; check its quotes")
    starts = None
    if lines > df.height + 2:  # more line breaks than records (and a last, empty line)
        found = _record_lines(path)
        starts = found if len(found) == df.height else None
    return names, df, starts


def _record_lines(path: Path) -> list[int]:
    """The line each data record starts on, as Python's csv module splits the file (only for
    a file whose quoted values hold line breaks; slower than the parser)."""
    with _open(path) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        next(reader, None)  # the header, on line 1
        starts, line = [], reader.line_num + 1
        for _ in reader:
            starts.append(line)
            line = reader.line_num + 1
    return starts


def _with_header(path: Path, header: str) -> bytes:
    with _open(path) as f:
        data = f.read()
    end = data.find(b"\n")
    return header.encode() + (data[end:] if end >= 0 else b"\n")


def _csv_header(path: Path) -> tuple[list[str], bool, int]:
    """The header's cells, whether it holds a quote and the file's number of lines (line
    breaks + 1), after refusing what no parser should be given: UTF-16, a line over
    MAX_LINE_BYTES, more than MAX_COLUMNS columns, a header that is one `;`-joined cell."""
    try:
        head, lines = _scan_lines(path)
    except (OSError, EOFError, zlib.error) as error:  # also a broken .gz
        raise StructuralFault(f"cannot read the file ({type(error).__name__})") from None
    try:
        text = head.decode("utf-8-sig").rstrip("\r")  # a UTF-8 byte-order mark is fine
    except UnicodeDecodeError:
        raise StructuralFault(_not_utf8(1)) from None
    if not text.strip():
        raise StructuralFault("the first line is empty: expected a header naming the columns")
    try:
        cells = next(csv.reader([text], strict=True))
    except csv.Error:
        raise StructuralFault("unclosed quote starting on line 1 (the header; its cells "
                              "must fit on that line)") from None
    if len(cells) > MAX_COLUMNS:
        raise StructuralFault(f"the header has {len(cells)} columns; at most {MAX_COLUMNS} "
                              "are read")
    if len(cells) == 1:
        for mark, word in ((";", "`;`"), ("\t", "a tab")):
            if mark in cells[0]:
                raise StructuralFault(
                    f"the delimiter looks like {word}: the header is one column holding "
                    f"{word}; write `,` between fields and `.` as the decimal mark")
    return cells, '"' in text, lines


def _scan_lines(path: Path) -> tuple[bytes, int]:
    """The first line's bytes and the number of lines (line breaks + 1); refuses UTF-16,
    lines ended by a carriage return alone, a NUL byte and any line over MAX_LINE_BYTES
    anywhere in the file. Reads blocks of MAX_LINE_BYTES and only looks for newlines and NULs
    (C speed): a longer line either fills a whole block or spans the end of one block and the
    start of the next."""
    head, header_done = bytearray(), False
    run, line = 0, 1  # bytes since the last newline; number of the line being read
    with _open(path) as f:
        block = f.read(MAX_LINE_BYTES)
        start = block[:4096]  # text in UTF-16 without a BOM: a NUL in every other byte
        if block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
                or start.count(b"\x00") > len(start) // 4:
            raise StructuralFault("the encoding looks like UTF-16 (byte-order mark or NUL "
                                  "bytes); save the file as UTF-8")
        if b"\r" in block and b"\n" not in block:
            raise StructuralFault("the lines end in a carriage return alone (as on old Macs); "
                                  "save the file with LF or CRLF line endings")
        while block:
            nul = block.find(b"\x00")
            if nul >= 0:
                at = line + block.count(b"\n", 0, nul)
                raise StructuralFault(f"line {at} holds a NUL byte, which no text file has; "
                                      "is it a binary file?")
            first = block.find(b"\n")
            if not header_done:
                head += block if first < 0 else block[:first]
                header_done = first >= 0
            if first < 0:
                run += len(block)
            else:
                if run + first > MAX_LINE_BYTES:
                    break
                line += block.count(b"\n")
                run = len(block) - block.rfind(b"\n") - 1
            if run > MAX_LINE_BYTES:
                break
            block = f.read(MAX_LINE_BYTES)
        else:
            return bytes(head), line
    raise StructuralFault(f"line {line} is longer than {MAX_LINE_BYTES // (1 << 20)} MiB; "
                          "is this a CSV file with one record per line?")


def _not_utf8(line: int) -> str:
    return (f"not valid UTF-8 on line {line} (perhaps a Windows code page such as cp1252 or "
            "Latin-1); save the file as UTF-8")


def _diagnose(path: Path, width: int) -> str:
    """Why the parser refused the file, in words and with a line number, found again by
    Python's csv module (only on this error path; it is slower than the parser)."""
    bad_line = _first_invalid_utf8_line(path)
    if bad_line:
        return _not_utf8(bad_line)
    start = 1  # the line the current record starts on
    try:
        with _open(path) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""),
                                strict=True)
            for cells in reader:
                if len(cells) > width:
                    return (f"line {start} has {len(cells)} fields but the header has "
                            f"{width}; quote values that contain `,`")
                start = reader.line_num + 1
    except csv.Error as error:
        if "expected after" in str(error):
            return f"a quoted value on line {start} is followed by more text before the `,`"
        return f"unclosed quote starting on line {start}"
    return "the file cannot be parsed as CSV with `,` between fields"


def _first_invalid_utf8_line(path: Path) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    with _open(path) as f:
        while block := f.read(MAX_LINE_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return lines + block[:max(error.start, 0)].count(b"\n") + 1
            lines += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines + 1
    return None


# --- Parquet and Excel ----------------------------------------------------------------------

def _read_parquet(path: Path) -> tuple[list[str], pl.DataFrame]:
    try:
        width = len(pl.read_parquet_schema(path))  # the footer only: cheap
        if width > MAX_COLUMNS:
            raise StructuralFault(f"the file has {width} columns; at most {MAX_COLUMNS} are read")
        df = pl.read_parquet(path)
        names = df.columns
        df = _as_strings(df.rename({n: f"c{i}" for i, n in enumerate(names)}))
    except StructuralFault:
        raise
    except Exception as error:  # noqa: BLE001 - never echo a reader's text (it may hold data)
        raise StructuralFault(f"cannot read the file as Parquet ({type(error).__name__})") \
            from None
    return names, df


def _read_xlsx(path: Path) -> tuple[list[str], pl.DataFrame]:
    """The first sheet, header row read apart from the data: polars' read_excel renames
    duplicates (`a_1`) and drops empty columns, which would hide both from the checks."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        header = reader.load_sheet(0, header_row=None, n_rows=1).to_polars()
        width = max(header.width, reader.load_sheet(0, header_row=None, n_rows=0).width)
        if width > MAX_COLUMNS:
            raise StructuralFault(f"the sheet has {width} columns; at most {MAX_COLUMNS} are "
                                  "read")
        data = reader.load_sheet(0, header_row=None, skip_rows=1).to_polars()
        names = [("" if v is None else str(v)) for v in (header.row(0) if header.height else ())]
        width = max(width, data.width)
        names += [""] * (width - len(names))
        data = _as_strings(data.rename({n: f"c{i}" for i, n in enumerate(data.columns)})
                           .with_columns(pl.lit(None, pl.String).alias(f"c{i}")
                                         for i in range(data.width, width)))
    except StructuralFault:
        raise
    except Exception as error:  # noqa: BLE001 - never echo a reader's text (it may hold data)
        raise StructuralFault(f"cannot read the file as an Excel workbook "
                              f"({type(error).__name__})") from None
    return names, data


def _as_strings(df: pl.DataFrame) -> pl.DataFrame:
    def to_string(name: str, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(name)
        if dtype == pl.Datetime or dtype == pl.Date:
            col = col.cast(pl.Date)  # spreadsheets store dates as midnight datetimes
        text = col.cast(pl.String)
        return pl.when(text != "").then(text).alias(name)  # an empty text is no value

    return df.select(to_string(n, t) for n, t in df.schema.items())


# --- one shape for every format ---------------------------------------------------------------

def _shape(df: pl.DataFrame, names: list[str], known: Collection[str] | None,
           file: str) -> pl.DataFrame:
    """Placeholder-labelled columns (in file order) and the header's names -> the reader
    shape. Linear in the number of columns (one dict), whatever the header holds."""
    seen: dict[str, int] = {}
    columns, extras = [], []
    for i, (label, written) in enumerate(zip(df.columns, names), start=1):
        name = written.strip().lower()
        if not name:
            holding = df[label].is_not_null().arg_true()
            if len(holding):  # a value without a name cannot be placed
                raise StructuralFault(f"header cell {i} is empty but its column holds values "
                                      f"(first on {locate(file, int(holding[0]) + 1)}); name "
                                      "the column or delete it")
            continue  # Excel's trailing comma: an unnamed, empty column
        if name in seen:
            raise StructuralFault(f"column '{clip(name)}' is named twice (columns {seen[name]} "
                                  f"and {i})")
        seen[name] = i
        is_known = name in known if known is not None else not name.startswith("_")
        (columns if is_known else extras).append(pl.col(label).alias(name))
    if extras:
        columns.append(pl.struct(extras).struct.json_encode().alias("_extra"))
    shaped = df.select(columns) if columns else pl.DataFrame(
        {"_extra": pl.Series([None] * df.height, dtype=pl.String)})
    # Int64, as every reader of a tool export gives it (readers/__init__.py), so that the
    # files of one run stack whatever mix of them landed
    return shaped.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
