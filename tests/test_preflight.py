"""Checks before Hydra makes a folder: one line, exit 2, nothing written (issue 19, items 2 and 7)."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.core.config import ConfigError
from sim.core.presets import CONF_DIR

ROOT = Path(__file__).resolve().parent.parent
TINY = ["customers=150", "days=5", "progress=false"]


def sim(*args, cwd):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def one_line(res):
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1, res.stderr
    return lines[0]


@pytest.mark.parametrize("path", sorted((CONF_DIR / "experiment").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_experiment_sweeps_into_a_folder_of_its_own(path):
    # Two sweeps of one experiment started in the same second shared a folder and mixed their results.
    sweep = yaml.safe_load(path.read_text()).get("hydra", {}).get("sweep", {})
    assert "${uid:}" in sweep.get("dir", "${uid:}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["counterfactual=no_failures"], "use +counterfactual=no_failures"),
        (["days=0,-1", "--multirun"], "days = 0: must be a number in [1,"),
        (["seed=range(0,0)", "--multirun"], "the sweep has no runs"),
    ],
)
def test_bad_settings_give_one_line_and_no_folder(args, message, tmp_path):
    assert message in one_line(sim(*TINY, *args, cwd=tmp_path))
    assert not list(tmp_path.iterdir())


def test_a_sweep_refuses_a_folder_of_another_sweep(tmp_path):
    sweep = tmp_path / "sweep"
    assert sim(*TINY, "seed=0", f"hydra.sweep.dir={sweep}", "--multirun", cwd=tmp_path).returncode == 0
    before = sorted(p.relative_to(sweep) for p in sweep.rglob("*"))
    line = one_line(sim(*TINY, "seed=1", f"hydra.sweep.dir={sweep}", "--multirun", cwd=tmp_path))
    assert "holds another sweep" in line and "seed=0" in line
    assert sorted(p.relative_to(sweep) for p in sweep.rglob("*")) == before


def test_a_damaged_manifest_is_one_line_on_resume(tmp_path):
    sweep = tmp_path / "sweep"
    args = [*TINY, "seed=0", f"hydra.sweep.dir={sweep}", "--multirun"]
    assert sim(*args, cwd=tmp_path).returncode == 0
    (sweep / "manifest.csv").write_bytes(bytes(range(256)) * 4)
    assert "manifest.csv: not a manifest" in one_line(sim(*args, cwd=tmp_path))


BLOCK = """
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {module!r}:
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
sys.argv = [{program!r}, *{args!r}]
runpy.run_module({program!r}, run_name="__main__")
"""


@pytest.mark.parametrize(
    ("program", "module", "args"),
    [("experiments.sensitivity", "SALib", ["--n", "4", "customers=100"]), ("experiments.optimise", "optuna", [])],
)
def test_a_study_without_its_extra_names_it(program, module, args, tmp_path):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    code = BLOCK.format(module=module, program=program, args=args)
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 1 and len(lines) == 1, res.stderr
    assert f"needs {module}" in lines[0] and "pip install -e '.[sweep]'" in lines[0]
    assert not list(tmp_path.iterdir())


def test_hydra_and_omegaconf_are_used_through_their_public_api():
    private = ("hydra._internal", "_get_node(", "._value(", "._set_value(", "._metadata", "_return_value")
    for folder in ("sim", "experiments", "benchmarks", "analysis"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            assert not [p for p in private if p in text], path


def test_a_batched_sweep_resumes_through_hydra_and_back(tmp_path):
    sweep = tmp_path / "sweep"
    grid = [*TINY, "seed=0,1", f"hydra.sweep.dir={sweep}"]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    batched = [sys.executable, "-m", "sim.run.sweep", "--no-progress", *grid]
    assert subprocess.run(batched, cwd=tmp_path, env=env, capture_output=True).returncode == 0
    res = sim(*grid, "--multirun", cwd=tmp_path)  # the same sweep, not another one
    assert res.returncode == 0 and "resuming" in res.stderr, res.stderr


HYDRA_COMMAND_LINES = [
    ["customers=10"],
    ["seed=0,1", "-m"],
    ["--multirun", "seed=0,1"],
    ["seed=0,1", "--multir"],  # argparse takes an unambiguous abbreviation
    ["seed=0,1", "--mu"],
    ["-mr", "seed=0,1"],  # combined short flags
    ["-m", "--cfg", "job"],
    ["-c", "hydra", "days=3"],
    ["--info"],
    ["--info", "plugins"],
    ["--resolve", "--cfg", "all"],
    ["-cn", "config", "days=2"],
    ["days=2", "--hydra-help"],
    ["-sc"],
]


@pytest.mark.parametrize("argv", HYDRA_COMMAND_LINES)
def test_the_command_line_is_read_as_hydra_reads_it(argv):
    from hydra._internal.utils import get_args_parser  # the test may look inside; the code may not

    from sim.run.preflight import hydra_args

    theirs, ours = vars(get_args_parser().parse_args(argv)), vars(hydra_args(argv))
    assert {k: v for k, v in ours.items() if k != "version"} == theirs


def test_an_abbreviated_multirun_flag_runs_the_sweep_hydra_runs(tmp_path):
    res = sim(*TINY, "seed=0,1", f"hydra.sweep.dir={tmp_path / 's'}", "--multir", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert len(list((tmp_path / "s").glob("*/seed=*/summary.json"))) == 2


def test_a_flag_hydra_does_not_know_is_one_line():
    from sim.run.preflight import hydra_args

    with pytest.raises(ConfigError, match=r"^unrecognized arguments: --multirunn \(see python -m sim --help\)$"):
        hydra_args(["--multirunn"])
