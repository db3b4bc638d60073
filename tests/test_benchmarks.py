"""The Mesa-user baseline of ``benchmarks/vs_mesa.py`` still runs on the current rules.

It calls ``sim/core/rules.py`` through one class (``MesaUserRules``); when the rules change
signature this test fails first, before anyone times a broken baseline.
"""

import dataclasses

import pytest
from mesa.discrete_space import CellAgent, Network

from benchmarks.mesa_baseline import ACTIVE, MesaUserModel
from benchmarks.vs_mesa import step
from sim.core.config import ScenarioConfig, ShockConfig, SimConfig, WomConfig


def test_mesa_user_model_runs_the_market_as_a_mesa_user_would_write_it():
    model = MesaUserModel(customers=300, seed=1)
    assert isinstance(model.space, Network) and len(model.agents) == 1200  # the market: customers / share
    assert all(isinstance(a, CellAgent) and a.cell.agents == [a] for a in model.agents)
    assert sum(p.member == ACTIVE for p in model.people) == 300
    totals = model.run(90)
    assert model.purchases > 300  # about one purchase occasion a month each
    assert 0 < totals["customers_lost"] < 300 and totals["customers_acquired"] > 0
    assert 0.0 < totals["mean_loyalty"] <= 1.0 and model.negative_wom > 0 and model.positive_wom > 0


def test_same_seed_same_run_and_uncovered_settings_refused():
    assert MesaUserModel(customers=100, seed=3).run(20) == MesaUserModel(customers=100, seed=3).run(20)
    storm = dataclasses.replace(SimConfig(), scenario=ScenarioConfig(shock=ShockConfig(reach=0.1)))
    with pytest.raises(ValueError, match="without a storm"):
        MesaUserModel(customers=50, cfg=storm)
    with pytest.raises(ValueError, match="told-count"):
        MesaUserModel(customers=50, cfg=SimConfig(wom=WomConfig(process="sir")))


@pytest.mark.parametrize("stepping", ["array", "agents", "mesa_user"])
def test_vs_mesa_times_each_stepping(stepping):
    out = step(100, stepping, days=5, check_day=3)
    assert out["days_run"] == 5 and out["run_s"] >= 0 and out["customers_lost"] >= 0
    assert out["customers_acquired"] >= 0


def test_mesa_user_scalar_formulas_are_the_rules():
    """The baseline's plain-math decisions give the rules' values (to rounding) over a grid of inputs."""
    import itertools

    import numpy as np

    from benchmarks.mesa_baseline import MesaUserRules
    from sim.core import rules

    cfg = SimConfig()
    r, lc, f, w = MesaUserRules(cfg), cfg.loyalty, cfg.failure, cfg.wom
    grid = [0.0, 0.05, 0.3, 0.5, 0.77, 0.95, 1.0]
    for a, b in itertools.product(grid, grid):
        for days in (0, 1, 7, 90, 400):
            assert r.fade(a, b, days) == pytest.approx(float(rules.fade(a, b, days, lc.half_life_days)), abs=1e-12)
        assert r.fade_day(a, b) == pytest.approx(float(rules.fade(a, b, 1, lc.half_life_days)), abs=1e-12)
        assert r.felt_shortfall(a, b) == pytest.approx(float(rules.felt_shortfall(a, b)), abs=1e-12)
        assert r.ratchet(a, b) == pytest.approx(float(rules.ratchet_expectation(a, b, f.expectation_ratchet)))
        assert r.after_failure(a, b) == pytest.approx(float(rules.loyalty_after_failure(a, b, lc.failure_impact)))
        assert r.dissatisfied(True, a) == bool(rules.is_dissatisfied(True, a, f))
        assert not r.dissatisfied(False, a)
    for a in np.linspace(0.0, 1.0, 41).tolist():
        assert r.churn_probability(a) == pytest.approx(float(rules.churn_probability(a, lc)), rel=1e-12)
        effect = w.negative_effect * w.retention_share
        for tie in (0.25, 1.0):
            assert r.hear_negative(a, tie) == pytest.approx(float(rules.hear_negative(a, tie, effect)), rel=1e-12)
            positive = float(rules.hear_positive(a, tie, w.positive_retention))
            assert r.hear_positive(a, tie) == pytest.approx(positive, rel=1e-12)
            assert r.forward_probability(tie) == pytest.approx(float(rules.forward_probability(tie, w.forward_prob)))
