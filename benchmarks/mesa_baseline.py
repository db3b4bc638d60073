"""The baseline a Mesa user would write: one agent per person, each with its own ``step``.

This is benchmark code, not the model. It answers "how fast would the same model be, written
the usual Mesa way?", which the project's own per-agent stepping (``stepping="agents"`` in
``sim/core/agents.py``) does not: that stepping keeps state in the model's numpy arrays and
shares the array phases' bookkeeping, so it is a reference for agreement tests rather than
what a Mesa user writes.

Written the way Mesa's own examples are (``mesa/examples/basic/virus_on_network``): each
``Person`` is a ``mesa.discrete_space.CellAgent`` holding its state as Python attributes and
living on a cell of a ``mesa.discrete_space.Network`` built from the market's friendship graph;
the day is ``model.agents.shuffle_do("step")``, and each agent finds its friends through its
cell's neighbourhood and tells them at once (no collect-then-deliver, as a user would write it).
The decisions call the very rules of ``sim/core/rules.py`` (and ``sim/core/policies.handle`` for
recoveries), every call gathered in ``MesaUserRules`` so that a change of the rules' signatures
is re-pointed in one place. Written as a careful user would: loyalty fades one day at a time
for the customers who step, scalar draws use the standard library's ``random`` (Mesa's
``self.random``), several times cheaper per draw than numpy's, and the decisions made every day
or at every encounter (fading, the churn hazard, the word of mouth heard, the encounter's
shortfall) are the rules' formulas in plain ``math`` on floats: numpy on one float costs
microseconds of overhead a call, which no Mesa user would pay (``tests/test_benchmarks.py``
checks them against the rules on a grid of inputs). Rarer decisions (complaints, recoveries,
acquisition) still call the rules themselves.

Covered, as in the model's day: a market of customers and prospects; Bass acquisition
(innovation, imitation of yesterday's praise, deterred by recent bad news); churn at a daily
hazard of loyalty; a purchase occasion bought from the firm with chance loyalty; failures by
Bitner cause, with internal catches and rework, and learning from recorded complaints;
disconfirmation with the zone of tolerance; satisfaction apart from loyalty; complaints and
proactive detection; recoveries through the policy after its delay; told-count word of mouth to
distinct friends (at most ``tells_per_day`` a day), forwarding, terrorists, online posts and
reshares; praise at a daily rate; the books. Not covered: storms and the ``independent_cascade``
and ``sir`` processes; asking for them raises ``ValueError``.

    from benchmarks.mesa_baseline import MesaUserModel
    model = MesaUserModel(customers=1_000, seed=0)
    model.run(30)
"""

from __future__ import annotations

import math
import statistics

import mesa
import numpy as np
from mesa.discrete_space import CellAgent, Network

from sim.core import rules
from sim.core.config import SimConfig
from sim.core.model import market_size
from sim.core.network import build, place_customers
from sim.core.policies import handle

PROSPECT, ACTIVE, CHURNED = 0, 1, 2


