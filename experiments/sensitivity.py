"""Global sensitivity of what word of mouth costs and what recovery keeps, with SALib (Sobol or Morris).

    python -m experiments.sensitivity --list
    python -m experiments.sensitivity --n 32 --seeds 2 --out multirun/sobol --report docs/sensitivity.md customers=2000

Each sample point runs four arms on each of ``--seeds`` seeds (the same seeds 0..R-1 at every
point): as configured (policy ``full`` by default), ``counterfactual=no_negative_wom``,
``counterfactual=no_failures`` and ``policy=none``. The outputs (``OUTPUTS``) are computed per
seed from the paired arms, then averaged over the seeds; with two seeds or more, the spread
between seeds at the same point measures the seed noise (``noise_share``). Every run is an
ordinary run folder (``sample=K/seed=S/arm=A``) with a manifest; finished runs are skipped on a
rerun into the same ``--out``. Writes ``indices.csv``, ``indices.md``, ``outputs.csv`` and
``indices.png``/``.svg``, and with ``--report`` the Markdown report and its figure.

The factors and their ranges are the table ``FACTORS`` below, checked against
``sim/core/config.py`` at startup: edit it when the core's settings change.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import subprocess
import sys
import time
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from omegaconf import DictConfig, OmegaConf, open_dict, read_write  # noqa: E402

from analysis.figures import save  # noqa: E402
from sim.core.config import ConfigError, SimConfig  # noqa: E402
from sim.run.plan import Job  # noqa: E402
from sim.run.results import SUMMARY, atomic_write_bytes  # noqa: E402
from sim.run.sweep import SweepFailed, git_commit, pending, run_jobs  # noqa: E402

# ---------------------------------------------------------------------------------------------
# The factors: setting -> (low, high, why). Varied uniformly between low and high. A name is a
# field of sim/core/config.py (ints are rounded), or a key of DERIVED (a reparametrisation
# that sets several fields). Ranges sit inside each field's metadata["range"] and around the
# default: half to double where that makes sense; see "why".
FACTORS: dict[str, tuple[float, float, str]] = {
    # Named in issue 17 (each moves the bad-news share one at a time).
    "market.share": (0.1, 0.5, "default 0.25 (assumption): a market 10x to 2x the firm's customers"),
    "loyalty.half_life_days": (30.0, 180.0, "default 90 (assumption): a month to half a year, double"),
    "loyalty.initial_mean": (0.94, 0.985, "default 0.97 (fitted to TARP's 95 %): 1 - mean halved or doubled"),
    "loyalty.purchase_interval_days": (15.0, 60.0, "default 30: half to double"),
    "wom.retention_share": (0.1, 0.5, "default 0.25 (East et al.: deterrence > 4x erosion, our reading)"),
    "recovery.terrorist_prob": (0.25, 1.0, "default 0.5 (assumption): half to double"),
    "wom.terrorist_tell_multiplier": (1.5, 6.0, "default 3 (assumption): half to double"),
    "wom.terrorist_daily_tell_prob": (0.05, 0.2, "default 0.1 (assumption): half to double"),
    "recovery.repair_convexity": (2.66, 10.64, "default 5.32 (fitted to TARP's small-loss row): half to double"),
    "recovery.w_outcome": (0.35, 0.65, "default 0.5 (assumption): outcome justice's weight, +/- 0.15"),
    "recovery.interactional_share": (0.45, 0.75, "default 0.6: interactional's share of the weight outcome leaves"),
    # Every other model figure sim/core/config.py marks as an assumption (Bitner cause lists,
    # the storm, the non-default diffusion processes and the economics left out: see the report).
    "network.mean_degree": (15.0, 60.0, "default 30 (assumption): half to double"),
    "network.community_size": (20, 80, "default 40 (assumption): half to double"),
    "network.between_share": (0.125, 0.5, "default 0.25 weak ties (assumption): half to double"),
    "failure.rate": (0.02, 0.08, "default 0.04 (assumption): half to double"),
    "wom.positive_retention": (0.025, 0.1, "default 0.05 (assumption): half to double"),
    "wom.forward_prob": (0.025, 0.1, "default 0.05 (assumption): half to double"),
    "wom.online_post_prob": (0.025, 0.1, "default 0.05 (assumption): half to double"),
    "satisfaction.initial_mean": (0.7, 0.9, "default 0.8 (assumption): +/- 0.1 around the praise threshold 0.7"),
    # The settings of the decision-grade and network cores (assumptions, or a form sourced and a
    # value assumed).
    "market.concentration": (1.0, 16.0, "default 4 (assumption): a quarter to four times"),
    "network.weak_tie": (0.1, 0.5, "default 0.25 (assumption, below strong = 1): from 0.1 to 0.5"),
    "loyalty.churn_sensitivity": (1.79, 7.17, "default 3.58 (Jones & Sasser, our reading): half to double"),
    "acquisition.win_back": (0.5, 2.0, "default 1 (assumption): half to double"),
    "recovery.paradox_max_severity": (0.2, 0.8, "default 0.4 (assumption): half to double"),
    "recovery.outcome_fix_share": (0.15, 0.6, "default 0.3 (assumption): half to double"),
    "recovery.repair_linear_share": (0.15, 0.6, "default 0.3 (assumption): half to double"),
}

# Reparametrised factors: name -> (the fields it sets, how). The three justice weights must sum
# to 1: outcome's weight is a factor of its own, and this one splits the rest (stick-breaking),
# so both vary independently and every sample point is a valid config.
DERIVED: dict[str, tuple[str, ...]] = {
    "recovery.interactional_share": ("recovery.w_interactional", "recovery.w_procedural"),
}
DERIVED_DEFAULTS = {"recovery.interactional_share": 0.6}  # 0.3 / (0.3 + 0.2)


def derived_values(values: dict[str, float]) -> dict[str, float]:
    """Config fields of one sample point: derived factors turned into the fields they set."""
    out = {k: v for k, v in values.items() if k not in DERIVED}
    if "recovery.interactional_share" in values:
        w_outcome = out.get("recovery.w_outcome", 0.5)
        share = values["recovery.interactional_share"]
        out["recovery.w_interactional"] = (1.0 - w_outcome) * share
        out["recovery.w_procedural"] = 1.0 - w_outcome - out["recovery.w_interactional"]
    elif "recovery.w_outcome" in out:  # outcome varied alone: the other two keep their 3:2 split
        out["recovery.w_interactional"] = (1.0 - out["recovery.w_outcome"]) * 0.6
        out["recovery.w_procedural"] = 1.0 - out["recovery.w_outcome"] - out["recovery.w_interactional"]
    return out


# The four arms of each sample point and seed: overrides composed on top of the base config.
# The fields an arm changes (failure.rate = 0 in no_failures) stay as the arm sets them.
ARMS: dict[str, list[str]] = {
    "as_is": ["+counterfactual=as_is"],
    "no_negative_wom": ["+counterfactual=no_negative_wom"],
    "no_failures": ["+counterfactual=no_failures"],
    "policy_none": ["policy=none"],
}
SUMMARY_KEYS = ("npv", "npv_with_equity", "customers_end")
OUTPUTS: dict[str, str] = {
    "bad_news_share_npv": "share of NPV lost to negative word of mouth: (npv[no_negative_wom] - npv[as is]) "
    "/ npv[no_negative_wom]",
    "bad_news_share_npv_equity": "the same with NPV with customer equity (npv_with_equity)",
    "wom_share_of_failure_loss": "share of what failures cost (npv_with_equity) that goes through word of mouth: "
    "(no_negative_wom - as is) / (no_failures - as is)",
    "customers_kept_by_policy": "customers at the end, the configured policy (full) minus none",
    "npv_gain_of_policy": "NPV (one year, discounted), the configured policy (full) minus none",
}
METHODS = ("morris", "sobol")
CONF_LEVEL = 0.95
DESIGN_N = 32  # the full study: N = 32 base samples, 2 seeds (about 24 min on 2 idle cores)


@dataclass
class Factor:
    name: str
    low: float
    high: float
    default: float
    integer: bool
    why: str


def _field(name: str) -> dataclasses.Field | None:
    """The dataclass field of sim/core/config.py a dotted name points at, or None."""
    obj: Any = SimConfig
    parts = name.split(".")
    for i, part in enumerate(parts):
        fields = {f.name: f for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj) else {}
        if part not in fields:
            return None
        f = fields[part]
        if i == len(parts) - 1:
            return f
        obj = typing.get_type_hints(obj)[part]
    return None


def _default(name: str) -> Any:
    value: Any = SimConfig()
    for part in name.split("."):
        value = getattr(value, part)
    return value


def factors(table: dict[str, tuple[float, float, str]] | None = None) -> list[Factor]:
    """The factor table checked against the config; a bad row raises ``ConfigError`` naming it."""
    table = FACTORS if table is None else table
    out = []
    for name, row in table.items():
        if len(row) != 3:
            raise ConfigError(f"sensitivity factor {name}: must be (low, high, why)")
        low, high, why = row
        if not low < high:
            raise ConfigError(f"sensitivity factor {name}: low {low} must be below high {high}")
        if name in DERIVED:
            for target in DERIVED[name]:
                if _field(target) is None:
                    raise ConfigError(f"sensitivity factor {name}: sets {target}, not a setting of sim/core/config.py")
            if not 0.0 <= low < high <= 1.0:
                raise ConfigError(f"sensitivity factor {name} = [{low}, {high}]: must lie in [0, 1]")
            out.append(Factor(name, float(low), float(high), DERIVED_DEFAULTS[name], False, why))
            continue
        f = _field(name)
        if f is None:
            raise ConfigError(f"sensitivity factor {name}: not a setting of sim/core/config.py")
        bounds = f.metadata.get("range")
        default = _default(name)
        if bounds is None or isinstance(default, bool) or not isinstance(default, int | float):
            raise ConfigError(f"sensitivity factor {name}: not a numeric setting with a range")
        if not (bounds[0] <= low and high <= bounds[1]):
            raise ConfigError(
                f"sensitivity factor {name} = [{low}, {high}]: outside the allowed [{bounds[0]:g}, {bounds[1]:g}]"
            )
        if not low <= default <= high:
            raise ConfigError(f"sensitivity factor {name} = [{low}, {high}]: does not contain the default {default}")
        out.append(Factor(name, float(low), float(high), float(default), isinstance(default, int), why))
    return out


def problem(fs: list[Factor]) -> dict:
    return {"num_vars": len(fs), "names": [f.name for f in fs], "bounds": [[f.low, f.high] for f in fs]}


def sample(method: str, n: int, fs: list[Factor], seed: int = 0) -> np.ndarray:
    """Morris trajectories (n * (D + 1) points) or Saltelli/Sobol points (n * (D + 2), first order and total)."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(fs), N=n, num_levels=4, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem(fs), n, calc_second_order=False, scramble=True, seed=seed)


