"""The social graph as CSR arrays (``indptr``, ``indices``), built from a seed or a file.

Word of mouth walks each teller's neighbour slice, so every row is stored in a random
order fixed at build time: telling the next ``k`` friends from a random start then reaches
``k`` distinct friends without sampling per message.

Beside the ties, a graph may carry who belongs to which community (``community``) and how
strong each tie is (``strength``, one value per CSR entry, in the rows' order). Strong ties are
more likely to be activated for word of mouth and more influential when they are (Brown &
Reingen 1987, JCR); weak ties bridge communities (Granovetter 1973, AJS).
"""

from __future__ import annotations

import dataclasses
import random
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.core.config import NETWORK_KINDS, ConfigError, NetworkConfig
from sim.core.warnings import SimWarning

# From this many people on, the Barabasi-Albert, Watts-Strogatz and Erdos-Renyi graphs come from
# this module's numpy generators (the same models as networkx's, whose Python loops take minutes at
# a million people): a rule on size alone, so the same config and seed always give the same graph.
LARGE_GRAPH = 50_000


# Tie strength in [0, 1] of a tie inside a community and of one between communities (assumptions:
# only the order is sourced, strong above weak, Granovetter 1973, AJS; Brown & Reingen 1987, JCR).
STRONG_TIE = 1.0
WEAK_TIE = 0.25


