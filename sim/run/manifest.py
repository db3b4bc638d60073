"""The sweep manifest: ``manifest.csv`` in the sweep folder, one row a run, rewritten atomically under a lock.

Every launcher writes the same rows (the callback runs wherever a job runs; the batched path
writes them from its main process), so a sweep can be traced run by run whatever ran it.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.core.model import package_version
from sim.run.fingerprint import config_hash, git_commit, plain_config
from sim.run.results import WriteFailure, reason

MANIFEST = "manifest.csv"
LOCK = ".manifest.lock"
FIELDS = (
    "run",
    "job",
    "status",
    "seed",
    "config_hash",
    "condition_hash",
    "overrides",
    "version",
    "git_commit",
    "started",
    "finished",
    "seconds",
    "error",
)
STATUSES = ("completed", "failed", "running")


@contextmanager
def _locked(sweep_dir: Path) -> Iterator[None]:
    sweep_dir.mkdir(parents=True, exist_ok=True)
    with open(sweep_dir / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(sweep_dir: Path) -> dict[str, dict[str, str]]:
    """Rows of ``manifest.csv`` keyed by run folder (relative to the sweep folder); missing columns read empty."""
    path = Path(sweep_dir) / MANIFEST
    if not path.is_file():
        return {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [{k: (row.get(k) or "") for k in FIELDS} for row in csv.DictReader(handle)]
    except (UnicodeDecodeError, csv.Error) as err:
        from sim.core.config import ConfigError

        raise ConfigError(
            f"{path}: not a manifest ({type(err).__name__}): move it aside to resume; "
            "it is rebuilt from the finished run folders"
        ) from None
    return {row["run"]: row for row in rows if row["run"]}


def _write_manifest(sweep_dir: Path, rows: dict[str, dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows, key=lambda k: (_job_number(rows[k]), k)):
        writer.writerow(rows[key])
    # Atomic (rename) but not fsynced: written once or twice a job, and rebuilt on resume from the
    # finished run folders, so a crash may cost the newest rows, never a torn file.
    path = Path(sweep_dir) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(buffer.getvalue().encode())
        os.replace(tmp, path)
    except OSError as err:  # a full or failing disk: the manifest as it was stays; resuming rebuilds it
        tmp.unlink(missing_ok=True)
        raise WriteFailure(f"{path}: not written ({reason(err)}): resuming rebuilds it from the run folders") from None


def _job_number(row: dict[str, str]) -> int:
    try:
        return int(row.get("job") or -1)
    except ValueError:
        return -1


def record(sweep_dir: Path, row: dict[str, Any], keep_finished: bool = False) -> dict[str, dict[str, str]]:
    """Put one run's row into the manifest; returns all rows. ``keep_finished`` keeps a completed row."""
    return record_many(sweep_dir, [row], keep_finished)


def record_many(
    sweep_dir: Path, new_rows: list[dict[str, Any]], keep_finished: bool = False, rewrite: bool = False
) -> dict[str, dict[str, str]]:
    """Put several runs' rows into the manifest under its lock, in one atomic rewrite (``rewrite``: even unchanged).

    Raises ``WriteFailure`` (one line) when the disk refuses it; the manifest as it was stays.
    """
    sweep_dir = Path(sweep_dir)
    with _locked(sweep_dir):
        rows = read_manifest(sweep_dir)
        changed = rewrite and (sweep_dir / MANIFEST).is_file()
        for row in new_rows:
            old = rows.get(row["run"])
            if keep_finished and old is not None and old.get("status") == "completed":
                continue
            rows[row["run"]] = {k: "" if row.get(k) is None else str(row.get(k)) for k in FIELDS}
            changed = True
        if changed:
            _write_manifest(sweep_dir, rows)
        return rows


def count_statuses(rows: dict[str, dict[str, str]]) -> dict[str, int]:
    """How many rows are completed, failed and still marked running."""
    return {status: sum(r["status"] == status for r in rows.values()) for status in STATUSES}


def manifest_row(
    sweep_dir: Path,
    run_dir: Path,
    cfg: DictConfig | dict,
    job: int,
    overrides: list[str],
    status: str,
    commit: str | None = None,
) -> dict[str, Any]:
    """A manifest row for one run; timings and the error are filled in when it ends."""
    plain = plain_config(cfg)
    return {
        "run": run_name(sweep_dir, run_dir),
        "job": job,
        "status": status,
        "seed": plain.get("seed"),
        "config_hash": config_hash(plain),
        "condition_hash": config_hash(plain, without=("seed",)),
        "overrides": " ".join(overrides),
        "version": package_version(),
        "git_commit": git_commit() if commit is None else commit,
    }


def run_name(sweep_dir: Path, run_dir: Path) -> str:
    """A run's folder relative to its sweep folder: the manifest's key."""
    return Path(run_dir).resolve().relative_to(Path(sweep_dir).resolve()).as_posix()


def one_line(err: BaseException, limit: int = 300) -> str:
    """An error as one short line for the manifest: the message of ours, the type too for anything else."""
    from sim.core.config import ConfigError
    text = str(err) if isinstance(err, (ConfigError, WriteFailure)) else f"{type(err).__name__}: {err}"
    return " ".join(text.split())[:limit]
