"""``python -m sim``: one simulation, or a sweep with ``--multirun``."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli import check_overrides, fail, print_summary, run
from sim.config import ConfigError
from sim.schema import register
from sim.sweep import completed_summary

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


if __name__ == "__main__":
    try:
        check_overrides(sys.argv[1:])
    except ConfigError as err:
        fail(err, None)
    main()
