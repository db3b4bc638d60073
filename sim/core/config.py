"""Parameters of the model: one dataclass per part, with defaults and their sources.

These dataclasses are both the Hydra schema (registered as ``base_*`` in ``sim/run/schema.py``)
and the plain keyword arguments of ``WomModel``, so the model builds without Hydra.
A field's ``metadata["range"]`` is its allowed closed interval, checked by ``validate``. Every
numeric field has a finite upper bound: the helpers' defaults (1,000,000 for amounts, rates and
counts) unless a field states its own; ``validate`` also checks the memory a run needs
(``sim/core/memory.py``) before anything is allocated.
A field's ``metadata["source"]`` says where its default comes from, machine-readably (listed by
``python -m sim.core.sources``; ``tests/test_config_sources.py`` requires one on every field):
a citation "Authors (year, venue)"; "fitted: <target>" for a value calibrated to a target
(``docs/validation.md``); "assumption" (or "assumption: reason") for a modelling choice without a
literature figure; "setting" for run settings and the firm's policy levers, which are no model figure.
"""

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from sim.core.errors import ConfigError
from sim.core.memory import check_memory

INF = math.inf


def _p(default: float, *, source: str) -> Any:
    """A probability or share: allowed in [0, 1]."""
    return field(default=default, metadata={"range": (0.0, 1.0), "source": source})


# Upper bound of amounts, multipliers and counts without a bound of their own: far beyond any
# sensible setting, yet finite, so every product of settings stays a finite float.
HIGH = 1e6


def _beta_mean(default: float, *, source: str) -> Any:
    """The mean of a Beta distribution: strictly inside (0, 1), or one of its parameters is zero."""
    return field(default=default, metadata={"range": (1e-6, 1 - 1e-6), "source": source})


def _concentration(default: float, *, source: str) -> Any:
    """A Beta concentration, 0 meaning "no spread": 0, or large enough that both Beta parameters stay > 0."""
    return field(default=default, metadata={"range": (0.0, HIGH), "zero_or_at_least": 1e-6, "source": source})


def _nonneg(default: float, high: float = HIGH, *, source: str) -> Any:
    return field(default=default, metadata={"range": (0.0, high), "source": source})


def _positive(default: float, high: float = HIGH, *, source: str) -> Any:
    return field(default=default, metadata={"range": (1e-12, high), "source": source})


def _count(default: int, low: int = 0, high: int = int(HIGH), *, source: str) -> Any:
    return field(default=default, metadata={"range": (low, high), "source": source})


def _setting(default: Any) -> Any:
    """A run setting that is no model figure: a name, a selector, a switch or a file path."""
    return field(default=default, metadata={"source": "setting"})


def _list(*values: float, source: str) -> Any:
    """A list of figures (checked by ``validate``'s rules, not by a range)."""
    return field(default_factory=lambda: list(values), metadata={"source": source})


# Primary sources cited by several fields.
TARP = "TARP (1986, Consumer Complaint Handling in America: An Update Study)"
NETWORK_KINDS = ("stochastic_block", "barabasi_albert", "watts_strogatz", "erdos_renyi", "edgelist")
WOM_PROCESSES = ("told_count", "independent_cascade", "sir")
MARKETS = ("steady", "new_product")


