"""The TARP repurchase table from a ``+experiment=tarp_cohort`` sweep, beside its targets.

Usage: ``python -m analysis.tarp SWEEP_DIR`` prints the table and writes ``tarp_table.md`` there.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import yaml

from analysis.collect import read_run, run_folders
from sim.run.results import atomic_write_bytes
from sim.validate.targets import TARP_CELLS

# TARP's table (share who would buy again, by problem size and complaint outcome) lives with the
# validation targets, with its source.
TARGETS = TARP_CELLS
CONDITIONS = ["no_complaint", "complained_unsatisfied", "complained_satisfied", "satisfied_quickly"]


class NotTarp(ValueError):
    """The folder is not a TARP cohort sweep; the message is one line."""


SCENARIO = "tarp_cohort"  # the scenario name sim/conf/experiment/tarp_cohort.yaml sets


def collect(sweep_dir: Path) -> pd.DataFrame:
    """One row per finished cohort run: loss size, condition, simulated and target buy-again share.

    Raises ``NotTarp`` when a run is not of ``+experiment=tarp_cohort`` (its cells would be
    read as TARP's). Runs whose summary cannot be read are skipped and listed in
    ``attrs["skipped"]``, as ``python -m analysis`` does; a run with no verdict (``null`` share) is
    kept and left out of its cell's mean.
    """
    rows, skipped = [], []
    folders = run_folders(sweep_dir)
    if not folders:
        raise NotTarp(f"SWEEP_DIR = {str(sweep_dir)!r}: holds no finished run (no summary.json)")
    for folder in folders:
        run = folder.relative_to(sweep_dir).as_posix()
        summary, reason = read_run(folder)
        if summary is None:
            skipped.append((run, reason))
            continue
        config = yaml.safe_load((folder / ".hydra" / "config.yaml").read_text()) or {}
        scenario = (config.get("scenario") or {}).get("name")
        if scenario != SCENARIO:
            raise NotTarp(
                f"SWEEP_DIR = {str(sweep_dir)!r}: not a +experiment=tarp_cohort sweep "
                f"(run {run} has scenario {scenario!r}): nothing written"
            )
        overrides = yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text()) or []
        choice = dict(str(o).lstrip("+").split("=", 1) for o in overrides if "=" in str(o))
        key = (choice.get("tarp_loss", "small"), choice.get("tarp_condition", "no_complaint"))
        if key not in TARGETS:
            raise NotTarp(f"SWEEP_DIR = {str(sweep_dir)!r}: run {run} has no TARP cell {key}: nothing written")
        share = summary.get("buy_again_share")
        rows.append(
            {
                "loss": key[0],
                "condition": key[1],
                "simulated": math.nan if share is None else share,
                "target": TARGETS[key],
                "verdicts": summary.get("verdicts"),
            }
        )
    if not rows:
        raise NotTarp(f"SWEEP_DIR = {str(sweep_dir)!r}: none of its runs can be read (first: {skipped[0][1]})")
    table = pd.DataFrame(rows)
    table["difference_pp"] = 100 * (table["simulated"] - table["target"])
    table.attrs["skipped"] = skipped
    return table


def to_markdown(table: pd.DataFrame) -> str:
    lines = ["| loss | " + " | ".join(CONDITIONS) + " |", "|---|" + "---|" * len(CONDITIONS)]
    for loss in ("small", "large"):
        cells = []
        for cond in CONDITIONS:
            row = table[(table.loss == loss) & (table.condition == cond)]
            cells.append("-" if row.empty else f"{row.simulated.mean():.0%} (TARP {TARGETS[(loss, cond)]:.0%})")
        lines.append(f"| {loss} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(
            "usage: python -m analysis.tarp SWEEP_DIR (a folder from +experiment=tarp_cohort --multirun)",
            file=sys.stderr,
        )
        return 2
    try:
        table = collect(Path(argv[0]))
    except NotTarp as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if table.attrs["skipped"]:
        names = "; ".join(f"{run} ({reason})" for run, reason in table.attrs["skipped"][:5])
        print(f"warning: skipped {len(table.attrs['skipped'])} runs that cannot be read: {names}", file=sys.stderr)
    text = to_markdown(table)
    atomic_write_bytes(Path(argv[0]) / "tarp_table.md", text.encode())
    print(text, end="")
    print(f"largest gap: {table.difference_pp.abs().max():.1f} percentage points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
