"""``python -m analysis RESULTS_DIR``: tidy table, policy ranking, paired differences, the strategist's report.

Writes into ``RESULTS_DIR/analysis/`` (or ``--out``): ``runs.parquet`` (one row a finished run),
``ranking.md``/``ranking.csv``, ``paired.md``/``paired.csv``, ``strategist.md``/``strategist.csv``
and the figures as PNG and SVG.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import pandas as pd

from analysis import figures
from analysis import strategist as st
from analysis.collect import collect, load_timeseries, swept_keys
from analysis.report import (
    BASELINE,
    DIFFERENCES,
    OUTCOMES,
    group_keys,
    paired,
    paired_markdown,
    ranking,
    ranking_markdown,
)
from analysis.stats import BOOTSTRAP, LEVEL
from sim.run.results import atomic_write_bytes


class UsageError(ValueError):
    """Bad arguments; the message is one line."""


MAX_BOOTSTRAP = 1_000_000  # resamples x seeds indices are held in memory at once


def sweep_parameter(table: pd.DataFrame, requested: str | None) -> str | None:
    """The parameter for the sweep curve: the one asked for, else the first numeric swept key."""
    if requested is not None:
        if requested not in table.columns:
            options = ", ".join(k for k in swept_keys(table) if k not in ("policy", "seed")) or "none swept"
            raise UsageError(f"--sweep = {requested!r}: not a parameter of these runs (swept: {options})")
        return requested
    for key in swept_keys(table):
        if key not in ("policy", "seed") and key in table.columns and pd.api.types.is_numeric_dtype(table[key]):
            return key
    return None


def analyse(
    results_dir: Path,
    out_dir: Path | None = None,
    sweep: str | None = None,
    metric: str = "profit",
    baseline: str = BASELINE,
    level: float = LEVEL,
    n_boot: int = BOOTSTRAP,
) -> dict[str, Path]:
    """Everything the command writes; returns the paths by name."""
    results_dir = Path(results_dir)
    if not 1 <= n_boot <= MAX_BOOTSTRAP:
        raise UsageError(f"--bootstrap = {n_boot}: must be an integer in [1, {MAX_BOOTSTRAP:,}]")
    table = collect(results_dir)
    report_left_out(table)
    needed = ["policy", "seed", *OUTCOMES, *DIFFERENCES, *st.COLUMNS.values()]
    missing = list(dict.fromkeys(c for c in needed if c not in table.columns))
    if missing:
        raise UsageError(
            f"the runs in {str(results_dir)!r} have no {', '.join(missing)} (summary figures this analysis "
            "reads; the names are in analysis/report.py and analysis/strategist.py COLUMNS)"
        )
    # The default baseline may be absent (a sweep of one policy); one asked for by name must be there.
    if baseline != BASELINE and "policy" in table.columns and baseline not in set(table["policy"].astype(str)):
        policies = ", ".join(sorted(set(table["policy"].astype(str))))
        raise UsageError(f"--baseline = {baseline!r}: must be a policy of these runs ({policies})")
    if metric not in table.columns:
        raise UsageError(f"--metric = {metric!r}: must be one of {', '.join(table.attrs['figures'])}")
    parameter = sweep_parameter(table, sweep)
    out_dir = Path(out_dir) if out_dir is not None else results_dir / "analysis"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        atomic_write_bytes(out_dir / name, data)
        written[name] = out_dir / name

    write("runs.parquet", table.to_parquet(index=False))
    keys = group_keys(table)
    rank = ranking(table, baseline, level, n_boot)
    diffs = paired(table, baseline, level, n_boot)
    write("ranking.csv", rank.to_csv(index=False).encode())
    write("ranking.md", ranking_markdown(rank, keys, baseline, level).encode())
    write("paired.csv", diffs.to_csv(index=False).encode())
    write("paired.md", paired_markdown(diffs, keys, baseline, level).encode())
    report = st.strategist(table, baseline, level, n_boot)
    write("strategist.csv", report.to_csv(index=False).encode())
    write("strategist.md", st.markdown(report, keys, baseline, level, n_boot).encode())

    main_group = _largest_group(table, keys)
    for path in figures.outcome_by_policy(main_group, out_dir / "outcome_by_policy", level):
        written[path.name] = path
    series = load_timeseries(results_dir, list(main_group["run"]), ["day", "customers", "negative_wom"])
    series = series.merge(main_group[["run", "policy"]], on="run")
    for path in figures.timeseries_by_policy(series, out_dir / "timeseries_by_policy", level):
        written[path.name] = path
    if not diffs.empty:
        main_diffs = diffs
        for key in keys:
            main_diffs = main_diffs[main_diffs[key] == main_group[key].iloc[0]]
        for path in figures.paired_differences(main_diffs, out_dir / "paired_differences", baseline, level):
            written[path.name] = path
    main_report = report
    for key in keys:
        main_report = main_report[main_report[key] == main_group[key].iloc[0]]
    for path in figures.strategist(main_report, out_dir / "strategist", baseline, level):
        written[path.name] = path
    if parameter is not None:
        for path in figures.sweep_curve(table, parameter, metric, out_dir / "sweep_curve", level):
            written[path.name] = path
    return written


def report_left_out(table: pd.DataFrame, shown: int = 3) -> None:
    """Name the runs the table left out, and how many: unreadable ones and second copies of a run."""
    skipped, duplicates = table.attrs.get("skipped", []), table.attrs.get("duplicates", [])
    if skipped:
        names = "; ".join(f"{run} ({reason})" for run, reason in skipped[:shown])
        more = f"; and {len(skipped) - shown} more" if len(skipped) > shown else ""
        print(f"warning: skipped {len(skipped)} runs that cannot be read: {names}{more}", file=sys.stderr)
    if duplicates:
        names = "; ".join(f"{copy} repeats {original}" for copy, original in duplicates[:shown])
        more = f"; and {len(duplicates) - shown} more" if len(duplicates) > shown else ""
        print(
            f"warning: left out {len(duplicates)} runs with the same config and seed as another run "
            f"(a copied sweep would count its seeds twice): {names}{more}",
            file=sys.stderr,
        )


def _largest_group(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """For per-policy figures of a sweep over more than policies: the combination with the most runs."""
    if not keys:
        return table
    sizes = table.groupby(keys, sort=True).size()
    best = sizes.idxmax()
    best = best if isinstance(best, tuple) else (best,)
    mask = pd.Series(True, index=table.index)
    for key, value in zip(keys, best, strict=True):
        mask &= table[key] == value
    return table[mask]


def main(argv: list[str] | None = None) -> int:
    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # argparse's usage block, as one line
            print(f"error: {message} (see python -m analysis --help)", file=sys.stderr)
            sys.exit(2)

    parser = OneLineParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=Path, help="one run folder or a sweep folder")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default RESULTS_DIR/analysis)")
    parser.add_argument("--sweep", default=None, help="parameter for the sweep curve (default: first numeric swept)")
    parser.add_argument("--metric", default="profit", help="summary figure on the sweep curve (default profit)")
    parser.add_argument("--baseline", default=BASELINE, help="policy the others are paired against (default none)")
    parser.add_argument("--bootstrap", type=int, default=BOOTSTRAP, help="bootstrap resamples (default 10000)")
    args = parser.parse_args(argv)
    try:
        written = analyse(args.results_dir, args.out, args.sweep, args.metric, args.baseline, n_boot=args.bootstrap)
    except (UsageError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(written["ranking.md"].read_text())
    print(written["paired.md"].read_text())
    print(written["strategist.md"].read_text())
    print(f"wrote {len(written)} files to {written['ranking.md'].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
