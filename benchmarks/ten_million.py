"""The 10,000,000-person market: ``python -m sim customers=2500000 market.share=0.25``, 365 days.

Target (issue 18): <= 80 s and <= 12 GB as a whole process. Two fresh processes, one after the
other: the CLI end to end (the target), then the model alone split into graph, set-up and
simulation (for ``cost_growth``'s table). Each needs about 8 GB; the script takes a few
minutes on the reference machine.

    python -m benchmarks.ten_million
"""

from __future__ import annotations

from benchmarks.common import cli, isolated, machine, report, whole_process

CUSTOMERS = 2_500_000


def main() -> None:
    print(machine(), flush=True)
    bare = isolated("benchmarks.common", "bare_pass", people=1_000_000, days=365)["seconds"]
    r = whole_process(cli(f"customers={CUSTOMERS}", "market.share=0.25"))
    print(r, flush=True)
    s = isolated("benchmarks.million", "run_default", people=4 * CUSTOMERS, seed=0)
    print(s, flush=True)
    load = f"{r['load_before']}-{r['load_after']}"
    rows = [
        {
            "run": "python -m sim customers=2500000 market.share=0.25 (whole process)",
            "people": 4 * CUSTOMERS,
            "seconds": r["seconds"],
            "peak_mb": r["peak_mb"],
            "target": "<= 80 s, <= 12288 MB",
            "met": "yes" if r["seconds"] <= 80 and r["peak_mb"] <= 12288 else "MISSED",
            "load": load,
            "x_bare_pass": round(r["seconds"] / bare, 1),
        },
        {
            "run": "model alone (graph / set-up / simulation)",
            "people": s["people"],
            "seconds": round(s["graph_s"] + s["setup_s"] + s["simulation_s"], 2),
            "peak_mb": s["peak_mb"],
            "graph_s": s["graph_s"],
            "setup_s": s["setup_s"],
            "simulation_s": s["simulation_s"],
            "days": s["days"],
            "customers_lost": s["customers_lost"],
            "customers_acquired": s["customers_acquired"],
        },
    ]
    report(
        "ten_million",
        rows,
        "10,000,000 people (2,500,000 customers), stochastic block (40, degree 30), 365 days",
        [
            f"bare pass (1,000,000 people x 365 days of state += rng.random(n)) in the same run: {bare:.2f} s",
            "whole process: the CLI from start to exit; its peak is its own (os.wait4)",
            "model alone: benchmarks.million.run_default in a second fresh process (no files written)",
        ],
    )


if __name__ == "__main__":
    main()
