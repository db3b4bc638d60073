"""The registry of validation targets, their kinds, and how a target is judged.

Each target names the study and metric that measure it, the figure the literature gives with
its source, and one *kind*, decided by what the code does (the rules and configs), not by the
verdict:

- ``verification``: the code does what a rule says (a closed form, a sampler against its own
  distribution, docking with an independent implementation; Rand & Rust 2011, IJRM 28(3));
- ``imposed``: a rule states the target (honest to show, never counted as a prediction);
- ``calibrated``: a knob was fitted to it (the knobs are named);
- ``predicted``: it emerges; no knob was set from it. A predicted target the model misses stays
  missed, with what was learned.

Tolerances come from the target itself, never from the model: a reported range is used as it
stands (met when the model's 95 % CI over seeds meets it); a single reported figure is taken to
its own precision, half a unit of its last digit; a claimed direction is met when the 95 % CI
lies wholly on that side; a claim of no effect (and every docking check) names an equivalence
margin up front and is met by two one-sided tests at 5 % (TOST: both reject); a claim that an
effect is absent on one side ("no paradox") is met by the one-sided test below the margin.
The quick check uses the same rules on its own (smaller) runs, so nothing is loosened by hand.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import yaml
from scipy import stats

from sim.validate import stats as vstats

MET, MISSED, NOT_MEASURABLE = "met", "missed", "not measurable"
INF = math.inf
Kind = Literal["verification", "imposed", "calibrated", "predicted"]
KINDS: tuple[Kind, ...] = ("predicted", "imposed", "calibrated", "verification")
POWER = 0.8  # the power equivalence tests are planned for


@dataclass(frozen=True)
class Criterion:
    """An interval and how the model's values must relate to it.

    ``overlap``: the 95 % CI meets the closed interval ``[low, high]`` (a reported range or a
    figure's own precision). ``within``: the 95 % CI lies inside the open interval
    ``(low, high)`` (a claimed direction, significant at 5 %). ``equivalence``: TOST at 5 %
    against ``(low, high) = (-margin, +margin)``. ``at_most``: the one-sided test at 5 % puts
    the mean below ``high`` (an effect absent on its positive side, within the margin).
    """

    low: float
    high: float
    mode: Literal["overlap", "within", "equivalence", "at_most"] = "overlap"

    def judge(self, ci_low: float, ci_high: float) -> bool:
        """The CI rules (``overlap``, ``within``); the tests are in ``judge`` below."""
        if self.mode == "overlap":
            return ci_high >= self.low and ci_low <= self.high
        if self.mode == "within":
            return ci_low > self.low and ci_high < self.high
        raise ValueError(f"{self.mode}: judged by a test on the values, not by a CI")

    @property
    def margin(self) -> float:
        return self.high


def equivalent(margin: float) -> Criterion:
    """A "no effect" or docking claim: TOST within +/- ``margin``."""
    return Criterion(-margin, margin, "equivalence")


@dataclass(frozen=True)
class Target:
    """One empirical fact the model is checked against."""

    name: str  # a stable id: the committed verdicts are keyed by it
    family: str  # the figure it is drawn in
    claim: str  # the target as the source states it, with its unit
    unit: str  # unit of the model value ("share", "pp", "messages"...)
    source: str  # authors, year, venue
    kind: Kind
    kind_why: str  # why this kind: which rule states it, which knob was fitted, or why it emerges
    study: str  # key of ``studies.STUDIES``
    metric: str  # key in the study's values
    criterion: Criterion
    why: str  # why this tolerance (and, for equivalence, why this margin)
    knobs: tuple[str, ...] = ()  # what was fitted to it (calibrated only)
    scale: float = 1.0  # display factor (100 for percent)
    note: str = ""  # what exactly is measured; `backticked` words are columns or config fields
    ratio_of: tuple[str, str] | None = None  # a ratio of means: (numerator, denominator) metrics
    learned: str = ""  # for a predicted target: what a miss teaches (shown when missed)
    missing: Callable[[], str | None] = field(default=lambda: None)  # reason it cannot be measured yet


@dataclass(frozen=True)
class Outcome:
    """A target judged on its replicate values."""

    target: Target
    values: np.ndarray  # one a seed (NaN-free)
    mean: float
    ci_low: float
    ci_high: float
    verdict: str  # "met", "missed" or "not measurable: <reason>"
    deterministic: bool = False  # one evaluation, or the same value on every seed
    test: str = ""  # the test behind an equivalence verdict, e.g. "TOST p = 0.001"
    seeds_needed: int | None = None  # seeds for power 0.8 at the margin, given the replicate SD


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval over seeds; a single value has a zero-width interval.

    Example:
        >>> m, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
        >>> round(m, 3), round(lo, 3), round(hi, 3)
        (2.0, -0.484, 4.484)
    """
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def judge(
    target: Target,
    values: np.ndarray | None,
    reason: str | None = None,
    pair: tuple[np.ndarray, np.ndarray] | None = None,
) -> Outcome:
    """Mean, 95 % CI and verdict of ``target`` from its per-seed ``values``.

    ``pair`` (numerator and denominator by seed) makes the mean the ratio of the means, with a
    paired bootstrap CI. ``reason`` (or no finite value) makes the verdict "not measurable:
    <reason>"; no number is then reported.
    """
    values = np.empty(0) if values is None else np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if reason is None and len(values) == 0:
        reason = f"the study gave no value for {target.metric}"
    if reason is not None:
        return Outcome(target, values[:0], math.nan, math.nan, math.nan, f"{NOT_MEASURABLE}: {reason}")
    deterministic = len(values) == 1 or bool(np.all(values == values[0]))
    if pair is not None:
        mean, lo, hi = vstats.ratio_ci(*pair)
    else:
        mean, lo, hi = t_interval(values)
    c = target.criterion
    test, needed = "", None
    if c.mode == "equivalence":
        result = vstats.tost(values, c.margin)
        ok = result.met()
        test = f"TOST p = {result.p:.2g}"
        sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        needed = None if deterministic else vstats.seeds_for_power(sd, c.margin, POWER)
    elif c.mode == "at_most":
        p, upper = vstats.one_sided_below(values, c.high)
        ok = p < 0.05
        test = f"one-sided p = {p:.2g}"
    else:
        ok = c.judge(lo, hi)
    return Outcome(target, values, mean, lo, hi, MET if ok else MISSED, deterministic, test, needed)


# ---------------------------------------------------------------- the targets (data: targets.yaml)
DATA = "targets.yaml"  # shipped beside this module
_NAME = re.compile(r"\{([A-Z_]+)\}")


def _needs_eon() -> str | None:
    try:
        import EoN  # noqa: F401
    except ImportError:
        return "EoN is not installed (pip install -e '.[bench]')"
    return None


NEEDS = {"EoN": _needs_eon}  # what a target may need installed to be measured


@functools.cache
def _data() -> dict[str, Any]:
    return yaml.safe_load(resources.files("sim.validate").joinpath(DATA).read_text(encoding="utf-8"))


def _text(value: str) -> str:
    """``value`` with each ``{NAME}`` replaced by the source or phrase of that name."""
    names = _data()["sources"] | _data()["phrases"]
    return _NAME.sub(lambda m: names[m.group(1)], value)


def _criterion(spec: dict[str, Any]) -> tuple[Criterion, str | None]:
    """The criterion a target's ``criterion`` entry names, and the margin's reason when it names one."""
    (mode, arg), = spec.items()
    if mode in ("overlap", "within"):
        return Criterion(float(arg[0]), float(arg[1]), mode), None
    margin = _data()["margins"][arg]
    if mode == "equivalent":
        return equivalent(float(margin["margin"])), margin["why"]
    if mode == "at_most":
        return Criterion(-INF, float(margin["margin"]), "at_most"), margin["why"]
    raise ValueError(f"{DATA}: criterion {mode!r}: must be overlap, within, equivalent or at_most")


def _target(entry: dict[str, Any]) -> Target:
    criterion, margin_why = _criterion(entry["criterion"])
    texts = {k: _text(entry[k]) for k in ("claim", "source", "kind_why", "note", "learned") if k in entry}
    return Target(
        name=entry["name"],
        family=entry["family"],
        unit=entry["unit"],
        kind=entry["kind"],
        knobs=tuple(entry.get("knobs", ())),
        study=entry["study"],
        metric=entry["metric"],
        criterion=criterion,
        why=_text(entry["why"]) if "why" in entry else margin_why,
        scale=float(entry.get("scale", 1.0)),
        ratio_of=tuple(entry["ratio_of"]) if "ratio_of" in entry else None,
        **({"missing": NEEDS[entry["needs"]]} if "needs" in entry else {}),
        **texts,
    )


def _tarp_cells() -> dict[tuple[str, str], float]:
    return {(loss, c): float(share) for loss, row in _data()["tarp"]["cells"].items() for c, share in row.items()}


# TARP's repurchase table (share who would buy again, by problem size and complaint outcome) and
# what each cell was fitted with (sim/conf/tarp_loss, sim/core/config.py); the rest are predicted.
TARP_CELLS = _tarp_cells()
TARP_FITTED = {
    (loss, c): tuple(knobs) for loss, row in _data()["tarp"]["fitted"].items() for c, knobs in row.items()
}


def _tarp_targets() -> list[Target]:
    tarp = _data()["tarp"]
    out = []
    for (loss, condition), share in TARP_CELLS.items():
        knobs = TARP_FITTED.get((loss, condition), ())
        out.append(
            Target(
                name=f"tarp_{loss}_{condition}",
                family="tarp",
                claim=f"{share:.0%} buy again ({loss} loss, {tarp['condition_text'][condition]})",
                unit="share",
                source=_text(tarp["source"]),
                kind="calibrated" if knobs else "predicted",
                kind_why=tarp["kind_why_calibrated"] if knobs else tarp["kind_why_predicted"],
                knobs=knobs,
                study="tarp",
                metric=f"tarp_{loss}_{condition}",
                criterion=Criterion(share - 0.005, share + 0.005),
                why=_text(tarp["why"]),
                scale=100,
                note=tarp["note"],
                learned="" if knobs else tarp["learned_predicted"],
            )
        )
    return out


def registry() -> list[Target]:
    """Every target, in report order (``targets.yaml``; ``tarp_cells`` there stands for TARP's eight cells)."""
    out: list[Target] = []
    for entry in _data()["targets"]:
        out += _tarp_targets() if entry == "tarp_cells" else [_target(entry)]
    return out


# ---------------------------------------------------------------- what changed since the previous report
OLD_NAMES = {"fitted": "calibrated", "held-out": "predicted", "docking": "verification"}
PREVIOUS_KIND: dict[str, str] = _data()["previous_kind"]  # kinds of the previous report: fitted / held-out / docking
REMOVED: dict[str, str] = _data()["removed"]
CRITERION_CHANGES: dict[str, str] = _data()["criterion_changes"]


def changes(targets: list[Target]) -> list[tuple[str, str, str, str]]:
    """(target, from, to, why) for each target whose kind moved, each new one and each removed one."""
    out = []
    for t in targets:
        old = PREVIOUS_KIND.get(t.name)
        if old is None:
            out.append((t.name, "new", t.kind, t.kind_why))
        elif OLD_NAMES[old] != t.kind:
            out.append((t.name, old, t.kind, t.kind_why))
    names = {t.name for t in targets}
    out += [(n, PREVIOUS_KIND[n], "removed", why) for n, why in REMOVED.items() if n not in names]
    return out


# ---------------------------------------------------------------- patterns (pattern-oriented modelling)
@dataclass(frozen=True)
class Pattern:
    name: str
    text: str
    targets: tuple[str, ...]  # empty: no target tests it yet


PATTERNS = tuple(Pattern(p["name"], p["text"], tuple(p["targets"])) for p in _data()["patterns"])


def pattern_status(pattern: Pattern, outcomes: list[Outcome]) -> str:
    """Whether the pattern emerges (its predicted targets met), is missed, or is imposed or calibrated only."""
    rows = [o for o in outcomes if o.target.name in pattern.targets]
    if not rows:
        return "not tested"
    predicted = [o for o in rows if o.target.kind == "predicted"]
    if predicted:
        met = sum(o.verdict == MET for o in predicted)
        return "emerges" if met == len(predicted) else f"predicted, missed ({met} of {len(predicted)} met)"
    kinds = sorted({o.target.kind for o in rows}, key=KINDS.index)
    return " and ".join(kinds) + " only"
