"""Freed memory kept for reuse (``sim.core.memory.keep_freed_memory``): on glibc, and harmless elsewhere."""

import ctypes
import platform

import numpy as np
import pytest

from sim.core import memory


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_takes_the_setting():
    assert memory._mallopt(memory.M_MMAP_MAX, 0)
    assert memory.keep_freed_memory()
    big = np.ones(8_000_000)  # 64 MB: from the heap now, and back to it
    assert float(big.sum()) == 8_000_000.0


def test_without_mallopt_nothing_happens(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    assert memory._mallopt(memory.M_MMAP_MAX, 0) is False


def test_a_model_asks_for_it(monkeypatch):
    from sim.core import model

    calls = []
    monkeypatch.setattr(model, "keep_freed_memory", lambda: calls.append(1) or True)
    model.WomModel(customers=50, seed=0)
    assert calls == [1]
