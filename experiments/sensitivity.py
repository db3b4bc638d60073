"""Global sensitivity of churn and profit to the model's main rates, with SALib (Morris or Sobol).

    python -m experiments.sensitivity --method morris --n 20 [OVERRIDES...]
    python -m experiments.sensitivity --method sobol --n 64 customers=2000

Every sample point is an ordinary run folder (``sample=K``) with the base config plus that
point's values, all on the same seed (common random numbers: points differ by their rates, not
by their customers or network). Finished points are skipped on a rerun into the same ``--out``.
Writes ``indices.csv``, ``indices.md`` and ``indices.png``/``.svg`` (a bar chart per output).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from omegaconf import OmegaConf, open_dict, read_write  # noqa: E402

from analysis.figures import save  # noqa: E402
from sim.core.config import ConfigError  # noqa: E402
from sim.run.results import SUMMARY, atomic_write_bytes  # noqa: E402
from sim.run.sweep import Job, SweepFailed, git_commit, pending, run_jobs  # noqa: E402

# The main rates and the ranges they are varied over (around the defaults in sim/core/config.py).
FACTORS = {
    "failure.rate": (0.02, 0.08),  # default 0.04 (assumption)
    "complaint.base_share": (0.04, 0.50),  # course 5-10 %, front-line complaining about half (Goodman 2005)
    "wom.negative_mean": (3.0, 24.0),  # course ~12, TARP 9-10
    "wom.negative_effect": (0.05, 0.40),  # default 0.2 (East, Hammond & Lomax 2008, our reading)
    "wom.online_post_prob": (0.0, 0.20),  # default 0.05 (assumption)
    "wom.forward_prob": (0.0, 0.20),  # default 0.05 (assumption)
    "loyalty.failure_impact": (0.5, 1.0),  # default 1.0: "100 - 1 = 0"
}
OUTPUTS = ("churn_rate", "profit")
METHODS = ("morris", "sobol")


def problem(factors: dict[str, tuple[float, float]]) -> dict:
    return {"num_vars": len(factors), "names": list(factors), "bounds": [list(b) for b in factors.values()]}


def sample(method: str, n: int, factors: dict[str, tuple[float, float]], seed: int = 0) -> np.ndarray:
    """Morris trajectories (n * (D + 1) points) or Saltelli/Sobol points (n * (D + 2), first order and total)."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(factors), N=n, num_levels=4, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem(factors), n, calc_second_order=False, seed=seed)


def analyse(method: str, points: np.ndarray, outputs: pd.DataFrame, factors: dict, seed: int = 0) -> pd.DataFrame:
    """Indices per output and factor: Morris mu*, sigma; Sobol S1, ST; each with its 95 % CI half-width."""
    rows = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(dtype=float)
        if method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem(factors), points, y, num_levels=4, seed=seed)
            for i, name in enumerate(factors):
                rows.append(
                    {
                        "output": output,
                        "factor": name,
                        "mu_star": res["mu_star"][i],
                        "mu_star_conf": res["mu_star_conf"][i],
                        "mu": res["mu"][i],
                        "sigma": res["sigma"][i],
                    }
                )
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(problem(factors), y, calc_second_order=False, seed=seed)
            for i, name in enumerate(factors):
                rows.append(
                    {
                        "output": output,
                        "factor": name,
                        "S1": res["S1"][i],
                        "S1_conf": res["S1_conf"][i],
                        "ST": res["ST"][i],
                        "ST_conf": res["ST_conf"][i],
                    }
                )
    return pd.DataFrame(rows)