@dataclass
class NetworkConfig:
    """The social graph of the market (customers and prospects); only the chosen ``kind``'s fields are read."""

    # Default: communities joined by weak ties, the structure in which Goldenberg, Libai, Moldovan &
    # Muller (2007, IJRM) find negative word of mouth costly. Mean degree 30 (assumption): people
    # hold many more conversations than that (Keller Fay 2006: ~56 brand conversations a week), and
    # it lets TARP's tail of 20+ tells happen among distinct friends.
    kind: str = _setting("stochastic_block")
    mean_degree: float = _positive(  # stochastic_block and erdos_renyi
        30.0, source="assumption: fewer than the ~56 brand conversations a week of Keller Fay (2006)"
    )
    community_size: int = _count(40, low=2, source="assumption")  # stochastic_block: people per community
    # Share of each person's ties that leave the community: the weak ties (assumption; the ETACE
    # replication of Goldenberg et al. uses 8 weak ties beside a 9-person clique).
    between_share: float = _p(0.25, source="assumption")
    # barabasi_albert edges per new node: mean degree 2m = 30 (assumption, as mean_degree)
    m: int = _count(15, low=1, source="assumption: mean degree 2m = 30, as mean_degree")
    # watts_strogatz ring neighbours: mean degree 30 (assumption, as mean_degree)
    k: int = _count(30, low=2, source="assumption: mean degree 30, as mean_degree")
    rewire: float = _p(0.1, source="assumption")  # watts_strogatz rewiring probability (assumption)
    # Tie strength: the chance a tie carries a story or a recommendation, and the weight of what it
    # carries. Strong ties are activated more often and sway more (Brown & Reingen 1987, JCR); weak
    # ties bridge groups (Granovetter 1973, AJS). Strong inside a community, weak between; on graphs
    # without communities from shared friends (embeddedness, Onnela et al. 2007, PNAS). The two
    # figures are assumptions; only their order is sourced.
    strong_tie: float = _p(1.0, source="assumption: strong > weak per Brown & Reingen (1987, JCR)")
    weak_tie: float = _p(0.25, source="assumption: strong > weak per Brown & Reingen (1987, JCR)")
    path: str = _setting("")  # edgelist: file of "u v" lines, node ids 0..n-1


@dataclass
class MarketConfig:
    """The people around the firm's customers: prospects who hear, tell and may join."""

    name: str = _setting("steady")  # steady (switching both ways, the default) or new_product (Bass p, q)
    share: float = field(  # firm's customers / market (assumption)
        default=0.25, metadata={"range": (1e-3, 1.0), "source": "assumption"}
    )
    # Customers cluster: brand choice runs among friends (Reingen, Foster, Brown & Seidman 1984,
    # JCR). Each community's share of the firm's customers is Beta with mean market.share and this
    # concentration (low: communities nearly all-or-nothing; 0: customers placed at random). The
    # figure is an assumption.
    concentration: float = _concentration(4.0, source="assumption: clustering per Reingen et al. (1984, JCR)")


@dataclass
class PolicyConfig:
    """What a complaint (or a detected failure) gets from the firm.

    The firm's levers: which recovery to study is the user's choice (``policy=`` presets), so
    they are settings, not figures of the model.
    """

    name: str = _setting("full")
    apology: bool = _setting(True)  # interactional justice: sincere apology at once
    fix: bool = _setting(True)  # the problem is solved (outcome justice)
    first_contact: bool = _setting(True)  # solved by the first person met (procedural justice)
    # Paid as a multiple of the customer's loss.
    compensation_ratio: float = _nonneg(1.25, source="setting: policy lever")
    # "matched": the ratio times each customer's own loss; "fixed": the ratio times the mean loss,
    # the same for all (Smith, Bolton & Wagner 1999, JMR: matched beats fixed).
    compensation_basis: str = _setting("matched")
    delay_days: int = _count(0, source="setting: policy lever")  # days from complaint to recovery
    # Effort to complain, 1 = typical; divides the complaint chance.
    complaint_barrier: float = _positive(1.0, source="setting: policy lever, 1 = the barrier base_share holds at")
    # Share of external failures the firm finds without a complaint.
    proactive_share: float = _p(0.0, source="setting: policy lever")
    # Paid on every detected or claimed failure, as a multiple of the loss.
    guarantee_payout: float = _nonneg(0.0, source="setting: policy lever")


@dataclass
class ShockConfig:
    """A mass failure such as the jetBlue ice storm (Feb 2007): many fail at once, recovery late."""

    day: int = _count(60, source="setting: the storm's day")
    # jetBlue: more than 1,000 flights cancelled over 6 days (course case; no primary source at hand).
    days: int = _count(6, low=1, source="assumption: the jetBlue storm's 6 days (Feb 2007, course case)")
    # Share of active customers meeting the storm each shock day (0 = no shock; scenario=jetblue_storm sets it).
    reach: float = _p(0.0, source="setting: 0 = no shock")
    severity_mean: float = _beta_mean(0.7, source="assumption: stranded for hours is a large loss")
    # Beta concentration; 0 = every hit has severity_mean (assumption).
    severity_concentration: float = _concentration(8.0, source="assumption")
    # jetBlue's refunds and vouchers came days late (course case); 5 days is our reading (assumption).
    extra_recovery_delay_days: int = _count(
        5, source="assumption: jetBlue's refunds and vouchers came days late (Feb 2007, course case)"
    )


