"""Question 4: time and memory per person-day from 10,000 to 10,000,000 people.

The full model with the default config on the default network (``stochastic_block``) for
365 days at each market size, each in a fresh process; a quarter of the people are
customers at the start. Graph construction is excluded from the seconds (it is in the peak
memory); the seconds include the end-of-run summary. The 10,000,000-person row is read from
``benchmarks/results/ten_million.csv`` (run ``python -m benchmarks.ten_million`` first: it needs
about 12 GB), not run again here.

    python -m benchmarks.cost_growth
"""

from __future__ import annotations

import csv

from benchmarks.common import RESULTS, isolated, machine, report

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 4_000_000)


def main() -> None:
    print(machine(), flush=True)
    rows = []
    for people in SIZES:
        r = isolated("benchmarks.million", "run_default", people=people, seed=0)
        rows.append(_row(r, "this run"))
        print(rows[-1], flush=True)
    ten = RESULTS / "ten_million.csv"
    if ten.is_file():
        with ten.open() as handle:
            r = list(csv.DictReader(handle))[1]
        r = {k: float(v) if v not in ("", None) and k != "run" else v for k, v in r.items()}
        rows.append(_row(r, "ten_million.csv"))
    report(
        "cost_growth",
        rows,
        "Q4: cost per person-day, default config, stochastic block (40, degree 30), share 0.25, 365 days",
        [
            "seconds: simulation only (days and summary); peak_mb: whole process (Python, libraries, graph build "
            "included), so bytes_per_person falls with size as the fixed ~200 MB is shared out",
            "source: the last row is read from benchmarks/results/ten_million.csv (measured by benchmarks.ten_million)",
        ],
    )


def _row(r: dict, source: str) -> dict:
    people, days, seconds = int(r["people"]), int(r["days"]), float(r["simulation_s"])
    person_days = people * days
    return {
        "people": people,
        "days": days,
        "seconds": seconds,
        "person_days_per_s": round(person_days / seconds),
        "us_per_person_day": round(1e6 * seconds / person_days, 4),
        "peak_mb": r["peak_mb"],
        "bytes_per_person": round(float(r["peak_mb"]) * 2**20 / people),
        "source": source,
    }


if __name__ == "__main__":
    main()
