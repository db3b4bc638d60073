"""Kill a sweep again and again (``kill -9`` of the whole process group at a random moment), resume it
each time, and check that nothing was lost or mixed: the final files equal those of a sweep that was
never interrupted, byte for byte; the manifest lists every run as completed; no temporary file and no
worker process is left.

    python benchmarks/kill_resume.py --cycles 15

Alternates the joblib launcher (``python -m sim ... --multirun``) and the batched path
(``python -m sim.run.sweep``) on the same sweep folder, so each resumes what the other left.
Writes benchmarks/results/kill_resume.txt.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
GRID = ["customers=3000", "days=150", "progress=false", "policy=none,full", "seed=range(0,20)"]
FILES = ("summary.json", "timeseries.parquet", ".hydra/config.yaml", ".hydra/overrides.yaml")


def command(how: str, sweep: Path) -> list[str]:
    if how == "joblib":
        return [sys.executable, "-m", "sim", *GRID, "hydra/launcher=joblib", f"hydra.sweep.dir={sweep}", "--multirun"]
    return [sys.executable, "-m", "sim.run.sweep", "--no-progress", *GRID, f"hydra.sweep.dir={sweep}"]


def files_of(sweep: Path) -> dict[str, bytes]:
    out = {}
    for summary in sorted(sweep.rglob("summary.json")):
        run = summary.parent
        for name in FILES:
            out[f"{run.relative_to(sweep)}/{name}"] = (run / name).read_bytes()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=15, help="kills before the last, uninterrupted resume")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scratch = Path(tempfile.mkdtemp(prefix="kill_resume_"))
    try:
        reference, sweep = scratch / "reference", scratch / "killed"
        subprocess.run(command("batched", reference), cwd=ROOT, check=True, capture_output=True)
        expected = files_of(reference)
        kills, finished_between = 0, []
        for cycle in range(args.cycles):
            how = ("joblib", "batched")[cycle % 2]
            before = len(list(sweep.rglob("summary.json")))
            target = before + rng.randint(1, 3)  # kill part-way: after a few more runs, mid-write or not
            process = subprocess.Popen(
                command(how, sweep),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            while process.poll() is None and len(list(sweep.rglob("summary.json"))) < target:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                kills += 1
            process.wait()
            finished_between.append(len(list(sweep.rglob("summary.json"))) - before)
        last = subprocess.run(command("batched", sweep), cwd=ROOT, capture_output=True, text=True)
        got = files_of(sweep)
        from sim.run.manifest import read_manifest

        rows = read_manifest(sweep)
        leftovers = list(sweep.rglob(".*.tmp"))
        lines = [
            f"{kills} kill -9 and resume cycles (joblib launcher and batched path in turn) on a sweep of "
            f"{len(expected) // len(FILES)} runs, then one last resume (exit {last.returncode})",
            f"runs finished between kills: {finished_between}",
            f"files identical to the uninterrupted sweep: {got == expected} ({len(got)} of {len(expected)} files)",
            f"manifest rows completed: {sum(r['status'] == 'completed' for r in rows.values())} of {len(rows)}",
            f"temporary files left: {len(leftovers)}",
        ]
        text = "\n".join(lines) + "\n"
        print(text, end="")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "kill_resume.txt").write_text(text)
        if got != expected or leftovers or last.returncode != 0:
            sys.exit(1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
