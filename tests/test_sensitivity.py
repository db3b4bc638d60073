"""The global sensitivity study: its factor table, its outputs, and a tiny Sobol run end to end."""

import json

import numpy as np
import pandas as pd
import pytest

from experiments import sensitivity as sa
from sim.core.config import ConfigError

pytest.importorskip("SALib")


def test_factor_table_is_valid_against_the_config():
    fs = sa.factors()
    assert len(fs) >= 14
    names = [f.name for f in fs]
    for required in ("market.share", "loyalty.half_life_days", "loyalty.initial_mean", "wom.retention_share",
                     "loyalty.purchase_interval_days", "recovery.terrorist_prob", "wom.terrorist_tell_multiplier",
                     "wom.terrorist_daily_tell_prob", "recovery.repair_convexity", "recovery.w_outcome"):
        assert required in names
    for f in fs:
        assert f.low < f.high and f.low <= f.default <= f.high


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"wom.no_such_thing": (0.1, 0.2, "")}, "sensitivity factor wom.no_such_thing: not a setting"),
        ({"market.share": (0.0, 0.5, "")}, "outside the allowed"),
        ({"failure.rate": (0.05, 0.08, "")}, "does not contain the default"),
        ({"failure.rate": (0.08, 0.02, "")}, "must be below"),
        ({"wom.process": (0.0, 1.0, "")}, "not a numeric setting"),
    ],
)
def test_a_bad_factor_fails_with_one_line_naming_it(row, message):
    with pytest.raises(ConfigError, match=message) as err:
        sa.factors(row)
    assert "\n" not in str(err.value)