@dataclass(frozen=True)
class Graph:
    """Undirected simple graph in CSR form; ``indices[indptr[i]:indptr[i+1]]`` are i's friends.

    ``community`` (int32, one label a person) and ``strength`` (float32 in [0, 1], aligned with
    ``indices``: ``strength[indptr[i] + j]`` is the tie to ``indices[indptr[i] + j]``) are optional.
    """

    indptr: np.ndarray  # int64, length n + 1
    indices: np.ndarray  # int32, length 2 * edges
    community: np.ndarray | None = None  # int32, length n
    strength: np.ndarray | None = None  # float32, length 2 * edges, symmetric (u->v equals v->u)

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node] : self.indptr[node + 1]]

    def sources(self) -> np.ndarray:
        """The row (the teller) of every CSR entry: ``indices`` holds the other end."""
        return np.repeat(np.arange(self.n, dtype=np.int32), self.degree)

    def once(self) -> np.ndarray:
        """Which CSR entries stand for their undirected edge (the one from the lower id): each edge once."""
        return self.sources() < self.indices

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Each undirected edge once, as (lower id, higher id) arrays."""
        keep = self.once()
        return self.sources()[keep], self.indices[keep]

    def to_networkx(self) -> nx.Graph:
        """The graph for networkx; each tie carries its ``strength`` as an edge attribute when it has one."""
        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        keep = self.once()
        u, v = self.sources()[keep].tolist(), self.indices[keep].tolist()
        if self.strength is None:
            g.add_edges_from(zip(u, v, strict=True))
        else:
            strength = self.strength[keep].tolist()
            g.add_edges_from((a, b, {"strength": s}) for a, b, s in zip(u, v, strength, strict=True))
        return g


def from_edges(n: int, u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Graph:
    """Symmetrise, drop self-loops and duplicates, and shuffle each row with ``rng``.

    Sort-based throughout: ``np.unique`` and ``np.argsort`` take tens of seconds on the tens of
    millions of entries of a 1,000,000-person market, a plain ``np.sort`` a second. Rows are
    shuffled by sorting one packed key (row, random bits, friend) when ids fit in 21 bits.
    The big arrays are built in place and ids kept as int32: at these sizes the cost is in
    allocating and touching memory more than in the sorts (the result is the same either way).
    """
    u = np.asarray(u)
    v = np.asarray(v)
    keep = u != v
    u, v = u[keep], v[keep]
    lo = np.minimum(u, v).astype(np.int64)
    hi = np.maximum(u, v)
    del u, v, keep
    key = lo  # (lo, hi) packed as lo * 2**32 + hi: sorts as lo * n + hi does
    key <<= 32
    key |= hi
    del lo, hi
    key.sort()
    first = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=first[1:])
    key = key[first]  # each undirected edge once
    del first
    halves = key.view(np.int32).reshape(-1, 2)  # little-endian: [:, 0] is hi, [:, 1] is lo
    if np.little_endian:
        hi, lo = halves[:, 0].copy(), halves[:, 1].copy()
    else:
        hi, lo = halves[:, 1].copy(), halves[:, 0].copy()
    del key, halves
    m = len(lo)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n), out=indptr[1:])
    # The entries are (lo -> hi) then (hi -> lo): rows ``src = [lo, hi]``, friends ``dst = [hi, lo]``.
    packed = np.empty(2 * m, dtype=np.int64)
    packed[:m] = lo
    packed[m:] = hi
    if n <= 1 << _PACK_BITS:
        # int32 draws of this range are the int64 draws, in half the memory
        noise = rng.integers(0, 1 << _PACK_BITS, 2 * m, dtype=np.int32)
        packed <<= _PACK_BITS
        packed |= noise
        del noise
        packed <<= _PACK_BITS
        packed[:m] |= hi
        packed[m:] |= lo
        del lo, hi
        packed.sort()
        low = packed.view(np.int32)[0 if np.little_endian else 1 :: 2]
        indices = low & np.int32((1 << _PACK_BITS) - 1)
    elif n <= 1 << _PACK_BITS_LARGE:
        indices = shuffle_rows_packed(packed, lo, hi, n, rng)
    else:  # row by row, in a random order: sort on (row, 32 random bits)
        packed <<= 32
        packed |= rng.integers(0, 2**32, 2 * m, dtype=np.uint32)  # the int64 draws, half the memory
        order = np.argsort(packed)
        del packed
        dst = np.concatenate([hi, lo])
        del lo, hi
        indices = dst[order]
    return Graph(indptr=indptr, indices=indices)


_PACK_BITS = 21  # row, noise and friend packed in one int64: markets of up to 2,097,152 people
_PACK_BITS_LARGE = 24  # shuffle_rows_packed: markets of up to 16,777,216 people


def shuffle_rows_packed(
    src: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int, rng: np.random.Generator, id_bits: int | None = None
) -> np.ndarray:
    """Friends of each row in a uniformly random order, by one sort of packed (row, noise, label) keys.

    ``src`` holds the rows of the entries ``[lo -> hi, hi -> lo]`` (int64, overwritten). Row and
    friend take ``id_bits`` bits each (enough for ``n``), the random bits the rest of 63: 15 at
    10,000,000 people, where a person's friends draw the same bits now and then (about one row
    in 80 at degree 30). Ties are then broken by a random label of each friend (a permutation of
    the people) rather than by id, so every order of a row's friends stays equally likely. Used
    above 2,097,152 people, where an ``argsort`` on (row, 32 random bits) took three times as long
    and twice the memory; the orders drawn differ from that ``argsort``'s (same law).
    """
    bits = id_bits if id_bits is not None else max(int(n - 1).bit_length(), 1)
    noise_bits = 63 - 2 * bits
    if noise_bits < 8:
        raise ValueError(f"shuffle_rows_packed: {n} people need {bits} bits a friend: too many to pack")
    m = len(lo)
    label = rng.permutation(n).astype(np.int32)  # the random tie-break of each friend
    key = src
    key <<= noise_bits
    key |= rng.integers(0, 1 << noise_bits, len(key), dtype=np.int32 if noise_bits < 32 else np.int64)
    key <<= bits
    key[:m] |= label[hi]
    key[m:] |= label[lo]
    key.sort()
    low = key.view(np.int32)[0 if np.little_endian else 1 :: 2] & np.int32((1 << bits) - 1)
    del key
    unlabel = np.empty(n, dtype=np.int32)
    unlabel[label] = np.arange(n, dtype=np.int32)
    return unlabel[low]


def from_networkx(g: nx.Graph, rng: np.random.Generator) -> Graph:
    """Nodes must be 0..n-1."""
    edges = np.array(list(g.edges()), dtype=np.int64).reshape(-1, 2)
    return from_edges(g.number_of_nodes(), edges[:, 0], edges[:, 1], rng)


def build(
    cfg: NetworkConfig,
    n: int,
    rng: np.random.Generator,
    *,
    strong: float = STRONG_TIE,
    weak: float = WEAK_TIE,
    structure: bool = True,
) -> Graph:
    """Build the graph ``cfg.kind`` describes over ``n`` customers; ``rng`` seeds everything.

    With ``structure`` the graph carries tie strength: by community for the stochastic-block
    kind (its blocks are the communities: ``strong`` inside, ``weak`` between), by embeddedness
    for the others (``strength_from_embeddedness``, no communities; up to ``OVERLAP_LIMIT``
    people, above it no strength). No random draw is added:
    the ties, and so every run on them, are the same with or without ``structure``.
    """
    graph = _build_ties(cfg, n, rng)
    if not structure:
        return graph
    if cfg.kind == "stochastic_block":
        community = community_blocks(n, cfg.community_size)
        strength = strength_from_blocks(graph, cfg.community_size, strong, weak)
        return dataclasses.replace(graph, community=community, strength=strength)
    if n > OVERLAP_LIMIT:
        return graph  # no strength: every tie alike, as before (embeddedness would add tens of seconds)
    return dataclasses.replace(graph, strength=strength_from_embeddedness(graph, strong, weak))


# Above this many people, graphs without communities carry no tie strength from ``build``: the
# overlap costs about 1 s per 40,000 people at mean degree 30 (a rule on size alone, as LARGE_GRAPH).
OVERLAP_LIMIT = 200_000


def _build_ties(cfg: NetworkConfig, n: int, rng: np.random.Generator) -> Graph:
    seed = int(rng.integers(2**31 - 1))
    kind = cfg.kind
    if kind == "edgelist":
        u, v = read_edgelist(cfg.path, n)
        return from_edges(n, u, v, rng)
    if kind == "barabasi_albert":
        m = min(cfg.m, max(n - 1, 1))
        if n >= LARGE_GRAPH:
            u, v = barabasi_albert_edges(n, m, seed)
            return from_edges(n, u, v, rng)
        g = nx.barabasi_albert_graph(n, m, seed=seed) if n > 1 else nx.empty_graph(n)
    elif kind == "watts_strogatz" and n >= LARGE_GRAPH:
        return from_edges(n, *watts_strogatz_edges(n, min(cfg.k, n - 1), cfg.rewire, np.random.default_rng(seed)), rng)
    elif kind == "erdos_renyi" and n >= LARGE_GRAPH:
        p = min(cfg.mean_degree / max(n - 1, 1), 1.0)
        return from_edges(n, *erdos_renyi_edges(n, p, np.random.default_rng(seed)), rng)
    elif kind == "watts_strogatz":
        g = nx.watts_strogatz_graph(n, min(cfg.k, n - 1), cfg.rewire, seed=seed) if n > 2 else nx.empty_graph(n)
    elif kind == "erdos_renyi":
        g = nx.fast_gnp_random_graph(n, min(cfg.mean_degree / max(n - 1, 1), 1.0), seed=seed)
    elif kind == "stochastic_block":
        u, v = community_edges(n, cfg.community_size, cfg.mean_degree, cfg.between_share, rng)
        return from_edges(n, u, v, rng)
    else:
        raise ConfigError(f"network.kind = {kind!r}: must be one of {', '.join(NETWORK_KINDS)}")
    return from_networkx(g, rng)


def barabasi_albert_edges(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges of networkx's Barabasi-Albert model, generated with numpy (int64 ends).

    Same model as ``nx.barabasi_albert_graph``: a star on ``m + 1`` nodes, then each new node
    links to ``m`` distinct earlier nodes drawn with probability proportional to degree. The
    first ``_BA_SEQUENTIAL`` new nodes draw one after the other (``choice`` without replacement,
    weighted by degree); the rest draw as Batagelj & Brandes (2005, Phys. Rev. E) do, a uniform
    pick among the ends of the edges already made (a pick proportional to degree), in blocks of
    nodes of doubling size: each block's picks are drawn at once and followed back to the node
    they copy, and a node's repeated picks are drawn again until its m are distinct (sampling
    without replacement, as networkx does). A 1,000,000-node graph with m = 15 takes a few
    seconds (igraph, calling back into Python's ``random``, took 17 s); the degree distributions
    agree with networkx's (tests/test_network.py).

    Example:
        >>> u, v = barabasi_albert_edges(100, 3, seed=1)
        >>> len(u)
        291
    """
    rng = np.random.default_rng(seed)
    m = max(1, min(m, n - 1))
    star = np.arange(1, m + 1, dtype=np.int64)
    new = n - m - 1
    if new <= 0:
        return np.zeros(max(n - 1, 0), dtype=np.int64), star[: max(n - 1, 0)]
    target = np.empty(new * m, dtype=np.int64)
    head = min(new, _BA_SEQUENTIAL)
    degree = np.zeros(m + 1 + head, dtype=np.float64)
    degree[0], degree[1 : m + 1] = m, 1
    for k in range(head):
        v = m + 1 + k
        chosen = rng.choice(v, size=m, replace=False, p=degree[:v] / degree[:v].sum())
        target[k * m : (k + 1) * m] = chosen
        degree[chosen] += 1
        degree[v] = m
    first = head
    while first < new:
        last = min(new, 2 * first)
        _ba_block(target, first, last, m, rng)
        first = last
    u = np.concatenate([np.zeros(m, dtype=np.int64), np.repeat(np.arange(m + 1, n, dtype=np.int64), m)])
    return u, np.concatenate([star, target])


