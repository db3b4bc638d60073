"""The model against a skeleton of itself and against a bare per-person pass (Q5).

Three timings of 365 days over the same graph, in one fresh process per market size:

- the model: the default config, as users run it;
- its skeleton: the same model and phases with failures, word of mouth (negative and positive)
  and acquisition switched off (``failure.rate=0``, ``wom.negative_enabled=false``,
  ``wom.positive_daily_rate=0``, ``acquisition.enabled=false``): what the day costs when nothing
  happens but purchases, churn and the daily record;
- a bare per-person pass (``common.bare_pass``): each day one random number per person added to
  one float array. Neither of the last two is a lower bound of the model (the model makes no
  daily draw per person, and the skeleton still pays for the record and the calendars); they
  say how far the model's work is from a day of nothing (skeleton) and from one numpy pass over
  everyone (bare pass).

Each run's simulation time includes the end-of-run summary. Best of two each.

    python -m benchmarks.skeleton
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import bare_pass, isolated, machine, report

DAYS = 365
SKELETON = ("failure.rate=0", "wom.negative_enabled=false", "wom.positive_daily_rate=0", "acquisition.enabled=false")


def compare(people: int, repeats: int) -> dict:
    from benchmarks.configs import default_config
    from benchmarks.million import customers_for
    from sim.core.model import WomModel
    from sim.core.network import build

    customers = customers_for(people)
    cfg = default_config(f"customers={customers}")
    skeleton = default_config(f"customers={customers}", *SKELETON)
    net = cfg.network
    graph = build(net, people, np.random.default_rng(0), strong=net.strong_tie, weak=net.weak_tie)
    out: dict[str, list[float]] = {"model": [], "skeleton": [], "bare": []}
    for r in range(repeats):
        out["bare"].append(bare_pass(people, DAYS, seed=r)["seconds"])
        for name, c in (("model", cfg), ("skeleton", skeleton)):
            model = WomModel.from_config(c, graph=graph)
            start = time.perf_counter()
            model.run(DAYS)
            out[name].append(time.perf_counter() - start)
    return {k: min(v) for k, v in out.items()} | {"customers": customers}


def main() -> None:
    print(machine(), flush=True)
    rows = []
    for people in (100_000, 1_000_000):
        r = isolated("benchmarks.skeleton", "compare", people=people, repeats=2)
        rows.append(
            {
                "people": people,
                "customers": r["customers"],
                "days": DAYS,
                "model_s": round(r["model"], 3),
                "skeleton_s": round(r["skeleton"], 3),
                "bare_pass_s": round(r["bare"], 3),
                "model_over_skeleton": round(r["model"] / r["skeleton"], 2),
                "model_over_bare_pass": round(r["model"] / r["bare"], 2),
                "skeleton_over_bare_pass": round(r["skeleton"] / r["bare"], 2),
                "us_per_person_day": round(1e6 * r["model"] / (people * DAYS), 4),
            }
        )
        print(rows[-1], flush=True)
    report(
        "skeleton",
        rows,
        "Q5: the model (default config, stochastic block) against its skeleton "
        "(failures, word of mouth, acquisition off) and a bare per-person numpy pass",
        [
            "best of 2 each, one fresh process per size, graph built once and shared; simulation includes the summary",
            "bare pass: state += rng.random(people) each day; not a lower bound (the model draws nothing per person "
            "per day); skeleton: " + " ".join(SKELETON),
        ],
    )


if __name__ == "__main__":
    main()
