"""Each mechanism of the behavioural core moves what it should, tested on paired seeds.

Runs replicate over fixed seeds; a claimed effect is a one-sided paired t-test at p < 0.001 and
a claimed level is a 3-standard-error interval inside the target's own range, never a margin
tuned until green. The figures against the literature, with CIs, are in docs/validation.md.
"""

import dataclasses

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from joblib import Parallel, delayed
from omegaconf import OmegaConf
from scipy import stats

from analysis.tarp import TARGETS
from sim import WomModel
from sim.core.config import (
    AcquisitionConfig,
    ComplaintConfig,
    FailureConfig,
    LoyaltyConfig,
    NetworkConfig,
    ScenarioConfig,
    WomConfig,
)
from sim.core.policies import load_policy
from sim.core.presets import CONF_DIR, load_preset
from sim.run.job import to_sim_config
from sim.run.schema import register

pytestmark = pytest.mark.slow
SMALL = {"customers": 3000}  # a 12,000-person market


def _run(seed, days, kw):
    return WomModel(create_agents=False, seed=seed, **kw).run(days)


def runs(n_seeds=8, days=365, **kw):
    return Parallel(n_jobs=-1)(delayed(_run)(s, days, kw) for s in range(n_seeds))


def col(summaries, key):
    return np.array([s[key] for s in summaries], dtype=float)


def interval(x):
    return x.mean() - 3 * x.std(ddof=1) / np.sqrt(len(x)), x.mean() + 3 * x.std(ddof=1) / np.sqrt(len(x))


def paired_p(low, high, key, n_seeds=8, **kw):
    """p-value that ``key`` is larger under ``high`` than under ``low`` on the same seeds."""
    a, b = col(runs(n_seeds, **low, **kw), key), col(runs(n_seeds, **high, **kw), key)
    return stats.ttest_rel(b, a, alternative="greater").pvalue


@pytest.fixture(scope="module")
def defaults():
    return runs(8, **SMALL)


# ---------------------------------------------------------------- levels at the defaults
def test_complaint_share_at_defaults_lies_in_five_to_ten_percent(defaults):
    low, high = interval(col(defaults, "complaint_share"))
    assert 0.05 <= low and high <= 0.10, (low, high)


def test_tells_are_about_twelve_with_tarps_tail_on_the_default_market(defaults):
    low, high = interval(col(defaults, "mean_tells_per_unhappy"))
    assert 9.0 <= low and high <= 12.5, (low, high)  # TARP 9-10, the course's 12
    low, high = interval(col(defaults, "share_telling_over_20"))
    assert 0.10 <= low and high <= 0.16, (low, high)  # TARP: about 13 %


def test_positive_word_of_mouth_is_about_three_times_negative(defaults):
    low, high = interval(col(defaults, "positive_to_negative_wom"))
    assert 2.5 <= low and high <= 3.5, (low, high)  # East, Hammond & Wright (2007)


# ---------------------------------------------------------------- word of mouth moves the market
def test_silencing_negative_word_of_mouth_keeps_customers_revenue_and_prospects():
    # 48 seeds: under the proportional churn hazard a message moves a customer's hazard by a few
    # per cent, so bad news drives away about 7 of some 300 customers lost in a 3,000-customer
    # year (a paired t of about 2.9 on 24 seeds, about 4 on 48).
    loud, silent = runs(48, **SMALL), runs(48, wom=WomConfig(negative_enabled=False), **SMALL)
    assert col(silent, "negative_wom_messages").max() == 0
    for key in ("customers_end", "revenue", "customers_acquired"):
        assert stats.ttest_rel(col(silent, key), col(loud, key), alternative="greater").pvalue < 1e-3, key
    assert (
        stats.ttest_rel(col(loud, "customers_lost"), col(silent, "customers_lost"), alternative="greater").pvalue < 1e-3
    )


def test_acquisition_is_on_by_default_and_praise_recruits():
    off = {"wom": WomConfig(positive_daily_rate=1e-9)}  # imitation needs praise
    assert paired_p(off, {}, "customers_acquired", **SMALL) < 1e-3
    closed = runs(4, acquisition=AcquisitionConfig(enabled=False), **SMALL)
    assert col(closed, "customers_acquired").max() == 0 and col(closed, "acquisition_cost").max() == 0


