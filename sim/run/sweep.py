"""``python -m sim.run.sweep``: the sweep ``python -m sim ... --multirun`` describes, without Hydra's per-job overhead.

Same grid, folders, ``.hydra`` files, results and manifest as the Hydra path (the tests compare
them byte for byte), with a progress bar. Finished runs are skipped; a bad job fails alone and
is recorded with its one-line reason; Ctrl-C prints the command that resumes the sweep.

The manifest, the callback, fingerprints and resuming live in their own modules; their names
are re-exported here for code written against the earlier single module.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from omegaconf import OmegaConf

from sim.core.config import ConfigError
from sim.run.callback import ManifestCallback, count_jobs  # noqa: F401  (re-exported)
from sim.run.fingerprint import config_hash, git_commit  # noqa: F401  (re-exported)
from sim.run.manifest import MANIFEST, manifest_row, one_line, read_manifest, record, record_many  # noqa: F401
from sim.run.plan import Job, plan
from sim.run.results import EXIT_ENVIRONMENT, WriteFailure, atomic_write_bytes, is_complete, reason
from sim.run.resume import check_same_config, clean_run_folder, clean_sweep, completed_summary  # noqa: F401
from sim.run.workers import mark_main, watch_parent


class SweepFailed(RuntimeError):
    """Some runs of a batched sweep failed; the manifest holds their errors."""


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(seconds))


def _execute(job: Job, commit: str, sweep_dir: Path) -> dict[str, Any]:
    """Run one job in a worker: Hydra's ``.hydra`` files, then the results (summary last)."""
    from sim.run.cli import discard_unfinished
    from sim.run.job import run
    from sim.run.schema import register

    watch_parent()
    register()  # a fresh worker knows no resolver yet (the TARP losses use one)
    started = time.time()
    task, hydra_node = job.configs()
    row = manifest_row(sweep_dir, job.out_dir, task, job.num, job.overrides, "completed", commit=commit)
    try:
        meta = Path(job.out_dir) / ".hydra"
        meta.mkdir(parents=True, exist_ok=True)
        clean_run_folder(job.out_dir)
        files = {
            "config.yaml": OmegaConf.to_yaml(task),
            "hydra.yaml": OmegaConf.to_yaml(OmegaConf.create({"hydra": hydra_node})),
            "overrides.yaml": OmegaConf.to_yaml(OmegaConf.create(job.overrides)),
        }
        for name, text in files.items():
            atomic_write_bytes(meta / name, text.encode())
        run(task, Path(job.out_dir), progress=False)
    except Exception as err:  # one failed run is recorded; the others go on
        row.update(status="failed", error=one_line(err))
        discard_unfinished(job.out_dir)  # as the Hydra path does: no folder that could pass for a result
    finished = time.time()
    row.update(started=_stamp(started), finished=_stamp(finished), seconds=f"{finished - started:.3f}")
    return row


def run_planned(
    sweep_dir: Path, base: Any, jobs: list[Job], n_jobs: int = -1, progress: bool = True, announce: bool = True
) -> Path:
    """Run the jobs ``plan`` made: refuse a folder of another config, clean up after a kill, then run.

    ``announce=False`` leaves the first and last lines to Hydra's callback (``hydra/sweeper=batched``).
    """
    todo = pending(sweep_dir, jobs)  # refuses a folder of another configuration before writing anything
    sweep_dir.mkdir(parents=True, exist_ok=True)
    removed = clean_sweep(sweep_dir)
    try:
        atomic_write_bytes(sweep_dir / "multirun.yaml", OmegaConf.to_yaml(base).encode())
    except OSError as err:
        raise WriteFailure(f"{sweep_dir / 'multirun.yaml'}: not written ({reason(err)})") from None
    cleaned = f", {removed} stale temporary files removed" if removed else ""
    if announce:
        print(
            f"[sweep] {len(jobs)} runs into {sweep_dir}: {len(jobs) - len(todo)} already complete, "
            f"{len(todo)} to run{cleaned}",
            file=sys.stderr,
            flush=True,
        )
    run_jobs(sweep_dir, todo, n_jobs, progress, git_commit(), announce)
    return sweep_dir


