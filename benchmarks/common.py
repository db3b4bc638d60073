"""Shared helpers: isolated measurements, plain tables, CSV files in benchmarks/results/."""

from __future__ import annotations

import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def isolated(module: str, func: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``module.func(**kwargs)`` in a fresh interpreter: its own peak memory, no warm caches.

    The function returns a dict of JSON numbers; ``peak_mb`` of the child is added.
    """
    code = (
        "import json, sys; from benchmarks.common import peak_mb; "
        f"from {module} import {func} as f; "
        "out = f(**json.loads(sys.argv[1])); out['peak_mb'] = round(peak_mb(), 1); "
        "print('RESULT ' + json.dumps(out))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(kwargs)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module}.{func}({kwargs}) failed:\n{proc.stderr[-2000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
        f"numpy {np.__version__}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def report(name: str, rows: list[dict[str, Any]], title: str, notes: list[str] | None = None) -> None:
    """Print a plain table and write it as ``benchmarks/results/NAME.csv``."""
    cols = list(dict.fromkeys(c for r in rows for c in r))  # every column, in order of first appearance
    cells = [[_fmt(r.get(c, "")) for c in cols] for r in rows]
    width = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = [title, "  ".join(c.rjust(w) for c, w in zip(cols, width, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, width, strict=True)) for row in cells]
    lines += [f"# {n}" for n in (notes or [])] + [f"# machine: {machine()}"]
    print("\n".join(lines), flush=True)
    RESULTS.mkdir(exist_ok=True)
    tmp = RESULTS / f".{name}.csv.tmp"
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=cols)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(RESULTS / f"{name}.csv")
    (RESULTS / f"{name}.txt").write_text("\n".join(lines) + "\n")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def whole_process(argv: list[str]) -> dict[str, Any]:
    """Wall seconds and peak resident memory of one command, run as its own process.

    ``os.wait4`` reports the child's own peak (``RUSAGE_CHILDREN`` would keep the largest of all
    children so far). The load averages before and after are returned with it.
    """
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def bare_pass(people: int, days: int, seed: int = 0) -> dict[str, float]:
    """Seconds of a bare per-person numpy pass: each day one draw per person added to one float array.

    Not a lower bound of the model (the model makes no daily draw per person): a yardstick of the
    machine's speed at the moment, measured in the same run as the figures it divides.
    """
    rng = np.random.default_rng(seed)
    state = np.zeros(people)
    start = time.perf_counter()
    for _ in range(days):
        state += rng.random(people)
    return {"seconds": time.perf_counter() - start}


def cli(*overrides: str) -> list[str]:
    """The argv of ``python -m sim`` with ``overrides``, no progress bar, results in a scratch folder."""
    import tempfile

    out = tempfile.mkdtemp(prefix="wom-bench-")
    return [sys.executable, "-m", "sim", *overrides, "progress=false", f"hydra.run.dir={out}"]
