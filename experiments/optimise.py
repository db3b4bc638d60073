"""Which recovery settings earn the most under a recovery budget? Hydra's Optuna sweeper searches.

    python -m experiments.optimise +experiment=optimise_recovery --multirun

Each trial is one set of policy parameters (delay, compensation, complaint barrier, proactive
share) run on the *same* seeds as every other trial (``study.seeds``): a paired design, so two
trials differ by their settings, not by their customers or networks. The objective is mean profit
minus ``study.penalty`` for every unit of mean recovery cost above ``study.budget``. Each seed's
run is an ordinary run folder (``<trial>/seed=K``), skipped when already finished, so a study
resumed from its SQLite storage redoes no finished run. At the end ``Reevaluate`` runs the best
settings and the study's starting policy on fresh seeds and writes a paired comparison.
"""

from __future__ import annotations

import copy
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from analysis.stats import bootstrap_mean_ci, mean_ci
from sim.core.config import SimConfig
from sim.run.fingerprint import config_hash
from sim.run.job import run as run_one
from sim.run.results import SUMMARY, atomic_write_bytes, is_complete
from sim.run.resume import check_same_config


@dataclass
class StudyConfig:
    """The optimisation's own settings (``study.*``)."""

    seeds: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])  # shared by every trial (paired design)
    budget: float = 50_000.0  # mean recovery cost a run may spend
    penalty: float = 5.0  # profit deducted per unit of recovery cost over the budget
    fresh_seeds: int = 20  # re-evaluation of the best settings on seeds no trial has seen
    first_fresh_seed: int = 1000


@dataclass
class OptimiseConfig(SimConfig):
    study: StudyConfig = field(default_factory=StudyConfig)


def objective(profit: float, recovery_cost: float, budget: float, penalty: float) -> float:
    """Mean profit, less ``penalty`` per unit of mean recovery cost above ``budget``."""
    return profit - penalty * max(recovery_cost - budget, 0.0)


def run_seed(cfg: DictConfig, seed: int, out_dir: Path, overrides: list[str]) -> dict[str, Any]:
    """One seed of a trial as an ordinary run folder; a finished folder of the same config is read, not rerun."""
    task = copy.deepcopy(cfg)
    with read_write(task), open_dict(task):
        task.seed = seed
        if "hydra" in task:
            del task["hydra"]
    fingerprint = config_hash(task)
    check_same_config(out_dir, fingerprint)  # a finished folder of other settings is an error, not a reuse
    if is_complete(out_dir):
        return json.loads((out_dir / SUMMARY).read_text())
    meta = out_dir / ".hydra"
    meta.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(meta / "config.yaml", OmegaConf.to_yaml(task).encode())
    atomic_write_bytes(meta / "overrides.yaml", yaml.safe_dump([*overrides, f"seed={seed}"]).encode())
    return run_one(task, out_dir, progress=False)  # writes the fingerprint with the summary


def evaluate(cfg: DictConfig, seeds: list[int], folder: Path, overrides: list[str]) -> pd.DataFrame:
    rows = [run_seed(cfg, s, folder / f"seed={s}", overrides) for s in seeds]
    return pd.DataFrame(rows)


def register() -> None:
    """The schema with ``study``, in place of ``sim``'s: only when this module runs as the app."""
    ConfigStore.instance().store(name="base_config", node=OptimiseConfig)


@hydra.main(version_base="1.3", config_path="pkg://sim.conf", config_name="config")
def main(cfg: DictConfig) -> float:
    hydra_cfg = HydraConfig.get()
    out_dir = Path(hydra_cfg.runtime.output_dir)
    runs = evaluate(cfg, list(cfg.study.seeds), out_dir, list(hydra_cfg.overrides.task))
    value = objective(runs["profit"].mean(), runs["recovery_cost"].mean(), cfg.study.budget, cfg.study.penalty)
    print(
        f"trial {hydra_cfg.job.num}: profit {runs['profit'].mean():,.0f}, recovery cost "
        f"{runs['recovery_cost'].mean():,.0f} (budget {cfg.study.budget:,.0f}) -> objective {value:,.0f}",
        flush=True,
    )
    return float(value)