class MesaUserRules:
    """Every call from the baseline into ``sim/core/rules.py`` and ``sim/core/policies.py``.

    When the rules change signature, only this class changes (``tests/test_benchmarks.py``
    fails first). Each method takes and returns plain Python numbers, as agent code does.
    """

    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg
        f, lc, w = cfg.failure, cfg.loyalty, cfg.wom
        # The highest chance to switch in with no praise heard (former customers come back at win_back).
        top = max(1.0, cfg.acquisition.win_back)
        self.innovation = float(rules.adoption_probability(0, 0.0, cfg.acquisition, cfg.wom, top))
        self.rework = [float(rules.rework_cost(s, f.rework_cost, f.stage_cost_multiplier)) for s in range(10)]
        # Constants of the scalar formulas below (each mirrors the rule named in its docstring).
        self.half_life = lc.half_life_days
        self.day_fade = 0.5 ** (1.0 / lc.half_life_days)
        self.base_hazard = rules.baseline_daily_hazard(lc)
        self.sensitivity, self.initial_mean = lc.churn_sensitivity, lc.initial_mean
        self.keep_negative = 1.0 - w.negative_effect * w.retention_share
        self.keep_positive = 1.0 - w.positive_retention
        self.log_keep_forward = math.log1p(-min(w.forward_prob, 1.0 - 1e-16))
        self.tolerance, self.ratchet_rate, self.impact = f.tolerance, f.expectation_ratchet, lc.failure_impact

    def adoption_probability(self, praise_heard: float, negative_recent: float, weight: float = 1.0) -> float:
        acq, wom = self.cfg.acquisition, self.cfg.wom
        return float(rules.adoption_probability(praise_heard, negative_recent, acq, wom, weight))

    def switching_weight(self, member: int, terrorist: bool) -> float:
        return float(rules.switching_weight(member, terrorist, self.cfg.acquisition))

    def fade(self, value: float, level: float, days: float) -> float:
        """``rules.fade``."""
        return level + (value - level) * 0.5 ** (days / self.half_life)

    def fade_day(self, value: float, level: float) -> float:
        """``rules.fade`` over one day."""
        return level + (value - level) * self.day_fade

    def churn_probability(self, loyalty: float) -> float:
        """``rules.churn_probability`` over one day."""
        return -math.expm1(-self.base_hazard * math.exp(self.sensitivity * (self.initial_mean - loyalty)))

    def defect_rates(self, recorded: list[int], customers_start: int) -> list[float]:
        """Today's defect chance of each cause, weighted by its share."""
        f = self.cfg.failure
        per_1000 = np.asarray(recorded, dtype=np.float64) / max(customers_start / 1000.0, 1e-9)
        return rules.defect_rates_by_cause(f.rate * rules.learning_factor(per_1000, f), f).tolist()

    def catch_stage(self, draw: int) -> int:
        return int(rules.internal_catch_stage(draw, self.cfg.failure))

    def rework_cost(self, stage: int) -> float:
        return self.rework[stage]

    def felt_shortfall(self, expectation: float, performance: float) -> float:
        """``rules.felt_shortfall``."""
        return min(max(expectation - performance, 0.0), 1.0)

    def ratchet(self, expectation: float, performance: float) -> float:
        """``rules.ratchet_expectation``."""
        return expectation + self.ratchet_rate * max(performance - expectation, 0.0)

    def dissatisfied(self, failed: bool, felt: float) -> bool:
        """``rules.is_dissatisfied``."""
        return failed and felt > self.tolerance

    def after_failure(self, loyalty: float, felt: float) -> float:
        """``rules.loyalty_after_failure``."""
        return loyalty * (1.0 - self.impact * felt)

    def complaint_probability(self, felt: float, propensity: float, cause: int) -> float:
        c = self.cfg
        return float(
            rules.complaint_probability(
                felt, propensity, c.failure.cause_complaint[cause], c.complaint, c.policy.complaint_barrier
            )
        )

    def recovery(self, severity: float, delay: int, mean_loss: float) -> tuple[float, float]:
        """(satisfaction with the handling, cost) of the policy for one case."""
        cfg = self.cfg
        out = handle(
            cfg.policy,
            np.array([severity * cfg.economics.ticket]),
            mean_loss,
            np.array([delay]),
            cfg.recovery,
            cfg.economics,
            cfg.failure,
        )
        return float(out.satisfaction[0]), float(out.cost[0])

    def after_recovery(self, loyalty: float, before: float, satisfaction: float) -> float:
        return float(rules.loyalty_after_recovery(loyalty, before, satisfaction, self.cfg.recovery))

    def satisfaction_after_recovery(self, before: float, handling: float, first: bool) -> float:
        return float(rules.satisfaction_after_recovery(before, handling, first, self.cfg.recovery))

    def double_deviation(self, satisfaction: float) -> bool:
        return bool(rules.double_deviation(satisfaction, self.cfg.recovery) > 0)

    def terrorist_probability(self, satisfaction: float) -> float:
        return float(rules.terrorist_probability(satisfaction, self.cfg.recovery))

    def hear_negative(self, loyalty: float, weight: float) -> float:
        """``rules.hear_negative`` of one message over a tie of strength ``weight``."""
        return loyalty * self.keep_negative**weight

    def hear_positive(self, loyalty: float, weight: float) -> float:
        """``rules.hear_positive`` of one message over a tie of strength ``weight``."""
        return 1.0 - (1.0 - loyalty) * self.keep_positive**weight

    def forward_probability(self, weight: float) -> float:
        """``rules.forward_probability`` of one message over a tie of strength ``weight``."""
        return -math.expm1(weight * self.log_keep_forward)

    def tells(self, rng: np.random.Generator, mean: float, dispersion: float) -> int:
        n, p = rules.negative_binomial_params(mean, dispersion)
        return int(rng.negative_binomial(n, p))


