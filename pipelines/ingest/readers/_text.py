"""Text helpers of the CSV-shaped readers (Jira, timesheet tools, mapped files).

Decoding with a known or guessed encoding, the delimiter of a header line, records with the
line each starts on, header positions with repeated names kept, decimal commas and thousands
separators, dates in a per-file format (refusing ambiguous day/month orders), 12-hour clock
times and `h:mm:ss` durations. Standard library only; every function is linear in its input.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pipelines.ingest.readers import ExportFault

DELIMITERS = (",", ";", "\t", "|")
ECHO = 40  # longest piece of a value quoted back in a message


def cut(text: object, limit: int = ECHO) -> str:
    """A value as it may be echoed in a message: at most `limit` characters."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------- decoding

def is_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of `data` and the encoding used. A UTF-8 byte-order mark is dropped. With no
    encoding given: UTF-8, else Windows-1252 (what Excel writes on Western-European Windows).
    A given encoding that does not fit raises ExportFault naming the first bad byte."""
    if encoding is None:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as error:
                raise ExportFault(f"the file is neither UTF-8 nor Windows-1252 text "
                                  f"(byte {error.start + 1} cannot be read)") from error
    name = codecs.lookup(encoding).name
    try:
        text = data.decode("utf-8-sig" if name == "utf-8" else name)
    except UnicodeDecodeError as error:
        raise ExportFault(f"the file is not valid {encoding} text "
                          f"(byte {error.start + 1} cannot be read)") from error
    return text, name


def head_text(head: bytes) -> str:
    """The first line of a file's head, decoded leniently (for recognition only)."""
    text = head.decode("utf-8-sig", errors="replace")
    end = len(text)
    for stop in ("\n", "\r"):
        at = text.find(stop)
        if at != -1:
            end = min(end, at)
    return text[:end]


# ------------------------------------------------------------------------------- CSV records

def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the candidate found most often outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier candidate (",")
    return best if counts[best] else ","


def header_of(header_line: str, delimiter: str | None = None) -> list[str]:
    """The column names of one header line (for recognition)."""
    delimiter = delimiter or sniff_delimiter(header_line)
    try:
        row = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error:
        return []
    return [name.strip() for name in row]


@dataclass
class Table:
    header: list[str]
    records: list[tuple[int, int, list[str]]]  # (record number from 1, first line, cells)
    delimiter: str


