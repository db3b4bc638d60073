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

from sim.validate import stats as vstats
from sim.validate.targets import (
    MET,
    NOT_MEASURABLE,
    PATTERNS,
    POWER,
    Criterion,
    Outcome,
    Target,
    changes,
    pattern_status,
    t_interval,
)

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
    """Mean and 95 % CI in the target's display unit, e.g. ``7.6 % [7.4, 7.8] (n = 20)``.

    A deterministic value (one evaluation, or the same on every seed) says so instead of a CI;
    an equivalence test adds its p-value and the seeds it needs for power 0.8 at its margin.
    """
    if o.verdict.startswith(NOT_MEASURABLE):
        return "-"
    t, s = o.target, o.target.scale
    if o.deterministic:
        text = f"{_number(s * o.mean)}{_suffix(t)} (deterministic" + (f", {len(o.values)} seeds)"
                                                                       if len(o.values) > 1 else ")")
    else:
        ratio = "; ratio of the means, paired bootstrap" if t.ratio_of else ""
        text = f"{_number(s * o.mean)}{_suffix(t)} [{_number(s * o.ci_low)}, {_number(s * o.ci_high)}] " \
               f"(n = {len(o.values)}{ratio})"
    if o.test:
        text += f"; {o.test}"
    if o.seeds_needed is not None:
        text += f"; seeds for power {POWER:g} at the margin: {o.seeds_needed}"
        if o.seeds_needed > len(o.values):
            text += " (underpowered)"
    return text


def tolerance_text(t: Target) -> str:
    """The criterion in words, in the target's display unit."""
    c, s = t.criterion, t.scale
    lo, hi = _number(s * c.low), _number(s * c.high)
    if c.mode == "equivalence":
        return f"TOST at 5 % within +/- {hi}{_suffix(t)}"
    if c.mode == "at_most":
        return f"one-sided test at 5 %: below {hi}{_suffix(t)}"
    if c.mode == "within":
        if math.isinf(c.high):
            return f"CI above {lo}"
        if math.isinf(c.low):
            return f"CI below {hi}"
        return f"CI inside ({lo}, {hi})"
    if c.low == c.high:
        return f"CI contains {lo}"
    if math.isinf(c.high):
        return f"CI reaches {lo}{_suffix(t)} or above"
    if math.isinf(c.low):
        return f"CI reaches {hi} or below"
    return f"CI meets [{lo}, {hi}]{_suffix(t)}"


