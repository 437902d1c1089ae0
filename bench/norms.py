"""Norm extraction over the whole parsed corpus.

    python bench/norms.py

Parses every corpus law once (not timed), then times `extract_norms` over all of them (best of
3) and prints documents, articles, norms, seconds, norms/s and the ratio to the time parsing
took in the same run. Goal: the whole corpus in under 5 s in one process.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from fagui.norms import extract_norms  # noqa: E402
from fagui.parse import parse  # noqa: E402
from tests.corpus import CORPUS, corpus_files, plain_text  # noqa: E402


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"bench/norms.py: the corpus is absent ({CORPUS})")
    texts = [plain_text(p.read_text(encoding="utf-8")) for p in corpus_files()]
    start = time.perf_counter()
    docs = [parse(t) for t in texts]
    parsing = time.perf_counter() - start
    best = float("inf")
    kinds: Counter[str] = Counter()
    for _ in range(3):
        start = time.perf_counter()
        sets = [extract_norms(d) for d in docs]
        best = min(best, time.perf_counter() - start)
    for norm_set in sets:
        kinds.update(n.kind for n in norm_set.norms)
    total = sum(kinds.values())
    articles = sum(len(d.articles()) for d in docs)
    table = Table(title="extract_norms over the parsed corpus (best of 3)")
    for column in ("documents", "articles", "norms", "seconds", "norms/s", "vs parse"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(docs)),
        str(articles),
        str(total),
        f"{best:.2f}",
        f"{total / best:,.0f}",
        f"{best / parsing:.2f}×",
    )
    Console().print(table)
    Console().print("norms by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))


if __name__ == "__main__":
    main()
