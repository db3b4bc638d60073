"""Writing a run's results: atomic files, ``summary.json`` last as the completion mark."""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.warnings import SimWarning

SUMMARY = "summary.json"
TIMESERIES = "timeseries.parquet"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename: readers never see half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary_json(summary: dict[str, Any]) -> bytes:
    """``summary`` as strict JSON: a non-finite figure becomes ``null`` and is named under ``non_finite``.

    Python's ``json`` writes ``NaN`` and ``Infinity``, which no other JSON reader accepts. Validation
    keeps every figure finite; should one slip through, it is flagged, not hidden, and the file
    stays readable everywhere.
    """
    bad = sorted(k for k, v in summary.items() if isinstance(v, float) and not math.isfinite(v))
    if bad:
        summary = {k: (None if k in bad else v) for k, v in summary.items()} | {"non_finite": bad}
        warnings.warn(f"summary figures not finite, written as null: {', '.join(bad)}", SimWarning, stacklevel=3)
    return json.dumps(summary, indent=2, sort_keys=True, allow_nan=False).encode()


def write_run(folder: Path, timeseries: pd.DataFrame, summary: dict[str, Any]) -> None:
    """Time series first, summary last: a folder with ``summary.json`` is a finished run."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / TIMESERIES, timeseries.to_parquet(index=False))
    atomic_write_bytes(folder / SUMMARY, summary_json(summary))


def is_complete(folder: Path) -> bool:
    return (Path(folder) / SUMMARY).is_file()