def headline(outcomes: list[Outcome]) -> str:
    """``N targets: P predicted, M of them met; ...`` with the rest of the count."""
    kinds = Counter(o.target.kind for o in outcomes)
    met = sum(o.verdict == MET for o in outcomes)
    predicted_met = sum(o.verdict == MET and o.target.kind == "predicted" for o in outcomes)
    unmeasured = sum(o.verdict.startswith(NOT_MEASURABLE) for o in outcomes)
    rest = f"; {unmeasured} not measurable yet" if unmeasured else ""
    return (
        f"{len(outcomes)} targets: {kinds['predicted']} predicted, {predicted_met} of them met; "
        f"{kinds['imposed']} imposed, {kinds['calibrated']} calibrated, {kinds['verification']} verification; "
        f"{met} met in all{rest}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


# ---------------------------------------------------------------- markdown
INTRO = """Each row is one empirical fact: the figure as its source states it, the source, its *kind*, the
model's mean with a 95 % CI over seeds, the tolerance and where it comes from, and the verdict. The kind
is decided by what the code does, not by the verdict: *verification* (the code does what a rule says:
closed forms, docking with an independent implementation, Rand & Rust 2011), *imposed* (a rule states the
target: honest to show, never counted as a prediction), *calibrated* (a knob was fitted to it; the knobs
are named), *predicted* (it emerges: no knob was set from it; a miss stays a miss, with what was learned).
Tolerances come from the target, not the model: a reported range as it stands (met when the model's CI
meets it); a single figure to its own precision (half a unit of its last digit); a claimed direction is
met when the CI lies wholly on that side; a claim of no effect, and every docking check, names an
equivalence margin up front and is met by two one-sided tests at 5 % (TOST), with the seeds needed for
power 0.8 at that margin given the replicate SD; a ratio is the ratio of the means over paired seeds
with a paired bootstrap CI; a quantity that is the same on every evaluation is marked deterministic. A
target whose mechanism the model lacks is listed as *not measurable* with the reason, never with a
number. Every replicate value, of every target and of every column a study returns (the columns notes
cite in backticks), is in `validation.parquet`; the verdicts the quick check guards are in
`validation.json`."""


def _row(o: Outcome) -> str:
    t = o.target
    kind = t.kind + (f" ({', '.join(t.knobs)})" if t.knobs else "")
    claim = t.claim + (f"<br><sub>{t.note}</sub>" if t.note else "")
    verdict = f"**{o.verdict}**" if o.verdict == MET else o.verdict
    if o.verdict != MET and t.kind == "predicted" and t.learned and not o.verdict.startswith(NOT_MEASURABLE):
        verdict += f"<br><sub>learned: {t.learned}</sub>"
    cells = (f"**{t.name}**: {claim}", t.source, f"{kind}<br><sub>{t.kind_why}</sub>", value_text(o),
             f"{tolerance_text(t)} ({t.why})", verdict)
    return "| " + " | ".join(_cell(x) for x in cells) + " |"


def pattern_lines(outcomes: list[Outcome]) -> list[str]:
    """Patterns first (Grimm et al. 2005): each pattern, the targets that test it, and whether it emerges."""
    by_name = {o.target.name: o for o in outcomes}
    lines = [
        "## Patterns",
        "",
        "The patterns the model must reproduce ([ODD.md](ODD.md#1-purpose-and-patterns)), the targets that test "
        "each, and whether it *emerges* (every predicted target met), is missed, or is only imposed or "
        "calibrated.",
        "",
        "| pattern | targets (kind: verdict) | status |",
        "|---|---|---|",
    ]
    for p in PATTERNS:
        tested = [by_name[n] for n in p.targets if n in by_name]
        cells = ", ".join(f"`{o.target.name}` ({o.target.kind}: {o.verdict})" for o in tested) or "none yet"
        lines.append(f"| {_cell(p.text)} | {_cell(cells)} | {pattern_status(p, outcomes)} |")
    return lines + [""]


def change_lines(outcomes: list[Outcome]) -> list[str]:
    """Each target whose kind moved since the previous report (fitted / held-out / docking), from what to what."""
    from sim.validate.targets import CRITERION_CHANGES

    moved = changes([o.target for o in outcomes])
    lines = [
        "## Changes",
        "",
        "Kinds of the previous report: *fitted* is now *calibrated*, *held-out* *predicted*, *docking* "
        "*verification*, unless listed here.",
        "",
        "| target | from | to | why |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{n}` | {a} | {b} | {_cell(why)} |" for n, a, b, why in moved]
    names = {o.target.name for o in outcomes}
    criteria = [(n, text) for n, text in CRITERION_CHANGES.items() if n in names]
    if criteria:
        lines += ["", "Criteria changed (the verdict rule, not the kind):", ""]
        lines += [f"- `{n}`: {text}" for n, text in criteria]
    return lines + [""]


def markdown(outcomes: list[Outcome], meta: dict[str, Any], results: Results | None = None) -> str:
    """The report: headline, how to read it, patterns, one table a family with its figure, changes."""
    lines = [
        "# Validation report",
        "",
        f"**{headline(outcomes)}.**",
        "",
        f"Regenerate with `{meta['command']}` ({meta['size_text']}). Package version {meta['version']}.",
        "",
        INTRO,
        "",
    ]
    lines += pattern_lines(outcomes)
    families = list(dict.fromkeys(o.target.family for o in outcomes))
    for family in families:
        rows = [o for o in outcomes if o.target.family == family]
        lines += [f"## {FAMILY_TITLES.get(family, family)}", ""]
        lines += [
            "| target | source | kind (knobs)<br><sub>why</sub> | model, 95 % CI | tolerance (why) | verdict |",
            "|---|---|---|---|---|---|",
        ]
        lines += [_row(o) for o in rows]
        lines += ["", f"![{FAMILY_TITLES.get(family, family)}](figures/validation_{family}.png)", ""]
        if family == "attribution" and results and results.get("attribution"):
            lines += attribution_lines(results["attribution"])
    lines += change_lines(outcomes)
    return "\n".join(lines)


# ---------------------------------------------------------------- attribution (wom_attribution.yaml)
ATTRIBUTION_OUTCOMES = {
    "npv": "discounted profit (NPV)",
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


def _ratio_ci(numerator: list[float], denominator: list[float], percent: bool = False) -> str:
    r, lo, hi = vstats.ratio_ci(np.asarray(numerator), np.asarray(denominator))
    if percent:
        return f"{100 * r:.0f} % [{100 * lo:.0f}, {100 * hi:.0f}]"
    return f"{r:.2g} [{lo:.2g}, {hi:.2g}]"


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
        share = _ratio_ci(col(f"{key}_through_wom"), col(f"{key}_lost_to_failures"), percent=True)
        lines.append(f"| {text} | " + " | ".join(cells) + f" | {share} |")
    lines += [
        "",
        "Share of the year's discounted profit (NPV) lost to bad news (`no_negative_wom` - `as_is`, over the former): "
        f"{_mean_ci([100 * x for x in col('bad_news_profit_share')])} %; of NPV with equity: "
        f"{_mean_ci([100 * x for x in col('bad_news_npv_share')])} %. "
        f"Dissatisfied customers a starting customer over the year: {_mean_ci(col('dissatisfied_per_customer'))}. "
        f"Prospects deterred by bad news: {_mean_ci(col('deterred_acquisitions'))}; customers it drove away: "
        f"{_mean_ci(col('wom_churned'))} (ratio of the means "
        f"{_ratio_ci(col('deterred_acquisitions'), col('wom_churned'))}). Shares and ratios are ratios of the "
        "means over the paired seeds, with a paired bootstrap 95 % CI.",
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
                "criterion": tolerance_text(o.target),
                "verdict": o.verdict,
                "mean": None if math.isnan(o.mean) else o.mean,
                "ci": None if math.isnan(o.mean) else [o.ci_low, o.ci_high],
            }
            for o in outcomes
        },
    }


