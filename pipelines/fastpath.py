"""A run with nothing new: found out before a Dagster run is paid for.

The *inputs fingerprint* of a run is a hash of everything its outputs are made from: the
content (sha256) of every file it would read from the landing folder (entity files, tool
exports, mapped files, mapping.yaml; listed by the ingest's own functions), the requested
as-of date, the settings, the pipeline's code and SQL models and the versions of the packages
it runs on. A run that succeeded completely records it beside the releases
(pipelines.publish.release.record_inputs); any other run forgets it first. `pmo run` computes
it before anything else and, when it equals the record and the release the record names is
still the one readers see, untouched, says so in one line instead of starting Dagster.

No Dagster, Great Expectations, sqlglot or charting on this path: at the large scale it
answers in under two seconds, most of them hashing (371 MB at about 0.6 GB/s) and importing
polars and DuckDB (the ingest's listing functions pull them in). Landing files are always
hashed, never judged by size and mtime (see pipelines/ingest/load.py); the run that follows
reuses these hashes while stat says a file is unchanged (pipelines/ingest/landing.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from pipelines.settings import DATA, Settings

CODE_SUFFIXES = (".py", ".sql", ".yaml", ".yml")
# Settings that say where things are, not what is published: the files of the landing folder
# enter by name and content, the record lives with the export dir, and the warehouse only
# remembers what is already done. The as-of date enters as requested (see inputs_fingerprint).
NOT_INPUTS = ("as_of", "raw_dir", "warehouse", "export_dir", "dagster_home", "timings_file",
              "memory_limit")  # how much memory DuckDB may use changes no number


def inputs_fingerprint(settings: Settings, as_of: date | str) -> str | None:
    """The inputs fingerprint of a run as of `as_of` (a date, or "data"); None when the
    landing folder cannot be read as it is (missing, holding no entity file, a mapping.yaml
    that cannot be followed, an unreadable file): then only a run can say what is wrong."""
    files = landing_hashes(settings.raw_dir)
    if files is None:
        return None
    if as_of == DATA:
        # "data" is the latest fact on or before tomorrow: the same files can give another
        # day tomorrow (a future-dated row becomes a fact), so today is an input too
        requested = {"as_of": DATA, "today": settings.today().isoformat()}
    else:
        requested = {"as_of": as_of.isoformat()}
    chosen = {k: v for k, v in asdict(settings).items() if k not in NOT_INPUTS}
    parts = {"files": files, "requested": requested, "settings": chosen,
             "code": code_fingerprint(), "versions": versions()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def landing_hashes(root: Path) -> list[list[str]] | None:
    """[name under the landing folder, reader, sha256] of every file a run would read (the
    ingest's own listing: pipelines.ingest.landing.entity_files and exports.find_foreign),
    sorted by name; None when a run would refuse the folder or a file cannot be read."""
    from pipelines.contract import ENTITIES
    from pipelines.ingest import exports
    from pipelines.ingest.landing import broken_links, content_hash, entity_files

    if not root.is_dir() or broken_links(root):
        return None
    canonical = {p for e in ENTITIES for p in entity_files(root, e)}
    foreign, problems = exports.find_foreign(root, canonical)
    if problems or not (canonical or foreign):
        return None
    readers = {p: "entity" for p in canonical}
    readers.update({f.path: f.reader for f in foreign})
    mapping_file = root / exports.mapping.MAPPING_FILE
    if mapping_file.is_file():  # it says how mapped files are read: its content is an input
        readers[mapping_file] = "mapping.yaml"
    listing = []
    try:
        for path, reader in readers.items():
            listing.append([path.relative_to(root).as_posix(), reader, content_hash(path)])
    except OSError:  # vanished or unreadable since it was listed: the run reports it
        return None
    return sorted(listing)


def code_fingerprint() -> str:
    """The pipeline's source, contract and SQL models, by content: an edit in a checkout
    changes the outputs as surely as a new version does."""
    from pipelines.transform import models_dir

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for top in dict.fromkeys((package, models_dir().resolve())):  # models may be inside
        for path in sorted(top.rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts \
                    and path.is_file():
                digest.update(f"{path.relative_to(top.parent).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def versions() -> list[str]:
    """Every installed distribution with its version (`<name>-<version>.dist-info` on the
    import path): another DuckDB can give other last bits, another Altair another report.html.
    A directory listing, not importlib.metadata: milliseconds instead of 0.2 s of imports."""
    found = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                found.update(e.name for e in listing if e.name.endswith(".dist-info"))
        except OSError:  # a zip file, or a path that is not there
            continue
    return sorted(found)


def unchanged_release(settings: Settings, inputs: str | None) -> Path | None:
    """The release readers see, when the last complete run had these same inputs and left
    it as it is now; else None (then the run must happen)."""
    from pipelines.publish.release import recorded_inputs

    if inputs is None or not settings.warehouse.exists():  # no state: a run rebuilds it
        return None
    recorded = recorded_inputs(settings.export_dir)
    if recorded is None or recorded[0] != inputs:
        return None
    return recorded[1]


def skip_if_unchanged(settings: Settings, as_of: date | str) -> tuple[bool, str | None]:
    """(True, fingerprint) after printing why nothing runs, when nothing changed since the
    release readers see; else (False, fingerprint), the fingerprint for the run to record."""
    from pipelines.timing import phase

    with phase(settings.timings_file, "inputs"):
        inputs = inputs_fingerprint(settings, as_of)
        release = unchanged_release(settings, inputs)
        if release is None:
            return False, inputs
        say_unchanged(settings, release)
    return True, inputs


def say_unchanged(settings: Settings, release: Path) -> None:
    """One line saying so and where the release is, then its warnings and quarantined rows as
    a run prints them (they still hold: the as-of date is an input), and any landed file
    that is not read."""
    from pipelines.contract import ENTITIES
    from pipelines.ingest.landing import unknown_files_message

    manifest = json.loads((release / "release.json").read_text())
    print(f"nothing new since the release of {manifest['as_of']} (same files, settings, "
          f"as-of date and code): {settings.export_dir} -> {release}; no run started "
          "(pmo run --force runs anyway)")
    for line in manifest.get("warnings", []):
        print(f"warning: {line}")
    for entity, by_rule in sorted(manifest.get("quarantine", {}).items()):
        for rule, rows in sorted(by_rule.items()):
            print(f"quarantined: {rows:,} {entity} row(s) breaking \"{rule}\" (left out of "
                  "the KPIs)")
    unread = unknown_files_message(settings.raw_dir, list(ENTITIES))
    if unread:
        print(f"warning: {unread}")
