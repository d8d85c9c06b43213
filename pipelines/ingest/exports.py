"""Foreign files in the landing folder: tool exports recognised by content, and files mapped
onto an entity by `mapping.yaml`. Each becomes, per entity it holds, a *unit*
`<file>#<entity>` that ingest treats like one more file of that entity: the same manifest,
checks, delivery semantics and messages, with the file's own place of each row in `_ref`.

A foreign file is parsed once per process however many entities it feeds (cached by path and
content hash), and never when its content is unchanged (the manifest knows the hash).

A unit's rows carry the export's status date (`_as_of`) and the schedule it is a snapshot of
(`_source`: the project's id in the tool, else the file name), which makes successive exports
of one schedule status snapshots in the raw layer (raw_schema.py). Timesheet-tool reports carry none;
their people and tasks are named the tools' way and resolved to ids by ingest (load.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import polars as pl

from pipelines.ingest.readers import Export, ExportFault, jira, mapping, mspdi, \
    timesheet_tools, xer

# Readers recognised by content, in the order they are asked, with the entities each may feed.
# The timesheet tools come last: their signatures are looser than a Jira header's.
READERS: tuple[ModuleType, ...] = (mspdi, xer, jira, timesheet_tools)
FEEDS = {
    "mspdi": ("projects", "tasks", "task_progress", "timesheets", "employees", "expenses"),
    "xer": ("projects", "tasks", "task_progress", "timesheets", "employees", "expenses"),
    "jira": ("projects", "tasks", "timesheets", "employees"),
    "timesheet_tools": ("timesheets",),
}
# Readers whose rows name people and work the tools' way (e-mail, project and task names): ingest
# resolves them to ids against these entities of the raw layer (load.py).
RESOLVED = {"timesheet_tools": ("employees", "projects", "tasks")}
UNIT_SEPARATOR = "#"
HEAD_BYTES = 64 * 1024
# Extensions worth opening to look at the content; anything else is not a tool export.
CANDIDATE_SUFFIXES = (".xml", ".xer", ".csv", ".txt")
SCHEDULE_SUFFIXES = (".xml", ".xer")  # only ever schedule exports: an unknown one is refused
MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"


@dataclass(frozen=True)
class Foreign:
    path: Path           # absolute
    name: str            # path under the landing folder, posix
    reader: str          # module name of the reader, or "mapping"
    source: mapping.Source | None = None


def unit_name(file: str, entity: str) -> str:
    return f"{file}{UNIT_SEPARATOR}{entity}"


def split_unit(name: str) -> tuple[str, str] | None:
    """(file, entity) of a unit name, None for an ordinary file."""
    file, sep, entity = name.rpartition(UNIT_SEPARATOR)
    return (file, entity) if sep and file else None


def find_foreign(root: Path, canonical: set[Path]) -> tuple[list[Foreign], list[str]]:
    """Every foreign file under `root`, and problems: a mapping.yaml that cannot be followed,
    an `.xml` or `.xer` file that no reader recognises (dropped there to be read, so it must
    not be passed over with a mere warning)."""
    found: dict[Path, Foreign] = {}
    problems: list[str] = []
    if (root / mapping.MAPPING_FILE).is_file():
        try:
            for path, source in mapping.sources_for(root, mapping.load_mapping(root)).items():
                found[path] = Foreign(path, path.relative_to(root).as_posix(), "mapping", source)
        except mapping.MappingError as error:
            problems.append(str(error))
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if (path in found or path in canonical or not path.is_file()
                or not path.name.lower().endswith(CANDIDATE_SUFFIXES)):
            continue
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
        reader = next((r for r in READERS if _recognises(r, path, head)), None)
        name = path.relative_to(root).as_posix()
        if reader is not None:
            found[path] = Foreign(path, name, reader.__name__.rsplit(".", 1)[1])
        elif path.name.lower().endswith(SCHEDULE_SUFFIXES):
            problems.append(f"{name}: not a file this platform reads: an .xml must be MS "
                            "Project XML (MSPDI, root element Project in the namespace "
                            f"{MSPDI_NAMESPACE}), an .xer must start with ERMHDR (Primavera P6)")
    return sorted(found.values(), key=lambda f: f.name), problems


def _recognises(reader: ModuleType, path: Path, head: bytes) -> bool:
    try:
        return bool(reader.recognise(path, head))
    except Exception:  # noqa: BLE001 - a file a reader cannot even look at is not its format
        return False


def entities_of(foreign: Foreign) -> tuple[str, ...]:
    """The entities a foreign file may feed (a mapped file: its one entity), known without
    reading it, so that an unchanged file is never parsed."""
    return (foreign.source.entity,) if foreign.source is not None else FEEDS[foreign.reader]


def units_for(foreign: list[Foreign], entity: str) -> dict[str, Foreign]:
    """Unit name -> foreign file, for the units of one entity."""
    return {unit_name(f.name, entity): f for f in foreign if entity in entities_of(f)}


def read_unit(foreign: Foreign, entity: str, digest: str) -> pl.DataFrame:
    """The rows of one entity of a foreign file whose content has hash `digest` (String
    columns, `_row`, `_ref`, and, for the rows of a dated export, `_as_of`: its status date,
    ISO, and `_source`: the schedule it is a snapshot of); raises ExportFault when the file
    cannot be read."""
    export = _read(foreign, digest)
    table = export.tables.get(entity)
    if table is None:
        table = pl.DataFrame(schema={"_row": pl.Int64, "_ref": pl.String})
    return _dated(table, export, foreign)


def notes(foreign: Foreign, digest: str) -> list[str]:
    """What the reader noted about the file (readers.Export.notes): hours it could not book,
    the encoding it guessed, values it took in its own way."""
    return list(_read(foreign, digest).notes)


def snapshots(foreign: Foreign, digest: str) -> list[tuple[str, str]]:
    """The (schedule, ISO status date) pairs the file is a snapshot of, over all its entities
    (raw_schema.record_snapshots); none for an undated file."""
    export = _read(foreign, digest)
    found = {(export_source(foreign, export), export.status_date.isoformat())} \
        if export.status_date is not None else set()
    for table in export.tables.values():
        dated = _dated(table, export, foreign)
        if "_as_of" in dated.columns:
            found |= set(dated.select("_source", "_as_of").drop_nulls().unique().iter_rows())
    return sorted(found)


def export_source(foreign: Foreign, export: Export) -> str:
    """The schedule an export's rows are a snapshot of: the project's id in the tool, named
    with the tool (a P6 project and a Jira project may share an id and are not one schedule),
    else the file itself."""
    if export.source_id:
        return f"{foreign.reader}:{export.source_id}"
    return f"file:{foreign.name}"


def _dated(table: pl.DataFrame, export: Export, foreign: Foreign) -> pl.DataFrame:
    """`table` with `_as_of` and `_source` set: a reader's own per-row values (one file holding
    several projects, each with its own status date) before the export's. An undated row
    (no status date) has no schedule either: the ordinary delivery semantics apply to it."""
    own_date = "_as_of" in table.columns
    own_source = "_source" in table.columns
    if not own_date and export.status_date is None:
        return table.drop("_source") if own_source else table
    default = pl.lit(export_source(foreign, export), pl.String)
    as_of = pl.col("_as_of") if own_date else pl.lit(export.status_date.isoformat(), pl.String)
    source = (pl.when(pl.col("_source").is_not_null())
              .then(pl.lit(f"{foreign.reader}:") + pl.col("_source")).otherwise(default)
              if own_source else default)
    return table.with_columns(as_of.alias("_as_of")).with_columns(
        pl.when(pl.col("_as_of").is_not_null()).then(source).otherwise(None).alias("_source"))


_READ: dict[tuple[Path, str], Export] = {}  # (path, content hash) -> what it holds


def _read(foreign: Foreign, digest: str) -> Export:
    key = (foreign.path, digest)
    if key not in _READ:
        if len(_READ) >= 8:  # a run reads each file once; keep memory bounded
            _READ.pop(next(iter(_READ)))
        _READ[key] = _parse(foreign)
    return _READ[key]


def _parse(foreign: Foreign) -> Export:
    try:
        if foreign.source is not None:
            return mapping.read_mapped(foreign.path, foreign.source)
        reader = {r.__name__.rsplit(".", 1)[1]: r for r in READERS}[foreign.reader]
        return reader.read(foreign.path)
    except ExportFault:
        raise
    except Exception as error:  # noqa: BLE001 - a reader's surprise is the file's fault, in words
        raise ExportFault(f"cannot read the file as {foreign.reader}: "
                          f"{type(error).__name__}") from error

