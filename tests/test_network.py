"""The scalable graph path: numpy's Barabasi-Albert, Watts-Strogatz and Erdos-Renyi against networkx's; CSR."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from sim.core import network
from sim.core.config import NetworkConfig
from sim.core.network import (
    LARGE_GRAPH,
    barabasi_albert_edges,
    build,
    erdos_renyi_edges,
    from_edges,
    from_networkx,
    watts_strogatz_edges,
)

igraph = pytest.importorskip("igraph")

N, M, GRAPHS = 3000, 5, 20
# Degree bins: the minimum degree m, its next values, and the tail in widening bands.
BINS = [5, 6, 7, 8, 10, 15, 30, 10**9]
ALPHA = 0.001  # family-wise, Bonferroni over the bins


def degree_shares(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    degree = np.bincount(np.concatenate([u, v]), minlength=n)
    return np.histogram(degree, bins=BINS)[0] / n


def nx_shares(seed: int) -> np.ndarray:
    e = np.array(nx.barabasi_albert_graph(N, M, seed=seed).edges())
    return degree_shares(e[:, 0], e[:, 1], N)


def igraph_shares(seed: int, zero_appeal: int = 0) -> np.ndarray:
    if zero_appeal == 0:
        return degree_shares(*barabasi_albert_edges(N, M, seed), N)
    import random

    igraph.set_random_number_generator(random.Random(seed))
    star = igraph.Graph.Star(M + 1)
    g = igraph.Graph.Barabasi(N, M, zero_appeal=zero_appeal, implementation="psumtree", start_from=star)
    igraph.set_random_number_generator(random)
    e = np.array(g.get_edgelist())
    return degree_shares(e[:, 0], e[:, 1], N)


def bin_pvalues(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Welch t-test per degree bin on the per-graph shares (graphs are independent replicates)."""
    return np.array([stats.ttest_ind(a[:, j], b[:, j], equal_var=False).pvalue for j in range(a.shape[1])])


@pytest.fixture(scope="module")
def networkx_shares() -> np.ndarray:
    return np.array([nx_shares(seed) for seed in range(GRAPHS)])


def test_igraph_barabasi_albert_has_networkx_degree_distribution(networkx_shares):
    ours = np.array([igraph_shares(1000 + seed) for seed in range(GRAPHS)])
    p = bin_pvalues(ours, networkx_shares)
    assert p.min() > ALPHA / len(p), f"degree bins differ: p = {np.round(p, 5)}"
    # The minimum degree's share is 2 / (m + 2) in the large-graph limit (Bollobas et al. 2001).
    assert ours[:, 0].mean() == pytest.approx(2 / (M + 2), abs=0.01)


def test_the_degree_test_rejects_a_different_attachment_rule(networkx_shares):
    """Power check: attachment to degree + 1 (igraph's default) shifts the degree distribution."""
    shifted = np.array([igraph_shares(2000 + seed, zero_appeal=1) for seed in range(GRAPHS)])
    assert bin_pvalues(shifted, networkx_shares).min() < ALPHA / (len(BINS) - 1)


def test_large_barabasi_albert_is_simple_with_m_edges_per_new_node():
    n = 20_000
    u, v = barabasi_albert_edges(n, M, seed=3)
    assert len(u) == M + M * (n - M - 1)  # the star, then m per new node
    assert np.all(u != v)
    key = np.minimum(u, v) * n + np.maximum(u, v)
    assert len(np.unique(key)) == len(key)
    assert np.all(np.maximum(u, v)[M:] == np.repeat(np.arange(M + 1, n), M))  # each new node links back


def test_same_seed_same_large_graph_and_builder_chosen_by_size(monkeypatch):
    cfg = NetworkConfig(kind="barabasi_albert", m=M)
    a = build(cfg, LARGE_GRAPH, np.random.default_rng(7))
    b = build(cfg, LARGE_GRAPH, np.random.default_rng(7))
    c = build(cfg, LARGE_GRAPH, np.random.default_rng(8))
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indices, c.indices)
    assert a.degree.min() == M and a.degree.sum() == 2 * (M + M * (LARGE_GRAPH - M - 1))
    # The numpy path is taken from LARGE_GRAPH on, and only there.
    calls = []
    real = network.barabasi_albert_edges
    monkeypatch.setattr(network, "barabasi_albert_edges", lambda *args: calls.append(args) or real(*args))
    build(cfg, LARGE_GRAPH - 1, np.random.default_rng(7))
    assert calls == []
    build(cfg, LARGE_GRAPH, np.random.default_rng(7))
    assert len(calls) == 1


