"""The command line's messages: one-line errors and exit codes, the resume command, the summary."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from sim.run.results import EXIT_ENVIRONMENT, remove_empty_parents

HYDRA_FILES = {".hydra"}
# Exit codes of ``python -m sim`` and ``python -m sim.run.sweep`` (README, "Errors").
EXIT_RUNS_FAILED = 1  # some runs of a sweep failed; the manifest's error column says why
# EXIT_ENVIRONMENT (1, sim.run.results): a full or failing disk, or a missing optional dependency.
EXIT_BAD_INPUT = 2  # nothing ran: the one line names the setting
EXIT_INTERRUPTED = 130  # Ctrl-C: the one line is the command that resumes


def print_summary(summary: dict[str, Any], out_dir: Path | None) -> None:
    rows = [
        ("revenue", f"{summary['revenue']:,.0f}"),
        ("profit", f"{summary['profit']:,.0f}"),
        ("recovery cost", f"{summary['recovery_cost']:,.0f}"),
        ("acquisition cost", f"{summary['acquisition_cost']:,.0f}"),
        ("customers", f"{summary['customers_start']:,} -> {summary['customers_end']:,}"),
        ("customers won", f"{summary['customers_acquired']:,} of a market of {summary['market_size']:,}"),
        ("customers lost", f"{summary['customers_lost']:,} ({summary['churn_rate']:.1%} of all served)"),
        ("complaints", f"{summary['complaints']:,} ({_percent(summary['complaint_share'])} of dissatisfied)"),
        ("word of mouth", f"{summary['positive_wom_messages']:,} +, {summary['negative_wom_messages']:,} -"),
        ("terrorists", f"{summary['terrorists']:,}"),
        ("NPV (discounted profit)", f"{summary['npv']:,.0f}"),
        ("customer equity", f"{summary['customer_equity']:,.0f}"),
        ("NPV with equity", f"{summary['npv_with_equity']:,.0f}"),
    ]
    title = (
        f"policy={summary['policy']} scenario={summary['scenario']} network={summary['network']} seed={summary['seed']}"
    )
    width, value_width = max(len(k) for k, _ in rows), max(len(v) for _, v in rows)
    lines = [title] + [f"  {k:<{width}}  {v:>{value_width}}" for k, v in rows]
    if out_dir is not None:
        lines.append(f"  results: {out_dir}")
    print("\n".join(lines), flush=True)


def _percent(share: float | None) -> str:
    """A share as ``7.5%``; ``n/a`` for an undefined one (``null`` in the summary)."""
    return "n/a" if share is None else f"{share:.1%}"


def discard_unfinished(out_dir: Path | None, sweep_dir: Path | None = None) -> None:
    """Remove a run folder that holds nothing but Hydra's records and logs: it could pass for a result.

    In a sweep, the condition folders it leaves empty go too, up to ``sweep_dir``.
    """
    if out_dir is not None and out_dir.is_dir():
        leftovers = {p.name for p in out_dir.iterdir()} - HYDRA_FILES
        if all(name.endswith((".log", ".tmp")) for name in leftovers):
            shutil.rmtree(out_dir, ignore_errors=True)
            if sweep_dir is not None:
                remove_empty_parents(out_dir, sweep_dir)


def fail(err: Exception, out_dir: Path | None, code: int = EXIT_BAD_INPUT) -> None:
    """One line on stderr, exit ``code`` (2: bad input), and no run folder left behind that could pass for a result."""
    discard_unfinished(out_dir)
    print(f"error: {err}", file=sys.stderr, flush=True)
    sys.exit(code)


def require(module: str, extra: str, program: str) -> None:
    """Exit with one line naming the extra to install when ``program`` needs an optional dependency."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        print(
            f"error: {program} needs {module}, which is not installed: pip install -e '.[{extra}]'",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(EXIT_ENVIRONMENT)


def is_override(arg: str) -> bool:
    """Whether a command-line argument is an override (``key=value``, ``+key=...``, ``~key``), not a flag."""
    return not arg.startswith("-") and ("=" in arg or arg.startswith("~"))


def resume_command(module: str, argv: list[str], sweep_dir: Path | None) -> str:
    """The command that picks an interrupted run or sweep up where it stopped, ready to paste into a shell.

    Hydra reads its overrides as one block: one placed after a flag that follows them
    (``seed=0,1 --multirun hydra.sweep.dir=X``) is refused ("unrecognized arguments"), so the
    sweep folder joins the block, after the last override.
    """
    import shlex

    from sim.run.plan import quote

    args = list(argv)
    if sweep_dir is not None:
        args = [a for a in args if not a.lstrip("+").startswith("hydra.sweep.dir=")]
        last = max((i for i, a in enumerate(args) if is_override(a)), default=-1)
        args.insert(last + 1, f"hydra.sweep.dir={quote(str(sweep_dir))}")
    return shlex.join(["python", "-m", module, *args])


def show_warnings_on_one_line() -> None:
    """The model's own warnings (``SimWarning``) as ``warning: ...`` lines; others as Python prints them."""
    import warnings

    from sim.core.warnings import SimWarning

    default = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, SimWarning):
            print(f"warning: {message}", file=sys.stderr, flush=True)
        else:
            default(message, category, *args, **kwargs)

    warnings.showwarning = show
