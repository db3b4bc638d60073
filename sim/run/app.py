"""The Hydra app behind ``python -m sim``: one simulation, or a sweep with ``--multirun``."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.core.config import ConfigError
from sim.run.cli import check_overrides, fail, print_summary, run
from sim.run.schema import register
from sim.run.sweep import completed_summary

register()


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> dict:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        done = completed_summary(out_dir, cfg)  # a restarted sweep skips finished runs
        if done is not None:
            return done
        summary = run(cfg, out_dir)
    except ConfigError as err:
        fail(err, out_dir)
    print_summary(summary, out_dir)
    return summary


def cli() -> None:
    """Check the overrides with one-line errors, then hand over to Hydra."""
    try:
        check_overrides(sys.argv[1:])
    except ConfigError as err:
        fail(err, None)
    main()
