"""`pmo`: the command line, a thin layer over the Dagster definitions.

Flags override the PMO_* environment variables, which the definitions read when loaded,
so the flags are set into the environment before `pipelines.definitions` is imported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import warnings
from datetime import date
from pathlib import Path

ENV_FLAGS = {"raw_dir": "PMO_RAW_DIR", "warehouse": "PMO_WAREHOUSE",
             "export_dir": "PMO_EXPORT_DIR", "as_of": "PMO_AS_OF"}


def _apply_flags(args: argparse.Namespace) -> None:
    for flag, variable in ENV_FLAGS.items():
        value = getattr(args, flag, None)
        if value:
            os.environ[variable] = str(value)
    home = Path(os.environ.get("DAGSTER_HOME", ".dagster_home")).resolve()  # Dagster wants it absolute
    os.environ["DAGSTER_HOME"] = str(home)
    settings = home / "dagster.yaml"
    if not settings.exists():  # a new instance: the project's settings (no telemetry)
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), settings)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    warnings.filterwarnings("ignore")  # Dagster and GX deprecation chatter is not for users


def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.generate import generate

    summary = generate(args.scale, args.seed, Path(args.out), truth_file=args.truth,
                       timesheet_files=args.timesheet_files)
    rows = ", ".join(f"{entity} {n:,}" for entity, n in summary.items())
    print(f"wrote the {args.scale} data set (seed {args.seed}) to {args.out}: {rows}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    _apply_flags(args)
    from pipelines.runner import run_everything
    from pipelines.settings import as_of_from_env

    return 0 if run_everything(as_of_from_env()) else 1


def cmd_backfill(args: argparse.Namespace) -> int:
    _apply_flags(args)
    from pipelines.runner import backfill

    if args.to < args.from_:
        print("pmo backfill: --to is before --from")
        return 2
    return 0 if backfill(args.from_, args.to) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.bench import report_bench

    return report_bench(args.scale, args.seed, args.json)


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.generate import DEFAULT_END, generate
    from pipelines.settings import Paths

    raw_dir = Paths.from_env().raw_dir
    if not any(raw_dir.glob("*")):
        print(f"generating the demo data set into {raw_dir} ...")
        generate("demo", 1, raw_dir)
    # The demo data ends on a fixed date; KPIs as of that date tell its story.
    args.as_of = args.as_of or os.environ.get("PMO_AS_OF") or DEFAULT_END.isoformat()
    _apply_flags(args)
    from pipelines.runner import print_summary, run_everything
    from pipelines.settings import as_of_from_env

    if not run_everything(as_of_from_env()):
        return 1
    print_summary()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["recovery"]:  # its own options: pipelines/recovery.py
        from pipelines.recovery import main as recovery

        return recovery(argv[1:])
    parser = argparse.ArgumentParser(prog="pmo", description="PMO KPI platform")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate the demo data if absent, run everything, summarize")
    demo.add_argument("--as-of", type=date.fromisoformat)
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="write a synthetic raw data set in the input contract")
    gen.add_argument("--scale", choices=["demo", "medium", "large"], default="demo")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    gen.add_argument("--truth", type=Path, help="CSV of each project's planted failure cause")
    gen.add_argument("--timesheet-files", choices=["single", "monthly", "daily"], default="monthly")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="ingest, check and build every KPI table once")
    run.add_argument("--as-of", type=date.fromisoformat)
    run.add_argument("--raw-dir")
    run.add_argument("--warehouse")
    run.add_argument("--export-dir")
    run.set_defaults(func=cmd_run)

    fill = sub.add_parser("backfill", help="fill kpi_project_history for each day of a range")
    fill.add_argument("--from", dest="from_", type=date.fromisoformat, required=True)
    fill.add_argument("--to", type=date.fromisoformat, required=True)
    fill.add_argument("--warehouse")
    fill.set_defaults(func=cmd_backfill)

    bench = sub.add_parser("bench", help="time a full build, the nightly increment and a no-op "
                           "run against a bare-DuckDB floor")
    bench.add_argument("--scale", choices=["demo", "medium", "large"], default="demo")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--json", type=Path, help="figures as JSON (default "
                       "data/bench/<scale>-results.json)")
    bench.set_defaults(func=cmd_bench)

    sub.add_parser("recovery", help="generate data with planted causes, run the pipeline and print "
                   "planted cause against found primary driver (see pmo recovery --help)")

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
