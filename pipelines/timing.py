"""Phase timings of a run, for the benchmark: appended as JSON lines to $PMO_TIMINGS."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager


@contextmanager
def phase(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        path = os.environ.get("PMO_TIMINGS")
        if path:
            with open(path, "a") as f:
                f.write(json.dumps({"phase": name, "seconds": time.perf_counter() - start}) + "\n")
