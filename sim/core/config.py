"""Parameters of the model: one dataclass per part, with defaults and their sources.

These dataclasses are both the Hydra schema (registered as ``base_*`` in ``sim/run/schema.py``)
and the plain keyword arguments of ``WomModel``, so the model builds without Hydra.
A field's ``metadata["range"]`` is its allowed closed interval, checked by ``validate``. Every
numeric field has a finite upper bound: the helpers' defaults (1,000,000 for amounts, rates and
counts) unless a field states its own; ``validate`` also checks the memory a run needs
(``sim/core/memory.py``) before anything is allocated.
Figures marked "assumption" are modelling choices without a literature figure; the rest
cite their source.
"""

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

INF = math.inf


def _p(default: float) -> Any:
    """A probability or share: allowed in [0, 1]."""
    return field(default=default, metadata={"range": (0.0, 1.0)})


# Upper bound of amounts, multipliers and counts without a bound of their own: far beyond any
# sensible setting, yet finite, so every product of settings stays a finite float.
HIGH = 1e6


def _beta_mean(default: float) -> Any:
    """The mean of a Beta distribution: strictly inside (0, 1), or one of its parameters is zero."""
    return field(default=default, metadata={"range": (1e-6, 1 - 1e-6)})


def _concentration(default: float) -> Any:
    """A Beta concentration, 0 meaning "no spread": 0, or large enough that both Beta parameters stay > 0."""
    return field(default=default, metadata={"range": (0.0, HIGH), "zero_or_at_least": 1e-6})


def _nonneg(default: float, high: float = HIGH) -> Any:
    return field(default=default, metadata={"range": (0.0, high)})


def _positive(default: float, high: float = HIGH) -> Any:
    return field(default=default, metadata={"range": (1e-12, high)})


def _count(default: int, low: int = 0, high: int = int(HIGH)) -> Any:
    return field(default=default, metadata={"range": (low, high)})


NETWORK_KINDS = ("barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block", "edgelist")


@dataclass
class NetworkConfig:
    """The social graph between customers; only the fields of the chosen ``kind`` are read."""

    kind: str = "barabasi_albert"
    m: int = _count(5, low=1)  # BA edges per new node; mean degree 2m = 10 (assumption)
    k: int = _count(10, low=2)  # WS ring neighbours
    rewire: float = _p(0.1)  # WS rewiring probability
    mean_degree: float = _positive(10.0)  # ER and SBM mean degree
    communities: int = _count(20, low=1)  # SBM blocks
    # Share of each SBM node's ties that leave its community: the weak ties that carry
    # negative word of mouth between groups (Goldenberg, Libai, Moldovan & Muller 2007).
    between_share: float = _p(0.1)
    path: str = ""  # edgelist: file of "u v" lines, node ids 0..n-1


@dataclass
class PolicyConfig:
    """What a complaint (or a detected failure) gets from the firm."""

    name: str = "full"
    apology: bool = True  # interactional justice: sincere apology at once
    fix: bool = True  # the problem is solved (outcome justice)
    first_contact: bool = True  # solved by the first person met (procedural justice)
    compensation_ratio: float = _nonneg(1.25)  # paid as a multiple of the customer's loss
    delay_days: int = _count(0)  # days from complaint to recovery
    complaint_barrier: float = _positive(1.0)  # effort to complain, 1 = typical; divides the complaint chance
    proactive_share: float = _p(0.0)  # share of external failures the firm finds without a complaint
    guarantee_payout: float = _nonneg(0.0)  # paid on every detected or claimed failure, as a multiple of the loss


@dataclass
class ShockConfig:
    """A mass failure such as the jetBlue ice storm (Feb 2007): many fail at once, recovery late."""

    day: int = _count(60)
    days: int = _count(6, low=1)  # jetBlue: more than 1,000 flights cancelled over 6 days
    reach: float = _p(0.0)  # share of active customers meeting the storm each shock day (0 = no shock)
    severity_mean: float = _beta_mean(0.7)  # assumption: stranded for hours is a large loss
    severity_concentration: float = _concentration(8.0)  # Beta concentration; 0 = every hit has severity_mean
    extra_recovery_delay_days: int = _count(5)  # jetBlue's refunds and vouchers came days late


@dataclass
class ScenarioConfig:
    name: str = "baseline"
    shock: ShockConfig = field(default_factory=ShockConfig)


