"""Recovery throughput over the corpus, clean and polluted, against OpenCC alone.

    python bench/recover.py [--limit N] [--profile]

For each set of texts it times, in this process: OpenCC t2s conversion of the texts (the floor:
recover must at least look at every character for traditional script); `fagui.recover` on the
texts one after another; `fagui.recover_many` on them all (each pass over a batch of texts in
turn); and `fagui.sources.load` + recover from the encoded bytes (end to end). It prints MB/s
(of UTF-8 input) and the ratio of each to the OpenCC floor. Goal: recover ≤ 3× the floor.
recover makes its `Change` objects when they are first read; "every change read" times recover
and reading them, as a caller auditing every change would. Each is timed five times, all of
them in turn, and the best kept (a shared machine's slow spells then slow all of them).
`--profile` also prints where recover's time goes on the polluted copies, by function.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.timing import best_of_each, corpus_laws, polluted_copies, profile  # noqa: E402
from fagui.recover import recover, recover_many  # noqa: E402
from fagui.sources import load  # noqa: E402
from tests.corpus import plain_text  # noqa: E402


def main() -> None:
    files = corpus_laws("recover.py", __doc__)
    clean = [plain_text(p.read_text(encoding="utf-8")) for p in files]
    polluted = polluted_copies(clean)
    recover("预热")  # import-time work (OpenCC dictionaries) is not part of the measurement
    t2s = opencc.OpenCC("t2s")

    table = Table(title=f"recover over {len(files)} laws (best of 5, run in turn)")
    for column in ("texts", "MB", "timing", "MB/s", "× OpenCC"):
        table.add_column(column, justify="left" if column == "timing" else "right")
    for label, texts in (("clean", clean), ("polluted", polluted)):
        data = [t.encode("utf-8") for t in texts]
        megabytes = sum(map(len, data)) / 1e6
        timings = {
            "OpenCC t2s (the floor)": lambda texts=texts: [t2s.convert(t) for t in texts],
            "recover, one text after another": lambda texts=texts: [recover(t) for t in texts],
            "recover_many": lambda texts=texts: list(recover_many(texts)),
            "bytes → text → recover": lambda data=data: [
                recover(load(d, f"{i}.txt").text) for i, d in enumerate(data)
            ],
            "recover, every change read": lambda texts=texts: [
                len(recover(t).changes) for t in texts
            ],
        }
        best = dict(zip(timings, best_of_each(list(timings.values())), strict=True))
        floor = best["OpenCC t2s (the floor)"]
        for n, (timing, seconds) in enumerate(best.items()):
            table.add_row(
                label if n == 0 else "",
                f"{megabytes:.1f}" if n == 0 else "",
                timing,
                f"{megabytes / seconds:.1f}",
                f"{seconds / floor:.1f}×",
                end_section=n == len(best) - 1,
            )
    Console().print(table)
    profile("recover, polluted", lambda: [recover(t) for t in polluted])


if __name__ == "__main__":
    main()