def graph_stats(u: np.ndarray, v: np.ndarray, n: int) -> tuple[float, float, float]:
    """Ties, degree spread and mean clustering of one graph."""
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    degree = np.array([d for _, d in g.degree()])
    return g.number_of_edges(), float(degree.std()), nx.average_clustering(g)


SMALL, REPS = 2000, 12


@pytest.mark.parametrize("kind", ["watts_strogatz", "erdos_renyi"])
def test_numpy_generators_match_networkx(kind):
    """Same model: ties, degree spread and clustering agree with networkx's (Welch, per statistic)."""
    if kind == "watts_strogatz":
        ours = [watts_strogatz_edges(SMALL, 10, 0.1, np.random.default_rng(s)) for s in range(REPS)]
        theirs = [nx.watts_strogatz_graph(SMALL, 10, 0.1, seed=s) for s in range(REPS)]
    else:
        ours = [erdos_renyi_edges(SMALL, 10 / (SMALL - 1), np.random.default_rng(s)) for s in range(REPS)]
        theirs = [nx.fast_gnp_random_graph(SMALL, 10 / (SMALL - 1), seed=s) for s in range(REPS)]
    a = np.array([graph_stats(u, v, SMALL) for u, v in ours])
    b = np.array([graph_stats(*np.array(g.edges()).T, SMALL) for g in theirs])
    for u, v in ours:
        key = np.minimum(u, v) * SMALL + np.maximum(u, v)
        assert np.all(u != v) and len(np.unique(key)) == len(key)  # simple graphs
    if kind == "watts_strogatz":
        assert np.all(a[:, 0] == SMALL * 5) and np.all(b[:, 0] == SMALL * 5)  # rewiring keeps every tie
        a, b = a[:, 1:], b[:, 1:]
    p = bin_pvalues(a, b)
    assert p.min() > ALPHA / len(p), f"statistics differ: p = {np.round(p, 5)}"


def test_the_generator_test_rejects_another_rewiring_share():
    """Power check: rewiring 20 % instead of 10 % moves the clustering well beyond the test's reach."""
    a = np.array(
        [graph_stats(*watts_strogatz_edges(SMALL, 10, 0.2, np.random.default_rng(s)), SMALL) for s in range(REPS)]
    )
    b = np.array(
        [graph_stats(*np.array(nx.watts_strogatz_graph(SMALL, 10, 0.1, seed=s).edges()).T, SMALL) for s in range(REPS)]
    )
    assert bin_pvalues(a[:, 1:], b[:, 1:]).min() < ALPHA / 2


def test_from_edges_symmetrises_dedups_and_shuffles_rows():
    u = np.array([0, 1, 0, 2, 3, 3, 0])
    v = np.array([1, 0, 2, 2, 0, 1, 3])  # 0-1 twice, a self-loop 2-2
    g = from_edges(4, u, v, np.random.default_rng(0))
    assert g.indptr.tolist() == [0, 3, 5, 6, 8]
    assert [sorted(g.neighbours(i).tolist()) for i in range(4)] == [[1, 2, 3], [0, 3], [0], [0, 1]]
    # Row order is random: over seeds, node 0's first friend takes each of its three values.
    firsts = {int(from_edges(4, u, v, np.random.default_rng(s)).neighbours(0)[0]) for s in range(30)}
    assert firsts == {1, 2, 3}


def test_from_networkx_round_trip():
    g = nx.barabasi_albert_graph(300, 3, seed=4)
    csr = from_networkx(g, np.random.default_rng(0))
    assert nx.utils.graphs_equal(csr.to_networkx(), g)


def test_packed_row_shuffle_of_large_markets_keeps_rows_and_orders_them_uniformly():
    """The path above 2,097,152 people, forced onto a complete graph of 6 with 9 random bits (ties common)."""
    lo, hi = (x.astype(np.int32) for x in np.triu_indices(6, k=1))
    first = []
    for seed in range(600):
        src = np.concatenate([lo, hi]).astype(np.int64)
        idx = network.shuffle_rows_packed(src, lo, hi, 6, np.random.default_rng(seed), id_bits=27)
        rows = idx.reshape(6, 5)
        assert all(sorted(rows[i].tolist()) == [j for j in range(6) if j != i] for i in range(6))
        first.append(int(rows[0, 0]))
    counts = np.bincount(first, minlength=6)[1:]
    assert stats.chisquare(counts).pvalue > 0.001, counts  # each of node 0's friends first 1 time in 5
