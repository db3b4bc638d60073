"""A wheel (not an editable install) runs from any folder: the configs ship inside the package."""

import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, cwd, timeout=300):
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{cmd}: {res.stdout[-2000:]}{res.stderr[-2000:]}"
    return res


@pytest.mark.slow  # about 22 s: a wheel build, a venv and three runs
def test_a_wheel_installed_elsewhere_runs_the_cli_and_the_api(tmp_path):
    wheels, source = tmp_path / "wheels", tmp_path / "source"
    # Build from a copy: setuptools leaves build/ and *.egg-info in the folder it builds.
    junk = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "outputs", "multirun", "__pycache__")
    shutil.copytree(ROOT, source, ignore=junk)
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    build = run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(wheels), str(source)],
                ROOT)
    assert "Warning" not in build.stdout + build.stderr  # the first `make run` builds it: no pages of warnings
    (wheel,) = wheels.glob("wom_sim-*.whl")
    # A fresh venv that sees this environment's dependencies (no downloads) but not its wom-sim:
    # a plain path line in a .pth is added to sys.path without running the editable install's hook.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path)
    Path(site.stdout.strip(), "shared-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)], tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([str(python), "-c", "import sim; print(sim.__file__)"], elsewhere).stdout.strip()
    assert where.startswith(str(venv)), f"imported the checkout, not the wheel: {where}"

    res = run([str(python), "-m", "sim", "customers=500", "days=30", "hydra.run.dir=out"], elsewhere)
    summary = json.loads((elsewhere / "out" / "summary.json").read_text())
    assert summary["customers_start"] == 500 and "results:" in res.stdout
    run([str(python), "-m", "sim", "+experiment=recovery_showdown", "--cfg", "job"], elsewhere)  # studies ship too
    # The batched sweeper plugin ships too, and Hydra finds it in the installed package.
    plugin = run([str(python), "-c", "import hydra_plugins.wom_sim_sweeper as p; print(p.__file__)"], elsewhere)
    assert plugin.stdout.strip().startswith(str(venv)), plugin.stdout
    sweep = ["customers=150", "days=10", "progress=false", "seed=0,1", "hydra/sweeper=batched", "hydra.sweep.dir=s"]
    run([str(python), "-m", "sim", *sweep, "--multirun"], elsewhere)
    assert len(list((elsewhere / "s").glob("*/seed=*/summary.json"))) == 2

    api = "from sim import WomModel; m = WomModel(customers=300, policy='full', seed=1); print(m.run(10)['revenue'])"
    assert float(run([str(python), "-c", api], elsewhere).stdout) > 0
    # The manifest's commit names this project's checkout only, never a repository the wheel sits in.
    commit = "from sim.run.fingerprint import git_commit; print(repr(git_commit()))"
    assert run([str(python), "-c", commit], elsewhere).stdout.strip() == "''"
