"""Question 4: time and memory per person-day from 10,000 to 1,000,000 people.

The full model with the default config on the default network (``stochastic_block``) for
365 days at each market size, each in a fresh process; a quarter of the people are
customers at the start. Graph construction is excluded from the seconds (it is in the peak
memory).

    python -m benchmarks.cost_growth
"""

from __future__ import annotations

from benchmarks.common import isolated, report

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def main() -> None:
    rows = []
    for people in SIZES:
        r = isolated("benchmarks.million", "run_default", people=people, seed=0)
        person_days = r["people"] * r["days"]
        rows.append(
            {
                "people": r["people"],
                "customers": r["customers"],
                "days": r["days"],
                "seconds": r["simulation_s"],
                "person_days_per_s": round(person_days / r["simulation_s"]),
                "us_per_person_day": round(1e6 * r["simulation_s"] / person_days, 4),
                "peak_mb": r["peak_mb"],
                "bytes_per_person": round(r["peak_mb"] * 2**20 / r["people"]),
            }
        )
    report(
        "cost_growth",
        rows,
        "Q4: cost per person-day, default config, stochastic block (40, degree 30), share 0.25, 365 days",
        [
            "seconds: simulation only; peak_mb: whole process (Python, libraries, graph build included), "
            "so bytes_per_person falls with size as the fixed ~200 MB is shared out"
        ],
    )


if __name__ == "__main__":
    main()
