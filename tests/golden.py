"""Golden summaries: a few small runs whose summaries and daily records must not change.

Optimisations must keep results identical. ``tests/test_golden.py`` compares fresh runs against
``tests/golden_summaries.json``, written by the code before an optimisation. Regenerate only
when a change of results is intended (and say why in the commit):

    python -m tests.golden --check   # what would change, field by field, with the relative change
    python -m tests.golden           # rewrite the fixture
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parent / "golden_summaries.json"

# name -> Hydra overrides of sim/conf/config.yaml; small markets, so the test stays fast.
CASES: dict[str, list[str]] = {
    "default_seed0": ["customers=1500", "days=120", "seed=0"],
    "new_product_seed1": ["customers=1500", "days=120", "seed=1", "market=new_product", "policy=proactive"],
    "no_policy_ba": ["customers=1200", "days=100", "seed=2", "policy=none", "network=barabasi_albert"],
    "storm_ws": ["customers=1200", "days=100", "seed=3", "scenario=jetblue_storm", "network=watts_strogatz"],
    "sir_er": ["customers=1000", "days=80", "seed=4", "wom.process=sir", "network=erdos_renyi"],
    "default_year": ["customers=5000", "days=365", "seed=5"],
    "lazy_agents": ["customers=60000", "days=40", "seed=6"],  # 240,000 people: agents made on demand
}

# Summary fields that describe the code, not the run.
IGNORED = ("version",)


def config(overrides: list[str]):
    from hydra import compose, initialize_config_dir

    from sim.core.presets import CONF_DIR
    from sim.run.job import to_sim_config
    from sim.run.schema import register

    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return to_sim_config(compose("config", overrides=["progress=false", *overrides]))


def run_case(overrides: list[str]) -> dict[str, Any]:
    """The summary (floats as exact reprs) and a digest of the whole daily record of one run."""
    from sim.core.model import WomModel

    cfg = config(overrides)
    model = WomModel.from_config(cfg)
    summary = model.run(cfg.days)
    ts = model.timeseries()
    digest = hashlib.sha256(ts.to_csv(index=False, float_format="%.17g").encode()).hexdigest()
    return {
        "summary": {k: _exact(v) for k, v in sorted(summary.items()) if k not in IGNORED},
        "timeseries_columns": list(ts.columns),
        "timeseries_sha256": digest,
    }


def _exact(v: Any) -> Any:
    if isinstance(v, float):
        return repr(v)  # exact round trip, NaN included
    return v


def compare(out: dict[str, Any]) -> float:
    """Print what changed against the fixture (field, before, after, relative change); the largest change."""
    want = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
    worst = 0.0
    for name, got in out.items():
        before = want.get(name, {"summary": {}, "timeseries_sha256": None})
        for key, value in got["summary"].items():
            old = before["summary"].get(key)
            if old != value:
                try:
                    rel = abs(float(old) - float(value)) / max(abs(float(old)), 1e-300)
                except (TypeError, ValueError):
                    rel = float("inf")
                worst = max(worst, rel)
                print(f"{name}: {key}: {old} -> {value} (relative {rel:.1e})", file=sys.stderr)
        if got["timeseries_sha256"] != before["timeseries_sha256"]:
            worst = float("inf")
            print(f"{name}: the daily record changed", file=sys.stderr)
    return worst


def main() -> None:
    """``python -m tests.golden [--check]``: rewrite the fixture, or (``--check``) only show what would change."""
    out = {name: run_case(overrides) | {"overrides": overrides} for name, overrides in CASES.items()}
    worst = compare(out)
    print(f"largest relative change: {worst:.1e}", file=sys.stderr)
    if "--check" in sys.argv[1:]:
        return
    tmp = FIXTURE.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, FIXTURE)
    print(f"wrote {FIXTURE} ({len(out)} runs)", file=sys.stderr)


if __name__ == "__main__":
    main()