@dataclass
class FailureConfig:
    """Service encounters and how they go wrong."""

    rate: float = _p(0.05)  # chance a defect arises in an encounter (assumption), before internal checks
    internal_stages: int = _count(2, high=20)  # checks inside the firm before the customer sees the result
    internal_catch_prob: float = _p(0.3)  # chance each internal check catches a defect (assumption)
    rework_cost: float = _nonneg(1.0)  # cost of fixing a defect at the first stage
    stage_cost_multiplier: float = _positive(10.0)  # the 1:10 rule (course text)
    # Bitner, Booms & Tetreault (1990) group failures by cause: delivery system, response to
    # customer needs, unprompted employee behaviour. Shares and severities are assumptions.
    cause_shares: list[float] = field(default_factory=lambda: [0.45, 0.25, 0.30])
    cause_severity_means: list[float] = field(default_factory=lambda: [0.45, 0.35, 0.55])
    severity_concentration: float = _concentration(4.0)  # Beta concentration of severity around the cause mean
    quality: float = _p(0.8)  # mean perceived performance of a good encounter
    quality_noise: float = _nonneg(0.05)  # spread of perceived performance
    tolerance: float = _p(0.1)  # zone of tolerance (Zeithaml, Berry & Parasuraman 1993): smaller shortfalls pass
    delight_margin: float = _nonneg(0.05)  # performance this far above expectation delights
    expectation_ratchet: float = _p(0.05)  # expectations only rise, after better-than-expected encounters


@dataclass
class ComplaintConfig:
    """Who complains. Course figure: only 5-10 % of dissatisfied customers complain (TARP)."""

    name: str = "course"
    base_share: float = _p(0.075)  # mid-point of the course's 5-10 % (TARP; Goodman 2005)
    severity_ref: float = _positive(0.47, high=1.0)  # severity at which base_share holds: mean external severity
    severity_elasticity: float = _nonneg(1.0, high=10)  # bigger problems draw more complaints (assumption)
    propensity_sigma: float = _nonneg(0.5, high=3)  # lognormal spread of personal norms to complain, mean 1


@dataclass
class RecoveryRulesConfig:
    """How a recovery is judged (justice) and what it does to loyalty."""

    # Orsingher, Valentini & de Angelis (2010): complaint satisfaction is driven most by outcome,
    # then interactional, least by procedural justice. Weights are assumptions in that order.
    w_outcome: float = _p(0.5)
    w_interactional: float = _p(0.3)
    w_procedural: float = _p(0.2)
    patience_days: float = _positive(14.0)  # speed(delay) = exp(-delay / patience); TARP: speed matters most
    size_drag: float = _p(0.18)  # large losses are never fully undone; set with the TARP table
    satisfied_threshold: float = _p(0.5)  # handling satisfaction at which the complainant counts as satisfied
    paradox_threshold: float = _p(0.9)  # recovery paradox only after an excellent recovery (de Matos et al. 2007)
    paradox_bonus: float = _p(0.5)  # share of the gap to the loyalty ceiling won on a first failure
    bad_threshold: float = _p(0.3)  # handling satisfaction below this is a double deviation
    double_deviation_penalty: float = _p(0.3)  # lands below no recovery (Maxham & Netemeyer 2002)
    terrorist_prob: float = _p(0.5)  # chance a worst-case (satisfaction 0) recovery makes a terrorist


@dataclass
class WomConfig:
    """Word of mouth over the social graph and online."""

    # Course: an unhappy customer tells ~12 people; TARP: 9-10 on average, ~13 % tell 20+:
    # a negative binomial with mean 12 and dispersion 3 gives P(tells > 20) = 13.3 %.
    negative_mean: float = _nonneg(12.0, high=1000)
    negative_dispersion: float = _positive(3.0)
    # East, Hammond & Wright (2007): good experiences are told about half as often as bad.
    positive_mean: float = _nonneg(6.0, high=1000)
    positive_dispersion: float = _positive(3.0)
    delight_tell_prob: float = _p(0.1)  # chance a delighting encounter is told (assumption)
    tells_per_day: int = _count(4, low=1, high=1000)  # a teller reaches at most this many friends a day (assumption)
    forward_prob: float = _p(0.05)  # chance a hearer passes the story on, second-hand (assumption)
    forward_mean: float = _nonneg(3.0, high=1000)  # friends told by a forwarder (assumption)
    online_post_prob: float = _p(0.05)  # chance an unhappy customer posts online (assumption)
    online_reach: float = _nonneg(30.0, high=10_000)  # customers a post reaches on its first day, anywhere (assumption)
    online_decay: float = _p(0.5)  # share of a post's reach left each next day
    terrorist_tell_multiplier: float = _nonneg(3.0)  # terrorists "actively seek to criticise" (course)
    terrorist_post_prob: float = _p(0.5)  # terrorists go public (assumption)
    terrorist_daily_tell_prob: float = _p(0.1)  # terrorists keep telling, even after leaving
    negative_impact: float = _nonneg(
        0.1
    )  # each negative message heard raises the defection chance by this share (assumption)
    positive_impact: float = _p(0.05)  # each positive message closes this share of the gap to the ceiling


