"""WomModel: word of mouth after service failures, one step = one day.

The day, in order: acquisition, encounters (purchase occasions, where customers also decide
to stay or leave, plus any storm), failures, disconfirmation, complaints, recovery, word of
mouth, books. Every phase works on all customers at once through the rules in
``sim/core/rules.py``; ``stepping="agents"`` runs the same rules one ``Customer`` at a time.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import mesa
import numpy as np

from sim.core import network as netbuild
from sim.core import rules
from sim.core.agents import Customer
from sim.core.config import (
    AcquisitionConfig,
    ComplaintConfig,
    EconomicsConfig,
    FailureConfig,
    LoyaltyConfig,
    NetworkConfig,
    PolicyConfig,
    RecoveryRulesConfig,
    ScenarioConfig,
    SimConfig,
    WomConfig,
    validate,
)
from sim.core.metrics import Counts, daily_reporters, summary
from sim.core.policies import handle, load_policy
from sim.core.population import Population
from sim.core.states import Membership, Mood

AGENTS_AUTO_LIMIT = 200_000  # above this, Customer agents are made on demand (see docs/ODD.md)
MAX_TOLD = 200  # telling histogram width


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    try:
        return version("wom-sim")
    except PackageNotFoundError:
        return "0+unknown"


def positive_among(counts: np.ndarray, watched: list[np.ndarray]) -> np.ndarray:
    """``np.flatnonzero(counts > 0)`` without scanning everyone, given all who may be positive.

    ``watched`` lists everyone whose count was raised since the last call, plus that call's
    answer; it is replaced by the new answer. Counts must rise only where they are watched
    (``start_telling``, the two praise draws); they fall anywhere.
    """
    ids = np.sort(np.concatenate(watched).astype(np.int64, copy=False)) if watched else np.empty(0, dtype=np.int64)
    ids = ids[np.r_[True, ids[1:] != ids[:-1]]] if len(ids) else ids
    ids = ids[counts[ids] > 0]
    watched[:] = [ids]
    return ids


class WomModel(mesa.Model):
    """Customers on a social network meet failures, complain, are recovered, talk, and leave."""

    def __init__(
        self,
        customers: int = 10_000,
        network: NetworkConfig | None = None,
        policy: PolicyConfig | str = "full",
        scenario: ScenarioConfig | None = None,
        failure: FailureConfig | None = None,
        complaint: ComplaintConfig | None = None,
        recovery: RecoveryRulesConfig | None = None,
        wom: WomConfig | None = None,
        loyalty: LoyaltyConfig | None = None,
        acquisition: AcquisitionConfig | None = None,
        economics: EconomicsConfig | None = None,
        graph: netbuild.Graph | None = None,
        stepping: str = "array",
        create_agents: bool | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.seed = seed
        cfg = SimConfig(
            customers=customers,
            network=network or NetworkConfig(),
            policy=load_policy(policy) if isinstance(policy, str) else policy,
            scenario=scenario or ScenarioConfig(),
            failure=failure or FailureConfig(),
            complaint=complaint or ComplaintConfig(),
            recovery=recovery or RecoveryRulesConfig(),
            wom=wom or WomConfig(),
            loyalty=loyalty or LoyaltyConfig(),
            acquisition=acquisition or AcquisitionConfig(),
            economics=economics or EconomicsConfig(),
        )
        if stepping not in ("array", "agents"):
            raise ValueError(f"stepping = {stepping!r}: must be 'array' or 'agents'")
        self.cfg = validate(cfg)
        self.policy, self.stepping = cfg.policy, stepping
        self.graph = graph if graph is not None else netbuild.build(cfg.network, customers, self.rng)
        self.degree = self.graph.degree.astype(np.int32)
        self.pop = Population(self.graph.n)
        self._init_population()
        self.day = 0
        self.today, self.totals, self.carried = Counts(), Counts(), Counts()
        self.npv = 0.0
        self.online_reach = 0.0  # reach of all live posts today (geometric decay aggregates them)
        self.telling_histogram = np.zeros(MAX_TOLD + 1, dtype=np.int64)
        # Everyone whose tell_left / praise_left may be positive: talk() reads these, not the whole population.
        self.may_tell: list[np.ndarray] = []
        self.may_praise: list[np.ndarray] = []
        self.recovery_calendar: dict[int, list[np.ndarray]] = defaultdict(list)
        self._severity_a, self._severity_b = self._beta_params(
            np.asarray(cfg.failure.cause_severity_means), cfg.failure.severity_concentration
        )
        if create_agents is None:
            create_agents = stepping == "agents" or self.pop.n <= AGENTS_AUTO_LIMIT
        if stepping == "agents" and not create_agents:
            raise ValueError("stepping='agents' needs create_agents=True")
        self._customers: dict[int, Customer] = {}
        if create_agents:
            self._customers = {i: Customer(self, i) for i in range(self.pop.n)}
        self.datacollector = mesa.DataCollector(model_reporters=daily_reporters())
        self.datacollector.collect(self)

    @classmethod
    def from_config(cls, cfg: SimConfig, **kwargs: Any) -> WomModel:
        """Build from a whole ``SimConfig`` (what the Hydra app composes)."""
        return cls(
            customers=cfg.customers,
            network=cfg.network,
            policy=cfg.policy,
            scenario=cfg.scenario,
            failure=cfg.failure,
            complaint=cfg.complaint,
            recovery=cfg.recovery,
            wom=cfg.wom,
            loyalty=cfg.loyalty,
            acquisition=cfg.acquisition,
            economics=cfg.economics,
            seed=cfg.seed,
            **kwargs,
        )

    def customer(self, index: int) -> Customer:
        """The agent viewing row ``index``, made on first use when agents are created lazily."""
        agent = self._customers.get(index)
        if agent is None:
            agent = self._customers[index] = Customer(self, index)
        return agent

    # ------------------------------------------------------------------ set-up
    def _init_population(self) -> None:
        pop, cfg, rng = self.pop, self.cfg, self.rng
        a, b = self._beta_params(np.float64(cfg.loyalty.initial_mean), cfg.loyalty.initial_concentration)
        pop.loyalty[:] = np.minimum(rng.beta(a, b, pop.n), cfg.loyalty.ceiling)
        pop.expectation[:] = cfg.failure.quality
        sigma = cfg.complaint.propensity_sigma
        pop.propensity[:] = rng.lognormal(-0.5 * sigma**2, sigma, pop.n)  # mean 1
        share = cfg.acquisition.prospect_share
        if share > 0:
            pop.member[rng.random(pop.n) < share] = Membership.PROSPECT
        interval = rules.purchase_interval(
            pop.loyalty, cfg.loyalty.purchase_interval_days, cfg.loyalty.frequency_elasticity
        )
        pop.next_purchase[:] = rng.geometric(1.0 / np.maximum(interval, 1.0)).astype(
            np.int32
        )  # memoryless: already stationary
        self.customers_start = int(np.count_nonzero(pop.member == Membership.ACTIVE))

    @staticmethod
    def _beta_params(mean: np.ndarray, concentration: float) -> tuple[np.ndarray, np.ndarray]:
        return mean * concentration, (1.0 - mean) * concentration

    def draw_severity(self, causes: np.ndarray) -> np.ndarray:
        if self.cfg.failure.severity_concentration <= 0:
            return np.asarray(self.cfg.failure.cause_severity_means)[causes]
        return self.rng.beta(self._severity_a[causes], self._severity_b[causes])

    def draw_shock_severity(self, size: int) -> np.ndarray:
        shock = self.cfg.scenario.shock
        if shock.severity_concentration <= 0:
            return np.full(size, shock.severity_mean)
        a, b = self._beta_params(np.float64(shock.severity_mean), shock.severity_concentration)
        return self.rng.beta(a, b, size)

    def draw_tells(self, mean: float | np.ndarray, size: int, dispersion: float) -> np.ndarray:
        n, p = rules.negative_binomial_params(np.asarray(mean, dtype=np.float64), dispersion)
        return np.minimum(self.rng.negative_binomial(n, p, size), np.iinfo(np.int16).max // 2)

    def in_shock(self, day: int) -> bool:
        shock = self.cfg.scenario.shock
        return shock.reach > 0 and shock.day <= day < shock.day + shock.days

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        self.day += 1
        self.today.reset()
        self.carried.add_to(self.today)
        self.carried.reset()
        if self.stepping == "agents":
            from sim.core.agents import step_agents

            step_agents(self)
        else:
            self.acquire()
            encounters, is_shock = self.meet()
            failed, severity = self.fail(encounters, is_shock)
            unhappy, severity = self.disconfirm(encounters, failed, severity)
            self.complain(unhappy, severity)
            self.recover()
            self.talk()
        self.keep_books()
        self.datacollector.collect(self)

    def acquire(self) -> None:
        """Prospects join through what they heard (Bass form)."""
        pop, acq = self.pop, self.cfg.acquisition
        if acq.prospect_share <= 0:
            return
        prospects = np.flatnonzero(pop.member == Membership.PROSPECT)
        p = rules.adoption_probability(
            pop.heard_positive_today[prospects],
            pop.heard_negative[prospects],
            acq.innovation,
            acq.imitation,
            acq.deterrence,
        )
        join = prospects[self.rng.random(len(prospects)) < p]
        pop.member[join] = Membership.ACTIVE
        pop.next_purchase[join] = self.day
        pop.heard_positive_today[:] = 0
        self.today.acquired += len(join)

    def meet(self) -> tuple[np.ndarray, np.ndarray]:
        """Purchase occasions (stay or leave, then buy) and storm encounters."""
        pop, cfg, rng, day = self.pop, self.cfg, self.rng, self.day
        due = np.flatnonzero(pop.next_purchase == day)
        due = due[pop.member[due] == Membership.ACTIVE]
        leave = rng.random(len(due)) < rules.defection_probability(pop.loyalty[due])
        verdict = pop.verdict_pending[due]
        self.today.verdicts += int(np.count_nonzero(verdict))
        self.today.bought_again += int(np.count_nonzero(verdict & ~leave))
        pop.verdict_pending[due] = False
        self.lose(due[leave])
        buyers = due[~leave]
        interval = rules.purchase_interval(
            pop.loyalty[buyers], cfg.loyalty.purchase_interval_days, cfg.loyalty.frequency_elasticity
        )
        pop.next_purchase[buyers] = day + rng.geometric(1.0 / np.maximum(interval, 1.0)).astype(np.int32)
        self.today.purchases += len(buyers)
        self.today.revenue += len(buyers) * cfg.economics.ticket
        is_shock = np.zeros(len(buyers), dtype=bool)
        if self.in_shock(day):
            candidates = np.flatnonzero((pop.member == Membership.ACTIVE) & ~pop.waiting)
            hit = candidates[rng.random(len(candidates)) < cfg.scenario.shock.reach]
            hit = np.setdiff1d(hit, buyers, assume_unique=True)
            buyers = np.concatenate([buyers, hit])
            is_shock = np.concatenate([is_shock, np.ones(len(hit), dtype=bool)])
        return buyers, is_shock

    def lose(self, leavers: np.ndarray) -> None:
        self.pop.member[leavers] = Membership.CHURNED
        self.today.lost += len(leavers)

    def fail(self, encounters: np.ndarray, is_shock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Defects arise; internal checks catch some (1:10 rule); the rest reach the customer."""
        f, rng = self.cfg.failure, self.rng
        defect = rng.random(len(encounters)) < f.rate
        defect &= ~is_shock
        stage = (
            rng.geometric(f.internal_catch_prob, int(defect.sum())) - 1
            if f.internal_catch_prob > 0
            else np.full(int(defect.sum()), f.internal_stages)
        )
        caught = stage < f.internal_stages
        self.today.internal_failures += int(caught.sum())
        self.today.rework_cost += float(rules.rework_cost(stage[caught], f.rework_cost, f.stage_cost_multiplier).sum())
        external = np.zeros(len(encounters), dtype=bool)
        external[np.flatnonzero(defect)[~caught]] = True
        severity = np.zeros(len(encounters))
        ext = np.flatnonzero(external)
        causes = rng.choice(3, size=len(ext), p=np.asarray(f.cause_shares))
        severity[ext] = self.draw_severity(causes)
        shocked = np.flatnonzero(is_shock)
        severity[shocked] = self.draw_shock_severity(len(shocked))
        external |= is_shock
        self.today.failures += int(external.sum())
        return external, severity

    def disconfirm(
        self, encounters: np.ndarray, failed: np.ndarray, severity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Performance against expectation; returns the dissatisfied and their felt severity."""
        pop, f, lc, w, rng = self.pop, self.cfg.failure, self.cfg.loyalty, self.cfg.wom, self.rng
        performance = f.quality + f.quality_noise * rng.standard_normal(len(encounters)) - severity
        expectation = pop.expectation[encounters]
        felt = rules.felt_shortfall(expectation, performance)
        unhappy = failed & (felt > f.tolerance)
        good = ~failed
        pop.expectation[encounters] = rules.ratchet_expectation(expectation, performance, f.expectation_ratchet)

        content = encounters[good]
        pop.loyalty[content] = rules.learn_from_good_encounter(pop.loyalty[content], lc.ceiling, lc.learning_rate)
        calm = content[pop.mood[content] != Mood.TERRORIST]
        pop.mood[calm[~pop.waiting[calm]]] = Mood.CONTENT
        delighted = content[
            (performance[good] - expectation[good] > f.delight_margin)
            & (rng.random(len(content)) < w.delight_tell_prob)
        ]
        self.may_praise.append(delighted)
        pop.praise_left[delighted] += self.draw_tells(w.positive_mean, len(delighted), w.positive_dispersion).astype(
            np.int16
        )

        hurt, felt_hurt = encounters[unhappy], felt[unhappy]
        pop.loyalty_before[hurt] = pop.loyalty[hurt]
        pop.loyalty[hurt] = rules.loyalty_after_failure(pop.loyalty[hurt], felt_hurt, lc.failure_impact)
        pop.severity[hurt] = felt_hurt
        pop.failures[hurt] += 1
        pop.mood[hurt[pop.mood[hurt] != Mood.TERRORIST]] = Mood.UNHAPPY
        self.start_telling(hurt, self.draw_tells(w.negative_mean, len(hurt), w.negative_dispersion), firsthand=True)
        self.post_online(int(np.count_nonzero(rng.random(len(hurt)) < w.online_post_prob)))
        self.today.dissatisfied += len(hurt)
        return hurt, felt_hurt

    def start_telling(self, tellers: np.ndarray, tells: np.ndarray, firsthand: bool) -> None:
        """Open a telling episode: the previous one's count goes to the histogram."""
        pop = self.pop
        self.close_telling(tellers)
        pop.tell_left[tellers] = np.minimum(tells, np.iinfo(np.int16).max)
        self.may_tell.append(tellers)
        pop.told[tellers] = 0
        pop.firsthand[tellers] = firsthand
        deg = self.degree[tellers]
        pop.cursor[tellers] = np.floor(self.rng.random(len(tellers)) * np.maximum(deg, 1)).astype(np.int32)

    def close_telling(self, tellers: np.ndarray) -> None:
        """End telling episodes; first-hand ones enter the histogram of how many were told."""
        pop = self.pop
        own = tellers[pop.firsthand[tellers]]
        self.telling_histogram += np.bincount(np.minimum(pop.told[own], MAX_TOLD), minlength=MAX_TOLD + 1)
        pop.firsthand[tellers] = False
        pop.tell_left[tellers] = 0

    def post_online(self, posts: int) -> None:
        self.online_reach += posts * self.cfg.wom.online_reach

    def complain(self, unhappy: np.ndarray, severity: np.ndarray) -> None:
        """A few complain; a proactive firm finds some of the rest; all are queued for recovery."""
        pop, c, pol, rng, day = self.pop, self.cfg.complaint, self.policy, self.rng, self.day
        fresh = ~pop.waiting[unhappy]
        unhappy, severity = unhappy[fresh], severity[fresh]
        p = rules.complaint_probability(
            severity,
            pop.propensity[unhappy],
            c.base_share,
            c.severity_ref,
            c.severity_elasticity,
            pol.complaint_barrier,
        )
        complains = rng.random(len(unhappy)) < p
        detected = ~complains & (rng.random(len(unhappy)) < pol.proactive_share)
        self.today.complaints += int(complains.sum())
        self.today.detected += int(detected.sum())
        cases = unhappy[complains | detected]
        pop.verdict_pending[unhappy[~(complains | detected)]] = True
        delay = pol.delay_days + (self.cfg.scenario.shock.extra_recovery_delay_days if self.in_shock(day) else 0)
        self.queue(cases, day + delay)

    def queue(self, cases: np.ndarray, due_day: int) -> None:
        pop = self.pop
        pop.waiting[cases] = True
        pop.complaint_day[cases] = self.day
        pop.mood[cases[pop.mood[cases] != Mood.TERRORIST]] = Mood.WAITING
        pop.next_purchase[cases] = np.maximum(pop.next_purchase[cases], due_day + 1)
        self.recovery_calendar[due_day].append(cases)

    def due_cases(self) -> np.ndarray:
        """Cases whose recovery falls today (or earlier: a case queued between steps is not lost)."""
        days = sorted(d for d in self.recovery_calendar if d <= self.day)
        batches = [b for d in days for b in self.recovery_calendar.pop(d)]
        return np.concatenate(batches) if batches else np.empty(0, dtype=np.int64)

    def recover(self) -> None:
        """Cases due today get the policy; justice sets satisfaction, loyalty and what they tell."""
        cases = self.due_cases()
        if len(cases) == 0:
            return
        pop, r, w, rng = self.pop, self.cfg.recovery, self.cfg.wom, self.rng
        delay = self.day - pop.complaint_day[cases]
        severity = pop.severity[cases].astype(np.float64)
        loss = severity * self.cfg.economics.ticket
        outcome = handle(self.policy, severity, loss, delay, r, self.cfg.economics, self.cfg.failure)
        sat = outcome.satisfaction
        pop.loyalty[cases] = rules.loyalty_after_recovery(
            pop.loyalty[cases],
            pop.loyalty_before[cases],
            outcome.repair,
            sat,
            pop.failures[cases] == 1,
            self.cfg.loyalty.ceiling,
            r.paradox_threshold,
            r.paradox_bonus,
            r.bad_threshold,
            r.double_deviation_penalty,
        )
        pop.waiting[cases] = False
        pop.verdict_pending[cases] = True
        self.today.recoveries += len(cases)
        self.today.recovery_cost += float(outcome.cost.sum())

        satisfied = cases[sat >= r.satisfied_threshold]
        self.today.satisfied_recoveries += len(satisfied)
        self.close_telling(satisfied)  # a good recovery stops the story in flight
        self.may_praise.append(satisfied)
        pop.praise_left[satisfied] += self.draw_tells(w.positive_mean, len(satisfied), w.positive_dispersion).astype(
            np.int16
        )
        pop.mood[satisfied[pop.mood[satisfied] != Mood.TERRORIST]] = Mood.RECOVERED
        unsatisfied = cases[sat < r.satisfied_threshold]
        pop.mood[unsatisfied[pop.mood[unsatisfied] != Mood.TERRORIST]] = Mood.UNHAPPY

        bad = sat < r.bad_threshold
        self.today.double_deviations += int(bad.sum())
        turned = rules.terrorist_probability(sat, r.bad_threshold, r.terrorist_prob)
        terror = cases[(rng.random(len(cases)) < turned) & ~pop.terrorist[cases]]
        self.make_terrorists(terror)

    def make_terrorists(self, who: np.ndarray) -> None:
        """Double deviation: the story so far is closed and a louder campaign starts."""
        pop, w = self.pop, self.cfg.wom
        pop.terrorist[who] = True
        pop.mood[who] = Mood.TERRORIST
        left = pop.tell_left[who].astype(np.int64)
        self.close_telling(who)
        louder = w.negative_mean * max(w.terrorist_tell_multiplier - 1.0, 0.0)
        self.start_telling(who, left + self.draw_tells(louder, len(who), w.negative_dispersion), firsthand=False)
        self.post_online(int(np.count_nonzero(self.rng.random(len(who)) < w.terrorist_post_prob)))
        self.today.new_terrorists += len(who)

    def talk(self) -> None:
        """Negative stories to distinct friends, praise, terrorists' retelling, online posts."""
        pop, w, rng = self.pop, self.cfg.wom, self.rng
        g = self.graph
        # Negative word of mouth: each teller reaches the next friends in its shuffled row.
        tellers = positive_among(pop.tell_left, self.may_tell)
        deg = self.degree[tellers]
        room = np.maximum(deg - pop.told[tellers], 0)
        k = np.minimum(np.minimum(pop.tell_left[tellers], w.tells_per_day), room).astype(np.int64)
        offset = np.repeat(np.cumsum(k) - k, k)
        rep = np.repeat(tellers, k)
        j = np.arange(len(rep)) - offset
        pos = g.indptr[rep] + (pop.cursor[rep] + pop.told[rep] + j) % np.maximum(self.degree[rep], 1)
        receivers = g.indices[pos]
        firsthand = pop.firsthand[rep]
        pop.told[tellers] += k.astype(np.int16)
        pop.tell_left[tellers] -= k.astype(np.int16)
        done = tellers[(pop.tell_left[tellers] <= 0) | (pop.told[tellers] >= deg)]
        self.close_telling(done)
        self.today.firsthand_wom += int(firsthand.sum())

        # Terrorists keep telling a random friend now and then, even after leaving.
        loud = np.flatnonzero(pop.terrorist)
        loud = loud[(rng.random(len(loud)) < w.terrorist_daily_tell_prob) & (self.degree[loud] > 0)]
        retold = g.indices[g.indptr[loud] + np.floor(rng.random(len(loud)) * self.degree[loud]).astype(np.int64)]

        # Online posts reach customers anywhere; their reach decays geometrically.
        online = (
            rng.integers(0, pop.n, rng.poisson(self.online_reach)) if self.online_reach > 0.5 else np.empty(0, np.int64)
        )
        self.online_reach *= w.online_decay
        self.today.online_wom += len(online)

        negative = np.concatenate([receivers, retold, online])
        self.hear_negative(negative, forwarders_from=receivers)
        self.praise()

    def hear_negative(self, receivers: np.ndarray, forwarders_from: np.ndarray) -> None:
        pop, w, rng = self.pop, self.cfg.wom, self.rng
        self.today.negative_wom += len(receivers)
        if len(receivers) == 0:
            return
        who, count = np.unique(receivers, return_counts=True)
        active = pop.member[who] == Membership.ACTIVE
        pop.loyalty[who[active]] = rules.hear_negative(pop.loyalty[who[active]], count[active], w.negative_impact)
        pop.heard_negative[who] = np.minimum(pop.heard_negative[who].astype(np.int64) + count, np.iinfo(np.int16).max)
        calm = who[active & (pop.mood[who] == Mood.CONTENT)]
        pop.mood[calm] = Mood.SWAYED
        # A hearer of a friend's story may pass it on (independent cascade, Kempe et al. 2003).
        heard = np.unique(forwarders_from)
        fwd = heard[
            (rng.random(len(heard)) < w.forward_prob)
            & (pop.tell_left[heard] == 0)
            & (pop.member[heard] != Membership.PROSPECT)
        ]
        self.start_telling(fwd, self.draw_tells(w.forward_mean, len(fwd), w.negative_dispersion), firsthand=False)

    def praise(self) -> None:
        pop, w, g, rng = self.pop, self.cfg.wom, self.graph, self.rng
        talkers = positive_among(pop.praise_left, self.may_praise)
        pop.praise_left[talkers[self.degree[talkers] == 0]] = 0  # no friends to tell
        praisers = talkers[self.degree[talkers] > 0]
        k = np.minimum(pop.praise_left[praisers], w.tells_per_day).astype(np.int64)
        pop.praise_left[praisers] -= k.astype(np.int16)
        rep = np.repeat(praisers, k)
        receivers = g.indices[g.indptr[rep] + np.floor(rng.random(len(rep)) * self.degree[rep]).astype(np.int64)]
        self.today.positive_wom += len(receivers)
        if len(receivers) == 0:
            return
        who, count = np.unique(receivers, return_counts=True)
        active = pop.member[who] == Membership.ACTIVE
        pop.loyalty[who[active]] = rules.hear_positive(
            pop.loyalty[who[active]], count[active], self.cfg.loyalty.ceiling, w.positive_impact
        )
        prospect = who[pop.member[who] == Membership.PROSPECT]
        pop.heard_positive_today[prospect] += count[pop.member[who] == Membership.PROSPECT].astype(np.int16)

    def keep_books(self) -> None:
        t, e = self.today, self.cfg.economics
        t.profit = e.gross_margin * t.revenue - t.recovery_cost - t.rework_cost
        self.npv += t.profit / (1.0 + e.annual_discount_rate) ** (self.day / 365.0)
        t.add_to(self.totals)

    # ------------------------------------------------------------------ results
    def run(self, days: int, progress: bool = False) -> dict[str, Any]:
        """Step ``days`` days and return the summary."""
        from sim.core.progress import day_bar

        with day_bar(days, enabled=progress) as bar:
            for _ in range(days):
                self.step()
                bar.update(1)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        out = summary(self)
        out["seed"] = self.seed
        out["version"] = package_version()
        out["policy"] = self.policy.name
        out["scenario"] = self.cfg.scenario.name
        out["network"] = self.cfg.network.kind
        return out

    def timeseries(self):
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def inject_failure(self, index: int, severity: float = 0.8) -> None:
        """Hit one customer with a failure now (the demo's button); it runs through the same phases."""
        today, self.today = self.today, self.carried  # today is already recorded: count it in the next day
        try:
            unhappy, felt = self.disconfirm(np.array([index]), np.array([True]), np.array([severity]))
            self.today.failures += 1
            self.complain(unhappy, felt)
        finally:
            self.today = today
