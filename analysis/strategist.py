"""The strategist's report: what each recovery policy changes against ``none``, seed by seed.

Runs that share a seed share their customers and network, so every number here is a paired
difference (policy minus baseline on the same seeds) with a percentile bootstrap CI over the
shared seeds. Beside each difference, what the pairing bought: the variance ratio
``var(policy - baseline) / (var(policy) + var(baseline))`` over seeds, 1.0 when pairing does no
better than independent seeds would, near 0 when the shared seed explains most of the spread.
And which policy is best: the share of bootstrap resamples of the seeds (the same resampled seeds
for every policy) in which a policy has the highest mean, on discounted profit and, apart, on
profit plus customer equity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report import BASELINE, _cell, _heading, _pairs, groups
from analysis.stats import BOOTSTRAP, LEVEL, bootstrap_indices, bootstrap_mean_ci, bootstrap_ratio_ci

# Every summary figure the report reads, by role. If the core renames a figure, change it here only.
COLUMNS = {
    "customers": "customers_end",
    "revenue": "revenue",
    "cost": "recovery_cost",
    "cash": "npv",  # discounted profit of the simulated period
    "value": "npv_with_equity",  # that plus what the customers still there are worth
    "profit": "profit",  # numerator of the ROI, as in ranking.md
}
# Paired outcomes, in table order: role -> (label, number format of a difference).
OUTCOMES = {
    "customers": ("customers kept", "{:+,.1f}"),
    "revenue": ("revenue", "{:+,.0f}"),
    "cost": ("recovery cost", "{:+,.0f}"),
    "cash": ("discounted profit", "{:+,.0f}"),
    "value": ("profit plus equity", "{:+,.0f}"),
}
BEST = ("cash", "value")  # outcomes on which P(best) is reported


class MissingColumns(ValueError):
    """The runs lack a figure the report needs; the message is one line."""


def required(table: pd.DataFrame) -> None:
    """Raise ``MissingColumns`` naming every figure the report needs that the runs do not have."""
    missing = [c for c in ["policy", "seed", *COLUMNS.values()] if c not in table.columns]
    if missing:
        names = ", ".join(missing)
        raise MissingColumns(
            f"the runs have no {names} (needed by the strategist's report; rename in analysis/strategist.py "
            "COLUMNS if the core renamed it)"
        )


def variance_ratio(policy: np.ndarray, baseline: np.ndarray) -> float:
    """``var(policy - baseline) / (var(policy) + var(baseline))`` over paired seeds; NaN if undefined."""
    a, b = np.asarray(policy, dtype=float), np.asarray(baseline, dtype=float)
    if len(a) < 2:
        return np.nan
    spread = a.var(ddof=1) + b.var(ddof=1)
    return float((a - b).var(ddof=1) / spread) if spread > 0 else np.nan


def p_best(values: pd.DataFrame, n_boot: int = BOOTSTRAP, seed: int = 0) -> pd.Series:
    """Share of bootstrap resamples of the seeds in which each policy (a column) has the highest mean.

    ``values`` has one row a seed and one column a policy, seeds shared by every policy. Each
    resample draws seeds with replacement and uses them for every policy, so the pairing is kept.
    A tie splits the resample evenly between the tied policies.
    """
    x = values.to_numpy(dtype=float)
    if x.shape[0] == 0:
        return pd.Series(np.nan, index=values.columns)
    idx = bootstrap_indices(x.shape[0], n_boot, seed)
    means = np.stack([x[:, j][idx].mean(axis=1) for j in range(x.shape[1])], axis=1)  # resamples x policies
    top = means == means.max(axis=1, keepdims=True)
    share = (top / top.sum(axis=1, keepdims=True)).mean(axis=0)
    return pd.Series(share, index=values.columns)


def strategist(
    table: pd.DataFrame, baseline: str = BASELINE, level: float = LEVEL, n_boot: int = BOOTSTRAP
) -> pd.DataFrame:
    """One row a policy (per combination of other swept keys), the baseline included.

    Columns: the other swept keys, ``policy``, ``seeds`` (shared with the baseline); for each
    outcome column ``c`` of ``COLUMNS``: ``c`` (mean paired difference), ``c_lo``, ``c_hi`` (bootstrap
    CI) and ``c_var_ratio``; ``roi``, ``roi_lo``, ``roi_hi`` (extra profit per extra unit of recovery
    cost); ``p_best_<c>`` for the P(best) outcomes and ``p_best_seeds`` (seeds every policy shares);
    ``days`` (the simulated period, if the runs report it) and ``baseline_constant`` (outcome columns
    on which the baseline is the same on every seed, space-separated: their ratio is 1 by construction).
    The baseline's differences are NaN: it is the reference.
    """
    required(table)
    rows = []
    for where, part in groups(table):
        policies = list(dict.fromkeys(part["policy"]))
        if baseline in policies:  # the reference first
            policies.remove(baseline)
            policies.insert(0, baseline)
        best = {}
        by_seed = {}
        for role in BEST:
            column = COLUMNS[role]
            wide = part.pivot_table(index="seed", columns="policy", values=column, aggfunc="first")
            wide = wide[policies].dropna()
            by_seed[role] = len(wide)
            best[role] = p_best(wide, n_boot)
        has_baseline = baseline in policies
        days = float(part["days"].median()) if "days" in part.columns else np.nan
        reference = part[part["policy"] == baseline]
        flat = [COLUMNS[r] for r in OUTCOMES if len(reference) > 1 and reference[COLUMNS[r]].nunique() == 1]
        for policy in policies:
            row = dict(where) | {"policy": policy}
            if has_baseline and policy != baseline:
                a, b = _pairs(part, policy, baseline)
                row["seeds"] = len(a)
                for role in OUTCOMES:
                    column = COLUMNS[role]
                    x, y = a[column].to_numpy(dtype=float), b[column].to_numpy(dtype=float)
                    row[column], row[f"{column}_lo"], row[f"{column}_hi"] = bootstrap_mean_ci(x - y, level, n_boot)
                    row[f"{column}_var_ratio"] = variance_ratio(x, y)
                gain = (a[COLUMNS["profit"]] - b[COLUMNS["profit"]]).to_numpy(dtype=float)
                spend = (a[COLUMNS["cost"]] - b[COLUMNS["cost"]]).to_numpy(dtype=float)
                row["roi"], row["roi_lo"], row["roi_hi"] = bootstrap_ratio_ci(gain, spend, level, n_boot)
            else:
                row["seeds"] = int((part["policy"] == policy).sum())
                for role in OUTCOMES:
                    column = COLUMNS[role]
                    for suffix in ("", "_lo", "_hi", "_var_ratio"):
                        row[f"{column}{suffix}"] = np.nan
                row["roi"] = row["roi_lo"] = row["roi_hi"] = np.nan
            for role in BEST:
                row[f"p_best_{COLUMNS[role]}"] = float(best[role].get(policy, np.nan))
            row["p_best_seeds"] = min(by_seed.values())
            row["days"] = days
            row["baseline_constant"] = " ".join(flat)
            rows.append(row)
    return pd.DataFrame(rows)


def _number(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.2f}"


def _tables(report: pd.DataFrame, keys: list[str]):
    parts = report.groupby(keys, sort=False) if keys else [((), report)]
    for values, part in parts:
        values = values if isinstance(values, tuple) else (values,)
        yield dict(zip(keys, values, strict=True)), part


def reading(part: pd.DataFrame, baseline: str = BASELINE) -> list[str]:
    """Plain words from the numbers of one table: what each outcome counts, which policy it favours, pairing."""
    cash, value = COLUMNS["cash"], COLUMNS["value"]
    days = part["days"].iloc[0] if "days" in part.columns else np.nan
    period = f"the {days:,.0f} simulated days" if not np.isnan(days) else "the simulated period"
    lines = [
        f"- Which outcome to read: discounted profit (`{cash}`) is the cash of {period}, discounted to day 0; "
        f"profit plus equity (`{value}`) adds what the customers still active at the end are worth over their "
        "remaining lifetime, valued along the model's dynamics. The first is what a policy earns within the "
        "period, the second also values the customer base it leaves at the end (how many and how loyal)."
    ]
    others = part[part["policy"] != baseline]
    picks = {}
    for role in BEST:
        column = COLUMNS[role]
        label = OUTCOMES[role][0]
        probs = part.set_index("policy")[f"p_best_{column}"]
        if probs.isna().all():
            lines.append(f"- {label.capitalize()}: no seeds shared by every policy, so no P(best).")
            continue
        top = probs.idxmax()
        picks[role] = top
        sentence = f"- {label.capitalize()}: `{top}` has the highest mean in {probs[top]:.0%} of the resamples"
        if not others.empty and not others[column].isna().all():
            above = int((others[f"{column}_lo"] > 0).sum())
            below = int((others[f"{column}_hi"] < 0).sum())
            sentence += (
                f"; against `{baseline}`, {above} of {len(others)} policies gain (CI above 0), {below} lose "
                f"(CI below 0), {len(others) - above - below} cannot be told apart from it."
            )
        else:
            sentence += "."
        lines.append(sentence)
    if len(picks) == 2:
        if picks["cash"] == picks["value"]:
            lines.append(f"- Both outcomes favour `{picks['cash']}`.")
        else:
            lines.append(
                f"- The two outcomes favour different policies (`{picks['cash']}` on discounted profit, "
                f"`{picks['value']}` on profit plus equity): the choice rests on whether the customer base "
                "left at the end is counted at its equity."
            )
        row = others.set_index("policy").loc[picks["value"]] if picks["value"] in set(others["policy"]) else None
        if row is not None and not np.isnan(row[value]):
            lines.append(
                f"- Of `{picks['value']}`'s {row[value]:+,.0f} on profit plus equity against `{baseline}`, "
                f"{row[cash]:+,.0f} is discounted profit and {row[value] - row[cash]:+,.0f} customer equity at the "
                f"end (with {row[COLUMNS['customers']]:+,.1f} customers kept)."
            )
    ratios = {OUTCOMES[r][0]: others[f"{COLUMNS[r]}_var_ratio"].median() for r in OUTCOMES}
    ratios = {k: v for k, v in ratios.items() if not np.isnan(v)}
    if ratios:
        listed = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
        paired_well = [k for k, v in ratios.items() if v < 1]
        lines.append(
            f"- Pairing, var(difference) / (var(policy) + var({baseline})), median over policies: {listed}. "
            f"Below 1 the paired CI is about 1/sqrt(ratio) times narrower than with independent seeds; "
            f"{len(paired_well)} of {len(ratios)} outcomes are below 1."
        )
    flat = str(part["baseline_constant"].iloc[0]).split() if "baseline_constant" in part.columns else []
    labels = [OUTCOMES[r][0] for r in OUTCOMES if COLUMNS[r] in flat]
    if labels:
        lines.append(
            f"- `{baseline}` has the same {', '.join(labels)} on every seed, so there the ratio is 1 by "
            "construction: nothing varies for the pairing to cancel."
        )
    return lines


def markdown(
    report: pd.DataFrame, keys: list[str], baseline: str = BASELINE, level: float = LEVEL, n_boot: int = BOOTSTRAP
) -> str:
    """The two tables (differences with P(best); variance ratios) and the reading, per combination of keys."""
    pct = f"{level:.0%}"
    cash, value = (OUTCOMES[r][0] for r in BEST)
    lines = [
        "# The strategist's report",
        "",
        f"Each policy minus `{baseline}` on the same seeds (same customers, same network before any policy "
        f"acts): these are paired differences, mean [{pct} percentile bootstrap CI over the shared seeds]. "
        f"Customers kept = difference in `{COLUMNS['customers']}`, active customers at the end. "
        f"{cash.capitalize()} = `{COLUMNS['cash']}`, the simulated period's profit discounted to day 0. "
        f"{value.capitalize()} = `{COLUMNS['value']}`, that plus what the customers still active at the end are "
        "worth over their remaining lifetime as the model values them (customer equity). "
        f"ROI = extra `{COLUMNS['profit']}` per extra unit of recovery cost (profit is net of recovery cost, so "
        f"ROI > 0 means recovery pays for itself within the period). P(best) = share of {n_boot:,} bootstrap "
        "resamples of the seeds every policy shares (the same resampled seeds for all policies) in which the "
        "policy has the highest mean; a tie is split.",
        "",
    ]
    header = (
        ["policy", "seeds"]
        + [OUTCOMES[r][0] for r in OUTCOMES]
        + [f"ROI vs {baseline}", f"P(best, {cash})", f"P(best, {value})"]
    )
    pairing = ["policy"] + [OUTCOMES[r][0] for r in OUTCOMES]
    for where, part in _tables(report, keys):
        if keys:
            lines += [f"## {_heading(where)}", ""]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for _, row in part.iterrows():
            cells = [f"`{row['policy']}`", str(int(row["seeds"]))]
            if row["policy"] == baseline:
                cells += ["reference"] * (len(OUTCOMES) + 1)
            else:
                for role, (_, fmt) in OUTCOMES.items():
                    c = COLUMNS[role]
                    cells.append(_cell(fmt, row[c], row[f"{c}_lo"], row[f"{c}_hi"]))
                cells.append(_cell("{:.2f}", row["roi"], row["roi_lo"], row["roi_hi"]))
            cells += [_number(row[f"p_best_{COLUMNS[r]}"]) for r in BEST]
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            f"P(best) over {int(part['p_best_seeds'].iloc[0])} seeds shared by all {len(part)} policies.",
            "",
            f"What the pairing bought: var(policy - {baseline}) / (var(policy) + var({baseline})) over the seeds, "
            "per outcome. 1.00 = no better than independent seeds; near 0 = the shared seed explains most of "
            "the spread, so the paired CI is much narrower.",
            "",
        ]
        rows = part[part["policy"] != baseline]
        if rows.empty:
            lines += [f"No `{baseline}` runs to pair with.", ""]
        else:
            lines += ["| " + " | ".join(pairing) + " |", "|" + "---|" * len(pairing)]
            for _, row in rows.iterrows():
                cells = [f"`{row['policy']}`"] + [_number(row[f"{COLUMNS[r]}_var_ratio"]) for r in OUTCOMES]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        lines += ["Reading:", "", *reading(part, baseline), ""]
    return "\n".join(lines)
