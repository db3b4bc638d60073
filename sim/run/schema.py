"""Registers the structured config with Hydra: a misspelt key fails at startup."""

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from sim.core.config import SimConfig


def severity_for_intention(intention: float, loyalty: float) -> float:
    """The felt severity after which a customer of ``loyalty`` keeps ``intention`` to buy again.

    A failure scales loyalty by ``1 - severity`` (``rules.loyalty_after_failure``), so TARP's
    "did not complain" share fixes the severity of each loss size (sim/conf/tarp_loss).
    """
    return 1.0 - float(intention) / float(loyalty)


def register() -> None:
    ConfigStore.instance().store(name="base_config", node=SimConfig)
    if not OmegaConf.has_resolver("severity_for_intention"):
        OmegaConf.register_new_resolver("severity_for_intention", severity_for_intention)
