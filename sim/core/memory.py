"""Memory needed by a run, estimated before anything is allocated, and checked against what is free.

Sizes are per person of the market (customers and prospects; ``customers`` below counts them all).
A run holds about 90 bytes of state per person plus the day's temporaries, and its graph: CSR
arrays (12 bytes per friendship end) built through sort temporaries, or a networkx graph on the
way for the generators that come from networkx. The constants below are measured peaks (maximum
RSS over the interpreter's own ~160 MB): 100,000 and 400,000 customers at mean degree 10 took
0.28 and 0.56 GB on Barabasi-Albert (igraph from 50,000 customers), 0.34 and 0.89 GB on
Watts-Strogatz (networkx). They err on the high side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.core.errors import ConfigError

PER_CUSTOMER = 500  # state arrays and the day's temporaries, bytes
PER_DEGREE_ARRAYS = 60  # per customer and unit of mean degree: CSR plus sort temporaries
PER_DEGREE_NETWORKX = 180  # the same when the graph passes through networkx first
LARGE_GRAPH = 50_000  # sim/core/network.py: Barabasi-Albert from igraph from this size on
BYTES_PER_EDGE_LINE = 8  # a short "u v" line; read into two Python lists of ints


def mean_degree(network: Any, customers: int) -> float:
    """The graph's mean degree as its settings imply (an edge list: from its file size)."""
    kind = network.kind
    if kind == "barabasi_albert":
        return 2.0 * network.m
    if kind == "watts_strogatz":
        return float(network.k)
    if kind == "edgelist":
        try:
            lines = Path(network.path).stat().st_size / BYTES_PER_EDGE_LINE
        except OSError:
            return 0.0  # a missing file is reported when it is read
        return 2.0 * lines / max(customers, 1)
    return float(network.mean_degree)


def estimate_bytes(customers: int, network: Any) -> int:
    """Peak bytes a run of ``customers`` on ``network`` needs beyond the interpreter itself."""
    degree = mean_degree(network, customers)
    arrays = network.kind in ("edgelist", "stochastic_block") or (
        network.kind == "barabasi_albert" and customers >= LARGE_GRAPH
    )
    per_degree = PER_DEGREE_ARRAYS if arrays else PER_DEGREE_NETWORKX
    if network.kind == "edgelist":
        per_degree = PER_DEGREE_NETWORKX  # Python lists while reading
    return int(customers * (PER_CUSTOMER + per_degree * degree))


def available_bytes() -> int | None:
    """Memory the system can give now (``MemAvailable``), or ``None`` where that cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(customers: int, network: Any, people: int | None = None) -> None:
    """Raise ``ConfigError`` (one line) when the run would need more memory than is available.

    ``people`` is the whole market around the ``customers`` (customers when not given).
    """
    people = customers if people is None else people
    need = estimate_bytes(people, network)
    free = available_bytes()
    if free is not None and need > free:
        market = f" in a market of {people:,}" if people != customers else ""
        raise ConfigError(
            f"customers = {customers}{market}: needs about {_size(need)} of memory with network={network.kind} "
            f"(mean degree {mean_degree(network, people):g}), {_size(free)} available: use fewer customers "
            "or a sparser network"
        )


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PB"


M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_MAX = -4
_kept: list[bool] = []


def keep_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for the next arrays instead of handing it back.

    A run frees and allocates arrays of the market's size every day. Above 32 MB glibc serves
    each from fresh pages (``mmap``) that the kernel zeroes, and unmaps it on free: at 10,000,000
    people a third of the process's time was the kernel's. From the heap instead, freed memory is
    reused (the 10,000,000-person simulation: 47 s -> 37 s, the peak 3 % higher). The setting
    holds for the rest of the process. Linux with glibc only; elsewhere it does nothing (``False``).
    """
    if not _kept:
        _kept.append(_mallopt(M_MMAP_MAX, 0) and _mallopt(M_TRIM_THRESHOLD, 2**31 - 1))
    return _kept[0]


def _mallopt(param: int, value: int) -> bool:
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (macOS, musl without mallopt, Windows)
        return False
    return mallopt(param, value) == 1
