"""Sweeps that can be traced and resumed: a manifest row per run, progress, and skipping finished runs.

``ManifestCallback`` is a Hydra callback (``hydra.callbacks`` in ``conf/config.yaml``). It runs
wherever a job runs (a joblib worker, a submitit or Ray task), so every launcher gets the same
manifest: ``manifest.csv`` in the sweep folder, one row a run, rewritten atomically under a file
lock. A run folder with ``summary.json`` is finished (``sim/run/results.py`` writes it last); a
restarted sweep returns that summary instead of running again (``completed_summary``).
"""

from __future__ import annotations

import copy
import csv
import fcntl
import functools
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.core.config import ConfigError
from sim.core.model import package_version
from sim.run.results import SUMMARY, atomic_write_bytes, is_complete

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
# Settings that change how a run is shown, not what it computes.
NOT_HASHED = ("progress",)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _plain(cfg: DictConfig | dict) -> dict[str, Any]:
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
    data = _plain(cfg)
    for key in without:
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """The project's commit, ``+dirty`` when tracked files changed; empty outside a git checkout."""
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""


# ---------------------------------------------------------------------------- the manifest file
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
    """Rows of ``manifest.csv`` keyed by run folder (relative to the sweep folder)."""
    path = Path(sweep_dir) / MANIFEST
    if not path.is_file():
        return {}
    with open(path, newline="") as handle:
        return {row["run"]: row for row in csv.DictReader(handle)}


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
    tmp.write_bytes(buffer.getvalue().encode())
    os.replace(tmp, path)


def _job_number(row: dict[str, str]) -> int:
    try:
        return int(row.get("job") or -1)
    except ValueError:
        return -1


def record(sweep_dir: Path, row: dict[str, Any], keep_finished: bool = False) -> dict[str, dict[str, str]]:
    """Put one run's row into the manifest; returns all rows. ``keep_finished`` keeps a completed row."""
    return record_many(sweep_dir, [row], keep_finished)


def record_many(
    sweep_dir: Path, new_rows: list[dict[str, Any]], keep_finished: bool = False
) -> dict[str, dict[str, str]]:
    """Put several runs' rows into the manifest under its lock, in one atomic rewrite."""
    sweep_dir = Path(sweep_dir)
    with _locked(sweep_dir):
        rows = read_manifest(sweep_dir)
        changed = False
        for row in new_rows:
            old = rows.get(row["run"])
            if keep_finished and old is not None and old.get("status") == "completed":
                continue
            rows[row["run"]] = {k: "" if row.get(k) is None else str(row.get(k)) for k in FIELDS}
            changed = True
        if changed:
            _write_manifest(sweep_dir, rows)
        return rows


def manifest_row(
    sweep_dir: Path,
    run_dir: Path,
    cfg: DictConfig | dict,
    job: int,
    overrides: list[str],
    status: str,
    commit: str | None = None,
) -> dict[str, Any]:
    plain = _plain(cfg)
    return {
        "run": str(Path(run_dir).resolve().relative_to(Path(sweep_dir).resolve())),
        "job": job,
        "status": status,
        "seed": plain.get("seed"),
        "config_hash": config_hash(plain),
        "condition_hash": config_hash(plain, without=("seed",)),
        "overrides": " ".join(overrides),
        "version": package_version(),
        "git_commit": git_commit() if commit is None else commit,
    }


# ---------------------------------------------------------------------------- resume
def completed_summary(out_dir: Path, cfg: DictConfig) -> dict[str, Any] | None:
    """In a sweep, the stored summary of a finished run folder (to skip it), else ``None``.

    A finished folder whose manifest row carries another config hash belongs to a different
    configuration: that is an error, never a silent reuse.
    """
    try:
        hydra_cfg = HydraConfig.get()
    except ValueError:
        return None
    if hydra_cfg.mode != RunMode.MULTIRUN or not is_complete(out_dir):
        return None
    sweep_dir = Path(hydra_cfg.sweep.dir)
    run = str(Path(out_dir).resolve().relative_to(sweep_dir.resolve()))
    recorded = read_manifest(sweep_dir).get(run, {}).get("config_hash")
    current = config_hash(cfg)
    if recorded and recorded != current:
        raise ConfigError(
            f"hydra.sweep.dir = {str(sweep_dir)!r}: run {run} finished with another configuration "
            f"(config hash {recorded}, now {current}): resume with the same settings, or pick a new hydra.sweep.dir"
        )
    return json.loads((Path(out_dir) / SUMMARY).read_text())


