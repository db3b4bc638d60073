"""Checks before Hydra starts: a run never writes into a folder that holds a finished run of another config.

Hydra saves ``.hydra/config.yaml`` into a run folder before the job itself runs, so a check inside
the job comes too late to keep a finished run's record intact. Default folders are unique
(``${uid:}``); only a folder named on the command line (``hydra.run.dir=`` or
``hydra.sweep.dir=``) that already holds finished runs is checked, composing the configs once.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, NoReturn

from sim.core.config import ConfigError
from sim.run.fingerprint import config_hash
from sim.run.manifest import read_manifest
from sim.run.results import SUMMARY, is_complete

INFO_CHOICES = ["all", "config", "defaults", "defaults-tree", "plugins", "searchpath"]


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's usage block, as one line
        raise ConfigError(f"{message} (see python -m sim --help)")


def hydra_args(argv: list[str]) -> argparse.Namespace:
    """The command line read as Hydra's ``@hydra.main`` reads it: the same flags, abbreviations and groupings.

    Hydra's own parser is not public API; this one has its flags (``tests/test_preflight.py``
    compares the two). Raises ``ConfigError`` (one line) where
    Hydra's would print its usage and exit.
    """
    parser = _OneLineParser(add_help=False, prog="python -m sim")
    parser.add_argument("--help", "-h", action="store_true")
    parser.add_argument("--hydra-help", action="store_true")
    parser.add_argument("--version", action="store_true")
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--cfg", "-c", choices=["job", "hydra", "all"])
    parser.add_argument("--resolve", action="store_true")
    parser.add_argument("--package", "-p")
    parser.add_argument("--run", "-r", action="store_true")
    parser.add_argument("--multirun", "-m", action="store_true")
    parser.add_argument("--shell-completion", "-sc", action="store_true")
    parser.add_argument("--config-path", "-cp")
    parser.add_argument("--config-name", "-cn")
    parser.add_argument("--config-dir", "-cd")
    parser.add_argument("--experimental-rerun")
    parser.add_argument("--info", "-i", const="all", nargs="?", choices=INFO_CHOICES)
    return parser.parse_args(argv)


def nothing_runs(args: argparse.Namespace) -> bool:
    """Hydra prints something (help, the config, its information) and runs no job."""
    shown = args.help or args.hydra_help or args.version or args.shell_completion or args.experimental_rerun
    return bool(shown or args.cfg or args.info is not None)


def overrides_of(argv: list[str]) -> list[str]:
    """The overrides of a ``python -m sim`` command line, as Hydra groups them."""
    return list(hydra_args(argv).overrides)


def is_multirun(argv: list[str]) -> bool:
    """Whether Hydra runs ``argv`` as a sweep (``--multirun``, ``-m``, an abbreviation or a combined flag)."""
    try:
        return bool(hydra_args(argv).multirun)
    except ConfigError:
        return False


def explicit_value(overrides: list[str], key: str) -> str | None:
    """The value the command line gives ``key`` (quotes removed), else ``None``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    found = [o for o in overrides if o.startswith(f"{key}=")]
    if not found:
        return None
    return str(OverridesParser.create().parse_overrides(found[-1:])[0].value())


def task_overrides(overrides: list[str]) -> list[str]:
    """The overrides that shape the runs (``hydra.*`` settings left out), as Hydra records them."""
    return [o for o in overrides if not o.lstrip("+~").startswith(("hydra.", "hydra/"))]


def check_same_sweep(sweep_dir: Path, overrides: list[str]) -> None:
    """Refuse a sweep folder that holds a sweep of other overrides: their runs and manifests would mix."""
    from omegaconf import OmegaConf

    saved = sweep_dir / "multirun.yaml"
    if not saved.is_file():
        return
    try:
        recorded = [str(o) for o in OmegaConf.load(saved).hydra.overrides.task]
    except Exception:
        where = f"hydra.sweep.dir = {str(sweep_dir)!r}"
        raise ConfigError(f"{where}: {saved.name} cannot be read: pick a new hydra.sweep.dir") from None
    if sorted(recorded) != sorted(task_overrides(overrides)):
        raise ConfigError(
            f"hydra.sweep.dir = {str(sweep_dir)!r}: holds another sweep ({' '.join(recorded) or 'no overrides'}): "
            "resume with the same overrides, or pick a new hydra.sweep.dir"
        )


def check_sweep_runs(jobs: list[Any], overrides: list[str]) -> None:
    """A sweep with no runs, or none whose settings can be valid, fails before any folder is made.

    A sweep with some valid runs goes ahead: each bad one fails alone, its reason in the manifest.
    """
    from sim.run.job import to_sim_config

    if not jobs:
        raise ConfigError(f"{' '.join(task_overrides(overrides))}: the sweep has no runs (an empty range or list?)")
    first: ConfigError | None = None
    checked: set[int] = set()
    for job in jobs:
        if id(job.template) in checked:
            continue  # one check per condition: its seeds differ only by the seed
        checked.add(id(job.template))
        try:
            to_sim_config(job.cfg)
            return
        except ConfigError as err:
            first = first or ConfigError(f"{' '.join(job.overrides)}: {err}")
    if first is not None:
        raise first


def preflight(argv: list[str]) -> None:
    """Raise ``ConfigError`` (one line) before Hydra makes a folder: bad settings, another config's folder.

    The configs are composed here with Hydra's own composition, so its errors (an override of a
    group not in the defaults, a value of the wrong type) become one line too.
    """
    args = hydra_args(argv)
    if nothing_runs(args):
        return
    overrides = list(args.overrides)
    if args.multirun:
        from sim.run.plan import plan
        from sim.run.sweep import pending

        sweep_dir, _, jobs = plan(overrides)
        check_sweep_runs(jobs, overrides)
        target = explicit_value(overrides, "hydra.sweep.dir")
        if target is None or not Path(target).is_dir():
            return
        read_manifest(sweep_dir)  # a damaged manifest is one line here, not a traceback in the sweep
        if next(Path(target).rglob(SUMMARY), None) is not None:
            pending(sweep_dir, jobs)  # names the finished run of another config, the most precise refusal
        check_same_sweep(sweep_dir, overrides)
        return
    from sim.run.job import to_sim_config
    from sim.run.plan import compose_task

    task = compose_task(overrides)
    to_sim_config(task)
    target = explicit_value(overrides, "hydra.run.dir")
    if target is None or not is_complete(Path(target)):
        return
    from sim.run.resume import check_same_config

    check_same_config(Path(target), config_hash(task), None)
