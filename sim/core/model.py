"""WomModel: word of mouth after service failures in a market, one step = one day.

The day, in order: acquisition, churn, encounters (purchase occasions plus any storm),
failures, disconfirmation, complaints, recovery, word of mouth, books. Every phase works on
all people at once through the rules in ``sim/core/rules.py``; ``stepping="agents"`` runs the
same rules one ``Customer`` at a time (``sim/core/agents.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import mesa
import numpy as np

from sim.core import network as netbuild
from sim.core import rules
from sim.core.agents import Customer
from sim.core.calendar import DayCalendar
from sim.core.config import SimConfig, market_size, validate
from sim.core.diffusion import sir
from sim.core.followers import follower_counts
from sim.core.keyed import KeyedRandom, Purpose, beta_table
from sim.core.memory import keep_freed_memory
from sim.core.metrics import Counts, DailyRecord, summary
from sim.core.policies import handle, load_policy
from sim.core.population import Population
from sim.core.states import Membership, Mood

AGENTS_AUTO_LIMIT = 200_000  # above this many people, Customer agents are made on demand (see docs/ODD.md)
MAX_TOLD = 200  # telling histogram width
INT16_MAX = np.iinfo(np.int16).max


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    """The installed version, recorded in each summary and manifest row (``0+unknown`` from a bare source tree)."""
    try:
        return version("wom-sim")
    except PackageNotFoundError:
        return "0+unknown"


def distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` by a sort: numpy 2's hash-based ``np.unique`` is ten to twenty times slower."""
    a = np.sort(a, axis=None)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def positive_among(counts: np.ndarray, watched: list[np.ndarray]) -> np.ndarray:
    """``np.flatnonzero(counts > 0)`` without scanning everyone, given all who may be positive.

    ``watched`` lists everyone whose count was raised since the last call, plus that call's
    answer; it is replaced by the new answer. Counts must rise only where they are watched
    (``start_telling``); they fall anywhere.
    """
    ids = np.sort(np.concatenate(watched).astype(np.int64, copy=False)) if watched else np.empty(0, dtype=np.int64)
    ids = ids[np.r_[True, ids[1:] != ids[:-1]]] if len(ids) else ids
    ids = ids[counts[ids] > 0]
    watched[:] = [ids]
    return ids


