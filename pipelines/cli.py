"""`pmo`: the command line, a thin layer over the Dagster definitions.

The settings are read once (PMO_* variables, flags overriding them) and passed down.
`generate`, `bench` and `recovery` are development tools (package `devtools`, in a checkout).
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import warnings
from datetime import date
from pathlib import Path

from pipelines import progress
from pipelines.settings import DATA, Settings, SettingsError

RUN_FLAGS = ("raw_dir", "warehouse", "export_dir", "as_of")


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (`pmo run: --as-of: ...`) and
    exits 2, instead of the usage block; `pmo <command> --help` still shows everything."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = re.sub(r"^argument (\S+?)(/\S+)?: ", r"\1: ", message)
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


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
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a date; expected YYYY-MM-DD (for example 2026-11-20) "
            "or 'data'") from None


def date_flag(value: str) -> date:
    """A date flag: YYYY-MM-DD only."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value[:40]!r} is not a date; expected YYYY-MM-DD, for example 2026-11-20") from None


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a whole number") from None


def cmd_generate(args: argparse.Namespace) -> int:
    from devtools.generate import generate

    with progress.shown(), progress.watching(Path(args.out), "generate",
                                             f"generate: the {args.scale} data set"):
        summary = generate(args.scale, args.seed, Path(args.out), truth_file=args.truth,
                           timesheet_files=args.timesheet_files)
    rows = ", ".join(f"{entity} {n:,}" for entity, n in summary.items())
    print(f"wrote the {args.scale} data set (seed {args.seed}) to {args.out}: {rows}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    as_of = DATA if settings.as_of == DATA else settings.run_as_of()  # "data": read in the run
    inputs = None
    if not args.force:  # nothing new: answered here, before Dagster is even imported
        from pipelines.fastpath import skip_if_unchanged

        skipped, inputs = skip_if_unchanged(settings, as_of)
        if skipped:
            return 0
    from pipelines.runner import run_everything

    return 0 if run_everything(settings, as_of, inputs) else 1


def cmd_backfill(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from pipelines.runner import backfill

    if args.to < args.from_:
        print(f"pmo backfill: --to {args.to} is before --from {args.from_}", file=sys.stderr)
        return 2
    settings.check_as_of(args.to)  # no history of days that have not happened
    return 0 if backfill(settings, args.from_, args.to) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from devtools.bench import report_bench

    return report_bench(args.scale, args.seed, args.json)


def cmd_backtest(args: argparse.Namespace) -> int:
    """Forecasts as of D0 scored against what happened by the data's end (pipelines.backtest)."""
    import tempfile

    import duckdb

    from pipelines.backtest import backtest, format_table, load_raw
    from pipelines.publish.freshness import latest_fact

    settings = _settings(argparse.Namespace(raw_dir=args.raw_dir))
    with tempfile.TemporaryDirectory(prefix="pmo-backtest-") as tmp, duckdb.connect() as con:
        raw, data_end = settings.raw_dir, args.data_end
        if args.generate:
            from devtools.generate import DEFAULT_END, generate

            raw, data_end = Path(tmp) / "raw", data_end or DEFAULT_END
            with progress.shown(), progress.watching(raw, "generate",
                                                     f"generate: the {args.scale} data set"):
                generate(args.scale, args.seed, raw, end_date=data_end)
        elif not raw.is_dir():
            raise SettingsError(f"--raw-dir: {raw} is not a folder; give the landing folder of "
                                "the data to backtest on, or --scale to generate one")
        load_raw(con, raw)
        data_end = data_end or latest_fact(con, date.max)
        if data_end is None:
            raise SettingsError(f"{raw} holds no timesheet day or progress report: no end of "
                                "the data to score against; give --data-end")
        as_of = args.as_of or _year_before(data_end)
        if as_of >= data_end:
            raise SettingsError(f"--as-of {as_of} must be before the end of the data "
                                f"({data_end}): there is nothing to score after it")
        print(format_table(backtest(con, as_of, data_end, settings.kpi)))
    return 0


def _year_before(day: date) -> date:
    return date(day.year - 1, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)


def cmd_demo(args: argparse.Namespace) -> int:
    from devtools.generate import DEFAULT_END, generate

    settings = _settings(args)
    if not any(settings.raw_dir.glob("*")):
        print(f"generating the demo data set into {settings.raw_dir} ...")
        with progress.shown(), progress.watching(settings.raw_dir, "generate",
                                                 "generate: the demo data set"):
            generate("demo", 1, settings.raw_dir)
    from pipelines.runner import print_summary, run_everything

    # The demo data ends on a fixed date; KPIs as of that date tell its story.
    as_of = settings.as_of or DEFAULT_END
    if not run_everything(settings, as_of if as_of == DATA else settings.run_as_of(as_of)):
        return 1
    print_summary(settings)
    return 0


AS_OF_HELP = ("the as-of date D: YYYY-MM-DD, or 'data' = the latest timesheet day or progress "
              "report of the landing data; at most tomorrow (default: PMO_AS_OF, else today "
              "in PMO_TIMEZONE)")
RAW_HELP = "landing folder to read (default: PMO_RAW_DIR, else data/raw)"
WAREHOUSE_HELP = "the pipeline's own DuckDB file (default: PMO_WAREHOUSE, else " \
                 "data/warehouse.duckdb)"
EXPORT_HELP = "where releases are published, a link to the latest (default: PMO_EXPORT_DIR, " \
              "else data/exports)"
SCALE_HELP = "size of the generated data set: demo (18 projects), medium, large (2,000 " \
             "projects) or xlarge (8,000) (default: %(default)s)"


def parser() -> argparse.ArgumentParser:
    main_parser = Parser(prog="pmo", description="PMO KPI platform: ingest the landing folder, "
                         "check it, build the KPI tables and publish them. Settings come from "
                         "PMO_* variables (docs/outputs.md); a flag overrides its variable.")
    sub = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="generate the demo data if absent, run everything, "
                          "summarize", description="Generate the demo data set into the landing "
                          "folder when it is empty, run everything and print a KPI summary.")
    demo.add_argument("--as-of", type=as_of_flag, metavar="D", help="YYYY-MM-DD or 'data' "
                      "(default: PMO_AS_OF, else the demo data's last day)")
    demo.set_defaults(func=cmd_demo)

    gen = sub.add_parser("generate", help="write a synthetic raw data set in the input contract",
                         description="Write a synthetic data set in the input contract "
                         "(docs/inputs.md), with failure causes planted in some projects.")
    gen.add_argument("--scale", choices=["demo", "medium", "large", "xlarge"], default="demo",
                     help=SCALE_HELP)
    gen.add_argument("--seed", type=whole_number, default=1, metavar="N",
                     help="random seed; the same seed gives the same files (default: %(default)s)")
    gen.add_argument("--out", required=True, metavar="DIR",
                     help="folder to write into (required; must hold no foreign files)")
    gen.add_argument("--truth", type=Path, metavar="FILE", help="also write each project's "
                     "planted failure cause as CSV (project_id,planted_cause) to FILE, outside "
                     "DIR (default: not written)")
    gen.add_argument("--timesheet-files", choices=["single", "monthly", "daily"],
                     default="monthly", help="timesheets in one file, one per month or one per "
                     "day (default: %(default)s)")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="ingest, check and build every KPI table once, publish",
                         description="One complete run: ingest, checks, KPI tables, publishing. "
                         "When no landed file (by content), setting, as-of date or code "
                         "changed since the last run that passed and its release is untouched, "
                         "says so in one line and starts no run. Exit 0 when everything passed "
                         "(or nothing was new), 1 with a readable list of what failed, 2 for a "
                         "bad setting.")
    run.add_argument("--as-of", type=as_of_flag, metavar="D", help=AS_OF_HELP)
    run.add_argument("--raw-dir", metavar="DIR", help=RAW_HELP)
    run.add_argument("--warehouse", metavar="FILE", help=WAREHOUSE_HELP)
    run.add_argument("--export-dir", metavar="DIR", help=EXPORT_HELP)
    run.add_argument("--force", action="store_true", help="start the run even when nothing "
                     "changed since the last one that passed; it publishes a new release only "
                     "if the content differs (default: no run, one line saying so)")
    run.set_defaults(func=cmd_run)

    fill = sub.add_parser("backfill", help="fill kpi_project_history for each day of a range",
                          description="Compute kpi_project_history for every day from --from to "
                          "--to (both included) in one run, then publish.")
    fill.add_argument("--from", dest="from_", type=date_flag, required=True, metavar="D1",
                      help="first day, YYYY-MM-DD (required)")
    fill.add_argument("--to", type=date_flag, required=True, metavar="D2",
                      help="last day, YYYY-MM-DD, on or after D1 and at most tomorrow (required)")
    fill.add_argument("--warehouse", metavar="FILE", help=WAREHOUSE_HELP)
    fill.set_defaults(func=cmd_backfill)

    bench = sub.add_parser("bench", help="time a full build, the nightly increment and a no-op "
                           "run against a bare-DuckDB floor")
    bench.add_argument("--scale", choices=["demo", "medium", "large", "xlarge"], default="demo",
                       help=SCALE_HELP)
    bench.add_argument("--seed", type=whole_number, default=1, metavar="N",
                       help="random seed of the generated data (default: %(default)s)")
    bench.add_argument("--json", type=Path, metavar="FILE", help="figures as JSON (default: "
                       "data/bench/<scale>-results.json)")
    bench.set_defaults(func=cmd_bench)

    test = sub.add_parser("backtest", help="score kpi_forecast: forecast as of an earlier day "
                          "D0 and compare with what happened by the data's end",
                          description="Forecast as of D0 on data that runs on to D1 and print "
                          "how many of the projects finished by D1 did so by their P50, P80 "
                          "and P95 date and cost. Reads the landing folder, or generates a data "
                          "set with --scale/--seed. Nothing is written.")
    test.add_argument("--as-of", type=date_flag, metavar="D0", help="forecast date, YYYY-MM-DD "
                      "(default: a year before the end of the data)")
    test.add_argument("--data-end", type=date_flag, metavar="D1", help="end of the data to "
                      "score against, YYYY-MM-DD (default: the latest timesheet day or progress "
                      "report; for generated data, the generator's end date)")
    test.add_argument("--raw-dir", metavar="DIR", help=RAW_HELP)
    test.add_argument("--scale", choices=["demo", "medium", "large", "xlarge"], default=None,
                      help="generate a data set of this size instead of reading the landing "
                      "folder (default: read the landing folder)")
    test.add_argument("--seed", type=whole_number, default=2, metavar="N",
                      help="seed of the generated data set, with --scale (default: %(default)s)")
    test.set_defaults(func=cmd_backtest)

    sub.add_parser("recovery", help="generate data with planted causes, run the pipeline and print "
                   "planted cause against found primary driver (see pmo recovery --help)")
    return main_parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["recovery"]:  # its own options: devtools/recovery.py
        from devtools.recovery import main as recovery

        return recovery(argv[1:])
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a bad command line (one line, see Parser)
        return int(exit_.code or 0)
    if args.command == "backtest":
        args.generate = args.scale is not None
        args.scale = args.scale or "demo"
    try:
        return args.func(args)
    except SettingsError as error:
        print(f"pmo {args.command}: {error}", file=sys.stderr)
        return 2


def program() -> None:
    """The `pmo` command: main() as a process, which ends after it."""
    code = main()
    # The interpreter's last garbage collection walks every object the run made (Dagster's
    # definitions and events: 2.5 s after a nightly run at the large scale) to free memory that
    # the operating system takes back anyway when the process ends; frozen objects are left
    # out of it. Not in main(): the tests call it many times in one process.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    program()
