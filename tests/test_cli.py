"""The Hydra app's public contract: outputs, sweeps, determinism and bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.core.presets import preset_names as group_options

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["customers=300", "days=40", "progress=false"]
SUMMARY_KEYS = {
    "revenue", "profit", "recovery_cost", "rework_cost", "customers_start", "customers_lost", "churn_rate",
    "failures", "dissatisfied", "complaints", "complaint_share", "negative_wom_messages",
    "mean_tells_per_unhappy", "terrorists", "npv", "seed", "version",
}


def sim(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_one_run_writes_config_timeseries_and_summary(tmp_path):
    out = tmp_path / "run"
    res = sim(*SMALL, f"hydra.run.dir={out}")
    assert res.returncode == 0, res.stderr
    assert (out / ".hydra" / "config.yaml").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["customers_start"] == 300 and summary["seed"] == 0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 41 and ts["day"].tolist() == list(range(41))
    assert "customers lost" in res.stdout and "word of mouth" in res.stdout


def test_same_config_and_seed_give_identical_files(tmp_path):
    for name in ("a", "b"):
        assert sim(*SMALL, "seed=7", "policy=none", f"hydra.run.dir={tmp_path / name}").returncode == 0
    for file in ("summary.json", "timeseries.parquet"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_multirun_nests_replicates_under_their_condition(tmp_path):
    res = sim("--multirun", *SMALL, "policy=none,full", "seed=0,1", f"hydra.sweep.dir={tmp_path}")
    assert res.returncode == 0, res.stderr
    runs = sorted(p.parent.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("summary.json"))
    cond = "customers=300,days=40,policy="
    assert runs == [f"{cond}full/seed=0", f"{cond}full/seed=1", f"{cond}none/seed=0", f"{cond}none/seed=1"]
    same_seed = [json.loads((tmp_path / f"{cond}{p}/seed=1/summary.json").read_text()) for p in ("none", "full")]
    assert same_seed[0]["customers_start"] == same_seed[1]["customers_start"]


@pytest.mark.parametrize("group", ["network", "policy", "scenario", "complaint"])
def test_every_group_option_composes_and_runs(group, tmp_path):
    for option in group_options(group):
        extra = [f"network.path={tmp_path / 'g.txt'}"] if option == "edgelist" else []
        if extra:
            (tmp_path / "g.txt").write_text("".join(f"{i} {i + 1}\n" for i in range(299)))
        days = "days=70" if group == "scenario" else "days=5"  # the storm starts on day 60
        res = sim(*SMALL, days, f"{group}={option}", *extra, f"hydra.run.dir={tmp_path / option}")
        assert res.returncode == 0, f"{group}={option}: {res.stderr}"
        assert (tmp_path / option / "summary.json").is_file()


BAD = [
    (["policy=nope"], "policy = 'nope': must be one of"),
    (["network=ring"], "network = 'ring': must be one of"),
    (["customers=0"], "customers = 0: must be a number in [1, 100000000]"),
    (["complaint.base_share=1.5"], "complaint.base_share = 1.5: must be a number in [0, 1]"),
    (["failure.rate=-0.1"], "failure.rate = -0.1: must be a number in [0, 1]"),
    (["policy.delay_days=-2"], "policy.delay_days = -2: must be a number in [0, 1000000]"),
    (["network=edgelist", "network.path=/no/such/file.txt"], "network.path = '/no/such/file.txt': file not found"),
    (["failure.ratee=0.1"], "failure.ratee: no such setting (allowed here: cause_blame, cause_complaint"),
    (["customers=many"], "customers = 'many': must be an integer"),
    (["+experiment=nope"], "experiment = 'nope': must be one of"),
    # Misspelt keys added with + or ++ once ran the defaults and stored the typo (issue 19, item 3).
    (["+polcy=none"], "polcy: no such setting (allowed here: acquisition,"),
    (["+polcy=none"], "did you mean policy?"),
    (["+custmers=5"], "did you mean customers?"),
    (["++failure.rat=0.5"], "failure.rat: no such setting (allowed here: cause_blame,"),
    (["++failure.rat=0.5"], "did you mean rate?"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_fails_with_one_line_and_no_complete_folder(args, message, tmp_path):
    out = tmp_path / "run"
    res = sim(*SMALL, *args, f"hydra.run.dir={out}")
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert not (out / "summary.json").exists() and not (out / "timeseries.parquet").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [("0 1\n1 two\n", "line 2 ('1 two') must start with two non-negative integer node ids"),
     ("0 1\n5 1999\n", "line 2 has node id 1999, must be < the market's size (1200: customers / market.share)"),
     ("# nothing\n\n", "no edges found")],
)
def test_malformed_edge_list_fails_before_simulating(content, message, tmp_path):
    file = tmp_path / "edges.txt"
    file.write_text(content)
    out = tmp_path / "run"
    res = sim(*SMALL, "network=edgelist", f"network.path={file}", f"hydra.run.dir={out}")
    assert res.returncode == 2 and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists() or not (out / "summary.json").exists()


def test_plus_plus_on_a_known_key_still_sets_it(tmp_path):
    res = sim(*SMALL, "++days=3", f"hydra.run.dir={tmp_path}")
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["days"] == 3
