"""What is recorded each day (DataCollector reporters) and at the end (the summary)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.core import value
from sim.core.states import Membership, Mood
from sim.core.value import current_loyalty  # defined there: value needs it, metrics reads it

if TYPE_CHECKING:
    from sim.core.model import WomModel

UNHAPPY_MOODS = (Mood.UNHAPPY, Mood.WAITING, Mood.TERRORIST)
# Summary figures that are ``null`` when undefined (nothing to divide by, or not counted by the spread process).
UNDEFINED_AS_NULL = (
    "complaint_share",
    "positive_to_negative_wom",
    "story_reproduction",
    "cascades_no_reshare_share",
    "cascades_past_one_step_share",
    "mean_tells_per_unhappy",
    "share_telling_over_20",
    "buy_again_share",
    "mean_loyalty_end",
    "mean_satisfaction_end",
)


@dataclass
class Counts:
    """Flows of one day; the model keeps one for today and one for the whole run."""

    purchases: int = 0
    lost_purchases: int = 0  # occasions bought from a rival
    revenue: float = 0.0
    internal_failures: int = 0
    failures: int = 0  # external: seen by the customer
    dissatisfied: int = 0
    complaints: int = 0
    detected: int = 0  # found by proactive recovery without a complaint
    recoveries: int = 0
    satisfied_recoveries: int = 0
    double_deviations: int = 0
    new_terrorists: int = 0
    negative_wom: int = 0  # all negative messages heard: friends, forwards, online, terrorists
    firsthand_wom: int = 0  # told by customers about their own failure, to friends
    positive_wom: int = 0
    online_wom: int = 0
    recovery_cost: float = 0.0
    rework_cost: float = 0.0
    acquisition_cost: float = 0.0
    lost: int = 0
    acquired: int = 0
    won_back: int = 0  # of the acquired: former customers who came back
    stories: int = 0  # negative telling episodes started: first-hand, forwarded, terrorists'
    forwarded: int = 0  # of them, started by a hearer passing a friend's story on
    verdicts: int = 0  # failure episodes closed (no complaint, or the complaint answered)
    buy_again_intent: float = 0.0  # their summed will to buy again (loyalty at the close)
    profit: float = 0.0

    def reset(self) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, type(f.default)())

    def add_to(self, total: Counts) -> None:
        for f in dataclasses.fields(self):
            setattr(total, f.name, getattr(total, f.name) + getattr(self, f.name))


def _today(name: str):
    return lambda m: getattr(m.today, name)


STOCKS = (
    "customers",
    "prospects",
    "churned",
    "unhappy",
    "swayed",
    "terrorists",
    "mean_loyalty",
    "mean_satisfaction",
)


def stocks(m: WomModel) -> dict[str, int | float]:
    """The stock columns of one day, reading each population array once (they are long)."""
    pop = m.pop
    active = pop.member == Membership.ACTIVE
    who = np.flatnonzero(active)  # the customers, once for every column that reads them
    customers = len(who)
    prospects = pop.n - int(np.count_nonzero(pop.member))  # PROSPECT is 0: no temporary
    held = pop.mood[who]  # current customers' moods: a quarter of the people, counted five times
    return {
        "customers": customers,
        "prospects": prospects,
        "churned": pop.n - customers - prospects,
        "unhappy": sum(int(np.count_nonzero(held == code)) for code in UNHAPPY_MOODS),
        "swayed": int(np.count_nonzero(held == Mood.SWAYED)),
        "terrorists": int(np.count_nonzero(pop.terrorist)),
        "mean_loyalty": float(current_loyalty(m, who).mean()) if customers else 0.0,
        # A masked dot product: no copy of the selected satisfactions.
        "mean_satisfaction": float(np.einsum("i,i->", pop.satisfaction, active) / customers) if customers else 0.0,
    }


class DailyRecord(mesa.DataCollector):
    """The model's DataCollector: one column a reporter, the stocks from one ``stocks`` call a day.

    The day's stocks are taken when ``collect`` starts, before any reporter runs, so each stock
    column reads the same snapshot whatever order the reporters are called in.
    """

    def __init__(self) -> None:
        self.snapshot: dict[str, int | float] = {}
        super().__init__(model_reporters=daily_reporters(self.snapshot))

    def collect(self, model: WomModel) -> None:
        self.snapshot.clear()
        self.snapshot.update(stocks(model))
        super().collect(model)


def daily_reporters(snapshot: dict[str, int | float]) -> dict[str, Any]:
    """One column of ``timeseries.parquet`` each; the stock columns read ``snapshot`` (``DailyRecord`` fills it)."""
    columns: dict[str, Any] = {"day": _day} | {name: _stock(snapshot, name) for name in STOCKS}
    flows = {f.name: _today(f.name) for f in dataclasses.fields(Counts)}
    return columns | flows


def _day(m: WomModel) -> int:
    return m.day


def _stock(snapshot: dict[str, int | float], name: str):
    return lambda m: snapshot[name]


def summary(model: WomModel) -> dict[str, Any]:
    """The one-row result of a run.

    ``customer_equity``, the headline and the one in ``npv_with_equity``, values the customers
    still active with the failures still to come and the policy's handling of them
    (``sim.core.value``): a policy's worth includes how it will handle the failures of the years
    ahead, not only of the year simulated. ``customer_equity_no_future_failures`` sets them aside.
    """
    t = model.totals
    customers_start = model.customers_start
    ever = customers_start + t.acquired
    told = model.telling_histogram
    sir = model.cfg.wom.process == "sir"
    equity, equity_no_future_failures = value.equities(model)
    finished = int(told.sum())
    return {
        "days": model.day,
        "revenue": t.revenue,
        "profit": t.profit,
        "recovery_cost": t.recovery_cost,
        "rework_cost": t.rework_cost,
        "acquisition_cost": t.acquisition_cost,
        "npv": model.npv,
        # What the customers still active at the end are worth, discounted to day 0: the long-term
        # side of "keep the relationship for long-term profit, not short-term cost".
        "customer_equity": equity,
        "customer_equity_no_future_failures": equity_no_future_failures,
        "npv_with_equity": model.npv + equity,
        "market_size": model.pop.n,
        "customers_start": customers_start,
        "customers_end": int(np.count_nonzero(model.pop.member == Membership.ACTIVE)),
        "customers_acquired": t.acquired,
        "customers_lost": t.lost,
        "customers_won_back": t.won_back,
        "churn_rate": t.lost / ever if ever else 0.0,
        "purchases": t.purchases,
        "lost_purchases": t.lost_purchases,
        "failures": t.failures,
        "internal_failures": t.internal_failures,
        "dissatisfied": t.dissatisfied,
        "complaints": t.complaints,
        "complaint_share": ratio(t.complaints, t.dissatisfied),
        "detected": t.detected,
        "recoveries": t.recoveries,
        "satisfied_recoveries": t.satisfied_recoveries,
        "double_deviations": t.double_deviations,
        "terrorists": int(np.count_nonzero(model.pop.terrorist)),
        "negative_wom_messages": t.negative_wom,
        "firsthand_wom_messages": t.firsthand_wom,
        "positive_wom_messages": t.positive_wom,
        "online_wom_messages": t.online_wom,
        "positive_to_negative_wom": ratio(t.positive_wom, t.negative_wom),
        "online_cascades": len(model.cascades),
        # Stories started per story: the reproduction number of negative stories over the run.
        "story_reproduction": ratio(t.forwarded, t.stories),
        "customers_assortativity": model.assortativity_start,
        "cascades_no_reshare_share": _share(model.cascades, lambda d: d == 0),
        "cascades_past_one_step_share": _share(model.cascades, lambda d: d >= 2),
        # Under ``sir`` a story spreads through the hearing calendar, not teller by teller: no tells are counted.
        "mean_tells_per_unhappy": None if sir else ratio(t.firsthand_wom, t.dissatisfied),
        "share_telling_over_20": None if sir else ratio(int(told[21:].sum()), finished),
        "verdicts": t.verdicts,
        "buy_again_share": ratio(t.buy_again_intent, t.verdicts),
        "mean_loyalty_end": float(current_loyalty(model, np.flatnonzero(model.pop.member == Membership.ACTIVE)).mean())
        if np.any(model.pop.member == Membership.ACTIVE)
        else None,
        "mean_satisfaction_end": float(model.pop.satisfaction[model.pop.member == Membership.ACTIVE].mean())
        if np.any(model.pop.member == Membership.ACTIVE)
        else None,
    }


def _share(depths: list[int], test) -> float | None:
    return ratio(sum(1 for d in depths if test(d)), len(depths))


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` (``null`` in ``summary.json``) when nothing was counted.

    0 would read as a measured figure (no positive word of mouth, nobody telling) where there was
    nothing to measure; readers skip ``null`` (``analysis``, ``sim.validate``).
    """
    return numerator / denominator if denominator else None
