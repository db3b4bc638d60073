"""Checks before Hydra starts: a run never writes into a folder that holds a finished run of another config.

Hydra saves ``.hydra/config.yaml`` into a run folder before the job itself runs, so a check inside
the job comes too late to keep a finished run's record intact. Default folders are unique
(``${uid:}``); only a folder named on the command line (``hydra.run.dir=`` or
``hydra.sweep.dir=``) that already holds finished runs is checked, composing the configs once.
"""

from __future__ import annotations

from pathlib import Path

from sim.run.fingerprint import config_hash
from sim.run.results import SUMMARY, is_complete

NOTHING_RUNS = ("--cfg", "-c", "--help", "-h", "--hydra-help", "--info", "-i", "--shell-completion", "-sc")


def overrides_of(argv: list[str]) -> list[str]:
    """The override arguments of a ``python -m sim`` command line (flags and their values left out)."""
    return [a for a in argv if not a.startswith("-") and ("=" in a or a.startswith("~"))]


def is_multirun(argv: list[str]) -> bool:
    return "-m" in argv or "--multirun" in argv


def explicit_value(overrides: list[str], key: str) -> str | None:
    """The value the command line gives ``key`` (quotes removed), else ``None``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    found = [o for o in overrides if o.startswith(f"{key}=")]
    if not found:
        return None
    return str(OverridesParser.create().parse_overrides(found[-1:])[0].value())


def preflight(argv: list[str]) -> None:
    """Raise ``ConfigError`` (one line, naming the run) before Hydra writes into a folder of another config."""
    if any(flag in argv for flag in NOTHING_RUNS):
        return
    overrides = overrides_of(argv)
    if is_multirun(argv):
        target = explicit_value(overrides, "hydra.sweep.dir")
        if target is None or not Path(target).is_dir() or next(Path(target).rglob(SUMMARY), None) is None:
            return
        from sim.run.plan import plan
        from sim.run.sweep import pending

        sweep_dir, _, jobs = plan(overrides)
        pending(sweep_dir, jobs)
        return
    target = explicit_value(overrides, "hydra.run.dir")
    if target is None or not is_complete(Path(target)):
        return
    from sim.run.plan import compose_task
    from sim.run.resume import check_same_config

    check_same_config(Path(target), config_hash(compose_task(overrides)), None)
