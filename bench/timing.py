"""Shared by the benchmarks: the best of several timed runs."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(work: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs of `work`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best