def point_values(point: np.ndarray, fs: list[Factor]) -> dict[str, float | int]:
    """The config fields one sample point sets (ints rounded, derived factors expanded)."""
    raw = {f.name: (round(float(v)) if f.integer else float(v)) for f, v in zip(fs, point, strict=True)}
    return derived_values(raw)


# ---------------------------------------------------------------------------------------------
# Runs


@dataclass
class PointJob(Job):
    """A run of a sample point: the arm's template with the point's values and the seed set on a copy."""

    values: dict | None = None
    pinned: tuple = ()

    def configs(self) -> tuple[DictConfig, DictConfig]:
        task, hydra_node = super().configs()
        with read_write(task), open_dict(task):
            for name, value in (self.values or {}).items():
                if name not in self.pinned:
                    OmegaConf.update(task, name, value, merge=False)
        return task, hydra_node


def compose_arms(overrides: list[str]) -> dict[str, DictConfig]:
    """The base config composed once per arm (with its ``hydra`` node)."""
    from sim.run.plan import compose

    return {arm: compose(*overrides, *extra, hydra_node=True, job_name="sensitivity") for arm, extra in ARMS.items()}


def _leaves(cfg: DictConfig, prefix: str = "") -> dict[str, Any]:
    out = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, DictConfig):
            out.update(_leaves(value, name + "."))
        else:
            out[name] = value
    return out


