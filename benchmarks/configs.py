"""The default CLI config (conf/config.yaml through Hydra), so benchmarks time what users run."""

from __future__ import annotations

from sim.core.config import SimConfig
from sim.run.job import to_sim_config
from sim.run.plan import compose


def default_config(*overrides: str) -> SimConfig:
    return to_sim_config(compose("progress=false", *overrides))
