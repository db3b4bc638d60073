"""Registers the structured config with Hydra (a misspelt key fails at startup) and its resolvers.

The resolvers are the model's own rules (``sim/core/rules.py``); only their registration lives here.
"""

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from sim.core.config import SimConfig
from sim.core.rules import severity_for_repurchase


def register() -> None:
    """Store ``SimConfig`` as ``base_config`` and register the config's resolvers (idempotent)."""
    ConfigStore.instance().store(name="base_config", node=SimConfig)
    OmegaConf.register_new_resolver("severity_for_repurchase", severity_for_repurchase, replace=True)
