"""What the network's structure does to the cost of bad news: paired seeds, 95 % CIs.

    python -m experiments.network_study --seeds 8 --out multirun/network_study --report docs/experiments.md

Every condition (``CONDITIONS``) is run twice on each seed: as is, and with every negative
message silenced (``wom.negative_enabled=false``). Per seed and condition:

- ``customers_lost`` (as is) and the customers lost to bad news (as is minus silenced);
- the share of discounted NPV lost to bad news, ``(npv[silenced] - npv[as is]) / npv[silenced]``,
  and the same share of ``npv_with_equity``;
- ``story_reproduction`` (as is): stories started per story.

Each condition is compared with its reference (``COMPARISONS``; the default community network
for most) on the same seeds: the mean of the per-seed differences with a paired Student-t 95 %
CI. ``tie strength`` asks how much of the gap between communities and a random graph comes from
tie strength: the per-seed gap with tie strength on minus the gap with every tie alike.

The real network is Zachary's (1977) karate club (34 people, 78 friendships, shipped with
networkx), written as an edge list into ``--out`` and read back with ``network=edgelist``. It
is far smaller than the default market, so its rows run a market of its size (customers =
round(0.25 * 34) = 8, so a market share of 8 / 34) on ``--small-seeds`` seeds, against the default network and an
Erdos-Renyi graph of the club's mean degree at the same size.

Each run's summary is stored as ``OUT/runs/<condition>/<arm>/seed=S.json`` (written atomically);
a rerun into the same ``--out`` skips finished runs (matched by condition, arm, seed, customers
and days only: use a fresh ``--out`` after changing the model). The tables (``network_study.md``,
``paired.csv``, ``levels.csv``) and the figure are written atomically too. With ``--report FILE``
the Markdown is also put into FILE: between the lines ``<!-- network_study:begin -->`` and
``<!-- network_study:end -->`` when FILE has them, else as the whole file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

BEGIN, END = "<!-- network_study:begin -->", "<!-- network_study:end -->"
KARATE_NODES = 34  # nx.karate_club_graph()
SMALL_CUSTOMERS = round(0.25 * KARATE_NODES)
KARATE_MEAN_DEGREE = 2 * 78 / KARATE_NODES


@dataclass(frozen=True)
class Condition:
    """One network set-up: overrides of ``NetworkConfig`` and ``MarketConfig`` fields."""

    name: str
    label: str
    network: dict[str, Any] = field(default_factory=dict)
    market: dict[str, Any] = field(default_factory=dict)
    small: bool = False  # run on the karate club's market size and the small seeds


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition("default", "communities (stochastic block, default)"),
        Condition("erdos_renyi", "Erdos-Renyi, same mean degree", {"kind": "erdos_renyi"}),
        Condition("ws_rewire_0", "Watts-Strogatz, rewire 0", {"kind": "watts_strogatz", "rewire": 0.0}),
        Condition("ws_rewire_0.1", "Watts-Strogatz, rewire 0.1", {"kind": "watts_strogatz", "rewire": 0.1}),
        Condition("ws_rewire_0.5", "Watts-Strogatz, rewire 0.5", {"kind": "watts_strogatz", "rewire": 0.5}),
        Condition("between_0", "communities, between share 0", {"between_share": 0.0}),
        Condition("between_0.5", "communities, between share 0.5", {"between_share": 0.5}),
        Condition("customers_random", "communities, customers placed at random", market={"concentration": 0.0}),
        Condition("default_flat", "communities, every tie alike", {"strong_tie": 1.0, "weak_tie": 1.0}),
        Condition(
            "erdos_renyi_flat",
            "Erdos-Renyi, every tie alike",
            {"kind": "erdos_renyi", "strong_tie": 1.0, "weak_tie": 1.0},
        ),
        Condition("small_default", "34 people: communities (default settings)", small=True),
        Condition(
            "small_erdos_renyi",
            "34 people: Erdos-Renyi, the club's mean degree",
            {"kind": "erdos_renyi", "mean_degree": KARATE_MEAN_DEGREE},
            small=True,
        ),
        Condition("karate", "34 people: karate club (real, edge list)", {"kind": "edgelist"}, small=True),
    )
}

# (condition, reference): each compared seed by seed.
COMPARISONS: list[tuple[str, str]] = [
    ("erdos_renyi", "default"),
    ("ws_rewire_0", "default"),
    ("ws_rewire_0.1", "default"),
    ("ws_rewire_0.5", "default"),
    ("ws_rewire_0.1", "ws_rewire_0"),
    ("ws_rewire_0.5", "ws_rewire_0"),
    ("ws_rewire_0.5", "ws_rewire_0.1"),
    ("between_0", "default"),
    ("between_0.5", "default"),
    ("customers_random", "default"),
    ("default_flat", "default"),
    ("erdos_renyi_flat", "erdos_renyi"),
    ("erdos_renyi_flat", "default_flat"),
    ("karate", "small_default"),
    ("small_erdos_renyi", "small_default"),
    ("karate", "small_erdos_renyi"),
]
# The tie-strength decomposition: (ER - SBM) with tie strength minus (ER - SBM) without.
DECOMPOSITION = (("erdos_renyi", "default"), ("erdos_renyi_flat", "default_flat"))

ARMS = ("as_is", "silenced")
# Per-seed outcomes: (column, label, scale for display, unit).
OUTCOMES: list[tuple[str, str, float, str]] = [
    ("customers_lost", "customers lost", 1.0, ""),
    ("lost_to_bad_news", "customers lost to bad news", 1.0, ""),
    ("npv_share_lost", "share of NPV lost to bad news", 100.0, "%"),
    ("equity_share_lost", "share of NPV with equity lost to bad news", 100.0, "%"),
    ("story_reproduction", "story reproduction R", 1.0, ""),
]
LEVEL_COLUMNS = ["condition", "network", "seeds", "customers"] + [label for _, label, _, _ in OUTCOMES]
PAIRED_COLUMNS = ["comparison", "seeds"] + [f"{label} diff" for _, label, _, _ in OUTCOMES]


# ---------------------------------------------------------------- runs
def run_one(condition: str, arm: str, seed: int, customers: int, days: int, edgelist: str) -> dict[str, Any]:
    """One year (``days``) of one condition and arm on one seed; the summary's figures used here."""
    from sim.core.config import MarketConfig, NetworkConfig, SimConfig, WomConfig
    from sim.core.model import WomModel

    cond = CONDITIONS[condition]
    net = dict(cond.network)
    if net.get("kind") == "edgelist":
        net["path"] = edgelist
    cfg = SimConfig(
        seed=seed,
        days=days,
        customers=customers,
        network=NetworkConfig(**net),
        # The 34-person rows: a market of exactly the club's size (share 8 / 34 instead of 0.25).
        market=MarketConfig(**(cond.market | ({"share": SMALL_CUSTOMERS / KARATE_NODES} if cond.small else {}))),
        wom=WomConfig(negative_enabled=arm == "as_is"),
    )
    started = time.perf_counter()
    out = WomModel(cfg, create_agents=False).run(days)
    keep = ("customers_lost", "npv", "npv_with_equity", "story_reproduction", "market_size", "customers_start")
    return {k: out[k] for k in keep} | {"seconds": time.perf_counter() - started}


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``path`` through a temporary file in its folder and ``os.replace``: never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _task(out: Path, condition: str, arm: str, seed: int, customers: int, days: int, edgelist: str) -> dict[str, Any]:
    file = out / "runs" / condition / arm / f"seed={seed}.json"
    if file.is_file():
        try:
            row = json.loads(file.read_text(encoding="utf-8"))
            if row.get("customers") == customers and row.get("days") == days:
                return row | {"cached": True}
        except (OSError, ValueError):
            pass  # unreadable: run again
    row = {"condition": condition, "arm": arm, "seed": seed, "customers": customers, "days": days}
    row |= run_one(condition, arm, seed, customers, days, edgelist)
    write_atomic(file, json.dumps(row, indent=1))
    return row | {"cached": False}


