"""The one place where the validation studies touch the model.

Every study builds, runs and reads the model through this module, so that when the
behavioural core changes or its modules move only this file is re-pointed. Each reader
states which model quantity it takes as the measured one. Named experiments
(``sim/conf/experiment/*.yaml``) are composed through Hydra exactly as ``python -m sim``
composes them, so a study and the command line run the same configuration.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim import WomModel
from sim.core import config as _config
from sim.core import rules as _rules
from sim.core.network import Graph, from_edges
from sim.core.policies import handle as _handle
from sim.core.policies import load_policy as _load_policy

ATTRITION_FIELD = "loyalty.baseline_attrition"  # baseline yearly attrition (banks 9.6 %, mobile 10-13 %)
NEGATIVE_SWITCH_FIELD = "wom.negative_enabled"  # one switch for every negative message
PROCESS_FIELD = "wom.process"  # told_count / independent_cascade / sir

Spec = dict[str, Any]


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


def default(dotted: str) -> Any:
    """The default value of a config field."""
    obj: Any = _config.SimConfig()
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------- building and running
@functools.lru_cache(maxsize=64)
def _composed(overrides: tuple[str, ...]) -> _config.SimConfig:
    from sim.run.job import to_sim_config
    from sim.run.plan import compose as compose_cli

    return to_sim_config(compose_cli(*overrides, job_name="validate"))


def compose(*overrides: str) -> _config.SimConfig:
    """The ``SimConfig`` that ``python -m sim OVERRIDES...`` would run (a fresh copy).

    Example:
        >>> compose("+experiment=tarp_cohort", "tarp_loss=large").market.share
        1.0
    """
    return copy.deepcopy(_composed(tuple(overrides)))


def build_config(spec: Spec, base: _config.SimConfig | None = None) -> _config.SimConfig:
    """A ``SimConfig`` from dotted overrides on ``base`` (default: the model's defaults).

    ``"policy"`` may name a preset in ``sim/conf/policy``.

    Example:
        >>> build_config({"customers": 50, "wom.negative_mean": 3.0}).wom.negative_mean
        3.0
    """
    cfg = copy.deepcopy(base) if base is not None else _config.SimConfig()
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


def start(spec: Spec, seed: int, graph: Graph | None = None, base: _config.SimConfig | None = None) -> WomModel:
    """Build the model for ``spec`` and ``seed`` (no agents: the arrays hold all state)."""
    cfg = build_config(spec, base)
    cfg.seed = seed
    return WomModel.from_config(cfg, create_agents=False, graph=graph)


def run(
    spec: Spec, seed: int, days: int, graph: Graph | None = None, base: _config.SimConfig | None = None
) -> Run:
    """Build and run ``days`` days."""
    model = start(spec, seed, graph, base)
    return Run(summary=model.run(days), model=model)


def empty_graph(n: int) -> Graph:
    """``n`` people with no ties: a market without word of mouth."""
    none = np.empty(0, dtype=np.int64)
    return from_edges(n, none, none, np.random.default_rng(0))


# ---------------------------------------------------------------- overrides for counterfactuals
def negative_wom_off() -> Spec:
    """Every negative message off: first-hand, forwarded, terrorists', online (``wom.negative_enabled``)."""
    return {NEGATIVE_SWITCH_FIELD: False}


def attrition_field() -> str:
    """The config field of the baseline yearly attrition."""
    return ATTRITION_FIELD


# ---------------------------------------------------------------- readers
def summary_value(r: Run, key: str) -> float:
    """A summary figure; NaN when the key is missing (a renamed key shows up as not measured)."""
    value = r.summary.get(key)
    return float(value) if value is not None else math.nan


def wom_counts(r: Run) -> tuple[float, float]:
    """(positive, negative) word-of-mouth messages heard over the run."""
    return summary_value(r, "positive_wom_messages"), summary_value(r, "negative_wom_messages")


def customers_by_day(r: Run) -> np.ndarray:
    """Active customers at the end of each day, day 0 (the start) included."""
    return r.timeseries()["customers"].to_numpy(dtype=np.float64)


def yearly_attrition(r: Run) -> float:
    """Customers lost over the mean number of customers, per 365 days (an annual churn rate).

    With acquisition on, the base is not the starting cohort: a bank's or a carrier's yearly
    attrition is likewise customers lost in the year over the average customer base.
    """
    lost = summary_value(r, "customers_lost")
    return lost / customers_by_day(r).mean() * 365.0 / summary_value(r, "days")


def npv(r: Run) -> float:
    """The firm's value: discounted profit over the run plus the equity of the customers left."""
    return summary_value(r, "npv_with_equity")


def repurchase_intention(model: WomModel) -> np.ndarray:
    """Each person's will to buy again: the model's ``loyalty`` (the chance to buy from the firm)."""
    return np.asarray(model.pop.loyalty, dtype=np.float64)


def satisfaction(model: WomModel) -> np.ndarray:
    """Satisfaction, the attitude kept apart from loyalty (``pop.satisfaction``)."""
    return np.asarray(model.pop.satisfaction, dtype=np.float64)


def failures_felt(model: WomModel) -> np.ndarray:
    """Dissatisfying failures each person has had."""
    return np.asarray(model.pop.failures)


def active(model: WomModel) -> np.ndarray:
    """Who is a customer now."""
    return np.asarray(model.pop.member == 1)  # Membership.ACTIVE


def handling_satisfaction(policy: Spec, delay_days: float, severity: float = 0.5) -> float:
    """Satisfaction with complaint handling under ``policy``, by the model's own rule.

    Evaluates ``sim.core.policies.handle`` (which calls ``rules.recovery_satisfaction``), the
    function the model calls on every case, at the given wait and loss.
    """
    cfg = build_config({f"policy.{k}": v for k, v in policy.items()})
    loss = severity * cfg.economics.ticket
    out = _handle(cfg.policy, np.array([loss]), loss, np.array([delay_days]), cfg.recovery, cfg.economics, cfg.failure)
    return float(out.satisfaction[0])


# ---------------------------------------------------------------- closed forms and peers
def bass_share(t_years: np.ndarray, p: float, q: float, f0: float) -> np.ndarray:
    """Bass (1969) cumulative adoption from an installed share ``f0``: ``dF/dt = (p + qF)(1 - F)``.

    Example:
        >>> float(bass_share(np.array([0.0]), 0.03, 0.38, 0.25)[0])
        0.25
    """
    k = (1.0 - f0) / (1.0 + q / p * f0)
    e = k * np.exp(-(p + q) * np.asarray(t_years, dtype=np.float64))
    return (1.0 - e) / (1.0 + q / p * e)


def closed_form_retention(model: WomModel, days: int) -> float:
    """Expected share of today's customers still active after ``days``, by the churn rule alone.

    With no failures and no word of mouth, loyalty stays at each customer's own level, so each
    customer leaves at the constant daily hazard of ``rules.churn_probability``: survival
    ``exp(-h t)``. Call it on a freshly built model (day 0).
    """
    lc = model.cfg.loyalty
    level = repurchase_intention(model)[active(model)]
    return float(np.mean(1.0 - _rules.churn_probability(level, lc, days)))


def to_networkx(graph: Graph) -> nx.Graph:
    """The model's CSR graph as networkx (for EoN)."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.n))
    rows = np.repeat(np.arange(graph.n), graph.degree)
    keep = rows < graph.indices
    g.add_edges_from(zip(rows[keep].tolist(), graph.indices[keep].tolist(), strict=True))
    return g


def eon_final_sizes(
    graph: Graph, tell_prob: float, stop_prob: float, seeds: np.ndarray, runs: int, seed: int
) -> np.ndarray | None:
    """EoN's event-driven SIR from ``seeds`` on the model's graph, same geometric delays; ``None`` without EoN.

    The delays are those of ``sim.core.diffusion.sir`` (tests/test_diffusion.py): days to the
    first tell ``Geometric(tell_prob)``, days of telling ``Geometric(stop_prob)``.
    """
    try:
        import EoN
    except ImportError:
        return None
    g = to_networkx(graph)
    rng = np.random.default_rng(seed)
    sizes = []
    for _ in range(runs):
        _, _, _, r = EoN.fast_nonMarkov_SIR(
            g,
            trans_time_fxn=lambda u, v: rng.geometric(tell_prob),
            rec_time_fxn=lambda u: rng.geometric(stop_prob),
            initial_infecteds=seeds.tolist(),
            rng=rng,
        )
        sizes.append(r[-1])
    return np.array(sizes, dtype=np.float64)
