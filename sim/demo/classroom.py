"""The classroom demo's model: the same customers under one or two policies, stepped together.

Mesa's SolaraViz rebuilds the model from flat keyword arguments (one per slider or selector),
so this wrapper takes exactly those and builds real ``WomModel`` runs from the presets in
``conf/``. Two runs with the same seed share the graph, the starting loyalties and the layout;
what differs is the policy (and, from the first recovery on, the luck that follows from it).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import mesa
import numpy as np

from sim.core.config import ComplaintConfig, ConfigError, MarketConfig, PolicyConfig, WomConfig
from sim.core.model import WomModel
from sim.core.policies import load_policy
from sim.core.states import Membership
from sim.demo.viz import load_network, load_scenario

NO_COMPARISON = "no comparison"
POLICY_OWN_DELAY = -1  # slider value meaning "the delay the policy preset sets"
POLICY_OWN_COMPENSATION = -0.25  # slider value meaning "the compensation the policy preset sets"
# The literature figures the sliders start from live in the config schema, with their sources.
COMPLAINT_SHARE = ComplaintConfig().base_share
TELLS = WomConfig().negative_mean
# A classroom picture, not a literature figure: a smaller town (the firm holds half of it) and
# fewer ties a person than the default market, so that a few hundred nodes stay legible.
CLASSROOM_MARKET_SHARE = 0.5
CLASSROOM_TIES = {"mean_degree": 10.0, "community_size": 15, "m": 5, "k": 10}


def short_label(policy: PolicyConfig, delay_set: bool = False, compensation_set: bool = False) -> str:
    """The policy's name, plus the delay and compensation where a slider set them."""
    parts = [policy.name]
    if delay_set:
        parts.append(f"{policy.delay_days}-day delay")
    if compensation_set:
        parts.append(f"{policy.compensation_ratio:g}× loss")
    return ", ".join(parts)


def parse_seed(seed: int | str) -> int:
    """The seed box gives text; accept whole numbers only, with a one-line error otherwise."""
    try:
        value = int(str(seed).strip())
    except ValueError:
        raise ConfigError(f"seed = {seed!r}: must be a whole number >= 0") from None
    if value < 0:
        raise ConfigError(f"seed = {seed!r}: must be a whole number >= 0")
    return value


def defaults() -> dict[str, Any]:
    """``Classroom``'s keyword defaults: what the page's controls and the export start from.

    Read from the signature so that the page, the export and the model cannot drift apart.
    """
    params = inspect.signature(Classroom.__init__).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


class Classroom(mesa.Model):
    """One or two ``WomModel`` runs on the same seed; ``step`` advances both by a day.

    The scenario preset is chosen with ``storm`` (its name in ``sim/conf/scenario/``) and kept as
    ``self.storm``: Mesa 3.5 owns ``Model.scenario``, and SolaraViz's Reset would overwrite a
    keyword of that name.
    """

    def __init__(
        self,
        policy: str = "full",
        compare_with: str = "none",
        storm: str = "jetblue_storm",
        network: str = "stochastic_block",
        customers: int = 300,
        complaint_share: float = COMPLAINT_SHARE,
        tells: float = TELLS,
        delay_days: int = POLICY_OWN_DELAY,
        compensation: float = POLICY_OWN_COMPENSATION,
        seed: int | str = 1,
    ) -> None:
        seed = parse_seed(seed)
        super().__init__(rng=seed)
        chosen = load_policy(policy)
        if delay_days >= 0:
            chosen = dataclasses.replace(chosen, delay_days=int(delay_days))
        if compensation >= 0:
            chosen = dataclasses.replace(chosen, compensation_ratio=float(compensation))
        labels = [short_label(chosen, delay_days >= 0, compensation >= 0)]
        policies = [chosen]
        if compare_with != NO_COMPARISON:
            policies.append(load_policy(compare_with))
            labels = [f"left: {labels[0]}", f"right: {compare_with}"]
        common = {
            "customers": int(customers),
            "network": dataclasses.replace(load_network(network), **CLASSROOM_TIES),
            "market": MarketConfig(share=CLASSROOM_MARKET_SHARE),
            "scenario": load_scenario(storm),
            "complaint": ComplaintConfig(base_share=float(complaint_share)),
            "wom": WomConfig(negative_mean=float(tells)),
            "seed": seed,
        }
        self.runs: list[tuple[str, WomModel]] = [
            (label, WomModel(policy=p, **common)) for label, p in zip(labels, policies, strict=True)
        ]
        self.storm = common["scenario"]  # Mesa 3.5 owns Model.scenario
        self.settings = {
            "network": network,
            "customers": int(customers),
            "seed": seed,
            "complaint_share": float(complaint_share),
            "tells": float(tells),
        }
        self.focus: int | None = None  # the customer last hit with the inject button
        self.hits: list[tuple[int, int]] = []  # (day, customer) of every injected failure

    @property
    def day(self) -> int:
        return self.runs[0][1].day

    def step(self) -> None:
        for _, run in self.runs:
            run.step()

    def busiest(self) -> int:
        """The active customer with the most friends (lowest index on ties), in every run."""
        active = np.ones(self.runs[0][1].pop.n, dtype=bool)
        for _, run in self.runs:
            active &= run.pop.member == Membership.ACTIVE
        if not active.any():
            raise ConfigError("no customer is still active in every run: nobody left to hit")
        degree = np.where(active, self.runs[0][1].degree, -1)
        return int(np.argmax(degree))

    def inject(self, index: int, severity: float = 0.8) -> list[str]:
        """Hit customer ``index`` with a failure now, in every run where they are still a customer.

        Returns the labels of the runs where the customer had already left (nothing happens there).
        """
        n = self.runs[0][1].pop.n
        if not 0 <= index < n:
            raise ConfigError(f"customer = {index}: must be a number from 0 to {n - 1}")
        if not 0.0 < severity <= 1.0:
            raise ConfigError(f"severity = {severity}: must lie in (0, 1]")
        gone = []
        for label, run in self.runs:
            if run.pop.member[index] == Membership.ACTIVE:
                run.inject_failure(index, severity)
            else:
                gone.append(label)
        self.focus = index
        self.hits.append((self.day, index))
        return gone
