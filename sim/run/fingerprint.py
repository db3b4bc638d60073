"""What identifies a run: the fingerprint of its resolved config, and the code it was made with.

A finished run stores its fingerprint in ``summary.json`` (``config_hash``), so a resume can tell
a folder made with other settings from its own even when the manifest is gone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

# Settings that change how a run is shown, not what it computes.
NOT_HASHED = ("progress",)
# The checkout holding this package (``sim/run/fingerprint.py`` -> the folder above ``sim``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def plain_config(cfg: DictConfig | dict) -> dict[str, Any]:
    """The run's settings as plain data: resolved, without the ``hydra`` node or display settings."""
    if isinstance(cfg, DictConfig):
        data = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=True)
    else:
        data = dict(cfg)
    data.pop("hydra", None)
    for key in NOT_HASHED:
        data.pop(key, None)
    return data


def config_hash(cfg: DictConfig | dict, without: tuple[str, ...] = ()) -> str:
    """Short SHA-256 of the resolved run config (the Hydra node and display settings left out)."""
    data = plain_config(cfg)
    for key in without:
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """The project's commit, ``+dirty`` when tracked files changed; empty outside its own checkout.

    An installed wheel may sit inside some other repository (a ``.venv`` in a project folder):
    only a checkout whose top level is the folder above ``sim`` counts.
    """
    try:
        top = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        lines = top.stdout.splitlines()
        if top.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != PROJECT_ROOT:
            return ""
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return lines[1] + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""