class Person(CellAgent):
    """One person of the market on a cell of the friendship network; all of its state is its own."""

    def __init__(self, model: MesaUserModel, cell: object) -> None:
        super().__init__(model)
        cfg, rnd = model.cfg, self.random
        lc, sc, sigma = cfg.loyalty, cfg.satisfaction, cfg.complaint.propensity_sigma
        self.cell = cell
        self.member = PROSPECT
        a, b = lc.initial_mean * lc.initial_concentration, (1 - lc.initial_mean) * lc.initial_concentration
        self.level = min(rnd.betavariate(a, b), lc.ceiling)  # own level, where loyalty fades back to
        self.loyalty = self.loyalty_before = self.level
        self.satisfaction = self.satisfaction_before = rnd.betavariate(
            sc.initial_mean * sc.initial_concentration, (1 - sc.initial_mean) * sc.initial_concentration
        )
        self.expectation = cfg.failure.quality
        self.propensity = rnd.lognormvariate(-0.5 * sigma**2, sigma)
        self.next_purchase = model.wait()
        self.failures = 0
        self.severity = 0.0
        self.cause = 0
        self.waiting = False
        self.complaint_day = self.due_day = 0
        self.terrorist = False
        self.audience: list[Person] = []  # friends still to be told the current story, in order
        self.tell_left = 0
        self.heard_negative, self.heard_negative_day = 0.0, 0
        self.praise_day, self.praise_heard = -1, 0.0  # praise heard on praise_day, by tie (imitation, next day)

    def friends(self) -> list[Person]:
        return list(self.cell.neighborhood.agents)

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        m = self.model
        if self.member != ACTIVE:
            self.consider_joining()
        if self.member == ACTIVE and not self.waiting and not self.churns():
            self.shop()
        if self.waiting and self.due_day <= m.day:
            self.recover()
        self.talk()

    def consider_joining(self) -> None:
        m = self.model
        if not m.cfg.acquisition.enabled:
            return
        praise = self.praise_heard if self.praise_day == m.day - 1 else 0.0
        draw = self.random.random()
        if praise == 0 and draw >= m.rules.innovation:
            return  # bad news and a lower weight only lower the chance
        weight = m.rules.switching_weight(self.member, self.terrorist)  # former customers at win_back, terrorists never
        if weight > 0 and draw < m.rules.adoption_probability(praise, self.recent_negative(), weight):
            self.member = ACTIVE
            self.loyalty = self.level
            self.next_purchase = m.day
            m.acquired += 1
            m.acquisition_cost += m.cfg.economics.acquisition_cost

    def recent_negative(self) -> float:
        if self.heard_negative == 0.0:
            return 0.0
        return self.model.rules.fade(self.heard_negative, 0.0, self.model.day - self.heard_negative_day)

    def churns(self) -> bool:
        """A day of fading back towards the own level, then the daily churn hazard."""
        m = self.model
        self.loyalty = m.rules.fade_day(self.loyalty, self.level)
        if self.random.random() < m.rules.churn_probability(self.loyalty):
            self.member = CHURNED
            m.lost += 1
            return True
        return False

    def shop(self) -> None:
        """A purchase occasion: buy from the firm with chance loyalty; the encounter may fail."""
        m, r, f = self.model, self.model.rules, self.model.cfg.failure
        if self.next_purchase != m.day:
            return
        self.next_purchase = m.day + m.wait()
        if self.random.random() >= self.loyalty:
            m.lost_purchases += 1
            return
        m.purchases += 1
        m.revenue += m.cfg.economics.ticket
        failed, severity, cause = False, 0.0, 0
        if self.random.random() < m.defect_total:
            cause = self.random.choices(range(3), weights=m.defect_rates)[0]
            stage = r.catch_stage(int(m.rng.geometric(f.internal_catch_prob)) if f.internal_catch_prob > 0 else 0)
            if stage < f.internal_stages:
                m.rework_cost += r.rework_cost(stage)
            else:
                failed = True
                severity = m.draw_severity(cause) * f.cause_blame[cause]
                m.failures += 1
        performance = f.quality + f.quality_noise * self.random.gauss() - severity
        felt = r.felt_shortfall(self.expectation, performance)
        self.expectation = r.ratchet(self.expectation, performance)
        if not failed:
            sc = m.cfg.satisfaction
            self.satisfaction += sc.good_rate * (sc.good_level - self.satisfaction)
        elif r.dissatisfied(failed, felt):
            self.suffer(felt, cause)
            self.complain(felt)

    def suffer(self, felt: float, cause: int) -> None:
        m, w = self.model, self.model.cfg.wom
        m.dissatisfied += 1
        self.loyalty_before = self.loyalty
        self.loyalty = m.rules.after_failure(self.loyalty, felt)
        self.satisfaction_before = self.satisfaction
        self.satisfaction *= 1.0 - felt
        self.severity, self.cause = felt, cause
        self.failures += 1
        if not w.negative_enabled:
            return
        mean = w.negative_mean * m.cfg.failure.cause_tell[cause]
        self.start_story(m.rules.tells(m.rng, mean, w.negative_dispersion))
        if self.random.random() < w.online_post_prob:
            m.posts += 1

    def complain(self, felt: float) -> None:
        m = self.model
        if self.random.random() < m.rules.complaint_probability(felt, self.propensity, self.cause):
            m.complaints += 1
        elif self.random.random() < m.cfg.policy.proactive_share:
            m.detected += 1
        else:
            return
        m.recorded[self.cause] += 1
        self.waiting = True
        self.complaint_day = m.day
        self.due_day = m.day + m.cfg.policy.delay_days

    def recover(self) -> None:
        m, r, rc, w = self.model, self.model.rules, self.model.cfg.recovery, self.model.cfg.wom
        sat, cost = r.recovery(self.severity, m.day - self.complaint_day, m.mean_loss)
        self.loyalty = r.after_recovery(self.loyalty, self.loyalty_before, sat)
        self.satisfaction = r.satisfaction_after_recovery(self.satisfaction_before, sat, self.failures == 1)
        self.waiting = False
        self.next_purchase = max(self.next_purchase, m.day + 1)
        m.recoveries += 1
        m.recovery_cost += cost
        if sat >= rc.satisfied_threshold:
            m.satisfied_recoveries += 1
            self.tell_left = round(self.tell_left * rc.recovered_tell_share)  # tells on less (TARP)
        m.double_deviations += r.double_deviation(sat)
        if not self.terrorist and self.random.random() < r.terrorist_probability(sat):
            self.terrorist = True
            m.new_terrorists += 1
            if w.negative_enabled:
                louder = rules.terrorist_extra_tells(w)
                self.start_story(self.tell_left + r.tells(m.rng, louder, w.negative_dispersion))
                if self.random.random() < w.terrorist_post_prob:
                    m.posts += 1

    def start_story(self, tells: int) -> None:
        """A new story: the friends to tell, in a random order, each told once."""
        friends = self.friends()
        self.random.shuffle(friends)
        self.audience, self.tell_left = friends, tells

    def talk(self) -> None:
        w = self.model.cfg.wom
        if self.tell_left > 0:
            k = min(self.tell_left, w.tells_per_day, len(self.audience))
            told, self.audience = self.audience[:k], self.audience[k:]
            self.tell_left = 0 if not self.audience else self.tell_left - k
            for friend in told:  # the walk moves on; a friend hears only if the tie is used
                strength = self.tie(friend)
                if self.random.random() < strength:
                    friend.hear_negative(strength, from_friend=True)
        if w.negative_enabled and self.terrorist and self.random.random() < w.terrorist_daily_tell_prob:
            friends = self.friends()
            if friends:
                friend = self.random.choice(friends)
                strength = self.tie(friend)
                if self.random.random() < strength:
                    friend.hear_negative(strength, from_friend=False)
        if (
            self.member == ACTIVE
            and self.satisfaction >= w.praise_threshold
            and self.random.random() < w.positive_daily_rate
        ):
            friends = self.friends()
            if friends:
                friend = self.random.choice(friends)
                strength = self.tie(friend)
                if self.random.random() < strength:
                    friend.hear_positive(strength)

    def tie(self, friend: Person) -> float:
        """The strength of the tie to ``friend``: the chance it carries a message, and the message's weight."""
        return self.model.graph.edges[self.cell.coordinate, friend.cell.coordinate].get("strength", 1.0)

    def hear_negative(self, weight: float, from_friend: bool) -> None:
        m, w = self.model, self.model.cfg.wom
        m.negative_wom += 1
        if self.member == ACTIVE:
            self.loyalty = m.rules.hear_negative(self.loyalty, weight)
        self.heard_negative = self.recent_negative() + weight  # deters switching in later
        self.heard_negative_day = m.day
        if from_friend and self.tell_left == 0 and self.random.random() < m.rules.forward_probability(weight):
            self.start_story(m.rules.tells(m.rng, w.forward_mean, w.negative_dispersion))

    def hear_positive(self, weight: float) -> None:
        m = self.model
        m.positive_wom += 1
        if self.member == ACTIVE:
            self.loyalty = m.rules.hear_positive(self.loyalty, weight)
        else:
            if self.praise_day != m.day:
                self.praise_day, self.praise_heard = m.day, 0.0
            self.praise_heard += weight


