"""Recovery check: does the root-cause analysis find the causes the generator planted?

For each scale and seed: generate a synthetic data set with planted failure causes (truth CSV
`project_id,planted_cause`), run the pipeline as of the generator's end date, and compare each
failing (red) project's `primary_driver` in `marts.rca_drivers` with its planted cause. Prints a
confusion table (planted cause x found primary driver) over the failing projects that have a
planted cause, per scale and overall, with the accuracy; exit 0 when the overall accuracy reaches
--min-accuracy (default 0.9), 1 otherwise.

The default runs the raw ingest and the SQL models in-process (`pipelines.transform.models.build_all`),
which computes the same tables as a Dagster run; --full goes through `run_everything` (ingest,
quality gate, models, publish) in a throw-away PMO_* environment instead.

    python -m devtools.recovery --scales demo medium --seeds 1 2 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

UNEXPLAINED = "unexplained"


@dataclass
class Outcome:
    """One generated data set: (planted, found) per failing planted project, and the rest."""

    scale: str
    seed: int
    pairs: list[tuple[str, str]] = field(default_factory=list)
    planted_not_failing: list[tuple[str, str, str]] = field(default_factory=list)  # id, cause, health
    failing_unplanted: Counter = field(default_factory=Counter)  # found primary driver -> count
    seconds: float = 0.0

    @property
    def correct(self) -> int:
        return sum(p == f for p, f in self.pairs)


def _drivers(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """One row per project: health and primary driver (null unless failing)."""
    rows = con.execute(f"""
        SELECT project_id, any_value(health) AS health, any_value(primary_driver) AS primary_driver
        FROM {table} GROUP BY project_id ORDER BY project_id""").fetchall()
    return pl.DataFrame(rows, schema={"project_id": pl.String, "health": pl.String,
                                      "primary_driver": pl.String}, orient="row")


def _build_in_process(raw: Path, as_of) -> pl.DataFrame:
    from pipelines.contract import ENTITIES
    from pipelines.ingest.load import ingest_entity, ingest_order
    from pipelines.transform.models import build_all
    from pipelines.settings import KpiParams

    con = duckdb.connect()
    try:
        for entity in ingest_order(ENTITIES.values()):
            report = ingest_entity(con, raw, entity)
            if report.rejected:
                raise RuntimeError(f"{entity.name}: files rejected: {report.rejected}")
        build_all(con, KpiParams(as_of=as_of).as_variables())
        return _drivers(con, "marts.rca_drivers")
    finally:
        con.close()


def _build_with_dagster(raw: Path, work: Path, as_of) -> pl.DataFrame:
    from pipelines.runner import run_everything
    from pipelines.settings import Settings

    settings = Settings(raw_dir=raw, warehouse=work / "warehouse.duckdb",
                        export_dir=work / "exports", dagster_home=work / "dagster_home")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster and GX deprecation chatter
        if not run_everything(settings, as_of):
            raise RuntimeError(f"the pipeline run on {raw} failed")
    with duckdb.connect(str(work / "exports" / "kpi.duckdb"), read_only=True) as con:
        return _drivers(con, "rca_drivers")


def check(scale: str, seed: int, work: Path, full: bool = False) -> Outcome:
    """Generate, run and compare one data set in the folder `work`."""
    from devtools.generate import DEFAULT_END, generate

    started = time.perf_counter()
    raw, truth_file = work / "raw", work / "truth.csv"
    generate(scale, seed, raw, truth_file=truth_file)
    found = (_build_with_dagster(raw, work, DEFAULT_END) if full
             else _build_in_process(raw, DEFAULT_END))
    truth = pl.read_csv(truth_file, schema_overrides={"project_id": pl.String, "planted_cause": pl.String})
    joined = truth.join(found, on="project_id", how="left")
    outcome = Outcome(scale, seed)
    for row in joined.iter_rows(named=True):
        planted, failing = row["planted_cause"], row["health"] == "red"
        if planted and failing:
            outcome.pairs.append((planted, row["primary_driver"] or UNEXPLAINED))
        elif planted:
            outcome.planted_not_failing.append((row["project_id"], planted, row["health"] or "not started"))
        elif failing:
            outcome.failing_unplanted[row["primary_driver"] or UNEXPLAINED] += 1
    outcome.seconds = time.perf_counter() - started
    return outcome


def confusion_table(pairs: list[tuple[str, str]]) -> str:
    """Planted cause (rows) against found primary driver (columns), counts, with row totals."""
    from devtools.generate import CAUSES

    counts = Counter(pairs)
    found_columns = [*CAUSES, *sorted({f for _, f in pairs} - set(CAUSES) - {UNEXPLAINED}), UNEXPLAINED]
    width = max(len(c) for c in [*found_columns, "planted \\ found"]) + 1
    lines = ["planted \\ found".ljust(width) + "".join(c[:15].rjust(16) for c in found_columns)
             + "total".rjust(8) + "correct".rjust(9)]
    for planted in CAUSES:
        row = [counts[(planted, f)] for f in found_columns]
        lines.append(planted.ljust(width) + "".join(str(n).rjust(16) for n in row)
                     + str(sum(row)).rjust(8) + str(counts[(planted, planted)]).rjust(9))
    return "\n".join(lines)


def accuracy_line(label: str, pairs: list[tuple[str, str]]) -> tuple[str, float]:
    correct = sum(p == f for p, f in pairs)
    accuracy = correct / len(pairs) if pairs else float("nan")
    return f"{label}: found == planted for {correct} of {len(pairs)} failing planted projects ({accuracy:.1%})", accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pmo recovery",
        description="generate data with planted failure causes, run the pipeline and compare the "
                    "found primary drivers with the planted causes")
    parser.add_argument("--scales", nargs="+", choices=["demo", "medium", "large"],
                        default=["demo", "medium"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--min-accuracy", type=float, default=0.9,
                        help="overall accuracy needed for exit status 0 (default 0.9)")
    parser.add_argument("--full", action="store_true",
                        help="run through Dagster (ingest, quality gate, models, publish) instead of "
                             "ingest + models in-process")
    parser.add_argument("--work-dir", type=Path,
                        help="keep the generated data and warehouses here (default: a temp dir, removed)")
    args = parser.parse_args(argv)

    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="pmo-recovery-") as tmp:
        root = args.work_dir or Path(tmp)
        for scale in args.scales:
            for seed in args.seeds:
                outcome = check(scale, seed, root / f"{scale}-{seed}", full=args.full)
                outcomes.append(outcome)
                line, _ = accuracy_line(f"{scale} seed {seed}", outcome.pairs)
                extra = []
                if outcome.planted_not_failing:
                    extra.append("planted but not red: " + ", ".join(
                        f"{pid} {cause} ({health})" for pid, cause, health in outcome.planted_not_failing))
                if outcome.failing_unplanted:
                    extra.append("red without a planted cause: " + ", ".join(
                        f"{driver} {n}" for driver, n in sorted(outcome.failing_unplanted.items())))
                print(f"{line} [{outcome.seconds:.0f} s]" + "".join(f"\n    {e}" for e in extra),
                      flush=True)

    everything = [p for o in outcomes for p in o.pairs]
    for scale in args.scales:
        pairs = [p for o in outcomes if o.scale == scale for p in o.pairs]
        seeds = " ".join(str(o.seed) for o in outcomes if o.scale == scale)
        print(f"\n{scale} (seeds {seeds})\n{confusion_table(pairs)}")
        print(accuracy_line(f"{scale} accuracy", pairs)[0])
    if len(args.scales) > 1:
        print(f"\nall scales\n{confusion_table(everything)}")
    line, accuracy = accuracy_line("overall accuracy", everything)
    print(f"\n{line}; needed {args.min_accuracy:.0%}")
    return 0 if everything and accuracy >= args.min_accuracy else 1


if __name__ == "__main__":
    sys.exit(main())
