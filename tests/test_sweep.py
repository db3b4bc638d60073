"""Sweeps: the manifest, resuming after a kill, the batched path and the launchers agree run for run."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from analysis.collect import collect
from sim.run.sweep import config_hash, count_jobs, read_manifest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=150", "days=20", "progress=false"]


def sim(*args, module="sim", timeout=300):
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def finished(sweep_dir):
    return sorted(p.parent.relative_to(sweep_dir).as_posix() for p in sweep_dir.rglob("summary.json"))


def files_of(sweep_dir, names=("summary.json", "timeseries.parquet", ".hydra/config.yaml", ".hydra/overrides.yaml")):
    out = {}
    for run in finished(sweep_dir):
        for name in names:
            out[f"{run}/{name}"] = (sweep_dir / run / name).read_bytes()
    return out


def test_manifest_has_one_traceable_row_per_run(tmp_path):
    sweep = tmp_path / "sweep"
    res = sim(*TINY, "policy=none,full", "seed=range(0,3)", f"hydra.sweep.dir={sweep}", "--multirun")
    assert res.returncode == 0, res.stderr
    rows = read_manifest(sweep)
    assert sorted(rows) == finished(sweep) and len(rows) == 6
    for run, row in rows.items():
        config = yaml.safe_load((sweep / run / ".hydra" / "config.yaml").read_text())
        assert row["status"] == "completed"
        assert row["config_hash"] == config_hash(config)
        assert int(row["seed"]) == config["seed"] == int(run.rsplit("=", 1)[1])
        assert row["version"] and row["finished"] and float(row["seconds"]) > 0
    if (ROOT / ".git").exists():
        assert all(len(r["git_commit"].split("+")[0]) == 40 for r in rows.values())
    # Runs of one condition share a condition hash, and only they do.
    by_policy = {r["overrides"].split("policy=")[1].split()[0]: r["condition_hash"] for r in rows.values()}
    assert len(set(by_policy.values())) == 2
    assert "[sweep] 6/6" in res.stderr  # progress lines name the count and the total


def test_count_jobs_matches_the_grid():
    from omegaconf import OmegaConf

    cfg = OmegaConf.create(
        {"hydra": {"sweeper": {"params": {"policy": "none,full", "seed": "range(0,20)"}}, "overrides": {"task": []}}}
    )
    assert count_jobs(cfg) == 40
    cfg.hydra.overrides.task = ["seed=range(0,3)", "customers=10"]  # the command line wins
    assert count_jobs(cfg) == 6
    cfg = OmegaConf.create({"hydra": {"sweeper": {"n_trials": 12}}})
    assert count_jobs(cfg) == 12


def _kill_when(process, sweep, at_least):
    deadline = time.time() + 240
    while len(finished(sweep)) < at_least:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for _ in range(200):  # joblib's workers die with their group; wait until none is left
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("sweep processes outlived the kill")


@pytest.mark.parametrize("launcher", ["joblib", "batched", "sweeper"])
def test_a_killed_sweep_resumes_without_redoing_finished_runs(tmp_path, launcher):
    sweep = tmp_path / "sweep"
    grid = ["customers=3000", "days=120", "progress=false", "policy=none,full", "seed=range(0,8)"]
    if launcher == "joblib":
        cmd = [sys.executable, "-m", "sim", *grid, "hydra/launcher=joblib", f"hydra.sweep.dir={sweep}", "--multirun"]
    elif launcher == "sweeper":  # the batched path as Hydra's sweeper plugin
        cmd = [sys.executable, "-m", "sim", *grid, "hydra/sweeper=batched", f"hydra.sweep.dir={sweep}", "--multirun"]
    else:
        cmd = [sys.executable, "-m", "sim.run.sweep", "--no-progress", *grid, f"hydra.sweep.dir={sweep}"]
    process = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    _kill_when(process, sweep, at_least=3)

    done_before = finished(sweep)
    assert 3 <= len(done_before) < 16, "the kill must land part-way"
    # Nothing partial is read as complete: the analysis sees exactly the folders with summary.json.
    started = [p.parent for p in sweep.rglob(".hydra")]
    assert len(started) >= len(done_before)
    assert sorted(collect(sweep)["run"]) == done_before
    stamps = {run: (sweep / run / "summary.json").stat().st_mtime_ns for run in done_before}

    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert len(finished(sweep)) == 16
    # Finished runs were skipped, not redone: their files were not written again.
    assert {run: (sweep / run / "summary.json").stat().st_mtime_ns for run in done_before} == stamps
    rows = read_manifest(sweep)
    assert len(rows) == 16 and {r["status"] for r in rows.values()} == {"completed"}
    if launcher == "joblib":
        assert res.stderr.count("skipped (complete)") == len(done_before)


def test_resuming_into_a_folder_of_another_configuration_fails(tmp_path):
    sweep = tmp_path / "sweep"
    args = [*TINY, "seed=0,1", f"hydra.sweep.dir={sweep}", "--multirun"]
    assert sim(*args).returncode == 0
    # Pretend run seed=0 was made with other settings: its recorded hash no longer matches.
    path = sweep / "manifest.csv"
    rows = list(csv.DictReader(path.open()))
    rows[0]["config_hash"] = "0" * 16
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    before = (sweep / rows[0]["run"] / "summary.json").read_bytes()
    res = sim(*args)
    assert res.returncode != 0
    assert "finished with another configuration" in res.stderr
    assert (sweep / rows[0]["run"] / "summary.json").read_bytes() == before
    batched = sim("--no-progress", *TINY, "seed=0,1", f"hydra.sweep.dir={sweep}", module="sim.run.sweep")
    assert batched.returncode == 2 and batched.stderr.startswith("error: hydra.sweep.dir")


def test_batched_path_writes_the_same_folders_as_hydra(tmp_path):
    grid = [*TINY, "+experiment=recovery_showdown", "policy=none,guarantee", "seed=range(0,2)"]
    hydra_dir, basic_dir, batched_dir = tmp_path / "hydra", tmp_path / "basic", tmp_path / "batched"
    assert sim(*grid, f"hydra.sweep.dir={hydra_dir}", "--multirun").returncode == 0  # the study's joblib launcher
    assert sim(*grid, "hydra/launcher=basic", f"hydra.sweep.dir={basic_dir}", "--multirun").returncode == 0
    res = sim("--no-progress", *grid, f"hydra.sweep.dir={batched_dir}", module="sim.run.sweep")
    assert res.returncode == 0, res.stderr
    sweeper_dir = tmp_path / "sweeper"  # the same path as Hydra's sweeper plugin
    res = sim(*grid, "hydra/sweeper=batched", f"hydra.sweep.dir={sweeper_dir}", "--multirun")
    assert res.returncode == 0, res.stderr
    assert finished(hydra_dir) == finished(batched_dir) == finished(sweeper_dir) and len(finished(hydra_dir)) == 4
    assert files_of(hydra_dir) == files_of(batched_dir) == files_of(basic_dir) == files_of(sweeper_dir)
    assert sorted(read_manifest(batched_dir)) == finished(batched_dir) == sorted(read_manifest(sweeper_dir))
    hashes = {r: row["config_hash"] for r, row in read_manifest(hydra_dir).items()}
    assert hashes == {r: row["config_hash"] for r, row in read_manifest(batched_dir).items()}
    assert hashes == {r: row["config_hash"] for r, row in read_manifest(sweeper_dir).items()}


def test_the_batched_sweeper_fails_a_bad_job_alone_and_ends_non_zero(tmp_path):
    res = sim(*TINY, "days=20,-1", "hydra/sweeper=batched", f"hydra.sweep.dir={tmp_path}", "--multirun")
    assert res.returncode == 1, res.stderr
    rows = read_manifest(tmp_path)
    assert sorted(r["status"] for r in rows.values()) == ["completed", "failed"]
    assert res.stderr.strip().splitlines()[-1].startswith("error: 1 of 2 runs failed: see the error column")


LAUNCHERS = {
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", ["hydra.launcher.timeout_min=5"]),
    "ray": ("hydra_plugins.hydra_ray_launcher", ["+hydra.launcher.ray.init.num_cpus=2"]),
}


@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_other_launchers_give_the_same_results(launcher, tmp_path):
    plugin, options = LAUNCHERS[launcher]
    pytest.importorskip(plugin)
    grid = [*TINY, "policy=none,full", "seed=0"]
    basic, other = tmp_path / "basic", tmp_path / launcher
    assert sim(*grid, f"hydra.sweep.dir={basic}", "--multirun").returncode == 0
    res = sim(*grid, f"hydra/launcher={launcher}", *options, f"hydra.sweep.dir={other}", "--multirun")
    assert res.returncode == 0, res.stderr
    files = ("summary.json", "timeseries.parquet")
    assert files_of(basic, files) == files_of(other, files)
    assert len(read_manifest(other)) == 2


def test_batched_sweep_resolves_the_tarp_losses_in_its_workers(tmp_path):
    """The TARP losses are set through a resolver; fresh workers must know it, not fail every run."""
    sweep = tmp_path / "tarp"
    res = sim("--no-progress", "--jobs", "2", "+experiment=tarp_cohort", "customers=200", "days=10",
              f"hydra.sweep.dir={sweep}", module="sim.run.sweep")
    assert res.returncode == 0, res.stderr
    assert {r["status"] for r in read_manifest(sweep).values()} == {"completed"}
    assert len(finished(sweep)) == 8
