"""Shared by the benchmarks: the best of several timed runs, the corpus laws to time, and the
polluted copies of them that recover is timed on."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from fagui.pollute import pollute
from tests.corpus import CORPUS, corpus_files


def best_of(work: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs of `work`, in seconds."""
    return best_of_each([work], repeat)[0]


def best_of_each(works: list[Callable[[], object]], repeat: int = 5) -> list[float]:
    """Best of `repeat` runs of each of `works`, in seconds, run in turn (one of each, then
    again), so that a slow spell of a shared machine slows all of them, not one: the ratios
    between them hold better than those of `best_of` run one after the other."""
    best = [float("inf")] * len(works)
    for _ in range(repeat):
        for i, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def corpus_laws(name: str, doc: str | None) -> list[Path]:
    """The corpus laws a benchmark runs over (`--limit N`: the first N); it exits with a line
    naming itself when the corpus is absent. `--profile` asks for `profile`'s tables."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N laws")
    parser.add_argument(
        "--profile", action="store_true", help="also print where the time goes, by function"
    )
    args = parser.parse_args()
    _OPTIONS["profile"] = args.profile
    if not CORPUS.is_dir():
        sys.exit(f"bench/{name}: the corpus is absent ({CORPUS})")
    return corpus_files()[: args.limit or None]


_OPTIONS = {"profile": False}


def profile(title: str, work: Callable[[], object], top: int = 20) -> None:
    """With `--profile`: run `work` once under cProfile and print fagui's functions that took
    the most time, themselves and with what they call (cProfile slows Python code more than
    C code: the figures rank the functions, the benchmark's own timings measure them)."""
    if not _OPTIONS["profile"]:
        return
    profiler = cProfile.Profile()
    profiler.runcall(work)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = [
        (f"{Path(file).name}:{line} {name}", own, total, calls)
        for (file, line, name), (_, calls, own, total, _) in stats.items()
        if f"{Path('fagui')}" in file
    ]
    table = Table(title=f"{title}: fagui functions by time (cProfile, one run)")
    for column in ("function", "own s", "with callees s", "calls"):
        table.add_column(column, justify="left" if column == "function" else "right")
    for where, own, total, calls in sorted(rows, key=lambda r: -r[2])[:top]:
        table.add_row(where, f"{own:.3f}", f"{total:.3f}", f"{calls}")
    Console().print(table)


def polluted_copies(clean: list[str]) -> list[str]:
    """A polluted copy of each text, as `bench/recover.py` times them: every kind of pollution,
    half-width punctuation, every other copy in traditional script, seeded by its number."""
    return [
        pollute(text, random.Random(n), script=("simplified", "traditional")[n % 2], punct="half")
        for n, text in enumerate(clean)
    ]