def jobs_for(points: np.ndarray, factors: dict, overrides: list[str], out_dir: Path) -> list[Job]:
    """One run folder a sample point: the composed base config with the point's values set."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.core.presets import CONF_DIR
    from sim.run.schema import register

    register()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3", job_name="sensitivity"):
        base = compose("config", overrides=overrides, return_hydra_config=True)
    GlobalHydra.instance().clear()
    jobs = []
    for k, point in enumerate(points):
        template = copy.deepcopy(base)
        values = [f"{name}={float(v)!r}" for name, v in zip(factors, point, strict=True)]
        with read_write(template), open_dict(template):
            for name, value in zip(factors, point, strict=True):
                OmegaConf.update(template, name, float(value), merge=False)
        jobs.append(Job(k, [*overrides, *values], out_dir / f"sample={k}", template))
    return jobs


def bar_chart(indices: pd.DataFrame, method: str, stem: Path) -> list[Path]:
    value, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    outputs = list(indices["output"].unique())
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.5 * len(outputs), 0.6 + 0.5 * indices["factor"].nunique()))
    axes = np.atleast_1d(axes)
    for ax, output in zip(axes, outputs, strict=True):
        part = indices[indices["output"] == output].sort_values(value)
        y = np.arange(len(part))
        if method == "sobol":
            ax.barh(
                y + 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="C1", label="first order S1", capsize=2
            )
            ax.barh(y - 0.2, part[value], height=0.4, xerr=part[conf], color="C0", label="total ST", capsize=2)
            ax.legend(fontsize=8)
        else:
            ax.barh(y, part[value], xerr=part[conf], color="C0", capsize=2)
        ax.set_yticks(y, part["factor"])
        ax.set_title(output)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("Morris mu* (95 % CI)" if method == "morris" else "Sobol index (95 % CI)")
    fig.suptitle(f"Sensitivity of churn and profit to the main rates ({method})")
    fig.tight_layout()
    return save(fig, stem)


def markdown(indices: pd.DataFrame, method: str) -> str:
    cols = ["mu_star", "mu_star_conf", "mu", "sigma"] if method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    lines = []
    for output, part in indices.groupby("output", sort=False):
        lines += [f"### {output}", "", "| factor | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        key = "mu_star" if method == "morris" else "ST"
        for _, row in part.sort_values(key, ascending=False).iterrows():
            lines.append(f"| `{row['factor']}` | " + " | ".join(f"{row[c]:.4g}" for c in cols) + " |")
        lines.append("")
    return "\n".join(lines)


def study(method: str, n: int, overrides: list[str], out_dir: Path, n_jobs: int = -1, progress: bool = True) -> dict:
    """Sample, run (skipping finished points), analyse and draw; returns the paths written."""
    if method not in METHODS:
        raise ConfigError(f"--method = {method!r}: must be one of {', '.join(METHODS)}")
    out_dir = Path(out_dir).absolute()
    points = sample(method, n, FACTORS)
    jobs = jobs_for(points, FACTORS, [*overrides, "progress=false"], out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = pending(out_dir, jobs)
    print(f"[sensitivity] {method}: {len(jobs)} points, {len(todo)} to run into {out_dir}", file=sys.stderr)
    run_jobs(out_dir, todo, n_jobs, progress, git_commit())
    outputs = pd.DataFrame([json.loads((job.out_dir / SUMMARY).read_text()) for job in jobs])[list(OUTPUTS)]
    indices = analyse(method, points, outputs, FACTORS)
    written = {}
    for name, data in (("indices.csv", indices.to_csv(index=False)), ("indices.md", markdown(indices, method))):
        atomic_write_bytes(out_dir / name, data.encode())
        written[name] = out_dir / name
    for path in bar_chart(indices, method, out_dir / "indices"):
        written[path.name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.sensitivity", description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="morris", help="morris (screening, cheap) or sobol (variance shares)")
    parser.add_argument("--n", type=int, default=20, help="Morris trajectories or Sobol base samples (default 20)")
    parser.add_argument("--out", type=Path, default=Path("multirun/sensitivity"), help="folder of the runs and tables")
    parser.add_argument("--jobs", type=int, default=-1, help="worker processes (default: all cores)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("overrides", nargs="*", help="base config overrides, e.g. customers=2000 policy=none")
    args = parser.parse_args(argv)
    try:
        written = study(args.method, args.n, args.overrides, args.out, args.jobs, not args.no_progress)
    except (ConfigError, SweepFailed) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(written["indices.md"].read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
