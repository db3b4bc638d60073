"""Registers the structured config with Hydra (a misspelt key fails at startup) and its resolvers."""

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from sim.core.config import SimConfig


def severity_for_repurchase(share: float, loyalty: float, failure_impact: float) -> float:
    """The felt severity after which a customer of ``loyalty`` buys again with chance ``share``.

    Loyalty is the will to buy again, and one failure scales it by ``1 - failure_impact * s``
    (``rules.loyalty_after_failure``), so ``s = (1 - share / loyalty) / failure_impact``. YAML
    that calibrates a severity to a repurchase figure (``sim/conf/tarp_loss/``) states the
    figure and derives the severity here, as
    ``${severity_for_repurchase:0.37,${loyalty.initial_mean},${loyalty.failure_impact}}``,
    instead of carrying a rounded result.

    Example:
        >>> round(severity_for_repurchase(0.37, 0.97, 1.0), 4)
        0.6186
    """
    return (1.0 - share / loyalty) / failure_impact


def register() -> None:
    """Store ``SimConfig`` as ``base_config`` and register the config's resolvers (idempotent)."""
    ConfigStore.instance().store(name="base_config", node=SimConfig)
    OmegaConf.register_new_resolver("severity_for_repurchase", severity_for_repurchase, replace=True)
