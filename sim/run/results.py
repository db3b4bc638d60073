"""Writing a run's results: atomic files, ``summary.json`` last as the completion mark.

A folder the results cannot go into is refused before anything is written (``check_folder``,
exit status 2: the setting to change is named); a disk that is full or fails, before the run or
while writing, raises ``WriteFailure`` (exit status 1: the environment, not the command, is at
fault), and a half-written run is taken back.
"""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.config import ConfigError
from sim.core.warnings import SimWarning

SUMMARY = "summary.json"
TIMESERIES = "timeseries.parquet"
PARQUET_MAGIC = b"PAR1"
EXIT_ENVIRONMENT = 1  # the environment failed: a full disk, an I/O error, a missing optional dependency
DISK_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EIO)  # full or failing: the environment's fault, not the command's
PROBE_BYTES = 64 * 1024  # more than Hydra's records of a run (.hydra/*.yaml, about 15 KB)


class WriteFailure(Exception):
    """The disk refused a run's results; the message is one line naming the folder and the reason."""


def reason(err: OSError) -> str:
    """``err`` as a short phrase (``No space left on device``), without Python's ``[Errno 28]``."""
    return (err.strerror or str(err)) if err.errno else str(err)


def check_folder(key: str, folder: str | Path) -> None:
    """Raise ``ConfigError`` naming ``key`` when ``folder`` cannot hold results, before anything is written.

    An empty value would put the results into the current folder, among other files; a path through
    a file (or a device such as ``/dev/full``) or a folder that refuses a new entry (read-only, no
    permission) fails here with one line instead of a traceback from deep inside Hydra. Only the
    nearest existing folder is probed (a temporary file of ``PROBE_BYTES`` written and removed),
    so nothing stays; a disk too full for it (Hydra writes its records first) raises ``WriteFailure``.
    """
    if not str(folder).strip():
        raise ConfigError(f"{key} = '': must name a folder (results are never written into the current folder)")
    path = Path(folder).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists() or p == p.parent)
    if not existing.is_dir():
        raise ConfigError(f"{key} = {str(folder)!r}: {existing} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".probe.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(bytes(PROBE_BYTES))
        finally:
            os.unlink(probe)
    except OSError as err:
        message = f"{key} = {str(folder)!r}: cannot write in {existing} ({reason(err)})"
        if err.errno in DISK_FAILURES:
            raise WriteFailure(message) from None
        raise ConfigError(message) from None


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
    """Time series first, summary last: a folder with ``summary.json`` is a finished run.

    Raises ``WriteFailure`` when the disk refuses either file; a time series written for a run
    whose summary then failed is removed, so no half run is left that a reader could take up.
    """
    folder = Path(folder)
    finished_before = is_complete(folder)  # the same config run again: its files are replaced, not removed
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(folder / TIMESERIES, timeseries.to_parquet(index=False))
        atomic_write_bytes(folder / SUMMARY, summary_json(summary))
    except OSError as err:
        if not finished_before:
            (folder / TIMESERIES).unlink(missing_ok=True)
        raise WriteFailure(f"{folder}: results not written ({reason(err)})") from None


def remove_empty_parents(folder: Path, top: Path) -> None:
    """Remove the empty folders above ``folder`` up to, not including, ``top`` (a failed job's condition folders)."""
    folder, top = Path(folder).absolute(), Path(top).absolute()
    for parent in folder.parents:
        if parent == top or top not in parent.parents:
            return
        try:
            parent.rmdir()  # only an empty folder goes
        except OSError:
            return


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a finished run: a readable summary beside a whole time series.

    The summary is written last, so it marks the end; the time series is still checked (a parquet
    file starts and ends with ``PAR1``), as a file truncated or emptied afterwards (a full disk, a
    copy cut short) would otherwise pass for a result and be skipped on resume.
    """
    folder = Path(folder)
    try:
        summary = json.loads((folder / SUMMARY).read_bytes())
        with open(folder / TIMESERIES, "rb") as handle:
            head = handle.read(4)
            handle.seek(-4, os.SEEK_END)
            tail = handle.read(4)
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and head == tail == PARQUET_MAGIC
