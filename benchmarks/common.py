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
    cols = list(rows[0])
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
