"""One job: a composed config becomes a run folder (``run``), whichever path launched it."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.core.config import ConfigError, SimConfig, validate
from sim.core.model import WomModel
from sim.run.explain import check_known_keys
from sim.run.fingerprint import config_hash
from sim.run.results import write_run


def to_sim_config(cfg: DictConfig) -> SimConfig:
    """The composed config as validated dataclasses (one-line errors)."""
    check_known_keys(cfg)  # a key added with +/++ that the schema does not have
    try:
        sim_cfg = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        first = str(err).splitlines()[0]
        key = getattr(err, "full_key", None)
        raise ConfigError(f"{key}: {first}" if key else first) from None
    return validate(sim_cfg)


def run(cfg: DictConfig | SimConfig, out_dir: Path | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Simulate one run and write ``timeseries.parquet`` and ``summary.json`` into ``out_dir``.

    The one way a job becomes a run folder: the app, the batched sweep and the optimisation study
    all call it. ``progress`` overrides the config's progress bar (sweep workers never show one).
    """
    sim_cfg = cfg if isinstance(cfg, SimConfig) else to_sim_config(cfg)
    fingerprint = config_hash(dataclasses.asdict(cfg) if isinstance(cfg, SimConfig) else cfg)
    started = time.perf_counter()
    model = WomModel.from_config(sim_cfg, create_agents=False)  # the arrays hold all state; agents on demand
    summary = model.run(sim_cfg.days, progress=sim_cfg.progress if progress is None else progress)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    summary["config_hash"] = fingerprint  # what a resume compares (sim/run/resume.py)
    if out_dir is not None:
        # Wall time differs between identical runs; it stays out of the compared files.
        write_run(out_dir, model.timeseries(), {k: v for k, v in summary.items() if k != "seconds"})
    return summary
