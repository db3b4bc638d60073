"""Every named study composes, runs end-to-end on tiny settings, and feeds the analysis."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from analysis.__main__ import analyse
from sim.core.model import WomModel
from sim.core.presets import CONF_DIR
from sim.core.presets import preset_names as group_options
from sim.run.job import to_sim_config
from sim.run.schema import register
from sim.run.sweep import count_jobs, plan, read_manifest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=120", "days=15"]
# study -> (runs at full size, runs on TINY, extra overrides for TINY, parameter of its sweep curve).
# Tiny runs keep each study's grid; one seed is enough except where seeds are paired.
STUDIES = {
    "recovery_showdown": (140, 14, ["seed=range(0,2)"], None),
    "complaint_barrier": (240, 12, ["seed=0"], "policy.complaint_barrier"),
    "tell_count": (280, 14, ["seed=0"], "wom.negative_mean"),
    "network_structure": (160, 8, ["seed=0"], None),
    "storm_response": (320, 16, ["seed=0", "scenario.shock.day=5"], "scenario.shock.extra_recovery_delay_days"),
}


# Studies run by their own commands rather than `python -m sim --multirun`, or read by their own analysis.
OWN_COMMAND = {"optimise_recovery", "wom_attribution"}


def study_files():
    return sorted(
        p.stem
        for p in (CONF_DIR / "experiment").glob("*.yaml")
        if not p.stem.startswith("tarp") and p.stem not in OWN_COMMAND
    )


def composed(name):
    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("config", overrides=[f"+experiment={name}"], return_hydra_config=True)


def test_every_study_is_listed_here():
    assert study_files() == sorted(STUDIES)


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_composes_with_joblib_and_20_seeds(name):
    cfg = composed(name)
    assert "joblib" in cfg.hydra.launcher._target_
    assert count_jobs(cfg) == STUDIES[name][0]
    seeds = list(range(*map(int, cfg.hydra.sweeper.params.seed.removeprefix("range(").rstrip(")").split(","))))
    assert len(seeds) >= 20
    assert str(cfg.hydra.sweep.dir).startswith(f"multirun/{name}/")
    to_sim_config(compose_task(cfg))  # the study's own settings validate


def compose_task(cfg):
    from omegaconf import open_dict, read_write

    task = cfg.copy()
    with read_write(task), open_dict(task):
        del task["hydra"]
    return task


def test_recovery_showdown_covers_every_policy():
    assert sorted(composed("recovery_showdown").hydra.sweeper.params.policy.split(",")) == group_options("policy")


def test_storm_response_sweeps_recovery_delay_0_to_7_days():
    cfg = composed("storm_response")
    assert cfg.scenario.name == "jetblue_storm"
    assert cfg.hydra.sweeper.params["scenario.shock.extra_recovery_delay_days"] == "range(0,8)"


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_study_runs_end_to_end_on_tiny_settings(name, tmp_path):
    _, tiny_runs, extra, curve = STUDIES[name]
    sweep = tmp_path / name
    res = subprocess.run(
        [sys.executable, "-m", "sim", f"+experiment={name}", *TINY, *extra, f"hydra.sweep.dir={sweep}", "--multirun"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Joblib.Parallel" in res.stdout + res.stderr
    assert len(list(sweep.rglob("summary.json"))) == tiny_runs
    rows = read_manifest(sweep)
    assert len(rows) == tiny_runs and {r["status"] for r in rows.values()} == {"completed"}

    analyse(sweep, n_boot=200)  # what `python -m analysis SWEEP` does (its CLI is tested in test_analysis.py)
    out = sweep / "analysis"
    assert len(pd.read_parquet(out / "runs.parquet")) == tiny_runs
    assert (out / "ranking.md").is_file() and (out / "outcome_by_policy.png").is_file()
    assert (out / "sweep_curve.png").is_file() == (curve is not None)
    if curve:
        assert curve in pd.read_parquet(out / "runs.parquet").columns


def test_recovery_showdown_policies_meet_the_same_customers_and_network_per_seed():
    _, _, jobs = plan(["+experiment=recovery_showdown", "customers=500", "seed=range(0,2)", "hydra.sweep.dir=/tmp/x"])
    assert len(jobs) == 14
    start = {}
    for job in jobs:
        model = WomModel.from_config(to_sim_config(job.cfg), create_agents=False)
        pop = model.pop
        state = (model.graph.indptr, model.graph.indices, pop.loyalty, pop.propensity, pop.next_purchase, pop.member)
        start.setdefault(int(job.cfg.seed), []).append((job.cfg.policy.name, state))
    for seed, models in start.items():
        assert len(models) == 7
        first = models[0][1]
        for policy, state in models[1:]:
            for a, b in zip(first, state, strict=True):
                assert np.array_equal(a, b), f"seed {seed}: {policy} starts from other customers or another network"
    assert not np.array_equal(start[0][0][1][1], start[1][0][1][1])  # another seed, another network


def test_optimise_objective_charges_only_the_overrun():
    from experiments.optimise import objective

    assert objective(1000.0, 40.0, budget=50.0, penalty=5.0) == 1000.0
    assert objective(1000.0, 60.0, budget=50.0, penalty=5.0) == 950.0


def test_optimise_study_asks_tells_resumes_from_storage_and_reevaluates(tmp_path):
    optuna = pytest.importorskip("optuna")
    import json

    import yaml

    sweep = tmp_path / "opt"
    args = ["--trials", "2", "--seeds", "0", "1", "--fresh-seeds", "2", "--budget", "100", "--jobs", "1",
            "--out", str(sweep), "customers=150", "days=20"]
    for _attempt in (1, 2):  # the second run resumes the stored study
        res = subprocess.run(
            [sys.executable, "-m", "experiments.optimise", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert res.returncode == 0, res.stderr[-3000:]
    assert "2 trials stored" in res.stderr
    study = optuna.load_study(study_name="optimise_recovery", storage=f"sqlite:///{sweep}/optuna.db")
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(trials) == 4
    assert len({tuple(sorted(t.params.items())) for t in trials}) == 4  # the resumed half sampled anew
    # Each trial's objective is recomputed from its own run folders: mean profit less the overrun penalty.
    for trial in trials:
        folder = next(
            p
            for p in sweep.iterdir()
            if p.is_dir()
            and f"policy.delay_days={trial.params['policy.delay_days']}," in p.name
            and f"policy.proactive_share={trial.params['policy.proactive_share']!r}" in p.name
        )
        runs = [json.loads((folder / f"seed={s}" / "summary.json").read_text()) for s in (0, 1)]
        profit = np.mean([r["profit"] for r in runs])
        cost = np.mean([r["recovery_cost"] for r in runs])
        assert trial.value == pytest.approx(profit - 5.0 * max(cost - 100.0, 0.0))
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert best["best_value"] == pytest.approx(max(t.value for t in trials))
    table = pd.read_csv(sweep / "reevaluation" / "reevaluation.csv")
    assert sorted(table["seed"].unique()) == [1000, 1001] and set(table["settings"]) == {"best", "start"}
    name = ",".join(f"{k}={v}" for k, v in sorted(best["best_params"].items()))
    config = yaml.safe_load((sweep / "reevaluation" / name / "seed=1000" / ".hydra" / "config.yaml").read_text())
    for key, value in best["best_params"].items():
        assert config["policy"][key.split(".")[1]] == pytest.approx(value)
    assert "best minus start, same seeds" in (sweep / "reevaluation" / "reevaluation.md").read_text()


def test_wom_attribution_runs_three_counterfactuals_a_seed_and_splits_the_loss(tmp_path):
    from analysis.attribution import main as attribution_main

    cfg = composed("wom_attribution")
    assert count_jobs(cfg) == 60 and cfg.hydra.sweeper.params.counterfactual == "as_is,no_negative_wom,no_failures"
    sweep = tmp_path / "attribution"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "+experiment=wom_attribution",
            *TINY,
            "seed=range(0,2)",
            f"hydra.sweep.dir={sweep}",
            "--multirun",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert attribution_main([str(sweep)]) == 0
    table = pd.read_csv(sweep / "analysis" / "attribution.csv")
    assert list(table.outcome) == ["revenue", "profit", "npv_with_equity", "customers_end", "customers_acquired"]
    assert (table.seeds == 2).all()
    # The parts add up: what failures cost = through word of mouth + directly, seed by seed.
    assert np.allclose(table.lost_to_failures, table.through_wom + table.direct)
    silent = pd.read_json(
        next((sweep / "counterfactual=no_negative_wom,customers=120,days=15").rglob("summary.json")), typ="series"
    )
    assert silent["negative_wom_messages"] == 0