@dataclass
class ScenarioConfig:
    name: str = _setting("baseline")
    shock: ShockConfig = field(default_factory=ShockConfig)


@dataclass
class FailureConfig:
    """Service encounters and how they go wrong."""

    # Chance a defect arises in an encounter, before internal checks (assumption).
    rate: float = _p(0.04, source="assumption")
    # Checks inside the firm before the customer sees the result (assumption).
    internal_stages: int = _count(2, high=20, source="assumption")
    internal_catch_prob: float = _p(0.3, source="assumption")  # chance each internal check catches a defect
    rework_cost: float = _nonneg(1.0, source="assumption: the unit of cost")  # fixing a defect at the first stage
    # The 1:10 rule (course text; a rule of thumb, no primary source): assumption.
    stage_cost_multiplier: float = _positive(10.0, source="assumption: the course's 1:10 rule of thumb")
    # Bitner, Booms & Tetreault (1990, JM) group failures by cause: delivery system, response to
    # customer needs, unprompted employee behaviour. Shares, severities and the three effects below
    # are assumptions: system failures are blamed less on the firm, failed requests draw more
    # complaints (the customer already asked), rude or odd behaviour makes the better story.
    cause_shares: list[float] = _list(0.45, 0.25, 0.30, source="assumption: causes of Bitner, Booms & Tetreault")
    cause_severity_means: list[float] = _list(0.45, 0.35, 0.55, source="assumption")
    cause_blame: list[float] = _list(0.8, 1.0, 1.0, source="assumption")  # felt severity multiplier
    cause_complaint: list[float] = _list(1.0, 1.4, 0.8, source="assumption")  # complaint chance multiplier
    cause_tell: list[float] = _list(0.8, 1.0, 1.3, source="assumption")  # tell count multiplier
    # Beta concentration of severity around the cause mean (assumption).
    severity_concentration: float = _concentration(4.0, source="assumption")
    quality: float = _p(0.8, source="assumption")  # mean perceived performance of a good encounter (assumption)
    quality_noise: float = _nonneg(0.05, source="assumption")  # spread of perceived performance (assumption)
    # Zone of tolerance (Zeithaml, Berry & Parasuraman 1993): smaller shortfalls pass. The concept is
    # theirs, its width an assumption.
    tolerance: float = _p(0.1, source="assumption: width of the zone of tolerance of Zeithaml, Berry & Parasuraman")
    # Expectations only rise, after better-than-expected encounters (assumption).
    expectation_ratchet: float = _p(0.05, source="assumption")
    # Learning from complaints (the course: "record causes and measures so the whole service
    # system improves"): each recorded case per 1,000 starting customers cuts its cause's defect
    # rate by this share, down to the floor (both assumptions).
    learning_rate: float = _p(0.05, source="assumption")
    learning_floor: float = _p(0.5, source="assumption")


@dataclass
class ComplaintConfig:
    """Who complains. Course figure: only 5-10 % of dissatisfied customers complain (TARP)."""

    name: str = _setting("course")
    # Mid-point of the course's 5-10 % (TARP; Goodman 2005), fitted to the complaint share
    # (docs/validation.md).
    base_share: float = _p(
        0.075, source=f"fitted: complaint share 5-10 % of {TARP}; Goodman (2005, Quality Progress)"
    )
    # Severity at which base_share holds: near the mean felt severity of external failures at the
    # defaults (assumption).
    severity_ref: float = _positive(
        0.47, high=1.0, source="assumption: near the mean felt severity of external failures at the defaults"
    )
    # Bigger problems draw more complaints (assumption).
    severity_elasticity: float = _nonneg(1.0, high=10, source="assumption")
    # Lognormal spread of personal norms to complain, mean 1 (assumption).
    propensity_sigma: float = _nonneg(0.5, high=3, source="assumption")