def jobs_for(points: np.ndarray, fs: list[Factor], seeds: int, overrides: list[str], out_dir: Path) -> list[PointJob]:
    """One run folder per sample point, seed and arm: ``sample=K/seed=S/arm=A``."""
    arms = compose_arms([*overrides, "progress=false"])
    reference = _leaves(OmegaConf.masked_copy(arms["as_is"], [k for k in arms["as_is"] if k != "hydra"]))
    pinned = {}
    for arm, cfg in arms.items():
        leaves = _leaves(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]))
        pinned[arm] = tuple(k for k, v in leaves.items() if reference.get(k) != v)
    jobs, num = [], 0
    for k, point in enumerate(points):
        values = point_values(point, fs)
        for seed in range(seeds):
            for arm, cfg in arms.items():
                sets = [f"{name}={value!r}" for name, value in values.items() if name not in pinned[arm]]
                job_overrides = [*overrides, *ARMS[arm], *sets, f"seed={seed}"]
                out = out_dir / f"sample={k}" / f"seed={seed}" / f"arm={arm}"
                jobs.append(PointJob(num, job_overrides, out, cfg, seed=seed, values=values, pinned=pinned[arm]))
                num += 1
    return jobs


def read_runs(jobs: list[PointJob], out_dir: Path) -> pd.DataFrame:
    """One row a run: sample, seed, arm and the summary figures the outputs need."""
    rows = []
    for job in jobs:
        rel = job.out_dir.relative_to(out_dir).parts
        summary = json.loads((job.out_dir / SUMMARY).read_text())
        rows.append(
            {
                "sample": int(rel[0].split("=")[1]),
                "seed": int(job.seed),
                "arm": rel[2].split("=")[1],
                **{k: summary[k] for k in SUMMARY_KEYS},
            }
        )
    return pd.DataFrame(rows)


