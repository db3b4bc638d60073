"""Pictures of a run for the classroom demo and its export: colours, a fixed layout, the drawing.

The browser app (``sim/demo/app.py``) and the GIF/MP4 export (``sim/demo/export.py``) draw with these same
functions, so a slide shows exactly what the class saw. Only matplotlib is used: it needs no
JavaScript, so the page works without internet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from sim.core.config import NetworkConfig, ScenarioConfig
from sim.core.presets import load_preset
from sim.core.states import Membership, Mood

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.core.model import WomModel
    from sim.core.network import Graph


@dataclass(frozen=True)
class Look:
    """How one state is drawn and explained."""

    label: str
    colour: str
    meaning: str


# Index = the code from ``display_codes``: the six moods first, then who is not a customer now.
CHURNED, PROSPECT = len(Mood), len(Mood) + 1
LOOKS = (
    Look("content", "#9ecae1", "no trouble, or trouble long forgotten"),
    Look("swayed", "#fdbf6f", "heard a bad story from a friend or online, had no failure"),
    Look("unhappy", "#e31a1c", "a failure left them dissatisfied; they tell their friends"),
    Look("waiting", "#6a3d9a", "complained (or was found by the firm), waiting for the recovery"),
    Look("recovered", "#33a02c", "the recovery won them back, at least in part"),
    Look("terrorist", "#67000d", "double deviation: failed, then failed again by the recovery; keeps talking"),
    Look("churned", "#bdbdbd", "has left the firm (a churned terrorist stays a star)"),
    Look("prospect", "#ffffff", "in the market, not a customer (yet): hears, tells and may join"),
)
EDGE_COLOUR = "#d0d0d0"
FOCUS_COLOUR = "#000000"
LAYOUT_CACHE_SIZE = 16
_layouts: dict[str, np.ndarray] = {}


def display_codes(model: WomModel) -> np.ndarray:
    """One code per customer indexing ``LOOKS``: the mood, or churned / prospect."""
    pop = model.pop
    codes = pop.mood.astype(np.int8)
    codes[pop.member == Membership.CHURNED] = CHURNED
    codes[pop.member == Membership.PROSPECT] = PROSPECT
    return codes


def fixed_layout(graph: Graph, seed: int = 0) -> np.ndarray:
    """Node positions (n x 2), computed once per graph and reused.

    The picture must not jump while states change, nor between two runs on the same graph
    (the two policies side by side, a reset with the same seed). A graph with communities is
    laid out by community (``community_layout``); one without, by a seeded spring layout.
    """
    parts = [graph.indptr.tobytes(), graph.indices.tobytes(), str(seed).encode()]
    if graph.community is not None:
        parts.append(np.asarray(graph.community).tobytes())
    digest = hashlib.sha1(b"".join(parts)).hexdigest()
    pos = _layouts.get(digest)
    if pos is None:
        if graph.community is not None:
            pos = community_layout(graph, graph.community, seed)
        else:
            layout = nx.spring_layout(graph.to_networkx(), seed=seed)
            pos = np.array([layout[i] for i in range(graph.n)], dtype=np.float64).reshape(graph.n, 2)
        if len(_layouts) >= LAYOUT_CACHE_SIZE:
            _layouts.pop(next(iter(_layouts)))
        _layouts[digest] = pos
    return pos


def community_layout(graph: Graph, community: np.ndarray, seed: int = 0) -> np.ndarray:
    """Communities on a circle, each person near their community's centre: a town, not a hairball.

    Each community gets a disc of area proportional to its people, the discs side by side around
    one circle; inside a disc, a seeded spring layout of the community's own ties. Ties inside a
    community stay short, and the ties between communities are the chords across the circle.
    """
    _, group = np.unique(community, return_inverse=True)
    sizes = np.bincount(group)
    radius = 0.5 * np.sqrt(sizes)
    arc = 2.5 * radius  # the disc's diameter and a quarter of it as the gap to the next
    around = arc.sum()
    big = around / (2 * np.pi) if len(sizes) > 1 else 0.0
    angle = 2 * np.pi * (np.cumsum(arc) - arc / 2) / around
    centres = big * np.column_stack([np.cos(angle), np.sin(angle)])
    pos = np.zeros((graph.n, 2), dtype=np.float64)
    whole = graph.to_networkx()
    order = np.argsort(group, kind="stable")
    bounds = np.r_[0, np.cumsum(sizes)]
    for c in range(len(sizes)):
        members = order[bounds[c] : bounds[c + 1]]
        if len(members) == 1:
            pos[members] = centres[c]
            continue
        local = nx.spring_layout(whole.subgraph(members.tolist()), seed=seed, center=(0.0, 0.0), scale=radius[c])
        pos[members] = centres[c] + np.array([local[i] for i in members.tolist()])
    return pos


def edge_segments(graph: Graph, pos: np.ndarray) -> np.ndarray:
    """Each undirected edge once, as a (edges x 2 x 2) array of end points."""
    u, v = graph.edges()
    return np.stack([pos[u], pos[v]], axis=1)


def edge_styles(graph: Graph) -> dict[str, object]:
    """How each edge of ``edge_segments`` is drawn: by tie strength when the graph has it.

    Strong ties dark, thick and solid; weak ties light, thin and dashed (below the middle of the
    scale), so the communities' cores and the bridges between them read apart. Without
    ``strength``, every tie alike, as before.
    """
    if graph.strength is None:
        return {"colors": EDGE_COLOUR, "linewidths": 0.4}
    strength = np.clip(graph.strength[graph.once()].astype(np.float64), 0.0, 1.0)
    colours = np.empty((len(strength), 4))
    colours[:, :3] = 0.55 - 0.35 * strength[:, None]  # grey: light for weak, dark for strong
    colours[:, 3] = 0.25 + 0.6 * strength
    styles = ["solid" if s >= STRONG_FROM else (0, (3, 3)) for s in strength.tolist()]
    return {"colors": colours, "linewidths": 0.25 + 0.9 * strength, "linestyles": styles}


STRONG_FROM = 0.5  # tie strength from which a tie is drawn solid


def node_sizes(degree: np.ndarray) -> np.ndarray:
    """Marker areas growing with the number of friends, so the busiest customers show."""
    return 10.0 + 6.0 * np.sqrt(degree)


def draw_network(ax: Axes, model: WomModel, pos: np.ndarray, focus: int | None = None, title: str = "") -> None:
    """Customers coloured by state on fixed positions; terrorists as stars; ``focus`` ringed."""
    ax.set_axis_off()
    codes = display_codes(model)
    colours = np.array([look.colour for look in LOOKS])[codes]
    sizes = node_sizes(model.degree)
    ax.add_collection(LineCollection(edge_segments(model.graph, pos), zorder=1, **edge_styles(model.graph)))
    star = model.pop.terrorist
    ax.scatter(
        pos[~star, 0], pos[~star, 1], s=sizes[~star], c=colours[~star], edgecolors="#555555", linewidths=0.3, zorder=2
    )
    ax.scatter(
        pos[star, 0],
        pos[star, 1],
        s=4 * sizes[star] + 60,
        c=colours[star],
        marker="*",
        edgecolors="black",
        linewidths=0.8,
        zorder=3,
    )
    if focus is not None:
        ax.scatter(
            pos[focus, 0],
            pos[focus, 1],
            s=4 * sizes[focus] + 120,
            facecolors="none",
            edgecolors=FOCUS_COLOUR,
            linewidths=2.0,
            zorder=4,
        )
    low, high = pos.min(axis=0), pos.max(axis=0)
    pad = 0.04 * (high - low).max() if len(pos) else 1.0
    ax.set_xlim(low[0] - pad, high[0] + pad)
    ax.set_ylim(low[1] - pad, high[1] + pad)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=8)


def legend_handles(ties: bool = False) -> list[Line2D]:
    """One legend entry per state, prospects (the rest of the market) included; ``ties``: strong and weak."""
    handles = []
    for code, look in enumerate(LOOKS):
        marker, size = ("*", 13) if code == Mood.TERRORIST else ("o", 8)
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=marker,
                markersize=size,
                markerfacecolor=look.colour,
                markeredgecolor="black" if code == Mood.TERRORIST else "#555555",
                label=look.label,
            )
        )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=12,
            markerfacecolor="none",
            markeredgecolor=FOCUS_COLOUR,
            markeredgewidth=2,
            label="hit by you",
        )
    )
    if ties:
        handles.append(Line2D([], [], color="#333333", linewidth=1.15, label="strong tie"))
        handles.append(Line2D([], [], color="#999999", linewidth=0.5, linestyle=(0, (3, 3)), label="weak tie"))
    return handles


def status_line(model: WomModel) -> str:
    """The day's counts, as the panel title shows them."""
    pop = model.pop
    customers = int(np.count_nonzero(pop.member == Membership.ACTIVE))
    unhappy = int(np.count_nonzero(np.isin(pop.mood, (Mood.UNHAPPY, Mood.WAITING, Mood.TERRORIST))))
    return (
        f"{customers} customers · {unhappy} unhappy · {int(pop.terrorist.sum())} terrorists"
        f" · revenue {model.totals.revenue:,.0f}"
    )


