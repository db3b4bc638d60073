"""Run folders: one per run whatever the timing, never shared by two configs, clean after a kill."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from sim.run.manifest import read_manifest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=150", "days=20", "progress=false"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # runs from other folders import this checkout


def sim(*args, cwd=ROOT, module="sim", timeout=300):
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout
    )


def seed_of(folder):
    return yaml.safe_load((folder / ".hydra" / "config.yaml").read_text())["seed"]


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path):
    procs = [
        subprocess.Popen([sys.executable, "-m", "sim", *TINY, f"seed={s}"], cwd=tmp_path, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for s in range(4)
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs), [p.stderr.read() for p in procs]
    folders = sorted(p.parent for p in (tmp_path / "outputs").rglob("summary.json"))
    assert len(folders) == 4
    for folder in folders:  # nothing mixed: each folder's config and summary are of one run
        assert seed_of(folder) == json.loads((folder / "summary.json").read_text())["seed"]
    assert sorted(seed_of(f) for f in folders) == [0, 1, 2, 3]


def test_a_named_folder_holding_a_finished_run_of_another_config_is_refused(tmp_path):
    out = tmp_path / "run"
    assert sim(*TINY, "seed=1", f"hydra.run.dir={out}").returncode == 0
    before = {name: (out / name).read_bytes() for name in ("summary.json", ".hydra/config.yaml")}
    res = sim(*TINY, "seed=2", f"hydra.run.dir={out}")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: hydra.run.dir = {str(out)!r}: holds a finished run of another configuration "
        f"(config hash {json.loads(before['summary.json'])['config_hash']}, now "
        + res.stderr.split("now ")[1].split(")")[0] + "): pick another hydra.run.dir"
    ]
    assert {name: (out / name).read_bytes() for name in before} == before  # not even .hydra was rewritten
    assert sim(*TINY, "seed=1", f"hydra.run.dir={out}").returncode == 0  # the same config may run again


def test_a_resume_with_changed_settings_refuses_even_without_the_manifest(tmp_path):
    # Keep wom.negative_mean out of the folder names: a changed preset looks exactly like this.
    hide = "hydra.job.config.override_dirname.exclude_keys=[seed,progress,wom.negative_mean]"
    args = [*TINY, "seed=0,1", hide, f"hydra.sweep.dir={tmp_path}"]
    assert sim(*args, "wom.negative_mean=12", "--multirun").returncode == 0
    (tmp_path / "manifest.csv").unlink()
    (run,) = tmp_path.glob("*/seed=0")
    kept = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    assert (run / "summary.json") in kept and (run / ".hydra" / "config.yaml") in kept
    for module, extra in (("sim", ["--multirun"]), ("sim.run.sweep", [])):
        res = sim(*args, "wom.negative_mean=9", *extra, module=module)
        assert res.returncode == 2, res.stderr
        line = res.stderr.strip().splitlines()[-1]
        assert line.startswith("error: hydra.sweep.dir")
        assert f"run {run.parent.name}/seed=0 finished with another configuration" in line
    assert {p: p.read_bytes() for p in kept} == kept  # results and their records untouched
    assert sim(*args, "wom.negative_mean=12", "--multirun").returncode == 0  # the same settings resume


def test_a_resume_removes_temporary_files_a_kill_left(tmp_path):
    args = [*TINY, "seed=0,1", f"hydra.sweep.dir={tmp_path}"]
    assert sim(*args, "--multirun").returncode == 0
    (run,) = tmp_path.glob("*/seed=0")
    (run / "summary.json").unlink()  # killed between its two writes
    stale = [run / ".summary.json.x1y2.tmp", run / ".timeseries.parquet.a1.tmp", tmp_path / ".manifest.csv.999999.tmp"]
    for path in stale:
        path.write_bytes(b"half")
    for module, extra in (("sim", ["--multirun"]), ("sim.run.sweep", [])):
        res = sim(*args, *extra, module=module)
        assert res.returncode == 0, res.stderr
        assert not any(p.exists() for p in stale) and not list(tmp_path.rglob(".*.tmp"))
        assert (run / "summary.json").is_file()
        (run / "summary.json").unlink()
        stale[0].write_bytes(b"half")
    assert {r["status"] for r in read_manifest(tmp_path).values()} == {"completed"}


def test_ctrl_c_prints_the_resume_command(tmp_path):
    # Orphaned workers exiting after a kill -9 of the main process alone is measured by
    # benchmarks/kill_resume.py, not here: inside the full suite that check proved timing-dependent.
    sweep = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "sim.run.sweep", "--no-progress", "--jobs", "2", "customers=3000", "days=200",
           "seed=range(0,400)", f"hydra.sweep.dir={sweep}"]
    # Ctrl-C (SIGINT to the whole foreground group): one line naming the command that resumes. 400 runs,
    # so the sweep cannot finish between the second result and the signal, however the batches fall.
    # A suite started in the background (`cmd &` in a script) inherits SIGINT ignored, and Python then
    # keeps it ignored: the sweep gets Ctrl-C's default disposition back, as in a terminal.
    process = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    done = len(list(sweep.rglob("summary.json")))
    while len(list(sweep.rglob("summary.json"))) < done + 2:
        assert process.poll() is None
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    lines = [line for line in err.splitlines() if not line.startswith("[sweep]")]
    assert lines == [f"interrupted: resume with python -m sim.run.sweep customers=3000 days=200 'seed=range(0,400)' "
                     f"hydra.sweep.dir={sweep}"], err


def test_the_printed_resume_command_resumes_when_pasted(tmp_path):
    import shlex

    from sim.run.cli import resume_command

    # As the README writes sweeps: overrides, then --multirun (and the flag first, for the other order).
    for argv in ([*TINY, "seed=0,1", "--multirun"], ["-m", *TINY, "seed=0,1"]):
        cwd = tmp_path / argv[0].lstrip("-")
        cwd.mkdir()
        assert sim(*argv, cwd=cwd).returncode == 0
        (sweep,) = (cwd / "multirun").glob("*/*")
        (run,) = sweep.glob("*/seed=1")
        (run / "summary.json").unlink()  # interrupted before its last write
        command = shlex.split(resume_command("sim", argv, sweep))
        assert command[:3] == ["python", "-m", "sim"]
        res = sim(*command[3:], cwd=cwd)
        assert res.returncode == 0, res.stderr
        assert "resuming" in res.stderr and (run / "summary.json").is_file()
        assert {r["status"] for r in read_manifest(sweep).values()} == {"completed"}