@dataclass
class RecoveryRulesConfig:
    """How a recovery is judged (justice), and what it does to satisfaction and loyalty."""

    # Orsingher, Valentini & de Angelis (2010, JAMS): complaint satisfaction is driven most by
    # outcome (distributive), then interactional, least by procedural justice. Weights: assumption
    # in that order.
    w_outcome: float = _p(0.5, source="assumption: in the order of Orsingher, Valentini & de Angelis (2010, JAMS)")
    w_interactional: float = _p(0.3, source="assumption: in the order of Orsingher et al. (2010, JAMS)")
    w_procedural: float = _p(0.2, source="assumption: in the order of Orsingher et al. (2010, JAMS)")
    # Compensation's worth to the customer, a logistic in the ratio paid/loss: steepest between 60 %
    # and 120 % of the loss and flat beyond ~150 % (Gelbrich, Gaethke & Gregoire 2015, JSR;
    # Haesevoets et al. 2017). Midpoint and steepness: assumption matching that shape.
    compensation_midpoint: float = _nonneg(
        0.9, source="assumption: matching the shape of Gelbrich, Gaethke & Gregoire (2015, JSR)"
    )
    compensation_steepness: float = _positive(
        6.0, source="assumption: matching the shape of Gelbrich, Gaethke & Gregoire (2015, JSR)"
    )
    # Inside outcome (distributive) justice: the share that fixing the problem carries; paying
    # compensation carries the rest. No source gives the split; compensation is the larger part:
    # it is the recovery attribute with the strongest effect in Smith, Bolton & Wagner (1999, JMR),
    # and redress the response dimension with the strongest effect on repurchase in Davidow's
    # (2003, JSR) review (assumption).
    outcome_fix_share: float = _p(
        0.3,
        source="assumption: compensation the larger part of outcome justice, as the strongest attribute in "
        "Smith, Bolton & Wagner (1999, JMR) and Davidow (2003, JSR)",
    )
    # Inside procedural justice: the share of resolving the case at first contact; timeliness
    # carries the rest. Speed is the procedural attribute Smith, Bolton & Wagner (1999, JMR)
    # manipulate; Tax, Brown & Chandrashekaran (1998, JM) list timing among several procedural
    # elements without weights (assumption).
    procedural_first_contact_share: float = _p(
        0.3,
        source="assumption: speed the larger part, the procedural attribute of Smith, Bolton & Wagner (1999, JMR); "
        "Tax, Brown & Chandrashekaran (1998, JM) give no weights",
    )
    # Timeliness = exp(-delay / patience), inside procedural justice (assumption).
    patience_days: float = _positive(3.0, source="assumption")
    # Satisfaction with the handling s to the share of the lost loyalty won back:
    # repair_linear_share * s + (1 - repair_linear_share) * s ** repair_convexity. The linear part
    # gives every element of a recovery (apology, speed, first-contact fix, compensation) its own
    # effect on repurchase, as each has one in Davidow's (2003, JSR) review; its size is an
    # assumption. The convex part: totally satisfied customers come back far more than the merely
    # satisfied (Jones & Sasser 1995, HBR: ~6x). The exponent is fitted, with voice_repair, to
    # TARP's small-loss row; the large-loss row is held out (docs/validation.md).
    repair_linear_share: float = _p(
        0.3, source="assumption: each recovery element has its own effect on repurchase (Davidow 2003, JSR)"
    )
    repair_convexity: float = _positive(5.32, source="fitted: TARP small-loss row, complained and satisfied")
    # Complaining itself wins back this share of the loss, even when the handling disappoints
    # (TARP: 46 % of unsatisfied complainants buy again against 37 % of the silent, together with
    # what the unsatisfying answer itself wins back). Fitted.
    voice_repair: float = _p(0.064, source="fitted: TARP small-loss row, complained and not satisfied")
    # Handling satisfaction at which the complainant counts as satisfied (assumption).
    satisfied_threshold: float = _p(0.5, source="assumption")
    # Recovery paradox on satisfaction only (de Matos, Henrique & Rossi 2007, JSR meta-analysis: on
    # satisfaction, not on repurchase or word of mouth), after a first failure only (Maxham &
    # Netemeyer 2002, JR): an excellent recovery lifts satisfaction above its pre-failure level by
    # this share of the gap to 1, fully at handling satisfaction 1, from paradox_threshold up.
    # The paradox is theirs; its threshold and size are assumptions.
    paradox_threshold: float = _p(0.8, source="assumption")
    paradox_bonus: float = _p(0.3, source="assumption")
    # The paradox follows minor failures only (Magnini, Ford, Markowski & Honeycutt 2007, JSM;
    # Michel & Meuter 2008, IJSIM): its bonus fades linearly with the felt severity and is gone at
    # this severity. The fading is theirs; the value is an assumption, below the mean felt severity
    # of external failures at the defaults (0.47).
    paradox_max_severity: float = _positive(
        0.4,
        high=1.0,
        source="assumption: the paradox after minor failures only (Magnini et al. 2007, JSM; Michel & Meuter "
        "2008, IJSIM), gone at this severity",
    )
    # Double deviation (Bitner, Booms & Tetreault 1990, JM; Maxham & Netemeyer 2002, JM): a
    # complaint left unanswered, or answered without fixing the problem or paying at least the loss.
    # An answer that fixes the problem or pays the loss never is one. Otherwise, below
    # bad_threshold loyalty falls by up to this share, smoothly (not a cliff). The mechanism is
    # theirs; its threshold and penalty are assumptions.
    bad_threshold: float = _p(0.3, source="assumption")
    double_deviation_penalty: float = _p(0.3, source="assumption")
    # Chance a worst-case (satisfaction 0) recovery makes a terrorist; only a double deviation can (assumption).
    terrorist_prob: float = _p(0.5, source="assumption")
    # A satisfied complainant tells on at this share of the story (TARP grocery data: happy
    # complainants told 4-5 people, unhappy ones 9-10; secondary, no primary source at hand:
    # assumption). No praise is added: the paradox does not reach word of mouth (de Matos et al. 2007).
    recovered_tell_share: float = _p(
        0.5, source="assumption: TARP grocery figures (happy complainants told 4-5, unhappy 9-10), secondary"
    )


