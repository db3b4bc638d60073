"""Run the studies behind a set of targets over seeds, in parallel, and judge each target.

The (study, seed) pairs are independent jobs for joblib (all local cores by default), so the
slowest study does not hold the others; a tqdm bar counts finished jobs.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm import tqdm

from sim.validate.studies import STUDIES, Size, Values
from sim.validate.targets import Outcome, Target, judge

SEED_BASE = 1000  # study seeds are SEED_BASE + 0, 1, ...: clear of the seeds the tests use


def _job(study: str, seed: int, size: Size) -> tuple[str, int, Values]:
    return study, seed, STUDIES[study].run(seed, size)


def run_studies(
    targets: list[Target], size: Size, jobs: int = -1, progress: bool = True
) -> dict[str, dict[int, Values]]:
    """Every seed of every study a measurable target needs: ``{study: {seed: values}}``."""
    needed = sorted({t.study for t in targets if t.missing() is None})
    tasks = [(s, SEED_BASE + i) for s in needed for i in range(STUDIES[s].seeds(size))]
    results: dict[str, dict[int, Values]] = defaultdict(dict)
    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    stream = parallel(delayed(_job)(s, seed, size) for s, seed in tasks)
    for study, seed, values in tqdm(stream, total=len(tasks), desc="validation runs", disable=not progress):
        results[study][seed] = values
    return dict(results)


def evaluate(targets: list[Target], results: dict[str, dict[int, Values]]) -> tuple[list[Outcome], pd.DataFrame]:
    """Judge each target on its study's values; also the tidy table of every replicate value.

    The table has one row a target and seed (``target`` set) and one row a study, seed and
    metric for every value the studies returned (``target`` empty), so every column a note
    cites is there.
    """
    outcomes, rows = [], []
    for t in targets:
        reason = t.missing()
        by_seed = results.get(t.study, {})
        needed = (t.metric, *(t.ratio_of or ()))
        seeds = sorted(s for s, v in by_seed.items() if all(m in v for m in needed))
        values = np.array([by_seed[s][t.metric] for s in seeds], dtype=np.float64)
        pair = None
        if t.ratio_of and not reason and seeds:
            pair = tuple(np.array([by_seed[s][m] for s in seeds], dtype=np.float64) for m in t.ratio_of)
        outcome = judge(t, None if reason else values, reason, pair)
        outcomes.append(outcome)
        base = {
            "target": t.name,
            "family": t.family,
            "kind": t.kind,
            "unit": t.unit,
            "criterion": t.criterion.mode,
            "target_low": t.criterion.low,
            "target_high": t.criterion.high,
            "mean": outcome.mean,
            "ci_low": outcome.ci_low,
            "ci_high": outcome.ci_high,
            "verdict": outcome.verdict,
            "study": t.study,
            "metric": t.metric,
        }
        if outcome.verdict.startswith("not measurable"):
            rows.append(base | {"seed": pd.NA, "value": np.nan})
        else:
            rows.extend(base | {"seed": s, "value": v} for s, v in zip(seeds, values, strict=True))
    for study, by_seed in sorted(results.items()):
        for seed, values in sorted(by_seed.items()):
            rows.extend({"target": None, "study": study, "metric": k, "seed": seed, "value": float(v)}
                        for k, v in values.items())
    table = pd.DataFrame(rows)
    table["seed"] = table["seed"].astype("Int64")
    return outcomes, table