def policy_caption(model: WomModel) -> str:
    """What the policy does, as applied (after any slider changes)."""
    p = model.policy
    parts = [name for name, on in (("apology", p.apology), ("fix", p.fix), ("first contact", p.first_contact)) if on]
    if p.compensation_ratio > 0:
        parts.append(f"pays {p.compensation_ratio:g}× the loss")
    if p.guarantee_payout > 0:
        parts.append(f"guarantee {p.guarantee_payout:g}×")
    if p.complaint_barrier != 1.0:
        parts.append(f"complaining {1 / p.complaint_barrier:.1f}× as easy")
    if p.proactive_share > 0:
        parts.append(f"finds {p.proactive_share:.0%} unasked")
    parts.append(f"after {p.delay_days} d" if p.delay_days else "at once")
    return ", ".join(parts) if parts[:-1] else "no recovery"


CHARTS = (
    ("customers", "Customers", False),
    ("unhappy", "Unhappy customers", False),
    ("complaints", "Complaints per day", False),
    ("revenue", "Revenue so far", True),
)


def draw_charts(axes: list[Axes], runs: list[tuple[str, WomModel]]) -> None:
    """The daily counts of each run, one line per run (solid, dashed), one panel per measure."""
    styles = ("-", "--")
    for ax, (column, title, cumulative) in zip(axes, CHARTS, strict=True):
        for (label, model), style in zip(runs, styles, strict=False):
            ts = model.timeseries()
            values = ts[column].cumsum() if cumulative else ts[column]
            ax.plot(ts["day"], values, style, color="#08519c" if style == "-" else "#a50f15", label=label, lw=1.6)
        ax.set_title(title, fontsize=9)
        ax.set_xlim(0, max(10, runs[0][1].day))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    axes[-1].set_xlabel("day", fontsize=8)


