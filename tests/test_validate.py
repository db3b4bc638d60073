"""The validation report: verdict logic, the writer on a synthetic table, the quick check, the CLI."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.core import rules
from sim.validate import __main__ as cli
from sim.validate import adapter, report
from sim.validate.runner import evaluate
from sim.validate.studies import STUDIES, Size
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
    assert all(t.knobs for t in targets if t.kind == "fitted")
    assert not any(t.knobs for t in targets if t.kind != "fitted")


def test_the_tarp_row_fitted_and_held_out_as_calibrated():
    kinds = {t.name: t.kind for t in registry() if t.family == "tarp"}
    assert [n for n, k in kinds.items() if k == "held-out"] == [
        "tarp_large_complained_unsatisfied", "tarp_large_complained_satisfied", "tarp_large_satisfied_quickly"]


def test_every_target_is_measurable_in_this_tree():
    assert all(t.missing() is None for t in registry() if t.name != "sir_vs_eon")


# ---------------------------------------------------------------- closed forms
def test_bass_closed_form_starts_at_f0_and_solves_the_bass_equation():
    p, q, f0 = 0.03, 0.38, 0.25
    t = np.linspace(0.0, 10.0, 20001)
    f = adapter.bass_share(t, p, q, f0)
    assert f[0] == pytest.approx(f0) and f[-1] < 1.0
    slope = np.gradient(f, t)
    assert np.allclose(slope[1:-1], ((p + q * f) * (1 - f))[1:-1], atol=1e-6)
    assert np.allclose(adapter.bass_share(t, p, 1e-12, f0), 1 - (1 - f0) * np.exp(-p * t), atol=1e-9)


def test_retention_closed_form_is_the_churn_rule_at_the_starting_loyalty():
    model = adapter.start({"customers": 50, "market.share": 1.0}, 3, graph=adapter.empty_graph(50))
    level = model.pop.loyalty[model.pop.member == 1]
    expected = np.mean(np.exp(-365 * rules.baseline_daily_hazard(model.cfg.loyalty)
                              * (1 - level) / (1 - model.cfg.loyalty.initial_mean)))
    assert adapter.closed_form_retention(model, 365) == pytest.approx(expected)


def test_yearly_attrition_is_lost_over_mean_customers():
    r = adapter.run({"customers": 200}, 5, 73)
    customers = r.timeseries()["customers"].to_numpy()
    assert adapter.yearly_attrition(r) == pytest.approx(r.summary["customers_lost"] / customers.mean() * 5)


def test_experiments_compose_as_the_command_line_does():
    cfg = adapter.compose("+experiment=tarp_cohort", "tarp_loss=small", "tarp_condition=satisfied_quickly")
    assert cfg.policy.delay_days == 0 and cfg.market.share == 1.0 and not cfg.acquisition.enabled
    assert cfg.scenario.shock.severity_mean == pytest.approx(1 - 0.37 / cfg.loyalty.initial_mean)
    silent = adapter.compose("+experiment=wom_attribution", "counterfactual=no_negative_wom")
    assert silent.wom.negative_enabled is False


TINY = Size("tiny", market=150, days=40, seeds=1, cohort=120, cohort_seeds=1, tarp_cohort=100, tarp_seeds=1,
            years=1, storm=150, sir_runs=2)
CHEAP = ("defaults", "recovery", "compensation", "justice", "retention", "tarp", "attribution", "sir")


@pytest.mark.parametrize("study", CHEAP)
def test_each_study_gives_every_metric_its_targets_read(study):
    values = STUDIES[study].run(1000, TINY)
    wanted = {t.metric for t in registry() if t.study == study and t.missing() is None}
    assert wanted <= set(values), wanted - set(values)


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


def test_the_attribution_split_is_written_with_its_figure(tmp_path):
    parts = ("lost_to_failures", "through_wom", "direct")
    by_seed = {
        1000 + i: {f"{k}_{p}": 10.0 * (j + 1) + i for k in report.ATTRIBUTION_OUTCOMES for j, p in enumerate(parts)}
        | {"dissatisfied_per_customer": 0.2, "deterred_acquisitions": 8.0 + i, "wom_churned": 2.0,
           "bad_news_npv_share": 0.1 + 0.01 * i}
        for i in range(3)
    }
    attributed = target("bad_news_npv_share", Criterion(0.0, INF, "within"), family="attribution", study="attribution")
    outcomes, table = evaluate([attributed], {"attribution": by_seed})
    paths = report.write(outcomes, table, tmp_path, META, {"attribution": by_seed})
    assert paths[-1].name == "validation_attribution_split.png" and paths[-1].stat().st_size > 1000
    text = (tmp_path / "validation.md").read_text()
    assert "| NPV with equity | 11 [" in text and "ratio of the means 4.5" in text


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
