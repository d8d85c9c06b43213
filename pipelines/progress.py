"""Progress of long commands by phase, drawn with rich on a terminal, silent everywhere else.

The command line opens a display around its work (`shown()`, only when stdout is a terminal);
the Dagster assets, which run in the same process (in-process executor), report their phases
through `start`, `advance` and `finish`. With no display open (tests, CI, captured output, runs
launched from the Dagster UI) every call does nothing, so the assets never depend on it.

    with progress.shown():
        progress.start("ingest", total=12, text="reading landed files")
        progress.advance("ingest", "ingest: timesheets, 914 files, 7,300,000 rows")
        progress.finish("ingest", "ingest: 1,024 files read, 7,400,000 rows")
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_display: "_Display | None" = None


class _Display:
    def __init__(self, bar) -> None:
        self.bar = bar
        self.tasks: dict[str, int] = {}

    def start(self, phase: str, total: int | None, text: str) -> None:
        if phase in self.tasks:
            self.bar.update(self.tasks[phase], total=total, completed=0, description=text)
        else:
            self.tasks[phase] = self.bar.add_task(text, total=total)

    def advance(self, phase: str, text: str | None, steps: int) -> None:
        if phase not in self.tasks:
            self.start(phase, None, text or phase)
        self.bar.update(self.tasks[phase], advance=steps,
                        **({"description": text} if text else {}))

    def finish(self, phase: str, text: str | None) -> None:
        if phase not in self.tasks:
            self.start(phase, 1, text or phase)
        task = self.tasks[phase]
        total = self.bar.tasks[[t.id for t in self.bar.tasks].index(task)].total
        self.bar.update(task, total=total or 1, completed=total or 1,
                        **({"description": text} if text else {}))


def enabled() -> bool:
    """Progress is drawn only for a person watching: stdout is a terminal."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def shown(on: bool | None = None) -> Iterator[None]:
    """Draw the phases reported while inside (when `on`, default: stdout is a terminal)."""
    global _display
    if not (enabled() if on is None else on) or _display is not None:
        yield
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                               TextColumn, TimeElapsedColumn)

    bar = Progress(SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"),
                   BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with bar:
        _display = _Display(bar)
        try:
            yield
        finally:
            _display = None


def start(phase: str, total: int | None = None, text: str | None = None) -> None:
    """A phase begins: `total` steps (None: unknown, a spinner)."""
    if _display is not None:
        _display.start(phase, total, text or phase)


def advance(phase: str, text: str | None = None, steps: int = 1) -> None:
    if _display is not None:
        _display.advance(phase, text, steps)


def finish(phase: str, text: str | None = None) -> None:
    if _display is not None:
        _display.finish(phase, text)


@contextmanager
def watching(folder: Path, phase: str, what: str, every: float = 0.5) -> Iterator[None]:
    """A phase that writes files into `folder` (the generator): its text says how many files
    and megabytes are there so far, refreshed every `every` seconds."""
    if _display is None:
        yield
        return
    stop = threading.Event()

    def count() -> str:
        files = [p for p in Path(folder).rglob("*") if p.is_file()] if Path(folder).is_dir() else []
        size = sum(p.stat().st_size for p in files if p.exists())
        return f"{what}: {len(files):,} files, {size / 1e6:,.1f} MB written"

    def poll() -> None:
        while not stop.wait(every):
            try:
                advance(phase, count(), steps=0)
            except OSError:  # a file vanished while counted: next time
                pass

    start(phase, None, f"{what} ...")
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        finish(phase, count())
