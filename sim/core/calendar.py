"""A calendar of people due on given days, cheap to fill with days spread far into the future.

Churn candidate days are geometric with a mean of thousands of days, so a batch of a few
thousand people lands on a few thousand distinct days, nearly all beyond the run. Filing each
day's slice on its own cost a Python append per distinct day (a million a year at a million
people, the costliest part of the churn phase). Here only the next ``2 * window`` days are
filed day by day; later days wait in one array a batch and are filed when their window comes.

Concatenated, what a day returns is exactly what a plain ``{day: [slices]}`` calendar returns:
the same people in the same order (batches in the order they were added, each in its stable
day order); only the far batches of a day come joined into one.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


class DayCalendar:
    """People filed under days; ``take(day)`` hands out that day's batches once."""

    def __init__(self, window: int = 32) -> None:
        """Start empty.

        Args:
            window: Days per window; the current and the next window are filed day by day.
        """
        self.window = window
        self.near: dict[int, list[np.ndarray]] = defaultdict(list)
        self.far: list[tuple[np.ndarray, np.ndarray]] = []  # (who, days) beyond the near windows
        self.epoch = 0  # the window of the last day seen

    def _advance(self, day: int) -> None:
        """On entering a new window, file the far batches that now fall in the next one."""
        epoch = day // self.window
        if epoch <= self.epoch:
            return
        self.epoch = epoch
        if not self.far:
            return
        who = np.concatenate([w for w, _ in self.far])
        days = np.concatenate([d for _, d in self.far])
        soon = days < (epoch + 2) * self.window
        self.far = [(who[~soon], days[~soon])] if not soon.all() else []
        self._file_near(who[soon], days[soon])

    def _file_near(self, who: np.ndarray, days: np.ndarray) -> None:
        if len(who) == 0:
            return
        order = np.argsort(days, kind="stable")
        who, days = who[order], days[order]
        starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
        ends = np.r_[starts[1:], len(days)]
        for d, a, b in zip(days[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            self.near[d].append(who[a:b])

    def add(self, who: np.ndarray, days: np.ndarray, today: int) -> None:
        """File ``who[i]`` under ``days[i]`` (each after ``today``)."""
        self._advance(today)
        soon = days < (self.epoch + 2) * self.window
        if soon.all():
            self._file_near(who, days)
            return
        self._file_near(who[soon], days[soon])
        self.far.append((who[~soon], days[~soon]))

    def take(self, day: int) -> list[np.ndarray]:
        """The batches filed under ``day``, removed from the calendar."""
        self._advance(day)
        return self.near.pop(day, [])
