"""The exposure study (experiments/exposure.py) runs end to end on a tiny market and writes its table."""

import pandas as pd

from experiments import exposure


def test_tiny_run_writes_table_and_csv(tmp_path):
    out = tmp_path / "exposure"
    args = ["--intervals", "7", "30", "--seeds", "1", "--customers", "300", "--days", "30", "--out", str(out)]
    assert exposure.main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == [exposure.CSV, exposure.REPORT]  # no temporary file left

    text = (out / exposure.REPORT).read_text()
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == exposure.COLUMNS
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [row[0] for row in rows] == ["7", "30"]
    assert all(len(row) == len(exposure.COLUMNS) and row[1] == "1" for row in rows)
    assert "python -m experiments.exposure" in text

    runs = pd.read_csv(out / exposure.CSV)
    assert len(runs) == 4  # 2 intervals x 1 seed x failures on and off
    assert set(runs["failures"]) == {"on", "off"}
    assert (runs["customers_start"] == 300).all()
    off = runs[runs["failures"] == "off"]
    assert (off["failures_met"] == 0).all() and (off["dissatisfied"] == 0).all()
    for column in ("attrition", "lost_share_of_start", "failures_per_customer_year"):
        assert runs[column].between(0, 10).all()


def test_failures_off_config():
    cfg = exposure.config(seed=3, interval=7, failures=False, customers=300, days=30)
    assert cfg.failure.rate == 0 and cfg.scenario.shock.reach == 0
    assert cfg.loyalty.purchase_interval_days == 7.0 and cfg.seed == 3
    on = exposure.config(seed=3, interval=90, failures=True, customers=300, days=30)
    assert on.failure.rate > 0 and on.loyalty.purchase_interval_days == 90.0
