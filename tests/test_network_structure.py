"""Communities, tie strength, clustered customers and the follower graph, on small hand-built graphs."""

import networkx as nx
import numpy as np
import pytest

from sim.core import network
from sim.core.config import NetworkConfig
from sim.core.followers import Followers, build_followers, cascade_sizes, follower_counts, viewers_of
from sim.core.network import (
    assortativity,
    build,
    common_neighbours,
    community_blocks,
    embeddedness,
    from_edges,
    from_networkx,
    place_customers,
    strength_from_communities,
    strength_from_embeddedness,
)


def _two_cliques(rng_seed: int = 0) -> network.Graph:
    """Two 5-cliques (0-4, 5-9) joined by the single bridge 4-5."""
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    g.add_edge(4, 5)
    return from_networkx(g, np.random.default_rng(rng_seed))


def _by_tie(graph: network.Graph, values: np.ndarray) -> dict[tuple[int, int], float]:
    return {(int(u), int(v)): float(x) for u, v, x in zip(graph.sources(), graph.indices, values, strict=True)}


def test_strength_is_symmetric_on_built_graphs():
    for kind in ("stochastic_block", "watts_strogatz", "barabasi_albert"):
        g = build(NetworkConfig(kind=kind, mean_degree=8, community_size=10, m=4, k=8), 300, np.random.default_rng(1))
        assert g.strength is not None and g.strength.dtype == np.float32 and len(g.strength) == len(g.indices)
        assert g.strength.min() >= 0.0 and g.strength.max() <= 1.0
        ties = _by_tie(g, g.strength)
        assert all(ties[(v, u)] == s for (u, v), s in ties.items()), kind


def test_inside_ties_are_strong_and_the_bridge_weak():
    g = _two_cliques()
    community = np.repeat(np.arange(2, dtype=np.int32), 5)
    ties = _by_tie(g, strength_from_communities(g, community, strong=0.9, weak=0.2))
    assert ties[(4, 5)] == ties[(5, 4)] == pytest.approx(0.2)
    assert all(s == pytest.approx(0.9) for (u, v), s in ties.items() if (u, v) not in ((4, 5), (5, 4)))


def test_embeddedness_zero_for_a_bridge_high_inside_a_clique():
    g = _two_cliques()
    overlap = _by_tie(g, embeddedness(g))
    assert overlap[(4, 5)] == 0.0
    assert overlap[(0, 1)] == pytest.approx(1.0)  # nobody outside: a full clique
    assert overlap[(3, 4)] == pytest.approx(0.75)  # 3 shared; 4 also knows 5
    ties = _by_tie(g, strength_from_embeddedness(g, strong=1.0, weak=0.25))
    assert ties[(4, 5)] == pytest.approx(0.25) and ties[(0, 1)] == pytest.approx(1.0)


def test_common_neighbours_match_networkx_on_a_scale_free_graph():
    ref = nx.barabasi_albert_graph(400, 6, seed=3)
    g = from_networkx(ref, np.random.default_rng(0))
    shared = common_neighbours(g)
    expected = [len(set(ref[u]) & set(ref[v])) for u, v in zip(g.sources().tolist(), g.indices.tolist(), strict=True)]
    np.testing.assert_array_equal(shared, expected)


def test_strength_follows_the_row_shuffle():
    """The same ties shuffled two ways: each tie keeps its strength wherever its entry went."""
    u, v = np.array([0, 0, 1, 2, 3, 4, 5, 1]), np.array([1, 2, 2, 3, 4, 5, 3, 5])
    a, b = from_edges(6, u, v, np.random.default_rng(1)), from_edges(6, u, v, np.random.default_rng(2))
    assert not np.array_equal(a.indices, b.indices)
    community = np.array([0, 0, 0, 1, 1, 1], dtype=np.int32)
    for graph_a, graph_b, values in (
        (a, b, lambda g: strength_from_communities(g, community, 1.0, 0.3)),
        (a, b, embeddedness),
    ):
        assert _by_tie(graph_a, values(graph_a)) == _by_tie(graph_b, values(graph_b))


def test_structure_adds_no_draw_and_keeps_the_ties():
    cfg = NetworkConfig(mean_degree=6, community_size=10)
    plain = build(cfg, 200, np.random.default_rng(5), structure=False)
    rich = build(cfg, 200, np.random.default_rng(5))
    np.testing.assert_array_equal(plain.indices, rich.indices)
    assert plain.strength is None and plain.community is None
    np.testing.assert_array_equal(rich.community, community_blocks(200, 10))
    inside = rich.community[rich.sources()] == rich.community[rich.indices]
    assert np.all(rich.strength[inside] == network.STRONG_TIE) and np.all(rich.strength[~inside] == network.WEAK_TIE)