@dataclass
class WomConfig:
    """Word of mouth over the social graph and online."""

    # False: no negative message at all (first-hand, forwarded, terrorist, online).
    negative_enabled: bool = _setting(True)
    process: str = _setting("told_count")  # told_count, independent_cascade (Kempe et al. 2003) or sir
    # Course: an unhappy customer tells ~12 people; TARP: 9-10 on average, ~13 % tell 20+:
    # a negative binomial intention with mean 12, told only over the ties that carry it (tie
    # strength), so the realised count depends on whom the teller knows; dispersion 2 gives ~13 %
    # telling more than 20 on the default network. Both fitted to those figures
    # (docs/validation.md); the 12 is the course's rule of thumb.
    negative_mean: float = _nonneg(
        12.0, high=1000, source=f"fitted: tells per unhappy customer, the course's ~12 and the 9-10 of {TARP}"
    )
    negative_dispersion: float = _positive(2.0, source=f"fitted: ~13 % tell more than 20, {TARP}")
    # A teller reaches at most this many friends a day (assumption).
    tells_per_day: int = _count(4, low=1, high=1000, source="assumption")
    # Satisfied customers (satisfaction >= praise_threshold) recommend the firm to a random friend at
    # this daily rate. Fitted to the 3:1 ratio of positive to negative word of mouth in the
    # population (East, Hammond & Wright 2007, IJRM: all 15 of their studies). The threshold is an
    # assumption.
    positive_daily_rate: float = _p(
        0.031, source="fitted: 3:1 positive to negative word of mouth, East, Hammond & Wright (2007, IJRM)"
    )
    praise_threshold: float = _p(0.7, source="assumption")
    # Effect of one message on the hearer's purchase probability, relative: East, Hammond & Lomax
    # (2008, IJRM) measure mean shifts of about +0.20 (positive) and -0.11 (negative) on a 0-1
    # purchase-probability scale, with priors near one half: about -20 % relative for a negative
    # message (rounded; our reading). Positive messages recruit prospects through Bass imitation
    # (acquisition); on customers' loyalty they close ``positive_retention`` of the gap to 1.
    negative_effect: float = _p(
        0.2, source="East, Hammond & Lomax (2008, IJRM), our reading: -0.11 on priors near 0.5, rounded"
    )
    # Negative word of mouth deters acquisition more than four times as much as it erodes retention
    # (East, Uncles, Romaniuk & Lomax, reported by East et al. 2008; secondary): customers feel this
    # share of it (our reading).
    retention_share: float = _p(
        0.25,
        source="East, Uncles, Romaniuk & Lomax as reported by East, Hammond & Lomax (2008, IJRM), secondary; "
        "our reading of 'over four times'",
    )
    # Assumption: half the acquisition effect, per East et al.
    positive_retention: float = _p(0.05, source="assumption: half the acquisition effect, per East et al.")
    forward_prob: float = _p(0.05, source="assumption")  # chance a hearer passes the story on, second-hand
    # Friends told by a forwarder (assumption): R = 0.15, sub-critical.
    forward_mean: float = _nonneg(3.0, high=1000, source="assumption: R = 0.15, sub-critical")
    # Online posts reach the poster's followers: friends first, then people of the wider market,
    # fixed by the seed; each person's follower count is lognormal with mean online_audience and
    # log-sd online_audience_sigma (heavy-tailed, as follower counts are: Kwak, Lee, Park & Moon
    # 2010, WWW; the form and both figures are assumptions). Each viewer reshares to their own
    # followers with online_reshare_prob, so cascade depth and size come from who follows whom
    # (Goel, Watts & Goldstein 2012, EC: 70-95 % of cascades reach no one beyond the poster).
    online_post_prob: float = _p(0.05, source="assumption")  # chance an unhappy customer posts online
    online_audience: float = _nonneg(30.0, high=10_000, source="assumption")
    online_audience_sigma: float = _nonneg(1.5, high=5.0, source="assumption: heavy tail as in Kwak et al. (2010, WWW)")
    online_reshare_prob: float = _p(0.005, source="assumption")
    # Terrorists "actively seek to criticise" (course; qualitative): the multiplier is an assumption.
    terrorist_tell_multiplier: float = _nonneg(3.0, source="assumption")
    terrorist_post_prob: float = _p(0.5, source="assumption")  # terrorists go public
    # Terrorists keep telling, even after leaving (assumption).
    terrorist_daily_tell_prob: float = _p(0.1, source="assumption")
    # independent_cascade: each teller tells each friend once with this chance; sir: daily tell and
    # stop chances (sim/core/diffusion.py). Assumptions: everyone who hears tells, so SIR stays below
    # the epidemic threshold only with few tells (R ~ 0.7 on degree 30); told_count is the default.
    cascade_prob: float = _p(0.4, source="assumption")
    sir_tell_prob: float = _p(0.006, source="assumption")
    sir_stop_prob: float = _p(0.25, source="assumption")


