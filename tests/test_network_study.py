"""experiments.network_study on tiny settings: its tables have the right columns, and a rerun reuses runs."""

import pandas as pd

from experiments import network_study as ns


def test_network_study_writes_its_tables(tmp_path):
    out, report, fig = tmp_path / "out", tmp_path / "report.md", tmp_path / "network_study.png"
    report.write_text(f"# before\n{ns.BEGIN}\nold\n{ns.END}\nafter\n", encoding="utf-8")
    args = ["--seeds", "2", "--customers", "300", "--days", "30", "--jobs", "1", "--conditions", "default,erdos_renyi"]
    args += ["--out", str(out), "--report", str(report), "--figure", str(fig)]
    assert ns.main(args) == 0

    text = (out / "network_study.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "| " + " | ".join(ns.LEVEL_COLUMNS) + " |" in lines
    assert "| " + " | ".join(ns.PAIRED_COLUMNS) + " |" in lines
    assert any(line.startswith("| `erdos_renyi - default` | 2 |") for line in lines)
    assert sum(line.startswith("| `default` ") or line.startswith("| `erdos_renyi` ") for line in lines) == 2

    levels, paired = pd.read_csv(out / "levels.csv"), pd.read_csv(out / "paired.csv")
    assert list(levels.condition) == ["default", "erdos_renyi"]
    for _, label, _, _ in ns.OUTCOMES:
        assert {label, f"{label} low", f"{label} high"} <= set(levels.columns)
        assert {f"{label} diff", f"{label} diff low", f"{label} diff high"} <= set(paired.columns)
    assert list(paired.comparison) == ["erdos_renyi - default"]
    assert (paired["seeds"] == 2).all()

    # Recomputed from the stored runs: the share of NPV lost to bad news, per seed, then the paired mean.
    seeds = pd.read_csv(out / "per_seed.csv").set_index(["condition", "seed"])
    for cond in ("default", "erdos_renyi"):
        for seed in (0, 1):
            runs = {arm: pd.read_json(out / "runs" / cond / arm / f"seed={seed}.json", typ="series") for arm in ns.ARMS}
            share = (runs["silenced"].npv - runs["as_is"].npv) / runs["silenced"].npv
            assert seeds.loc[(cond, seed), "npv_share_lost"] == share
    diff = (seeds.loc["erdos_renyi", "npv_share_lost"] - seeds.loc["default", "npv_share_lost"]).mean() * 100
    assert abs(paired["share of NPV lost to bad news diff"].iloc[0] - diff) < 1e-9

    assert fig.stat().st_size > 0
    body = report.read_text(encoding="utf-8")
    assert body.startswith("# before\n") and body.endswith(f"{ns.END}\nafter\n") and "old" not in body
    assert text in body

    # A rerun into the same folder reuses every run: same tables.
    before = (out / "paired.csv").read_text(encoding="utf-8")
    assert ns.main(args) == 0
    assert (out / "paired.csv").read_text(encoding="utf-8") == before
    assert not list(out.rglob("*.tmp"))