def test_yearly_churn_does_not_depend_on_how_often_customers_buy():
    quiet = {"failure": FailureConfig(rate=0.0), "acquisition": AcquisitionConfig(enabled=False), **SMALL}
    monthly = col(runs(8, loyalty=LoyaltyConfig(purchase_interval_days=30), **quiet), "customers_lost")
    weekly = col(runs(8, loyalty=LoyaltyConfig(purchase_interval_days=7), **quiet), "customers_lost")
    assert stats.ttest_ind(monthly, weekly).pvalue > 1e-3
    # Under the old per-occasion churn, weekly buyers lost almost three times as many. Here both
    # lose about the baseline attrition of the base (6 % of 3,000; praise keeps some above their level).
    baseline = LoyaltyConfig().baseline_attrition * 3000
    assert 0.5 * baseline < np.concatenate([monthly, weekly]).mean() < 1.5 * baseline


def test_a_failures_effect_on_loyalty_fades_with_its_half_life():
    fast, slow = {"loyalty": LoyaltyConfig(half_life_days=30)}, {"loyalty": LoyaltyConfig(half_life_days=180)}
    assert paired_p(slow, fast, "mean_loyalty_end", **SMALL) < 1e-3
    assert paired_p(fast, slow, "customers_lost", **SMALL) < 1e-3


# ---------------------------------------------------------------- complaints, causes, learning
@pytest.mark.parametrize(
    ("low", "high"),
    [
        ({"complaint": ComplaintConfig(base_share=0.05)}, {"complaint": ComplaintConfig(base_share=0.10)}),
        ({"policy": dataclasses.replace(load_policy("full"), complaint_barrier=2.0)}, {"policy": "full"}),
        (
            {"failure": FailureConfig(cause_severity_means=[0.3, 0.25, 0.35])},
            {"failure": FailureConfig(cause_severity_means=[0.6, 0.5, 0.7])},
        ),
        (
            {"failure": FailureConfig(cause_shares=[1.0, 0.0, 0.0])},
            {"failure": FailureConfig(cause_shares=[0.0, 1.0, 0.0])},
        ),
    ],
    ids=["base-share", "lower-barrier", "severity", "cause"],
)
def test_complaint_share_moves_with_its_drivers(low, high):
    assert paired_p(low, high, "complaint_share", **SMALL) < 1e-3


def test_causes_change_how_much_is_told_and_felt():
    system, rude = FailureConfig(cause_shares=[1.0, 0.0, 0.0]), FailureConfig(cause_shares=[0.0, 0.0, 1.0])
    assert paired_p({"failure": system}, {"failure": rude}, "mean_tells_per_unhappy", **SMALL) < 1e-3
    # Blame scales the felt severity: a failure hardly blamed on the firm draws fewer complaints.
    excused = FailureConfig(cause_shares=[1.0, 0.0, 0.0], cause_blame=[0.4, 1.0, 1.0])
    blamed = FailureConfig(cause_shares=[1.0, 0.0, 0.0], cause_blame=[1.0, 1.0, 1.0])
    assert paired_p({"failure": excused}, {"failure": blamed}, "complaint_share", **SMALL) < 1e-3


def failure_rate(summaries):
    return col(summaries, "failures") / col(summaries, "purchases")


def test_complaints_teach_the_firm_and_a_lower_barrier_teaches_faster():
    taught, untaught = runs(16, **SMALL), runs(16, failure=FailureConfig(learning_rate=0.0), **SMALL)
    assert stats.ttest_rel(failure_rate(untaught), failure_rate(taught), alternative="greater").pvalue < 1e-3
    easy = runs(16, policy=dataclasses.replace(load_policy("full"), complaint_barrier=0.33), **SMALL)
    assert stats.ttest_rel(failure_rate(taught), failure_rate(easy), alternative="greater").pvalue < 1e-3


