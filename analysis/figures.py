"""Figures with confidence intervals, each saved as PNG and SVG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from scipy import stats  # noqa: E402

from analysis import strategist as st  # noqa: E402
from analysis.report import BASELINE, DIFFERENCES, OUTCOMES  # noqa: E402
from analysis.stats import LEVEL, mean_ci  # noqa: E402

PANELS = ("profit", "revenue", "customers_lost", "churn_rate")


def _readable_x(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"))


def _seeds(counts: pd.Series) -> str:
    return f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"


def save(fig: plt.Figure, stem: Path) -> list[Path]:
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    return paths


def _policy_order(table: pd.DataFrame) -> list[str]:
    return list(table.groupby("policy")["profit"].mean().sort_values().index)


def outcome_by_policy(table: pd.DataFrame, stem: Path, level: float = LEVEL) -> list[Path]:
    """Mean and CI of profit, revenue, customers lost and churn by policy (best profit on top)."""
    order = _policy_order(table)
    fig, axes = plt.subplots(2, 2, figsize=(11, 1.2 + 0.45 * len(order) * 2), sharey=True)
    for ax, column in zip(axes.flat, PANELS, strict=True):
        stats_ = [mean_ci(table.loc[table["policy"] == p, column].to_numpy(), level) for p in order]
        mean = np.array([s[0] for s in stats_])
        lo = np.array([s[1] for s in stats_])
        hi = np.array([s[2] for s in stats_])
        err = np.vstack([mean - lo, hi - mean])
        scale = 100 if column == "churn_rate" else 1
        colors = ["0.55" if p == BASELINE else "C0" for p in order]
        ax.errorbar(
            mean * scale, range(len(order)), xerr=np.nan_to_num(err) * scale, fmt="none", ecolor="0.3", capsize=3
        )
        ax.scatter(mean * scale, range(len(order)), c=colors, zorder=3)
        label = OUTCOMES[column][0] + (" (%)" if column == "churn_rate" else "")
        ax.set_title(label)
        ax.grid(axis="x", alpha=0.3)
        _readable_x(ax)
    axes[0, 0].set_yticks(range(len(order)), order)
    runs = table.groupby("policy").size()
    fig.suptitle(f"Outcome by policy: mean and {level:.0%} CI over {_seeds(runs)} seeds each")
    fig.tight_layout()
    return save(fig, stem)


def _band(frame: pd.DataFrame, column: str, level: float) -> pd.DataFrame:
    grouped = frame.groupby("day")[column]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    return pd.DataFrame({"mean": mean, "lo": mean - half.fillna(0), "hi": mean + half.fillna(0)})


def timeseries_by_policy(series: pd.DataFrame, stem: Path, level: float = LEVEL, smooth: int = 7) -> list[Path]:
    """Active customers and daily negative word of mouth by policy: mean line, CI band over seeds.

    ``series`` is long form with ``policy``, ``day``, ``customers`` and ``negative_wom`` columns.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7.5), sharex=True)
    series = series.sort_values(["run", "day"]).copy()
    series["negative_wom_smooth"] = series.groupby("run")["negative_wom"].transform(
        lambda s: s.rolling(smooth, min_periods=1).mean()
    )
    for i, (policy, part) in enumerate(series.groupby("policy", sort=True)):
        color = "0.35" if policy == BASELINE else f"C{i}"
        for ax, column in ((top, "customers"), (bottom, "negative_wom_smooth")):
            band = _band(part, column, level)
            ax.plot(band.index, band["mean"], color=color, label=policy, lw=1.6)
            ax.fill_between(band.index, band["lo"], band["hi"], color=color, alpha=0.2, lw=0)
    top.set_ylabel("active customers")
    bottom.set_ylabel(f"negative messages heard a day\n({smooth}-day mean)")
    bottom.set_xlabel("day")
    top.legend(ncol=4, fontsize=8, loc="lower left")
    seeds = series.groupby("policy")["run"].nunique()
    top.set_title(
        f"Customers and negative word of mouth by policy: mean and {level:.0%} CI band over {seeds.min()} seeds"
    )
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, stem)


