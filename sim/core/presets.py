"""The named presets (``sim/conf/<group>/NAME.yaml``), read the way the Hydra app reads them.

One reader for the CLI's checks, the model's ``policy="full"`` shortcut and the demo, so that
code building the model without Hydra uses the very same numbers. The YAML ships inside the
package, so this works from an installed wheel as well as from a checkout.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from sim.core.config import ConfigError

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"


def preset_names(group: str) -> list[str]:
    """The presets of a config group, sorted."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def is_group(name: str) -> bool:
    return (CONF_DIR / name).is_dir()


def load_preset[T](group: str, name: str, schema: type[T]) -> T:
    """The preset ``group/name.yaml`` merged over ``schema``'s defaults, as a dataclass."""
    path = CONF_DIR / group / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"{group} = {name!r}: must be one of {', '.join(preset_names(group))}")
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.load(path)))
