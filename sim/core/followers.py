"""Who sees whose online posts: a directed follower graph with a heavy-tailed audience.

``followers[indptr[i]:indptr[i+1]]`` are the people who see i's posts. A reshare is a post of the
resharer's own, seen by the resharer's followers, so how deep and how wide an online story goes
follows from the graph: audiences are heavy-tailed (a few people are followed by thousands) and
overlap among friends (a friend's followers have often seen the story already).

Follower counts: a discrete lognormal (assumption on the form; Kwak, Lee, Park & Moon 2010,
WWW, find Twitter's follower counts heavy-tailed over five orders of magnitude, near a power law
of exponent 2.28 with a droop at the top, which a lognormal's curved tail also gives). Who
follows: friends first (people follow those they know, assumption), in the friendship row's own
random order, then people drawn uniformly from the whole market (assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.network import Graph

# Spread of log follower counts (assumption): at a mean audience of 30 the median is ~10,
# the 99th percentile ~320 and the largest of a million ~10,000 (a heavy tail, as Kwak et al.).
FOLLOWER_SIGMA = 1.5
TOP_UP_ROUNDS = 8  # redraws of market followers lost to duplicates (small markets only)


@dataclass(frozen=True)
class Followers:
    """Directed CSR: ``indices[indptr[i]:indptr[i+1]]`` see i's posts (no self, no duplicates)."""

    indptr: np.ndarray  # int64, length n + 1
    indices: np.ndarray  # int32

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def audience(self) -> np.ndarray:
        """Followers of each person: the reach of one post."""
        return np.diff(self.indptr)

    def of(self, author: int) -> np.ndarray:
        return self.indices[self.indptr[author] : self.indptr[author + 1]]


def follower_counts(n: int, mean_audience: float, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Rounded lognormal counts with mean ``mean_audience``, at most ``n - 1`` (int64)."""
    if mean_audience <= 0 or n <= 1:
        return np.zeros(n, dtype=np.int64)
    mu = np.log(mean_audience) - 0.5 * sigma**2
    return np.minimum(np.rint(rng.lognormal(mu, sigma, n)), n - 1).astype(np.int64)


def build_followers(
    graph: Graph, mean_audience: float, sigma: float = FOLLOWER_SIGMA, rng: np.random.Generator | None = None
) -> Followers:
    """Each person's followers: ``follower_counts`` of them, friends first, then the wider market.

    Friends are taken from the front of the person's CSR row (already in a random order fixed at
    build), so they cost no draw. The rest are drawn uniformly, dropping self, friends and
    repeats, with up to ``TOP_UP_ROUNDS`` redraws for what was dropped (only small markets lose
    more than a trace). Vectorised; about ``n * mean_audience`` entries.
    """
    rng = rng if rng is not None else np.random.default_rng()
    n = graph.n
    counts = follower_counts(n, mean_audience, sigma, rng)
    deg = graph.degree
    own = np.minimum(counts, deg)
    # Friends: the first `own` entries of each row.
    start = np.repeat(graph.indptr[:-1], own)
    offset = np.arange(len(start), dtype=np.int64) - np.repeat(np.cumsum(own) - own, own)
    friend_src = np.repeat(np.arange(n, dtype=np.int64), own)
    friend_key = np.sort(friend_src * n + graph.indices[start + offset])
    del start, offset, friend_src
    # The wider market: uniform draws, topped up while duplicates were dropped.
    every_friend = np.sort(graph.sources().astype(np.int64) * n + graph.indices)
    market = np.empty(0, dtype=np.int64)
    # a person can have at most n - 1 - deg followers beyond their friends
    wanted = np.minimum(counts - own, n - 1 - deg)
    for _ in range(TOP_UP_ROUNDS):
        missing = wanted - np.bincount(market // n, minlength=n) if len(market) else wanted
        if not missing.any():
            break
        author = np.repeat(np.arange(n, dtype=np.int64), missing)
        fan = rng.integers(0, n, len(author), dtype=np.int64)
        key = author * n + fan
        key = key[(fan != author) & ~_member(key, every_friend)]
        market = np.sort(np.concatenate([market, key]))
        market = market[np.r_[True, market[1:] != market[:-1]]] if len(market) else market
    keys = np.sort(np.concatenate([friend_key, market]))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // n, minlength=n), out=indptr[1:])
    return Followers(indptr=indptr, indices=(keys % n).astype(np.int32))


def _member(query: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(len(query), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
    return sorted_keys[at] == query


def viewers_of(followers: Followers, authors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Everyone who sees the posts of ``authors``: (index into ``authors``, viewer), post by post.

    What the model's ``spread_online`` needs each day: it then draws each viewer's reshare.
    """
    authors = np.asarray(authors, dtype=np.int64)
    count = followers.indptr[authors + 1] - followers.indptr[authors]
    post = np.repeat(np.arange(len(authors), dtype=np.int64), count)
    offset = np.arange(len(post), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return post, followers.indices[followers.indptr[authors][post] + offset]


@dataclass(frozen=True)
class Cascades:
    """Per root post: people who posted it (root included), deepest reshare, views (repeats counted)."""

    size: np.ndarray
    depth: np.ndarray
    views: np.ndarray

    def shape(self) -> dict[str, float]:
        """The shares Goel, Watts & Goldstein (2012, EC) report: no reshare, and beyond one step."""
        k = max(len(self.size), 1)
        return {
            "no_reshare": float(np.count_nonzero(self.size == 1)) / k,
            "beyond_one_step": float(np.count_nonzero(self.depth >= 2)) / k,
            "mean_size": float(self.size.mean()) if len(self.size) else 0.0,
            "max_size": int(self.size.max()) if len(self.size) else 0,
            "max_depth": int(self.depth.max()) if len(self.depth) else 0,
        }


def cascade_sizes(
    followers: Followers, roots: np.ndarray, reshare_prob: float, rng: np.random.Generator, max_depth: int = 100
) -> Cascades:
    """Run one cascade from each root author, all at once, step by step, to the end or ``max_depth``.

    Each viewer of a post reshares with ``reshare_prob``; a resharer posts to their own
    followers at the next step. Nobody reshares the same cascade twice (a viewer who already
    reshared it, or its root, does not again). Size counts the posters, as Goel et al. (2012)
    count adopters: size 1 is a post nobody reshared.
    """
    roots = np.asarray(roots, dtype=np.int64)
    k, n = len(roots), followers.n
    size = np.ones(k, dtype=np.int64)
    depth = np.zeros(k, dtype=np.int64)
    views = np.zeros(k, dtype=np.int64)
    cascade, author = np.arange(k, dtype=np.int64), roots
    seen = np.sort(cascade * n + author)
    for step in range(1, max_depth + 1):
        if len(author) == 0:
            break
        post, viewer = viewers_of(followers, author)
        views += np.bincount(cascade[post], minlength=k)
        shared = rng.random(len(viewer)) < reshare_prob
        key = np.unique(cascade[post[shared]] * n + viewer[shared])
        key = key[~_member(key, seen)]
        seen = np.union1d(seen, key)
        cascade, author = key // n, key % n
        size += np.bincount(cascade, minlength=k)
        depth[cascade] = step
    return Cascades(size=size, depth=depth, views=views)
