"""Every numeric setting has a finite range: out of it, one line naming the field; in it, a valid JSON summary."""

import dataclasses
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.config import INF, ConfigError, SimConfig, validate
from sim.core.memory import estimate_bytes
from sim.run.job import run
from sim.run.results import summary_json

ROOT = Path(__file__).resolve().parent.parent
TINY = {"customers": 60, "days": 12}
EXAMPLES = int(os.environ.get("BOUNDS_EXAMPLES", "150"))  # about 5 s; 1,500 take about 45 s
# Runs must stay tiny: in-range values of these are drawn from a small corner of their range.
SMALL_CORNER = {"customers": 400, "days": 80}


def numeric_fields(node=SimConfig, prefix=""):
    """(dotted name, type, low, high) of every bounded field of the schema."""
    out = []
    for f in dataclasses.fields(node):
        if dataclasses.is_dataclass(f.type):
            out += numeric_fields(f.type, f"{prefix}{f.name}.")
        elif "range" in f.metadata:
            out.append((f"{prefix}{f.name}", f.type, *f.metadata["range"]))
    return out


def _all_fields(node=SimConfig, prefix=""):
    for f in dataclasses.fields(node):
        if dataclasses.is_dataclass(f.type):
            yield from _all_fields(f.type, f"{prefix}{f.name}.")
        else:
            yield prefix, f


FIELDS = numeric_fields()
# Fields that take 0 or a value not below a smallest positive one (Beta concentrations).
SMALLEST = {f"{p}{f.name}": f.metadata["zero_or_at_least"] for p, f in _all_fields()
            if "zero_or_at_least" in f.metadata}


def test_every_numeric_field_has_a_finite_range():
    names = [name for name, *_ in FIELDS]
    unbounded = [f"{prefix}{f.name}" for prefix, f in _all_fields() if f.type in (int, float)
                 and "range" not in f.metadata]
    assert not unbounded, f"numeric fields without a range: {unbounded}"
    assert all(math.isfinite(high) and high != INF for _, _, _, high in FIELDS)
    assert "seed" in names and "wom.online_audience" in names and "economics.ticket" in names


@st.composite
def a_value(draw, field):
    name, kind, low, high = field
    top = min(high, SMALL_CORNER.get(name, high))
    if kind is int:
        inside = st.integers(int(low), int(top))
        outside = st.sampled_from([int(low) - 1, int(high) + 1, -(2**63), 2**64, 10**15])
    else:
        inside = st.floats(low, top, allow_nan=False)
        outside = st.sampled_from([math.inf, -math.inf, math.nan, low - 1e-3, high * 1.5, 1e300, -1e300, 5e-324])
    edges = st.sampled_from([low, top] if kind is float else [int(low), int(top)])
    return name, draw(st.one_of(inside, edges, outside))


def set_field(cfg, name, value):
    *parents, leaf = name.split(".")
    node = cfg
    for part in parents:
        node = getattr(node, part)
    setattr(node, leaf, value)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,  # the same inputs on every CI run
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.sampled_from(FIELDS).flatmap(a_value), min_size=1, max_size=3, unique_by=lambda c: c[0]))
def test_any_value_gives_a_one_line_error_or_a_strict_json_summary(changes, tmp_path_factory):
    cfg = SimConfig(**TINY)
    for name, value in changes:
        set_field(cfg, name, value)
    try:
        validate(cfg)
    except ConfigError as err:
        message = str(err)
        assert message and "\n" not in message
        out_of_range = [n for n, v in changes if not _inside(n, v)]
        if out_of_range:  # the first bad field in schema order is the one named
            first = min(out_of_range, key=[n for n, *_ in FIELDS].index)
            assert message.startswith(f"{first} = "), (changes, message)
        return
    assert all(_inside(n, v) for n, v in changes)
    out = tmp_path_factory.mktemp("run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # isolated customers and the like: allowed, only noted
        run(cfg, out)
    summary = json.loads((out / "summary.json").read_text(), parse_constant=_refuse)
    assert "non_finite" not in summary, (changes, summary["non_finite"])


def _inside(name, value):
    _, _, low, high = next(f for f in FIELDS if f[0] == name)
    if name in SMALLEST and 0 < value < SMALLEST[name]:
        return False
    return not isinstance(value, bool) and low <= value <= high


def _refuse(constant):
    raise AssertionError(f"summary.json holds {constant}: not JSON")


def test_a_non_finite_figure_is_written_as_null_and_named():
    with pytest.warns(UserWarning, match="not finite, written as null: npv"):
        text = summary_json({"npv": math.nan, "profit": 1.0})
    assert json.loads(text, parse_constant=_refuse) == {"npv": None, "profit": 1.0, "non_finite": ["npv"]}


def test_memory_is_checked_before_anything_is_allocated():
    from sim.core.config import NetworkConfig

    assert estimate_bytes(10**8, NetworkConfig(kind="watts_strogatz")) > 100e9
    message = r"^customers = 100000000 in a market of 400,000,000: needs about .* with network=watts"
    with pytest.raises(ConfigError, match=message):
        validate(SimConfig(customers=10**8, network=NetworkConfig(kind="watts_strogatz")))


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("economics.ticket=inf", "economics.ticket = inf: must be a number in [0, 1000000]"),
        ("wom.negative_mean=inf", "wom.negative_mean = inf: must be a number in [0, 1000]"),
        ("wom.forward_mean=inf", "wom.forward_mean = inf: must be a number in [0, 1000]"),
        ("wom.tells_per_day=40000", "wom.tells_per_day = 40000: must be a number in [1, 1000]"),
        ("wom.online_audience=1e12", "wom.online_audience = 1000000000000.0: must be a number in [0, 10000]"),
        ("customers=9999999999999", "customers = 9999999999999: must be a number in [1, 100000000]"),
        ("days=100000000", "days = 100000000: must be a number in [1, 36500]"),
        ("seed=-1", "seed = -1: must be a number in [0, 9223372036854775807]"),
        ("failure.rate=nan", "failure.rate = nan: must be a number in [0, 1]"),
    ],
)
def test_the_reported_cases_fail_up_front_on_the_command_line(tmp_path, arg, message):
    res = subprocess.run(
        [sys.executable, "-m", "sim", "customers=300", "days=20", "progress=false", arg, f"hydra.run.dir={tmp_path}/r"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [f"error: {message}"], res.stderr
    assert not (tmp_path / "r").exists()


def test_the_readme_states_how_many_numeric_settings_there_are():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"Every one of the {len(FIELDS)} numeric settings has a finite range" in readme
