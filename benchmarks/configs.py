"""The default CLI config (conf/config.yaml through Hydra), so benchmarks time what users run."""

from __future__ import annotations

from hydra import compose, initialize_config_dir

from sim.core.config import SimConfig
from sim.core.presets import CONF_DIR
from sim.run.job import to_sim_config
from sim.run.schema import register


def default_config(*overrides: str) -> SimConfig:
    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return to_sim_config(compose("config", overrides=["progress=false", *overrides]))
