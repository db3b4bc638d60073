"""Which recovery settings earn the most under a recovery budget? Optuna asks, the model answers.

    python -m experiments.optimise                         # 40 trials into multirun/optimise_recovery/<date_time>
    python -m experiments.optimise --out DIR --trials 20   # resume the study stored in DIR: 20 more trials

Each trial is one set of policy parameters (delay, compensation, complaint barrier, proactive
share) run on the *same* seeds as every other trial (``--seeds``): a paired design, so two
trials differ by their settings, not by their customers or networks. The objective is mean profit
minus ``--penalty`` for every unit of mean recovery cost above ``--budget``. Optuna's TPE sampler
proposes (``study.ask``) and the project's own ``run`` answers (``study.tell``): no sweeper plugin,
so any current Optuna serves. Each seed's run is an ordinary run folder (``<trial>/seed=K``),
skipped when already finished, and the study lives in SQLite beside them, so a resumed study redoes
no finished run. At the end the best settings and the starting policy are run on fresh seeds and
compared seed by seed (``reevaluation/reevaluation.md``).
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from analysis.stats import bootstrap_mean_ci, mean_ci
from sim.core.config import ConfigError
from sim.run.fingerprint import config_hash
from sim.run.job import run as run_one
from sim.run.results import SUMMARY, atomic_write_bytes, is_complete
from sim.run.resume import check_same_config

STUDY_NAME = "optimise_recovery"
# The search space: integer days, the rest continuous (the bounds of the earlier sweeper study).
SPACE: dict[str, tuple[type, float, float]] = {
    "policy.delay_days": (int, 0, 7),
    "policy.compensation_ratio": (float, 0.0, 2.0),
    "policy.complaint_barrier": (float, 0.25, 2.0),
    "policy.proactive_share": (float, 0.0, 1.0),
}


@dataclass
class StudyConfig:
    """The optimisation's own settings (command-line flags)."""

    seeds: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])  # shared by every trial (paired design)
    budget: float = 50_000.0  # mean recovery cost a run may spend; `full` spends about 27,000
    penalty: float = 5.0  # profit deducted per unit of recovery cost over the budget
    fresh_seeds: int = 20  # re-evaluation of the best settings on seeds no trial has seen
    first_fresh_seed: int = 1000


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


def evaluate(cfg: DictConfig, seeds: list[int], folder: Path, overrides: list[str], n_jobs: int = 1) -> pd.DataFrame:
    """The runs of one set of settings on ``seeds``, on ``n_jobs`` workers."""
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=n_jobs)(delayed(run_seed)(cfg, s, folder / f"seed={s}", overrides) for s in seeds)
    return pd.DataFrame(rows)


def with_settings(cfg: DictConfig, settings: dict[str, Any]) -> DictConfig:
    """A copy of ``cfg`` with dotted ``settings`` set."""
    out = copy.deepcopy(cfg)
    with read_write(out), open_dict(out):
        for key, value in settings.items():
            OmegaConf.update(out, key, value, merge=False)
    return out


def folder_name(settings: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(settings.items()))


def optimise(
    base: DictConfig, study_cfg: StudyConfig, out_dir: Path, trials: int, sampler_seed: int = 0, n_jobs: int = 1
) -> Any:
    """Run ``trials`` more trials of the study stored in ``out_dir/optuna.db`` (created if new); return it.

    Optuna's samplers draw their first trials from the sampler seed alone, so a resumed study would
    repeat the trials it already holds: the seed is moved on by the number of stored trials.
    """
    import optuna

    out_dir.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{out_dir / 'optuna.db'}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    stored = 0
    try:
        stored = len(optuna.load_study(study_name=STUDY_NAME, storage=storage).trials)
    except KeyError:
        pass
    if stored:
        print(f"[optimise] resuming {STUDY_NAME}: {stored} trials stored", file=sys.stderr, flush=True)
    sampler = optuna.samplers.TPESampler(seed=sampler_seed + stored)
    study = optuna.create_study(
        study_name=STUDY_NAME, storage=storage, direction="maximize", sampler=sampler, load_if_exists=True
    )
    for _ in range(trials):
        trial = study.ask()
        settings = {
            key: trial.suggest_int(key, int(lo), int(hi)) if kind is int else trial.suggest_float(key, lo, hi)
            for key, (kind, lo, hi) in SPACE.items()
        }
        overrides = [f"{k}={v}" for k, v in sorted(settings.items())]
        try:
            runs = evaluate(
                with_settings(base, settings), study_cfg.seeds, out_dir / folder_name(settings), overrides, n_jobs
            )
        except Exception:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        value = objective(runs["profit"].mean(), runs["recovery_cost"].mean(), study_cfg.budget, study_cfg.penalty)
        study.tell(trial, float(value))
        print(
            f"trial {trial.number}: profit {runs['profit'].mean():,.0f}, recovery cost "
            f"{runs['recovery_cost'].mean():,.0f} (budget {study_cfg.budget:,.0f}) -> objective {value:,.0f}",
            flush=True,
        )
    results = {"name": STUDY_NAME, "best_params": study.best_params, "best_value": float(study.best_value)}
    atomic_write_bytes(out_dir / "optimization_results.yaml", yaml.safe_dump(results).encode())
    return study


