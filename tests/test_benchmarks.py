"""The Mesa-user baseline of ``benchmarks/vs_mesa.py`` still runs on the current rules.

It calls ``sim/core/rules.py`` through one class (``MesaUserRules``); when the rules change
signature this test fails first, before anyone times a broken baseline.
"""

import dataclasses

import pytest
from mesa.discrete_space import CellAgent, Network

from benchmarks.mesa_baseline import MesaUserModel
from benchmarks.vs_mesa import step
from sim.core.config import ScenarioConfig, ShockConfig, SimConfig


def test_mesa_user_model_runs_as_a_mesa_user_would_write_it():
    model = MesaUserModel(customers=400, seed=1)
    assert isinstance(model.space, Network) and len(model.agents) == 400
    assert all(isinstance(a, CellAgent) and a.cell.agents == [a] for a in model.agents)
    totals = model.run(60)
    assert model.purchases > 400  # about one purchase a month each
    assert 0 < totals["customers_lost"] < 400 and 0.0 < totals["mean_loyalty"] <= 1.0
    assert model.negative_wom > 0


def test_same_seed_same_run_and_storms_refused():
    assert MesaUserModel(customers=200, seed=3).run(20) == MesaUserModel(customers=200, seed=3).run(20)
    storm = dataclasses.replace(SimConfig(), scenario=ScenarioConfig(shock=ShockConfig(reach=0.1)))
    with pytest.raises(ValueError, match="no acquisition, no storm"):
        MesaUserModel(customers=50, cfg=storm)


@pytest.mark.parametrize("stepping", ["array", "agents", "mesa_user"])
def test_vs_mesa_times_each_stepping(stepping):
    out = step(300, stepping, days=5)
    assert out["days_run"] == 5 and out["run_s"] >= 0 and out["customers_lost"] >= 0
