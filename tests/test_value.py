"""Customer value beyond the horizon (sim/core/value.py): closed forms, limits, ordering, docking."""

import dataclasses

import numpy as np
import pytest

from sim.core import value
from sim.core.config import SimConfig
from sim.core.model import WomModel

CFG = SimConfig()
FAILING = value.Regime(purchase_ratio=0.97, extra_hazard=1.5e-4)


def with_half_life(days: float) -> SimConfig:
    return dataclasses.replace(CFG, loyalty=dataclasses.replace(CFG.loyalty, half_life_days=days))


def test_a_customer_at_their_level_gets_the_closed_form():
    level = np.array([0.3, 0.8, 0.97, 0.99])
    assert np.allclose(value.customer_values(level, level, CFG), value.level_value(level, CFG), rtol=1e-12)


def test_the_closed_form_is_the_annuity_of_purchases_under_churn_and_discounting():
    level, e, lc = 0.9, CFG.economics, CFG.loyalty
    days = np.arange(1, 400 * 365)
    survive = (1.0 - float(value.rules.churn_probability(level, lc))) ** days
    disc = (1.0 + e.annual_discount_rate) ** (-days / 365.0)
    by_hand = e.gross_margin * e.ticket * level / lc.purchase_interval_days * float(np.sum(survive * disc))
    assert float(value.level_value(level, CFG)) == pytest.approx(by_hand, rel=1e-9)


def test_with_an_instant_fade_a_customer_is_worth_their_level():
    cfg = with_half_life(1e-6)
    loyalty, level = np.array([0.05, 0.5, 0.95]), np.array([0.97, 0.9, 0.6])
    assert np.allclose(value.customer_values(loyalty, level, cfg), value.level_value(level, cfg), rtol=1e-9)


def test_a_dipped_customer_lies_between_the_closed_forms_of_today_and_the_level():
    level = np.full(4, 0.97)
    loyalty = np.array([0.0, 0.1, 0.5, 0.92])
    v = value.customer_values(loyalty, level, CFG, value.NO_FAILURES)
    assert np.all(value.level_value(loyalty, CFG) < v)
    assert np.all(v < value.level_value(level, CFG))
    # Failures to come add hazard and cut purchases: below the no-failure value, above nothing.
    failing = value.customer_values(loyalty, level, CFG, FAILING)
    assert np.all((0 < failing) & (failing < v))


@pytest.mark.parametrize("regime", [value.NO_FAILURES, FAILING])
def test_value_grows_with_loyalty_and_with_the_level(regime):
    grid = np.linspace(0.0, 0.99, 60)
    assert np.all(np.diff(value.customer_values(grid, np.full(60, 0.97), CFG, regime)) > 0)
    assert np.all(np.diff(value.customer_values(np.full(60, 0.5), np.linspace(0.5, 0.99, 60), CFG, regime)) > 0)


def test_failures_to_come_lower_the_value():
    loyalty, level = np.array([0.2, 0.97]), np.array([0.97, 0.97])
    assert np.all(value.customer_values(loyalty, level, CFG, FAILING) < value.customer_values(loyalty, level, CFG))


def test_grid_and_tail_agree_with_a_long_daily_grid():
    rng = np.random.default_rng(1)
    level = rng.uniform(0.5, 0.99, 500)
    loyalty = level * rng.uniform(0.0, 1.0, 500)
    for regime in (value.NO_FAILURES, FAILING):
        fine = value.customer_values(loyalty, level, CFG, regime, half_lives=40, block_days=1)
        assert np.allclose(value.customer_values(loyalty, level, CFG, regime), fine, rtol=2e-4)
        long = value.customer_values(loyalty, level, CFG, regime, horizon_days=300 * 365)
        assert np.allclose(long, fine, rtol=2e-4)


def test_chunks_do_not_change_the_values(monkeypatch):
    rng = np.random.default_rng(2)
    level = rng.uniform(0.5, 0.99, 300)
    loyalty = level * rng.uniform(0.0, 1.0, 300)
    whole = value.customer_values(loyalty, level, CFG, FAILING)
    monkeypatch.setattr(value, "CHUNK_ELEMENTS", 1000)
    assert np.array_equal(value.customer_values(loyalty, level, CFG, FAILING), whole)


def test_summary_reports_both_equities_and_adds_the_headline_to_the_npv():
    model = WomModel(customers=300, seed=3)
    out = model.run(60)
    assert out["npv_with_equity"] == pytest.approx(out["npv"] + out["customer_equity"])
    assert 0 < out["customer_equity"] < out["customer_equity_no_future_failures"]


def test_without_failures_the_regime_is_neutral():
    cfg = dataclasses.replace(CFG, failure=dataclasses.replace(CFG.failure, rate=0.0), customers=300)
    model = WomModel(cfg)
    regime = value.Regime.measure(model)  # day 0: everyone at their level
    assert regime.purchase_ratio == pytest.approx(1.0)
    assert regime.extra_hazard == pytest.approx(0.0, abs=1e-15)


@pytest.mark.slow
@pytest.mark.parametrize("future_failures", [False, True])
def test_equity_docks_with_the_margin_its_customers_bring(future_failures):
    from sim.validate.equity_docking import dock_equity

    # Six seeds of 3,000 customers, both sides truncated at 10 years (the full 25-year check at
    # 5,000 customers is in docs/validation.md): the failures' own randomness spreads the realised
    # margin by about 1 % a seed.
    out = dock_equity(range(6), customers=3_000, years=1.0, future_failures=future_failures, horizon_years=10)
    lo, hi = out["ci"]
    for row in out["rows"]:
        print(future_failures, row["seed"], round(row["equity"]), round(row["realised"]), row["relative_difference"])
    print(future_failures, "mean", out["relative_difference"], "CI", out["ci"])
    assert -0.02 < lo <= hi < 0.02, out["ci"]


def test_a_steady_rate_builds_the_dent_as_the_fade_closes_it():
    ramp = FAILING.ramp(400, 90.0)
    assert np.allclose(ramp, 1.0 - 0.5 ** (np.arange(1, 401) / 90.0))
    halved = dataclasses.replace(FAILING, outlook=np.full(10, 0.5)).ramp(4000, 90.0)
    assert halved[-1] == pytest.approx(0.5)


def test_learning_lowers_the_failure_outlook_towards_its_floor():
    model = WomModel(customers=2000, seed=4)
    model.run(120)
    outlook = value.Regime.measure(model).outlook
    assert outlook[0] == pytest.approx(1.0)
    assert np.all(np.diff(outlook) <= 0)
    floor = model.cfg.failure.learning_floor
    now = float(np.dot(model.defect_rates(), model.cfg.failure.cause_shares)) / model.cfg.failure.rate
    assert floor / now - 1e-12 <= outlook[-1] < 1.0