def test_assortativity_matches_networkx():
    ref = nx.watts_strogatz_graph(200, 6, 0.2, seed=1)
    g = from_networkx(ref, np.random.default_rng(0))
    trait = np.random.default_rng(2).random(200) < 0.3
    trait[:40] = True  # neighbours on the ring alike: positive
    nx.set_node_attributes(ref, {i: bool(trait[i]) for i in range(200)}, "c")
    assert assortativity(g, trait) == pytest.approx(nx.attribute_assortativity_coefficient(ref, "c"))


def test_uniform_placement_is_todays_draw():
    g = build(NetworkConfig(mean_degree=6, community_size=10), 500, np.random.default_rng(0))
    for concentration in (0.0, float("inf")):
        placed = place_customers(g, 120, concentration, np.random.default_rng(9))
        np.testing.assert_array_equal(placed, np.random.default_rng(9).choice(500, size=120, replace=False))
    np.testing.assert_array_equal(place_customers(g, 500, 1.0, np.random.default_rng(9)), np.arange(500))


def _assortativities(graph, concentration, seeds):
    out = []
    for seed in seeds:
        placed = place_customers(graph, 1000, concentration, np.random.default_rng(seed))
        assert len(placed) == 1000 and len(np.unique(placed)) == 1000
        is_customer = np.zeros(graph.n, dtype=bool)
        is_customer[placed] = True
        out.append(assortativity(graph, is_customer))
    return np.array(out)


@pytest.mark.parametrize("kind", ["stochastic_block", "watts_strogatz"])
def test_low_concentration_clusters_customers(kind):
    """Uniform placement: r near 0; concentration 1: far above, by many of uniform's standard deviations.

    The Watts-Strogatz graph has no community labels: the local clusters of friends stand in.
    """
    cfg = NetworkConfig(kind=kind, mean_degree=12, community_size=40, k=12)
    g = build(cfg, 4000, np.random.default_rng(3))
    uniform = _assortativities(g, 0.0, range(10))
    clustered = _assortativities(g, 1.0, range(10))
    spread = max(uniform.std(ddof=1), 1e-3)
    assert abs(uniform.mean()) < 4 * spread
    assert clustered.mean() > uniform.mean() + 10 * spread
    assert clustered.min() > 0.1


def test_follower_counts_are_heavy_tailed():
    counts = follower_counts(200_000, 30.0, 1.5, np.random.default_rng(0))
    assert counts.mean() == pytest.approx(30.0, rel=0.05)
    assert counts.max() / counts.mean() > 100
    # Complementary CDF on log-log axes: falls ever faster (lognormal), with a slope still shallower
    # than -3 between 30 and 300 followers (a power law of exponent ~2.3 would give -1.3).
    ccdf = [np.mean(counts >= x) for x in (30, 300)]
    slope = np.log(ccdf[1] / ccdf[0]) / np.log(10.0)
    assert -3.0 < slope < -1.0


def test_followers_are_friends_first_then_strangers_without_repeats():
    g = build(NetworkConfig(mean_degree=10, community_size=20), 3000, np.random.default_rng(1))
    f = build_followers(g, 30.0, 1.5, np.random.default_rng(2))
    src = np.repeat(np.arange(f.n), f.audience)
    key = src * f.n + f.indices
    assert len(np.unique(key)) == len(key) and np.all(src != f.indices)
    friends = set((g.sources().astype(np.int64) * g.n + g.indices).tolist())
    is_friend = np.array([k in friends for k in key.tolist()])
    per_person_friends = np.bincount(src, weights=is_friend, minlength=f.n)
    full = f.audience >= g.degree  # enough followers: every friend follows
    np.testing.assert_array_equal(per_person_friends[full], g.degree[full])
    np.testing.assert_array_equal(per_person_friends[~full], f.audience[~full])  # too few: friends only


def test_no_reshare_means_size_one_everywhere():
    g = build(NetworkConfig(mean_degree=10, community_size=20), 2000, np.random.default_rng(1))
    f = build_followers(g, 30.0, 1.5, np.random.default_rng(2))
    roots = np.arange(0, 2000, 7)
    c = cascade_sizes(f, roots, 0.0, np.random.default_rng(3), max_depth=10)
    assert np.all(c.size == 1) and np.all(c.depth == 0)
    np.testing.assert_array_equal(c.views, f.audience[roots])
    assert c.shape()["no_reshare"] == 1.0


def test_certain_reshare_reaches_everyone_downstream_once():
    # 0 -> 1 -> 2 -> 3 and 0 -> 2: with reshare_prob 1 all four post once, the deepest at step 3.
    f = Followers(indptr=np.array([0, 2, 3, 4, 4]), indices=np.array([1, 2, 2, 3], dtype=np.int32))
    c = cascade_sizes(f, np.array([0, 3]), 1.0, np.random.default_rng(0))
    np.testing.assert_array_equal(c.size, [4, 1])
    np.testing.assert_array_equal(c.depth, [2, 0])  # 2 heard from 0 at step 1, so 3 at step 2
    post, viewer = viewers_of(f, np.array([0, 1]))
    np.testing.assert_array_equal(post, [0, 0, 1])
    np.testing.assert_array_equal(viewer, [1, 2, 2])
