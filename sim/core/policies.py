"""Recovery strategies: what a complaint (or a detected failure) gets, and what it costs.

The named presets are the YAML files in ``sim/conf/policy/``, read through ``sim/core/presets.py``
so that code building the model without Hydra (tests, the demo) uses the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core import rules
from sim.core.config import EconomicsConfig, FailureConfig, PolicyConfig, RecoveryRulesConfig
from sim.core.presets import load_preset, preset_names


def policy_names() -> list[str]:
    return preset_names("policy")


def load_policy(name: str) -> PolicyConfig:
    """The preset ``sim/conf/policy/NAME.yaml`` as a ``PolicyConfig``."""
    return load_preset("policy", name, PolicyConfig)


@dataclass(frozen=True)
class RecoveryOutcome:
    """Per handled case: satisfaction with the handling, what it cost, and whether it made good the loss.

    ``made_good``: the problem fixed or at least the loss paid (``rules.makes_good``); such an
    answer is never a double deviation.
    """

    satisfaction: np.ndarray
    cost: np.ndarray
    made_good: np.ndarray


def handle(
    policy: PolicyConfig,
    loss: np.ndarray,
    mean_loss: float,
    delay_days: np.ndarray,
    judged: RecoveryRulesConfig,
    economics: EconomicsConfig,
    failure: FailureConfig,
) -> RecoveryOutcome:
    """Apply ``policy`` to cases with the given money loss and wait.

    A "fixed" compensation pays ``compensation_ratio * mean_loss`` to everyone; what counts for
    the customer is the ratio to their own loss (Smith, Bolton & Wagner 1999).
    """
    loss = np.asarray(loss, dtype=np.float64)
    if policy.compensation_basis == "fixed":
        paid = np.full(loss.shape, policy.compensation_ratio * mean_loss)
        ratio = paid / np.maximum(loss, 1e-9)
    else:
        paid, ratio = policy.compensation_ratio * loss, np.full(loss.shape, policy.compensation_ratio)
    paid = paid + policy.guarantee_payout * loss
    ratio = ratio + policy.guarantee_payout
    satisfaction = np.broadcast_to(rules.recovery_satisfaction(policy, ratio, delay_days, judged), loss.shape)
    made_good = np.broadcast_to(rules.makes_good(policy, ratio), loss.shape)
    if not rules.handles(policy):
        nothing = np.zeros(loss.shape)
        return RecoveryOutcome(satisfaction=nothing, cost=nothing, made_good=np.zeros(loss.shape, dtype=bool))
    # An external failure is fixed at the last stage: the 1:10 rule applied past every internal check.
    fix_cost = float(rules.rework_cost(failure.internal_stages, failure.rework_cost, failure.stage_cost_multiplier))
    per_case = economics.handling_cost + economics.apology_cost * policy.apology + fix_cost * policy.fix
    return RecoveryOutcome(
        satisfaction=np.asarray(satisfaction, dtype=np.float64), cost=per_case + paid, made_good=np.asarray(made_good)
    )
