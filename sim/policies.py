"""Recovery strategies: what a complaint (or a detected failure) gets, and what it costs.

The named presets are the YAML files in ``conf/policy/``, read here too so that code that
builds the model without Hydra (tests, the browser demo) uses the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from sim import rules
from sim.config import ConfigError, EconomicsConfig, FailureConfig, PolicyConfig, RecoveryRulesConfig

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"


def policy_names() -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / "policy").glob("*.yaml"))


def load_policy(name: str) -> PolicyConfig:
    """The preset ``conf/policy/NAME.yaml`` as a ``PolicyConfig``."""
    path = CONF_DIR / "policy" / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"policy = {name!r}: must be one of {', '.join(policy_names())}")
    data = OmegaConf.merge(OmegaConf.structured(PolicyConfig), OmegaConf.load(path))
    return OmegaConf.to_object(data)


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
