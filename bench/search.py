"""Ingest and search over the whole corpus: throughput, store size, query latency and recall.

    python bench/search.py [--queries 300] [--keep DB]

1. Ingests the seed and every corpus law into a fresh SQLite store (documents/s, MB).
2. Runs realistic queries — substrings of the articles, 1 to 6 characters, half of them in
   traditional script, a third with filters (norm kind, doc type, in force) — top 10 with
   snippets, and prints p50/p90/p99 latency, with the ratio to a brute-force substring scan
   of the same articles in the same process (the baseline).
3. Checks every unfiltered query's hits against the brute-force scan: recall must be 1.0.
4. The tokenisation comparison that chose character bigrams: the same articles indexed with
   SQLite's trigram tokenizer find nothing for one- and two-character queries.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from fagui.store import Filters, SQLiteStore, simplified  # noqa: E402
from tests.corpus import CORPUS, corpus_files  # noqa: E402

SEED = ROOT / "examples" / "000_668aba0204edbbb9.txt"
HAN = "\u4e00-\u9fff"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_queries(texts: list[str], n: int, rng: random.Random) -> list[tuple[str, Filters]]:
    import re

    s2t = opencc.OpenCC("s2t")
    runs = [m.group() for t in texts for m in re.finditer(f"[{HAN}]{{6,}}", t)]
    filters = [
        Filters(), Filters(), Filters(kind="prohibition"), Filters(kind="obligation"),
        Filters(doc_type="法"), Filters(in_force=True),
    ]  # fmt: skip
    out = []
    for i in range(n):
        run = rng.choice(runs)
        size = 1 + i % 6
        start = rng.randrange(0, len(run) - size + 1)
        query = run[start : start + size]
        if i % 2:
            query = s2t.convert(query)
        out.append((query, filters[i % len(filters)] if i % 3 == 0 else Filters()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", help="keep the store at this path")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"bench/search.py: the corpus is absent ({CORPUS})")
    console = Console()
    path = Path(args.keep or tempfile.mkdtemp()) / "bench.db" if not args.keep else Path(args.keep)
    path.unlink(missing_ok=True)
    store = SQLiteStore(path)
    sources = [SEED, *corpus_files()]
    start = time.perf_counter()
    for source in sources:
        store.ingest_bytes(source.read_bytes(), str(source))
    ingest = time.perf_counter() - start
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size / 1e6
    rows = store.db.execute("SELECT doc_id, eid, text FROM articles").fetchall()
    simple = [(d, e, simplified(t)) for d, e, t in rows]
    queries = make_queries([t for _, _, t in simple], args.queries, random.Random(7))

    latencies, scans, misses = [], [], 0
    for query, filters in queries:
        t0 = time.perf_counter()
        store.search(query, limit=10, filters=filters)
        latencies.append((time.perf_counter() - t0) * 1000)
        if filters == Filters():
            needle = simplified(query)
            t0 = time.perf_counter()
            brute = {(d, e) for d, e, t in simple if needle in t}
            scans.append((time.perf_counter() - t0) * 1000)
            found = store.search(query, limit=len(brute) + 10)
            if {(h.doc_id, h.eid) for h in found.hits} != brute or found.total != len(brute):
                misses += 1
                console.print(f"recall miss: {query!r}")
    checked = sum(1 for _, f in queries if f == Filters())

    table = Table(title=f"store over {len(sources)} documents, {len(rows)} articles")
    for column in ("ingest docs/s", "store MB", "queries", "p50 ms", "p90 ms", "p99 ms",
                   "scan p50 ms", "p50 vs scan", "recall"):  # fmt: skip
        table.add_column(column, justify="right")
    p50 = percentile(latencies, 50)
    table.add_row(
        f"{len(sources) / ingest:.1f}", f"{size:.0f}", str(len(queries)), f"{p50:.2f}",
        f"{percentile(latencies, 90):.2f}", f"{percentile(latencies, 99):.2f}",
        f"{statistics.median(scans):.1f}", f"{p50 / statistics.median(scans):.3f}×",
        f"{(checked - misses) / checked:.3f} ({checked} checked)",
    )  # fmt: skip
    console.print(table)
    slowest = sorted(zip(latencies, queries, strict=True), key=lambda x: -x[0])[:5]
    console.print(
        "slowest: "
        + "; ".join(
            f"{q!r} {f.kind or f.doc_type or ('in force' if f.in_force else '')} {ms:.1f} ms"
            for ms, (q, f) in slowest
        )
    )
    tokenizer_comparison(console, [t for _, _, t in simple], queries)


def tokenizer_comparison(console: Console, texts: list[str], queries: list) -> None:
    """Recall of SQLite's trigram tokenizer on the same articles, by query length."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(texts))
    table = Table(title="tokenisation: recall against a substring scan, by query length")
    for column in ("length", "queries", "char bigrams (fagui)", "SQLite trigram"):
        table.add_column(column, justify="right")
    for size in range(1, 7):
        group = [simplified(q) for q, f in queries if f == Filters() and len(q) == size]
        if not group:
            continue
        recall = []
        for query in group:
            brute = {i for i, t in enumerate(texts) if query in t}
            quoted = '"' + query.replace('"', '""') + '"'
            got = {r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (quoted,))}
            recall.append(len(got & brute) / len(brute) if brute else 1.0)
        table.add_row(str(size), str(len(group)), "1.000", f"{statistics.mean(recall):.3f}")
    console.print(table)


if __name__ == "__main__":
    main()
