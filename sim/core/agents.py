"""Customer agents: views onto the model's arrays, and the per-agent reference stepping.

A ``Customer`` holds only its row index, so Mesa tooling (AgentSet queries, agent reporters,
SolaraViz) sees real agents while the state stays in arrays. ``step_agents`` runs the day one
person at a time with scalar logic and the same rules (``sim/core/rules.py``) as the array
phases in ``sim/core/model.py``; ``tests/test_agreement.py`` checks that the two agree in
distribution. It is written apart from the array phases on purpose: a slip in either shows up
as a disagreement.

Simultaneous updates are kept: defect rates are read once at the start of the day (what
complaints teach counts from tomorrow), and the day's messages are collected first and
delivered once everyone has talked, negative before positive, as in the array path.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core import rules
from sim.core.policies import handle
from sim.core.states import Membership, Mood

if TYPE_CHECKING:
    from sim.core.model import WomModel

Messages = list[tuple[int, float]]  # (receiver, weight) of each message of the day

# State codes as plain ints: comparing a numpy element with an IntEnum member costs ~15 times more.
ACTIVE = int(Membership.ACTIVE)
CONTENT, UNHAPPY, TERRORIST = int(Mood.CONTENT), int(Mood.UNHAPPY), int(Mood.TERRORIST)


class Customer(mesa.Agent):
    """One person in the market's social graph: a customer, a prospect or a former customer."""

    def __init__(self, model: WomModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    # -------------------------------------------------------------- views onto the row
    @property
    def loyalty(self) -> float:
        """Chance to buy from the firm at the next purchase occasion."""
        return float(self.model.pop.loyalty[self.index])

    @property
    def satisfaction(self) -> float:
        """Attitude to the firm: what praise follows."""
        return float(self.model.pop.satisfaction[self.index])

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

    # -------------------------------------------------------------- morning: own row only
    def start_day(self, heard_praise: dict[int, int], innovation: float, defect_rates: np.ndarray) -> None:
        """Acquisition, churn, a purchase occasion, its failure, disconfirmation and complaint.

        These phases read and write only this person's row (the defect rates are fixed for the
        day), so running them person by person equals running each phase for everyone in turn.

        Args:
            heard_praise: Positive messages each prospect heard yesterday, by row.
            innovation: Today's chance to join of a prospect who heard no news at all.
            defect_rates: Today's defect rate of each cause, were it the only one
                (``WomModel.defect_rates``); the causes' shares weigh them.
        """
        pop, i = self.model.pop, self.index
        if pop.member[i] != ACTIVE:
            self.consider_joining(heard_praise.get(i, 0), innovation)
        if pop.member[i] != ACTIVE or pop.waiting[i]:
            return  # only customers without an open case leave or buy
        if self.churns():
            return
        encounter = self.meet()
        if encounter is None:
            return
        failed, severity, cause = self.fail(encounter == "storm", defect_rates)
        felt = self.disconfirm(failed, severity)
        if rules.is_dissatisfied(failed, felt, self.model.cfg.failure):
            self.suffer(felt, cause)
            self.complain(felt)

    def consider_joining(self, praise_heard: int, innovation: float) -> None:
        """Switching in (Bass form): innovation plus imitation of yesterday's praise, thinned by bad news.

        Former customers come back at ``win_back`` times the rate, terrorists never; bad news only
        lowers the chance, so without praise a draw at or above the no-news chance settles it.
        """
        m, i = self.model, self.index
        acq = m.cfg.acquisition
        weight = float(rules.switching_weight(m.pop.member[i], m.pop.terrorist[i], acq))
        if not acq.enabled or weight == 0.0:
            return
        draw = m.rng.random()
        if praise_heard == 0 and draw >= -np.expm1(weight * np.log1p(-innovation)):
            return
        if draw < rules.adoption_probability(praise_heard, self.recent_negative(), acq, m.cfg.wom, weight):
            m.join(np.array([self.index]))

    def recent_negative(self) -> float:
        """Negative messages heard lately, faded to today with the loyalty half-life."""
        m, i = self.model, self.index
        heard = float(m.pop.heard_negative[i])
        if heard == 0.0:
            return 0.0  # nothing to fade
        days = m.day - int(m.pop.heard_negative_day[i])
        return float(rules.fade(heard, 0.0, days, m.cfg.loyalty.half_life_days))

    def churns(self) -> bool:
        """Loyalty fades back towards the person's level for a day; then the daily churn hazard."""
        m, i, lc = self.model, self.index, self.model.cfg.loyalty
        loyalty = float(rules.fade(m.pop.loyalty[i], m.pop.loyalty_level[i], 1.0, lc.half_life_days))
        m.pop.loyalty[i] = loyalty
        m.pop.loyalty_day[i] = m.day
        if m.rng.random() < rules.churn_probability(loyalty, lc):
            m.lose(np.array([i]))
            return True
        return False

    def meet(self) -> str | None:
        """A purchase occasion (the firm or a rival) or the storm: ``"purchase"``, ``"storm"`` or None.

        A customer buying from the firm today is served normally, never hit by the storm.
        """
        m, i, cfg = self.model, self.index, self.model.cfg
        if m.pop.next_purchase[i] == m.day:
            interval = max(cfg.loyalty.purchase_interval_days, 1.0)
            m.pop.next_purchase[i] = m.day + m.rng.geometric(1.0 / interval)
            if rules.buys(m.pop.loyalty[i], m.rng.random()):
                m.today.purchases += 1
                m.today.revenue += cfg.economics.ticket
                return "purchase"
            m.today.lost_purchases += 1
        if m.in_shock(m.day) and m.rng.random() < cfg.scenario.shock.reach:
            return "storm"
        return None

    def fail(self, storm: bool, defect_rates: np.ndarray) -> tuple[bool, float, int]:
        """Whether the customer meets a failure, its severity and its Bitner cause.

        A defect may be caught inside the firm (rework, dearer at each later stage: the 1:10
        rule); only the rest reach the customer. The storm always fails, with its own severity.
        """
        m, f = self.model, self.model.cfg.failure
        if storm:
            m.today.failures += 1
            return True, float(m.draw_shock_severity(1)[0]), 0
        by_cause = rules.defect_rates_by_cause(defect_rates, f)
        total = float(by_cause.sum())
        if total <= 0 or m.rng.random() >= total:
            return False, 0.0, 0
        cause = int(m.rng.choice(3, p=by_cause / total))
        draw = m.rng.geometric(f.internal_catch_prob) if f.internal_catch_prob > 0 else 0
        stage = int(rules.internal_catch_stage(draw, f))
        if stage < f.internal_stages:
            m.today.internal_failures += 1
            m.today.rework_cost += float(rules.rework_cost(stage, f.rework_cost, f.stage_cost_multiplier))
            return False, 0.0, 0
        m.today.failures += 1
        severity = float(m.draw_severity(np.array([cause]))[0]) * f.cause_blame[cause]
        return True, severity, cause

    def disconfirm(self, failed: bool, severity: float) -> float:
        """Performance against expectation; returns the felt shortfall.

        A good encounter pulls satisfaction towards its good level and calms the customer;
        expectations rise after better-than-expected service.
        """
        m, i, pop = self.model, self.index, self.model.pop
        f, sc = m.cfg.failure, m.cfg.satisfaction
        performance = f.quality + f.quality_noise * m.rng.standard_normal() - severity
        expectation = float(pop.expectation[i])
        felt = float(rules.felt_shortfall(expectation, performance))
        pop.expectation[i] = rules.ratchet_expectation(expectation, performance, f.expectation_ratchet)
        if not failed:
            pop.satisfaction[i] = rules.satisfaction_after_good_encounter(pop.satisfaction[i], sc)
            pop.mood[i] = rules.next_mood(pop.mood[i], CONTENT, hold=pop.waiting[i])
        return felt

    def suffer(self, felt: float, cause: int) -> None:
        """A dissatisfying failure: loyalty and satisfaction fall, a story and maybe a post start."""
        m, i, pop = self.model, self.index, self.model.pop
        w = m.cfg.wom
        pop.loyalty_before[i] = pop.loyalty[i]
        pop.loyalty[i] = rules.loyalty_after_failure(pop.loyalty[i], felt, m.cfg.loyalty.failure_impact)
        pop.loyalty_day[i] = m.day
        pop.satisfaction_before[i] = pop.satisfaction[i]
        pop.satisfaction[i] = rules.satisfaction_after_failure(pop.satisfaction[i], felt)
        pop.severity[i] = felt
        pop.cause[i] = cause
        pop.failures[i] += 1
        pop.mood[i] = rules.next_mood(pop.mood[i], UNHAPPY)
        m.today.dissatisfied += 1
        if not w.negative_enabled:
            return
        tells = self.story_size(w.negative_mean * m.cfg.failure.cause_tell[cause])
        m.start_telling(np.array([i]), np.array([tells]), firsthand=True)
        if m.rng.random() < w.online_post_prob:
            m.post_online(np.array([i]))

    def story_size(self, mean: float) -> int:
        """How many friends this person's story will reach, by the chosen spread process."""
        m = self.model
        return int(rules.story_size(m.rng.random(1), m.degree[self.index : self.index + 1], mean, m.cfg.wom)[0])

    def complain(self, felt: float) -> None:
        """Complain (or be found by a proactive firm) and wait for the answer; else the episode ends."""
        m, i, pop = self.model, self.index, self.model.pop
        c, pol = m.cfg.complaint, m.policy
        if pop.waiting[i]:
            return  # a case is already open
        cause = int(pop.cause[i])
        factor = m.cfg.failure.cause_complaint[cause]
        p = rules.complaint_probability(felt, pop.propensity[i], factor, c, pol.complaint_barrier)
        complains = m.rng.random() < p
        detected = not complains and m.rng.random() < pol.proactive_share
        me = np.array([i])
        if not (complains or detected):
            m.close_episode(me)
            return
        m.today.complaints += int(complains)
        m.today.detected += int(detected)
        m.recorded[cause] += 1
        m.queue(me, rules.recovery_due_day(m.day, pol, m.cfg.scenario.shock, m.in_shock(m.day)))

    # -------------------------------------------------------------- recovery
    def recover(self) -> None:
        """The answer to this customer's case: justice sets satisfaction, loyalty and the story."""
        m, i, pop = self.model, self.index, self.model.pop
        r, econ = m.cfg.recovery, m.cfg.economics
        delay = m.day - int(pop.complaint_day[i])
        outcome = handle(m.policy, float(pop.severity[i]) * econ.ticket, m.mean_loss, delay, r, econ, m.cfg.failure)
        sat, good_answer = float(outcome.satisfaction), bool(outcome.made_good)
        pop.loyalty[i] = rules.loyalty_after_recovery(pop.loyalty[i], pop.loyalty_before[i], sat, r, good_answer)
        pop.loyalty_day[i] = m.day
        first = rules.paradox_possible(pop.failures[i])
        severity = float(pop.severity[i])
        pop.satisfaction[i] = rules.satisfaction_after_recovery(pop.satisfaction_before[i], sat, first, r, severity)
        pop.waiting[i] = False
        m.close_episode(np.array([i]))
        pop.next_purchase[i] = max(int(pop.next_purchase[i]), m.day + 1)
        m.today.recoveries += 1
        m.today.recovery_cost += float(outcome.cost)
        terrorist = bool(pop.terrorist[i])
        satisfied = sat >= r.satisfied_threshold
        if satisfied:
            m.today.satisfied_recoveries += 1
            pop.tell_left[i] = rules.tells_after_good_recovery(pop.tell_left[i], r)  # tells on less (TARP)
        pop.mood[i] = rules.mood_after_recovery(pop.mood[i], satisfied)
        m.today.double_deviations += int(rules.double_deviation(sat, r, good_answer) > 0)
        if m.rng.random() < rules.terrorist_probability(sat, r, good_answer) and not terrorist:
            self.turn_terrorist()

    def turn_terrorist(self) -> None:
        """Double deviation: the story so far ends and a louder campaign, maybe online, starts."""
        m, i, pop, w = self.model, self.index, self.model.pop, self.model.cfg.wom
        pop.terrorist[i] = True
        pop.mood[i] = TERRORIST
        m.today.new_terrorists += 1
        if not w.negative_enabled:
            return
        me = np.array([i])
        left = int(pop.tell_left[i])
        m.close_telling(me)
        extra = int(rules.tell_counts(m.rng.random(1), rules.terrorist_extra_tells(w), w.negative_dispersion)[0])
        m.start_telling(me, np.array([left + extra]), firsthand=False)
        if m.rng.random() < w.terrorist_post_prob:
            m.post_online(np.array([i]))

    # -------------------------------------------------------------- word of mouth
    def talk(self, negative: Messages, told_by_friends: Messages, positive: Messages) -> None:
        """Today's messages from this person, appended to the day's lists (delivered later).

        Each message is (receiver, weight): a tie carries it with chance its strength, and it
        weighs its strength for the hearer.

        Args:
            negative: Negative messages.
            told_by_friends: Friends' stories: their hearers may pass them on.
            positive: Praise.
        """
        m, i, pop, w = self.model, self.index, self.model.pop, self.model.cfg.wom
        if pop.tell_left[i] > 0:
            told = self.tell_story()
            negative.extend(told)
            told_by_friends.extend(told)
        deg = int(m.degree[i])
        if w.negative_enabled and pop.terrorist[i] and m.rng.random() < w.terrorist_daily_tell_prob and deg > 0:
            negative.extend(self.random_friend())  # terrorists keep at it, even after leaving
        if (
            w.positive_daily_rate > 0
            and pop.member[i] == ACTIVE
            and rules.recommends(pop.satisfaction[i], w)
            and deg > 0
            and m.rng.random() < w.positive_daily_rate
        ):
            positive.extend(self.random_friend())

    def tie(self, entry: int) -> tuple[bool, float]:
        """Whether the tie at CSR ``entry`` carries a message today, and its weight."""
        strength = self.model.graph.strength
        if strength is None:
            return True, 1.0
        s = float(strength[entry])
        return self.model.rng.random() < s, s

    def tell_story(self) -> Messages:
        """Walk the next friends along the shuffled row, a few a day; the used ties hear the story."""
        m, i, pop = self.model, self.index, self.model.pop
        deg = int(m.degree[i])
        told = int(pop.told[i])
        k = min(int(pop.tell_left[i]), m.cfg.wom.tells_per_day, max(deg - told, 0))
        base = int(m.graph.indptr[i])
        start = int(pop.cursor[i]) + told
        messages = []
        for j in range(k):
            entry = base + (start + j) % deg
            used, weight = self.tie(entry)
            if used:
                messages.append((int(m.graph.indices[entry]), weight))
        if pop.firsthand[i]:
            m.today.firsthand_wom += len(messages)
        pop.told[i] += k
        pop.reached[i] += len(messages)
        pop.tell_left[i] -= len(messages)
        if pop.tell_left[i] <= 0 or pop.told[i] >= deg:
            m.close_telling(np.array([i]))
        return messages

    def random_friend(self) -> Messages:
        """A message to one friend drawn uniformly, if their tie carries it."""
        m = self.model
        entry = int(m.graph.indptr[self.index]) + int(m.rng.random() * int(m.degree[self.index]))
        used, weight = self.tie(entry)
        return [(int(m.graph.indices[entry]), weight)] if used else []

    def hear_negative(self, messages: float) -> None:
        """Bad news: a customer's loyalty falls (retention feels a share of it); a prospect remembers."""
        m, i, pop, w = self.model, self.index, self.model.pop, self.model.cfg.wom
        if pop.member[i] == ACTIVE:
            pop.loyalty[i] = rules.hear_negative(pop.loyalty[i], messages, w.negative_effect * w.retention_share)
            pop.loyalty_day[i] = m.day
            pop.mood[i] = rules.mood_after_bad_news(pop.mood[i])
        else:  # rivals' customers, non-users and former customers remember it
            pop.heard_negative[i] = self.recent_negative() + messages
            pop.heard_negative_day[i] = m.day

    def maybe_forward(self, messages: float) -> None:
        """A hearer of friends' stories (``messages``, weighted) may pass one on, unless already telling."""
        m, i, w = self.model, self.index, self.model.cfg.wom
        passes = m.rng.random() < rules.forward_probability(messages, w.forward_prob)
        if passes and rules.may_forward(m.pop.tell_left[i]):
            m.today.forwarded += 1
            m.start_telling(np.array([i]), np.array([self.story_size(w.forward_mean)]), firsthand=False)

    def hear_positive(self, messages: float, prospects_heard: dict[int, float]) -> None:
        """Praise: a customer's loyalty rises; a prospect may join tomorrow (Bass imitation)."""
        m, i, pop = self.model, self.index, self.model.pop
        if pop.member[i] == ACTIVE:
            pop.loyalty[i] = rules.hear_positive(pop.loyalty[i], messages, m.cfg.wom.positive_retention)
            pop.loyalty_day[i] = m.day
        else:  # rivals' customers, non-users and former customers
            prospects_heard[i] = messages


def step_agents(model: WomModel) -> None:
    """The day, one person at a time: the reference for the array phases.

    Morning (acquisition to complaint) per person in random order; then the cases due today are
    answered; then everyone talks, and the messages are delivered once all have spoken.
    """
    hearers, heard = model.positive_heard
    heard_praise = dict(zip(hearers.tolist(), heard.tolist(), strict=True))
    model.positive_heard = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    innovation = float(rules.adoption_probability(0, 0.0, model.cfg.acquisition, model.cfg.wom))
    model.agents.shuffle_do("start_day", heard_praise, innovation, model.defect_rates())
    for i in model.due_cases().tolist():
        model.customer(i).recover()

    negative: Messages = []
    told_by_friends: Messages = []
    positive: Messages = []
    model.agents.shuffle_do("talk", negative, told_by_friends, positive)
    if model.cfg.wom.negative_enabled:
        weak = model.cfg.network.weak_tie  # followers online weigh as weak ties
        negative.extend((v, weak) for v in model.spread_online().tolist())
        for batch in model.hearing_calendar.pop(model.day, []):  # sir: stories due to arrive today
            negative.extend((v, 1.0) for v in batch.tolist())
    deliver_negative(model, negative, told_by_friends)
    deliver_positive(model, positive)


def weigh(messages: Messages) -> dict[int, float]:
    """Summed weight of the messages each receiver got, by receiver."""
    total: dict[int, float] = defaultdict(float)
    for receiver, weight in messages:
        total[receiver] += weight
    return dict(sorted(total.items()))


def deliver_negative(model: WomModel, negative: Messages, told_by_friends: Messages) -> None:
    """Every hearer takes in all of today's bad news at once; then hearers of friends may forward."""
    model.today.negative_wom += len(negative)
    for i, messages in weigh(negative).items():
        model.customer(i).hear_negative(messages)
    for i, messages in weigh(told_by_friends).items():
        model.customer(i).maybe_forward(messages)


def deliver_positive(model: WomModel, positive: Messages) -> None:
    """Praise reaches its hearers; the prospects among them are remembered for tomorrow."""
    model.today.positive_wom += len(positive)
    prospects_heard: dict[int, float] = {}
    for i, messages in weigh(positive).items():
        model.customer(i).hear_positive(messages, prospects_heard)
    model.positive_heard = (
        np.fromiter(prospects_heard.keys(), dtype=np.int64, count=len(prospects_heard)),
        np.fromiter(prospects_heard.values(), dtype=np.float64, count=len(prospects_heard)),
    )