# ---------------------------------------------------------------------------- the callback
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

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)  # a sweeper's storage may live there (Optuna)
        self.started = time.time()
        self.total = count_jobs(config)
        self.commit = git_commit()
        rows = read_manifest(sweep_dir)
        self.already_done = sum(r["status"] == "completed" for r in rows.values())
        if self.total is not None and "n_trials" in config.hydra.sweeper:  # a resumed study adds n_trials
            self.total += self.already_done
        if self.already_done:
            commits = {r["git_commit"] for r in rows.values() if r["status"] == "completed"}
            note = "" if commits <= {self.commit} else f" (made at commit {', '.join(sorted(commits))})"
            print(f"[sweep] resuming {sweep_dir}: {self.already_done} runs already complete{note}", file=sys.stderr)
        if self.progress:
            print(f"[sweep] {self.total or '?'} runs into {sweep_dir}", file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        rows = read_manifest(sweep_dir)
        counts = {s: sum(r["status"] == s for r in rows.values()) for s in ("completed", "failed", "running")}
        print(
            f"[sweep] done in {time.time() - self.started:.1f} s: {counts['completed']} complete, "
            f"{counts['failed']} failed, {counts['running']} unfinished; manifest {sweep_dir / MANIFEST}",
            file=sys.stderr,
            flush=True,
        )

    def _is_sweep_job(self, config: DictConfig) -> bool:
        return config.hydra.mode == RunMode.MULTIRUN

    def _row(self, config: DictConfig, status: str) -> dict[str, Any]:
        row = manifest_row(
            Path(config.hydra.sweep.dir),
            Path(config.hydra.runtime.output_dir),
            config,
            int(config.hydra.job.num),
            list(config.hydra.overrides.task),
            status,
            commit=self.commit or None,
        )
        return row

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not self._is_sweep_job(config):
            return
        self._job_started = time.time()
        self._was_complete = is_complete(Path(config.hydra.runtime.output_dir))
        self._job_row = self._row(config, "running")
        self._job_row["started"] = _stamp(self._job_started)
        record(Path(config.hydra.sweep.dir), self._job_row, keep_finished=True)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        if not self._is_sweep_job(config):
            return
        finished = time.time()
        ok = job_return.status == JobStatus.COMPLETED
        row = dict(self._job_row or self._row(config, "running"))
        row.update(status="completed" if ok else "failed", finished=_stamp(finished))
        row["seconds"] = f"{finished - self._job_started:.3f}"
        if not ok:
            row["error"] = " ".join(repr(job_return._return_value).split())[:300]
        rows = record(Path(config.hydra.sweep.dir), row, keep_finished=self._was_complete)
        if self.progress:
            self._report(rows, row["run"], "skipped (complete)" if self._was_complete else row["status"])

    def _report(self, rows: dict[str, dict[str, str]], run: str, status: str) -> None:
        done = sum(r["status"] in ("completed", "failed") for r in rows.values())
        elapsed = time.time() - self.started
        fresh = done - self.already_done
        total = self.total or len(rows)
        eta = f", ~{elapsed / fresh * max(total - done, 0):.0f} s left" if fresh > 0 and self.total else ""
        print(f"[sweep] {done}/{total} {run}: {status} ({elapsed:.1f} s{eta})", file=sys.stderr, flush=True)


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(seconds))


# ---------------------------------------------------------------------------- the batched path
class SweepFailed(RuntimeError):
    """Some runs of a batched sweep failed; the manifest holds their errors."""


