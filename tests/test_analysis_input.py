"""The analysis skips and names what it cannot read, refuses duplicates and bad options in one line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.collect import collect

ROOT = Path(__file__).resolve().parent.parent
GRID = ["customers=150", "days=20", "policy=none,full", "seed=0,1,2"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("analysis_input") / "sweep"
    res = subprocess.run(
        [sys.executable, "-m", "sim.run.sweep", "--no-progress", *GRID, f"hydra.sweep.dir={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture
def results(sweep, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(sweep, copy)
    return copy


def runs_of(folder):
    return sorted(p.parent for p in folder.rglob("summary.json"))


def edit(run, **figures):
    """Rewrite a run's summary with ``figures`` changed (Python's json writes NaN and Infinity as such)."""
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps(summary | figures))


def analyse(folder, capsys, *options):
    code = main([str(folder), "--bootstrap", "200", *options])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda run: (run / "summary.json").write_text(""), "summary.json unreadable (JSONDecodeError"),
        (lambda run: (run / "summary.json").write_text('{"revenue": 12'), "summary.json unreadable (JSONDecodeError"),
        (lambda run: (run / "summary.json").write_text("[1, 2]"), "summary.json is not a JSON object"),
        (lambda run: (run / "timeseries.parquet").write_bytes(b"PAR1\x00"), "timeseries.parquet unreadable"),
        (lambda run: (run / "timeseries.parquet").unlink(), "timeseries.parquet unreadable"),
        (lambda run: edit(run, profit=float("nan")), "summary.json: profit = nan: not a finite number"),
        (lambda run: edit(run, revenue=float("inf")), "summary.json: revenue = inf: not a finite number"),
        (lambda run: edit(run, profit="abc"), 'summary.json: profit = "abc": not a number'),
        (lambda run: edit(run, profit=None), "summary.json: profit is null"),
        (lambda run: edit(run, profit=None, non_finite=["profit"]), "summary.json: figures not finite when"),
    ],
)
def test_a_damaged_run_is_named_and_skipped_and_the_rest_analysed(results, capsys, damage, reason):
    bad = runs_of(results)[1]
    damage(bad)
    code, err = analyse(results, capsys)
    assert code == 0
    name = bad.relative_to(results).as_posix()
    assert f"warning: skipped 1 runs that cannot be read: {name} ({reason}" in err
    table = pd.read_parquet(results / "analysis" / "runs.parquet")
    assert len(table) == 5 and name not in set(table["run"])


def test_an_undefined_ratio_leaves_the_run_in_and_the_figure_out(results, capsys):
    bad = runs_of(results)[1]
    edit(bad, positive_to_negative_wom=None, complaint_share=None)  # no negative word of mouth, nobody unhappy
    code, err = analyse(results, capsys)
    assert code == 0 and "warning" not in err, err
    table = pd.read_parquet(results / "analysis" / "runs.parquet").set_index("run")
    name = bad.relative_to(results).as_posix()
    assert len(table) == 6 and table["profit"].notna().all()
    assert pd.isna(table.loc[name, "positive_to_negative_wom"]) and pd.isna(table.loc[name, "complaint_share"])


def test_two_copies_of_a_sweep_count_each_run_once(results, capsys):
    shutil.copytree(results, results / "again")
    code, err = analyse(results, capsys)
    assert code == 0 and "warning: left out 6 runs with the same config and seed as another run" in err
    table = collect(results)
    assert len(table) == 6 and table.groupby("policy")["seed"].nunique().to_dict() == {"full": 3, "none": 3}
    ranking = pd.read_csv(results / "analysis" / "ranking.csv")
    assert set(ranking["runs"]) == {3}


def test_a_manifest_without_config_hash_and_a_huge_seed_are_read(results, capsys):
    manifest = pd.read_csv(results / "manifest.csv", dtype=str).drop(columns=["config_hash"])
    manifest.to_csv(results / "manifest.csv", index=False)
    for run in runs_of(results):
        if run.name == "seed=2":
            summary = json.loads((run / "summary.json").read_text())
            (run / "summary.json").write_text(json.dumps(summary | {"seed": 2**70}))
    code, err = analyse(results, capsys)
    assert code == 0, err
    table = pd.read_parquet(results / "analysis" / "runs.parquet")
    assert sorted(set(table["seed"])) == ["0", "1", str(2**70)]  # one type per column, nothing lost
    paired = pd.read_csv(results / "analysis" / "paired.csv")
    assert set(paired["pairs"]) == {3}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--bootstrap", "0"], "error: --bootstrap = 0: must be an integer in [1, 1,000,000]"),
        (["--bootstrap", "-5"], "error: --bootstrap = -5: must be an integer in [1, 1,000,000]"),
        (["--baseline", "nope"], "error: --baseline = 'nope': must be a policy of these runs (full, none)"),
        (["--metric", "nope"], "error: --metric = 'nope': must be one of"),
        (["--bootstrap", "x"], "error: argument --bootstrap: invalid int value: 'x'"),
    ],
)
def test_bad_options_get_one_line(sweep, capsys, tmp_path, options, message):
    try:
        code = main([str(sweep), "--out", str(tmp_path / "out"), *options])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith(message), err
    assert not (tmp_path / "out").exists()


def test_a_figure_the_report_needs_missing_from_the_runs_is_one_line(results, capsys):
    for run in runs_of(results):  # runs written before the core reported discounted profit
        summary = json.loads((run / "summary.json").read_text())
        (run / "summary.json").write_text(json.dumps({k: v for k, v in summary.items() if k != "npv"}))
    code, err = analyse(results, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: the runs in {str(results)!r} have no npv (summary figures this analysis reads")
    assert not (results / "analysis").exists()


def test_the_tarp_table_refuses_a_sweep_of_another_experiment(results, capsys):
    from analysis.tarp import main as tarp

    before = sorted(p for p in results.rglob("*"))
    assert tarp([str(results)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"error: SWEEP_DIR = {str(results)!r}: not a +experiment=tarp_cohort sweep "
        f"(run {runs_of(results)[0].relative_to(results).as_posix()} has scenario 'baseline'): nothing written"
    ]
    assert sorted(p for p in results.rglob("*")) == before  # no tarp_table.md


def test_the_tarp_table_reads_a_cohort_sweep_and_skips_a_damaged_run(tmp_path, capsys):
    from analysis.tarp import main as tarp

    out = tmp_path / "tarp"
    res = subprocess.run(
        [sys.executable, "-m", "sim", "+experiment=tarp_cohort", "customers=300", "days=5", "progress=false",
         "tarp_loss=small", "tarp_condition=no_complaint,complained_satisfied", f"hydra.sweep.dir={out}", "--multirun"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    damaged = sorted(p.parent for p in out.rglob("summary.json") if "complained_satisfied" in str(p))[0]
    edit(damaged, buy_again_share=float("nan"))
    assert tarp([str(out)]) == 0
    captured = capsys.readouterr()
    assert "warning: skipped 1 runs that cannot be read" in captured.err
    assert "| small | " in captured.out and (out / "tarp_table.md").is_file()
