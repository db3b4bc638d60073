"""Every config number is sourced or marked (issue 15, item 7), and docs/ODD.md's table of them is current."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from sim.core import sources
from sim.core.config import SimConfig, _p

ROOT = Path(__file__).resolve().parent.parent


def test_every_field_of_simconfig_has_a_source():
    bad = sources.unsourced(SimConfig)
    assert not bad, "config fields without a citation (with a year), assumption, fitted: or setting:\n" + "\n".join(bad)


def test_the_walk_reaches_every_part_and_field():
    paths = [path for path, _, _ in sources.fields()]
    assert len(paths) == len(set(paths))
    for path in (
        "seed",
        "scenario.shock.severity_mean",
        "recovery.terrorist_prob",
        "failure.cause_shares",
        "economics.annual_discount_rate",
        "progress",
    ):
        assert path in paths
    # No part (a dataclass) is listed as a field: parts are walked.
    assert not any(dataclasses.is_dataclass(value) for _, value, _ in sources.fields())


@dataclasses.dataclass
class _Inner:
    sourced: float = _p(0.5, source="assumption")
    bare: float = 0.3


@dataclasses.dataclass
class _Outer:
    seed: int = dataclasses.field(default=0, metadata={"source": "setting"})
    cited: float = dataclasses.field(default=0.1, metadata={"source": "Someone (1999, Journal)"})
    vague: float = dataclasses.field(default=0.2, metadata={"source": "the course"})
    empty: float = dataclasses.field(default=0.2, metadata={"source": ""})
    fitted_without_target: float = dataclasses.field(default=0.2, metadata={"source": "fitted:"})
    inner: _Inner = dataclasses.field(default_factory=_Inner)


def test_a_bare_or_unsourced_field_is_reported_by_name():
    bad = sources.unsourced(_Outer)
    names = [line.split(":")[0] for line in bad]
    assert names == ["vague", "empty", "fitted_without_target", "inner.bare"]
    assert "inner.bare: source None" in bad


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("assumption", "assumption"),
        ("assumption: a reason", "assumption"),
        ("assumptions", None),
        ("setting", "setting"),
        ("setting: policy lever", "setting"),
        ("fitted: TARP small-loss row", "fitted"),
        ("fitted", None),
        ("Bass (1969, Management Science)", "citation"),
        ("course text", None),
        ("", None),
        (None, None),
    ],
)
def test_kind_of_a_source(source, kind):
    assert sources.kind(source) == kind


def test_counts_add_up():
    counts = sources.counts()
    assert sum(counts.values()) == len(sources.fields())
    assert counts["assumption"] > counts["citation"] > 0 and counts["fitted"] > 0 and counts["setting"] > 0


def test_the_markdown_table_lists_assumptions_and_fitted_values_with_defaults():
    table = sources.markdown()
    assert "| `recovery.terrorist_prob` | `0.5` | assumption |" in table
    assert "| `recovery.voice_repair` | `0.064` | fitted: TARP small-loss row" in table
    assert "`seed`" not in table  # a setting
    assert "`loyalty.churn_sensitivity`" not in table  # a citation


def test_odd_holds_the_table_the_command_prints_now():
    printed = subprocess.run(
        [sys.executable, "-m", "sim.core.sources", "--markdown"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert printed == sources.markdown()
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert "## Assumptions and their values" in odd
    start, end = odd.index(sources.BEGIN) + len(sources.BEGIN), odd.index(sources.END)
    assert odd[start:end].strip("\n") == printed.strip("\n"), (
        "docs/ODD.md's table of assumptions is stale: run `python -m sim.core.sources --update docs/ODD.md`"
    )


def test_update_rewrites_only_the_table(tmp_path):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"before\n{sources.BEGIN}\n| old |\n{sources.END}\nafter\n", encoding="utf-8")
    assert sources.update(doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "| old |" not in text
    assert sources.markdown() in text
    assert not sources.update(doc)  # now current
