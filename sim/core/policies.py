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
    """Per handled case: satisfaction with the handling, repair share, and cost."""

    satisfaction: np.ndarray
    repair: np.ndarray
    cost: np.ndarray


def handle(
    policy: PolicyConfig,
    severity: np.ndarray,
    loss: np.ndarray,
    delay_days: np.ndarray,
    judged: RecoveryRulesConfig,
    economics: EconomicsConfig,
    failure: FailureConfig,
) -> RecoveryOutcome:
    """Apply ``policy`` to cases with the given felt severity, money loss and wait."""
    compensation = policy.compensation_ratio + policy.guarantee_payout
    satisfaction = rules.recovery_satisfaction(
        policy.fix,
        compensation,
        policy.apology,
        policy.first_contact,
        delay_days,
        judged.patience_days,
        judged.w_outcome,
        judged.w_interactional,
        judged.w_procedural,
    )
    satisfaction = np.broadcast_to(satisfaction, np.shape(severity))
    repair = rules.repair_fraction(satisfaction, delay_days, severity, judged.patience_days, judged.size_drag)
    # An external failure is fixed at the last stage: the 1:10 rule applied past every internal check.
    fix_cost = float(rules.rework_cost(failure.internal_stages, failure.rework_cost, failure.stage_cost_multiplier))
    per_case = economics.handling_cost + economics.apology_cost * policy.apology + fix_cost * policy.fix
    cost = per_case + compensation * np.asarray(loss, dtype=np.float64)
    return RecoveryOutcome(satisfaction=np.asarray(satisfaction, dtype=np.float64), repair=repair, cost=cost)