def reevaluate(config: DictConfig, study: StudyConfig, best: dict[str, Any], out_dir: Path, n_jobs: int = 1) -> str:
    """Run ``best`` and the unmodified starting policy on the same fresh seeds; write a paired table."""
    seeds = list(range(study.first_fresh_seed, study.first_fresh_seed + study.fresh_seeds))
    overrides = [f"{k}={v}" for k, v in sorted(best.items())]
    # A resumed study may find another best: each settings' runs live in a folder named by them.
    runs = {
        "best": evaluate(with_settings(config, best), seeds, out_dir / folder_name(best), overrides, n_jobs),
        "start": evaluate(config, seeds, out_dir / "start", [], n_jobs),
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


def main(argv: list[str] | None = None) -> None:
    """``python -m experiments.optimise [flags] [OVERRIDES]``: the study, resumable from its folder."""
    from sim.run.cli import EXIT_BAD_INPUT, fail, require
    from sim.run.job import to_sim_config
    from sim.run.plan import compose

    defaults = StudyConfig()
    parser = argparse.ArgumentParser(prog="python -m experiments.optimise", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40, help="trials to add to the study (default 40)")
    parser.add_argument("--out", type=Path, default=None, help="the study's folder; an existing one is resumed")
    parser.add_argument("--seeds", type=int, nargs="+", default=defaults.seeds, help="seeds every trial runs")
    parser.add_argument("--budget", type=float, default=defaults.budget, help="mean recovery cost allowed a run")
    parser.add_argument("--penalty", type=float, default=defaults.penalty, help="profit lost per unit over budget")
    parser.add_argument("--fresh-seeds", type=int, default=defaults.fresh_seeds, help="seeds of the re-evaluation")
    parser.add_argument("--sampler-seed", type=int, default=0, help="TPE's seed (moved on by stored trials)")
    parser.add_argument("--jobs", type=int, default=-1, help="worker processes for a trial's seeds (default: all)")
    parser.add_argument("overrides", nargs="*", help="model settings on top of +experiment=optimise_recovery")
    args = parser.parse_intermixed_args(argv)
    require("optuna", "sweep", "python -m experiments.optimise")
    if args.trials < 0 or args.fresh_seeds < 1 or not args.seeds:
        print("error: --trials must be >= 0, --fresh-seeds >= 1 and --seeds non-empty", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    study_cfg = StudyConfig(list(args.seeds), args.budget, args.penalty, args.fresh_seeds, defaults.first_fresh_seed)
    try:
        base = compose("+experiment=optimise_recovery", *args.overrides)
        to_sim_config(base)
    except ConfigError as err:
        fail(err, None)
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    out_dir = args.out or Path("multirun") / STUDY_NAME / f"{stamp}_{OmegaConf.create({'u': '${uid:}'}).u}"
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    study = optimise(base, study_cfg, out_dir, args.trials, args.sampler_seed, args.jobs)
    print(reevaluate(base, study_cfg, study.best_params, out_dir / "reevaluation", args.jobs), file=sys.stderr)
    print(f"[optimise] study in {out_dir}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
