"""Summary figures that cannot be measured are ``null``, not 0, and every reader skips them."""

import json
import math

import pytest

from sim.core.metrics import UNDEFINED_AS_NULL
from sim.run.results import summary_json
from sim.validate import adapter

DAYS = 60


@pytest.fixture(scope="module")
def no_negative_talk():
    return adapter.run({"customers": 800, "wom.negative_enabled": False}, seed=3, days=DAYS)


@pytest.fixture(scope="module")
def sir():
    return adapter.run({"customers": 800, "wom.process": "sir"}, seed=3, days=DAYS)


def test_no_negative_message_makes_the_word_of_mouth_ratio_null(no_negative_talk):
    s = no_negative_talk.summary
    assert s["negative_wom_messages"] == 0 and s["positive_wom_messages"] > 0
    assert s["positive_to_negative_wom"] is None


def test_tells_per_unhappy_are_null_under_sir_where_tells_are_not_counted(sir):
    s = sir.summary
    assert s["negative_wom_messages"] > 0 and s["dissatisfied"] > 0  # stories spread, unhappy customers there
    assert s["mean_tells_per_unhappy"] is None and s["share_telling_over_20"] is None


def test_a_summary_with_undefined_ratios_is_strict_json_and_validation_reads_them_as_not_measured(sir):
    text = summary_json(sir.summary).decode()
    strict = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in summary.json"))
    assert strict["mean_tells_per_unhappy"] is None and "non_finite" not in strict
    assert math.isnan(adapter.summary_value(sir, "mean_tells_per_unhappy"))


def test_only_ratios_may_be_null(no_negative_talk, sir):
    nulls = {k for run in (no_negative_talk, sir) for k, v in run.summary.items() if v is None}
    assert nulls and nulls <= set(UNDEFINED_AS_NULL)
