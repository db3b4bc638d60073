"""The scale path stays honest: lazy agents, compact state, bounded memory, one-pass daily stocks."""

import io
import sys

import numpy as np
import pytest

import sim.core.model as model_module
from sim import WomModel
from sim.core.config import NetworkConfig, ScenarioConfig, ShockConfig
from sim.core.metrics import UNHAPPY_MOODS, stocks
from sim.core.network import LARGE_GRAPH
from sim.core.states import Membership, Mood

STORM = ScenarioConfig(name="storm", shock=ShockConfig(day=5, days=3, reach=0.3))


def test_agents_are_made_on_demand_above_the_limit(monkeypatch):
    monkeypatch.setattr(model_module, "AGENTS_AUTO_LIMIT", 100)
    m = WomModel(customers=500, seed=1)
    assert len(m.agents) == 0
    m.run(20)
    assert len(m.agents) == 0  # array stepping never needs them
    a = m.customer(42)
    assert m.customer(42) is a and len(m.agents) == 1
    assert a.loyalty == m.pop.loyalty[42] and a.membership == Membership(m.pop.member[42])
    assert set(a.friends.tolist()) == set(m.graph.neighbours(42).tolist())


def test_lazy_and_eager_agents_give_identical_runs():
    eager = WomModel(customers=600, scenario=STORM, create_agents=True, seed=4)
    lazy = WomModel(customers=600, scenario=STORM, create_agents=False, seed=4)
    assert len(eager.agents) == eager.pop.n == 2400 and len(lazy.agents) == 0  # everyone in the market
    assert eager.run(40) == lazy.run(40)
    assert eager.timeseries().equals(lazy.timeseries())


def test_per_agent_stepping_refuses_lazy_agents():
    with pytest.raises(ValueError, match="create_agents"):
        WomModel(customers=50, stepping="agents", create_agents=False, seed=0)


def test_state_is_compact():
    m = WomModel(customers=1000, create_agents=False, seed=0)
    arrays = [v for v in vars(m.pop).values() if isinstance(v, np.ndarray)]
    assert all(len(a) == m.pop.n for a in arrays)
    # bytes per person; the graph's 30 ties a person take another 120
    assert sum(a.nbytes for a in arrays) / m.pop.n <= 96
    assert m.graph.indices.dtype == np.int32 and m.degree.dtype == np.int32


def test_daily_stocks_match_a_direct_count_every_day():
    m = WomModel(customers=800, scenario=STORM, seed=2, create_agents=False)
    for _ in range(25):
        m.step()
        row = {k: v[-1] for k, v in m.datacollector.model_vars.items()}
        pop = m.pop
        active = pop.member == Membership.ACTIVE
        assert row["customers"] == active.sum()
        assert row["prospects"] == (pop.member == Membership.PROSPECT).sum()
        assert row["churned"] == (pop.member == Membership.CHURNED).sum()
        assert row["unhappy"] == (np.isin(pop.mood, UNHAPPY_MOODS) & active).sum()  # current customers
        assert row["swayed"] == ((pop.mood == Mood.SWAYED) & active).sum()
        assert row["terrorists"] == pop.terrorist.sum()
        # Loyalty is faded when read: today's value is the stored one moved towards the level.
        days = np.where(pop.waiting, 0, m.day - pop.loyalty_day)[active]
        keep = 0.5 ** (days / m.cfg.loyalty.half_life_days)
        today = pop.loyalty_level[active] + (pop.loyalty[active] - pop.loyalty_level[active]) * keep
        assert row["mean_loyalty"] == pytest.approx(today.mean(), rel=1e-9)
        assert row["mean_satisfaction"] == pytest.approx(pop.satisfaction[active].mean(), rel=1e-6)
    assert m.timeseries().unhappy.max() > 0  # the storm made the counts move
    assert stocks(m)["customers"] == m.timeseries().customers.iloc[-1]


def test_nothing_kept_for_past_days():
    """Per-day state must not grow with the run: the calendars hold only future days."""
    m = WomModel(customers=1000, scenario=STORM, seed=3, create_agents=False)
    m.run(60)
    assert all(day >= m.day for day in m.recovery_calendar)
    assert all(day > m.day for day in m.churn_calendar.near) and all(day > m.day for day in m.hearing_calendar)
    assert m.telling_histogram.shape == (model_module.MAX_TOLD + 1,)


@pytest.mark.parametrize("kind", ["stochastic_block", "barabasi_albert"])
def test_large_networks_are_reproducible_from_the_seed(kind):
    net = NetworkConfig(kind=kind)
    a = WomModel(customers=LARGE_GRAPH // 4, network=net, create_agents=False, seed=9)  # LARGE_GRAPH people
    b = WomModel(customers=LARGE_GRAPH // 4, network=net, create_agents=False, seed=9)
    assert a.pop.n == LARGE_GRAPH and np.array_equal(a.graph.indices, b.graph.indices)
    assert 27 < a.degree.mean() < 31
    assert a.run(3) == b.run(3)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    m = WomModel(customers=100, create_agents=False, seed=0)
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    m.run(3, progress=True)
    assert quiet.getvalue() == ""  # not a terminal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    monkeypatch.setattr(sys, "stderr", shown)
    m.run(3, progress=True)
    assert "0/3" in shown.getvalue() and "day" in shown.getvalue()  # a tqdm bar counting days
    silent = Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    m.run(3, progress=False)
    assert silent.getvalue() == ""


def test_talkers_are_always_among_the_watched():
    """talk() reads may_tell instead of scanning: it must cover every positive count."""
    m = WomModel(customers=1000, scenario=STORM, seed=5, create_agents=False)
    for _ in range(40):
        m.step()
        listed = np.concatenate(m.may_tell) if m.may_tell else np.empty(0, dtype=np.int64)
        assert set(np.flatnonzero(m.pop.tell_left > 0).tolist()) <= set(listed.tolist())
    assert m.totals.firsthand_wom > 0 and m.totals.positive_wom > 0