def outputs_per_seed(runs: pd.DataFrame) -> pd.DataFrame:
    """The outputs of each sample point and seed, from its four paired arms (index: sample, seed)."""
    wide = runs.pivot_table(index=["sample", "seed"], columns="arm", values=list(SUMMARY_KEYS), aggfunc="first")
    missing = [a for a in ARMS if ("npv", a) not in wide.columns]
    if missing:
        raise ValueError(f"arm: runs missing for {', '.join(missing)}")

    def v(key: str, arm: str) -> pd.Series:
        return wide[(key, arm)].astype(float)

    out = pd.DataFrame(index=wide.index)
    out["bad_news_share_npv"] = (v("npv", "no_negative_wom") - v("npv", "as_is")) / v("npv", "no_negative_wom")
    eq_silent, eq = v("npv_with_equity", "no_negative_wom"), v("npv_with_equity", "as_is")
    out["bad_news_share_npv_equity"] = (eq_silent - eq) / eq_silent
    out["wom_share_of_failure_loss"] = (eq_silent - eq) / (v("npv_with_equity", "no_failures") - eq)
    out["customers_kept_by_policy"] = v("customers_end", "as_is") - v("customers_end", "policy_none")
    out["npv_gain_of_policy"] = v("npv", "as_is") - v("npv", "policy_none")
    return out[list(OUTPUTS)]


def outputs_per_point(per_seed: pd.DataFrame) -> pd.DataFrame:
    """The mean over seeds at each sample point (index: sample, in order)."""
    return per_seed.groupby(level="sample").mean().sort_index()


