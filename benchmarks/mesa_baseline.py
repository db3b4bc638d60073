"""The baseline a Mesa user would write: one agent per customer, each with its own ``step``.

This is benchmark code, not the model. It answers "how fast would the same model be, written
the usual Mesa way?", which the project's own per-agent stepping (``stepping="agents"`` in
``sim/core/agents.py``) does not: that stepping keeps state in the model's numpy arrays and
shares the array phases' bookkeeping, so it is a reference for agreement tests rather than
what a Mesa user writes.

Written the way Mesa's own examples are (``mesa/examples/basic/virus_on_network``): each
``Customer`` is a ``mesa.discrete_space.CellAgent`` holding its state as Python attributes and
living on a cell of a ``mesa.discrete_space.Network`` built from the friendship graph; the day
is ``model.agents.shuffle_do("step")``, and each agent finds its friends through its cell's
neighbourhood. The decisions call the very rules of ``sim/core/rules.py`` (through the policy
code of ``sim/core/policies.py`` for recoveries), every call gathered in ``MesaUserRules`` so
that a change of the rules' signatures is re-pointed in one place. Written as a careful user
would: the wait to the next purchase is drawn at each purchase (as the model does), so a
quiet day costs an agent one comparison, and scalar draws use the standard library's
``random`` (Mesa's ``self.random``), which is several times cheaper per draw than numpy's.

Covered: purchases with loyalty-driven defection, failures with internal catches and rework,
disconfirmation with the zone of tolerance, complaints, recoveries after the policy's delay,
word of mouth to distinct friends (at most ``tells_per_day`` a day), praise, forwarding,
terrorists, online posts, and the books. Not covered (a benchmark of the default config does
not use them): acquisition and storms; asking for them raises ``ValueError``.

    from benchmarks.mesa_baseline import MesaUserModel
    model = MesaUserModel(customers=1_000, seed=0)
    model.run(30)
"""

from __future__ import annotations

import statistics

import mesa
import numpy as np
from mesa.discrete_space import CellAgent, Network

from sim.core import rules
from sim.core.config import SimConfig
from sim.core.network import build
from sim.core.policies import handle


class MesaUserRules:
    """Every call from the baseline into ``sim/core/rules.py`` and ``sim/core/policies.py``.

    The rules are being reworked; when their signatures change, only this class changes.
    Each method takes and returns plain Python numbers, as agent code does.
    """

    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg

    def defects(self, loyalty: float) -> float:
        return float(rules.defection_probability(loyalty))

    def purchase_interval(self, loyalty: float) -> float:
        lc = self.cfg.loyalty
        return float(rules.purchase_interval(loyalty, lc.purchase_interval_days, lc.frequency_elasticity))

    def rework_cost(self, stage: int) -> float:
        f = self.cfg.failure
        return float(rules.rework_cost(stage, f.rework_cost, f.stage_cost_multiplier))

    def felt_shortfall(self, expectation: float, performance: float) -> float:
        return float(rules.felt_shortfall(expectation, performance))

    def ratchet(self, expectation: float, performance: float) -> float:
        return float(rules.ratchet_expectation(expectation, performance, self.cfg.failure.expectation_ratchet))

    def learn(self, loyalty: float) -> float:
        lc = self.cfg.loyalty
        return float(rules.learn_from_good_encounter(loyalty, lc.ceiling, lc.learning_rate))

    def after_failure(self, loyalty: float, felt: float) -> float:
        return float(rules.loyalty_after_failure(loyalty, felt, self.cfg.loyalty.failure_impact))

    def complaint_probability(self, felt: float, propensity: float) -> float:
        c = self.cfg.complaint
        return float(
            rules.complaint_probability(
                felt, propensity, c.base_share, c.severity_ref, c.severity_elasticity, self.cfg.policy.complaint_barrier
            )
        )

    def recovery(self, severity: float, delay: int) -> tuple[float, float, float]:
        """(satisfaction, repair share, cost) of the policy for one case."""
        cfg = self.cfg
        out = handle(
            cfg.policy,
            np.array([severity]),
            np.array([severity * cfg.economics.ticket]),
            np.array([delay]),
            cfg.recovery,
            cfg.economics,
            cfg.failure,
        )
        return float(out.satisfaction[0]), float(out.repair[0]), float(out.cost[0])

    def after_recovery(self, failed: float, before: float, repair: float, satisfaction: float, first: bool) -> float:
        r = self.cfg.recovery
        return float(
            rules.loyalty_after_recovery(
                failed,
                before,
                repair,
                satisfaction,
                first,
                self.cfg.loyalty.ceiling,
                r.paradox_threshold,
                r.paradox_bonus,
                r.bad_threshold,
                r.double_deviation_penalty,
            )
        )

    def terrorist_probability(self, satisfaction: float) -> float:
        r = self.cfg.recovery
        return float(rules.terrorist_probability(satisfaction, r.bad_threshold, r.terrorist_prob))

    def hear_negative(self, loyalty: float) -> float:
        return float(rules.hear_negative(loyalty, 1, self.cfg.wom.negative_impact))

    def hear_positive(self, loyalty: float) -> float:
        return float(rules.hear_positive(loyalty, 1, self.cfg.loyalty.ceiling, self.cfg.wom.positive_impact))

    def tells(self, rng: np.random.Generator, mean: float, dispersion: float) -> int:
        n, p = rules.negative_binomial_params(mean, dispersion)
        return int(rng.negative_binomial(n, p))