class WomModel(mesa.Model):
    """Customers and prospects on a social network; failures, complaints, recovery, talk, churn."""

    def __init__(
        self,
        config: SimConfig | None = None,
        *,
        graph: netbuild.Graph | None = None,
        stepping: str = "array",
        create_agents: bool | None = None,
        **overrides: Any,
    ) -> None:
        """Build from a ``SimConfig``; keyword overrides replace its top-level fields.

        ``WomModel(customers=2000, policy="none", seed=1)`` is the keyword convenience: a policy
        may be given by preset name, every other part as its config dataclass.
        """
        cfg = config if config is not None else SimConfig()
        if isinstance(overrides.get("policy"), str):
            overrides["policy"] = load_policy(overrides["policy"])
        unknown = set(overrides) - {f.name for f in dataclasses.fields(SimConfig)}
        if unknown:
            raise TypeError(f"WomModel: unknown settings {sorted(unknown)}")
        cfg = validate(dataclasses.replace(cfg, **overrides))
        keep_freed_memory()  # large runs reuse freed arrays instead of faulting fresh pages in every day
        super().__init__(rng=cfg.seed)
        if stepping not in ("array", "agents"):
            raise ValueError(f"stepping = {stepping!r}: must be 'array' or 'agents'")
        self.cfg, self.seed = cfg, cfg.seed
        # Every draw of the day is keyed to (seed, purpose, person, day): runs that differ in one
        # setting share the draws of everyone that setting does not touch (sim/core/keyed.py).
        self.keyed = KeyedRandom(cfg.seed)
        self.policy, self.stepping = cfg.policy, stepping
        n = market_size(cfg.customers, cfg.market.share) if graph is None else graph.n
        if n < cfg.customers:
            raise ValueError(f"graph has {n} people: fewer than customers ({cfg.customers})")
        net = cfg.network
        if graph is None:
            graph = netbuild.build(net, n, self.rng, strong=net.strong_tie, weak=net.weak_tie)
        self.graph = graph
        self.degree = self.graph.degree.astype(np.int32)
        self.pop = Population(self.graph.n)
        self._init_population()
        self.today, self.totals, self.carried = Counts(), Counts(), Counts()
        self.npv = 0.0
        self.telling_histogram = np.zeros(MAX_TOLD + 1, dtype=np.int64)
        self.may_tell: list[np.ndarray] = []  # everyone whose tell_left may be positive (talk() reads these)
        self.recovery_calendar: dict[int, list[np.ndarray]] = defaultdict(list)
        self.hearing_calendar: dict[int, list[np.ndarray]] = defaultdict(list)  # sir: who hears on which day
        self.recorded = np.zeros(3, dtype=np.float64)  # recorded cases by cause, for learning
        # Churn by thinning: each customer's next candidate day, drawn at the highest hazard their
        # loyalty can reach before it next changes (loyalty fades monotonically towards its level).
        self.churn_calendar = DayCalendar()
        self.schedule_churn(np.flatnonzero(self.pop.member == Membership.ACTIVE))
        # Online posts alive today: their cascade's root and depth (0 = the poster's own post).
        self.posts_root = np.empty(0, dtype=np.int64)
        self.posts_depth = np.empty(0, dtype=np.int64)
        self.posts_author = np.empty(0, dtype=np.int64)
        # Each person's audience online: heavy-tailed follower counts (sim/core/followers.py).
        self.audience = follower_counts(self.pop.n, cfg.wom.online_audience, cfg.wom.online_audience_sigma, self.rng)
        self.cascades: list[int] = []  # per root post: deepest reshare depth reached
        # Prospects who heard praise today and how often: they may join tomorrow (Bass imitation).
        self.positive_heard = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        f = cfg.failure
        self._severity_a, self._severity_b = self._beta_params(
            np.asarray(f.cause_severity_means), f.severity_concentration
        )
        self.mean_loss = float(np.dot(f.cause_shares, f.cause_severity_means)) * cfg.economics.ticket
        if create_agents is None:
            create_agents = stepping == "agents" or self.pop.n <= AGENTS_AUTO_LIMIT
        if stepping == "agents" and not create_agents:
            raise ValueError("stepping='agents' needs create_agents=True")
        self._customers: dict[int, Customer] = {}
        if create_agents:
            self._customers = {i: Customer(self, i) for i in range(self.pop.n)}
        self.datacollector = DailyRecord()
        self.datacollector.collect(self)

    @classmethod
    def from_config(cls, cfg: SimConfig, **kwargs: Any) -> WomModel:
        """Build from a whole ``SimConfig`` (what the Hydra app composes)."""
        return cls(cfg, **kwargs)

    def customer(self, index: int) -> Customer:
        """The agent viewing row ``index``, made on first use when agents are created lazily."""
        agent = self._customers.get(index)
        if agent is None:
            agent = self._customers[index] = Customer(self, index)
        return agent

    # ------------------------------------------------------------------ set-up
    def _init_population(self) -> None:
        """Everyone gets a loyalty level and a satisfaction; a random ``customers`` of them are customers."""
        pop, cfg, rng = self.pop, self.cfg, self.rng
        lc, sc = cfg.loyalty, cfg.satisfaction
        a, b = self._beta_params(np.float64(lc.initial_mean), lc.initial_concentration)
        pop.loyalty_level[:] = np.minimum(rng.beta(a, b, pop.n), lc.ceiling)
        pop.loyalty[:] = pop.loyalty_level
        a, b = self._beta_params(np.float64(sc.initial_mean), sc.initial_concentration)
        pop.satisfaction[:] = rng.beta(a, b, pop.n)
        pop.expectation[:] = cfg.failure.quality
        sigma = cfg.complaint.propensity_sigma
        pop.propensity[:] = rng.lognormal(-0.5 * sigma**2, sigma, pop.n)  # mean 1
        customers = netbuild.place_customers(self.graph, cfg.customers, cfg.market.concentration, rng)
        pop.member[customers] = Membership.ACTIVE
        # Undefined without ties or without anyone outside the firm: then no clustering to report (0).
        r = netbuild.assortativity(self.graph, pop.member == Membership.ACTIVE)
        self.assortativity_start = r if math.isfinite(r) else 0.0
        # Memoryless purchase occasions: already stationary on day 1.
        pop.next_purchase[:] = rng.geometric(1.0 / max(lc.purchase_interval_days, 1.0), pop.n).astype(np.int32)
        self.customers_start = len(customers)

    @staticmethod
    def _beta_params(mean: np.ndarray, concentration: float) -> tuple[np.ndarray, np.ndarray]:
        return mean * concentration, (1.0 - mean) * concentration

    def draw_severity(self, causes: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """Severity by cause: from ``u`` by inversion when given (keyed), else from the model's stream."""
        if self.cfg.failure.severity_concentration <= 0:
            return np.asarray(self.cfg.failure.cause_severity_means)[causes]
        if u is None:
            return self.rng.beta(self._severity_a[causes], self._severity_b[causes])
        out = np.empty(len(causes))
        for c in distinct(causes).tolist():
            at = causes == c
            out[at] = beta_table(float(self._severity_a[c]), float(self._severity_b[c]))(u[at])
        return out

    def draw_shock_severity(self, size: int, u: np.ndarray | None = None) -> np.ndarray:
        shock = self.cfg.scenario.shock
        if shock.severity_concentration <= 0:
            return np.full(size, shock.severity_mean)
        a, b = self._beta_params(np.float64(shock.severity_mean), shock.severity_concentration)
        return self.rng.beta(a, b, size) if u is None else beta_table(float(a), float(b))(u)

    def keyed_count(self, purpose: Purpose, who: np.ndarray, mean: float | np.ndarray, dispersion: float) -> np.ndarray:
        """``rules.tell_counts`` for ``who``, each count keyed to its person and today."""
        return rules.tell_counts(self.keyed.uniform(purpose, who, self.day), mean, dispersion)

    def in_shock(self, day: int) -> bool:
        shock = self.cfg.scenario.shock
        return shock.reach > 0 and shock.day <= day < shock.day + shock.days

    def defect_rates(self) -> np.ndarray:
        """Today's defect chance by cause: the base rate, lowered by what complaints taught."""
        f = self.cfg.failure
        per_1000 = self.recorded / max(self.customers_start / 1000.0, 1e-9)
        return f.rate * rules.learning_factor(per_1000, f)

    # ------------------------------------------------------------------ the day
    @property
    def day(self) -> int:
        """The day being stepped (0 before the first): Mesa's own step count, one day a step."""
        return self.steps

    def step(self) -> None:
        self.today.reset()
        self.carried.add_to(self.today)
        self.carried.reset()
        if self.stepping == "agents":
            from sim.core.agents import step_agents

            step_agents(self)
        else:
            self.acquire()
            self.churn()
            encounters, is_shock = self.meet()
            failed, severity, cause = self.fail(encounters, is_shock)
            unhappy, felt = self.disconfirm(encounters, failed, severity, cause)
            self.complain(unhappy, felt)
            self.recover()
            self.talk()
        self.keep_books()
        self.datacollector.collect(self)

    def acquire(self) -> None:
        """Rivals' customers and former customers switch in, in Bass form.

        Innovators at random, imitators among yesterday's hearers of praise; former customers at
        ``acquisition.win_back`` times the rate; recent bad news deters all of them.
        """
        pop, acq, keyed, day = self.pop, self.cfg.acquisition, self.keyed, self.day
        hearers, heard = self.positive_heard
        self.positive_heard = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        joined = []
        if acq.enabled:
            # Innovation: everyone is a candidate at the highest daily chance anyone has (the same
            # people in every run with this seed); each is kept at their own chance.
            top = max(1.0, acq.win_back)
            stream = keyed.stream(Purpose.INNOVATORS, day)
            k = stream.binomial(pop.n, -math.expm1(-top * acq.innovation / 365.0))
            candidates = np.sort(stream.choice(pop.n, size=k, replace=False))
            weight = rules.switching_weight(pop.member[candidates], pop.terrorist[candidates], acq)
            candidates, weight = candidates[weight > 0], weight[weight > 0]
            outside = ~np.isin(candidates, hearers, assume_unique=True)
            candidates, weight = candidates[outside], weight[outside]
            keep = np.power(1.0 - self.cfg.wom.negative_effect, self.recent_negative(candidates)) * weight / top
            joined.append(candidates[keyed.uniform(Purpose.JOIN, candidates, day) < keep])
            weight = rules.switching_weight(pop.member[hearers], pop.terrorist[hearers], acq)
            hearers, heard, weight = hearers[weight > 0], heard[weight > 0], weight[weight > 0]
            p = rules.adoption_probability(heard, self.recent_negative(hearers), acq, self.cfg.wom, weight)
            joined.append(hearers[keyed.uniform(Purpose.IMITATE, hearers, day) < p])
        if joined:
            self.join(np.concatenate(joined))

    def recent_negative(self, who: np.ndarray) -> np.ndarray:
        """Negative messages ``who`` heard, fading with the loyalty half-life (brought up to today)."""
        pop = self.pop
        faded = rules.fade(
            pop.heard_negative[who], 0.0, self.day - pop.heard_negative_day[who], self.cfg.loyalty.half_life_days
        )
        pop.heard_negative[who] = faded
        pop.heard_negative_day[who] = self.day
        return faded

    def loyalty_now(self, who: np.ndarray) -> np.ndarray:
        """Loyalty of ``who`` today: faded back towards each level since it was last set.

        Fading is applied when loyalty is read, not every day for everyone. It pauses while a
        complaint waits for its answer (the customer neither buys nor leaves meanwhile).
        """
        pop = self.pop
        days = rules.days_fading(self.day, pop.loyalty_day[who], pop.waiting[who])
        loyalty = rules.fade(pop.loyalty[who], pop.loyalty_level[who], days, self.cfg.loyalty.half_life_days)
        pop.loyalty[who] = loyalty
        pop.loyalty_day[who] = self.day
        return loyalty

    def schedule_churn(self, who: np.ndarray) -> None:
        """Draw each customer's next churn candidate day at their highest possible hazard."""
        pop, lc = self.pop, self.cfg.loyalty
        bound = rules.churn_probability(np.minimum(pop.loyalty[who], pop.loyalty_level[who]), lc)
        pop.churn_bound[who] = bound
        live = bound > 0
        who, bound = who[live], bound[live]
        if len(who) == 0:
            return
        days = self.day + self.keyed.geometric(Purpose.CHURN_DAY, who, self.day, np.maximum(bound, 1e-12))
        days = np.minimum(days, np.iinfo(np.int32).max)
        pop.churn_day[who] = days
        self.churn_calendar.add(who, days, self.day)

    def join(self, who: np.ndarray) -> None:
        pop = self.pop
        self.today.won_back += int(np.count_nonzero(pop.member[who] == Membership.CHURNED))
        pop.member[who] = Membership.ACTIVE
        pop.mood[who] = Mood.CONTENT
        pop.loyalty[who] = pop.loyalty_level[who]
        pop.loyalty_day[who] = self.day
        self.schedule_churn(who)
        pop.next_purchase[who] = self.day
        self.today.acquired += len(who)
        self.today.acquisition_cost += len(who) * self.cfg.economics.acquisition_cost

    def churn(self) -> None:
        """Customers leave at a daily hazard of today's loyalty (thinning of the candidate days).

        A candidate drawn at the bound hazard is kept with chance hazard / bound: the same law as a
        daily draw for every customer, at the cost of the few candidates of the day.
        """
        pop, lc = self.pop, self.cfg.loyalty
        batches = self.churn_calendar.take(self.day)
        if not batches:
            return
        filed = np.concatenate(batches)
        # Only the latest filing counts, once: a customer re-filed onto the same day appears twice.
        filed = distinct(filed[(pop.churn_day[filed] == self.day) & (pop.member[filed] == Membership.ACTIVE)])
        due = filed[~pop.waiting[filed]]  # waiting customers do not leave: a fresh candidate day later
        loyalty = self.loyalty_now(due)
        keep = self.keyed.uniform(Purpose.CHURN, due, self.day) * pop.churn_bound[due] < rules.churn_probability(
            loyalty, lc
        )
        self.lose(due[keep])
        self.schedule_churn(due[~keep])
        self.schedule_churn(filed[pop.waiting[filed]])

    def lose(self, leavers: np.ndarray) -> None:
        pop = self.pop
        pop.member[leavers] = Membership.CHURNED
        self.today.lost += len(leavers)

    def meet(self) -> tuple[np.ndarray, np.ndarray]:
        """Purchase occasions (buy from the firm or a rival) and storm encounters."""
        pop, cfg, keyed, day = self.pop, self.cfg, self.keyed, self.day
        due = np.flatnonzero(pop.next_purchase == day)
        due = due[(pop.member[due] == Membership.ACTIVE) & ~pop.waiting[due]]
        gap = keyed.geometric(Purpose.PURCHASE_GAP, due, day, 1.0 / max(cfg.loyalty.purchase_interval_days, 1.0))
        pop.next_purchase[due] = day + gap
        bought = rules.buys(self.loyalty_now(due), keyed.uniform(Purpose.BUY, due, day))
        buyers = due[bought]
        self.today.purchases += len(buyers)
        self.today.lost_purchases += len(due) - len(buyers)
        self.today.revenue += len(buyers) * cfg.economics.ticket
        is_shock = np.zeros(len(buyers), dtype=bool)
        if self.in_shock(day):
            candidates = np.flatnonzero((pop.member == Membership.ACTIVE) & ~pop.waiting)
            hit = candidates[keyed.uniform(Purpose.STORM, candidates, day) < cfg.scenario.shock.reach]
            hit = np.setdiff1d(hit, buyers, assume_unique=True)
            buyers = np.concatenate([buyers, hit])
            is_shock = np.concatenate([is_shock, np.ones(len(hit), dtype=bool)])
        return buyers, is_shock

    def fail(self, encounters: np.ndarray, is_shock: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Defects arise by cause; internal checks catch some (1:10 rule); the rest reach the customer."""
        f, keyed, day = self.cfg.failure, self.keyed, self.day
        rates = rules.defect_rates_by_cause(self.defect_rates(), f)
        defect = (keyed.uniform(Purpose.DEFECT, encounters, day) < rates.sum()) & ~is_shock
        n_defects = int(defect.sum())
        who = encounters[defect]
        cumulative = np.cumsum(rates / rates.sum()) if n_defects else np.ones(3)
        causes = np.minimum(np.searchsorted(cumulative, keyed.uniform(Purpose.CAUSE, who, day), side="right"), 2)
        stage = rules.internal_catch_stage(
            keyed.geometric(Purpose.CATCH_STAGE, who, day, f.internal_catch_prob)
            if f.internal_catch_prob > 0
            else np.zeros(n_defects),
            f,
        )
        caught = stage < f.internal_stages
        self.today.internal_failures += int(caught.sum())
        self.today.rework_cost += float(rules.rework_cost(stage[caught], f.rework_cost, f.stage_cost_multiplier).sum())
        external = np.zeros(len(encounters), dtype=bool)
        ext = np.flatnonzero(defect)[~caught]
        external[ext] = True
        severity = np.zeros(len(encounters))
        cause = np.zeros(len(encounters), dtype=np.int8)
        cause[ext] = causes[~caught]
        u = keyed.uniform(Purpose.SEVERITY, encounters[ext], day)
        severity[ext] = self.draw_severity(causes[~caught], u) * np.asarray(f.cause_blame)[causes[~caught]]
        shocked = np.flatnonzero(is_shock)
        u = keyed.uniform(Purpose.STORM_SEVERITY, encounters[shocked], day)
        severity[shocked] = self.draw_shock_severity(len(shocked), u)
        external |= is_shock
        self.today.failures += int(external.sum())
        return external, severity, cause

    def disconfirm(
        self, encounters: np.ndarray, failed: np.ndarray, severity: np.ndarray, cause: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Performance against expectation; returns the dissatisfied and their felt severity."""
        pop, f = self.pop, self.cfg.failure
        noise = self.keyed.normal(Purpose.QUALITY, encounters, self.day)
        performance = f.quality + f.quality_noise * noise - severity
        expectation = pop.expectation[encounters]
        felt = rules.felt_shortfall(expectation, performance)
        unhappy = rules.is_dissatisfied(failed, felt, f)
        pop.expectation[encounters] = rules.ratchet_expectation(expectation, performance, f.expectation_ratchet)

        content = encounters[~failed]
        sc = self.cfg.satisfaction
        pop.satisfaction[content] = rules.satisfaction_after_good_encounter(pop.satisfaction[content], sc)
        pop.mood[content] = rules.next_mood(pop.mood[content], Mood.CONTENT, hold=pop.waiting[content])
        self.suffer(encounters[unhappy], felt[unhappy], cause[unhappy])
        return encounters[unhappy], felt[unhappy]

    def suffer(self, hurt: np.ndarray, felt: np.ndarray, cause: np.ndarray) -> None:
        """A dissatisfying failure: loyalty and satisfaction fall, a story and maybe a post start."""
        pop, lc, w = self.pop, self.cfg.loyalty, self.cfg.wom
        before = self.loyalty_now(hurt)
        pop.loyalty_before[hurt] = before
        pop.loyalty[hurt] = rules.loyalty_after_failure(before, felt, lc.failure_impact)
        self.schedule_churn(hurt)
        pop.satisfaction_before[hurt] = pop.satisfaction[hurt]
        pop.satisfaction[hurt] = rules.satisfaction_after_failure(pop.satisfaction[hurt], felt)
        pop.severity[hurt] = felt
        pop.cause[hurt] = cause
        pop.failures[hurt] += 1
        pop.mood[hurt] = rules.next_mood(pop.mood[hurt], Mood.UNHAPPY)
        self.today.dissatisfied += len(hurt)
        if not w.negative_enabled:
            return
        self.start_telling(
            hurt,
            self.story_size(hurt, w.negative_mean * np.asarray(self.cfg.failure.cause_tell)[cause], Purpose.TELLS),
            firsthand=True,
        )
        self.post_online(hurt[self.keyed.uniform(Purpose.POST, hurt, self.day) < w.online_post_prob])

    def story_size(self, tellers: np.ndarray, mean: float | np.ndarray, purpose: Purpose) -> np.ndarray:
        """How many friends each teller will tell (``rules.story_size``), keyed to the teller and today."""
        u = self.keyed.uniform(purpose, tellers, self.day)
        return rules.story_size(u, self.degree[tellers], mean, self.cfg.wom)

    def start_telling(self, tellers: np.ndarray, tells: np.ndarray, firsthand: bool) -> None:
        """Open a telling episode: the previous one's count goes to the histogram."""
        pop = self.pop
        self.close_telling(tellers)
        if self.cfg.wom.process == "sir" and firsthand:
            self.spread_sir(tellers)
        pop.tell_left[tellers] = np.minimum(tells, INT16_MAX)
        self.may_tell.append(tellers)
        pop.told[tellers] = 0
        pop.reached[tellers] = 0
        pop.firsthand[tellers] = firsthand
        self.today.stories += len(tellers)
        deg = self.degree[tellers]
        u = self.keyed.uniform(Purpose.CURSOR, tellers, self.day)
        pop.cursor[tellers] = np.floor(u * np.maximum(deg, 1)).astype(np.int32)

    def spread_sir(self, seeds: np.ndarray) -> None:
        """Run the event-driven SIR kernel from today's first-hand tellers; file who hears when."""
        w = self.cfg.wom
        run = sir(self.graph, w.sir_tell_prob, w.sir_stop_prob, seeds, rng=self.keyed.stream(Purpose.SIR, self.day))
        reached = np.flatnonzero(run.infected_on > 0)
        days = run.infected_on[reached]
        for d in distinct(days).tolist():
            self.hearing_calendar[self.day + d].append(reached[days == d])

    def close_telling(self, tellers: np.ndarray) -> None:
        """End telling episodes; first-hand ones enter the histogram of how many were told."""
        pop = self.pop
        own = tellers[pop.firsthand[tellers]]
        self.telling_histogram += np.bincount(np.minimum(pop.reached[own], MAX_TOLD), minlength=MAX_TOLD + 1)
        pop.firsthand[tellers] = False
        pop.tell_left[tellers] = 0

    def post_online(self, authors: np.ndarray) -> None:
        """New root posts by ``authors``: each starts a cascade of reshares (Goel, Watts & Goldstein 2012)."""
        posts = len(authors)
        if posts == 0:
            return
        roots = np.arange(len(self.cascades), len(self.cascades) + posts)
        self.cascades.extend([0] * posts)
        self.posts_root = np.concatenate([self.posts_root, roots])
        self.posts_depth = np.concatenate([self.posts_depth, np.zeros(posts, dtype=np.int64)])
        self.posts_author = np.concatenate([self.posts_author, np.asarray(authors, dtype=np.int64)])

    def complain(self, unhappy: np.ndarray, severity: np.ndarray) -> None:
        """A few complain; a proactive firm finds some of the rest; all are queued and recorded."""
        pop, c, pol, keyed, day = self.pop, self.cfg.complaint, self.policy, self.keyed, self.day
        fresh = ~pop.waiting[unhappy]
        unhappy, severity = unhappy[fresh], severity[fresh]
        cause_factor = np.asarray(self.cfg.failure.cause_complaint)[pop.cause[unhappy]]
        p = rules.complaint_probability(severity, pop.propensity[unhappy], cause_factor, c, pol.complaint_barrier)
        complains = keyed.uniform(Purpose.COMPLAIN, unhappy, day) < p
        detected = ~complains & (keyed.uniform(Purpose.DETECT, unhappy, day) < pol.proactive_share)
        self.today.complaints += int(complains.sum())
        self.today.detected += int(detected.sum())
        cases = unhappy[complains | detected]
        self.recorded += np.bincount(pop.cause[cases], minlength=3)
        self.close_episode(unhappy[~(complains | detected)])
        self.queue(cases, rules.recovery_due_day(day, pol, self.cfg.scenario.shock, self.in_shock(day)))

    def close_episode(self, who: np.ndarray) -> None:
        """A failure episode ends (no complaint, or the answer came): record the will to buy again.

        TARP asked customers whether they would buy again; here that intention is the loyalty at
        the close, the chance to buy from the firm at the next occasion.
        """
        self.today.verdicts += len(who)
        self.today.buy_again_intent += float(self.pop.loyalty[who].sum())

    def queue(self, cases: np.ndarray, due_day: int) -> None:
        pop = self.pop
        pop.waiting[cases] = True
        pop.complaint_day[cases] = self.day
        pop.mood[cases] = rules.next_mood(pop.mood[cases], Mood.WAITING)
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
        pop, r = self.pop, self.cfg.recovery
        delay = self.day - pop.complaint_day[cases]
        severity = pop.severity[cases].astype(np.float64)
        outcome = handle(
            self.policy,
            severity * self.cfg.economics.ticket,
            self.mean_loss,
            delay,
            r,
            self.cfg.economics,
            self.cfg.failure,
        )
        sat, good_answer = outcome.satisfaction, outcome.made_good
        waited = self.loyalty_now(cases)  # no fading while the case waited
        pop.loyalty[cases] = rules.loyalty_after_recovery(waited, pop.loyalty_before[cases], sat, r, good_answer)
        # The recovery paradox: after a first, minor failure only.
        pop.satisfaction[cases] = rules.satisfaction_after_recovery(
            pop.satisfaction_before[cases], sat, rules.paradox_possible(pop.failures[cases]), r, severity
        )
        pop.waiting[cases] = False
        self.schedule_churn(cases)
        self.close_episode(cases)
        pop.next_purchase[cases] = np.maximum(pop.next_purchase[cases], self.day + 1)
        self.today.recoveries += len(cases)
        self.today.recovery_cost += float(outcome.cost.sum())

        good = sat >= r.satisfied_threshold
        satisfied = cases[good]
        self.today.satisfied_recoveries += len(satisfied)
        # A satisfied complainant tells on less (TARP: 4-5 people instead of 9-10).
        pop.tell_left[satisfied] = rules.tells_after_good_recovery(pop.tell_left[satisfied], r)
        pop.mood[cases] = rules.mood_after_recovery(pop.mood[cases], good)

        # Double deviations and terrorists follow bad answers only: never one that fixed or paid the loss.
        self.today.double_deviations += int(np.count_nonzero(rules.double_deviation(sat, r, good_answer) > 0))
        turned = rules.terrorist_probability(sat, r, good_answer)
        terror = cases[(self.keyed.uniform(Purpose.TERRORIST, cases, self.day) < turned) & ~pop.terrorist[cases]]
        self.make_terrorists(terror)

    def make_terrorists(self, who: np.ndarray) -> None:
        """Double deviation: the story so far is closed and a louder campaign starts."""
        pop, w = self.pop, self.cfg.wom
        pop.terrorist[who] = True
        pop.mood[who] = Mood.TERRORIST
        self.today.new_terrorists += len(who)
        if not w.negative_enabled:
            return
        left = pop.tell_left[who].astype(np.int64)
        self.close_telling(who)
        extra = self.keyed_count(Purpose.TERRORIST_TELLS, who, rules.terrorist_extra_tells(w), w.negative_dispersion)
        self.start_telling(who, left + extra, firsthand=False)
        self.post_online(who[self.keyed.uniform(Purpose.TERRORIST_POST, who, self.day) < w.terrorist_post_prob])

    def talk(self) -> None:
        """Negative stories to distinct friends, terrorists' retelling, online cascades, praise."""
        pop, w, g = self.pop, self.cfg.wom, self.graph
        # Negative word of mouth: each teller reaches the next friends in its shuffled row.
        tellers = positive_among(pop.tell_left, self.may_tell)
        deg = self.degree[tellers]
        room = np.maximum(deg - pop.told[tellers], 0)
        k = np.minimum(np.minimum(pop.tell_left[tellers], w.tells_per_day), room).astype(np.int64)
        offset = np.repeat(np.cumsum(k) - k, k)
        rep = np.repeat(tellers, k)
        j = np.arange(len(rep)) - offset
        pos = g.indptr[rep] + (pop.cursor[rep] + pop.told[rep] + j) % np.maximum(self.degree[rep], 1)
        # A friend passed along the row hears the story only if the tie is used (strong ties more
        # often: Brown & Reingen 1987); the walk moves on either way.
        used = self.tie_used(Purpose.TIE, pos)
        pos, rep = pos[used], rep[used]
        receivers = g.indices[pos]
        spoken = np.bincount(np.searchsorted(tellers, rep), minlength=len(tellers)).astype(np.int16)
        firsthand = pop.firsthand[rep]
        pop.told[tellers] += k.astype(np.int16)
        pop.reached[tellers] += spoken
        pop.tell_left[tellers] -= spoken
        done = tellers[(pop.tell_left[tellers] <= 0) | (pop.told[tellers] >= deg)]
        self.close_telling(done)
        self.today.firsthand_wom += int(firsthand.sum())

        weights = [self.tie_weight(pos)]
        heard = [receivers]
        if w.negative_enabled:
            # Terrorists keep telling a friend now and then, even after leaving.
            loud = np.flatnonzero(pop.terrorist)
            daily = self.keyed.uniform(Purpose.TERRORIST_DAILY, loud, self.day) < w.terrorist_daily_tell_prob
            loud = loud[daily & (self.degree[loud] > 0)]
            at = self.friend_entry(loud, Purpose.TERRORIST_FRIEND)
            at = at[self.tie_used(Purpose.TERRORIST_TIE, at)]
            heard.append(g.indices[at])
            weights.append(self.tie_weight(at))
            online = self.spread_online()
            heard.append(online)
            weights.append(np.full(len(online), self.cfg.network.weak_tie))  # followers: as a weak tie
            batches = self.hearing_calendar.pop(self.day, [])
            if batches:
                scheduled = np.concatenate(batches)
                heard.append(scheduled)
                weights.append(np.ones(len(scheduled)))
        self.hear_negative(np.concatenate(heard), np.concatenate(weights), firsthand_from=len(receivers))
        self.praise()

    def tie_used(self, purpose: Purpose, entries: np.ndarray) -> np.ndarray:
        """Whether each tie (a CSR entry) carries a story today: with chance its strength."""
        strength = self.graph.strength
        if strength is None:
            return np.ones(len(entries), dtype=bool)
        return self.keyed.uniform(purpose, entries, self.day) < strength[entries]

    def tie_weight(self, entries: np.ndarray) -> np.ndarray:
        """How much a message over each tie counts for the hearer: its strength (strong ties sway more)."""
        strength = self.graph.strength
        return np.ones(len(entries)) if strength is None else strength[entries].astype(np.float64)

    def spread_online(self) -> np.ndarray:
        """Today's posts reach their authors' followers; some followers reshare, posting tomorrow.

        Followers are friends first (the front of the author's shuffled row), then people of the
        wider market fixed by the seed (keyed to author and rank), so an author's audience is the
        same every time they post: cascade depth and size come from who follows whom.
        """
        w, pop = self.cfg.wom, self.pop
        if len(self.posts_root) == 0:
            return np.empty(0, dtype=np.int64)
        post, viewers = self.followers_of(self.posts_author)
        reshare = self.keyed.uniform(Purpose.RESHARE, viewers, self.day) < w.online_reshare_prob
        roots, depth, authors = self.posts_root[post[reshare]], self.posts_depth[post[reshare]] + 1, viewers[reshare]
        # A person reshares a cascade at most once a day.
        key = np.unique(roots * np.int64(pop.n) + authors, return_index=True)[1]
        roots, depth, authors = roots[key], depth[key], authors[key]
        for root, d in zip(roots.tolist(), depth.tolist(), strict=True):
            self.cascades[root] = max(self.cascades[root], d)
        self.posts_root, self.posts_depth, self.posts_author = roots, depth, authors
        self.today.online_wom += len(viewers)
        return viewers

    def followers_of(self, authors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(post index, viewer) for every follower of each author: friends first, then the market."""
        g = self.graph
        audience = self.audience[authors]
        own = np.minimum(audience, self.degree[authors])
        post = np.repeat(np.arange(len(authors), dtype=np.int64), audience)
        rank = np.arange(len(post), dtype=np.int64) - np.repeat(np.cumsum(audience) - audience, audience)
        viewers = np.empty(len(post), dtype=np.int64)
        friend = rank < own[post]
        viewers[friend] = g.indices[g.indptr[authors[post[friend]]] + rank[friend]]
        far = ~friend
        key = authors[post[far]] * np.int64(1 << 24) + rank[far]
        viewers[far] = np.floor(self.keyed.uniform(Purpose.FOLLOWERS, key, 0) * self.pop.n).astype(np.int64)
        return post, viewers

    def hear_negative(self, receivers: np.ndarray, weights: np.ndarray, firsthand_from: int) -> None:
        """Bad news lands: each message counts by its tie's weight; hearers of friends may pass it on.

        The first ``firsthand_from`` receivers heard a friend's story today (not a post, a
        terrorist or the SIR kernel): the more (and the closer) friends told them, the likelier
        they pass it on, so dense clusters of strong ties can carry a story further.
        """
        pop, w = self.pop, self.cfg.wom
        self.today.negative_wom += len(receivers)
        if len(receivers) == 0:
            return
        who, inverse = np.unique(receivers, return_inverse=True)
        count = np.bincount(inverse, weights=weights, minlength=len(who))
        member = pop.member[who]
        active = member == Membership.ACTIVE
        customers = who[active]
        pop.loyalty[customers] = rules.hear_negative(
            self.loyalty_now(customers), count[active], w.negative_effect * w.retention_share
        )
        self.schedule_churn(customers)
        pop.heard_negative[who] = self.recent_negative(who) + count
        pop.mood[customers] = rules.mood_after_bad_news(pop.mood[customers])
        # A hearer of friends' stories may pass it on (independent cascade, Kempe et al. 2003): each
        # message is a chance forward_prob, weighted by its tie.
        from_friends = np.bincount(inverse[:firsthand_from], weights=weights[:firsthand_from], minlength=len(who))
        heard = who[from_friends > 0]
        p = rules.forward_probability(from_friends[from_friends > 0], w.forward_prob)
        passes = self.keyed.uniform(Purpose.FORWARD, heard, self.day) < p
        fwd = heard[passes & rules.may_forward(pop.tell_left[heard])]
        self.today.forwarded += len(fwd)
        self.start_telling(fwd, self.story_size(fwd, w.forward_mean, Purpose.FORWARD_TELLS), firsthand=False)

    def friend_entry(self, who: np.ndarray, purpose: Purpose) -> np.ndarray:
        """The CSR entry of one friend of each of ``who`` (all with friends), drawn uniformly."""
        u = self.keyed.uniform(purpose, who, self.day)
        return self.graph.indptr[who] + np.floor(u * self.degree[who]).astype(np.int64)

    def praise(self) -> None:
        """Satisfied customers recommend the firm to a random friend at a daily rate."""
        pop, w = self.pop, self.cfg.wom
        if w.positive_daily_rate <= 0:
            return
        # Who may recommend today: each person with the daily rate, the same people in every run.
        stream = self.keyed.stream(Purpose.PRAISERS, self.day)
        talkers = stream.choice(pop.n, size=stream.binomial(pop.n, w.positive_daily_rate), replace=False)
        talkers = np.sort(talkers[pop.member[talkers] == Membership.ACTIVE])  # a quarter are: sorted after
        talkers = talkers[rules.recommends(pop.satisfaction[talkers], w) & (self.degree[talkers] > 0)]
        at = self.friend_entry(talkers, Purpose.PRAISE_FRIEND)
        at = at[self.tie_used(Purpose.PRAISE_TIE, at)]
        receivers = self.graph.indices[at]
        self.today.positive_wom += len(receivers)
        if len(receivers) == 0:
            return
        who, inverse = np.unique(receivers, return_inverse=True)
        count = np.bincount(inverse, weights=self.tie_weight(at), minlength=len(who))
        member = pop.member[who]
        active = member == Membership.ACTIVE
        customers = who[active]
        pop.loyalty[customers] = rules.hear_positive(self.loyalty_now(customers), count[active], w.positive_retention)
        self.schedule_churn(customers)
        outside = member != Membership.ACTIVE  # rivals' customers, non-users and former customers
        self.positive_heard = (who[outside], count[outside])

    def keep_books(self) -> None:
        t, e = self.today, self.cfg.economics
        t.profit = e.gross_margin * t.revenue - t.recovery_cost - t.rework_cost - t.acquisition_cost
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
        out["market"] = self.cfg.market.name
        return out

    def timeseries(self):
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def inject_failure(self, index: int, severity: float = 0.8) -> None:
        """Hit one customer with a failure now (the demo's button); it runs through the same phases."""
        today, self.today = self.today, self.carried  # today is already recorded: count it in the next day
        try:
            unhappy, felt = self.disconfirm(
                np.array([index]), np.array([True]), np.array([severity]), np.zeros(1, dtype=np.int8)
            )
            self.today.failures += 1
            self.complain(unhappy, felt)
        finally:
            self.today = today