@dataclass
class Job:
    """One run of a planned sweep; its config is made from a template shared by its condition."""

    num: int
    overrides: list[str]
    out_dir: Path
    template: DictConfig  # composed config with its ``hydra`` node, shared by the runs of a condition
    seed: Any = None  # set on a copy of the template; ``None`` keeps the template's seed

    def configs(self) -> tuple[DictConfig, DictConfig]:
        """The task config (no ``hydra`` node) and the ``hydra`` node, as Hydra would save them."""
        full = copy.deepcopy(self.template)
        with read_write(full), open_dict(full):
            if self.seed is not None:
                full.seed = self.seed
            full.hydra.overrides.task = list(self.overrides)
            full.hydra.job.num = self.num
            full.hydra.job.id = f"{full.hydra.job.name}_{self.num}"
            full.hydra.mode = RunMode.MULTIRUN
            full.hydra.runtime.output_dir = str(self.out_dir)
            hydra_node = full.hydra
            del full["hydra"]
        return full, hydra_node

    @property
    def cfg(self) -> DictConfig:
        return self.configs()[0]


def plan(argv: list[str]) -> tuple[Path, DictConfig, list[Job]]:
    """The jobs ``python -m sim ARGV --multirun`` would launch, in Hydra's order and folders.

    Hydra composes every job's config twice (to validate, then to run), about 65 ms each with
    this schema; here a condition is composed once and its seeds are set on copies, in the workers.
    """
    from hydra import compose, initialize_config_dir
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.core.presets import CONF_DIR
    from sim.run.schema import register

    register()
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(argv)
    hydra_args = [o.input_line for o in parsed if o.is_hydra_override()]
    task_args = [o for o in parsed if not o.is_hydra_override()]
    fixed = [o.input_line for o in task_args if not o.is_sweep_override()]
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3", job_name="__main__"):
        base = compose("config", overrides=fixed + hydra_args, return_hydra_config=True)
        sweep_dir = Path(str(OmegaConf.select(base, "hydra.sweep.dir"))).absolute()
        hydra_args = [a for a in hydra_args if not a.startswith("hydra.sweep.dir=")] + [f"hydra.sweep.dir={sweep_dir}"]
        params = [f"{k}={v}" for k, v in (base.hydra.sweeper.get("params") or {}).items()]
        grid = BasicSweeper.split_arguments(parser.parse_overrides(params) + task_args, None)[0]
        jobs: list[Job] = []
        composed: dict[tuple[str, ...], DictConfig] = {}
        for num, overrides in enumerate(grid):
            condition = tuple(o for o in overrides if not o.startswith("seed="))
            if condition not in composed:
                job_args = list(overrides) + hydra_args
                composed[condition] = compose("config", overrides=job_args, return_hydra_config=True)
            template = composed[condition]
            seed = None
            for o in parser.parse_overrides([o for o in overrides if o.startswith("seed=")]):
                seed = o.value()
            out_dir = Path(os.path.abspath(os.path.join(sweep_dir, _subdir(template, seed))))
            jobs.append(Job(num, list(overrides), out_dir, template, seed))
    GlobalHydra.instance().clear()
    return sweep_dir, base, jobs


def _subdir(template: DictConfig, seed: Any) -> str:
    """``hydra.sweep.subdir`` with the job's seed, without copying the whole template."""
    raw = template.hydra.sweep._get_node("subdir")._value()
    probe = OmegaConf.create(
        {
            "seed": template.seed if seed is None else seed,
            "subdir": raw,
            "hydra": {
                "job": {"override_dirname": template.hydra.job.override_dirname, "name": template.hydra.job.name}
            },
        }
    )
    try:
        return str(probe.subdir)
    except OmegaConfBaseException:  # a subdir naming other keys: resolve it on a full copy
        full = copy.deepcopy(template)
        with read_write(full), open_dict(full):
            full.seed = probe.seed
        return str(full.hydra.sweep.subdir)


def _execute(job: Job, commit: str, sweep_dir: Path) -> dict[str, Any]:
    """Run one job in a worker: Hydra's ``.hydra`` files, then the results (summary last)."""
    from sim.core.model import WomModel
    from sim.run.cli import to_sim_config
    from sim.run.results import write_run

    started = time.time()
    task, hydra_node = job.configs()
    row = manifest_row(sweep_dir, job.out_dir, task, job.num, job.overrides, "completed", commit=commit)
    try:
        meta = Path(job.out_dir) / ".hydra"
        meta.mkdir(parents=True, exist_ok=True)
        files = {
            "config.yaml": OmegaConf.to_yaml(task),
            "hydra.yaml": OmegaConf.to_yaml(OmegaConf.create({"hydra": hydra_node})),
            "overrides.yaml": OmegaConf.to_yaml(OmegaConf.create(job.overrides)),
        }
        for name, text in files.items():
            atomic_write_bytes(meta / name, text.encode())
        sim_cfg = to_sim_config(task)
        # Customer agents are views for inspection only; a sweep does not need them.
        model = WomModel.from_config(sim_cfg, create_agents=False)
        summary = model.run(sim_cfg.days)
        write_run(Path(job.out_dir), model.timeseries(), summary)
    except Exception as err:  # one failed run is recorded; the others go on
        row.update(status="failed", error=" ".join(repr(err).split())[:300])
    finished = time.time()
    row.update(started=_stamp(started), finished=_stamp(finished), seconds=f"{finished - started:.3f}")
    return row


