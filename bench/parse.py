"""Parse throughput over the corpus, end to end from bytes, against OpenCC alone.

    python bench/parse.py [--limit N] [--profile]

Times, in this process, over every corpus law as UTF-8 bytes: OpenCC t2s over the decoded
text (the floor), and `fagui.sources.load` → `recover` → `parse` (what `fagui parse` does).
Prints MB/s, articles/s and the ratio to the floor. Goal: ≥ 10 MB/s in one process.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.timing import best_of, corpus_laws, profile  # noqa: E402
from fagui.parse import parse  # noqa: E402
from fagui.sources import load  # noqa: E402
from tests.corpus import plain_text  # noqa: E402


def main() -> None:
    files = corpus_laws("parse.py", __doc__)
    data = [plain_text(p.read_text(encoding="utf-8")).encode("utf-8") for p in files]
    megabytes = sum(map(len, data)) / 1e6
    parse("预热\n\n第一条　预热。")  # dictionaries and tables load once, outside the timing
    t2s = opencc.OpenCC("t2s")
    texts = [d.decode("utf-8") for d in data]
    floor = best_of(lambda: [t2s.convert(t) for t in texts])
    articles = 0

    def end_to_end() -> None:
        nonlocal articles
        articles = 0
        for n, raw in enumerate(data):
            articles += len(parse(load(raw, f"{n}.txt").text).articles())

    ours = best_of(end_to_end)
    table = Table(title=f"parse over {len(files)} laws, bytes → Document (best of 3)")
    for column in ("MB", "articles", "OpenCC t2s MB/s", "parse MB/s", "articles/s", "ratio"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{megabytes:.1f}",
        f"{articles}",
        f"{megabytes / floor:.1f}",
        f"{megabytes / ours:.1f}",
        f"{articles / ours:,.0f}",
        f"{ours / floor:.1f}×",
    )
    Console().print(table)
    profile("parse, bytes → Document", end_to_end)


if __name__ == "__main__":
    main()