# ---------------------------------------------------------------- network
@pytest.mark.parametrize(
    ("low", "high"),
    [
        ({"wom": WomConfig(negative_mean=8.0)}, {"wom": WomConfig(negative_mean=16.0)}),
        (
            {"network": NetworkConfig(kind="erdos_renyi", mean_degree=6.0)},
            {"network": NetworkConfig(kind="erdos_renyi", mean_degree=30.0)},
        ),
    ],
    ids=["tell-count", "contacts"],
)
def test_tells_move_with_their_drivers(low, high):
    assert paired_p(low, high, "mean_tells_per_unhappy", **SMALL) < 1e-3


def test_each_spread_process_runs_inside_the_model_and_reaches_hearers():
    for process in ("independent_cascade", "sir"):
        s = runs(2, days=120, wom=WomConfig(process=process), **SMALL)
        assert col(s, "negative_wom_messages").min() > 0, process


# ---------------------------------------------------------------- TARP
@pytest.fixture(scope="module")
def tarp_table():
    register()
    table = {}
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        for loss, condition in TARGETS:
            cfg = compose(
                "config",
                overrides=[
                    "+experiment=tarp_cohort",
                    f"tarp_loss={loss}",
                    f"tarp_condition={condition}",
                    "progress=false",
                ],
            )
            OmegaConf.resolve(cfg)
            summary = WomModel.from_config(to_sim_config(cfg), create_agents=False).run(cfg.days)
            table[(loss, condition)] = (summary["buy_again_share"], summary["verdicts"])
    return table


# Fitted: the two no-complaint cells (severities), the small-loss unsatisfied (voice_repair) and
# satisfied (repair_convexity) cells. Held out: the large-loss row. Missed and reported as missed in
# docs/validation.md: small loss, satisfied quickly (89 % against 95 %).
FITTED = [
    ("small", "no_complaint"),
    ("large", "no_complaint"),
    ("small", "complained_unsatisfied"),
    ("small", "complained_satisfied"),
]
HELD_OUT = [("large", "complained_unsatisfied"), ("large", "complained_satisfied"), ("large", "satisfied_quickly")]


@pytest.mark.parametrize("cell", FITTED, ids=lambda c: "-".join(c))
def test_tarp_fitted_cells_hold(tarp_table, cell):
    share, verdicts = tarp_table[cell]
    assert verdicts > 15_000
    assert abs(share - TARGETS[cell]) <= 0.01, (cell, share)  # TARP reports whole percents


@pytest.mark.parametrize("cell", HELD_OUT, ids=lambda c: "-".join(c))
def test_tarp_large_loss_row_is_predicted_within_five_points(tarp_table, cell):
    share, _ = tarp_table[cell]
    assert abs(share - TARGETS[cell]) <= 0.05, (cell, share)


def test_tarp_order_holds_in_both_rows(tarp_table):
    order = ["no_complaint", "complained_unsatisfied", "complained_satisfied", "satisfied_quickly"]
    for loss in ("small", "large"):
        shares = [tarp_table[(loss, c)][0] for c in order]
        assert shares == sorted(shares)


# ---------------------------------------------------------------- policies and the storm
def test_full_recovery_keeps_more_customers_than_doing_nothing():
    # The default base: answering the 7 % who complain keeps about 50 customers in 10,000 a year
    # (docs/experiments.md), a paired t of about 5 on 20 seeds; on 3,000 it would be about 3.
    none, full = runs(20, policy="none", customers=10_000), runs(20, policy="full", customers=10_000)
    kept = stats.ttest_rel(col(none, "customers_lost"), col(full, "customers_lost"), alternative="greater")
    assert kept.pvalue < 1e-3
    assert col(none, "terrorists").min() > 0 and col(full, "terrorists").max() == 0


def storm(delay):
    preset = load_preset("scenario", "jetblue_storm", ScenarioConfig)
    shock = dataclasses.replace(preset.shock, extra_recovery_delay_days=delay)
    # jetBlue reached out to the stranded: a firm that finds failures itself answers most victims.
    return {"scenario": ScenarioConfig(name="jetblue_storm", shock=shock), "policy": "proactive", **SMALL}


def test_late_storm_recovery_loses_more_customers_than_prompt_recovery():
    assert paired_p(storm(0), storm(7), "customers_lost", n_seeds=16) < 1e-3
