"""Write the manager report (a self-contained HTML page) from a published kpi.duckdb.

    .venv/bin/python scripts/render_report.py        # data/exports/kpi.duckdb -> data/report.html
    .venv/bin/python scripts/render_report.py --kpi /path/to/exports/kpi.duckdb --out report.html
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.analysis.data import resolve_export_dir  # noqa: E402
from pipelines.analysis.report import render_report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kpi", type=Path,
                        help="kpi.duckdb (default: kpi.duckdb of $PMO_EXPORT_DIR or data/exports)")
    parser.add_argument("--out", type=Path,
                        help="the HTML file to write (default: data/report.html)")
    args = parser.parse_args(argv)
    kpi = args.kpi or resolve_export_dir(os.environ.get("PMO_EXPORT_DIR")) / "kpi.duckdb"
    out = args.out or Path(__file__).resolve().parents[1] / "data" / "report.html"
    started = time.monotonic()
    html = render_report(kpi)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    print(f"wrote {out} ({len(html.encode()) / 1024:.0f} KB) from {kpi} in "
          f"{time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
