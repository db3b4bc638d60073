"""Customer agents: views onto the model's arrays, and the per-agent reference stepping.

A ``Customer`` holds only its row index, so Mesa tooling (AgentSet queries, agent
reporters, SolaraViz) sees real agents while the state stays in arrays. ``step_agents``
runs the day one customer at a time with the same rules as the array phases; the tests
check that the two agree in distribution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core import rules
from sim.core.policies import handle
from sim.core.states import Membership, Mood

if TYPE_CHECKING:
    from sim.core.model import WomModel


class Customer(mesa.Agent):
    """One person in the social graph."""

    def __init__(self, model: WomModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def loyalty(self) -> float:
        return float(self.model.pop.loyalty[self.index])

    @property
    def mood(self) -> Mood:
        return Mood(int(self.model.pop.mood[self.index]))

    @property
    def membership(self) -> Membership:
        return Membership(int(self.model.pop.member[self.index]))

    @property
    def is_terrorist(self) -> bool:
        return bool(self.model.pop.terrorist[self.index])

    @property
    def friends(self) -> np.ndarray:
        return self.model.graph.neighbours(self.index)

    # -------------------------------------------------------------- reference stepping
    def consider_joining(self) -> None:
        m, i = self.model, self.index
        acq = m.cfg.acquisition
        p = rules.adoption_probability(
            m.pop.heard_positive_today[i], m.pop.heard_negative[i], acq.innovation, acq.imitation, acq.deterrence
        )
        if m.rng.random() < p:
            m.pop.member[i] = Membership.ACTIVE
            m.pop.next_purchase[i] = m.day
            m.today.acquired += 1

    def visit(self) -> None:
        """A purchase occasion: stay or leave, then buy; the storm may hit others."""
        m, i, pop, cfg = self.model, self.index, self.model.pop, self.model.cfg
        if pop.member[i] != Membership.ACTIVE:
            return
        if pop.next_purchase[i] == m.day:
            stays = m.rng.random() >= rules.defection_probability(pop.loyalty[i])
            if pop.verdict_pending[i]:
                m.today.verdicts += 1
                m.today.bought_again += int(stays)
                pop.verdict_pending[i] = False
            if not stays:
                m.lose(np.array([i]))
                return
            interval = rules.purchase_interval(
                pop.loyalty[i], cfg.loyalty.purchase_interval_days, cfg.loyalty.frequency_elasticity
            )
            pop.next_purchase[i] = m.day + m.rng.geometric(1.0 / max(float(interval), 1.0))
            m.today.purchases += 1
            m.today.revenue += cfg.economics.ticket
            self.encounter(shock=False)
        elif m.in_shock(m.day) and not pop.waiting[i] and m.rng.random() < cfg.scenario.shock.reach:
            self.encounter(shock=True)

    def encounter(self, shock: bool) -> None:
        m, i, pop, f = self.model, self.index, self.model.pop, self.model.cfg.failure
        severity = 0.0
        failed = shock
        if shock:
            severity = float(m.draw_shock_severity(1)[0])
        elif m.rng.random() < f.rate:
            stage = m.rng.geometric(f.internal_catch_prob) - 1 if f.internal_catch_prob > 0 else f.internal_stages
            if stage < f.internal_stages:
                m.today.internal_failures += 1
                m.today.rework_cost += float(rules.rework_cost(stage, f.rework_cost, f.stage_cost_multiplier))
            else:
                failed = True
                cause = m.rng.choice(3, p=np.asarray(f.cause_shares))
                severity = float(m.draw_severity(np.array([cause]))[0])
        m.today.failures += int(failed)
        performance = f.quality + f.quality_noise * m.rng.standard_normal() - severity
        expectation = float(pop.expectation[i])
        felt = float(rules.felt_shortfall(expectation, performance))
        pop.expectation[i] = rules.ratchet_expectation(expectation, performance, f.expectation_ratchet)
        if not failed:
            self.enjoy(performance - expectation)
        elif felt > f.tolerance:
            self.suffer(felt)

    def enjoy(self, surprise: float) -> None:
        m, i, pop, cfg = self.model, self.index, self.model.pop, self.model.cfg
        pop.loyalty[i] = rules.learn_from_good_encounter(pop.loyalty[i], cfg.loyalty.ceiling, cfg.loyalty.learning_rate)
        if pop.mood[i] != Mood.TERRORIST and not pop.waiting[i]:
            pop.mood[i] = Mood.CONTENT
        if surprise > cfg.failure.delight_margin and m.rng.random() < cfg.wom.delight_tell_prob:
            pop.praise_left[i] += int(m.draw_tells(cfg.wom.positive_mean, 1, cfg.wom.positive_dispersion)[0])

    def suffer(self, felt: float) -> None:
        """Dissatisfied: loyalty drops, the story starts, and perhaps a complaint."""
        m, i, pop, cfg = self.model, self.index, self.model.pop, self.model.cfg
        pop.loyalty_before[i] = pop.loyalty[i]
        pop.loyalty[i] = rules.loyalty_after_failure(pop.loyalty[i], felt, cfg.loyalty.failure_impact)
        pop.severity[i] = felt
        pop.failures[i] += 1
        if pop.mood[i] != Mood.TERRORIST:
            pop.mood[i] = Mood.UNHAPPY
        me = np.array([i])
        m.start_telling(me, m.draw_tells(cfg.wom.negative_mean, 1, cfg.wom.negative_dispersion), firsthand=True)
        m.post_online(int(m.rng.random() < cfg.wom.online_post_prob))
        m.today.dissatisfied += 1
        if pop.waiting[i]:
            return
        c, pol = cfg.complaint, m.policy
        p = rules.complaint_probability(
            felt, pop.propensity[i], c.base_share, c.severity_ref, c.severity_elasticity, pol.complaint_barrier
        )
        complains = m.rng.random() < p
        detected = not complains and m.rng.random() < pol.proactive_share
        m.today.complaints += int(complains)
        m.today.detected += int(detected)
        if complains or detected:
            delay = pol.delay_days + (cfg.scenario.shock.extra_recovery_delay_days if m.in_shock(m.day) else 0)
            m.queue(me, m.day + delay)
        else:
            pop.verdict_pending[i] = True

    def recover(self) -> None:
        m, i, pop, cfg = self.model, self.index, self.model.pop, self.model.cfg
        r = cfg.recovery
        delay = m.day - pop.complaint_day[i]
        severity = float(pop.severity[i])
        out = handle(
            m.policy,
            np.array([severity]),
            np.array([severity * cfg.economics.ticket]),
            np.array([delay]),
            r,
            cfg.economics,
            cfg.failure,
        )
        sat = float(out.satisfaction[0])
        pop.loyalty[i] = rules.loyalty_after_recovery(
            pop.loyalty[i],
            pop.loyalty_before[i],
            out.repair[0],
            sat,
            pop.failures[i] == 1,
            cfg.loyalty.ceiling,
            r.paradox_threshold,
            r.paradox_bonus,
            r.bad_threshold,
            r.double_deviation_penalty,
        )
        pop.waiting[i] = False
        pop.verdict_pending[i] = True
        m.today.recoveries += 1
        m.today.recovery_cost += float(out.cost[0])
        me = np.array([i])
        if sat >= r.satisfied_threshold:
            m.today.satisfied_recoveries += 1
            m.close_telling(me)
            pop.praise_left[i] += int(m.draw_tells(cfg.wom.positive_mean, 1, cfg.wom.positive_dispersion)[0])
            if pop.mood[i] != Mood.TERRORIST:
                pop.mood[i] = Mood.RECOVERED
        elif pop.mood[i] != Mood.TERRORIST:
            pop.mood[i] = Mood.UNHAPPY
        m.today.double_deviations += int(sat < r.bad_threshold)
        if (
            m.rng.random() < rules.terrorist_probability(sat, r.bad_threshold, r.terrorist_prob)
            and not pop.terrorist[i]
        ):
            m.make_terrorists(me)

    def talk(self, negative: list[int], friends_heard: list[int], positive: list[int]) -> None:
        """Today's messages, appended to the day's lists (applied after everyone has talked)."""
        m, i, pop, cfg = self.model, self.index, self.model.pop, self.model.cfg
        deg = int(m.degree[i])
        friends = m.graph.neighbours(i)
        if pop.tell_left[i] > 0:
            k = min(int(pop.tell_left[i]), cfg.wom.tells_per_day, max(deg - int(pop.told[i]), 0))
            start = int(pop.cursor[i]) + int(pop.told[i])
            told_now = [int(friends[(start + j) % deg]) for j in range(k)]
            negative.extend(told_now)
            friends_heard.extend(told_now)
            if pop.firsthand[i]:
                m.today.firsthand_wom += k
            pop.told[i] += k
            pop.tell_left[i] -= k
            if pop.tell_left[i] <= 0 or pop.told[i] >= deg:
                m.close_telling(np.array([i]))
        if pop.terrorist[i] and deg > 0 and m.rng.random() < cfg.wom.terrorist_daily_tell_prob:
            negative.append(int(friends[int(m.rng.random() * deg)]))
        if pop.praise_left[i] > 0:
            if deg == 0:
                pop.praise_left[i] = 0
                return
            k = min(int(pop.praise_left[i]), cfg.wom.tells_per_day)
            positive.extend(int(friends[int(m.rng.random() * deg)]) for _ in range(k))
            pop.praise_left[i] -= k

    def hear_negative_one(self) -> None:
        m, i, pop = self.model, self.index, self.model.pop
        pop.heard_negative[i] = min(int(pop.heard_negative[i]) + 1, np.iinfo(np.int16).max)
        if pop.member[i] == Membership.ACTIVE:
            pop.loyalty[i] = rules.hear_negative(pop.loyalty[i], 1, m.cfg.wom.negative_impact)
            if pop.mood[i] == Mood.CONTENT:
                pop.mood[i] = Mood.SWAYED

    def maybe_forward(self) -> None:
        m, i, pop, w = self.model, self.index, self.model.pop, self.model.cfg.wom
        if m.rng.random() < w.forward_prob and pop.tell_left[i] == 0 and pop.member[i] != Membership.PROSPECT:
            m.start_telling(np.array([i]), m.draw_tells(w.forward_mean, 1, w.negative_dispersion), firsthand=False)

    def hear_positive_one(self) -> None:
        m, i, pop = self.model, self.index, self.model.pop
        if pop.member[i] == Membership.ACTIVE:
            pop.loyalty[i] = rules.hear_positive(pop.loyalty[i], 1, m.cfg.loyalty.ceiling, m.cfg.wom.positive_impact)
        elif pop.member[i] == Membership.PROSPECT:
            pop.heard_positive_today[i] += 1


def step_agents(model: WomModel) -> None:
    """The day, one customer at a time (reference for the array phases)."""
    pop = model.pop
    if model.cfg.acquisition.prospect_share > 0:
        for i in np.flatnonzero(pop.member == Membership.PROSPECT):
            _agent(model, i).consider_joining()
        pop.heard_positive_today[:] = 0
    model.agents.shuffle_do("visit")
    for i in model.due_cases():
        _agent(model, i).recover()
    negative: list[int] = []
    friends_heard: list[int] = []
    positive: list[int] = []
    model.agents.shuffle_do("talk", negative, friends_heard, positive)
    n_online = model.rng.poisson(model.online_reach) if model.online_reach > 0.5 else 0
    online = [int(model.rng.integers(pop.n)) for _ in range(n_online)]
    model.online_reach *= model.cfg.wom.online_decay
    model.today.online_wom += len(online)
    model.today.negative_wom += len(negative) + len(online)
    for j in negative + online:
        _agent(model, j).hear_negative_one()
    for j in sorted(set(friends_heard)):
        _agent(model, j).maybe_forward()
    model.today.positive_wom += len(positive)
    for j in positive:
        _agent(model, j).hear_positive_one()


def _agent(model: WomModel, index: int) -> Customer:
    return model.customer(int(index))
