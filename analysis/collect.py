"""Any results folder to one tidy table: one row a finished run, swept parameters plus summary figures.

Only folders holding ``summary.json`` are read: ``sim/run/results.py`` writes it last and atomically,
so a run that was interrupted is never mistaken for a finished one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.core.metrics import UNDEFINED_AS_NULL
from sim.run.fingerprint import config_hash
from sim.run.manifest import MANIFEST
from sim.run.results import SUMMARY, TIMESERIES

META = ("run", "condition", "config_hash")
TEXT_FIGURES = ("policy", "scenario", "network", "market", "version", "config_hash")  # the rest are numbers


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


def bad_figure(summary: dict[str, Any]) -> str:
    """Why a summary's figures cannot be analysed (``""`` when they can).

    A figure must be a finite number: ``NaN`` or ``Infinity`` (which Python's ``json`` reads)
    would rank a policy as infinitely good, a string would break the table. ``null`` is allowed
    only where the model reports an undefined ratio (``UNDEFINED_AS_NULL``); the analysis then
    leaves that run out of that figure alone.
    """
    if summary.get("non_finite"):
        return f"figures not finite when the run was written: {summary['non_finite']}"
    for key, value in summary.items():
        if key in TEXT_FIGURES or key == "non_finite":
            continue
        if value is None:
            if key in UNDEFINED_AS_NULL:
                continue
            return f"{key} is null"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{key} = {json.dumps(value)[:40]}: not a number"
        if not math.isfinite(value):
            return f"{key} = {value}: not a finite number"
    return ""


def read_run(folder: Path) -> tuple[dict[str, Any] | None, str]:
    """A run's summary, or ``None`` with the reason it cannot be used (empty, truncated, a figure not a number)."""
    try:
        summary = json.loads((folder / SUMMARY).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return None, f"{SUMMARY} unreadable ({type(err).__name__}: {' '.join(str(err).split())[:80]})"
    if not isinstance(summary, dict) or not summary:
        return None, f"{SUMMARY} is not a JSON object of figures"
    bad = bad_figure(summary)
    if bad:
        return None, f"{SUMMARY}: {bad}"
    try:
        import pyarrow.parquet as pq

        pq.ParquetFile(folder / TIMESERIES).close()  # the footer only: cheap, and catches a truncated file
    except Exception as err:  # pyarrow raises several types for a damaged file
        return None, f"{TIMESERIES} unreadable ({type(err).__name__}: {' '.join(str(err).split())[:80]})"
    try:
        config = _read_yaml(folder / ".hydra" / "config.yaml") or {}
        _overrides(folder)
    except (OSError, yaml.YAMLError) as err:
        return None, f".hydra files unreadable ({type(err).__name__})"
    if not isinstance(config, dict):
        return None, ".hydra/config.yaml is not a mapping"
    return summary, ""


def collect(results_dir: Path) -> pd.DataFrame:
    """One row per finished run: where it is, what differed, and what came out.

    Columns: ``run``, ``condition``, ``config_hash``, every parameter that differs between runs
    (dotted config keys, plus the chosen config groups), then every figure of ``summary.json``.
    Runs that cannot be read are skipped and listed in ``attrs["skipped"]`` (folder, reason); a run
    with the same fingerprint as an earlier one (a second copy of a sweep under the same folder)
    would count its seeds twice and narrow every interval, so it is left out and listed in
    ``attrs["duplicates"]`` (copy, original).
    """
    results_dir = Path(results_dir)
    folders = run_folders(results_dir)
    if not folders:
        raise FileNotFoundError(f"RESULTS_DIR = {str(results_dir)!r}: holds no finished run (no {SUMMARY})")
    manifest = _manifest_hashes(results_dir)
    records, skipped, duplicates, seen = [], [], [], {}
    for folder in folders:
        run = folder.relative_to(results_dir).as_posix() if folder != results_dir else "."
        summary, reason = read_run(folder)
        if summary is None:
            skipped.append((run, reason))
            continue
        config = _read_yaml(folder / ".hydra" / "config.yaml") or {}
        recorded = summary.pop("config_hash", "") or manifest.get(run)
        fingerprint = str(recorded or (config_hash(config) if config else ""))
        if fingerprint and fingerprint in seen:
            duplicates.append((run, seen[fingerprint]))
            continue
        seen.setdefault(fingerprint, run)
        records.append(
            {
                "run": run,
                "condition": folder.parent.relative_to(results_dir).as_posix() if folder != results_dir else ".",
                "config_hash": fingerprint,
                "params": _flatten(config) | _overrides(folder),
                "overrides": _overrides(folder),
                "summary": {k: _storable(v) for k, v in summary.items()},
            }
        )
    if not records:
        raise FileNotFoundError(
            f"RESULTS_DIR = {str(results_dir)!r}: none of its {len(folders)} runs can be read "
            f"(first: {skipped[0][0]}: {skipped[0][1]})"
        )
    params = pd.DataFrame([r["params"] for r in records])
    overrides = pd.DataFrame([r["overrides"] for r in records])
    varying = [c for c in params.columns if params[c].astype(str).nunique(dropna=False) > 1]
    summary = pd.DataFrame([r["summary"] for r in records])
    table = pd.concat(
        [
            pd.DataFrame({k: [r[k] for r in records] for k in META}),
            params[[c for c in varying if c not in summary.columns and c not in META]].map(_storable),
            summary,
        ],
        axis=1,
    )
    for column in [c for c in table.columns if pd.api.types.is_object_dtype(table[c])]:
        kinds = {type(v) for v in table[column].dropna()}
        if str in kinds and int in kinds:  # some ints were too big: one type per column, or sorting fails
            table[column] = table[column].map(lambda v: v if v is None else str(v))
    table.attrs["parameters"] = varying
    table.attrs["swept"] = [c for c in overrides.columns if overrides[c].astype(str).nunique(dropna=False) > 1]
    table.attrs["figures"] = list(summary.columns)
    table.attrs["skipped"] = skipped
    table.attrs["duplicates"] = duplicates
    return table


INT64 = (-(2**63), 2**63 - 1)


def _storable(value: Any) -> Any:
    """An integer too big for a parquet column (a seed of 2**70) as its decimal string; the rest as is."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        return str(value)
    return value


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
    try:
        manifest = pd.read_csv(path, dtype=str).fillna("")
    except (OSError, ValueError, pd.errors.ParserError):
        return {}  # the manifest is a convenience; the run folders are the record
    if "run" not in manifest.columns or "config_hash" not in manifest.columns:
        return {}
    return dict(zip(manifest["run"], manifest["config_hash"], strict=True))


def load_timeseries(results_dir: Path, runs: list[str], columns: list[str]) -> pd.DataFrame:
    """Daily series of the given runs, long form with a ``run`` column."""
    frames = []
    for run in runs:
        frame = pd.read_parquet(Path(results_dir) / run / TIMESERIES, columns=columns)
        frame.insert(0, "run", run)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
