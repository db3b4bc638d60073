"""Pure diffusion: the word-of-mouth kernel as an SIR process on the model's CSR graph.

A customer who has heard the story (infectious) tells each friend who has not heard it
with probability ``tell_prob`` a day, and stops telling with probability ``stop_prob``
at the end of each day of telling (so tells on ``D ~ Geometric(stop_prob) >= 1`` days).
Once told, a friend starts telling the next day. Stopped tellers are recovered: they
neither tell nor hear again. This is the discrete-time SIR model on a network (Kiss,
Miller & Simon 2017, *Mathematics of Epidemics on Networks*), word of mouth with no
failures, complaints, recovery or churn around it.

The simulation is event-driven, not day-by-day: when a customer first hears, one draw
fixes how many days they will tell, and one draw per not-yet-told friend fixes the day
of the first successful tell (``Geometric(tell_prob)``); it happens if that day comes
before the teller stops. Whoever is reached first is infected on that day; later tells to
them are void. Each edge is thus touched once per teller, and days on which nothing
happens cost nothing. This is the same process in law as the day-by-day one (the first
success of independent daily trials is geometric), and the one ``EoN.fast_nonMarkov_SIR``
simulates when given geometric delays (tests/test_diffusion.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.core.network import Graph


@dataclass(frozen=True)
class SirRun:
    """Daily counts from day 0 to the day the last teller stops, and each node's days."""

    day: np.ndarray  # 0, 1, ..., last
    susceptible: np.ndarray  # never told by the end of that day
    infectious: np.ndarray  # told, still telling after that day
    recovered: np.ndarray  # stopped telling by the end of that day
    infected_on: np.ndarray  # per node: day first told (initial: 0), -1 if never
    stopped_on: np.ndarray  # per node: last day of telling, -1 if never told

    @property
    def final_size(self) -> int:
        """Everyone ever told, the initial tellers included (as EoN counts it)."""
        return int(self.recovered[-1])


def sir(
    graph: Graph,
    tell_prob: float,
    stop_prob: float,
    initial: np.ndarray,
    *,
    rng: np.random.Generator,
    max_days: int | None = None,
) -> SirRun:
    """Run the SIR process of word of mouth from ``initial`` tellers until nobody tells.

    Args:
        graph: the social graph (CSR), as ``WomModel.graph`` holds it.
        tell_prob: daily chance that a teller tells a given friend who has not heard yet.
        stop_prob: daily chance that a teller stops after a day of telling (> 0).
        initial: node ids who know the story on day 0 and tell from day 1.
        rng: the only source of randomness (keyword-only).
        max_days: ignore tells after this day (``None``: run to extinction).

    Returns:
        A ``SirRun`` of plain arrays.

    Example:
        >>> from sim.core.network import from_edges
        >>> path = from_edges(4, np.array([0, 1, 2]), np.array([1, 2, 3]), np.random.default_rng(0))
        >>> run = sir(path, 1.0, 1.0, np.array([0]), rng=np.random.default_rng(1))
        >>> run.infected_on.tolist(), run.final_size
        ([0, 1, 2, 3], 4)
    """
    if not 0.0 <= tell_prob <= 1.0:
        raise ValueError(f"tell_prob = {tell_prob!r}: must be a probability in [0, 1]")
    if not 0.0 < stop_prob <= 1.0:
        raise ValueError(f"stop_prob = {stop_prob!r}: must be a probability in (0, 1]")
    n = graph.n
    initial = _distinct(np.asarray(initial, dtype=np.int64))
    if len(initial) and (initial[0] < 0 or initial[-1] >= n):
        raise ValueError(f"initial: node ids must lie in [0, {n})")
    horizon = np.iinfo(np.int32).max if max_days is None else max_days
    infected_on = np.full(n, -1, dtype=np.int32)
    stopped_on = np.full(n, -1, dtype=np.int32)
    calendar: dict[int, list[np.ndarray]] = defaultdict(list)  # day -> friends reached that day
    degree = graph.degree
    new, day = initial, 0
    infected_on[new] = 0
    while True:
        if len(new):
            telling_days = rng.geometric(stop_prob, len(new))
            stopped_on[new] = day + telling_days
            friends, days_left = _open_friends(graph, degree, new, telling_days, infected_on)
            if tell_prob > 0 and len(friends):
                first = rng.geometric(tell_prob, len(friends))
                reached = first <= days_left
                _file(calendar, friends[reached], day + first[reached], horizon)
        if not calendar:
            break
        day = min(calendar)
        heard = np.concatenate(calendar.pop(day))
        new = _distinct(heard[infected_on[heard] < 0])
        infected_on[new] = day
    return _counts(infected_on, stopped_on)


def _distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy 2's hash-based ``np.unique`` is slow on millions)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def _open_friends(
    graph: Graph, degree: np.ndarray, tellers: np.ndarray, telling_days: np.ndarray, infected_on: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Friends of ``tellers`` who have not heard yet, with their teller's telling days."""
    deg = degree[tellers]
    starts = np.repeat(graph.indptr[tellers] - (np.cumsum(deg) - deg), deg)
    friends = graph.indices[starts + np.arange(len(starts))]
    days_left = np.repeat(telling_days, deg)
    still = infected_on[friends] < 0
    return friends[still], days_left[still]


def _file(calendar: dict[int, list[np.ndarray]], who: np.ndarray, days: np.ndarray, horizon: int) -> None:
    keep = days <= horizon
    if not keep.any():
        return
    order = np.argsort(days[keep])
    who, days = who[keep][order], days[keep][order]
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    ends = np.r_[starts[1:], len(days)]
    for d, a, b in zip(days[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        calendar[d].append(who[a:b])


def _counts(infected_on: np.ndarray, stopped_on: np.ndarray) -> SirRun:
    ever = infected_on >= 0
    last = int(stopped_on.max()) if ever.any() else 0
    n = len(infected_on)
    told = np.cumsum(np.bincount(infected_on[ever], minlength=last + 1))
    stopped = np.cumsum(np.bincount(stopped_on[ever], minlength=last + 1))
    return SirRun(
        day=np.arange(last + 1),
        susceptible=n - told,
        infectious=told - stopped,
        recovered=stopped,
        infected_on=infected_on,
        stopped_on=stopped_on,
    )