def regressions(outcomes: list[Outcome], committed: dict[str, Any]) -> list[str]:
    """Targets the committed report marks as met and this run does not meet, one line each.

    Only verdicts under the same criterion are compared; a committed entry judged by another rule
    is left to ``not_compared``.
    """
    marked = committed.get("targets", {})
    out = []
    for o in outcomes:
        entry = marked.get(o.target.name, {})
        if not _comparable(o.target, entry):
            continue
        if entry.get("verdict") == MET and o.verdict != MET:
            out.append(f"{o.target.name}: committed report says met, this run says {o.verdict} ({value_text(o)})")
    return out


def _comparable(t: Target, entry: dict[str, Any]) -> bool:
    """Whether a committed verdict was reached by this target's criterion.

    A report written before criteria were recorded is taken at its word except for the targets
    whose criterion has changed since (``targets.CRITERION_CHANGES``).
    """
    from sim.validate.targets import CRITERION_CHANGES

    if "criterion" in entry:
        return entry["criterion"] == tolerance_text(t)
    return t.name not in CRITERION_CHANGES


def not_compared(outcomes: list[Outcome], committed: dict[str, Any]) -> list[str]:
    """Targets the quick check cannot compare: new, or judged by another criterion in the committed report."""
    marked = committed.get("targets", {})
    out = []
    for o in outcomes:
        entry = marked.get(o.target.name)
        if entry is None:
            out.append(f"{o.target.name}: not in the committed report")
        elif not _comparable(o.target, entry):
            out.append(f"{o.target.name}: the committed report used another criterion (regenerate it)")
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
    if c.mode == "equivalence":
        ax.axvspan(lo, hi, color="grey", alpha=0.3)
    elif math.isinf(lo) or math.isinf(hi):
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
