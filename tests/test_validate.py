"""The validation report: verdict logic, the writer on a synthetic table, the quick check, the CLI."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.core import rules
from sim.validate import __main__ as cli
from sim.validate import adapter, report, stats, targets
from sim.validate.runner import evaluate
from sim.validate.studies import STUDIES, Size, columns
from sim.validate.targets import INF, KINDS, Criterion, Target, equivalent, judge, registry, t_interval

RANGE = Criterion(0.05, 0.10)


def target(name="share", criterion=RANGE, **kw):
    base = dict(name=name, family="demo", claim="5-10 %", unit="share", source="Someone (2000), Journal 1(1)",
                kind="predicted", kind_why="no knob was set from it", study="demo", metric=name,
                criterion=criterion, why="the reported range", scale=100)
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
    targets_ = registry()
    assert len({t.name for t in targets_}) == len(targets_)
    assert all(t.study in STUDIES and t.source and t.why and t.kind_why for t in targets_)


def test_every_target_has_one_of_the_four_kinds_and_only_calibrated_ones_name_knobs():
    targets_ = registry()
    assert {t.kind for t in targets_} == set(KINDS)
    assert all(t.knobs for t in targets_ if t.kind == "calibrated")
    assert not any(t.knobs for t in targets_ if t.kind != "calibrated")
    assert sum(t.kind == "predicted" for t in targets_) >= 8
    assert all(t.learned for t in targets_ if t.kind == "predicted")


def test_no_effect_and_docking_targets_are_judged_by_equivalence():
    kinds = {t.name: t for t in registry()}
    for name in ("paradox_repurchase", "paradox_wom", "second_failure", "bass_innovation", "bass_imitation",
                 "sir_vs_eon", "retention_closed_form"):
        assert kinds[name].criterion.mode == "equivalence" and kinds[name].criterion.margin > 0
    assert all(t.criterion.mode == "equivalence" for t in kinds.values() if t.kind == "verification")


def test_the_tarp_row_calibrated_and_predicted():
    kinds = {t.name: t.kind for t in registry() if t.family == "tarp"}
    assert [n for n, k in kinds.items() if k == "predicted"] == [
        "tarp_large_complained_unsatisfied", "tarp_large_complained_satisfied", "tarp_large_satisfied_quickly"]
    assert kinds["tarp_tells_ratio"] == "imposed"  # recovery.recovered_tell_share states the halving


def test_changes_list_every_moved_kind_and_each_new_or_removed_target():
    moved = {n: (a, b) for n, a, b, _ in targets.changes(registry())}
    assert moved["paradox_satisfaction"] == ("held-out", "imposed")
    assert moved["online_cascades"] == ("held-out", "calibrated")
    assert moved["deterrence_over_retention"] == ("new", "predicted")
    assert moved["defection_cut_profit_baseline"] == ("held-out", "removed")
    assert "complaint_share" not in moved and "bass_imitation" not in moved  # renamed only


def test_every_pattern_names_existing_targets():
    names = {t.name for t in registry()}
    assert all(set(p.targets) <= names for p in targets.PATTERNS)
    tested = {n for p in targets.PATTERNS for n in p.targets}
    assert {t.name for t in registry() if t.kind == "predicted"} <= tested


BACKTICKED = re.compile(r"`([^`]+)`")


def test_every_column_a_note_cites_is_a_study_column_or_a_config_field():
    produced = columns()
    texts = [t.note + " " + t.claim for t in registry()] + list(targets.REMOVED.values())
    for text in texts:
        for word in BACKTICKED.findall(text):
            assert word in produced or word.split("=")[0].strip() in adapter.config_fields(), word


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
    lc = model.cfg.loyalty
    expected = np.mean(np.exp(-365 * rules.baseline_daily_hazard(lc)
                              * np.exp(lc.churn_sensitivity * (lc.initial_mean - level))))
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
            years=1, storm=150, storm_seeds=1, sir_runs=2, docking_seeds=1)
CHEAP = ("defaults", "recovery", "paradox_severity", "tarp_tells", "compensation", "justice", "retention", "tarp",
         "attribution", "sir")


@pytest.mark.parametrize("study", CHEAP)
def test_each_study_gives_every_metric_its_targets_read_and_the_columns_it_declares(study):
    values = STUDIES[study].run(1000, TINY)
    if not values:  # sir without EoN
        return
    wanted = {t.metric for t in registry() if t.study == study and t.missing() is None}
    wanted |= {m for t in registry() if t.study == study for m in (t.ratio_of or ())}
    assert wanted <= set(values), wanted - set(values)
    assert set(values) == set(STUDIES[study].columns)


# ---------------------------------------------------------------- equivalence, power, ratios
def test_tost_meets_equal_means_with_a_small_sd_and_not_with_a_huge_one():
    rng = np.random.default_rng(0)
    small = rng.normal(0.0, 0.01, 20)
    huge = rng.normal(0.0, 5.0, 20)
    assert stats.tost(small, 0.1).met()
    assert not stats.tost(huge, 0.1).met()
    assert not stats.tost(small + 0.5, 0.1).met()  # a real difference is not equivalence
    eq = target(criterion=equivalent(0.1))
    assert judge(eq, small).verdict == "met" and judge(eq, huge).verdict == "missed"


def test_tost_on_a_deterministic_value_is_exact():
    assert stats.tost(np.array([0.05]), 0.1).met() and not stats.tost(np.array([0.2, 0.2]), 0.1).met()
    out = judge(target(criterion=equivalent(0.1)), np.array([0.05, 0.05, 0.05]))
    assert out.deterministic and out.verdict == "met"
    assert "(deterministic, 3 seeds)" in report.value_text(out)


def test_seeds_for_power_matches_the_normal_closed_form():
    from scipy.stats import norm

    sd, margin = 0.006, 0.01
    closed = ((norm.ppf(0.95) + norm.ppf(0.9)) * sd / margin) ** 2
    assert stats.seeds_for_power_normal(sd, margin) == max(2, int(np.ceil(closed)))
    assert stats.tost_power(sd, margin, int(np.ceil(closed))) >= 0.8
    assert stats.tost_power(sd, margin, int(np.ceil(closed)) - 1) < 0.8 or closed < 2
    assert stats.seeds_for_power(sd, margin) >= stats.seeds_for_power_normal(sd, margin)  # t is wider
    n = stats.seeds_for_power(1.0, 0.5)  # ~36 by the normal closed form, a few more with t
    assert 34 <= n <= 40


def test_tost_power_holds_in_simulation_at_the_planned_seeds():
    sd, margin = 1.0, 0.8
    n = stats.seeds_for_power(sd, margin)
    rng = np.random.default_rng(1)
    hits = np.mean([stats.tost(rng.normal(0.0, sd, n), margin).met() for _ in range(2000)])
    assert hits >= 0.78


def test_ratio_ci_is_paired_and_agrees_with_the_delta_method():
    rng = np.random.default_rng(2)
    den = rng.normal(10.0, 1.0, 400)
    num = 2.0 * den + rng.normal(0.0, 0.5, 400)
    r, lo, hi = stats.ratio_ci(num, den)
    d, dlo, dhi = stats.delta_ratio_ci(num, den)
    assert r == pytest.approx(2.0, abs=0.02) and r == pytest.approx(d)
    assert lo == pytest.approx(dlo, abs=0.01) and hi == pytest.approx(dhi, abs=0.01)
    assert stats.ratio_ci(np.array([4.0, 4.0]), np.array([2.0, 2.0])) == (2.0, 2.0, 2.0)


def test_a_ratio_target_reports_the_ratio_of_the_means_with_its_ci():
    by_seed = {1000 + i: {"r": (8.0 + i) / 2.0, "a": 8.0 + i, "b": 2.0} for i in range(5)}
    t = target("r", Criterion(4.0, INF), unit="ratio", scale=1.0, ratio_of=("a", "b"))
    (o,), _ = evaluate([t], {"demo": by_seed})
    assert o.mean == pytest.approx(5.0) and o.ci_low < 5.0 < o.ci_high and o.verdict == "met"
    assert "ratio of the means, paired bootstrap" in report.value_text(o)


# ---------------------------------------------------------------- the writer
SYNTHETIC = {"demo": {1000: {"share": 0.07, "ratio": 4.0}, 1001: {"share": 0.08, "ratio": 4.2},
                      1002: {"share": 0.075, "ratio": 4.1}}}
TARGETS = [
    target(),
    target("ratio", Criterion(2.5, 3.5), unit="ratio", scale=1.0, kind="calibrated", knobs=("a.b = 1",)),
    target("absent", missing=lambda: "the model has no such state"),
]
META = {"command": "python -m sim.validate", "size_text": "tiny", "version": "0", "size": {"name": "tiny"}}


def test_the_writer_puts_every_target_and_replicate_in_the_report(tmp_path):
    outcomes, table = evaluate(TARGETS, SYNTHETIC)
    paths = report.write(outcomes, table, tmp_path, META)
    assert [p.name for p in paths] == ["validation.md", "validation.parquet", "validation.json", "validation_demo.png"]
    text = (tmp_path / "validation.md").read_text()
    assert "**3 targets: 2 predicted, 1 of them met; 0 imposed, 1 calibrated, 0 verification; 1 met in all" in text
    assert "## Patterns" in text and "## Changes" in text
    assert "7.5 % [" in text and "| **met** |" in text and "| missed |" in text
    assert "not measurable: the model has no such state" in text
    tidy = pd.read_parquet(tmp_path / "validation.parquet")
    assert len(tidy[tidy.target.notna()]) == 3 + 3 + 1  # every replicate, and one row for the target without any
    assert len(tidy[tidy.target.isna()]) == 6  # every column the study returned, every seed
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
    path.write_text(json.dumps({"targets": {"complaint_share": {"verdict": "met", "criterion": "CI meets [5, 10] %"}}}))
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


def test_quick_check_does_not_compare_a_verdict_judged_by_another_criterion(tmp_path, monkeypatch, capsys):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"targets": {"complaint_share": {"verdict": "met", "criterion": "CI above 0"}}}))
    assert quick(tmp_path, path, monkeypatch, 0.30) == 0
    assert "not compared: complaint_share: the committed report used another criterion" in capsys.readouterr().out


def test_quick_check_takes_an_older_report_at_its_word_unless_the_criterion_changed(tmp_path, monkeypatch):
    path = tmp_path / "older.json"
    path.write_text(json.dumps({"targets": {"complaint_share": {"verdict": "met"}}}))  # no criterion recorded
    assert quick(tmp_path, path, monkeypatch, 0.30) == 1
    eq = target("paradox_wom", criterion=equivalent(1.0))
    assert report.not_compared([judge(eq, np.array([0.0, 0.1]))], {"targets": {"paradox_wom": {"verdict": "met"}}})


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
