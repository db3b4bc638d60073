"""Question 1: a market of 1,000,000 people for 365 days, default model on the default network.

The market holds ``customers / market.share`` people (share 0.25 by default), so 1,000,000
people are ``customers=250000``. The network is the model's default, ``stochastic_block``
(communities of 40, mean degree 30), asked for by name because ``sim/conf/config.yaml`` picks
its own network preset. Targets (issue 9): simulation <= 5 s, peak memory <= 2 GB, graph built
in <= 5 s (timed separately). Each measurement runs in a fresh process; the peak is that
process's whole peak resident memory (graph build included). The last row is the CLI itself,
end to end (start-up, graph, run, parquet and JSON).

    python -m benchmarks.million [people]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks.common import isolated, peak_mb, report

NETWORK = "network=stochastic_block"


def customers_for(people: int) -> int:
    """Customers at the start of a market of ``people`` people at the default share."""
    from sim.core.config import MarketConfig

    return round(people * MarketConfig().share)


def run_default(people: int, seed: int) -> dict:
    from benchmarks.configs import default_config
    from sim.core import model as model_module
    from sim.core.model import WomModel

    cfg = default_config(f"customers={customers_for(people)}", f"seed={seed}", NETWORK)
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
        "people": model.pop.n,
        "customers": cfg.customers,
        "ties": len(model.graph.indices) // 2,
        "graph_s": round(graph_seconds[0], 2),
        "setup_s": round(init - graph_seconds[0], 2),
        "simulation_s": round(sim, 2),
        "days": cfg.days,
        "agents_made": len(model._customers),
        "peak_mb_after_setup": round(after_init, 1),
        "customers_lost": summary["customers_lost"],
        "customers_acquired": summary["customers_acquired"],
    }


def graph_only(people: int, kind: str) -> dict:
    """Seconds to build the market's graph of another kind (the CLI preset's), nothing else."""
    from benchmarks.configs import default_config
    from sim.core.network import build

    cfg = default_config(f"customers={customers_for(people)}", f"network={kind}")
    start = time.perf_counter()
    graph = build(cfg.network, people, np.random.default_rng(0))
    return {"graph_s": round(time.perf_counter() - start, 2), "ties": len(graph.indices) // 2}


def cli(people: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                f"customers={customers_for(people)}",
                NETWORK,
                "progress=false",
                f"hydra.run.dir={out}",
            ],
            check=True,
            capture_output=True,
        )
        return {"cli_s": round(time.perf_counter() - start, 2)}


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rows = []
    for seed in (0, 1, 2):
        r = isolated("benchmarks.million", "run_default", people=people, seed=seed)
        rows.append(
            {
                "run": f"model seed={seed}",
                "people": r["people"],
                "customers": r["customers"],
                "days": r["days"],
                "graph_s": r["graph_s"],
                "setup_s": r["setup_s"],
                "simulation_s": r["simulation_s"],
                "total_s": round(r["graph_s"] + r["setup_s"] + r["simulation_s"], 2),
                "peak_mb": r["peak_mb"],
                "agents_made": r["agents_made"],
                "lost": r["customers_lost"],
                "acquired": r["customers_acquired"],
            }
        )
    c = isolated("benchmarks.million", "cli", people=people)
    rows.append(
        {"run": "python -m sim (end to end)", "people": people, "customers": customers_for(people), "days": 365}
        | {"total_s": c["cli_s"], "peak_mb": c["peak_mb"]}
    )
    ba = isolated("benchmarks.million", "graph_only", people=people, kind="barabasi_albert")
    rows.append(
        {"run": "graph only, network=barabasi_albert (m=15)", "people": people, "customers": customers_for(people)}
        | {"graph_s": ba["graph_s"], "peak_mb": ba["peak_mb"]}
    )
    report(
        "million",
        rows,
        f"Q1: {people:,} people ({customers_for(people):,} customers), stochastic block (40, degree 30), 365 days",
        [
            "targets: simulation_s <= 5, peak_mb <= 2048, graph_s <= 5 (issue 9)",
            "graph_s: community_edges + CSR (sim/core/network.py); setup_s: population, churn calendar, "
            "(lazy) agents; peak_mb: whole process, graph build included",
            "CLI row: wall time of the whole CLI run (start-up, graph, simulation, writing results); "
            "its peak_mb is the timing parent's, not the CLI's",
            "last row: a barabasi_albert graph (m=15, not the default stochastic_block), built alone for comparison",
        ],
    )


if __name__ == "__main__":
    main()
