"""The Hydra app behind ``python -m sim``: one simulation, or a sweep with ``--multirun``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.core.config import ConfigError
from sim.run.callback import JobFailure, outcome
from sim.run.cli import (
    EXIT_INTERRUPTED,
    EXIT_RUNS_FAILED,
    discard_unfinished,
    fail,
    print_summary,
    resume_command,
    show_warnings_on_one_line,
)
from sim.run.job import run
from sim.run.manifest import MANIFEST, one_line, run_name
from sim.run.preflight import is_multirun, preflight
from sim.run.results import EXIT_ENVIRONMENT, WriteFailure
from sim.run.resume import completed_summary
from sim.run.schema import register
from sim.run.workers import mark_main

register()
_current_run: list[Path] = []  # the single run's folder, to clear it when interrupted


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> dict[str, Any] | JobFailure:
    hydra_cfg = HydraConfig.get()
    out_dir = Path(hydra_cfg.runtime.output_dir)
    multirun = hydra_cfg.mode == RunMode.MULTIRUN
    sweep_dir = Path(hydra_cfg.sweep.dir) if multirun else None
    _current_run[:] = [out_dir]
    try:
        done = completed_summary(out_dir, cfg, sweep_dir)  # a restarted sweep skips finished runs
        if done is not None:
            return done
        summary = run(cfg, out_dir)
    except Exception as err:
        if not multirun:
            if isinstance(err, ConfigError):
                fail(err, out_dir)
            if isinstance(err, WriteFailure):
                fail(err, out_dir, EXIT_ENVIRONMENT)
            raise
        # A bad job fails alone: the sweep goes on, the manifest records why (sim/run/callback.py).
        discard_unfinished(out_dir, sweep_dir)
        reason = one_line(err)
        print(f"error: {run_name(sweep_dir, out_dir)}: {reason}", file=sys.stderr, flush=True)
        return JobFailure(reason)
    print_summary(summary, out_dir)
    return summary


def cli() -> None:
    """Check the overrides with one-line errors, then hand over to Hydra; one line on Ctrl-C or failed jobs."""
    argv = sys.argv[1:]
    show_warnings_on_one_line()
    mark_main()
    try:
        preflight(argv)  # composes the command line: Hydra's own errors, as one line
    except ConfigError as err:
        fail(err, None)
    try:
        main()
    except KeyboardInterrupt:
        if not is_multirun(argv):
            for out_dir in _current_run:
                discard_unfinished(out_dir)
        what = "resume with" if is_multirun(argv) else "nothing was written; run again with"
        command = resume_command("sim", argv, outcome.sweep_dir if is_multirun(argv) else None)
        print(f"interrupted: {what} {command}", file=sys.stderr, flush=True)
        sys.exit(EXIT_INTERRUPTED)
    if outcome.manifest_error:  # the runs' own folders hold what finished; resuming rebuilds the manifest
        print(f"error: {outcome.manifest_error}", file=sys.stderr, flush=True)
        sys.exit(EXIT_ENVIRONMENT)
    if outcome.failed:
        manifest = outcome.sweep_dir / MANIFEST if outcome.sweep_dir else MANIFEST
        print(
            f"error: {outcome.failed} of {outcome.total} runs failed: see the error column of {manifest}",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(EXIT_RUNS_FAILED)