def pending(sweep_dir: Path, jobs: list[Job]) -> list[Job]:
    """The jobs still to run; a finished folder of another configuration is an error, not a skip."""
    rows = read_manifest(sweep_dir)
    todo = []
    for job in jobs:
        if not is_complete(job.out_dir):
            todo.append(job)
            continue
        cfg = job.cfg
        check_same_config(job.out_dir, config_hash(cfg), sweep_dir)
        run = job.out_dir.relative_to(sweep_dir).as_posix()
        if rows.get(run, {}).get("status") != "completed":
            record(sweep_dir, manifest_row(sweep_dir, job.out_dir, cfg, job.num, job.overrides, "completed"))
    return todo


def run_jobs(
    sweep_dir: Path, jobs: list[Job], n_jobs: int = -1, progress: bool = True, commit: str = "", announce: bool = True
) -> None:
    """Run planned jobs on joblib's workers; the manifest is brought up to date every second."""
    from joblib import Parallel, delayed
    from tqdm import tqdm

    mark_main()
    failed, unsaved, saved_at = 0, [], time.time()
    refused: list[WriteFailure] = []  # the disk refused the manifest: the runs go on, their rows wait
    bar = tqdm(total=len(jobs), unit="run", disable=not progress, file=sys.stderr, mininterval=1.0)
    rows = Parallel(n_jobs=n_jobs, return_as="generator", batch_size="auto")(
        delayed(_execute)(job, commit, sweep_dir) for job in jobs
    )

    def save() -> None:
        nonlocal unsaved, saved_at
        try:
            record_many(sweep_dir, unsaved)
        except WriteFailure as err:
            refused[:] = [err]
            return
        refused.clear()
        unsaved, saved_at = [], time.time()

    try:
        for row in rows:
            unsaved.append(row)
            failed += row["status"] != "completed"
            if row["status"] != "completed":
                bar.write(f"[sweep] {row['run']}: failed: {row['error']}", file=sys.stderr)
            bar.update(1)
            if time.time() - saved_at > 1.0:
                save()
    finally:  # rows lost to a kill are rebuilt on resume from the finished folders (``pending``)
        save()
        bar.close()
    if refused:
        raise refused[0]
    if announce:
        print(f"[sweep] done, {failed} failed: manifest {sweep_dir / MANIFEST}", file=sys.stderr, flush=True)
    if failed:
        raise SweepFailed(f"{failed} of {len(jobs)} runs failed: see the error column of {sweep_dir / MANIFEST}")


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.run.sweep [--jobs N] OVERRIDES``: a sweep without Hydra's per-job overhead."""
    import argparse

    from sim.run.cli import EXIT_INTERRUPTED, EXIT_RUNS_FAILED, fail, resume_command

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # argparse's usage block, as one line
            fail(ConfigError(f"{message} (see python -m sim.run.sweep --help)"), None)
            raise AssertionError  # fail exits

    parser = OneLineParser(prog="python -m sim.run.sweep", description=main.__doc__)
    parser.add_argument("--jobs", type=int, default=-1, help="worker processes (default: all cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("overrides", nargs="*", help="the overrides of `python -m sim ... --multirun`")
    args = parser.parse_intermixed_args(argv)
    if args.jobs == 0 or args.jobs < -1:
        fail(ConfigError(f"--jobs = {args.jobs}: must be a positive number of workers, or -1 for all cores"), None)
    sweep_dir = None
    try:
        planned = plan(args.overrides)  # Hydra's own parse and composition: one-line errors
        sweep_dir = planned[0]
        run_planned(*planned, n_jobs=args.jobs, progress=not args.no_progress)
    except ConfigError as err:
        fail(err, None)
    except WriteFailure as err:  # a full or failing disk; the finished runs keep their folders
        fail(err, None, EXIT_ENVIRONMENT)
    except SweepFailed as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(EXIT_RUNS_FAILED)
    except KeyboardInterrupt:
        command = resume_command("sim.run.sweep", args.overrides, sweep_dir)
        print(f"interrupted: resume with {command}", file=sys.stderr, flush=True)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: workers unpickle ``sim.run.plan.Job``.
    from sim.run.sweep import main as sweep_main

    sweep_main()