def write_karate(out: Path) -> Path:
    """Zachary's karate club as "u v" lines, nodes 0..33."""
    import networkx as nx

    g = nx.karate_club_graph()
    lines = ["# Zachary (1977), karate club friendships: 34 people, 78 ties (networkx karate_club_graph)"]
    lines += [f"{u} {v}" for u, v in sorted(g.edges())]
    path = out / "karate_club.txt"
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def run_all(
    out: Path, conditions: list[str], seeds: int, small_seeds: int, customers: int, days: int, jobs: int
) -> pd.DataFrame:
    from joblib import Parallel, delayed

    edgelist = str(write_karate(out)) if any(CONDITIONS[c].small for c in conditions) else ""
    tasks = []
    for name in conditions:
        small = CONDITIONS[name].small
        size = SMALL_CUSTOMERS if small else customers
        for seed in range(small_seeds if small else seeds):
            for arm in ARMS:
                tasks.append((name, arm, seed, size))
    # The long runs first, so the two workers finish together.
    tasks.sort(key=lambda t: -t[3])
    started = time.perf_counter()
    rows = Parallel(n_jobs=jobs, batch_size=1)(
        delayed(_task)(out, name, arm, seed, size, days, edgelist) for name, arm, seed, size in tasks
    )
    ran = sum(not r["cached"] for r in rows)
    print(
        f"[network_study] {len(rows)} runs ({ran} run now, {len(rows) - ran} reused) "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- per-seed outcomes and statistics
def per_seed(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (condition, seed): the outcomes of ``OUTCOMES`` from the paired arms."""
    wide = runs.pivot_table(
        index=["condition", "seed"],
        columns="arm",
        values=["customers_lost", "npv", "npv_with_equity", "story_reproduction", "customers"],
    )
    frame = pd.DataFrame(index=wide.index)
    frame["customers"] = wide[("customers", "as_is")]
    frame["customers_lost"] = wide[("customers_lost", "as_is")]
    frame["lost_to_bad_news"] = wide[("customers_lost", "as_is")] - wide[("customers_lost", "silenced")]
    for name, column in (("npv_share_lost", "npv"), ("equity_share_lost", "npv_with_equity")):
        silent = wide[(column, "silenced")]
        frame[name] = (silent - wide[(column, "as_is")]) / silent
    frame["story_reproduction"] = wide[("story_reproduction", "as_is")]
    return frame.reset_index()


def mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and Student-t 95 % CI of the defined values (NaN bounds for fewer than 2).

    A seed on which no story started has no reproduction number (``null`` in the summary): it is
    left out of that figure alone.
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    mean = float(x.mean()) if len(x) else math.nan
    if len(x) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def paired(seeds: pd.DataFrame, condition: str, reference: str) -> pd.DataFrame:
    """The condition minus its reference, seed by seed, on the seeds both have."""
    a = seeds[seeds.condition == condition].set_index("seed")
    b = seeds[seeds.condition == reference].set_index("seed")
    shared = a.index.intersection(b.index)
    cols = [c for c, _, _, _ in OUTCOMES]
    return a.loc[shared, cols] - b.loc[shared, cols]


def levels_table(seeds: pd.DataFrame, conditions: list[str]) -> pd.DataFrame:
    rows = []
    for name in conditions:
        part = seeds[seeds.condition == name]
        if part.empty:
            continue
        row: dict[str, Any] = {
            "condition": name,
            "network": CONDITIONS[name].label,
            "seeds": len(part),
            "customers": int(part.customers.iloc[0]),
        }
        for column, label, scale, _ in OUTCOMES:
            row[label] = tuple(v * scale for v in mean_ci(part[column].to_numpy()))
        rows.append(row)
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)


def paired_table(seeds: pd.DataFrame, conditions: list[str]) -> pd.DataFrame:
    rows = []
    pairs = [(a, b) for a, b in COMPARISONS if a in conditions and b in conditions]
    if all(x in conditions for pair in DECOMPOSITION for x in pair):
        pairs.append(DECOMPOSITION)  # type: ignore[arg-type]
    for pair in pairs:
        if isinstance(pair[0], tuple):
            (a, b), (c, d) = pair
            diff = paired(seeds, a, b) - paired(seeds, c, d)
            name = f"({a} - {b}) - ({c} - {d}): the part of the gap due to tie strength"
        else:
            a, b = pair
            diff = paired(seeds, a, b)
            name = f"{a} - {b}"
        diff = diff.dropna(subset=["customers_lost"])  # seeds both sides ran; R may be undefined on some (no story)
        if diff.empty:
            continue
        row: dict[str, Any] = {"comparison": name, "seeds": len(diff)}
        for column, label, scale, _ in OUTCOMES:
            row[f"{label} diff"] = tuple(v * scale for v in mean_ci(diff[column].to_numpy()))
        rows.append(row)
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


# ---------------------------------------------------------------- output
def _fmt(value: Any, unit: str, signed: bool) -> str:
    if not isinstance(value, tuple):
        return str(value)
    mean, lo, hi = value
    places = 2 if unit == "%" or abs(mean) < 1 else 1
    sign = "+" if signed else ""
    if unit == "%" and signed:
        unit = " pp"
    if math.isnan(lo):
        return f"{mean:{sign}.{places}f}{unit}"
    return f"{mean:{sign}.{places}f}{unit} [{lo:{sign}.{places}f}, {hi:{sign}.{places}f}]"


def markdown(levels: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> str:
    units = {label: unit for _, label, _, unit in OUTCOMES}
    units |= {f"{label} diff": unit for _, label, _, unit in OUTCOMES}
    out = [
        f"Mean [95 % CI] over seeds; {meta['customers']:,} customers in a market of {meta['market']:,}, "
        f"{meta['days']} days, seeds 0-{meta['seeds'] - 1} (the 34-person rows: {SMALL_CUSTOMERS} customers, "
        f"seeds 0-{meta['small_seeds'] - 1}).",
        "",
        "| " + " | ".join(LEVEL_COLUMNS) + " |",
        "|" + "---|" * len(LEVEL_COLUMNS),
    ]
    for _, row in levels.iterrows():
        cells = [f"`{row.condition}`", row.network, str(row.seeds), f"{row.customers:,}"]
        cells += [_fmt(row[c], units[c], signed=False) for c in LEVEL_COLUMNS[4:]]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "Differences taken seed by seed (condition minus reference), mean [paired Student-t 95 % CI]; "
        "shares in percentage points:",
        "",
        "| " + " | ".join(PAIRED_COLUMNS) + " |",
        "|" + "---|" * len(PAIRED_COLUMNS),
    ]
    for _, row in diffs.iterrows():
        cells = [f"`{row.comparison}`" if " - (" not in row.comparison else row.comparison, str(row.seeds)]
        cells += [_fmt(row[c], units[c], signed=True) for c in PAIRED_COLUMNS[2:]]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def figure(diffs: pd.DataFrame, path: Path) -> None:
    """Forest plot of the paired differences, one panel per outcome."""
    panels = [o for o in OUTCOMES if o[0] != "customers_lost"]
    rows = diffs[~diffs.comparison.str.startswith("(")]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.0 * len(panels), 0.42 * len(rows) + 1.6), sharey=True)
    y = np.arange(len(rows))[::-1]
    for ax, (_, label, _, unit) in zip(np.atleast_1d(axes), panels, strict=True):
        values = rows[f"{label} diff"].tolist()
        mean = np.array([v[0] for v in values])
        lo = np.array([v[1] for v in values])
        hi = np.array([v[2] for v in values])
        err = np.vstack([mean - lo, hi - mean])
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="tab:blue", ecolor="tab:gray", capsize=3)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(label + (" (pp)" if unit == "%" else ""), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes = np.atleast_1d(axes)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels(rows.comparison.tolist(), fontsize=8)
    fig.suptitle("Network structure: paired differences on the same seeds, 95 % CI", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        plt.close(fig)


def put_report(path: Path, text: str) -> None:
    """Replace the marked block of ``path`` with ``text`` (or write ``path`` whole if it has no markers)."""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            write_atomic(path, f"{head}{BEGIN}\n{text}{END}{tail}")
            return
    write_atomic(path, text)


def _csv(frame: pd.DataFrame) -> str:
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, tuple)).any():
            flat[column + " low"] = flat[column].map(lambda v: v[1])
            flat[column + " high"] = flat[column].map(lambda v: v[2])
            flat[column] = flat[column].map(lambda v: v[0])
    return flat.to_csv(index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.network_study", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="seeds 0..N-1 of the full-size conditions")
    parser.add_argument("--small-seeds", type=int, default=40, help="seeds of the 34-person (karate club) rows")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--conditions", default=",".join(CONDITIONS), help="comma-separated, from: " + ", ".join(CONDITIONS)
    )
    parser.add_argument("--out", type=Path, default=Path("multirun/network_study"))
    parser.add_argument("--report", type=Path, help="Markdown file (or file with the network_study markers)")
    parser.add_argument("--figure", type=Path, default=Path("docs/figures/network_study.png"))
    args = parser.parse_args(argv)
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown or not conditions:
        parser.error(f"--conditions: unknown {unknown}; choose from {', '.join(CONDITIONS)}")
    if args.seeds < 2 or args.small_seeds < 2 or args.jobs < 1:
        parser.error("--seeds and --small-seeds must be at least 2 (for a CI), --jobs at least 1")
    started = time.perf_counter()
    runs = run_all(args.out, conditions, args.seeds, args.small_seeds, args.customers, args.days, args.jobs)
    seeds = per_seed(runs)
    levels, diffs = levels_table(seeds, conditions), paired_table(seeds, conditions)
    big = runs[runs.customers == args.customers]
    meta = {
        "customers": args.customers,
        "market": int(big.market_size.iloc[0]) if len(big) else 0,
        "days": args.days,
        "seeds": args.seeds,
        "small_seeds": args.small_seeds,
    }
    text = markdown(levels, diffs, meta)
    write_atomic(args.out / "network_study.md", text)
    write_atomic(args.out / "levels.csv", _csv(levels))
    write_atomic(args.out / "paired.csv", _csv(diffs))
    write_atomic(args.out / "per_seed.csv", seeds.to_csv(index=False))
    figure(diffs, args.figure)
    if args.report:
        put_report(args.report, text)
    busy = float(runs.loc[~runs.cached, "seconds"].sum()) if "seconds" in runs else 0.0
    print(text)
    print(
        f"[network_study] wall {time.perf_counter() - started:.0f} s, runs {busy:.0f} s summed over workers; "
        f"tables in {args.out}, figure {args.figure}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
