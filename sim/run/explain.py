"""Hydra's and OmegaConf's exceptions as the one line ``python -m sim`` prints: the setting and what it allows.

The command line is checked by composing it (``sim/run/plan.py``), not by parsing it here:
Hydra's exceptions already carry the group and its options, OmegaConf's the key and the value;
this module only words them. Keys added with ``+``/``++`` are the one thing composition accepts
and the schema does not (``check_known_keys``).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from typing import Any

from omegaconf import DictConfig
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, ValidationError

from sim.core.config import ConfigError, SimConfig

GRAMMAR = "https://hydra.cc/docs/advanced/override_grammar/basic"
EXPECTED = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def explain(err: Exception, overrides: Sequence[str] = ()) -> ConfigError:
    """``err`` (raised composing ``overrides``) as one line naming the setting and the values it allows."""
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(err, OverrideParseException):
        first = str(err).splitlines()[0].strip()
        return ConfigError(f"{err.override}: cannot parse ({first}): see {GRAMMAR}")
    if isinstance(err, MissingConfigException) and err.options and "/" in (err.missing_cfg_file or ""):
        group, _, choice = err.missing_cfg_file.rpartition("/")
        return ConfigError(f"{group} = {choice!r}: must be one of {', '.join(err.options)}")
    cause = err.__cause__ if err.__cause__ is not None else err
    key = getattr(cause, "full_key", None)
    if key and isinstance(cause, (ConfigKeyError, ConfigAttributeError)):
        return unknown_setting(str(key))
    if key and isinstance(cause, ValidationError):
        expected = EXPECTED.get(field_type(str(key)))
        raw = typed_value(overrides, str(key))
        if expected is not None and raw is not None:
            if raw.startswith("[") and raw.endswith("]"):
                return ConfigError(f"{key} = {raw}: must be {expected}, not a list")
            if raw == "null":
                return ConfigError(f"{key} = null: must be {expected}")
            return ConfigError(f"{key} = {raw!r}: must be {expected}")
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    text = " ".join(lines) if lines else type(err).__name__  # Hydra's hint ("use +key=...") is on a line of its own
    return ConfigError(f"{key}: {text}" if key and not text.startswith(str(key)) else text)


def unknown_setting(key: str) -> ConfigError:
    """``key`` is not in the schema: name the settings allowed where it stands, and the close ones."""
    found, fields, depth = _walk(key)
    if found:
        return ConfigError(f"{key}: no such setting")
    part = key.split(".")[depth]
    known = ", ".join(sorted(fields)) if fields else "none"
    close = difflib.get_close_matches(part, fields, n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return ConfigError(f"{'.'.join(key.split('.')[: depth + 1])}: no such setting (allowed here: {known}){hint}")


def field_type(key: str) -> Any:
    """The schema's type of ``key`` (``None`` when the schema has no such field)."""
    found, node, _ = _walk(key)
    return node if found else None


def _walk(key: str) -> tuple[bool, Any, int]:
    """Down the schema along ``key``: (found, its type, -) or (not found, the fields where it stopped, depth)."""
    node: Any = SimConfig
    for depth, part in enumerate(key.split(".")):
        fields = {f.name: f.type for f in dataclasses.fields(node)} if dataclasses.is_dataclass(node) else {}
        if part not in fields:
            return False, fields, depth
        node = fields[part]
    return True, node, -1


def typed_value(overrides: Sequence[str], key: str) -> str | None:
    """The value ``key`` was given on the command line, as typed (the last override of it wins)."""
    found = None
    for override in overrides:
        name, sep, value = override.lstrip("+~").partition("=")
        if sep and name == key:
            found = value
    return found


def check_known_keys(cfg: DictConfig, schema: Any = SimConfig, prefix: str = "") -> None:
    """Raise ``ConfigError`` for a key of ``cfg`` the schema does not have (one added with ``+``/``++``)."""
    fields = {f.name: f.type for f in dataclasses.fields(schema)}
    for name, value in cfg.items_ex(resolve=False):
        key = f"{prefix}{name}"
        if key == "hydra":
            continue
        if name not in fields:
            raise unknown_setting(key)
        if dataclasses.is_dataclass(fields[name]) and isinstance(value, DictConfig):
            check_known_keys(value, fields[name], f"{key}.")
