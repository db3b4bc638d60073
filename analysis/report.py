"""Policy rankings and paired differences from ``none``, as tidy tables and Markdown.

Runs that share a seed share their customers and network (the model draws both from the seed
before any policy acts), so a policy's effect is measured seed by seed against the baseline:
the paired difference, with a bootstrap interval over the shared seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.collect import swept_keys
from analysis.stats import BOOTSTRAP, LEVEL, bootstrap_mean_ci, bootstrap_ratio_ci, mean_ci

BASELINE = "none"
# Ranked outcomes: column -> (label, format of one number).
OUTCOMES = {
    "revenue": ("revenue", "{:,.0f}"),
    "profit": ("profit", "{:,.0f}"),
    "customers_lost": ("customers lost", "{:,.1f}"),
    "churn_rate": ("churn rate", "{:.2%}"),
    "recovery_cost": ("recovery cost", "{:,.0f}"),
    "npv_with_equity": ("NPV with customer equity", "{:,.0f}"),
}
# Paired against the baseline.
DIFFERENCES = {
    "revenue": ("revenue", "{:+,.0f}"),
    "profit": ("profit", "{:+,.0f}"),
    "customers_lost": ("customers lost", "{:+,.1f}"),
    "churn_rate": ("churn rate (pp)", "{:+.2f}"),
    "npv_with_equity": ("NPV with customer equity", "{:+,.0f}"),
}
NOT_GROUPS = ("policy", "seed")


def group_keys(table: pd.DataFrame) -> list[str]:
    """Swept keys other than the policy and the seed: each of their combinations is ranked apart."""
    return [k for k in swept_keys(table) if k not in NOT_GROUPS and k in table.columns]


def groups(table: pd.DataFrame) -> list[tuple[dict, pd.DataFrame]]:
    keys = group_keys(table)
    if not keys:
        return [({}, table)]
    return [(dict(zip(keys, values, strict=True)), part) for values, part in table.groupby(keys, sort=True)]


def _pairs(part: pd.DataFrame, policy: str, baseline: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The policy's runs and the baseline's, aligned on their shared seeds."""
    a = part[part["policy"] == policy].set_index("seed")
    b = part[part["policy"] == baseline].set_index("seed")
    shared = a.index.intersection(b.index).sort_values()
    return a.loc[shared], b.loc[shared]


def ranking(
    table: pd.DataFrame, baseline: str = BASELINE, level: float = LEVEL, n_boot: int = BOOTSTRAP
) -> pd.DataFrame:
    """Mean and CI of each outcome by policy, plus recovery ROI against ``baseline``; best profit first."""
    rows = []
    for where, part in groups(table):
        for policy, runs in part.groupby("policy", sort=False):
            row = dict(where) | {"policy": policy, "runs": len(runs)}
            for column in OUTCOMES:
                row[column], row[f"{column}_lo"], row[f"{column}_hi"] = mean_ci(runs[column].to_numpy(), level)
            roi = (np.nan, np.nan, np.nan)
            if policy != baseline and (part["policy"] == baseline).any():
                a, b = _pairs(part, policy, baseline)
                extra_cost = (a["recovery_cost"] - b["recovery_cost"]).to_numpy()
                roi = bootstrap_ratio_ci((a["profit"] - b["profit"]).to_numpy(), extra_cost, level, n_boot)
            row["roi"], row["roi_lo"], row["roi_hi"] = roi
            rows.append(row)
    out = pd.DataFrame(rows)
    keys = list(groups(table)[0][0])
    out = out.sort_values(keys + ["profit"], ascending=[True] * len(keys) + [False], kind="stable")
    out.insert(len(keys), "rank", out.groupby(keys).cumcount() + 1 if keys else np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def paired(
    table: pd.DataFrame, baseline: str = BASELINE, level: float = LEVEL, n_boot: int = BOOTSTRAP
) -> pd.DataFrame:
    """Each policy minus ``baseline`` on shared seeds: mean difference and bootstrap CI, per outcome."""
    rows = []
    for where, part in groups(table):
        if not (part["policy"] == baseline).any():
            continue
        for policy in part["policy"].unique():
            if policy == baseline:
                continue
            a, b = _pairs(part, policy, baseline)
            for column in DIFFERENCES:
                diff = (a[column] - b[column]).to_numpy(dtype=float)
                if column == "churn_rate":
                    diff = 100 * diff  # percentage points
                mean, lo, hi = bootstrap_mean_ci(diff, level, n_boot)
                rows.append(
                    dict(where)
                    | {"policy": policy, "outcome": column, "pairs": len(diff)}
                    | {"difference": mean, "lo": lo, "hi": hi}
                )
    return pd.DataFrame(rows, columns=group_keys(table) + ["policy", "outcome", "pairs", "difference", "lo", "hi"])


def _cell(fmt: str, mean: float, lo: float, hi: float) -> str:
    if np.isnan(mean):
        return "n/a"
    if np.isnan(lo):
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def _heading(where: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in where.items())


def ranking_markdown(rank: pd.DataFrame, keys: list[str], baseline: str = BASELINE, level: float = LEVEL) -> str:
    """One table per combination of the other swept keys; cells are ``mean [CI low, CI high]``."""
    pct = f"{level:.0%}"
    lines = [
        f"Policies ranked by mean profit; cells are mean [{pct} CI] over seeds. Recovery ROI = extra profit "
        f"per extra unit of recovery cost against `{baseline}` on the same seeds (profit is already net of "
        "recovery cost, so ROI > 0 means recovery pays for itself).",
        "",
    ]
    header = ["rank", "policy", "runs"] + [label for label, _ in OUTCOMES.values()] + [f"recovery ROI vs {baseline}"]
    parts = rank.groupby(keys, sort=False) if keys else [((), rank)]
    for values, part in parts:
        values = values if isinstance(values, tuple) else (values,)
        if keys:
            lines += [f"### {_heading(dict(zip(keys, values, strict=True)))}", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for _, row in part.iterrows():
            cells = [str(row["rank"]), f"`{row['policy']}`", str(row["runs"])]
            cells += [_cell(fmt, row[c], row[f"{c}_lo"], row[f"{c}_hi"]) for c, (_, fmt) in OUTCOMES.items()]
            cells.append(_cell("{:.2f}", row["roi"], row["roi_lo"], row["roi_hi"]))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def paired_markdown(diffs: pd.DataFrame, keys: list[str], baseline: str = BASELINE, level: float = LEVEL) -> str:
    pct = f"{level:.0%}"
    lines = [
        f"Difference from `{baseline}` on the same seeds (same customers, same network): mean "
        f"[{pct} bootstrap CI over the shared seeds]. Negative customers lost and churn are better.",
        "",
    ]
    if diffs.empty:
        return "\n".join(lines + [f"No `{baseline}` runs to pair with.", ""])
    header = ["policy", "seeds"] + [label for label, _ in DIFFERENCES.values()]
    parts = diffs.groupby(keys, sort=False) if keys else [((), diffs)]
    for values, part in parts:
        values = values if isinstance(values, tuple) else (values,)
        if keys:
            lines += [f"### {_heading(dict(zip(keys, values, strict=True)))}", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for policy, rows in part.groupby("policy", sort=False):
            by = rows.set_index("outcome")
            cells = [f"`{policy}`", str(int(by["pairs"].iloc[0]))]
            cells += [_cell(fmt, *by.loc[c, ["difference", "lo", "hi"]]) for c, (_, fmt) in DIFFERENCES.items()]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
