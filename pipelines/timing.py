"""Phase timings of a run, for the benchmark: JSON lines appended to Settings.timings_file."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def phase(timings_file: Path | None, name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings_file:
            with open(timings_file, "a") as f:
                f.write(json.dumps({"phase": name, "seconds": time.perf_counter() - start}) + "\n")