_BA_SEQUENTIAL = 1024  # new nodes drawn one by one: the first ones pick among a handful of nodes


def _ba_block(target: np.ndarray, first: int, last: int, m: int, rng: np.random.Generator) -> None:
    """Picks of new nodes ``first .. last - 1``, those of earlier nodes already in ``target``.

    Ends: the star's (0, leaf) pairs, then each new node's m (node, pick) pairs; new node k picks
    among the 2m(k + 1) ends made before it. A pick of an end that is itself a pick of this block
    copies that pick's node, so picks are followed back until they land on a known node.
    """
    rows = last - first
    before = np.repeat(2 * m * (np.arange(first, last, dtype=np.int64) + 1), m)
    pick = np.floor(rng.random(rows * m) * before).astype(np.int64)
    redo = np.arange(rows * m)
    lo = first * m  # the block's first slot in ``target``
    for _ in range(_BA_ROUNDS):
        _ba_resolve(target, pick, redo, lo, m)
        block = target[lo : lo + rows * m].reshape(rows, m)
        ordered = np.sort(block, axis=1)
        dup = np.flatnonzero(np.any(ordered[:, 1:] == ordered[:, :-1], axis=1))
        if len(dup) == 0:
            return
        again = np.zeros((len(dup), m), dtype=bool)
        for j in range(1, m):
            again[:, j] = np.any(block[dup, :j] == block[dup, j : j + 1], axis=1)
        slots = (dup[:, None] * m + np.arange(m))[again]
        pick[slots] = np.floor(rng.random(len(slots)) * before[slots]).astype(np.int64)
        # Picks that copied a redrawn slot change with it: resolve the whole block again.
        redo = np.arange(rows * m)
    raise RuntimeError(f"barabasi_albert_edges: picks still repeat after {_BA_ROUNDS} rounds")


