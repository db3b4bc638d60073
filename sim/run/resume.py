"""Resuming safely: finished runs are recognised by their fingerprint, leftovers of a kill are cleared.

A folder with ``summary.json`` is a finished run (``sim/run/results.py`` writes it last). Its
``config_hash`` is the fingerprint of the config it was made with; a run of another config never
reuses it nor writes into it, whether the manifest is there or not.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.core.config import ConfigError
from sim.run.fingerprint import config_hash
from sim.run.manifest import MANIFEST, read_manifest, run_name
from sim.run.results import SUMMARY, is_complete

# A temporary file of the atomic writes (``.summary.json.XXXX.tmp``, ``.manifest.csv.PID.tmp``).
TMP_GLOB = ".*.tmp"


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    """The finished run's summary, or ``None`` when there is none or it cannot be read."""
    try:
        data = json.loads((Path(out_dir) / SUMMARY).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def recorded_hashes(out_dir: Path, sweep_dir: Path | None = None) -> list[str]:
    """The fingerprints a finished run carries: its summary's, and its completed manifest row's."""
    found = []
    summary = read_summary(out_dir)
    if summary and summary.get("config_hash"):
        found.append(str(summary["config_hash"]))
    if sweep_dir is not None:
        row = read_manifest(sweep_dir).get(run_name(sweep_dir, out_dir), {})
        if row.get("status") == "completed" and row.get("config_hash"):
            found.append(row["config_hash"])
    return found


def check_same_config(out_dir: Path, current: str, sweep_dir: Path | None = None) -> None:
    """Refuse, naming the run, when a finished folder was made with another config."""
    if not is_complete(out_dir):
        return
    for recorded in recorded_hashes(out_dir, sweep_dir):
        if recorded != current:
            if sweep_dir is None:
                raise ConfigError(
                    f"hydra.run.dir = {str(out_dir)!r}: holds a finished run of another configuration "
                    f"(config hash {recorded}, now {current}): pick another hydra.run.dir"
                )
            raise ConfigError(
                f"hydra.sweep.dir = {str(sweep_dir)!r}: run {run_name(sweep_dir, out_dir)} finished with another "
                f"configuration (config hash {recorded}, now {current}): resume with the same settings, "
                "or pick a new hydra.sweep.dir"
            )


def completed_summary(out_dir: Path, cfg: DictConfig | dict, sweep_dir: Path | None) -> dict[str, Any] | None:
    """In a sweep, the stored summary of a finished run of this config (to skip it), else ``None``.

    Raises ``ConfigError`` when the finished folder belongs to another config. Outside a sweep a
    finished folder of the same config is simply run again (the results are identical).
    """
    check_same_config(out_dir, config_hash(cfg), sweep_dir)
    if sweep_dir is None or not is_complete(out_dir):
        return None
    return read_summary(out_dir)


def clean_run_folder(folder: Path) -> int:
    """Remove temporary files a killed write left in a run folder; returns how many went.

    A run folder belongs to one job, so when that job starts every temporary file there is stale.
    """
    removed = 0
    for path in Path(folder).glob(TMP_GLOB):
        try:
            path.unlink()
            removed += 1
        except OSError:
            continue  # gone already
    return removed


def clean_sweep(sweep_dir: Path) -> int:
    """Remove what a killed sweep left behind, before any job of the new attempt starts.

    Every ``.*.tmp`` file below the sweep folder goes, except a manifest being written right
    now by a live process (its name carries the writer's pid). Returns how many went.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        return 0
    removed = 0
    for path in sweep_dir.rglob(TMP_GLOB):
        writer = re.fullmatch(rf"\.{re.escape(MANIFEST)}\.(\d+)\.tmp", path.name)
        if writer and pid_alive(int(writer.group(1))):
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a live writer's file is not stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
