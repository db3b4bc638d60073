"""The churn calendar hands out the very people, in the very order, of a plain day-keyed dict."""

from collections import defaultdict

import numpy as np

from sim.core.calendar import DayCalendar


def test_day_calendar_matches_a_plain_calendar():
    rng = np.random.default_rng(0)
    calendar, plain = DayCalendar(window=8), defaultdict(list)
    for day in range(200):
        for _ in range(3):
            who = rng.integers(0, 1000, 50)
            days = day + rng.geometric(0.02, 50)
            calendar.add(who, days, day)
            order = np.argsort(days, kind="stable")
            for d in np.unique(days).tolist():
                plain[d].append(who[order][days[order] == d])
        got, want = calendar.take(day + 1), plain.pop(day + 1, [])
        joined = np.concatenate(got) if got else np.empty(0, dtype=np.int64)
        assert np.array_equal(joined, np.concatenate(want) if want else np.empty(0, dtype=np.int64))