def noise_share(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Seed noise per output: the within-point variance of the mean over R seeds against the outputs' variance.

    ``within_sd``: the standard deviation between seeds at the same point (pooled over all points);
    ``share``: (within variance / R) / variance of the R-seed means across the sample, the part of
    the variance the indices are computed from that is seed noise. Needs R >= 2.
    """
    seeds = per_seed.groupby(level="sample").size()
    rows = []
    means = outputs_per_point(per_seed)
    for output in per_seed.columns:
        r = int(seeds.min())
        if r < 2:
            rows.append({"output": output, "seeds": r, "within_sd": np.nan, "total_sd": means[output].std(),
                         "share": np.nan})
            continue
        within = per_seed[output].groupby(level="sample").var(ddof=1).mean()
        total = means[output].var(ddof=1)
        rows.append({"output": output, "seeds": r, "within_sd": float(np.sqrt(within)),
                     "total_sd": float(np.sqrt(total)), "share": float(within / r / total) if total > 0 else np.nan})
    return pd.DataFrame(rows)


def analyse(method: str, points: np.ndarray, outputs: pd.DataFrame, fs: list[Factor], seed: int = 0) -> pd.DataFrame:
    """Indices per output and factor: Morris mu*, sigma; Sobol S1, ST; each with its 95 % CI half-width."""
    rows = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(dtype=float)
        if method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem(fs), points, y, num_levels=4, seed=seed, conf_level=CONF_LEVEL)
            for i, f in enumerate(fs):
                rows.append({"output": output, "factor": f.name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "mu": res["mu"][i], "sigma": res["sigma"][i]})
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(problem(fs), y, calc_second_order=False, seed=seed, conf_level=CONF_LEVEL)
            for i, f in enumerate(fs):
                rows.append({"output": output, "factor": f.name, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Tables, figure and report


def bar_chart(indices: pd.DataFrame, method: str, stem: Path, title: str = "") -> list[Path]:
    value, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    outputs = list(indices["output"].unique())
    n_factors = indices["factor"].nunique()
    cols = min(len(outputs), 3)
    rows = -(-len(outputs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.8 * cols, rows * (0.8 + 0.28 * n_factors)), squeeze=False)
    for ax in axes.flat[len(outputs):]:
        ax.axis("off")
    for ax, output in zip(axes.flat, outputs, strict=False):
        part = indices[indices["output"] == output].sort_values(value)
        y = np.arange(len(part))
        if method == "sobol":
            ax.barh(y - 0.2, part[value], height=0.4, xerr=part[conf], color="C0", label="total ST", capsize=2)
            ax.barh(y + 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="C1", label="first order S1",
                    capsize=2)
            ax.axvline(0, color="k", lw=0.5)
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.barh(y, part[value], xerr=part[conf], color="C0", capsize=2)
        ax.set_yticks(y, part["factor"], fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("Morris mu* (95 % CI)" if method == "morris" else "Sobol index (95 % CI)")
    fig.suptitle(title or f"Sensitivity ({method})")
    fig.tight_layout()
    return save(fig, stem)


def _ci(row: pd.Series, key: str) -> str:
    return f"{row[key]:.2f} [{row[key] - row[key + '_conf']:.2f}, {row[key] + row[key + '_conf']:.2f}]"


def markdown(indices: pd.DataFrame, method: str) -> str:
    lines = []
    for output, part in indices.groupby("output", sort=False):
        if method == "sobol":
            lines += [f"### {output}", "", "| factor | ST (95 % CI) | S1 (95 % CI) |", "|---|---|---|"]
            for _, row in part.sort_values("ST", ascending=False).iterrows():
                lines.append(f"| `{row['factor']}` | {_ci(row, 'ST')} | {_ci(row, 'S1')} |")
        else:
            cols = ["mu_star", "mu_star_conf", "mu", "sigma"]
            lines += [f"### {output}", "", "| factor | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
            for _, row in part.sort_values("mu_star", ascending=False).iterrows():
                lines.append(f"| `{row['factor']}` | " + " | ".join(f"{row[c]:.4g}" for c in cols) + " |")
        lines.append("")
    return "\n".join(lines)


def factor_table(fs: list[Factor]) -> str:
    lines = ["| factor | default | low | high | why |", "|---|---|---|---|---|"]
    for f in fs:
        fmt = "{:d}" if f.integer else "{:g}"
        cells = [fmt.format(int(x) if f.integer else x) for x in (f.default, f.low, f.high)]
        lines.append(f"| `{f.name}` | " + " | ".join(cells) + f" | {f.why} |")
    return "\n".join(lines)


def core_commit() -> str:
    """The last commit that touched the model core (``sim/core``), and HEAD, for the report's label."""
    root = Path(__file__).resolve().parent.parent
    try:
        core = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %cs", "--", "sim/core"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return core


def _fmt(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def report(
    indices: pd.DataFrame, per_point: pd.DataFrame, noise: pd.DataFrame, fs: list[Factor], meta: dict, figure: Path,
    path: Path,
) -> str:
    """The Markdown report: what was varied, the indices per output sorted by ST, noise and convergence."""
    rel_fig = os.path.relpath(figure, path.parent)
    lines = [
        "# Global sensitivity: which assumptions move what word of mouth costs",
        "",
        "Generated by `experiments/sensitivity.py`; do not edit by hand. Regenerate with",
        "",
        "```bash",
        meta["command"],
        "```",
        "",
        f"**Model core:** commit {meta['core_commit'] or 'unknown'} (the last commit touching `sim/core`; "
        f"run from {meta['git_commit'] or 'an unknown checkout'}). The indices belong to that core: "
        "regenerate this report after the core changes.",
        "",
        f"**Size:** {meta['method']} with N = {meta['n']} base samples, {len(fs)} factors: "
        f"{meta['points']:,} sample points x {meta['seeds']} seeds x {len(ARMS)} arms = **{meta['runs']:,} runs** "
        f"of {meta['customers']:,} customers over {meta['days']} days. Wall time {meta['wall_minutes']:.1f} min "
        f"on {meta['cores']} cores (load average {meta['load']} at the start; the machine was shared).",
        "",
        "## What is computed",
        "",
        "Each sample point runs four arms on each seed, paired (same seed, so the same customers and network at "
        "the start): as configured (policy `full`), `counterfactual=no_negative_wom` (every negative message "
        "silenced), `counterfactual=no_failures` and `policy=none`. Per seed:",
        "",
    ]
    lines += [f"- `{k}`: {v};" for k, v in OUTPUTS.items()]
    lines += [
        "",
        "as in the attribution study (`sim/validate/studies.py`, `bad_news_npv_share`, "
        "`wom_share_of_failure_loss`): shares are of the counterfactual, the loss over what the firm would have "
        "had without it. The outputs are averaged over the seeds at each point, and Sobol indices (Saltelli "
        "sampling with scrambled Sobol sequences, Jansen estimators, SALib) are computed from those means: "
        "first order S1 (the share of the output's variance a factor explains alone) and total ST (alone and in "
        "every interaction). 95 % CIs are SALib's bootstrap over the sample (1,000 resamples).",
        "",
        "**Seeds.** Every point uses the same seeds 0..R-1 (common random numbers across points), so the "
        "function analysed is deterministic and the seed noise that remains shows up as roughness, not as a "
        "separate unexplained share. Its size is measured from the spread between seeds at the same point, "
        "pooled over all points (table below): `noise share` is the variance of an R-seed mean due to seeds "
        "over the variance of the outputs across the sample. Where it is large, the indices of that output "
        "are partly noise: spurious ST spread over many factors, S1 summing well below 1. The arms of a seed "
        "share the starting market and every random draw their settings do not touch (the core keys each draw "
        "to seed, purpose, person and day), so the paired outputs (c and d) carry little seed noise.",
        "",
        "## Factors and ranges",
        "",
        "Uniform over each range; integers rounded. The three justice weights must sum to 1: "
        "`recovery.w_outcome` is varied, and `recovery.interactional_share` splits the rest "
        "(`w_interactional = (1 - w_outcome) x share`, `w_procedural` the remainder; stick-breaking, so both "
        "factors are independent and every point is valid; at the defaults 0.5 / 0.3 / 0.2). Left out: the "
        "Bitner cause lists (lists of three), the storm (off in the baseline), the settings of the non-default "
        "diffusion processes, and the economics (a firm's own figures, not model assumptions). Dropped to "
        "make room for the settings of the current core within half an hour on 2 cores: "
        "`failure.learning_rate`, `complaint.severity_elasticity`, `wom.tells_per_day`, "
        "`wom.terrorist_post_prob` (assumptions not ranked here).",
        "",
        factor_table(fs),
        "",
        "## Seed noise and convergence",
        "",
        "| output | mean | sd across points | sd between seeds at a point | noise share | ST CI half-width: mean, max "
        "| sum of S1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, row in noise.iterrows():
        part = indices[indices.output == row.output]
        share = "n/a (one seed)" if np.isnan(row.share) else f"{row.share:.0%}"
        within = "n/a" if np.isnan(row.within_sd) else _fmt(row.within_sd)
        lines.append(
            f"| `{row.output}` | {_fmt(per_point[row.output].mean())} | {_fmt(row.total_sd)} | {within} | {share} "
            f"| {part.ST_conf.mean():.2f}, {part.ST_conf.max():.2f} | {part.S1.sum():.2f} |"
        )
    lines += ["", meta.get("convergence_note", ""), ""]
    if meta["n"] < DESIGN_N:
        lines += [
            f"**A small run.** N = {meta['n']} is below the study's design size (N = {DESIGN_N}, 2 seeds: "
            f"{DESIGN_N * (len(fs) + 2) * 2 * len(ARMS):,} runs, about 24 min on 2 idle cores at 0.22 s a run). "
            "The indices below are not converged: read the ranking of the leading factors only, and the exact "
            "zeros (next paragraph), which do not depend on N.",
            "",
        ]
    inert = []
    for output, part in indices.groupby("output", sort=False):
        zero = part[(part.ST == 0) & (part.S1 == 0)].factor.tolist()
        if zero:
            inert.append(f"`{output}`: " + ", ".join(f"`{z}`" for z in zero))
    if inert:
        lines += [
            "**Exact zeros.** These factors do not change the output at all (every run identical with and "
            "without them): under the configured policy (`full`: apology, fix at first contact, no delay) no "
            "complainant meets a worst-case recovery, so the terrorist settings only act in the `policy=none` "
            "arm, and interactional and procedural justice are both at their maximum, so how the weight "
            "outcome leaves is split between them cannot matter. " + "; ".join(inert) + ".",
            "",
        ]
    lines += ["## Indices", "", f"![Sobol indices]({rel_fig})", ""]
    top = []
    for output, part in indices.groupby("output", sort=False):
        best = part.sort_values("ST", ascending=False).head(3)
        top.append(f"- `{output}`: " + ", ".join(f"`{r.factor}` (ST {r.ST:.2f} +/- {r.ST_conf:.2f})"
                                                   for r in best.itertuples()))
    lines += ["Largest total indices per output:", "", *top, "", markdown(indices, "sobol")]
    return "\n".join(lines).rstrip() + "\n"


def convergence_note(indices: pd.DataFrame, noise: pd.DataFrame) -> str:
    widths = indices.ST_conf.mean()
    noisy = [r.output for r in noise.itertuples() if not np.isnan(r.share) and r.share > 0.25]
    text = (f"Convergence: the mean 95 % CI half-width of ST is {widths:.2f} over all outputs and factors. "
            "Factors whose ST interval reaches below about that width are not distinguishable from zero "
            "at this N; the ranking among the leading factors is what this run supports, not the second decimal.")
    if noisy:
        text += (" Seed noise is a large share of the variance of " + ", ".join(f"`{o}`" for o in noisy)
                 + ": read those indices as an upper bound on each factor's share, with the rest of the signal "
                 "below the noise at this market size.")
    return text


# ---------------------------------------------------------------------------------------------
# The study


def study(
    method: str,
    n: int,
    overrides: list[str],
    out_dir: Path,
    seeds: int = 2,
    n_jobs: int = -1,
    progress: bool = True,
    table: dict | None = None,
    report_path: Path | None = None,
    command: str = "",
) -> dict[str, Path]:
    """Sample, run (skipping finished runs), analyse and draw; returns the paths written."""
    if method not in METHODS:
        raise ConfigError(f"--method = {method!r}: must be one of {', '.join(METHODS)}")
    if seeds < 1:
        raise ConfigError(f"--seeds = {seeds}: must be at least 1")
    fs = factors(table)
    out_dir = Path(out_dir).absolute()
    points = sample(method, n, fs)
    jobs = jobs_for(points, fs, seeds, list(overrides), out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = pending(out_dir, jobs)
    print(f"[sensitivity] {method}: {len(points)} points x {seeds} seeds x {len(ARMS)} arms = {len(jobs)} runs, "
          f"{len(todo)} to run into {out_dir}", file=sys.stderr, flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.time()
    if todo:
        run_jobs(out_dir, todo, n_jobs, progress, git_commit())
    timing_file = out_dir / "timing.json"
    timing = json.loads(timing_file.read_text()) if timing_file.is_file() else {"seconds": 0.0, "load": load}
    timing["seconds"] += time.time() - started if todo else 0.0
    atomic_write_bytes(timing_file, json.dumps(timing).encode())

    runs = read_runs(jobs, out_dir)
    per_seed = outputs_per_seed(runs)
    per_point = outputs_per_point(per_seed)
    indices = analyse(method, points, per_point, fs)
    noise = noise_share(per_seed)
    written: dict[str, Path] = {}
    files = {
        "indices.csv": indices.to_csv(index=False),
        "indices.md": markdown(indices, method),
        "outputs.csv": per_seed.reset_index().to_csv(index=False),
        "noise.csv": noise.to_csv(index=False),
    }
    for name, data in files.items():
        atomic_write_bytes(out_dir / name, data.encode())
        written[name] = out_dir / name
    title = f"Sensitivity of what word of mouth costs and what recovery keeps ({method}, N = {n}, {seeds} seeds)"
    for path in bar_chart(indices, method, out_dir / "indices", title):
        written[path.name] = path
    if report_path is not None:
        if method != "sobol":
            raise ConfigError("--report: written for --method sobol only")
        report_path = Path(report_path)
        figure = report_path.parent / "figures" / f"sensitivity_{method}.png"
        figure.parent.mkdir(parents=True, exist_ok=True)
        bar_chart(indices, method, figure.with_suffix(""), title)
        figure.with_suffix(".svg").unlink(missing_ok=True)  # the report links the PNG only
        cfg = arms_meta(jobs)
        meta = {
            "command": command or "python -m experiments.sensitivity",
            "core_commit": core_commit(),
            "git_commit": git_commit(),
            "method": method,
            "n": n,
            "seeds": seeds,
            "points": len(points),
            "runs": len(jobs),
            "customers": cfg["customers"],
            "days": cfg["days"],
            "wall_minutes": timing["seconds"] / 60,
            "cores": n_jobs if n_jobs > 0 else os.cpu_count(),
            "load": timing["load"],
            "convergence_note": convergence_note(indices, noise),
        }
        text = report(indices, per_point, noise, fs, meta, figure, report_path)
        atomic_write_bytes(report_path, text.encode())
        written["report"], written["figure"] = report_path, figure
    return written


def arms_meta(jobs: list[PointJob]) -> dict[str, Any]:
    cfg = jobs[0].template
    return {"customers": int(cfg.customers), "days": int(cfg.days)}


def list_factors(fs: list[Factor]) -> str:
    width = max(len(f.name) for f in fs)
    lines = [f"{'factor':<{width}}  {'default':>8}  {'low':>8}  {'high':>8}  why"]
    for f in fs:
        lines.append(f"{f.name:<{width}}  {f.default:>8g}  {f.low:>8g}  {f.high:>8g}  {f.why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.sensitivity", description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="sobol", help="sobol (variance shares, default) or morris (screening)")
    parser.add_argument("--n", type=int, default=32, help="Sobol base samples (a power of two) or Morris trajectories")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per sample point, averaged (default 2)")
    parser.add_argument("--out", type=Path, default=Path("multirun/sensitivity"), help="folder of the runs and tables")
    parser.add_argument("--report", type=Path, default=None, help="write the Markdown report here (and its figure)")
    parser.add_argument("--jobs", type=int, default=-1, help="worker processes (default: all cores)")
    parser.add_argument("--list", action="store_true", help="print the factors and their ranges, and exit")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("overrides", nargs="*", help="base config overrides, e.g. customers=2000 days=365")
    args = parser.parse_intermixed_args(argv)
    if not args.list:
        from sim.run.cli import require

        require("SALib", "sweep", "python -m experiments.sensitivity")
    try:
        fs = factors()
        if args.list:
            print(list_factors(fs))
            return 0
        command = shlex.join(["python", "-m", "experiments.sensitivity", *(sys.argv[1:] if argv is None else argv)])
        written = study(args.method, args.n, args.overrides, args.out, args.seeds, args.jobs, not args.no_progress,
                        report_path=args.report, command=command)
    except (ConfigError, SweepFailed, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(written["indices.md"].read_text())
    return 0


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: workers unpickle ``PointJob`` by its module name.
    from experiments.sensitivity import main as sensitivity_main

    sys.exit(sensitivity_main())
