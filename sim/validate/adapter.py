"""The one place where the validation studies touch the model.

Every study builds, runs and reads the model through this module, so that when the
behavioural core changes (issue 9: market of prospects, daily churn hazard, satisfaction
apart from loyalty, ``wom.process``, ``wom.negative_enabled``) or its modules move (for
example into ``sim/core/``), only this file is re-pointed. Each reader states which model
quantity it takes as the measured one; a reader returns ``None`` when the model has no such
quantity yet, and the target that needs it is reported as "not measurable" with the reason.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim import WomModel
from sim.core import config as _config
from sim.core import rules as _rules
from sim.core.diffusion import sir as _sir
from sim.core.network import Graph, from_edges, from_networkx
from sim.core.policies import handle as _handle
from sim.core.policies import load_policy as _load_policy

# Config fields that issue 9 adds; a target that needs one is not measurable until it exists.
ATTRITION_FIELD = "loyalty.baseline_attrition"  # baseline yearly attrition (banks 9.6 %, mobile 10-13 %)
NEGATIVE_SWITCH_FIELD = "wom.negative_enabled"  # one switch for every negative message
PROCESS_FIELD = "wom.process"  # told-count / independent cascade / SIR
BASS_IMITATION_FIELD = "acquisition.bass_q"  # Bass q as a rate, not per message heard

Spec = dict[str, Any]


def package_version() -> str:
    """The installed package version (``0+unknown`` when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wom-sim")
    except PackageNotFoundError:
        return "0+unknown"


# ---------------------------------------------------------------- what the model has
def config_fields() -> set[str]:
    """Dotted names of every field the model's configuration has (``wom.negative_mean``...)."""
    names: set[str] = set()

    def walk(cls: type, prefix: str) -> None:
        for f in dataclasses.fields(cls):
            name = prefix + f.name
            names.add(name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if dataclasses.is_dataclass(default):
                walk(type(default), name + ".")

    walk(_config.SimConfig, "")
    return names


def has_field(dotted: str) -> bool:
    """Whether the model's configuration has this field (a mechanism exists in this tree)."""
    return dotted in config_fields()


def default(dotted: str) -> Any:
    """The default value of a config field."""
    obj: Any = _config.SimConfig()
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------- building and running
def build_config(spec: Spec) -> _config.SimConfig:
    """A ``SimConfig`` from dotted overrides; ``"policy"`` may name a preset in ``conf/policy``.

    Example:
        >>> build_config({"customers": 50, "wom.negative_mean": 3.0}).wom.negative_mean
        3.0
    """
    cfg = _config.SimConfig()
    spec = dict(spec)
    if isinstance(spec.get("policy"), str):
        cfg.policy = _load_policy(spec.pop("policy"))
    for key, value in spec.items():
        *path, leaf = key.split(".")
        obj: Any = cfg
        for part in path:
            obj = getattr(obj, part)
        if not hasattr(obj, leaf):
            raise KeyError(f"{key}: the model has no such config field")
        setattr(obj, leaf, value)
    return cfg


@dataclass
class Run:
    """A finished run: its summary, its daily table and the model (for state readers)."""

    summary: dict[str, Any]
    model: WomModel

    def timeseries(self) -> pd.DataFrame:
        return self.model.timeseries()


def start(spec: Spec, seed: int, graph: Graph | None = None) -> WomModel:
    """Build the model for ``spec`` and ``seed`` (no agents: the arrays hold all state)."""
    cfg = build_config(spec)
    cfg.seed = seed
    return WomModel.from_config(cfg, create_agents=False, graph=graph)


def run(spec: Spec, seed: int, days: int, graph: Graph | None = None) -> Run:
    """Build and run ``days`` days."""
    model = start(spec, seed, graph)
    return Run(summary=model.run(days), model=model)


def empty_graph(n: int) -> Graph:
    """``n`` people with no ties: a market without word of mouth."""
    none = np.empty(0, dtype=np.int64)
    return from_edges(n, none, none, np.random.default_rng(0))


# ---------------------------------------------------------------- overrides for counterfactuals
def negative_wom_off() -> Spec:
    """Overrides that silence negative word of mouth in its effect on hearers.

    Uses ``wom.negative_enabled=False`` once it exists; today the nearest switch is to make
    every negative message inert for customers (``wom.negative_impact=0``) and prospects
    (``acquisition.deterrence=0``): messages are still counted, but move no one.
    """
    if has_field(NEGATIVE_SWITCH_FIELD):
        return {NEGATIVE_SWITCH_FIELD: False}
    return {"wom.negative_impact": 0.0, "acquisition.deterrence": 0.0}


def attrition_field() -> str | None:
    """The config field of the baseline yearly attrition, or ``None`` if the model has none."""
    return ATTRITION_FIELD if has_field(ATTRITION_FIELD) else None


# ---------------------------------------------------------------- readers
def summary_value(r: Run, key: str) -> float:
    """A summary figure; NaN when the key is missing (a renamed key shows up as not measured)."""
    value = r.summary.get(key)
    return float(value) if value is not None else math.nan


def wom_counts(r: Run) -> tuple[float, float]:
    """(positive, negative) word-of-mouth messages heard over the run."""
    return summary_value(r, "positive_wom_messages"), summary_value(r, "negative_wom_messages")


def yearly_attrition(r: Run) -> float:
    """Share of the starting customers lost, annualised to 365 days."""
    lost = summary_value(r, "customers_lost") / summary_value(r, "customers_start")
    days = summary_value(r, "days")
    return 1.0 - (1.0 - lost) ** (365.0 / days)


def npv(r: Run) -> float:
    """The firm's value: discounted profit over the run plus the equity of the customers left."""
    return summary_value(r, "npv_with_equity")


def repurchase_intention(model: WomModel) -> np.ndarray:
    """Each person's chance to buy again: today the model's ``loyalty`` (issue 9 keeps it for staying and buying)."""
    return np.asarray(model.pop.loyalty, dtype=np.float64)


def satisfaction(model: WomModel) -> np.ndarray | None:
    """Satisfaction as a state apart from loyalty, or ``None`` while the model has none (issue 9 item 3)."""
    value = getattr(model.pop, "satisfaction", None)
    return None if value is None else np.asarray(value, dtype=np.float64)


def failures_felt(model: WomModel) -> np.ndarray:
    """Dissatisfying failures each person has had."""
    return np.asarray(model.pop.failures)


def active(model: WomModel) -> np.ndarray:
    """Who is a customer now."""
    return np.asarray(model.pop.member == 1)  # Membership.ACTIVE


def prospects_at_start(r: Run) -> int:
    """Prospects on day 0 (the market not yet won)."""
    return int(r.timeseries()["prospects"].iloc[0])


def online_cascade_sizes(model: WomModel) -> np.ndarray | None:
    """People each online post reached, poster included; ``None`` while posts are pooled (issue 9 item 5)."""
    value = getattr(model, "cascade_sizes", None)
    return None if value is None else np.asarray(value)


def bass_imitation(cfg: _config.SimConfig) -> float | None:
    """Bass q as a daily rate, or ``None``: today imitation is a chance per positive message heard."""
    if not has_field(BASS_IMITATION_FIELD):
        return None
    return float(cfg.acquisition.bass_q)  # pragma: no cover - re-point when issue 9 lands


def handling_satisfaction(policy: Spec, delay_days: float, severity: float = 0.5) -> float:
    """Satisfaction with complaint handling under ``policy``, by the model's own rule.

    The model does not keep handling satisfaction after a case closes, so this evaluates the
    function it calls on every case (``sim.core.policies.handle``) at the given wait and severity.
    """
    cfg = build_config({f"policy.{k}": v for k, v in policy.items()})
    out = _handle(
        cfg.policy,
        np.array([severity]),
        np.array([severity * cfg.economics.ticket]),
        np.array([delay_days]),
        cfg.recovery,
        cfg.economics,
        cfg.failure,
    )
    return float(out.satisfaction[0])


# ---------------------------------------------------------------- closed forms and peers
def closed_form_retention(model: WomModel, days: int) -> float | None:
    """Expected share still active after ``days`` with failures and word of mouth off, by the rules.

    Call it on a freshly built model (day 0): it starts from each customer's current loyalty.

    At each purchase occasion a customer stays with chance ``loyalty`` and then learns
    (``loyalty += learning_rate * (ceiling - loyalty)``); occasions come with a daily chance
    ``1 / max(purchase_interval(loyalty at the last purchase), 1)``. A forward recursion over
    (day, purchases so far) per customer gives the exact expectation from each customer's
    starting loyalty. Returns ``None`` when the model churns by a daily hazard (issue 9 item 2):
    the closed form must then be derived anew.
    """
    if attrition_field() is not None:
        return None
    lc = model.cfg.loyalty
    start = repurchase_intention(model)[active(model)]
    k_max = days + 1
    loyalty = np.empty((len(start), k_max + 1))
    loyalty[:, 0] = start
    for k in range(k_max):
        loyalty[:, k + 1] = _rules.learn_from_good_encounter(loyalty[:, k], lc.ceiling, lc.learning_rate)
    # The gap after purchase k is drawn from the loyalty held at that purchase, before learning.
    basis = np.concatenate([loyalty[:, :1], loyalty[:, :-1]], axis=1)
    interval = _rules.purchase_interval(basis, lc.purchase_interval_days, lc.frequency_elasticity)
    hazard = 1.0 / np.maximum(interval, 1.0)
    alive = np.zeros((len(start), k_max + 1))
    alive[:, 0] = 1.0
    for _ in range(days):
        occasion = alive * hazard
        stay = occasion * loyalty
        alive = alive - occasion
        alive[:, 1:] += stay[:, :-1]
    return float(alive.sum(axis=1).mean())


def sir_final_sizes(n: int, m: int, tell_prob: float, stop_prob: float, runs: int, seed: int) -> np.ndarray:
    """Final sizes of the model's SIR word-of-mouth kernel on a Barabasi-Albert graph.

    Today this is ``sim.core.diffusion.sir``, the kernel the model does not yet call (issue 9 adds
    ``wom.process=sir`` to run it inside the model; re-point here then).
    """
    g = nx.barabasi_albert_graph(n, m, seed=seed)
    csr = from_networkx(g, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    return np.array([_sir(csr, tell_prob, stop_prob, np.array([0, 1, 2]), rng=rng).final_size for _ in range(runs)])


def eon_final_sizes(n: int, m: int, tell_prob: float, stop_prob: float, runs: int, seed: int) -> np.ndarray | None:
    """EoN's event-driven SIR on the same graph with the same geometric delays; ``None`` without EoN."""
    try:
        import EoN
    except ImportError:
        return None
    g = nx.barabasi_albert_graph(n, m, seed=seed)
    rng = np.random.default_rng(seed + 2)
    sizes = []
    for _ in range(runs):
        _, _, _, r = EoN.fast_nonMarkov_SIR(
            g,
            trans_time_fxn=lambda u, v: rng.geometric(tell_prob),
            rec_time_fxn=lambda u: rng.geometric(stop_prob),
            initial_infecteds=[0, 1, 2],
            rng=rng,
        )
        sizes.append(r[-1])
    return np.array(sizes)
