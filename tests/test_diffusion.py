"""Pure-diffusion SIR mode: invariants on hand-built graphs, the exact law on one edge, and EoN."""

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from sim.core.diffusion import sir
from sim.core.network import from_edges, from_networkx


def graph(edges, n):
    e = np.array(edges)
    return from_edges(n, e[:, 0], e[:, 1], np.random.default_rng(0))


PATH = graph([(i, i + 1) for i in range(9)], 10)


def test_certain_telling_on_a_path_spreads_one_hop_a_day():
    run = sir(PATH, 1.0, 1.0, np.array([0]), rng=np.random.default_rng(0))
    assert run.infected_on.tolist() == list(range(10))
    assert run.stopped_on.tolist() == list(range(1, 11))
    assert run.infectious.tolist() == [1] * 10 + [0]
    assert run.final_size == 10


def test_no_telling_spreads_nothing():
    run = sir(PATH, 0.0, 0.3, np.array([2, 7]), rng=np.random.default_rng(0))
    assert run.final_size == 2
    assert np.flatnonzero(run.infected_on >= 0).tolist() == [2, 7]


def test_counts_add_up_and_every_hearer_was_told_by_a_friend_in_time():
    g = from_networkx(nx.barabasi_albert_graph(2000, 3, seed=1), np.random.default_rng(1))
    run = sir(g, 0.1, 0.3, np.arange(5), rng=np.random.default_rng(2))
    assert np.all(run.susceptible + run.infectious + run.recovered == g.n)
    assert np.all(np.diff(run.susceptible) <= 0) and np.all(np.diff(run.recovered) >= 0)
    assert run.infectious[-1] == 0
    told = np.flatnonzero(run.infected_on > 0)
    assert len(told) > 100
    for v in told:
        friends = g.neighbours(v)
        day = run.infected_on[v]
        # Some friend had heard before and was still telling that day.
        heard_before = (run.infected_on[friends] >= 0) & (run.infected_on[friends] < day)
        assert np.any(heard_before & (run.stopped_on[friends] >= day))


def test_one_edge_transmits_with_the_geometric_race_probability():
    """P(tell before stopping) = p / (1 - (1 - p)(1 - q)); exact binomial test over 4000 runs."""
    p, q, runs = 0.2, 0.3, 4000
    edge = graph([(0, 1)], 2)
    rng = np.random.default_rng(5)
    hits = sum(sir(edge, p, q, np.array([0]), rng=rng).final_size == 2 for _ in range(runs))
    expected = p / (1 - (1 - p) * (1 - q))
    assert stats.binomtest(hits, runs, expected).pvalue > 0.001


def test_bad_arguments_fail_with_the_field_name():
    with pytest.raises(ValueError, match="stop_prob"):
        sir(PATH, 0.5, 0.0, np.array([0]), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="tell_prob"):
        sir(PATH, 1.5, 0.5, np.array([0]), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="initial"):
        sir(PATH, 0.5, 0.5, np.array([10]), rng=np.random.default_rng(0))


# ---------------------------------------------------------------- against EoN
N, P, Q, RUNS = 400, 0.08, 0.25, 300
ALPHA = 0.001


def eon_final_sizes(g: nx.Graph, p: float, q: float, runs: int, seed: int) -> np.ndarray:
    """EoN's event-driven simulator given the same geometric delays (days to first tell, days telling)."""
    eon = pytest.importorskip("EoN")
    rng = np.random.default_rng(seed)
    sizes = []
    for _ in range(runs):
        _, _, _, r = eon.fast_nonMarkov_SIR(
            g,
            trans_time_fxn=lambda u, v: rng.geometric(p),
            rec_time_fxn=lambda u: rng.geometric(q),
            initial_infecteds=[0, 1, 2],
            rng=rng,
        )
        sizes.append(r[-1])
    return np.array(sizes)


def our_final_sizes(g: nx.Graph, p: float, runs: int, seed: int) -> np.ndarray:
    csr = from_networkx(g, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    return np.array([sir(csr, p, Q, np.array([0, 1, 2]), rng=rng).final_size for _ in range(runs)])


def ad_test(a: np.ndarray, b: np.ndarray):
    """Two-sample Anderson-Darling (midrank: final sizes tie), p-value by 4999 permutations."""
    method = stats.PermutationMethod(n_resamples=4999, random_state=1)
    return stats.anderson_ksamp([a, b], variant="midrank", method=method)


@pytest.fixture(scope="module")
def small_graph_and_eon():
    g = nx.barabasi_albert_graph(N, 2, seed=11)
    return g, eon_final_sizes(g, P, Q, RUNS, seed=12)


def test_final_sizes_agree_with_eon_in_distribution(small_graph_and_eon):
    g, eon_sizes = small_graph_and_eon
    ours = our_final_sizes(g, P, RUNS, seed=13)
    res = ad_test(ours, eon_sizes)
    assert res.pvalue > ALPHA, f"means {ours.mean():.1f} vs {eon_sizes.mean():.1f}, p = {res.pvalue}"


def test_the_eon_comparison_detects_a_20_percent_higher_tell_probability(small_graph_and_eon):
    """Power check: the same test rejects a kernel that tells a little more often."""
    g, eon_sizes = small_graph_and_eon
    louder = our_final_sizes(g, 1.2 * P, RUNS, seed=14)
    res = ad_test(louder, eon_sizes)
    assert res.pvalue < ALPHA
