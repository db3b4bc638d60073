"""The Hydra callback of every sweep: manifest rows, progress, resuming, and the count of failures.

``ManifestCallback`` is named in ``hydra.callbacks`` (``sim/conf/config.yaml``). It runs wherever a
job runs (a joblib worker, a submitit or Ray task), so every launcher gets the same manifest.
A job that fails returns a ``JobFailure`` instead of raising: Hydra's sweeper would otherwise
re-raise the first failure and abort the sweep; here the failure is recorded with its one-line
reason, the other jobs finish, and ``python -m sim`` ends non-zero with the count (``outcome``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.core.config import ConfigError
from sim.run.fingerprint import git_commit
from sim.run.manifest import MANIFEST, count_statuses, manifest_row, read_manifest, record, record_many
from sim.run.results import EXIT_ENVIRONMENT, WriteFailure, check_folder, is_complete
from sim.run.resume import clean_run_folder, clean_sweep
from sim.run.workers import watch_parent


@dataclass(frozen=True)
class JobFailure:
    """What a sweep job returns when it failed: the one-line reason, for the manifest."""

    reason: str


@dataclass
class SweepOutcome:
    """The end of the last sweep this process ran, for the exit status."""

    sweep_dir: Path | None = None
    failed: int = 0
    total: int = 0
    manifest_error: str = ""  # the manifest could not be written (a full disk): the one line to end with


outcome = SweepOutcome()


def count_jobs(config: DictConfig) -> int | None:
    """How many jobs the sweep will launch (basic sweeper grid, or Optuna's ``n_trials``)."""
    sweeper = config.hydra.sweeper
    if "n_trials" in sweeper:
        return int(sweeper.n_trials)
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser

        params = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
        overrides = OverridesParser.create().parse_overrides(params + list(config.hydra.overrides.task))
        chosen: dict[str, int] = {}
        for override in overrides:
            size = len(list(override.sweep_string_iterator())) if override.is_discrete_sweep() else 1
            chosen[override.get_key_element()] = size
        total = 1
        for size in chosen.values():
            total *= size
        return total
    except Exception:  # a sweep the grid parser cannot count only loses its progress total
        return None


class ManifestCallback(Callback):
    """Writes the sweep manifest, prints progress, and names the sweep folder to resume from."""

    def __init__(self, progress: bool = True) -> None:
        self.progress = progress
        self.total: int | None = None
        self.started = time.time()
        self.already_done = 0
        self.commit = ""
        self._job_started = 0.0
        self._was_complete = False
        self._job_row: dict[str, Any] | None = None

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        refuse_unwritable("hydra.run.dir", config.hydra.run.dir)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        refuse_unwritable("hydra.sweep.dir", config.hydra.sweep.dir)
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)  # a sweeper's storage may live there (Optuna)
        outcome.sweep_dir, outcome.failed, outcome.total, outcome.manifest_error = sweep_dir.absolute(), 0, 0, ""
        self.started = time.time()
        self.total = count_jobs(config)
        self.commit = git_commit()
        removed = clean_sweep(sweep_dir)  # leftovers of a kill; no job of this attempt has started yet
        rows = read_manifest(sweep_dir)
        self.already_done = sum(r["status"] == "completed" for r in rows.values())
        if self.total is not None and "n_trials" in config.hydra.sweeper:  # a resumed study adds n_trials
            self.total += self.already_done
        if self.already_done or removed:
            commits = {r["git_commit"] for r in rows.values() if r["status"] == "completed"}
            note = "" if commits <= {self.commit} else f" (made at commit {', '.join(sorted(commits))})"
            cleaned = f", {removed} stale temporary files removed" if removed else ""
            print(
                f"[sweep] resuming {sweep_dir}: {self.already_done} runs already complete{note}{cleaned}",
                file=sys.stderr,
            )
        if self.progress:
            print(f"[sweep] {self.total or '?'} runs into {sweep_dir}", file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        rows = read_manifest(sweep_dir)
        try:  # the jobs may have run where a failed write could not be seen: check the disk takes it now
            record_many(sweep_dir, [], rewrite=True)
        except WriteFailure as err:
            outcome.manifest_error = str(err)
        counts = count_statuses(rows)
        total = max(self.total or 0, len(rows))
        outcome.failed, outcome.total = max(counts["failed"], total - counts["completed"]), total
        print(
            f"[sweep] done in {time.time() - self.started:.1f} s: {counts['completed']} complete, "
            f"{counts['failed']} failed, {counts['running']} unfinished; manifest {sweep_dir / MANIFEST}",
            file=sys.stderr,
            flush=True,
        )

    def _is_sweep_job(self, config: DictConfig) -> bool:
        return config.hydra.mode == RunMode.MULTIRUN

    def _row(self, config: DictConfig, status: str) -> dict[str, Any]:
        return manifest_row(
            Path(config.hydra.sweep.dir),
            Path(config.hydra.runtime.output_dir),
            config,
            int(config.hydra.job.num),
            list(config.hydra.overrides.task),
            status,
            commit=self.commit or None,
        )

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._is_sweep_job(config):
            return
        watch_parent()
        self._job_started = time.time()
        out_dir = Path(config.hydra.runtime.output_dir)
        clean_run_folder(out_dir)
        self._was_complete = is_complete(out_dir)
        self._job_row = self._row(config, "running")
        self._job_row["started"] = _stamp(self._job_started)
        self._record(config, self._job_row, keep_finished=True)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        if not self._is_sweep_job(config):
            return
        finished = time.time()
        try:
            value = job_return.return_value  # a job that raised raises it here again
        except Exception as err:
            value = err
        ok = job_return.status == JobStatus.COMPLETED and not isinstance(value, JobFailure)
        row = dict(self._job_row or self._row(config, "running"))
        row.update(status="completed" if ok else "failed", finished=_stamp(finished))
        row["seconds"] = f"{finished - self._job_started:.3f}"
        if not ok:
            reason = value.reason if isinstance(value, JobFailure) else f"{type(value).__name__}: {value}"
            row["error"] = " ".join(reason.split())[:300]
        # A skipped finished run keeps its row; one refused (made with another config) is counted as failed,
        # so the sweep's exit status says so. Its summary.json keeps its own fingerprint either way.
        rows = self._record(config, row, keep_finished=self._was_complete and ok)
        if self.progress:
            self._report(rows, row["run"], "skipped (complete)" if self._was_complete and ok else row["status"])

    def _record(self, config: DictConfig, row: dict[str, Any], keep_finished: bool) -> dict[str, dict[str, str]]:
        """The manifest with ``row`` put in; on a disk that refuses it, the job goes on (the sweep's end says so)."""
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            return record(sweep_dir, row, keep_finished=keep_finished)
        except WriteFailure as err:
            outcome.manifest_error = str(err)
            return read_manifest(sweep_dir) | {row["run"]: row}

    def _report(self, rows: dict[str, dict[str, str]], run: str, status: str) -> None:
        done = sum(r["status"] in ("completed", "failed") for r in rows.values())
        elapsed = time.time() - self.started
        fresh = done - self.already_done
        total = self.total or len(rows)
        eta = f", ~{elapsed / fresh * max(total - done, 0):.0f} s left" if fresh > 0 and self.total else ""
        print(f"[sweep] {done}/{total} {run}: {status} ({elapsed:.1f} s{eta})", file=sys.stderr, flush=True)


def refuse_unwritable(key: str, folder: str) -> None:
    """One line and exit 2 (1: a full or failing disk) when ``folder`` cannot hold results, before Hydra makes it.

    Raised here, the error would reach Hydra's own handler, which prints a traceback; ``SystemExit``
    passes through it.
    """
    try:
        check_folder(key, folder)
    except (ConfigError, WriteFailure) as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        sys.exit(EXIT_ENVIRONMENT if isinstance(err, WriteFailure) else 2)


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(seconds))