class Reevaluate(Callback):
    """Resumes a stored study with fresh samples; after the search, re-evaluates the best settings.

    Optuna's samplers draw their first trials from the sampler seed alone, so a resumed study
    would repeat the trials it already holds: the seed is moved on by the number of stored trials.
    """

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweeper = config.hydra.sweeper
        storage = sweeper.get("storage")
        if not storage or not str(storage).startswith("sqlite:///"):
            return
        if not Path(str(storage).removeprefix("sqlite:///")).is_file():
            return
        import optuna

        try:
            stored = len(optuna.load_study(study_name=sweeper.study_name, storage=storage).trials)
        except KeyError:
            return
        if stored and sweeper.sampler.get("seed") is not None:
            with read_write(sweeper):
                sweeper.sampler.seed = int(sweeper.sampler.seed) + stored
            print(
                f"[optimise] resuming {sweeper.study_name}: {stored} trials stored, "
                f"sampler seed now {sweeper.sampler.seed}",
                file=sys.stderr,
                flush=True,
            )

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        results = sweep_dir / "optimization_results.yaml"
        if not results.is_file():
            return
        best = yaml.safe_load(results.read_text())["best_params"]
        logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
        table = reevaluate(config, best, sweep_dir / "reevaluation")
        print(table, file=sys.stderr, flush=True)


def reevaluate(config: DictConfig, best: dict[str, Any], out_dir: Path) -> str:
    """Run ``best`` and the unmodified starting policy on the same fresh seeds; write a paired table."""
    study = config.study
    seeds = list(range(study.first_fresh_seed, study.first_fresh_seed + study.fresh_seeds))
    start = copy.deepcopy(config)
    tuned = copy.deepcopy(config)
    with read_write(tuned), open_dict(tuned):
        for key, value in best.items():
            OmegaConf.update(tuned, key, value, merge=False)
    overrides = [f"{k}={v}" for k, v in sorted(best.items())]
    # A resumed study may find another best: each settings' runs live in a folder named by them.
    runs = {
        "best": evaluate(tuned, seeds, out_dir / ",".join(overrides), overrides),
        "start": evaluate(start, seeds, out_dir / "start", []),
    }
    lines = [
        f"Re-evaluation on {len(seeds)} fresh seeds ({seeds[0]}-{seeds[-1]}), shared by both settings; "
        f"budget {study.budget:,.0f} of recovery cost a run.",
        "",
        "best settings: " + ", ".join(f"{k} = {v}" for k, v in best.items()),
        "",
        "| settings | profit | recovery cost | customers lost | objective |",
        "|---|---|---|---|---|",
    ]
    for name, part in runs.items():
        cells = [_ci(part[c]) for c in ("profit", "recovery_cost", "customers_lost")]
        value = objective(part["profit"].mean(), part["recovery_cost"].mean(), study.budget, study.penalty)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {value:,.0f} |")
    diff = runs["best"]["profit"].to_numpy() - runs["start"]["profit"].to_numpy()
    mean, lo, hi = bootstrap_mean_ci(diff)
    lines += ["", f"profit, best minus start, same seeds: {mean:+,.0f} [{lo:+,.0f}, {hi:+,.0f}] (95 % bootstrap CI)"]
    within = float((runs["best"]["recovery_cost"] <= study.budget).mean())
    lines.append(f"runs of the best settings within budget: {within:.0%}")
    text = "\n".join(lines) + "\n"
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_dir / "reevaluation.md", text.encode())
    table = pd.concat([df.assign(settings=name) for name, df in runs.items()], ignore_index=True)
    atomic_write_bytes(out_dir / "reevaluation.csv", table.to_csv(index=False).encode())
    return text


def _ci(values: pd.Series) -> str:
    mean, lo, hi = mean_ci(values.to_numpy())
    return f"{mean:,.0f}" if np.isnan(lo) else f"{mean:,.0f} [{lo:,.0f}, {hi:,.0f}]"


if __name__ == "__main__":
    from sim.run.cli import require

    require("hydra_plugins.hydra_optuna_sweeper", "sweep", "python -m experiments.optimise")
    register()
    main()
