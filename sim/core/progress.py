"""A progress bar for long runs: tqdm on a terminal, nothing in tests or pipes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def day_bar(days: int, enabled: bool) -> Iterator[Any]:
    if not (enabled and sys.stderr.isatty()):
        yield _Silent()
        return
    from tqdm import tqdm

    with tqdm(total=days, unit="day", leave=False) as bar:
        yield bar