def sweep_curve(table: pd.DataFrame, parameter: str, metric: str, stem: Path, level: float = LEVEL) -> list[Path]:
    """``metric`` against one swept parameter, a line with CI error bars per policy."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (policy, part) in enumerate(table.groupby("policy", sort=True)):
        points = [(x, *mean_ci(g[metric].to_numpy(), level)) for x, g in part.groupby(parameter, sort=True)]
        x = np.array([p[0] for p in points], dtype=float)
        mean = np.array([p[1] for p in points])
        err = np.nan_to_num(np.vstack([mean - [p[2] for p in points], [p[3] for p in points] - mean]))
        color = "0.35" if policy == BASELINE else f"C{i}"
        ax.errorbar(x, mean, yerr=err, color=color, marker="o", capsize=3, label=policy)
    ax.set_xlabel(parameter)
    ax.set_ylabel(OUTCOMES.get(metric, (metric,))[0])
    ax.set_title(f"{ax.get_ylabel()} against {parameter}: mean and {level:.0%} CI over seeds")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return save(fig, stem)


def paired_differences(diffs: pd.DataFrame, stem: Path, baseline: str = BASELINE, level: float = LEVEL) -> list[Path]:
    """Forest plot: each policy minus ``baseline`` on shared seeds, with bootstrap CIs."""
    outcomes = list(DIFFERENCES)
    policies = list(diffs.groupby("policy")["difference"].first().index)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), 1 + 0.45 * len(policies)), sharey=True)
    for ax, outcome in zip(axes, outcomes, strict=True):
        part = diffs[diffs["outcome"] == outcome].set_index("policy").reindex(policies)
        y = np.arange(len(policies))
        err = np.nan_to_num(np.vstack([part["difference"] - part["lo"], part["hi"] - part["difference"]]))
        ax.errorbar(part["difference"], y, xerr=err, fmt="o", color="C3", ecolor="0.3", capsize=3)
        ax.axvline(0, color="0.5", lw=1)
        ax.set_title(DIFFERENCES[outcome][0])
        ax.grid(axis="x", alpha=0.3)
        _readable_x(ax)
    axes[0].set_yticks(range(len(policies)), policies)
    pairs = diffs.groupby("policy")["pairs"].first()
    fig.suptitle(f"Difference from '{baseline}' on the same {_seeds(pairs)} seeds: mean and {level:.0%} bootstrap CI")
    fig.tight_layout()
    return save(fig, stem)


def strategist(report: pd.DataFrame, stem: Path, baseline: str = BASELINE, level: float = LEVEL) -> list[Path]:
    """The strategist's report as a figure: one panel an outcome (paired difference and CI), ROI, P(best).

    ``report`` is one group of ``analysis.strategist.strategist``: one row a policy, the baseline included
    (its differences are NaN: it is the zero line).
    """
    policies = list(report["policy"])[::-1]  # the baseline on top
    part = report.set_index("policy").loc[policies]
    y = np.arange(len(policies))
    panels = [(st.COLUMNS[r], st.OUTCOMES[r][0]) for r in st.OUTCOMES] + [("roi", f"ROI vs {baseline}")]
    best = [(f"p_best_{st.COLUMNS[r]}", f"P(best, {st.OUTCOMES[r][0]})") for r in st.BEST]
    fig, axes = plt.subplots(2, 4, figsize=(14, 1.6 + 0.8 * len(policies)), sharey=True)
    for ax, (column, label) in zip(axes.flat, panels, strict=False):
        mean, lo, hi = part[column], part[f"{column}_lo"], part[f"{column}_hi"]
        err = np.nan_to_num(np.vstack([mean - lo, hi - mean]))
        ax.errorbar(mean, y, xerr=err, fmt="o", color="C3", ecolor="0.3", capsize=3)
        ax.axvline(0, color="0.5", lw=1)
        ax.set_title(label)
        ax.grid(axis="x", alpha=0.3)
        _readable_x(ax)
    for ax, (column, label) in zip(axes.flat[len(panels) :], best, strict=True):
        ax.barh(y, part[column].fillna(0), color=["0.55" if p == baseline else "C0" for p in policies])
        ax.set_xlim(0, 1)
        ax.set_title(label)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_yticks(y, policies)
    seeds = part.loc[part.index != baseline, "seeds"]
    shown = _seeds(seeds) if len(seeds) else "0"
    fig.suptitle(
        f"Paired difference from '{baseline}' on the same {shown} seeds (mean, {level:.0%} bootstrap CI) "
        f"and P(best) over {int(part['p_best_seeds'].iloc[0])} shared seeds"
    )
    fig.tight_layout()
    return save(fig, stem)
