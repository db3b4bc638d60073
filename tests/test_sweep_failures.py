"""A bad job fails alone; the batched path works in any folder and rejects bad input in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.run.manifest import read_manifest
from sim.run.plan import quote

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=150", "progress=false"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def sim(*args, module="sim", cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("how", ["joblib", "batched"])
def test_a_bad_job_fails_alone_and_the_sweep_says_how_many(tmp_path, how):
    # The storm starts on day 60: days=30 is a cross-field error in two of the four jobs.
    grid = [*TINY, "scenario=jetblue_storm", "days=30,80", "seed=0,1", f"hydra.sweep.dir={tmp_path}"]
    if how == "joblib":
        res = sim(*grid, "hydra/launcher=joblib", "--multirun")
    else:
        res = sim("--no-progress", *grid, module="sim.run.sweep")
    assert res.returncode == 1, res.stderr
    assert res.stderr.strip().splitlines()[-1] == (
        f"error: 2 of 4 runs failed: see the error column of {tmp_path / 'manifest.csv'}"
    )
    assert "Traceback" not in res.stderr
    rows = read_manifest(tmp_path)
    assert sorted(row["status"] for row in rows.values()) == ["completed", "completed", "failed", "failed"]
    for run, row in rows.items():
        if "days=30" in run:
            assert row["status"] == "failed"
            assert row["error"] == "scenario.shock.day = 60: must be < days (30)"
            assert not (tmp_path / run).exists()
        else:
            assert row["status"] == "completed" and (tmp_path / run / "summary.json").is_file()


def test_the_batched_path_works_in_a_folder_of_any_name(tmp_path):
    folder = tmp_path / "Études (1) a=b, c's"
    folder.mkdir()
    grid = [*TINY, "days=10", "seed=0,1"]
    batched = sim("--no-progress", *grid, module="sim.run.sweep", cwd=folder)
    assert batched.returncode == 0, batched.stderr
    hydra = sim(*grid, "--multirun", cwd=folder)
    assert hydra.returncode == 0, hydra.stderr
    sweeps = sorted(p.parent for p in folder.glob("multirun/*/*/manifest.csv"))
    assert len(sweeps) == 2
    runs = [sorted(p.parent.relative_to(s).as_posix() for p in s.rglob("summary.json")) for s in sweeps]
    assert runs[0] == runs[1] == ["customers=150,days=10/seed=0", "customers=150,days=10/seed=1"]
    named = folder / "out (2)"  # and a sweep folder named on the command line
    assert sim("--no-progress", *grid, f"hydra.sweep.dir={quote(str(named))}", module="sim.run.sweep").returncode == 0
    assert len(list(named.rglob("summary.json"))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy=nope"], "policy = 'nope': must be one of"),
        (["failure.ratee=0.1"], "failure.ratee: no such setting (allowed here:"),
        (["customers=many"], "customers = 'many': must be an integer"),
        (["customers=[1,2]"], "customers = [1,2]: must be an integer, not a list"),
        (["days=null"], "days = null: must be an integer"),
        (["--jobs", "0"], "--jobs = 0: must be a positive number of workers, or -1 for all cores"),
        (["seed=range(0,"], "seed=range(0,: cannot parse (no viable alternative at input 'range(0,')"),
        (["--jbos", "2"], "unrecognized arguments: --jbos"),
    ],
)
def test_the_batched_path_rejects_bad_input_in_one_line(tmp_path, args, message):
    res = sim("--no-progress", *TINY, "days=5", *args, f"hydra.sweep.dir={tmp_path / 's'}", module="sim.run.sweep")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], res.stderr
    assert not (tmp_path / "s").exists()
