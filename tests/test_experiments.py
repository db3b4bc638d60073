"""Every named study composes, runs end-to-end on tiny settings, and feeds the analysis."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from sim.cli import CONF_DIR, group_options, to_sim_config
from sim.model import WomModel
from sim.schema import register
from sim.sweep import count_jobs, plan, read_manifest

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


def study_files():
    return sorted(p.stem for p in (ROOT / "experiments").glob("*.yaml") if not p.stem.startswith("tarp"))


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

    report = subprocess.run(
        [sys.executable, "-m", "analysis", str(sweep), "--bootstrap", "200"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.returncode == 0, report.stderr
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
