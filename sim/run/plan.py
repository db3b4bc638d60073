"""The jobs ``python -m sim ARGS --multirun`` would launch, in Hydra's order and folders, without launching them.

Used by the batched path (``sim/run/sweep.py``) and by the check before a resume
(``sim/run/preflight.py``). Hydra composes every job's config twice (to validate, then to
run), about 65 ms each with this schema; here a condition is composed once and its seeds are
set on copies.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.run.explain import explain


@dataclass
class Job:
    """One run of a planned sweep; its config is made from a template shared by its condition."""

    num: int
    overrides: list[str]
    out_dir: Path
    template: DictConfig  # composed config with its ``hydra`` node, shared by the runs of a condition
    seed: Any = None  # set on a copy of the template; ``None`` keeps the template's seed

    def configs(self) -> tuple[DictConfig, DictConfig]:
        """The task config (no ``hydra`` node) and the ``hydra`` node, as Hydra would save them."""
        full = copy.deepcopy(self.template)
        with read_write(full), open_dict(full):
            if self.seed is not None:
                full.seed = self.seed
            full.hydra.overrides.task = list(self.overrides)
            full.hydra.job.num = self.num
            full.hydra.job.id = f"{full.hydra.job.name}_{self.num}"
            full.hydra.mode = RunMode.MULTIRUN
            full.hydra.runtime.output_dir = str(self.out_dir)
            hydra_node = full.hydra
            del full["hydra"]
        return full, hydra_node

    @property
    def cfg(self) -> DictConfig:
        return self.configs()[0]


def quote(value: str) -> str:
    """``value`` as a Hydra override value: any folder name (``Études (1)``, ``a=b``, quotes) survives.

    Plain ASCII paths stay unquoted, so the commands printed for a resume stay readable.
    """
    if re.fullmatch(r"[A-Za-z0-9_./-]+", value):
        return value
    value = re.sub(r"(\\*)'", lambda m: m.group(1) * 2 + "\\'", value)
    value = re.sub(r"(\\+)$", lambda m: m.group(1) * 2, value)
    return f"'{value}'"


def plan(argv: list[str]) -> tuple[Path, DictConfig, list[Job]]:
    """The jobs ``python -m sim ARGV --multirun`` would launch, in Hydra's order and folders.

    Raises ``ConfigError`` (one line, ``sim.run.explain``) on overrides Hydra cannot parse or compose.
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    from sim.core.presets import CONF_DIR
    from sim.run.schema import register

    register()
    parser = OverridesParser.create()
    outer = _leave_hydra()
    try:
        parsed = parser.parse_overrides(argv)
        hydra_args = [o.input_line for o in parsed if o.is_hydra_override()]
        task_args = [o for o in parsed if not o.is_hydra_override()]
        fixed = [o.input_line for o in task_args if not o.is_sweep_override()]
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3", job_name="__main__"):
            base = compose("config", overrides=fixed + hydra_args, return_hydra_config=True)
            with read_write(base), open_dict(base):  # multirun.yaml records the sweep's overrides, as Hydra's does
                base.hydra.overrides.task = [o.input_line for o in task_args]
            sweep_dir = Path(str(OmegaConf.select(base, "hydra.sweep.dir"))).absolute()
            hydra_args = [a for a in hydra_args if not a.startswith("hydra.sweep.dir=")]
            hydra_args.append(f"hydra.sweep.dir={quote(str(sweep_dir))}")
            params = [f"{k}={v}" for k, v in (base.hydra.sweeper.get("params") or {}).items()]
            grid = cartesian(parser.parse_overrides(params) + task_args)
            jobs: list[Job] = []
            composed: dict[tuple[str, ...], DictConfig] = {}
            for num, overrides in enumerate(grid):
                condition = tuple(o for o in overrides if not o.startswith("seed="))
                if condition not in composed:
                    job_args = list(overrides) + hydra_args
                    composed[condition] = compose("config", overrides=job_args, return_hydra_config=True)
                template = composed[condition]
                seed = None
                for o in parser.parse_overrides([o for o in overrides if o.startswith("seed=")]):
                    seed = o.value()
                out_dir = Path(os.path.abspath(os.path.join(sweep_dir, _subdir(template, seed))))
                jobs.append(Job(num, list(overrides), out_dir, template, seed))
    except (HydraException, OmegaConfBaseException) as err:
        raise explain(err, argv) from None
    finally:
        _back_to_hydra(outer)
    return sweep_dir, base, jobs


def cartesian(overrides: list[Any]) -> list[list[str]]:
    """The jobs of Hydra's basic sweeper, in its order: one list per key (a later one replaces), their product.

    Raises ``HydraException`` on a sweep the grid cannot hold (``interval(...)``), as that sweeper does.
    """
    from hydra.errors import HydraException

    lists: dict[str, list[str]] = {}
    for override in overrides:
        key = override.get_key_element()
        if not override.is_sweep_override():
            lists[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            lists[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
        else:
            raise HydraException(f"{key}: a grid sweep cannot hold {override.value_type.name}")
    return [list(job) for job in itertools.product(*lists.values())]


def _subdir(template: DictConfig, seed: Any) -> str:
    """``hydra.sweep.subdir`` with the job's seed, without copying the whole template."""
    raw = OmegaConf.to_container(template.hydra.sweep, resolve=False)["subdir"]  # type: ignore[index]
    probe = OmegaConf.create(
        {
            "seed": template.seed if seed is None else seed,
            "subdir": raw,
            "hydra": {
                "job": {"override_dirname": template.hydra.job.override_dirname, "name": template.hydra.job.name}
            },
        }
    )
    try:
        return str(probe.subdir)
    except OmegaConfBaseException:  # a subdir naming other keys: resolve it on a full copy
        full = copy.deepcopy(template)
        with read_write(full), open_dict(full):
            full.seed = probe.seed
        return str(full.hydra.sweep.subdir)


def compose(*overrides: str, hydra_node: bool = False, job_name: str = "__main__") -> DictConfig:
    """The config ``python -m sim OVERRIDES`` runs, composed by Hydra's public API; one-line ``ConfigError``.

    The one place the project composes as the command line does (validation, benchmarks, studies).
    ``hydra_node=True`` keeps the ``hydra`` node (sweep folders, job name) as a sweep job sees it.

    Example:
        >>> compose("policy=none", "days=30").policy.name
        'none'
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from sim.core.presets import CONF_DIR
    from sim.run.schema import register

    register()
    outer = _leave_hydra()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3", job_name=job_name):
            return hydra_compose("config", overrides=list(overrides), return_hydra_config=hydra_node)
    except (HydraException, OmegaConfBaseException) as err:
        raise explain(err, overrides) from None
    finally:
        _back_to_hydra(outer)


def compose_task(overrides: list[str]) -> DictConfig:
    """The task config one ``python -m sim OVERRIDES`` run would get (no ``hydra`` node)."""
    return compose(*overrides)


def _leave_hydra() -> dict[Any, Any] | None:
    """Clear Hydra's global state for a composition of our own; the state of a running Hydra app, kept.

    The batched sweeper plans its jobs inside ``python -m sim``, whose Hydra app is still running.
    """
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    outer = Singleton.get_state() if GlobalHydra.instance().is_initialized() else None
    GlobalHydra.instance().clear()
    return outer


def _back_to_hydra(outer: dict[Any, Any] | None) -> None:
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    GlobalHydra.instance().clear()
    if outer is not None:
        Singleton.set_state(outer)
