"""Write the validation report: markdown, the tidy Parquet table, one figure a family, the verdicts.

``validation.json`` holds each target's verdict in machine-readable form; the quick check
(``python -m sim.validate --quick``) reads the committed one and fails when a target it marks
as met is missed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.validate.targets import MET, NOT_MEASURABLE, Criterion, Outcome, Target, t_interval

Results = dict[str, dict[int, dict[str, float]]]  # study -> seed -> metric -> value

FAMILY_TITLES = {
    "complaints": "Complaints",
    "word_of_mouth": "Word of mouth",
    "tarp": "TARP repurchase table",
    "recovery": "Recovery paradox and double deviation",
    "justice": "Justice",
    "compensation": "Compensation curve",
    "churn_and_profit": "Churn and profit",
    "network": "Network and online spread",
    "attribution": "What failures cost, directly and through word of mouth",
    "storm": "Mass failure (jetBlue)",
    "docking": "Docking",
}


# ---------------------------------------------------------------- formatting
def _number(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _suffix(t: Target) -> str:
    if t.scale == 100:
        return " pp" if t.unit in ("pp",) else " %" if t.unit == "share" else f" % ({t.unit})"
    return f" {t.unit}"


def value_text(o: Outcome) -> str:
    """Mean and 95 % CI in the target's display unit, e.g. ``7.6 % [7.4, 7.8]``."""
    if o.verdict.startswith(NOT_MEASURABLE):
        return "-"
    t, s = o.target, o.target.scale
    ci = f"[{_number(s * o.ci_low)}, {_number(s * o.ci_high)}]"
    return f"{_number(s * o.mean)}{_suffix(t)} {ci} (n = {len(o.values)})"


def tolerance_text(t: Target) -> str:
    """The criterion in words, in the target's display unit."""
    c, s = t.criterion, t.scale
    lo, hi = _number(s * c.low), _number(s * c.high)
    if c.mode == "within":
        if math.isinf(c.high):
            return f"CI above {lo}"
        if math.isinf(c.low):
            return f"CI below {hi}"
        return f"CI inside ({lo}, {hi})"
    if c.low == c.high:
        return f"CI contains {lo}"
    if math.isinf(c.low):
        return f"CI reaches {hi} or below"
    return f"CI meets [{lo}, {hi}]{_suffix(t)}"


def headline(outcomes: list[Outcome]) -> str:
    """``N targets, H held-out, M met`` with the rest of the count."""
    kinds = Counter(o.target.kind for o in outcomes)
    met = sum(o.verdict == MET for o in outcomes)
    held_met = sum(o.verdict == MET and o.target.kind == "held-out" for o in outcomes)
    unmeasured = sum(o.verdict.startswith(NOT_MEASURABLE) for o in outcomes)
    rest = f"; {unmeasured} not measurable yet" if unmeasured else ""
    return (
        f"{len(outcomes)} targets, {kinds['held-out']} held-out, {met} met "
        f"({held_met} of the held-out; {kinds['fitted']} fitted, {kinds['docking']} docking checks{rest})"
    )


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


# ---------------------------------------------------------------- markdown
def markdown(outcomes: list[Outcome], meta: dict[str, Any], results: Results | None = None) -> str:
    """The report: headline, how to read it, one table a family with its figure."""
    lines = [
        "# Validation report",
        "",
        f"**{headline(outcomes)}.**",
        "",
        f"Regenerate with `{meta['command']}` ({meta['size_text']}). Package version {meta['version']}.",
        "",
        "Each row is one empirical fact: the figure as its source states it, the source, whether the model was",
        "*fitted* to it (and with which knobs), predicts it without tuning (*held-out*), or must equal an",
        "independent answer (*docking*, Rand & Rust 2011), the model's mean with a 95 % t-interval over seeds,",
        "the tolerance and where it comes from, and the verdict. Tolerances come from the target, not the model:",
        "a reported range as it stands (met when the model's CI meets it); a single figure to its own precision",
        "(half a unit of its last digit); a claimed direction is met when the CI lies wholly on that side of",
        "zero; a claim of no effect when the CI reaches zero. A target whose mechanism the model lacks is listed",
        "as *not measurable* with the reason, never with a number. Every replicate value is in",
        "`validation.parquet`; the verdicts the quick check guards are in `validation.json`.",
        "",
    ]
    families = list(dict.fromkeys(o.target.family for o in outcomes))
    for family in families:
        rows = [o for o in outcomes if o.target.family == family]
        lines += [f"## {FAMILY_TITLES.get(family, family)}", ""]
        lines += [
            "| target | source | kind (knobs) | model, 95 % CI | tolerance (why) | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for o in rows:
            t = o.target
            kind = t.kind + (f" ({', '.join(t.knobs)})" if t.knobs else "")
            claim = t.claim + (f"<br><sub>{t.note}</sub>" if t.note else "")
            lines.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        f"**{t.name}**: {claim}",
                        t.source,
                        kind,
                        value_text(o),
                        f"{tolerance_text(t)} ({t.why})",
                        f"**{o.verdict}**" if o.verdict == MET else o.verdict,
                    )
                )
                + " |"
            )
        lines += ["", f"![{FAMILY_TITLES.get(family, family)}](figures/validation_{family}.png)", ""]
        if family == "attribution" and results and results.get("attribution"):
            lines += attribution_lines(results["attribution"])
    return "\n".join(lines)