def network_figure(fig: Figure, runs: list[tuple[str, WomModel]], focus: int | None = None, day: int = 0) -> None:
    """One network panel per run, side by side, on the same fixed layout, with a shared legend."""
    axes = fig.subplots(1, len(runs), squeeze=False)[0]
    pos = fixed_layout(runs[0][1].graph)
    for ax, (label, model) in zip(axes, runs, strict=True):
        title = f"{label} — {policy_caption(model)}\n{status_line(model)}"
        draw_network(ax, model, pos, focus=focus, title=title)
    wide = len(runs) > 1
    fig.legend(
        handles=legend_handles(ties=runs[0][1].graph.strength is not None),
        loc="lower center",
        ncol=8 if wide else 4,
        fontsize=8,
        frameon=False,
        columnspacing=0.8,
    )
    fig.suptitle(f"Day {day}", fontsize=12, fontweight="bold")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.84, bottom=0.07 if wide else 0.12, wspace=0.04)


def load_scenario(name: str) -> ScenarioConfig:
    """``conf/scenario/NAME.yaml`` as a ``ScenarioConfig``, read as the CLI reads it."""
    return load_preset("scenario", name, ScenarioConfig)


def load_network(name: str) -> NetworkConfig:
    """``conf/network/NAME.yaml`` as a ``NetworkConfig``."""
    return load_preset("network", name, NetworkConfig)