@dataclass
class LoyaltyConfig:
    """Loyalty: the chance to buy from the firm at a purchase occasion, and what keeps a customer."""

    # Will to buy again of a customer without a problem: fitted so that a quick, full recovery can
    # bring a complainant back to TARP's 95 % (small loss).
    initial_mean: float = _beta_mean(0.97, source="fitted: TARP small-loss row, satisfied quickly (95 %)")
    initial_concentration: float = _positive(50.0, source="assumption")  # Beta spread of initial loyalty (assumption)
    ceiling: float = _p(0.99, source="assumption")  # highest loyalty (assumption)
    # Churn is a hazard per day, not per purchase: at loyalty L it is the baseline times
    # exp(churn_sensitivity * (initial_mean - L)). Yearly attrition ~10 %: retail banks 9.6 % (J.D.
    # Power 2012, secondary), postpaid mobile 10-13 % (carrier reports). Fitted to that band at
    # the defaults (10.3 % with failures on).
    baseline_attrition: float = field(
        default=0.085,
        metadata={
            "range": (0.0, 0.99),
            "source": "fitted: yearly attrition 9.6 % (J.D. Power 2012 retail banking, secondary) to 10-13 % "
            "(postpaid mobile, carrier reports)",
        },
    )
    # A failure's (and a message's) effect on loyalty fades back to the customer's own level with
    # this half-life (assumption; win-back is far likelier within 90 days: Dillard & Bates).
    half_life_days: float = _positive(90.0, source="assumption")
    # "100 - 1 = 0" (course slogan, no primary source): loyalty scales by (1 - impact * felt severity).
    failure_impact: float = _p(1.0, source="assumption: the course's '100 - 1 = 0'")
    # Mean days between purchase occasions (assumption).
    purchase_interval_days: float = _positive(30.0, high=3650, source="assumption")
    # Churn is a proportional hazard in loyalty, exp(sensitivity * (initial_mean - L)) times the
    # baseline (Bolton 1998, Marketing Science). ln(6) / 0.5: loyalty 0.4 leaves six times as
    # fast as 0.9, Jones & Sasser's (1995, HBR) six-fold gap between the totally and the merely
    # satisfied (our reading).
    churn_sensitivity: float = _nonneg(
        math.log(6.0) / 0.5,
        high=100,
        source="Bolton (1998, Marketing Science) form; Jones & Sasser (1995, HBR) six-fold ratio, our reading",
    )


