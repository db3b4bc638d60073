"""The validation report: verdict logic, the writer on a synthetic table, the quick check, the CLI."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.validate import __main__ as cli
from sim.validate import report
from sim.validate.runner import evaluate
from sim.validate.studies import STUDIES
from sim.validate.targets import INF, Criterion, Target, judge, registry, t_interval

RANGE = Criterion(0.05, 0.10)


def target(name="share", criterion=RANGE, **kw):
    base = dict(name=name, family="demo", claim="5-10 %", unit="share", source="Someone (2000), Journal 1(1)",
                kind="held-out", study="demo", metric=name, criterion=criterion, why="the reported range", scale=100)
    return Target(**(base | kw))


# ---------------------------------------------------------------- verdicts
def test_a_range_is_met_when_the_ci_meets_it_and_missed_when_it_does_not():
    assert judge(target(), np.array([0.09, 0.10, 0.11, 0.12])).verdict == "met"  # CI reaches 0.10
    assert judge(target(), np.array([0.20, 0.21, 0.22])).verdict == "missed"
    assert judge(target(), np.array([0.01, 0.011, 0.012])).verdict == "missed"


def test_a_direction_needs_the_whole_ci_on_its_side():
    up = target(criterion=Criterion(0.0, INF, "within"))
    assert judge(up, np.array([0.5, 0.6, 0.7])).verdict == "met"
    assert judge(up, np.array([-0.5, 0.6, 0.7])).verdict == "missed"  # CI straddles 0
    assert judge(up, np.array([0.0, 0.0, 0.0])).verdict == "missed"  # zero is not above zero


def test_no_value_or_a_reason_gives_not_measurable_and_no_number():
    out = judge(target(), None, "no such mechanism")
    assert out.verdict == "not measurable: no such mechanism" and np.isnan(out.mean)
    empty = judge(target(), np.array([np.nan, np.nan]))
    assert empty.verdict.startswith("not measurable") and len(empty.values) == 0


def test_t_interval_matches_scipy_and_a_single_value_has_no_width():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    from scipy import stats

    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert np.allclose(t_interval(x)[1:], (lo, hi))
    assert t_interval(np.array([3.0])) == (3.0, 3.0, 3.0)


def test_every_target_names_a_study_and_a_unique_id():
    targets = registry()
    assert len({t.name for t in targets}) == len(targets)
    assert all(t.study in STUDIES and t.source and t.why for t in targets)
    assert all(t.kind in ("fitted", "held-out", "docking") for t in targets)
    assert all(t.knobs for t in targets if t.kind == "fitted" and t.name != "yearly_attrition")


# ---------------------------------------------------------------- the writer
SYNTHETIC = {"demo": {1000: {"share": 0.07, "ratio": 4.0}, 1001: {"share": 0.08, "ratio": 4.2},
                      1002: {"share": 0.075, "ratio": 4.1}}}
TARGETS = [
    target(),
    target("ratio", Criterion(2.5, 3.5), unit="ratio", scale=1.0, kind="fitted", knobs=("a.b = 1",)),
    target("absent", missing=lambda: "the model has no such state"),
]
META = {"command": "python -m sim.validate", "size_text": "tiny", "version": "0", "size": {"name": "tiny"}}


def test_the_writer_puts_every_target_and_replicate_in_the_report(tmp_path):
    outcomes, table = evaluate(TARGETS, SYNTHETIC)
    paths = report.write(outcomes, table, tmp_path, META)
    assert [p.name for p in paths] == ["validation.md", "validation.parquet", "validation.json", "validation_demo.png"]
    text = (tmp_path / "validation.md").read_text()
    assert "**3 targets, 2 held-out, 1 met" in text
    assert "7.5 % [" in text and "| **met** |" in text and "| missed |" in text
    assert "not measurable: the model has no such state" in text
    tidy = pd.read_parquet(tmp_path / "validation.parquet")
    assert len(tidy) == 3 + 3 + 1  # every replicate, and one row for the target without any
    assert set(tidy.columns) >= {"target", "kind", "seed", "value", "mean", "ci_low", "ci_high", "verdict"}
    assert tidy[tidy.target == "absent"].value.isna().all()
    verdicts = json.loads((tmp_path / "validation.json").read_text())["targets"]
    assert verdicts["share"]["verdict"] == "met" and verdicts["ratio"]["verdict"] == "missed"
    assert verdicts["absent"]["mean"] is None
    assert (tmp_path / "figures" / "validation_demo.png").stat().st_size > 1000


# ---------------------------------------------------------------- the quick check
def fabricated(complaint_share):
    """What the studies would return, made up: no model is run."""
    return lambda targets, size, jobs, progress: {"defaults": {1000 + i: {"complaint_share": complaint_share + d}
                                                               for i, d in enumerate((-0.002, 0.0, 0.002))}}


@pytest.fixture
def committed(tmp_path):
    path = tmp_path / "validation.json"
    path.write_text(json.dumps({"targets": {"complaint_share": {"verdict": "met"}}}))
    return path


def quick(tmp_path, baseline, monkeypatch, share):
    monkeypatch.setattr(cli, "run_studies", fabricated(share))
    argv = ["--quick", "--family", "complaints", "--no-progress", "--out", str(tmp_path / "q"), "--baseline",
            str(baseline)]
    return cli.main(argv)


def test_quick_check_fails_when_a_target_the_report_marks_met_is_missed(tmp_path, committed, monkeypatch, capsys):
    assert quick(tmp_path, committed, monkeypatch, 0.30) == 1
    assert "REGRESSION complaint_share: committed report says met, this run says missed" in capsys.readouterr().err


def test_quick_check_passes_when_met_targets_stay_met(tmp_path, committed, monkeypatch):
    assert quick(tmp_path, committed, monkeypatch, 0.07) == 0


def test_quick_check_without_committed_verdicts_fails(tmp_path, monkeypatch):
    assert quick(tmp_path, tmp_path / "missing.json", monkeypatch, 0.07) == 1


# ---------------------------------------------------------------- the CLI
@pytest.mark.parametrize("argv", [["--jobs", "0"], ["--jobs", "many"], ["--family", "astrology"], ["--bogus"]])
def test_bad_options_give_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err


def test_the_module_entry_point_rejects_bad_options():
    res = subprocess.run([sys.executable, "-m", "sim.validate", "--jobs", "-3"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("error: argument --jobs: must be -1")