_BA_ROUNDS = 10_000


def _ba_resolve(target: np.ndarray, pick: np.ndarray, todo: np.ndarray, lo: int, m: int) -> None:
    """Fill ``target[lo + todo]`` with the node at each picked end, following picks of picks."""
    at = pick[todo]
    while len(todo):
        in_star = at < 2 * m
        q = at - 2 * m
        own = ~in_star & (q % 2 == 0)  # the picking node's own end: node k + m + 1
        slot = q // 2  # for a pick's end: the slot of that pick
        known = ~in_star & ~own & (slot < lo)
        target[lo + todo[in_star]] = np.where(at[in_star] % 2 == 0, 0, at[in_star] // 2 + 1)
        target[lo + todo[own]] = q[own] // (2 * m) + m + 1
        target[lo + todo[known]] = target[slot[known]]
        follow = ~in_star & ~own & ~known
        todo, at = todo[follow], pick[slot[follow] - lo]


def erdos_renyi_edges(n: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """G(n, p) with numpy: a binomial number of ties, then that many distinct pairs uniformly.

    The same law as ``nx.fast_gnp_random_graph``: the tie count of G(n, p) is binomial, and given
    it every set of pairs is equally likely. Pairs are drawn uniformly, repeats dropped, more drawn
    until there are enough, and a random surplus dropped (exchangeable draws: a uniform set).

    Example:
        >>> u, v = erdos_renyi_edges(1000, 0.01, np.random.default_rng(0))
        >>> bool(np.all(u < v))
        True
    """
    if n < 2 or p <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs = n * (n - 1) // 2
    ties = int(rng.binomial(pairs, min(p, 1.0)))
    key = np.empty(0, dtype=np.int64)
    while len(key) < ties:
        want = ties - len(key)
        a = rng.integers(0, n, want + want // 100 + 16, dtype=np.int64)
        b = rng.integers(0, n, len(a), dtype=np.int64)
        keep = a != b
        a, b = a[keep], b[keep]
        key = np.sort(np.concatenate([key, (np.minimum(a, b) << 32) | np.maximum(a, b)]))
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]  # np.unique: the same, ten times slower
    if len(key) > ties:
        key = np.delete(key, rng.choice(len(key), len(key) - ties, replace=False))
    return key >> 32, key & 0xFFFFFFFF


def watts_strogatz_edges(n: int, k: int, rewire: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Watts & Strogatz's (1998) small world with numpy, as ``nx.watts_strogatz_graph`` builds it.

    A ring where each node is tied to its ``k // 2`` nearest neighbours on each side; each tie
    ``(u, u + j)`` is rewired with chance ``rewire`` to ``(u, w)``, ``w`` uniform among nodes other
    than ``u`` and not already tied to ``u``. networkx rewires one tie at a time; here all are
    drawn at once and the ones landing on ``u`` or on an existing tie are drawn again.

    Example:
        >>> u, v = watts_strogatz_edges(100, 4, 0.1, np.random.default_rng(0))
        >>> len(u)
        200
    """
    half = k // 2
    if n < 3 or half == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    u = np.tile(np.arange(n, dtype=np.int64), half)
    v = (u + np.repeat(np.arange(1, half + 1, dtype=np.int64), n)) % n
    moved = np.flatnonzero(rng.random(len(u)) < rewire)
    if len(moved) == 0:
        return u, v
    fixed = np.ones(len(u), dtype=bool)
    fixed[moved] = False
    taken = np.sort(np.minimum(u[fixed], v[fixed]) * n + np.maximum(u[fixed], v[fixed]))
    todo = moved
    while len(todo):
        w = rng.integers(0, n, len(todo), dtype=np.int64)
        key = np.minimum(u[todo], w) * n + np.maximum(u[todo], w)
        at = np.minimum(np.searchsorted(taken, key), len(taken) - 1)
        clash = (w == u[todo]) | (taken[at] == key)
        # Two rewired ties of this round landing on the same pair: the first keeps it.
        order = np.argsort(key, kind="stable")
        again = np.zeros(len(todo), dtype=bool)
        again[order[1:]] = key[order[1:]] == key[order[:-1]]
        ok = ~clash & ~again
        v[todo[ok]] = w[ok]
        taken = np.sort(np.concatenate([taken, key[ok]]))
        todo = todo[~ok]
    return u, v


def community_edges(
    n: int, community_size: int, mean_degree: float, between_share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Strong ties inside communities, weak ties across the market (Goldenberg et al. 2007).

    People ``0..n-1`` fall in consecutive communities of ``community_size``; each pair inside
    one is tied with the probability that gives ``mean_degree * (1 - between_share)`` strong
    ties a person, and ``n * mean_degree * between_share / 2`` weak ties join uniform random
    pairs anywhere. Vectorised: a million people and 15 million ties take about a second.

    Example:
        >>> u, v = community_edges(100, 10, 4.0, 0.25, np.random.default_rng(0))
        >>> bool(np.all(u != v))
        True
    """
    size = max(2, min(community_size, n))
    p_in = min(mean_degree * (1.0 - between_share) / (size - 1), 1.0)
    a, b = np.triu_indices(size, k=1)
    pairs = len(a)
    blocks = -(-n // size)
    chunk = max(1, 4_000_000 // pairs)  # communities per batch: bounds the temporary arrays
    # Ids as int32 and the ties found by flatnonzero: the same edges as int64 and a 2-d nonzero, 7x faster.
    idt = np.int32 if n < 2**31 else np.int64
    a, b = a.astype(idt), b.astype(idt)
    us, vs = [], []
    for first in range(0, blocks, chunk):
        count = min(first + chunk, blocks) - first
        tie = rng.random((count, pairs)) < p_in
        flat = np.flatnonzero(tie)
        row = (flat // pairs).astype(idt)
        col = flat - row.astype(np.int64) * pairs
        base = (row + first) * idt(size)
        u, v = base + a[col], base + b[col]
        if (first + count) * size > n:  # the last community may be smaller
            inside = v < n
            u, v = u[inside], v[inside]
        us.append(u)
        vs.append(v)
    weak = int(rng.poisson(n * mean_degree * between_share / 2.0)) if n > 1 else 0
    us.append(rng.integers(0, n, weak, dtype=np.int64).astype(idt))
    vs.append(rng.integers(0, n, weak, dtype=np.int64).astype(idt))
    return np.concatenate(us), np.concatenate(vs)


# ---------------------------------------------------------------- communities and tie strength
def community_blocks(n: int, community_size: int) -> np.ndarray:
    """The consecutive blocks ``community_edges`` ties densely: person i is in block ``i // size``."""
    size = max(2, min(community_size, n))
    return (np.arange(n, dtype=np.int64) // size).astype(np.int32)


def strength_from_communities(graph: Graph, community: np.ndarray, strong: float, weak: float) -> np.ndarray:
    """``strong`` for a tie inside a community, ``weak`` for one between (float32, per CSR entry).

    Computed from the rows as stored, so it stays aligned with the shuffled ``indices``.
    """
    _check_strengths(strong, weak)
    return _strength(np.repeat(community, graph.degree) == community[graph.indices], strong, weak)


def strength_from_blocks(graph: Graph, community_size: int, strong: float, weak: float) -> np.ndarray:
    """``strength_from_communities`` for ``community_blocks``: labels by division, no gather (~4x faster)."""
    _check_strengths(strong, weak)
    size = np.int32(max(2, min(community_size, graph.n)))
    rows = np.repeat(np.arange(graph.n, dtype=np.int32) // size, graph.degree)
    return _strength(rows == graph.indices // size, strong, weak)


def _strength(same: np.ndarray, strong: float, weak: float) -> np.ndarray:
    return np.array([weak, strong], dtype=np.float32)[same.view(np.uint8)]


def common_neighbours(graph: Graph) -> np.ndarray:
    """Friends the two ends of each tie share (int32, per CSR entry): its triangles.

    Forward triangle listing, vectorised: people are ranked by degree and each tie points to the
    higher rank, so nobody has more than about sqrt(2 * ties) forward ties (hubs of a scale-free
    graph stay cheap); every pair of one person's forward friends is looked up among the ties
    by a binary search. Memory is bounded by working through the people in chunks.
    """
    n = graph.n
    if len(graph.indices) == 0:
        return np.zeros(0, dtype=np.int32)
    deg = graph.degree
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(deg, kind="stable")] = np.arange(n)
    rs, rd = rank[graph.sources()], rank[graph.indices]
    fwd = rs < rd
    key = np.sort(rs[fwd] * n + rd[fwd])  # forward ties by (tail, head), in rank labels
    tail, head = key // n, key % n
    outptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=outptr[1:])
    after = outptr[tail + 1] - np.arange(len(key)) - 1  # forward friends listed after each entry in its row
    ends = np.cumsum(after)
    hits: list[np.ndarray] = []
    start, budget = 0, _PAIR_BUDGET
    while start < len(key):
        stop = int(np.searchsorted(ends, (ends[start] - after[start]) + budget, side="right"))
        stop = max(stop, start + 1)
        first, second = _pairs_after(start, after[start:stop])
        query = head[first] * n + head[second]  # heads ascend within a row: already forward
        found = np.minimum(np.searchsorted(key, query), len(key) - 1)
        hit = key[found] == query
        hits += [first[hit], second[hit], found[hit]]
        start = stop
    triangles = np.bincount(np.concatenate(hits), minlength=len(key)) if hits else np.zeros(len(key), np.int64)
    entry = np.minimum(rs, rd) * n + np.maximum(rs, rd)
    return triangles[np.searchsorted(key, entry)].astype(np.int32)


def _pairs_after(start: int, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (entry, later entry of its row) for entries ``start, start + 1, ...`` with ``after`` later ones.

    The second index runs ``e + 1, e + 2, ...`` within each entry's block: a cumulative sum of
    ones, reset at each block's start (no per-pair arange: several times faster).
    """
    pos = np.arange(start, start + len(after), dtype=np.int64)
    first = np.repeat(pos, after)
    if len(first) == 0:
        return first, first
    step = np.ones(len(first), dtype=np.int64)
    live = after > 0
    block_start = (np.cumsum(after) - after)[live]
    owner = pos[live]
    step[block_start[1:]] = (owner[1:] + 1) - (owner[:-1] + after[live][:-1])
    step[0] = owner[0] + 1
    return first, np.cumsum(step)


_PAIR_BUDGET = 8_000_000  # candidate pairs per chunk of common_neighbours (about 200 MB of temporaries)


def embeddedness(graph: Graph) -> np.ndarray:
    """Topological overlap of each tie (float32 in [0, 1], per CSR entry; Onnela et al. 2007, PNAS).

    Shared friends over the friends either end has besides the other, ``c / (k_u - 1 + k_v - 1 - c)``:
    0 for a bridge, 1 inside a clique. Onnela et al. find it rises with the tie's strength
    (call time) in a national mobile-phone network, as Granovetter's (1973, AJS) argument predicts.
    """
    shared = common_neighbours(graph).astype(np.float32)
    deg = graph.degree.astype(np.float32)
    others = deg[graph.sources()] + deg[graph.indices] - 2.0 - shared
    out = np.zeros(len(shared), dtype=np.float32)
    np.divide(shared, others, out=out, where=others > 0)
    return out


def strength_from_embeddedness(graph: Graph, strong: float = STRONG_TIE, weak: float = WEAK_TIE) -> np.ndarray:
    """Tie strength for graphs without communities: ``weak`` for a bridge up to ``strong`` in a clique.

    Linear in ``embeddedness`` (assumption), so the two ends of the scale mean what they mean for
    the stochastic-block kind.
    """
    _check_strengths(strong, weak)
    return (np.float32(weak) + np.float32(strong - weak) * embeddedness(graph)).astype(np.float32)


def _check_strengths(strong: float, weak: float) -> None:
    if not (0.0 <= weak <= 1.0 and 0.0 <= strong <= 1.0):
        raise ValueError(f"tie strengths must lie in [0, 1]: strong = {strong}, weak = {weak}")


def detect_communities(graph: Graph, seed: int) -> np.ndarray:
    """Communities by igraph's Leiden algorithm on modularity (Traag, Waltman & van Eck 2019, Sci. Rep.).

    Optional, for graphs read from a file: about 1 s for 40,000 people and 600,000 ties, tens of
    seconds at a million, so ``build`` does not call it. Random graphs (Erdos-Renyi,
    Barabasi-Albert) have no communities to find: Leiden returns a handful of arbitrary blocks
    of modularity ~0.16 there. igraph draws from ``random.Random(seed)``; its generator is restored.
    """
    import igraph

    src = graph.sources()
    keep = src < graph.indices
    g = igraph.Graph(n=graph.n, edges=np.column_stack([src[keep], graph.indices[keep]]).tolist())
    igraph.set_random_number_generator(random.Random(seed))
    try:
        parts = g.community_leiden(objective_function="modularity", n_iterations=-1)
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(parts.membership, dtype=np.int32)


# ---------------------------------------------------------------- who the firm's customers are
def local_clusters(graph: Graph, rng: np.random.Generator) -> np.ndarray:
    """Pseudo-communities from the ties alone: each person joins the lowest-ranked of self and friends.

    One step of min-label propagation from random ranks: O(ties), clusters of friends about a
    degree in size. ``place_customers`` uses it when the graph has no ``community`` labels.
    """
    rank = rng.permutation(graph.n).astype(np.int64)
    label = rank.copy()
    deg = graph.degree
    rows = np.flatnonzero(deg > 0)
    if len(rows):
        lowest = np.minimum.reduceat(rank[graph.indices], graph.indptr[rows])
        label[rows] = np.minimum(label[rows], lowest)
    return label


def place_customers(graph: Graph, customers: int, concentration: float, rng: np.random.Generator) -> np.ndarray:
    """Ids of the firm's ``customers`` among the ``graph.n`` people, clustered by community.

    Brand choice clusters among friends (Reingen, Foster, Brown & Seidman 1984, JCR). Each
    community's share of customers is drawn from a Beta with mean ``customers / n`` and the given
    ``concentration``: low concentration, strong clustering (many communities nearly all or
    nothing); high, shares near the mean. ``concentration`` <= 0 (the schema's "no spread", as in
    ``failure.severity_concentration``) or infinite (the Beta's limit) gives uniform placement,
    exactly the draw the model makes today (``rng.choice`` without replacement). Then each person
    is a customer with chance ``min(1, t * share)`` with ``t`` (near 1) set so that exactly
    ``customers`` are chosen: the people with the ``customers`` smallest ``uniform / share``.
    Without ``community`` labels, communities are ``local_clusters`` of friends (assumption).
    The returned order carries no meaning.
    """
    n = graph.n
    if customers >= n:
        return np.arange(n)
    if concentration <= 0 or not np.isfinite(concentration):
        return rng.choice(n, size=customers, replace=False)
    community = graph.community if graph.community is not None else local_clusters(graph, rng)
    _, group = np.unique(community, return_inverse=True)
    mean = customers / n
    share = rng.beta(mean * concentration, (1.0 - mean) * concentration, int(group.max()) + 1)
    key = rng.random(n) / np.maximum(share, 1e-300)[group]
    return np.sort(np.argpartition(key, customers - 1)[:customers]) if customers > 0 else np.empty(0, np.int64)


def assortativity(graph: Graph, is_customer: np.ndarray) -> float:
    """Newman's (2003, Phys. Rev. E) attribute assortativity of a yes/no trait over the ties.

    ``r = (sum_i e_ii - sum_i a_i^2) / (1 - sum_i a_i^2)`` with ``e`` the share of tie ends joining
    each pair of kinds: 0 when customers sit at random, 1 when ties never cross the line,
    negative when they avoid each other. NaN without ties or when everyone is alike.
    """
    x = np.asarray(is_customer, dtype=bool)
    ends = len(graph.indices)
    if ends == 0:
        return float("nan")
    a = x[graph.sources()]
    b = x[graph.indices]
    both = np.count_nonzero(a & b) / ends
    a1 = np.count_nonzero(a) / ends
    neither = 1.0 - 2.0 * a1 + both  # symmetric: b has the same share as a
    expected = a1**2 + (1.0 - a1) ** 2
    if expected >= 1.0:
        return float("nan")
    return float((both + neither - expected) / (1.0 - expected))


def read_edgelist(path: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Read "u v" lines (``#`` comments and blank lines allowed); ids must lie in [0, n).

    Warns (``SimWarning``) with the counts when self-loops were dropped or many customers
    have no friend in the file: they hear no word of mouth, which is rarely what was meant.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"network.path = {path!r}: file not found (give a text file of 'u v' lines)")
    us: list[int] = []
    vs: list[int] = []
    with file.open(encoding="utf-8-sig", errors="replace") as handle:  # a BOM (Windows editors) is not data
        for number, line in enumerate(handle, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            parts = text.replace(",", " ").split()
            if len(parts) < 2 or not (_NODE_ID.fullmatch(parts[0]) and _NODE_ID.fullmatch(parts[1])):
                raise ConfigError(
                    f"network.path = {path!r}: line {number} ({text[:40]!r}) "
                    "must start with two non-negative integer node ids"
                )
            u, v = int(parts[0]), int(parts[1])
            if u >= n or v >= n:
                raise ConfigError(
                    f"network.path = {path!r}: line {number} has node id {max(u, v)}, "
                    f"must be < the market's size ({n}: customers / market.share)"
                )
            us.append(u)
            vs.append(v)
    if not us:
        raise ConfigError(f"network.path = {path!r}: no edges found (give 'u v' lines)")
    u_arr, v_arr = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
    _warn_about_isolation(path, n, u_arr, v_arr)
    return u_arr, v_arr


_NODE_ID = re.compile(r"[0-9]+")  # ASCII digits only: int() refuses "²", which str.isdigit() accepts
ISOLATED_WARNING_SHARE = 0.05  # warn when at least this share of customers has no friend in the file


def _warn_about_isolation(path: str, n: int, u: np.ndarray, v: np.ndarray) -> None:
    loops = int(np.count_nonzero(u == v))
    linked = np.zeros(n, dtype=bool)
    keep = u != v
    linked[u[keep]] = True
    linked[v[keep]] = True
    isolated = n - int(linked.sum())
    notes = []
    if loops:
        notes.append(f"{loops:,} of {len(u):,} edges are self-loops and were dropped")
    if isolated >= ISOLATED_WARNING_SHARE * n:
        notes.append(f"{isolated:,} of {n:,} people in the market have no friend in it and hear no word of mouth")
    if notes:
        warnings.warn(f"network.path = {path!r}: {'; '.join(notes)}", SimWarning, stacklevel=3)