@dataclass
class SatisfactionConfig:
    """Satisfaction (an attitude, what word of mouth follows), kept apart from loyalty."""

    initial_mean: float = _beta_mean(0.8, source="assumption")  # assumption
    initial_concentration: float = _positive(20.0, source="assumption")  # Beta spread (assumption)
    good_level: float = _p(0.85, source="assumption")  # where good encounters pull satisfaction (assumption)
    good_rate: float = _p(0.2, source="assumption")  # share of the way a good encounter moves it (assumption)


@dataclass
class AcquisitionConfig:
    """Prospects joining through word of mouth, in Bass form (agent-based as Rand & Rust 2011)."""

    enabled: bool = _setting(True)
    # A mature market by default: the other people are rivals' customers and non-users who switch
    # to the firm in Bass form (daily hazard p/365 plus imitation: each positive message heard
    # adds (q/365) / wom.positive_daily_rate). Bass's new-product coefficients p ~ 0.03, q ~ 0.38
    # (Sultan, Farley & Lehmann 1990, JMR meta-analysis, secondary) scaled by one common factor,
    # fitted so that the firm's base is stationary at the defaults (failures on);
    # ``market=new_product`` restores them for a firm entering the market.
    innovation: float = _p(0.0126, source="fitted: stationary customer base (one factor on Bass p and q)")
    imitation: float = _nonneg(0.1596, source="fitted: stationary customer base (one factor on Bass p and q)")
    # Former customers can be won back at this multiple of the switching hazard (assumption;
    # reacquisition as its own process: Thomas, Blattberg & Fox 2004, JMR). Terrorists never return.
    win_back: float = _nonneg(1.0, high=100, source="assumption")


@dataclass
class EconomicsConfig:
    ticket: float = _nonneg(50.0, source="assumption")  # revenue per purchase (assumption)
    gross_margin: float = _p(0.3, source="assumption")  # share of revenue kept before failure costs (assumption)
    # Staff cost per handled complaint or detected failure (assumption).
    handling_cost: float = _nonneg(10.0, source="assumption")
    apology_cost: float = _nonneg(1.0, source="assumption")  # cost of an apology (assumption)
    # Winning a customer costs about 5x keeping one (course figure, a rule of thumb; reported range
    # 2x-20x): five times the handling cost plus a ticket's margin (assumption).
    acquisition_cost: float = _nonneg(
        65.0, source="assumption: the course's rule of thumb, 5x the handling cost, plus a ticket's margin"
    )
    annual_discount_rate: float = _nonneg(0.10, source="assumption")  # for NPV (assumption)


