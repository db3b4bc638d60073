"""Benchmarks: one script per question of the scale issue, run as ``python -m benchmarks.NAME``."""
