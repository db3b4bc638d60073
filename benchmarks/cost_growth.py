"""Question 4: time and memory per customer-day from 10,000 to 1,000,000 customers.

The full model with the default config for 365 days at each size, each in a fresh
process. Graph construction is excluded from the seconds (it is in the peak memory).

    python -m benchmarks.cost_growth
"""

from __future__ import annotations

from benchmarks.common import isolated, report

SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def main() -> None:
    rows = []
    for customers in SIZES:
        r = isolated("benchmarks.million", "run_default", customers=customers, seed=0)
        customer_days = customers * r["days"]
        rows.append(
            {
                "customers": customers,
                "days": r["days"],
                "seconds": r["simulation_s"],
                "customer_days_per_s": round(customer_days / r["simulation_s"]),
                "us_per_customer_day": round(1e6 * r["simulation_s"] / customer_days, 4),
                "peak_mb": r["peak_mb"],
                "bytes_per_customer": round(r["peak_mb"] * 2**20 / customers),
            }
        )
    report(
        "cost_growth",
        rows,
        "Q4: cost per customer-day, default config, Barabasi-Albert m=5, 365 days",
        [
            "seconds: simulation only; peak_mb: whole process (Python, libraries, graph build included), "
            "so bytes_per_customer falls with size as the fixed ~200 MB is shared out"
        ],
    )


if __name__ == "__main__":
    main()
