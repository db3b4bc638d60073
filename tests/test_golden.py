"""Optimisations keep results identical: fresh runs against summaries written before them.

The fixture ``tests/golden_summaries.json`` comes from ``python -m tests.golden`` (see there).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("golden", Path(__file__).resolve().parent / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

EXPECTED = json.loads(golden.FIXTURE.read_text())


def test_fixture_covers_every_case():
    assert sorted(EXPECTED) == sorted(golden.CASES)


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_run_matches_golden(name):
    want = EXPECTED[name]
    assert want["overrides"] == golden.CASES[name], "fixture out of date: python -m tests.golden"
    got = golden.run_case(golden.CASES[name])
    changed = {k: (want["summary"].get(k), v) for k, v in got["summary"].items() if want["summary"].get(k) != v}
    assert not changed, f"summary fields changed (expected, got): {changed}"
    assert set(got["summary"]) == set(want["summary"])
    assert got["timeseries_columns"] == want["timeseries_columns"]
    assert got["timeseries_sha256"] == want["timeseries_sha256"], "the daily record changed"
