"""File-system failures: one line, the documented exit status, and nothing half-written left behind.

A folder results cannot go into is refused before anything is written (exit 2, naming the
setting); a disk that fails while writing (full, I/O error) is an environment failure (exit 1).
A full disk is simulated by a writer that raises ``OSError(ENOSPC)``.
"""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.core.config import ConfigError
from sim.run import results
from sim.run.manifest import read_manifest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=150", "days=20", "progress=false"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
FULL_DISK = """
import errno, sys
import sim.run.results as results
real = results.atomic_write_bytes
def full(path, data):
    if path.name == results.SUMMARY:  # the time series fits, the summary no longer does
        raise OSError(errno.ENOSPC, "No space left on device")
    real(path, data)
results.atomic_write_bytes = full
from sim.run.app import cli
sys.argv = ["sim", *sys.argv[1:]]
cli()
"""


def sim(*args, cwd=ROOT, prelude=None):
    command = [sys.executable, "-c", prelude, *args] if prelude else [sys.executable, "-m", "sim", *args]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def errors(res):
    return [line for line in res.stderr.splitlines() if not line.startswith("[sweep]")]


def everything(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("hydra.run.dir=/dev/full", "error: hydra.run.dir = '/dev/full': /dev/full is not a folder"),
        ("hydra.run.dir=afile/run", "error: hydra.run.dir = 'afile/run': {tmp}/afile is not a folder"),
        ("hydra.run.dir=", "error: hydra.run.dir = '': must name a folder"),
        ("hydra.sweep.dir=afile/sweep", "error: hydra.sweep.dir = 'afile/sweep': {tmp}/afile is not a folder"),
        ("hydra.sweep.dir=", "error: hydra.sweep.dir = '': must name a folder"),
    ],
)
def test_a_folder_results_cannot_go_into_is_refused_with_one_line(setting, message, tmp_path):
    (tmp_path / "afile").write_text("not a folder\n")
    before = everything(tmp_path)
    extra = ["seed=0,1", "--multirun"] if setting.startswith("hydra.sweep") else []
    res = sim(*TINY, setting, *extra, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    (line,) = errors(res)
    assert line.startswith(message.format(tmp=tmp_path)), res.stderr
    assert everything(tmp_path) == before  # an empty hydra.run.dir wrote nothing into the current folder


def test_a_folder_that_refuses_new_entries_is_named_with_the_reason(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(results.tempfile, "mkstemp", refuse)  # what a read-only folder does, even for root
    expected = rf"^hydra.run.dir = 'out/run': cannot write in {tmp_path} \(Permission denied\)$"
    with pytest.raises(ConfigError, match=expected):
        results.check_folder("hydra.run.dir", "out/run")
    assert everything(tmp_path) == []


def test_a_disk_too_full_for_hydras_records_is_an_environment_failure_before_anything_is_written(tmp_path, monkeypatch):
    real = results.os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.handle = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results.os, "fdopen", Full)
    with pytest.raises(results.WriteFailure, match=r"^hydra.sweep.dir = '.*': cannot write in .* \(No space left"):
        results.check_folder("hydra.sweep.dir", str(tmp_path / "sweep"))
    assert everything(tmp_path) == []  # the probe went too


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_target_or_current_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for res in (sim(*TINY, f"hydra.run.dir={locked / 'run'}"), sim(*TINY, cwd=locked)):
            assert res.returncode == 2, res.stderr
            (line,) = errors(res)
            assert f"cannot write in {locked} (Permission denied)" in line
        assert everything(locked) == []
    finally:
        locked.chmod(0o755)


def test_a_full_disk_ends_a_run_with_one_line_exit_1_and_no_half_run(tmp_path):
    out = tmp_path / "run"
    res = sim(*TINY, f"hydra.run.dir={out}", prelude=FULL_DISK)
    assert res.returncode == results.EXIT_ENVIRONMENT, res.stderr
    assert errors(res) == [f"error: {out}: results not written (No space left on device)"]
    assert not out.exists()  # no .hydra, app.log or timeseries.parquet that could pass for a run


def test_a_full_disk_fails_each_sweep_job_alone_and_leaves_no_condition_folder(tmp_path):
    res = sim(*TINY, "policy=none", "seed=0,1", f"hydra.sweep.dir={tmp_path}", "--multirun", prelude=FULL_DISK)
    assert res.returncode == 1, res.stderr
    rows = read_manifest(tmp_path)
    assert {r["status"] for r in rows.values()} == {"failed"} and len(rows) == 2
    assert all(r["error"].endswith("results not written (No space left on device)") for r in rows.values())
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []  # neither the runs nor their condition folder


def test_a_failed_job_leaves_no_empty_condition_folder(tmp_path):
    res = sim(*TINY, "days=20,-1", f"hydra.sweep.dir={tmp_path}", "--multirun")
    assert res.returncode == 1, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["customers=150,days=20"]


def test_write_run_takes_back_the_time_series_when_the_summary_fails(tmp_path, monkeypatch):
    real = results.atomic_write_bytes

    def full(path, data):
        if path.name == results.SUMMARY:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(results, "atomic_write_bytes", full)
    frame = pd.DataFrame({"day": [0, 1]})
    with pytest.raises(results.WriteFailure, match=r"results not written \(No space left on device\)$"):
        results.write_run(tmp_path / "run", frame, {"profit": 1.0})
    assert everything(tmp_path) == ["run"]
    monkeypatch.setattr(results, "atomic_write_bytes", real)  # a finished run run again keeps its files
    results.write_run(tmp_path / "run", frame, {"profit": 1.0})
    monkeypatch.setattr(results, "atomic_write_bytes", full)
    with pytest.raises(results.WriteFailure):
        results.write_run(tmp_path / "run", frame, {"profit": 1.0})
    assert results.is_complete(tmp_path / "run")


def test_an_emptied_time_series_is_not_a_finished_run_and_is_run_again(tmp_path):
    args = [*TINY, "seed=0,1", f"hydra.sweep.dir={tmp_path}", "--multirun"]
    assert sim(*args).returncode == 0
    emptied, kept = sorted(tmp_path.glob("*/seed=*"))
    assert json.loads((emptied / "summary.json").read_text())["seed"] == 0
    (emptied / "timeseries.parquet").write_bytes(b"")  # a copy cut short, a full disk
    assert not results.is_complete(emptied) and results.is_complete(kept)
    res = sim(*args)
    assert res.returncode == 0, res.stderr
    progress = [line for line in res.stderr.splitlines() if line.startswith("[sweep] ") and "/2 " in line]
    assert len(progress) == 2
    assert [line for line in progress if "/seed=0:" in line][0].split(": ")[1].startswith("completed")
    assert [line for line in progress if "/seed=1:" in line][0].split(": ")[1].startswith("skipped (complete)")
    assert len(pd.read_parquet(emptied / "timeseries.parquet")) == 21  # day 0 and 20 days


FULL_MANIFEST = """
import errno, pathlib, sys
real = pathlib.Path.write_bytes
def full(self, data):
    if self.name.startswith(".manifest.csv."):  # the runs' files fit, the manifest's rewrite no longer does
        raise OSError(errno.ENOSPC, "No space left on device")
    return real(self, data)
pathlib.Path.write_bytes = full
module = sys.argv.pop(1)
sys.argv = [module, *sys.argv[1:]]
if module == "sim":
    from sim.run.app import cli
    cli()
else:
    from sim.run.sweep import main
    main()
"""


@pytest.mark.parametrize("module", ["sim", "sim.run.sweep"])
def test_a_full_disk_at_the_manifest_ends_a_sweep_with_one_line_exit_1(tmp_path, module):
    flag = "--multirun" if module == "sim" else "--no-progress"
    args = [*TINY, "seed=0,1", f"hydra.sweep.dir={tmp_path}", flag]
    res = sim(module, *args, prelude=FULL_MANIFEST)
    assert res.returncode == results.EXIT_ENVIRONMENT, res.stderr
    assert "Traceback" not in res.stderr
    lines = errors(res)
    assert lines and all(line.startswith("error: ") for line in lines), res.stderr
    assert f"{tmp_path / 'manifest.csv'}: not written (No space left on device)" in lines[-1]
    assert len(list(tmp_path.glob("*/seed=*/summary.json"))) == 2  # the runs themselves finished
    assert not list(tmp_path.glob(".manifest.csv.*"))  # no temporary file left beside it
    rerun = sim(*args) if module == "sim" else subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr  # resuming rebuilds the manifest from the finished folders
    assert {r["status"] for r in read_manifest(tmp_path).values()} == {"completed"}
