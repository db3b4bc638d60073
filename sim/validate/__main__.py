"""``python -m sim.validate``: run every validation study and write the report.

    python -m sim.validate                 # full report into docs/ (all local cores)
    python -m sim.validate --quick         # reduced runs into validation-quick/, checked against
                                           # docs/validation.json: exit 1 if a target it marks met is missed
    python -m sim.validate --jobs 2 --family tarp --out /tmp/v

Exit codes: 0 done (and, with --quick, nothing the committed report marks as met was missed),
1 the quick check found a regression, 2 bad options.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import NoReturn

from sim.validate import report
from sim.validate.runner import evaluate, run_studies
from sim.validate.studies import FULL, QUICK, Size
from sim.validate.targets import registry

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BASELINE = REPO / "docs" / "validation.json"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr and exit code 2, as the simulator's own CLI does."""
        self.exit(2, f"error: {message} (see python -m sim.validate --help)\n")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer (-1: all cores), not {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be -1 (all cores) or a positive number, not {value}")
    return value


def parser() -> argparse.ArgumentParser:
    families = sorted(dict.fromkeys(t.family for t in registry()))
    p = _Parser(prog="python -m sim.validate", description="Validation report of the simulator against the literature.")
    p.add_argument("--quick", action="store_true", help="fewer seeds and smaller runs (about 3 minutes on 2 cores)")
    p.add_argument("--jobs", type=_jobs, default=-1, help="parallel jobs (default -1: all local cores)")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default docs/, or validation-quick/ with --quick)"
    )
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE,
                   help="committed verdicts the quick check compares with (default docs/validation.json)")
    p.add_argument("--family", action="append", choices=families, help="only this family of targets (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def check(outcomes: list, baseline: Path) -> list[str]:
    """Regressions against the committed verdicts; a missing baseline is itself reported."""
    if not baseline.is_file():
        return [f"{baseline}: no committed verdicts to check against"]
    return report.regressions(outcomes, json.loads(baseline.read_text()))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    size: Size = QUICK if args.quick else FULL
    out = args.out or (Path("validation-quick") if args.quick else REPO / "docs")
    targets = [t for t in registry() if not args.family or t.family in args.family]
    started = time.perf_counter()
    results = run_studies(targets, size, jobs=args.jobs, progress=not args.no_progress)
    outcomes, table = evaluate(targets, results)
    from sim.core.model import package_version
    from sim.validate.adapter import default

    command = "python -m sim.validate" + (" --quick" if args.quick else "")
    meta = {
        "command": command,
        "size": size.__dict__,
        "size_text": f"{size.name}: {size.seeds} seeds of {size.market:,} customers (a market of "
        f"{round(size.market / default('market.share')):,} people) x {size.days} days at the defaults, "
        f"{size.cohort_seeds} seeds of "
        f"{size.cohort:,}-customer cohorts and {size.years}-year defection runs, {size.tarp_seeds} seeds of "
        f"{size.tarp_cohort:,}-customer TARP cohorts, {size.docking_seeds} seeds of each docking check",
        "version": package_version(),
    }
    report.write(outcomes, table, out, meta, results)
    elapsed = time.perf_counter() - started
    print(f"{report.headline(outcomes)}; {elapsed:.0f} s; report in {out}/validation.md")
    if not args.quick:
        return 0
    problems = check(outcomes, args.baseline)
    if args.baseline.is_file():
        for line in report.not_compared(outcomes, json.loads(args.baseline.read_text())):
            print(f"not compared: {line}")
    for line in problems:
        print(f"REGRESSION {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
