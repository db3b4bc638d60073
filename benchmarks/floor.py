"""Question 5: the full model's time as a multiple of a bare numpy reference.

The reference does, each day, what any per-customer simulation must at least do: draw one
random number per customer and update one array with it. Target: the full model at most
5x the reference at 1,000,000 customers. Both run in the same fresh process, one after
the other, three times; the table shows the best of three for each.

    python -m benchmarks.floor
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import isolated, report

DAYS = 365


def bare_numpy(customers: int, days: int, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    state = np.zeros(customers)
    start = time.perf_counter()
    for _ in range(days):
        state += rng.random(customers)
    return time.perf_counter() - start


def compare(customers: int, repeats: int) -> dict:
    from benchmarks.configs import default_config
    from sim.core.model import WomModel
    from sim.core.network import build

    cfg = default_config(f"customers={customers}")
    graph = build(cfg.network, customers, np.random.default_rng(0))
    model_s, floor_s = [], []
    for r in range(repeats):
        floor_s.append(bare_numpy(customers, DAYS, seed=r))
        model = WomModel.from_config(cfg, graph=graph)
        start = time.perf_counter()
        model.run(DAYS)
        model_s.append(time.perf_counter() - start)
    return {"floor_s": min(floor_s), "model_s": min(model_s)}


def main() -> None:
    rows = []
    for customers in (100_000, 1_000_000):
        r = isolated("benchmarks.floor", "compare", customers=customers, repeats=3)
        rows.append(
            {
                "customers": customers,
                "days": DAYS,
                "bare_numpy_s": round(r["floor_s"], 3),
                "full_model_s": round(r["model_s"], 3),
                "multiple": round(r["model_s"] / r["floor_s"], 2),
                "target": 5,
            }
        )
    report(
        "floor",
        rows,
        "Q5: full model (default config) vs a bare numpy reference (one draw and one array update a customer a day)",
        ["best of 3 each, same process, graph built once and shared"],
    )


if __name__ == "__main__":
    main()