class Customer(CellAgent):
    """One customer on a cell of the friendship network; all of its state is its own."""

    def __init__(self, model: MesaUserModel, cell: object, loyalty: float, propensity: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.loyalty = loyalty
        self.loyalty_before = loyalty
        self.propensity = propensity
        self.expectation = model.cfg.failure.quality
        self.active = True
        self.next_purchase = model.day + self.wait(model.rng)
        self.failures = 0
        self.severity = 0.0
        self.waiting = False
        self.complaint_day = 0
        self.terrorist = False
        self.audience: list[Customer] = []  # friends still to be told the current story, in order
        self.tell_left = 0
        self.praise_left = 0

    def friends(self) -> list[Customer]:
        return list(self.cell.neighborhood.agents)

    def wait(self, rng: np.random.Generator) -> int:
        """Days to the next purchase occasion (geometric, as in the model)."""
        return int(rng.geometric(1.0 / max(self.model.rules.purchase_interval(self.loyalty), 1.0)))

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        m = self.model
        if self.active and self.next_purchase == m.day:
            self.visit()
        if self.waiting and m.recovery_due.get(self) == m.day:
            self.recover()
        if self.tell_left or self.praise_left or self.terrorist:
            self.talk()

    def visit(self) -> None:
        m, rules_, f = self.model, self.model.rules, self.model.cfg.failure
        if self.random.random() < rules_.defects(self.loyalty):
            self.active = False
            m.lost += 1
            return
        self.next_purchase = m.day + self.wait(m.rng)
        m.purchases += 1
        m.revenue += m.cfg.economics.ticket
        severity = 0.0
        failed = False
        if self.random.random() < f.rate:
            stage = int(m.rng.geometric(f.internal_catch_prob)) - 1 if f.internal_catch_prob > 0 else f.internal_stages
            if stage < f.internal_stages:
                m.rework_cost += rules_.rework_cost(stage)
            else:
                failed = True
                cause = self.random.choices(range(3), weights=f.cause_shares)[0]
                severity = m.draw_severity(cause)
        performance = f.quality + f.quality_noise * self.random.gauss() - severity
        felt = rules_.felt_shortfall(self.expectation, performance)
        surprise = performance - self.expectation
        self.expectation = rules_.ratchet(self.expectation, performance)
        if not failed:
            self.loyalty = rules_.learn(self.loyalty)
            if surprise > f.delight_margin and self.random.random() < m.cfg.wom.delight_tell_prob:
                self.praise_left += rules_.tells(m.rng, m.cfg.wom.positive_mean, m.cfg.wom.positive_dispersion)
        elif felt > f.tolerance:
            self.suffer(felt)

    def suffer(self, felt: float) -> None:
        m, rules_, w = self.model, self.model.rules, self.model.cfg.wom
        m.failures += 1
        self.loyalty_before = self.loyalty
        self.loyalty = rules_.after_failure(self.loyalty, felt)
        self.severity = felt
        self.failures += 1
        self.start_story(rules_.tells(m.rng, w.negative_mean, w.negative_dispersion))
        if self.random.random() < w.online_post_prob:
            m.online_reach += w.online_reach
        if self.waiting:
            return
        if self.random.random() < rules_.complaint_probability(felt, self.propensity):
            m.complaints += 1
        elif self.random.random() >= m.cfg.policy.proactive_share:
            return
        self.waiting = True
        self.complaint_day = m.day
        m.recovery_due[self] = m.day + m.cfg.policy.delay_days
        self.next_purchase = max(self.next_purchase, m.recovery_due[self] + 1)

    def recover(self) -> None:
        m, rules_, r, w = self.model, self.model.rules, self.model.cfg.recovery, self.model.cfg.wom
        del m.recovery_due[self]
        sat, repair, cost = rules_.recovery(self.severity, m.day - self.complaint_day)
        self.loyalty = rules_.after_recovery(self.loyalty, self.loyalty_before, repair, sat, self.failures == 1)
        self.waiting = False
        m.recoveries += 1
        m.recovery_cost += cost
        if sat >= r.satisfied_threshold:
            self.tell_left, self.audience = 0, []  # a good recovery stops the story
            self.praise_left += rules_.tells(m.rng, w.positive_mean, w.positive_dispersion)
        if self.random.random() < rules_.terrorist_probability(sat) and not self.terrorist:
            self.terrorist = True
            louder = w.negative_mean * max(w.terrorist_tell_multiplier - 1.0, 0.0)
            self.start_story(self.tell_left + rules_.tells(m.rng, louder, w.negative_dispersion))
            if self.random.random() < w.terrorist_post_prob:
                m.online_reach += w.online_reach

    def start_story(self, tells: int) -> None:
        """A new story: the friends to tell, in a random order, each told once."""
        friends = self.friends()
        self.random.shuffle(friends)
        self.audience, self.tell_left = friends, tells

    def talk(self) -> None:
        w = self.model.cfg.wom
        if self.tell_left:
            k = min(self.tell_left, w.tells_per_day, len(self.audience))
            told, self.audience = self.audience[:k], self.audience[k:]
            self.tell_left = 0 if not self.audience else self.tell_left - k
            for friend in told:
                friend.hear_negative(from_friend=True)
        if self.terrorist and self.random.random() < w.terrorist_daily_tell_prob:
            friends = self.friends()
            if friends:
                self.random.choice(friends).hear_negative(from_friend=False)
        if self.praise_left:
            friends = self.friends()
            k = min(self.praise_left, w.tells_per_day)
            self.praise_left -= k
            for _ in range(k if friends else 0):
                self.random.choice(friends).hear_positive()
            if not friends:
                self.praise_left = 0

    def hear_negative(self, from_friend: bool) -> None:
        m, w = self.model, self.model.cfg.wom
        m.negative_wom += 1
        if self.active:
            self.loyalty = m.rules.hear_negative(self.loyalty)
        if from_friend and not self.tell_left and self.random.random() < w.forward_prob:
            self.start_story(m.rules.tells(m.rng, w.forward_mean, w.negative_dispersion))

    def hear_positive(self) -> None:
        self.model.positive_wom += 1
        if self.active:
            self.loyalty = self.model.rules.hear_positive(self.loyalty)


class MesaUserModel(mesa.Model):
    """The default-config model written the usual Mesa way (see the module docstring)."""

    def __init__(self, customers: int = 10_000, cfg: SimConfig | None = None, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.cfg = cfg or SimConfig()
        if self.cfg.acquisition.prospect_share > 0 or self.cfg.scenario.shock.reach > 0:
            raise ValueError("the Mesa-user baseline covers the default config: no acquisition, no storm")
        self.rules = MesaUserRules(self.cfg)
        self.day = 0
        self.purchases = self.lost = self.failures = self.complaints = self.recoveries = 0
        self.negative_wom = self.positive_wom = 0
        self.revenue = self.recovery_cost = self.rework_cost = 0.0
        self.online_reach = 0.0
        self.recovery_due: dict[Customer, int] = {}  # who waits for a recovery, and the day it lands
        graph = build(self.cfg.network, customers, self.rng).to_networkx()
        self.space = Network(graph, capacity=1, random=self.random, layout=None)  # no spring layout: no drawing
        lc, sigma = self.cfg.loyalty, self.cfg.complaint.propensity_sigma
        a, b = lc.initial_mean * lc.initial_concentration, (1 - lc.initial_mean) * lc.initial_concentration
        for node in graph.nodes:
            loyalty = min(self.random.betavariate(a, b), lc.ceiling)
            Customer(self, self.space[node], loyalty, self.random.lognormvariate(-0.5 * sigma**2, sigma))
        self.customers = list(self.agents)
        means, conc = self.cfg.failure.cause_severity_means, self.cfg.failure.severity_concentration
        self._severity_beta = [(mean * conc, (1 - mean) * conc) for mean in means]

    def draw_severity(self, cause: int) -> float:
        if self.cfg.failure.severity_concentration <= 0:
            return self.cfg.failure.cause_severity_means[cause]
        return self.random.betavariate(*self._severity_beta[cause])

    def step(self) -> None:
        self.day += 1
        self.agents.shuffle_do("step")
        if self.online_reach > 0.5:
            for _ in range(int(self.rng.poisson(self.online_reach))):
                self.random.choice(self.customers).hear_negative(from_friend=False)
        self.online_reach *= self.cfg.wom.online_decay

    def run(self, days: int) -> dict[str, float]:
        """Step ``days`` days; returns the totals (to check it is the same model, not only its speed)."""
        for _ in range(days):
            self.step()
        return {
            "customers_lost": self.lost,
            "complaints": self.complaints,
            "negative_wom": self.negative_wom,
            "profit": self.cfg.economics.gross_margin * self.revenue - self.recovery_cost - self.rework_cost,
            "mean_loyalty": statistics.fmean(c.loyalty for c in self.customers if c.active),
        }
