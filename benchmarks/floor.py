"""Question 5: the full model's time as a multiple of a bare numpy reference.

The reference does, each day, what any per-person simulation of this market must at least
do: every person faces a daily hazard (customers of leaving, prospects of joining), so one
random number is drawn per person and one person array is updated with it. It is the old
floor (one draw and one update per simulated individual) carried over to the market, whose
individuals are now people, customers or not. Target: the full model at most 5x the reference
at 1,000,000 people. Both run in the same fresh process, one after the other, three times;
the table shows the best of three for each.

    python -m benchmarks.floor
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import isolated, report

DAYS = 365
NETWORK = "network=stochastic_block"


def bare_numpy(people: int, days: int, seed: int = 0) -> float:
    """Seconds for ``days`` days of one draw and one array update per person."""
    rng = np.random.default_rng(seed)
    state = np.zeros(people)
    start = time.perf_counter()
    for _ in range(days):
        state += rng.random(people)
    return time.perf_counter() - start


def compare(people: int, repeats: int) -> dict:
    from benchmarks.configs import default_config
    from benchmarks.million import customers_for
    from sim.core.model import WomModel
    from sim.core.network import build

    customers = customers_for(people)
    cfg = default_config(f"customers={customers}", NETWORK)
    graph = build(cfg.network, people, np.random.default_rng(0))
    model_s, floor_s = [], []
    for r in range(repeats):
        floor_s.append(bare_numpy(people, DAYS, seed=r))
        model = WomModel.from_config(cfg, graph=graph)
        start = time.perf_counter()
        model.run(DAYS)
        model_s.append(time.perf_counter() - start)
    return {"floor_s": min(floor_s), "model_s": min(model_s), "customers": customers}


def main() -> None:
    rows = []
    for people in (100_000, 1_000_000):
        r = isolated("benchmarks.floor", "compare", people=people, repeats=3)
        rows.append(
            {
                "people": people,
                "customers": r["customers"],
                "days": DAYS,
                "bare_numpy_s": round(r["floor_s"], 3),
                "full_model_s": round(r["model_s"], 3),
                "multiple": round(r["model_s"] / r["floor_s"], 2),
                "target": 5,
                "met": "yes" if r["model_s"] / r["floor_s"] <= 5 else "MISSED",
            }
        )
    report(
        "floor",
        rows,
        "Q5: full model (default config, stochastic block) vs a bare numpy reference "
        "(a draw and an update per person, each day)",
        ["best of 3 each, same process, graph built once and shared"],
    )


if __name__ == "__main__":
    main()
