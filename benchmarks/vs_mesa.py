"""Question 2: array stepping against the per-agent Mesa stepping of the same rules.

Same model, same config, same seed: ``WomModel(stepping="array")`` against
``WomModel(stepping="agents")`` (``model.agents.shuffle_do`` over ``Customer`` agents).
Targets: at least 100x at 100,000 customers and 30x at 10,000, over 365 days. The
per-agent stepping is slow, so at 100,000 it runs ``AGENT_DAYS`` days and its time is
scaled linearly to 365 (marked in the table); at 10,000 it runs the full year and also
reports the scaled short run, which checks the linear scaling.

    python -m benchmarks.vs_mesa
"""

from __future__ import annotations

import time

from benchmarks.common import isolated, report

DAYS = 365
AGENT_DAYS = 73  # a fifth of a year


def step(customers: int, stepping: str, days: int, seed: int = 0) -> dict:
    from sim.core.config import NetworkConfig
    from sim.core.model import WomModel

    start = time.perf_counter()
    model = WomModel(customers=customers, network=NetworkConfig(), stepping=stepping, seed=seed)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model.run(days)
    return {"setup_s": round(setup, 3), "run_s": round(time.perf_counter() - start, 3)}


def main() -> None:
    rows = []
    for customers in (10_000, 100_000):
        array = isolated("benchmarks.vs_mesa", "step", customers=customers, stepping="array", days=DAYS)
        short = isolated("benchmarks.vs_mesa", "step", customers=customers, stepping="agents", days=AGENT_DAYS)
        scaled = short["run_s"] * DAYS / AGENT_DAYS
        agents_rows = [(f"{AGENT_DAYS} days, scaled x{DAYS / AGENT_DAYS:g}", scaled)]
        if customers <= 10_000:
            full = isolated("benchmarks.vs_mesa", "step", customers=customers, stepping="agents", days=DAYS)
            agents_rows.insert(0, (f"{DAYS} days, measured", full["run_s"]))
        for how, seconds in agents_rows:
            rows.append(
                {
                    "customers": customers,
                    "array_s": array["run_s"],
                    "agents_s": round(seconds, 2),
                    "agents_measured": how,
                    "speed_up": round(seconds / array["run_s"], 1),
                    "target": 30 if customers <= 10_000 else 100,
                }
            )
    report(
        "vs_mesa",
        rows,
        f"Q2: array stepping vs per-agent Mesa stepping, {DAYS} days, default rules, Barabasi-Albert m=5",
        ["run times exclude set-up (graph, population, agents); each run in a fresh process"],
    )


if __name__ == "__main__":
    main()
