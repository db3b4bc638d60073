"""Question 1: 1,000,000 customers on a Barabasi-Albert graph (m = 5), 365 days, default config.

Targets: simulation <= 10 s (stretch 5 s), peak memory <= 2 GB, graph built in <= 10 s
(timed separately). Each measurement runs in a fresh process; the peak is that process's
whole peak resident memory (graph build included). The last row is the CLI itself,
``python -m sim customers=1000000``, end to end (start-up, graph, run, parquet and JSON).

    python -m benchmarks.million [customers]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from benchmarks.common import isolated, peak_mb, report


def run_default(customers: int, seed: int) -> dict:
    from benchmarks.configs import default_config
    from sim.core import model as model_module
    from sim.core.model import WomModel

    cfg = default_config(f"customers={customers}", f"seed={seed}")
    build, graph_seconds = model_module.netbuild.build, []

    def timed_build(*args, **kwargs):
        start = time.perf_counter()
        out = build(*args, **kwargs)
        graph_seconds.append(time.perf_counter() - start)
        return out

    model_module.netbuild.build = timed_build
    start = time.perf_counter()
    model = WomModel.from_config(cfg)
    init = time.perf_counter() - start
    after_init = peak_mb()
    start = time.perf_counter()
    summary = model.run(cfg.days)
    sim = time.perf_counter() - start
    return {
        "graph_s": round(graph_seconds[0], 2),
        "setup_s": round(init - graph_seconds[0], 2),
        "simulation_s": round(sim, 2),
        "days": cfg.days,
        "agents_made": len(model._customers),
        "peak_mb_after_setup": round(after_init, 1),
        "customers_lost": summary["customers_lost"],
    }


def cli(customers: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sim", f"customers={customers}", "progress=false", f"hydra.run.dir={out}"],
            check=True,
            capture_output=True,
        )
        return {"cli_s": round(time.perf_counter() - start, 2)}


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rows = []
    for seed in (0, 1, 2):
        r = isolated("benchmarks.million", "run_default", customers=customers, seed=seed)
        rows.append(
            {
                "run": f"model seed={seed}",
                "customers": customers,
                "days": r["days"],
                "graph_s": r["graph_s"],
                "setup_s": r["setup_s"],
                "simulation_s": r["simulation_s"],
                "total_s": round(r["graph_s"] + r["setup_s"] + r["simulation_s"], 2),
                "peak_mb": r["peak_mb"],
                "agents_made": r["agents_made"],
            }
        )
    c = isolated("benchmarks.million", "cli", customers=customers)
    rows.append({"run": "python -m sim (end to end)", "customers": customers, "days": 365, "total_s": c["cli_s"]})
    report(
        "million",
        rows,
        f"Q1: {customers:,} customers, Barabasi-Albert m=5, 365 days, default config",
        [
            "targets: simulation_s <= 10 (stretch 5), peak_mb <= 2048, graph_s <= 10",
            "graph_s: igraph Barabasi-Albert + CSR; setup_s: population and (lazy) agents; "
            "peak_mb: whole process, graph build included",
            "last row: wall time of the whole CLI run (start-up, graph, simulation, writing results)",
        ],
    )


if __name__ == "__main__":
    main()
