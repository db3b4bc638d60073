"""Any results folder to one tidy table: one row a finished run, swept parameters plus summary figures.

Only folders holding ``summary.json`` are read: ``sim/run/results.py`` writes it last and atomically,
so a run that was interrupted is never mistaken for a finished one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.run.fingerprint import config_hash
from sim.run.manifest import MANIFEST
from sim.run.results import SUMMARY, TIMESERIES

META = ("run", "condition", "config_hash")


def run_folders(results_dir: Path) -> list[Path]:
    """Every finished run under ``results_dir`` (or the folder itself), in a stable order."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise FileNotFoundError(f"RESULTS_DIR = {str(results_dir)!r}: not a folder")
    return sorted(p.parent for p in results_dir.rglob(SUMMARY) if p.is_file())


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out |= _flatten(value, f"{prefix}{key}.")
        return out
    if isinstance(node, list):
        return {prefix[:-1]: json.dumps(node)}
    return {prefix[:-1]: node}


def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text()) if path.is_file() else None


def _overrides(folder: Path) -> dict[str, Any]:
    """The run's task overrides as ``key: value`` (``+experiment=x`` -> ``experiment``)."""
    found = _read_yaml(folder / ".hydra" / "overrides.yaml") or []
    out = {}
    for item in found:
        key, sep, value = str(item).partition("=")
        if sep:
            out[key.lstrip("+~")] = yaml.safe_load(value) if value else value
    return out


def collect(results_dir: Path) -> pd.DataFrame:
    """One row per finished run: where it is, what differed, and what came out.

    Columns: ``run``, ``condition``, ``config_hash``, every parameter that differs between runs
    (dotted config keys, plus the chosen config groups), then every figure of ``summary.json``.
    """
    results_dir = Path(results_dir)
    folders = run_folders(results_dir)
    if not folders:
        raise FileNotFoundError(f"RESULTS_DIR = {str(results_dir)!r}: holds no finished run (no {SUMMARY})")
    manifest = _manifest_hashes(results_dir)
    records = []
    for folder in folders:
        config = _read_yaml(folder / ".hydra" / "config.yaml") or {}
        run = folder.relative_to(results_dir).as_posix() if folder != results_dir else "."
        records.append(
            {
                "run": run,
                "condition": folder.parent.relative_to(results_dir).as_posix() if folder != results_dir else ".",
                "config_hash": manifest.get(run) or (config_hash(config) if config else ""),
                "params": _flatten(config) | _overrides(folder),
                "overrides": _overrides(folder),
                "summary": json.loads((folder / SUMMARY).read_text()),
            }
        )
    params = pd.DataFrame([r["params"] for r in records])
    overrides = pd.DataFrame([r["overrides"] for r in records])
    varying = [c for c in params.columns if params[c].astype(str).nunique(dropna=False) > 1]
    summary = pd.DataFrame([r["summary"] for r in records])
    table = pd.concat(
        [
            pd.DataFrame({k: [r[k] for r in records] for k in META}),
            params[[c for c in varying if c not in summary.columns]],
            summary,
        ],
        axis=1,
    )
    table.attrs["parameters"] = varying
    table.attrs["swept"] = [c for c in overrides.columns if overrides[c].astype(str).nunique(dropna=False) > 1]
    table.attrs["figures"] = list(summary.columns)
    return table


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """Every parameter that differs between the runs of ``collect``'s table."""
    return list(table.attrs.get("parameters", []))


def swept_keys(table: pd.DataFrame) -> list[str]:
    """The override keys that differ between runs: what the sweep was asked to vary."""
    return list(table.attrs.get("swept", []))


def _manifest_hashes(results_dir: Path) -> dict[str, str]:
    path = results_dir / MANIFEST
    if not path.is_file():
        return {}
    manifest = pd.read_csv(path, dtype=str).fillna("")
    return dict(zip(manifest["run"], manifest["config_hash"], strict=True))


def load_timeseries(results_dir: Path, runs: list[str], columns: list[str]) -> pd.DataFrame:
    """Daily series of the given runs, long form with a ``run`` column."""
    frames = []
    for run in runs:
        frame = pd.read_parquet(Path(results_dir) / run / TIMESERIES, columns=columns)
        frame.insert(0, "run", run)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
