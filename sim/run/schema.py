"""Registers the structured config with Hydra: a misspelt key fails at startup."""

from hydra.core.config_store import ConfigStore

from sim.core.config import SimConfig


def register() -> None:
    ConfigStore.instance().store(name="base_config", node=SimConfig)