def run_batched(argv: list[str], n_jobs: int = -1, progress: bool = True) -> Path:
    """Run the sweep ``python -m sim ARGV --multirun`` describes, in-process, into the same folders.

    Skips finished runs, writes the same manifest, and shows a progress bar.
    """
    sweep_dir, base, jobs = plan(argv)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(base, sweep_dir / "multirun.yaml")
    todo = pending(sweep_dir, jobs)
    print(
        f"[sweep] {len(jobs)} runs into {sweep_dir}: {len(jobs) - len(todo)} already complete, {len(todo)} to run",
        file=sys.stderr,
        flush=True,
    )
    run_jobs(sweep_dir, todo, n_jobs, progress, git_commit())
    return sweep_dir


def pending(sweep_dir: Path, jobs: list[Job]) -> list[Job]:
    """The jobs still to run; a finished folder of another configuration is an error, not a skip."""
    rows = read_manifest(sweep_dir)
    todo = []
    for job in jobs:
        if not is_complete(job.out_dir):
            todo.append(job)
            continue
        run = str(job.out_dir.relative_to(sweep_dir))
        recorded, current = rows.get(run, {}).get("config_hash"), config_hash(job.cfg)
        if recorded and recorded != current:
            raise ConfigError(
                f"hydra.sweep.dir = {str(sweep_dir)!r}: run {run} finished with another configuration "
                f"(config hash {recorded}, now {current}): resume with the same settings"
            )
        if run not in rows:
            record(sweep_dir, manifest_row(sweep_dir, job.out_dir, job.cfg, job.num, job.overrides, "completed"))
    return todo


def run_jobs(sweep_dir: Path, jobs: list[Job], n_jobs: int = -1, progress: bool = True, commit: str = "") -> None:
    """Run planned jobs on joblib's workers; the manifest is brought up to date every second."""
    from joblib import Parallel, delayed
    from tqdm import tqdm

    failed, unsaved, saved_at = 0, [], time.time()
    bar = tqdm(total=len(jobs), unit="run", disable=not progress, file=sys.stderr, mininterval=1.0)
    rows = Parallel(n_jobs=n_jobs, return_as="generator", batch_size="auto")(
        delayed(_execute)(job, commit, sweep_dir) for job in jobs
    )
    try:
        for row in rows:
            unsaved.append(row)
            failed += row["status"] != "completed"
            bar.update(1)
            if time.time() - saved_at > 1.0:
                record_many(sweep_dir, unsaved)
                unsaved, saved_at = [], time.time()
    finally:  # rows lost to a kill are rebuilt on resume from the finished folders (``pending``)
        record_many(sweep_dir, unsaved)
        bar.close()
    print(f"[sweep] done, {failed} failed: manifest {sweep_dir / MANIFEST}", file=sys.stderr, flush=True)
    if failed:
        raise SweepFailed(f"{failed} of {len(jobs)} runs failed: see the error column of {sweep_dir / MANIFEST}")


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.run.sweep [--jobs N] OVERRIDES``: a sweep without Hydra's per-job overhead."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sim.run.sweep", description=main.__doc__)
    parser.add_argument("--jobs", type=int, default=-1, help="worker processes (default: all cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("overrides", nargs="*", help="the overrides of `python -m sim ... --multirun`")
    args = parser.parse_args(argv)
    try:
        run_batched(args.overrides, n_jobs=args.jobs, progress=not args.no_progress)
    except (ConfigError, SweepFailed) as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: workers unpickle ``sim.run.sweep.Job``.
    from sim.run.sweep import main as sweep_main

    sweep_main()