class MesaUserModel(mesa.Model):
    """The default-config market written the usual Mesa way (see the module docstring)."""

    def __init__(self, customers: int = 10_000, cfg: SimConfig | None = None, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.cfg = cfg or SimConfig()
        if self.cfg.scenario.shock.reach > 0 or self.cfg.wom.process != "told_count":
            raise ValueError("the Mesa-user baseline covers told-count word of mouth without a storm")
        self.rules = MesaUserRules(self.cfg)
        self.day = 0
        self.purchases = self.lost_purchases = self.failures = self.dissatisfied = 0
        self.complaints = self.detected = self.recoveries = self.satisfied_recoveries = 0
        self.double_deviations = self.new_terrorists = self.lost = self.acquired = 0
        self.negative_wom = self.positive_wom = 0
        self.revenue = self.recovery_cost = self.rework_cost = self.acquisition_cost = 0.0
        self.recorded = [0, 0, 0]  # recorded cases by cause: what complaints teach
        self.posts = 0  # online posts to spread at the end of today: new ones and yesterday's reshares
        f = self.cfg.failure
        self.mean_loss = float(np.dot(f.cause_shares, f.cause_severity_means)) * self.cfg.economics.ticket
        self._severity_beta = [
            (mean * f.severity_concentration, (1 - mean) * f.severity_concentration) for mean in f.cause_severity_means
        ]
        people = market_size(customers, self.cfg.market.share)
        net = self.cfg.network
        ties = build(net, people, self.rng, strong=net.strong_tie, weak=net.weak_tie)
        self.graph = graph = ties.to_networkx()  # each tie carries its strength, as the model's do
        self.space = Network(graph, capacity=1, random=self.random, layout=None)  # no spring layout: no drawing
        for node in graph.nodes:
            Person(self, self.space[node])
        self.people = list(self.agents)
        # The firm's customers cluster by community, as the model places them (market.concentration).
        for node in place_customers(ties, customers, self.cfg.market.concentration, self.rng).tolist():
            self.space[node].agents[0].member = ACTIVE
        self.customers_start = customers
        self.defect_rates, self.defect_total = [0.0, 0.0, 0.0], 0.0

    def wait(self) -> int:
        """Days to the next purchase occasion (geometric, memoryless, as in the model)."""
        p = 1.0 / max(self.cfg.loyalty.purchase_interval_days, 1.0)
        return 1 + int(math.log(1.0 - self.random.random()) / math.log(1.0 - p)) if p < 1 else 1

    def draw_severity(self, cause: int) -> float:
        if self.cfg.failure.severity_concentration <= 0:
            return self.cfg.failure.cause_severity_means[cause]
        return self.random.betavariate(*self._severity_beta[cause])

    def step(self) -> None:
        self.day += 1
        self.defect_rates = self.rules.defect_rates(self.recorded, self.customers_start)  # learnt up to yesterday
        self.defect_total = sum(self.defect_rates)
        self.agents.shuffle_do("step")
        self.spread_online()

    def spread_online(self) -> None:
        """Today's posts reach a heavy-tailed audience anywhere; some viewers reshare tomorrow."""
        w = self.cfg.wom
        reshares = 0
        for _ in range(self.posts):
            sigma = w.online_audience_sigma  # lognormal audience, as the model's follower counts
            audience = int(round(self.rng.lognormal(np.log(max(w.online_audience, 1e-9)) - sigma**2 / 2, sigma)))
            for viewer in self.random.choices(self.people, k=audience):
                viewer.hear_negative(self.cfg.network.weak_tie, from_friend=False)  # a follower: as a weak tie
                reshares += self.random.random() < w.online_reshare_prob
        self.posts = reshares

    def run(self, days: int) -> dict[str, float]:
        """Step ``days`` days; returns the totals (to check it is the same model, not only its speed)."""
        for _ in range(days):
            self.step()
        active = [p for p in self.people if p.member == ACTIVE]
        e = self.cfg.economics
        return {
            "customers_end": len(active),
            "customers_lost": self.lost,
            "customers_acquired": self.acquired,
            "complaints": self.complaints,
            "negative_wom": self.negative_wom,
            "positive_wom": self.positive_wom,
            "profit": e.gross_margin * self.revenue - self.recovery_cost - self.rework_cost - self.acquisition_cost,
            "mean_loyalty": statistics.fmean(p.loyalty for p in active) if active else 0.0,
        }
