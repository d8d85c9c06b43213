"""`pmo`: the command line, a thin layer over the Dagster definitions.

The settings are read once (PMO_* variables, flags overriding them) and passed down.
`generate`, `bench` and `recovery` are development tools (package `devtools`, in a checkout).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from datetime import date
from pathlib import Path

from pipelines.settings import DATA, Settings, SettingsError

RUN_FLAGS = ("raw_dir", "warehouse", "export_dir", "as_of")


def _settings(args: argparse.Namespace) -> Settings:
    """The PMO_* environment, each given flag overriding its variable; read once, here."""
    warnings.filterwarnings("ignore")  # Dagster and GX deprecation chatter is not for users
    return Settings.from_env(**{f: getattr(args, f, None) for f in RUN_FLAGS})


def as_of_flag(value: str) -> date | str:
    """--as-of: a date (YYYY-MM-DD), or "data": the latest timesheet day or progress report of
    the landing data (for data that ends before today: a demo, an archive, a backfill)."""
    if value.strip().lower() == DATA:
        return DATA
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD) nor 'data'")


def cmd_generate(args: argparse.Namespace) -> int:
    from devtools.generate import generate

    summary = generate(args.scale, args.seed, Path(args.out), truth_file=args.truth,
                       timesheet_files=args.timesheet_files)
    rows = ", ".join(f"{entity} {n:,}" for entity, n in summary.items())
    print(f"wrote the {args.scale} data set (seed {args.seed}) to {args.out}: {rows}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from pipelines.runner import run_everything

    as_of = DATA if settings.as_of == DATA else settings.run_as_of()  # "data": read in the run
    return 0 if run_everything(settings, as_of) else 1


def cmd_backfill(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from pipelines.runner import backfill

    if args.to < args.from_:
        print("pmo backfill: --to is before --from")
        return 2
    settings.check_as_of(args.to)  # no history of days that have not happened
    return 0 if backfill(settings, args.from_, args.to) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from devtools.bench import report_bench

    return report_bench(args.scale, args.seed, args.json)


def cmd_demo(args: argparse.Namespace) -> int:
    from devtools.generate import DEFAULT_END, generate

    settings = _settings(args)
    if not any(settings.raw_dir.glob("*")):
        print(f"generating the demo data set into {settings.raw_dir} ...")
        generate("demo", 1, settings.raw_dir)
    from pipelines.runner import print_summary, run_everything

    # The demo data ends on a fixed date; KPIs as of that date tell its story.
    as_of = settings.as_of or DEFAULT_END
    if not run_everything(settings, as_of if as_of == DATA else settings.run_as_of(as_of)):
        return 1
    print_summary(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["recovery"]:  # its own options: devtools/recovery.py
        from devtools.recovery import main as recovery

        return recovery(argv[1:])
    parser = argparse.ArgumentParser(prog="pmo", description="PMO KPI platform")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate the demo data if absent, run everything, summarize")
    demo.add_argument("--as-of", type=as_of_flag, help="YYYY-MM-DD or 'data' (default: the "
                      "demo data's last day)")
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="write a synthetic raw data set in the input contract")
    gen.add_argument("--scale", choices=["demo", "medium", "large"], default="demo")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--out", required=True)
    gen.add_argument("--truth", type=Path, help="CSV of each project's planted failure cause")
    gen.add_argument("--timesheet-files", choices=["single", "monthly", "daily"], default="monthly")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="ingest, check and build every KPI table once")
    run.add_argument("--as-of", type=as_of_flag, help="YYYY-MM-DD, or 'data': the latest "
                     "timesheet day or progress report in the landing data (default: "
                     "PMO_AS_OF, else today); at most tomorrow")
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
    try:
        return args.func(args)
    except SettingsError as error:
        print(f"pmo {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