# ---------------------------------------------------------------- attribution (wom_attribution.yaml)
ATTRIBUTION_OUTCOMES = {
    "npv_with_equity": "NPV with equity",
    "revenue": "revenue",
    "customers_end": "customers at the end",
}
ATTRIBUTION_PARTS = {
    "lost_to_failures": "lost to failures",
    "through_wom": "through word of mouth",
    "direct": "directly",
}


def _mean_ci(values: list[float]) -> str:
    mean, lo, hi = t_interval(np.asarray(values, dtype=np.float64))
    return f"{_number(mean)} [{_number(lo)}, {_number(hi)}]"


def attribution_lines(by_seed: dict[int, dict[str, float]]) -> list[str]:
    """The loss to failures split into direct and through word of mouth (means, 95 % t-intervals)."""
    runs = list(by_seed.values())
    col = lambda key: [v[key] for v in runs if key in v]  # noqa: E731
    lines = [
        f"The experiment's three counterfactuals a seed ({len(runs)} seeds, one year at the defaults): "
        "lost to failures = `no_failures` - `as_is`, through word of mouth = `no_negative_wom` - `as_is`, "
        "directly = the rest (`python -m analysis.attribution` makes the same split from a sweep).",
        "",
        "| outcome | " + " | ".join(ATTRIBUTION_PARTS.values()) + " | share through word of mouth |",
        "|---|---|---|---|---|",
    ]
    for key, text in ATTRIBUTION_OUTCOMES.items():
        cells = [_mean_ci(col(f"{key}_{part}")) for part in ATTRIBUTION_PARTS]
        share = np.mean(col(f"{key}_through_wom")) / np.mean(col(f"{key}_lost_to_failures"))
        lines.append(f"| {text} | " + " | ".join(cells) + f" | {share:.0%} |")
    lines += [
        "",
        f"Dissatisfied customers a starting customer over the year: {_mean_ci(col('dissatisfied_per_customer'))}. "
        f"Prospects deterred by bad news: {_mean_ci(col('deterred_acquisitions'))}; customers it drove away: "
        f"{_mean_ci(col('wom_churned'))} (ratio of the means "
        f"{np.mean(col('deterred_acquisitions')) / np.mean(col('wom_churned')):.2g}).",
        "",
        "![Attribution](figures/validation_attribution_split.png)",
        "",
    ]
    return lines


