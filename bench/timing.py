"""Shared by the benchmarks: the best of several timed runs, and the corpus laws to time."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.corpus import CORPUS, corpus_files


def best_of(work: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs of `work`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def corpus_laws(name: str, doc: str | None) -> list[Path]:
    """The corpus laws a benchmark runs over (`--limit N`: the first N); it exits with a line
    naming itself when the corpus is absent."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N laws")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"bench/{name}: the corpus is absent ({CORPUS})")
    return corpus_files()[: args.limit or None]