@dataclass
class SimConfig:
    """A whole run: the top-level keys ``seed``, ``days``, ``customers`` and the parts."""

    # numpy takes any size; parquet and pandas hold 64 bits
    seed: int = _count(0, high=2**63 - 1, source="setting")
    days: int = _count(365, low=1, high=36_500, source="setting")  # a century
    # The firm's customers at the start; the market around them is larger (market.share), and the
    # memory both need is checked (sim/core/memory.py).
    customers: int = _count(10_000, low=1, high=100_000_000, source="setting")
    network: NetworkConfig = field(default_factory=NetworkConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    failure: FailureConfig = field(default_factory=FailureConfig)
    complaint: ComplaintConfig = field(default_factory=ComplaintConfig)
    recovery: RecoveryRulesConfig = field(default_factory=RecoveryRulesConfig)
    wom: WomConfig = field(default_factory=WomConfig)
    loyalty: LoyaltyConfig = field(default_factory=LoyaltyConfig)
    satisfaction: SatisfactionConfig = field(default_factory=SatisfactionConfig)
    acquisition: AcquisitionConfig = field(default_factory=AcquisitionConfig)
    economics: EconomicsConfig = field(default_factory=EconomicsConfig)
    progress: bool = _setting(False)  # show a progress bar (only on a terminal)


def market_size(customers: int, share: float) -> int:
    """People in the market around ``customers`` customers holding ``share`` of it."""
    return max(customers, round(customers / share))


def validate(cfg: SimConfig) -> SimConfig:
    """Check every bounded field and the cross-field rules; raise ``ConfigError`` on the first."""
    _check_ranges(cfg, "")
    _check_rules(cfg)
    check_memory(cfg.customers, cfg.network, people=market_size(cfg.customers, cfg.market.share))
    return cfg


def _check_ranges(obj: Any, prefix: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _check_ranges(value, name + ".")
            continue
        bounds = f.metadata.get("range")
        if bounds is None:
            continue
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, int | float) or not (low <= value <= high):
            allowed = f"[{_bound(low)}, {_bound(high)}]" if high != INF else f">= {_bound(low)}"
            raise ConfigError(f"{name} = {value!r}: must be a number in {allowed}")
        smallest = f.metadata.get("zero_or_at_least")
        if smallest is not None and 0 < value < smallest:
            raise ConfigError(f"{name} = {value!r}: must be 0 or a number in [{_bound(smallest)}, {_bound(high)}]")


def _bound(x: float) -> str:
    if isinstance(x, int):
        return str(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _check_rules(cfg: SimConfig) -> None:
    if cfg.network.kind not in NETWORK_KINDS:
        raise ConfigError(f"network.kind = {cfg.network.kind!r}: must be one of {', '.join(NETWORK_KINDS)}")
    if cfg.network.kind == "edgelist" and not cfg.network.path:
        raise ConfigError("network.path is empty: network=edgelist needs network.path=FILE")
    if cfg.network.kind != "edgelist" and cfg.network.path:
        raise ConfigError(
            f"network.path = {cfg.network.path!r}: only read with network=edgelist (add network=edgelist, "
            f"or drop network.path to use {cfg.network.kind})"
        )
    if cfg.market.name not in MARKETS:
        raise ConfigError(f"market.name = {cfg.market.name!r}: must be one of {', '.join(MARKETS)}")
    if cfg.wom.process not in WOM_PROCESSES:
        raise ConfigError(f"wom.process = {cfg.wom.process!r}: must be one of {', '.join(WOM_PROCESSES)}")
    if cfg.policy.compensation_basis not in ("matched", "fixed"):
        raise ConfigError(f"policy.compensation_basis = {cfg.policy.compensation_basis!r}: must be matched or fixed")
    f = cfg.failure
    shares, means = f.cause_shares, f.cause_severity_means
    for name in ("cause_shares", "cause_severity_means", "cause_blame", "cause_complaint", "cause_tell"):
        values = getattr(f, name)
        if len(values) != 3 or any(not math.isfinite(x) or x < 0 for x in values):
            raise ConfigError(f"failure.{name} = {list(values)}: must list 3 numbers >= 0 (one per Bitner cause)")
    if any(s < 0 for s in shares) or not math.isclose(sum(shares), 1.0, abs_tol=1e-6):
        raise ConfigError(f"failure.cause_shares = {list(shares)}: must be >= 0 and sum to 1")
    if any(not 0.0 < m < 1.0 for m in means):
        raise ConfigError(f"failure.cause_severity_means = {list(means)}: each must lie in (0, 1)")
    weights = (cfg.recovery.w_outcome, cfg.recovery.w_interactional, cfg.recovery.w_procedural)
    if not math.isclose(sum(weights), 1.0, abs_tol=1e-6):
        raise ConfigError(f"recovery.w_outcome + w_interactional + w_procedural = {sum(weights):g}: must sum to 1")
    if not cfg.recovery.bad_threshold < cfg.recovery.paradox_threshold < 1.0:
        raise ConfigError("recovery.bad_threshold < recovery.paradox_threshold < 1: must hold")
    if any(b > 1 for b in f.cause_blame):
        raise ConfigError(f"failure.cause_blame = {list(f.cause_blame)}: each must lie in [0, 1]")
    if cfg.loyalty.initial_mean >= 1.0:
        raise ConfigError("loyalty.initial_mean = 1: must be < 1 (the churn hazard is relative to 1 - initial_mean)")
    if cfg.loyalty.initial_mean > cfg.loyalty.ceiling:
        raise ConfigError(
            f"loyalty.initial_mean = {cfg.loyalty.initial_mean}: must be <= loyalty.ceiling ({cfg.loyalty.ceiling})"
        )
    if cfg.scenario.shock.reach > 0 and cfg.scenario.shock.day >= cfg.days:
        raise ConfigError(f"scenario.shock.day = {cfg.scenario.shock.day}: must be < days ({cfg.days})")