def attribution_figure(by_seed: dict[int, dict[str, float]], path: Path) -> None:
    """Bars: each outcome's loss to failures, split into direct and through word of mouth, with 95 % CIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = list(by_seed.values())
    fig, axes = plt.subplots(1, len(ATTRIBUTION_OUTCOMES), figsize=(9, 3.2))
    for ax, (key, text) in zip(axes, ATTRIBUTION_OUTCOMES.items(), strict=True):
        for i, part in enumerate(ATTRIBUTION_PARTS):
            mean, lo, hi = t_interval(np.asarray([v[f"{key}_{part}"] for v in runs], dtype=np.float64))
            ax.bar(i, mean, color=("grey", "tab:red", "tab:blue")[i], yerr=[[mean - lo], [hi - mean]], capsize=4)
        ax.set_xticks(range(len(ATTRIBUTION_PARTS)), ["all", "word of\nmouth", "direct"], fontsize=7)
        ax.set_title(f"{text} lost", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("What failures cost at the defaults (wom_attribution), mean and 95 % CI over seeds", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def verdicts(outcomes: list[Outcome], meta: dict[str, Any]) -> dict[str, Any]:
    """Machine-readable verdicts (what the quick check compares against)."""
    return {
        "size": meta["size"],
        "headline": headline(outcomes),
        "targets": {
            o.target.name: {
                "kind": o.target.kind,
                "verdict": o.verdict,
                "mean": None if math.isnan(o.mean) else o.mean,
                "ci": None if math.isnan(o.mean) else [o.ci_low, o.ci_high],
            }
            for o in outcomes
        },
    }


def regressions(outcomes: list[Outcome], committed: dict[str, Any]) -> list[str]:
    """Targets the committed report marks as met and this run does not meet, one line each."""
    marked = committed.get("targets", {})
    out = []
    for o in outcomes:
        before = marked.get(o.target.name, {}).get("verdict")
        if before == MET and o.verdict != MET:
            out.append(f"{o.target.name}: committed report says met, this run says {o.verdict} ({value_text(o)})")
    return out


# ---------------------------------------------------------------- figures
def figure(family: str, outcomes: list[Outcome], path: Path) -> None:
    """Target (band or line) against the model's mean and 95 % CI, one row a target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [o for o in outcomes if o.target.family == family]
    fig, axes = plt.subplots(len(rows), 1, figsize=(7.5, 0.9 + 0.85 * len(rows)), squeeze=False)
    for ax, o in zip(axes[:, 0], rows, strict=True):
        t, s = o.target, o.target.scale
        _draw_criterion(ax, t.criterion, s)
        if o.verdict.startswith(NOT_MEASURABLE):
            ax.text(0.5, 0.5, "not measurable yet", transform=ax.transAxes, ha="center", va="center", color="grey")
        else:
            color = "tab:green" if o.verdict == MET else "tab:red"
            ax.errorbar([s * o.mean], [0], xerr=[[s * (o.mean - o.ci_low)], [s * (o.ci_high - o.mean)]],
                        fmt="o", color=color, capsize=4)
            ax.scatter(s * o.values, [0.25] * len(o.values), s=6, color=color, alpha=0.4)
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.set_title(f"{t.name} ({t.kind}): {o.verdict}", fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
        ax.set_xlabel(_suffix(t).strip(), fontsize=7)
    fig.suptitle(f"{FAMILY_TITLES.get(family, family)}: target (grey) and model mean, 95 % CI", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _draw_criterion(ax: Any, c: Criterion, scale: float) -> None:
    lo, hi = c.low * scale, c.high * scale
    if math.isinf(lo) or math.isinf(hi):
        edge = hi if math.isinf(lo) else lo
        ax.axvline(edge, color="grey", lw=1)
        ax.annotate("target side >" if math.isinf(hi) else "< target side", xy=(edge, 0.4), fontsize=6,
                    color="grey", ha="left" if math.isinf(hi) else "right")
    elif lo == hi:
        ax.axvline(lo, color="grey", lw=1.5)
    else:
        ax.axvspan(lo, hi, color="grey", alpha=0.3)


# ---------------------------------------------------------------- everything
def write(
    outcomes: list[Outcome], table: pd.DataFrame, out_dir: Path, meta: dict[str, Any], results: Results | None = None
) -> list[Path]:
    """Write validation.md, validation.parquet, validation.json and the figures into ``out_dir``.

    ``results`` (every study's values by seed) adds the attribution split when that study ran.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "validation.md", out_dir / "validation.parquet", out_dir / "validation.json"]
    paths[0].write_text(markdown(outcomes, meta, results) + "\n")
    table.to_parquet(paths[1], index=False)
    paths[2].write_text(json.dumps(verdicts(outcomes, meta), indent=1, sort_keys=False) + "\n")
    for family in dict.fromkeys(o.target.family for o in outcomes):
        path = out_dir / "figures" / f"validation_{family}.png"
        figure(family, outcomes, path)
        paths.append(path)
    if results and results.get("attribution") and any(o.target.family == "attribution" for o in outcomes):
        path = out_dir / "figures" / "validation_attribution_split.png"
        attribution_figure(results["attribution"], path)
        paths.append(path)
    return paths