def read_table(text: str, delimiter: str | None = None) -> Table:
    """A CSV text as header and records; each record knows the line it starts on (header =
    line 1; quoted line breaks make records span lines). Blank lines are skipped."""
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # Jira descriptions run long
    end = text.find("\n")
    delimiter = delimiter or sniff_delimiter(text[: end if end != -1 else len(text)])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise ExportFault("the file is empty (no header line)")
        records: list[tuple[int, int, list[str]]] = []
        line = reader.line_num + 1
        for row in reader:
            if row and any(cell.strip() for cell in row):
                records.append((len(records) + 1, line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ExportFault(f"not readable as CSV near line {reader.line_num}: {error}") from error
    return Table([name.strip() for name in header], records, delimiter)


def positions(header: list[str]) -> dict[str, list[int]]:
    """Column positions by lower-cased name; a repeated name keeps all its positions in
    order (Jira repeats Sprint, Log Work, Comment, Labels ...). One pass over the header."""
    found: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        found.setdefault(name.strip().lower(), []).append(i)
    return found


def cell(row: list[str], index: int | None) -> str | None:
    """A cell's text, stripped; None when the column is absent, the row short or the cell empty."""
    if index is None or index >= len(row):
        return None
    value = row[index].strip()
    return value or None


# ---------------------------------------------------------------------------------- numbers

_PLAIN = {",": re.compile(r"^[+-]?\d+(?:,\d+)?$"), ".": re.compile(r"^[+-]?\d+(?:\.\d+)?$")}
_GROUPED = {
    ",": re.compile(r"^[+-]?\d{1,3}(?:[.\u00a0\u202f ']\d{3})+(?:,\d+)?$"),
    ".": re.compile(r"^[+-]?\d{1,3}(?:[,\u00a0\u202f ']\d{3})+(?:\.\d+)?$"),
}


def canonical_number(text: str | None, decimal: str = ".") -> str | None:
    """A number as canonical text (`.` decimal mark, no thousands separators), read with the
    given decimal mark: `1.234,50` -> `1234.50` for ",", `1,234.50` -> `1234.50` for ".".
    Empty text is None; text that is no number in that notation is returned unchanged (the
    pipeline's type check then reports it with its line)."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if _PLAIN[decimal].match(value):
        return value.replace(",", ".") if decimal == "," else value
    if _GROUPED[decimal].match(value):
        digits = re.sub(r"[.,\u00a0\u202f ']", "", value[: value.rfind(decimal)]) \
            if decimal in value else re.sub(r"[.,\u00a0\u202f ']", "", value)
        fraction = value[value.rfind(decimal) + 1:] if decimal in value else ""
        return f"{digits}.{fraction}" if fraction else digits
    return text


def decimal_mark(values: Iterable[str | None], default: str = ".") -> str:
    """The decimal mark a column of numbers is written with: "," when a value such as `1,5`
    or `1.234,5` shows it, "." when `1.5` or `1,234.5` does, `default` when no value tells
    (`1,500` could be either). A column showing both is refused."""
    comma = dot = False
    for value in values:
        if not value:
            continue
        v = value.strip()
        last_comma, last_dot = v.rfind(","), v.rfind(".")
        if last_comma != -1 and last_dot != -1:
            comma, dot = comma or last_comma > last_dot, dot or last_dot > last_comma
        elif last_comma != -1 and not re.search(r",\d{3}$", v):
            comma = True
        elif last_dot != -1 and not re.search(r"\.\d{3}$", v):
            dot = True
        if comma and dot:
            raise ExportFault("numbers are written with both ',' and '.' as decimal mark "
                              "in one column")
    return "," if comma else "." if dot else default


# -------------------------------------------------------------------------------- dates/times

DATE_FORMATS = {  # name in messages -> strptime format
    "YYYY-MM-DD": "%Y-%m-%d",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "MM-DD-YYYY": "%m-%d-%Y",
    "YYYY/MM/DD": "%Y/%m/%d",
}
_DATE_SHAPE = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})$")


def _date_parts(value: str, fmt: str) -> date | None:
    """`value` read with one of DATE_FORMATS (digits only, so no locale), else None."""
    match = _DATE_SHAPE.match(value)
    if not match:
        return None
    a, sep, b, c = match.groups()
    if sep != fmt[2]:
        return None
    fields = dict(zip((fmt[1], fmt[4], fmt[7]), (a, b, c)))
    if len(fields["Y"]) != 4:
        return None
    try:
        return date(int(fields["Y"]), int(fields["m"]), int(fields["d"]))
    except ValueError:
        return None


def date_format_of(values: Iterable[str | None], column: str,
                   formats: dict[str, str] = DATE_FORMATS) -> str | None:
    """The one format of `formats` every date of a column is written in (a time after the
    date is allowed). None when the column has no dates; ExportFault when no format fits
    every value, or when two do (`03/04/2024`: March 4th or April 3rd?)."""
    candidates = dict(formats)
    example = None
    seen = False
    for value in values:
        if not value:
            continue
        text = value.strip().split(" ")[0].split("T")[0]
        seen = True
        for name in [n for n, f in candidates.items() if _date_parts(text, f) is None]:
            del candidates[name]
        if not candidates:
            raise ExportFault(f"column {column!r}: the date {cut(text)!r} is in none of the "
                              f"formats {', '.join(formats)}, or the column mixes formats")
        if example is None and len(candidates) > 1:
            example = text
    if not seen:
        return None
    if len(candidates) > 1:
        raise ExportFault(f"column {column!r}: every date fits {' and '.join(candidates)} "
                          f"(e.g. {cut(example)!r}); the day/month order cannot be told. Export "
                          "with ISO dates (YYYY-MM-DD) or add a date whose day is above 12")
    return formats[next(iter(candidates))]


def to_iso_date(value: str | None, fmt: str | None) -> str | None:
    """A date read with `fmt` (as found by date_format_of), as ISO text; unreadable text is
    returned unchanged (the type check reports it)."""
    if value is None or not value.strip():
        return None
    if fmt is None:
        return value
    text = value.strip().split(" ")[0].split("T")[0]
    parsed = _date_parts(text, fmt)
    return parsed.isoformat() if parsed else value


def strptime_iso(value: str | None, fmt: str) -> str | None:
    """A date read with a strptime format (as a mapping file gives it), as ISO text;
    unreadable text is returned unchanged."""
    if value is None or not value.strip():
        return None
    try:
        return datetime.strptime(value.strip(), fmt).date().isoformat()
    except ValueError:
        return value


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?$")


def time_seconds(text: str | None) -> int | None:
    """Seconds after midnight of `13:30`, `13:30:05`, `01:30 PM`, `1:30:00 pm`; None if not a
    time. 12 AM is midnight, 12 PM noon."""
    if not text:
        return None
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4][0] in "Pp" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour * 3600 + minute * 60 + second


_DURATION = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_MINUTES = re.compile(r"^(\d+):([0-5]\d)\s*min$")


def duration_seconds(text: str | None) -> int | None:
    """Seconds of a clock duration: `01:30:00`, `1:30` (hours:minutes), `125:10:00`, and
    Toggl's classic `47:06 min` (minutes:seconds); None if not one of these."""
    if not text:
        return None
    value = text.strip()
    match = _DURATION.match(value)
    if match:
        return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
    match = _MINUTES.match(value)
    if match:
        return int(match[1]) * 60 + int(match[2])
    return None

