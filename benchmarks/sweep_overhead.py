"""What a 1,000-run sweep of 10,000 customers x 365 days costs on this machine, and where it goes.

    python benchmarks/sweep_overhead.py             # 1,000 runs through each path (about 15 minutes)
    python benchmarks/sweep_overhead.py --runs 100  # quicker; figures projected to 1,000 runs

Measured side by side in one run:
  1. one model run in-process (build + 365 days + writing the folder), serial;
  2. Hydra's per-job cost: a joblib sweep of runs of 10 customers x 1 day, where the model is free;
  3. the sweep through Hydra's joblib launcher (`python -m sim ... --multirun`);
  4. the same sweep through the batched path (`python -m sim.run.sweep ...`), same run folders.
Target: 1,000 runs in at most 300 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RUNS, TARGET_SECONDS = 1000, 300.0


CPU_SECONDS: dict[str, float] = {}


def timed(cmd: list[str], name: str = "") -> float:
    """Wall seconds of a command; its CPU seconds (all processes it waited for) go to CPU_SECONDS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stderr[-2000:]}")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS[name] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall


def in_process(runs: int, scratch: Path) -> tuple[float, float]:
    """Seconds per run, serial, with Customer agents (as `python -m sim`) and without (batched path)."""
    from sim.core.config import SimConfig
    from sim.core.model import WomModel
    from sim.run.results import write_run

    out = []
    for agents in (True, False):
        started = time.perf_counter()
        for seed in range(runs):
            cfg = SimConfig(seed=seed)
            model = WomModel.from_config(cfg, create_agents=agents)
            summary = model.run(cfg.days)
            write_run(scratch / f"inproc-{agents}-{seed}", model.timeseries(), summary)
        out.append((time.perf_counter() - started) / runs)
    return out[0], out[1]


def compose_seconds(n: int = 20) -> float:
    from hydra import compose, initialize_config_dir

    from sim.core.presets import CONF_DIR
    from sim.run.schema import register

    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        compose("config", overrides=["seed=0"])
        started = time.perf_counter()
        for seed in range(n):
            compose("config", overrides=[f"seed={seed}"], return_hydra_config=True)
        return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=TARGET_RUNS, help="runs of each sweep (default 1000)")
    parser.add_argument("--tiny-runs", type=int, default=200, help="runs of the overhead-only sweep")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="sweep-overhead-"))
    py = sys.executable
    try:
        cores = os.cpu_count()
        start_s = timed([py, "-c", "import sim.run.app, sim.run.sweep, hydra_plugins.hydra_joblib_launcher"])
        with_agents, without_agents = in_process(4, scratch)
        compose_s = compose_seconds()
        tiny = [f"seed=range(0,{args.tiny_runs})", "customers=10", "days=1", "progress=false"]
        tiny_s = timed(
            [py, "-m", "sim", *tiny, "hydra/launcher=joblib", f"hydra.sweep.dir={scratch}/tiny", "--multirun"]
        )
        grid = [f"seed=range(0,{args.runs})", "progress=false"]
        load_before = os.getloadavg()[0]
        hydra_cmd = [py, "-m", "sim", *grid, "hydra/launcher=joblib", f"hydra.sweep.dir={scratch}/hydra", "--multirun"]
        hydra_s = timed(hydra_cmd, "hydra")
        batched_s = timed(
            [py, "-m", "sim.run.sweep", "--no-progress", *grid, f"hydra.sweep.dir={scratch}/batched"], "batched"
        )
        load_after = os.getloadavg()[0]
        done = {name: len(list((scratch / name).rglob("summary.json"))) for name in ("hydra", "batched")}
        assert done == {"hydra": args.runs, "batched": args.runs}, done
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    scale = TARGET_RUNS / args.runs
    print(f"machine: {cores} cores; sweep of {args.runs} runs of 10,000 customers x 365 days (projected to 1,000)")
    print(f"  python start + imports (sim, Hydra, joblib launcher)   {start_s:8.2f} s")
    print(f"  one run in-process, serial, with Customer agents       {with_agents:8.3f} s")
    print(f"  one run in-process, serial, without agents (batched)   {without_agents:8.3f} s")
    print(f"  Hydra compose of one job's config (done twice a job)   {compose_s:8.3f} s")
    per_job = tiny_s / args.tiny_runs
    print(f"  Hydra + joblib per job, model free ({args.tiny_runs} runs, {tiny_s:.1f} s) {per_job:8.3f} s wall a job")
    print(
        f"  model-only floor for 1,000 runs on {cores} cores            {TARGET_RUNS * without_agents / cores:8.1f} s"
    )
    print()
    print(f"  {'path':<32}{'wall':>9}{'per run':>9}{'CPU a run':>11}{'1,000 runs':>12}   target {TARGET_SECONDS:.0f} s")
    for key, name, seconds in (
        ("hydra", "Hydra joblib launcher (-m)", hydra_s),
        ("batched", "batched (python -m sim.run.sweep)", batched_s),
    ):
        projected = seconds * scale
        verdict = "meets" if projected <= TARGET_SECONDS else "misses"
        cpu = CPU_SECONDS[key] / args.runs
        print(f"  {name:<32}{seconds:>8.1f}s{seconds / args.runs:>8.3f}s{cpu:>10.3f}s{projected:>11.1f}s   {verdict}")
    cpu_ratio = CPU_SECONDS["hydra"] / CPU_SECONDS["batched"]
    print(f"  ratio Hydra / batched: {hydra_s / batched_s:.2f}x wall, {cpu_ratio:.2f}x CPU")
    print(f"  1-minute load average before and after the two sweeps: {load_before:.2f}, {load_after:.2f}")
    print("  (the machine is shared: a load above the core count means other work slowed these sweeps)")


if __name__ == "__main__":
    main()