def test_unknown_factor_stops_the_command_with_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sa.FACTORS, "loyalty.churn_hazard_shape", (1.0, 2.0, ""))
    assert sa.main(["--list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: sensitivity factor loyalty.churn_hazard_shape: not a setting of sim/core/config.py"


def test_list_prints_every_factor_and_its_range(capsys):
    assert sa.main(["--list"]) == 0
    out = capsys.readouterr().out
    for f in sa.factors():
        assert f.name in out
    assert "0.1" in out.splitlines()[1] and "0.5" in out.splitlines()[1]  # market.share 0.1-0.5


def test_justice_weights_sum_to_one_at_every_point():
    fs = sa.factors()
    points = sa.sample("sobol", 8, fs)
    for point in points:
        v = sa.point_values(point, fs)
        total = v["recovery.w_outcome"] + v["recovery.w_interactional"] + v["recovery.w_procedural"]
        assert total == pytest.approx(1.0, abs=1e-12)
        assert min(v["recovery.w_interactional"], v["recovery.w_procedural"]) > 0
        assert isinstance(v["network.community_size"], int)
    at_defaults = sa.derived_values({"recovery.w_outcome": 0.5, "recovery.interactional_share": 0.6})
    assert at_defaults["recovery.w_interactional"] == pytest.approx(0.3)
    assert at_defaults["recovery.w_procedural"] == pytest.approx(0.2)


def constructed_runs():
    """Two sample points x two seeds x four arms with round numbers."""
    rows = []
    for sample in (0, 1):
        for seed in (0, 1):
            k = 1 + sample + seed  # varies the numbers between points and seeds
            arms = {
                "as_is": (800.0 * k, 8000.0 * k, 1000),
                "no_negative_wom": (1000.0 * k, 10000.0 * k, 1100),
                "no_failures": (1200.0 * k, 12000.0 * k, 1200),
                "policy_none": (900.0 * k, 7000.0 * k, 1000 - 10 * k),
            }
            for arm, (npv, eq, end) in arms.items():
                rows.append({"sample": sample, "seed": seed, "arm": arm, "npv": npv, "npv_with_equity": eq,
                             "customers_end": end})
    return pd.DataFrame(rows)


def test_outputs_from_a_constructed_summary_table():
    per_seed = sa.outputs_per_seed(constructed_runs())
    assert list(per_seed.columns) == list(sa.OUTPUTS)
    row = per_seed.loc[(0, 0)]  # k = 1
    assert row.bad_news_share_npv == pytest.approx((1000 - 800) / 1000)
    assert row.bad_news_share_npv_equity == pytest.approx((10000 - 8000) / 10000)
    assert row.wom_share_of_failure_loss == pytest.approx((10000 - 8000) / (12000 - 8000))
    assert row.customers_kept_by_policy == 10
    assert row.npv_gain_of_policy == pytest.approx(800 - 900)
    per_point = sa.outputs_per_point(per_seed)
    assert per_point.loc[1, "customers_kept_by_policy"] == pytest.approx((20 + 30) / 2)  # k = 2, 3
    assert per_point.loc[1, "npv_gain_of_policy"] == pytest.approx((-200 + -300) / 2)
    noise = sa.noise_share(per_seed).set_index("output")
    # customers kept: 10, 20 at point 0 and 20, 30 at point 1: within variance 50, means 15 and 25
    assert noise.loc["customers_kept_by_policy", "within_sd"] == pytest.approx(np.sqrt(50))
    assert noise.loc["customers_kept_by_policy", "share"] == pytest.approx((50 / 2) / np.var([15, 25], ddof=1))
    assert noise.loc["bad_news_share_npv", "within_sd"] == 0  # the shares do not depend on k


def test_a_missing_arm_is_an_error():
    runs = constructed_runs()
    with pytest.raises(ValueError, match="policy_none"):
        sa.outputs_per_seed(runs[runs.arm != "policy_none"])


TINY_FACTORS = {
    "market.share": (0.1, 0.5, "tiny"),
    "recovery.w_outcome": (0.35, 0.65, "tiny"),
    "recovery.interactional_share": (0.45, 0.75, "tiny"),
}


def test_tiny_sobol_run_writes_the_report_and_figure_and_resumes(tmp_path):
    out, doc = tmp_path / "runs", tmp_path / "docs" / "sensitivity.md"
    args = dict(n=4, overrides=["customers=200", "days=30"], out_dir=out, seeds=1, n_jobs=1, progress=False,
                table=TINY_FACTORS, report_path=doc, command="python -m experiments.sensitivity --n 4")
    written = sa.study("sobol", **args)
    fs = sa.factors(TINY_FACTORS)
    points = sa.sample("sobol", 4, fs)
    assert len(points) == 4 * (3 + 2)
    summaries = sorted(out.glob("sample=*/seed=*/arm=*/summary.json"))
    assert len(summaries) == len(points) * 1 * 4
    # Each run holds its point's values, except what its arm pins (no failures, no negative word of mouth).
    import yaml

    def config(arm):
        return yaml.safe_load((out / "sample=3" / "seed=0" / f"arm={arm}" / ".hydra" / "config.yaml").read_text())

    cfg = config("no_failures")
    v = sa.point_values(points[3], fs)
    assert cfg["seed"] == 0
    assert cfg["market"]["share"] == pytest.approx(v["market.share"]) and cfg["failure"]["rate"] == 0
    assert cfg["recovery"]["w_procedural"] == pytest.approx(v["recovery.w_procedural"])
    silent = config("no_negative_wom")
    assert silent["wom"]["negative_enabled"] is False and silent["failure"]["rate"] == pytest.approx(0.04)
    none = json.loads((out / "sample=0" / "seed=0" / "arm=policy_none" / "summary.json").read_text())
    assert none["recovery_cost"] == 0
    indices = pd.read_csv(written["indices.csv"])
    assert len(indices) == len(sa.OUTPUTS) * 3 and indices.ST.notna().all()
    text = doc.read_text()
    assert "| `market.share` |" in text and "python -m experiments.sensitivity --n 4" in text
    for output in sa.OUTPUTS:
        assert f"### {output}" in text
    assert "n/a (one seed)" in text  # seed noise needs two seeds or more
    figure = tmp_path / "docs" / "figures" / "sensitivity_sobol.png"
    assert written["figure"] == figure and figure.stat().st_size > 0 and "figures/sensitivity_sobol.png" in text
    stamps = [p.stat().st_mtime_ns for p in summaries]
    sa.study("sobol", **args)  # a rerun reuses every finished run
    assert [p.stat().st_mtime_ns for p in summaries] == stamps


@pytest.mark.slow
def test_morris_still_runs(tmp_path):
    written = sa.study("morris", 2, ["customers=150", "days=20"], tmp_path / "m", seeds=1, progress=False,
                       table=TINY_FACTORS)
    indices = pd.read_csv(written["indices.csv"])
    assert indices.mu_star.notna().all() and len(indices) == len(sa.OUTPUTS) * 3
