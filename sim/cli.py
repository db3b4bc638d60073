"""The Hydra app's body: a plain ``run(cfg) -> dict`` plus friendly checks before Hydra starts."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, SimConfig, validate
from sim.model import WomModel
from sim.results import write_run

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
GROUPS = ("network", "policy", "scenario", "complaint", "experiment")
HYDRA_FILES = {".hydra"}


def group_options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def check_group_overrides(argv: list[str]) -> None:
    """Fail with one line on an unknown option of a config group (``policy=nope``)."""
    for arg in argv:
        key, sep, value = arg.lstrip("+~").partition("=")
        if not sep or key not in GROUPS:
            continue
        for choice in _choices(value):
            if choice not in group_options(key):
                raise ConfigError(f"{key} = {choice!r}: must be one of {', '.join(group_options(key))}")


def _choices(value: str) -> list[str]:
    value = value.strip()
    if value.startswith(("choice(", "[")):
        value = value[value.index("(") + 1 if value.startswith("choice(") else 1 : -1]
    return [v.strip() for v in value.split(",") if v.strip()]


def to_sim_config(cfg: DictConfig) -> SimConfig:
    """The composed config as validated dataclasses (one-line errors)."""
    try:
        sim_cfg = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        first = str(err).splitlines()[0]
        key = getattr(err, "full_key", None)
        raise ConfigError(f"{key}: {first}" if key else first) from None
    return validate(sim_cfg)


def run(cfg: DictConfig | SimConfig, out_dir: Path | None = None) -> dict[str, Any]:
    """Simulate one run and write ``timeseries.parquet`` and ``summary.json`` into ``out_dir``."""
    sim_cfg = cfg if isinstance(cfg, SimConfig) else to_sim_config(cfg)
    started = time.perf_counter()
    model = WomModel.from_config(sim_cfg)
    summary = model.run(sim_cfg.days, progress=sim_cfg.progress)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    if out_dir is not None:
        # Wall time differs between identical runs; it stays out of the compared files.
        write_run(out_dir, model.timeseries(), {k: v for k, v in summary.items() if k != "seconds"})
    return summary


def print_summary(summary: dict[str, Any], out_dir: Path | None) -> None:
    rows = [
        ("revenue", f"{summary['revenue']:,.0f}"),
        ("profit", f"{summary['profit']:,.0f}"),
        ("recovery cost", f"{summary['recovery_cost']:,.0f}"),
        ("customers lost", f"{summary['customers_lost']:,} of {summary['customers_start']:,}"),
        ("churn rate", f"{summary['churn_rate']:.1%}"),
        ("complaints", f"{summary['complaints']:,} ({summary['complaint_share']:.1%} of dissatisfied)"),
        ("negative WOM messages", f"{summary['negative_wom_messages']:,}"),
        ("terrorists", f"{summary['terrorists']:,}"),
        ("NPV", f"{summary['npv']:,.0f}"),
    ]
    title = (
        f"policy={summary['policy']} scenario={summary['scenario']} network={summary['network']} seed={summary['seed']}"
    )
    width = max(len(k) for k, _ in rows)
    lines = [title] + [f"  {k:<{width}}  {v:>22}" for k, v in rows]
    if out_dir is not None:
        lines.append(f"  results: {out_dir}")
    print("\n".join(lines), flush=True)


def fail(err: Exception, out_dir: Path | None) -> None:
    """One line on stderr, exit 2, and no run folder left behind that could pass for a result."""
    if out_dir is not None and out_dir.is_dir():
        leftovers = {p.name for p in out_dir.iterdir()} - HYDRA_FILES
        if all(name.endswith(".log") for name in leftovers):
            shutil.rmtree(out_dir, ignore_errors=True)
    print(f"error: {err}", file=sys.stderr, flush=True)
    sys.exit(2)
