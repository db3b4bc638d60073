"""What failures cost, split into the direct loss and the loss through word of mouth.

Reads a ``+experiment=wom_attribution`` sweep (three counterfactuals a seed) and, per seed,
takes ``no_failures - as_is`` (lost to failures) and ``no_negative_wom - as_is`` (lost through
word of mouth); the direct loss is the difference. Means with percentile bootstrap CIs over the
shared seeds.

Usage: ``python -m analysis.attribution SWEEP_DIR`` prints the table and writes
``attribution.md`` and ``attribution.csv`` into ``SWEEP_DIR/analysis/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.collect import collect
from analysis.stats import bootstrap_mean_ci
from sim.run.results import atomic_write_bytes

CONDITIONS = ("as_is", "no_negative_wom", "no_failures")
# Figures where more is better: a loss is the counterfactual minus what happened.
OUTCOMES = ("revenue", "profit", "npv_with_equity", "customers_end", "customers_acquired")


def attribution(runs: pd.DataFrame) -> pd.DataFrame:
    """One row an outcome: lost to failures, through word of mouth, directly, and the WOM share."""
    missing = [c for c in CONDITIONS if c not in set(runs.get("counterfactual", pd.Series(dtype=str)))]
    if missing:
        raise ValueError(f"counterfactual: runs missing for {', '.join(missing)} (run +experiment=wom_attribution)")
    wide = runs.pivot_table(index="seed", columns="counterfactual", values=list(OUTCOMES), aggfunc="first")
    wide = wide.dropna()
    rows = []
    for key in OUTCOMES:
        as_is = wide[(key, "as_is")]
        total = (wide[(key, "no_failures")] - as_is).to_numpy()
        wom = (wide[(key, "no_negative_wom")] - as_is).to_numpy()
        row = {"outcome": key, "seeds": len(wide)}
        for name, values in (("lost_to_failures", total), ("through_wom", wom), ("direct", total - wom)):
            row[name], row[f"{name}_low"], row[f"{name}_high"] = bootstrap_mean_ci(values)
        row["wom_share"] = row["through_wom"] / row["lost_to_failures"] if row["lost_to_failures"] else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    def cell(row: pd.Series, name: str) -> str:
        return f"{row[name]:,.0f} [{row[f'{name}_low']:,.0f}, {row[f'{name}_high']:,.0f}]"

    lines = [
        "| outcome | seeds | lost to failures | through word of mouth | directly | word-of-mouth share |",
        "|---|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        lines.append(
            f"| {row.outcome} | {row.seeds} | {cell(row, 'lost_to_failures')} | {cell(row, 'through_wom')} "
            f"| {cell(row, 'direct')} | {row.wom_share:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.attribution", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path)
    args = parser.parse_args(argv)
    try:
        table = attribution(collect(args.sweep_dir))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = args.sweep_dir / "analysis"
    out.mkdir(exist_ok=True)
    text = markdown(table)
    atomic_write_bytes(out / "attribution.md", text.encode())
    atomic_write_bytes(out / "attribution.csv", table.to_csv(index=False).encode())
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