@dataclass
class LoyaltyConfig:
    """Loyalty is the chance to buy again at the next purchase occasion."""

    # Jones & Sasser (1995), Xerox: totally satisfied customers were 6x as likely to repurchase
    # as merely satisfied ones: defection 0.5 % (ceiling) against 3 % at a loyalty of 0.97.
    ceiling: float = _p(0.995)
    initial_mean: float = _beta_mean(0.99)
    initial_concentration: float = _positive(400.0)  # Beta spread of initial loyalty
    learning_rate: float = _p(0.15)  # share of the gap to the ceiling a good encounter closes
    failure_impact: float = _p(1.0)  # "100 - 1 = 0": loyalty scales by (1 - impact * felt severity)
    purchase_interval_days: float = _positive(30.0, high=3650)  # mean days between purchases at full loyalty
    frequency_elasticity: float = _nonneg(1.0, high=3)  # less loyal customers buy less often


@dataclass
class AcquisitionConfig:
    """Prospects joining through word of mouth (Bass form; Rand & Rust 2011)."""

    prospect_share: float = _p(0.0)  # share of the graph that starts as prospects (0 = no acquisition)
    innovation: float = _p(0.03 / 365)  # Bass p ~ 0.03 a year (Sultan, Farley & Lehmann 1990 mean)
    imitation: float = _p(0.02)  # daily chance per positive message heard (assumption)
    deterrence: float = _p(0.2)  # each negative message heard cuts the chance by this share (assumption)


@dataclass
class EconomicsConfig:
    ticket: float = _nonneg(50.0)  # revenue per purchase (assumption)
    gross_margin: float = _p(0.3)  # share of revenue kept before failure costs (assumption)
    handling_cost: float = _nonneg(10.0)  # staff cost per handled complaint or detected failure
    apology_cost: float = _nonneg(1.0)
    annual_discount_rate: float = _nonneg(0.10)  # for NPV


@dataclass
class SimConfig:
    """A whole run: the top-level keys ``seed``, ``days``, ``customers`` and the parts."""

    seed: int = _count(0, high=2**63 - 1)  # numpy takes any size; parquet and pandas hold 64 bits
    days: int = _count(365, low=1, high=36_500)  # a century
    customers: int = _count(10_000, low=1, high=100_000_000)  # and the memory they need (sim/core/memory.py)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    failure: FailureConfig = field(default_factory=FailureConfig)
    complaint: ComplaintConfig = field(default_factory=ComplaintConfig)
    recovery: RecoveryRulesConfig = field(default_factory=RecoveryRulesConfig)
    wom: WomConfig = field(default_factory=WomConfig)
    loyalty: LoyaltyConfig = field(default_factory=LoyaltyConfig)
    acquisition: AcquisitionConfig = field(default_factory=AcquisitionConfig)
    economics: EconomicsConfig = field(default_factory=EconomicsConfig)
    progress: bool = False  # show a progress bar (only on a terminal)


class ConfigError(ValueError):
    """A config value outside what the model allows; the message is one line."""


def validate(cfg: SimConfig) -> SimConfig:
    """Check every bounded field and the cross-field rules; raise ``ConfigError`` on the first."""
    _check_ranges(cfg, "")
    _check_rules(cfg)
    from sim.core.memory import check_memory  # imports this module

    check_memory(cfg.customers, cfg.network)
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
    shares, means = cfg.failure.cause_shares, cfg.failure.cause_severity_means
    if len(shares) != 3 or len(means) != 3:
        raise ConfigError(
            "failure.cause_shares and failure.cause_severity_means: must each list 3 values (one per Bitner cause)"
        )
    if any(s < 0 for s in shares) or not math.isclose(sum(shares), 1.0, abs_tol=1e-6):
        raise ConfigError(f"failure.cause_shares = {list(shares)}: must be >= 0 and sum to 1")
    if any(not 0.0 < m < 1.0 for m in means):
        raise ConfigError(f"failure.cause_severity_means = {list(means)}: each must lie in (0, 1)")
    weights = (cfg.recovery.w_outcome, cfg.recovery.w_interactional, cfg.recovery.w_procedural)
    if not math.isclose(sum(weights), 1.0, abs_tol=1e-6):
        raise ConfigError(f"recovery.w_outcome + w_interactional + w_procedural = {sum(weights):g}: must sum to 1")
    if not cfg.recovery.bad_threshold < cfg.recovery.paradox_threshold < 1.0:
        raise ConfigError("recovery.bad_threshold < recovery.paradox_threshold < 1: must hold")
    if cfg.loyalty.initial_mean > cfg.loyalty.ceiling:
        raise ConfigError(
            f"loyalty.initial_mean = {cfg.loyalty.initial_mean}: must be <= loyalty.ceiling ({cfg.loyalty.ceiling})"
        )
    if cfg.scenario.shock.reach > 0 and cfg.scenario.shock.day >= cfg.days:
        raise ConfigError(f"scenario.shock.day = {cfg.scenario.shock.day}: must be < days ({cfg.days})")
