"""The social graph as CSR arrays (``indptr``, ``indices``), built from a seed or a file.

Word of mouth walks each teller's neighbour slice, so every row is stored in a random
order fixed at build time: telling the next ``k`` friends from a random start then reaches
``k`` distinct friends without sampling per message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.config import NETWORK_KINDS, ConfigError, NetworkConfig


@dataclass(frozen=True)
class Graph:
    """Undirected simple graph in CSR form; ``indices[indptr[i]:indptr[i+1]]`` are i's friends."""

    indptr: np.ndarray  # int64, length n + 1
    indices: np.ndarray  # int32, length 2 * edges

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node] : self.indptr[node + 1]]

    def to_networkx(self) -> nx.Graph:
        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        src = np.repeat(np.arange(self.n), self.degree)
        keep = src < self.indices
        g.add_edges_from(zip(src[keep].tolist(), self.indices[keep].tolist(), strict=True))
        return g


def from_edges(n: int, u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Graph:
    """Symmetrise, drop self-loops and duplicates, and shuffle each row with ``rng``."""
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    keep = u != v
    src = np.concatenate([u[keep], v[keep]])
    dst = np.concatenate([v[keep], u[keep]])
    key = np.unique(src * n + dst)  # sorted, de-duplicated (src, dst) pairs
    src, dst = key // n, key % n
    order = np.lexsort((rng.random(len(src)), src))  # random order within each row
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Graph(indptr=indptr, indices=dst[order].astype(np.int32))


def from_networkx(g: nx.Graph, rng: np.random.Generator) -> Graph:
    """Nodes must be 0..n-1."""
    edges = np.array(list(g.edges()), dtype=np.int64).reshape(-1, 2)
    return from_edges(g.number_of_nodes(), edges[:, 0], edges[:, 1], rng)


def build(cfg: NetworkConfig, n: int, rng: np.random.Generator) -> Graph:
    """Build the graph ``cfg.kind`` describes over ``n`` customers; ``rng`` seeds everything."""
    seed = int(rng.integers(2**31 - 1))
    kind = cfg.kind
    if kind == "edgelist":
        u, v = read_edgelist(cfg.path, n)
        return from_edges(n, u, v, rng)
    if kind == "barabasi_albert":
        g = nx.barabasi_albert_graph(n, min(cfg.m, max(n - 1, 1)), seed=seed) if n > 1 else nx.empty_graph(n)
    elif kind == "watts_strogatz":
        g = nx.watts_strogatz_graph(n, min(cfg.k, n - 1), cfg.rewire, seed=seed) if n > 2 else nx.empty_graph(n)
    elif kind == "erdos_renyi":
        g = nx.fast_gnp_random_graph(n, min(cfg.mean_degree / max(n - 1, 1), 1.0), seed=seed)
    elif kind == "stochastic_block":
        g = _stochastic_block(cfg, n, seed)
    else:
        raise ConfigError(
            f"network.kind = {kind!r}: must be one of {', '.join(NETWORK_KINDS)}"
        )
    return from_networkx(g, rng)


def _stochastic_block(cfg: NetworkConfig, n: int, seed: int) -> nx.Graph:
    blocks = max(1, min(cfg.communities, n))
    sizes = [n // blocks + (1 if i < n % blocks else 0) for i in range(blocks)]
    size = n / blocks
    p_in = min(cfg.mean_degree * (1 - cfg.between_share) / max(size - 1, 1), 1.0)
    p_out = min(cfg.mean_degree * cfg.between_share / max(n - size, 1), 1.0) if blocks > 1 else 0.0
    probs = [[p_in if i == j else p_out for j in range(blocks)] for i in range(blocks)]
    g = nx.stochastic_block_model(sizes, probs, seed=seed)
    return nx.convert_node_labels_to_integers(g)


def read_edgelist(path: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Read "u v" lines (``#`` comments and blank lines allowed); ids must lie in [0, n)."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"network.path = {path!r}: file not found (give a text file of 'u v' lines)")
    us: list[int] = []
    vs: list[int] = []
    with file.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            parts = text.replace(",", " ").split()
            if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
                raise ConfigError(
                    f"network.path = {path!r}: line {number} ({text[:40]!r}) "
                    "must start with two non-negative integer node ids"
                )
            u, v = int(parts[0]), int(parts[1])
            if u >= n or v >= n:
                raise ConfigError(
                    f"network.path = {path!r}: line {number} has node id {max(u, v)}, must be < customers ({n})"
                )
            us.append(u)
            vs.append(v)
    if not us:
        raise ConfigError(f"network.path = {path!r}: no edges found (give 'u v' lines)")
    return np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
