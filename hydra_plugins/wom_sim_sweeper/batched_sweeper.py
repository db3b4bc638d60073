"""``python -m sim ... hydra/sweeper=batched --multirun``: the grid of Hydra's basic sweeper, without its per-job cost.

Hydra's basic sweeper composes every job's config to validate the batch, and its launcher
composes it again to run it: about 65 ms each with this schema, before a run of a few hundred
milliseconds. This sweeper expands the same grid in the same order (``sim.run.plan``), composes
each condition once and sets the seeds on copies, and runs the jobs on joblib's workers
(``sim.run.sweep.run_planned``): the same folders, ``.hydra`` files, results and manifest as
the basic sweeper with any launcher (``tests/test_sweep.py`` compares them byte for byte).
Hydra's callbacks still open and close the sweep (``on_multirun_start``/``_end``); the jobs
write their manifest rows themselves, as they run outside Hydra's ``run_job``.
"""

import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Optional  # noqa: UP035

from hydra.core.config_store import ConfigStore
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


@dataclass
class BatchedSweeperConf:
    _target_: str = "hydra_plugins.wom_sim_sweeper.batched_sweeper.BatchedSweeper"
    # Plugins are imported where postponed annotations cannot be resolved: typing's names, as Hydra's own.
    params: Optional[Dict[str, str]] = field(default=None)  # noqa: UP006, UP045  (as the basic sweeper's)
    n_jobs: int = -1  # worker processes; -1: all cores
    progress: bool = True  # a progress bar on stderr


ConfigStore.instance().store(group="hydra/sweeper", name="batched", node=BatchedSweeperConf, provider="wom-sim")


class BatchedSweeper(Sweeper):
    """Runs the basic sweeper's grid through ``sim.run.sweep``'s batched path."""

    def __init__(self, params: dict[str, str] | None = None, n_jobs: int = -1, progress: bool = True) -> None:
        self.params, self.n_jobs, self.progress = params, n_jobs, progress
        self.config: DictConfig | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config = config

    def sweep(self, arguments: list[str]) -> Any:
        from sim.run.plan import plan
        from sim.run.sweep import SweepFailed, run_planned

        assert self.config is not None
        launcher = str(self.config.hydra.launcher.get("_target_", ""))
        if not any(name in launcher for name in ("BasicLauncher", "JoblibLauncher")):
            print(
                f"warning: hydra/sweeper=batched runs the jobs on this machine's workers; {launcher} is not used",
                file=sys.stderr,
                flush=True,
            )
        hydra_args = [str(o) for o in self.config.hydra.overrides.hydra]
        sweep_dir, base, jobs = plan([*hydra_args, *arguments])
        try:
            run_planned(sweep_dir, base, jobs, n_jobs=self.n_jobs, progress=self.progress, announce=False)
        except SweepFailed:  # the manifest holds each failure; the sweep's end counts them (sim.run.callback)
            pass
        return None
