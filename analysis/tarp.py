"""The TARP repurchase table from a ``+experiment=tarp_cohort`` sweep, beside its targets.

Usage: ``python -m analysis.tarp SWEEP_DIR`` prints the table and writes ``tarp_table.md`` there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.validate.targets import TARP_CELLS

# TARP's table (share who would buy again, by problem size and complaint outcome) lives with the
# validation targets, with its source.
TARGETS = TARP_CELLS
CONDITIONS = ["no_complaint", "complained_unsatisfied", "complained_satisfied", "satisfied_quickly"]


def collect(sweep_dir: Path) -> pd.DataFrame:
    """One row per finished cohort run: loss size, condition, simulated and target buy-again share."""
    rows = []
    for summary_file in sorted(Path(sweep_dir).rglob("summary.json")):
        overrides = yaml.safe_load((summary_file.parent / ".hydra" / "overrides.yaml").read_text())
        choice = dict(o.lstrip("+").split("=", 1) for o in overrides)
        key = (choice.get("tarp_loss", "small"), choice.get("tarp_condition", "no_complaint"))
        summary = json.loads(summary_file.read_text())
        rows.append(
            {
                "loss": key[0],
                "condition": key[1],
                "simulated": summary["buy_again_share"],
                "target": TARGETS[key],
                "verdicts": summary.get("verdicts"),
            }
        )
    table = pd.DataFrame(rows)
    table["difference_pp"] = 100 * (table["simulated"] - table["target"])
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
    table = collect(Path(argv[0]))
    text = to_markdown(table)
    (Path(argv[0]) / "tarp_table.md").write_text(text)
    print(text, end="")
    print(f"largest gap: {table.difference_pp.abs().max():.1f} percentage points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
