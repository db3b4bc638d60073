"""The performance targets of issue 18, each measured as a whole process in a fresh interpreter.

- ``python -m sim customers=250000 market.share=0.25`` (1,000,000 people, 365 days): <= 8 s and
  <= 2 GB end to end; the simulation alone (``WomModel.run``: the days and the summary) <= 4 s;
- ``python -m sim customers=1000000 market.share=0.25`` (4,000,000 people): <= 30 s, <= 4 GB;
- every network preset's graph at 1,000,000 people, built alone: <= 5 s, <= 1.5 GB (the
  process's whole peak, Python and libraries included).

The 10,000,000-person run has its own script (``benchmarks/ten_million.py``). A shared machine is
slower than a quiet one, so the load average is printed before and after each run, and each
figure is also given as a multiple of a bare numpy pass over 1,000,000 people for 365 days
(``common.bare_pass``), measured in the same run before and after the others.

    python -m benchmarks.targets
"""

from __future__ import annotations

import os

from benchmarks.common import cli, isolated, machine, report, whole_process
from sim.core.config import NETWORK_KINDS

PEOPLE = 1_000_000
PRESETS = [k for k in NETWORK_KINDS if k != "edgelist"]  # edgelist reads the user's own file


def graph_only(people: int, kind: str) -> dict:
    """Seconds to build the market's graph of ``kind`` with tie strength (what the model builds), nothing else."""
    import time

    import numpy as np

    from benchmarks.configs import default_config
    from sim.core.network import build

    cfg = default_config(f"network={kind}")
    net = cfg.network
    start = time.perf_counter()
    graph = build(net, people, np.random.default_rng(0), strong=net.strong_tie, weak=net.weak_tie)
    return {"graph_s": round(time.perf_counter() - start, 2), "ties": len(graph.indices) // 2}


def met(value: float, target: float) -> str:
    return "yes" if value <= target else "MISSED"


def main() -> None:
    print(machine(), flush=True)
    bare = [isolated("benchmarks.common", "bare_pass", people=PEOPLE, days=365)["seconds"]]
    rows = []

    def add(run: str, figure: str, value: float, unit: str, target: float, load: str, bare_s: float | None) -> None:
        rows.append(
            {
                "run": run,
                "figure": figure,
                "value": value,
                "unit": unit,
                "target": target,
                "met": met(value, target),
                "load": load,
                "x_bare_pass": round(value / bare_s, 1) if bare_s else "",
            }
        )

    for customers, people, (t_s, t_mb) in ((250_000, 1_000_000, (8, 2048)), (1_000_000, 4_000_000, (30, 4096))):
        r = whole_process(cli(f"customers={customers}", "market.share=0.25"))
        load = f"{r['load_before']}-{r['load_after']}"
        run = f"python -m sim customers={customers} market.share=0.25 ({people:,} people)"
        add(run, "whole process", r["seconds"], "s", t_s, load, bare[0])
        add(run, "peak memory", r["peak_mb"], "MB", t_mb, load, None)
        print(rows[-2], rows[-1], sep="\n", flush=True)
        if people == PEOPLE:
            s = isolated("benchmarks.million", "run_default", people=people, seed=0)
            add(run, "simulation (days and summary)", s["simulation_s"], "s", 4, load, bare[0])
            add(run, "graph (in the run above)", s["graph_s"], "s", 5, load, bare[0])
            print(rows[-2], rows[-1], sep="\n", flush=True)
    for kind in PRESETS:
        load = os.getloadavg()[0]
        g = isolated("benchmarks.targets", "graph_only", people=PEOPLE, kind=kind)
        run = f"graph only, network={kind} ({PEOPLE:,} people, {g['ties']:,} ties)"
        load_s = f"{load:.2f}-{os.getloadavg()[0]:.2f}"
        add(run, "graph", g["graph_s"], "s", 5, load_s, bare[0])
        add(run, "peak memory", g["peak_mb"], "MB", 1536, load_s, None)
        print(rows[-2], rows[-1], sep="\n", flush=True)
    bare.append(isolated("benchmarks.common", "bare_pass", people=PEOPLE, days=365)["seconds"])
    report(
        "targets",
        rows,
        "Issue 18 targets: whole processes on this machine (365 days, default config and network)",
        [
            f"bare pass: {PEOPLE:,} people x 365 days of state += rng.random(n): "
            f"{bare[0]:.2f} s before the runs, {bare[1]:.2f} s after; x_bare_pass divides by the first",
            "whole process: wall time of the CLI from start to exit (imports, graph, run, summary, files written); "
            "peak memory: its own peak resident set (os.wait4)",
            "simulation: WomModel.run (365 days and the end-of-run summary) in a separate fresh process "
            "(benchmarks.million.run_default, seed 0); graph: the same process's graph build",
            "graph only: build() with tie strength alone in a fresh process; peak: that whole process",
        ],
    )


if __name__ == "__main__":
    main()
