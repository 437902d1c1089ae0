"""Whether a change to recover keeps its outputs: save them before, check them after.

    python bench/recover_same.py save  [--limit N] [--file PATH]
    python bench/recover_same.py check [--limit N] [--file PATH]

A speed change to recover must not change what it makes. `save` records, for every case, the
recovered text, every change (kind, offset, length, original, replacement, reason) and the
text recovered again; `check` makes them again and prints how many cases differ, and in what
(0 differ: the change kept the outputs). The cases, from the corpus laws: the clean texts; the
polluted copies `bench/recover.py` times; copies polluted the other way (other script,
full-width punctuation); each pollution kind alone on the first hundred; traditional and
original script requested on the first hundred; and the seed copies. Not a test: the saved
outputs are those of the code as it was, right or wrong.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import polluted_copies  # noqa: E402
from fagui.pollute import ALL_KINDS, pollute  # noqa: E402
from fagui.recover import recover  # noqa: E402
from tests.corpus import CORPUS, SHARED, corpus_files, plain_text  # noqa: E402

_Output = tuple[str, list[tuple[str, int, int, str, str, str]], str]


def cases(limit: int) -> Iterator[tuple[str, str, str]]:
    """(name, text, script requested) of every case."""
    clean = [plain_text(p.read_text(encoding="utf-8")) for p in corpus_files()[: limit or None]]
    for n, text in enumerate(clean):
        yield f"clean {n}", text, "simplified"
    for n, polluted in enumerate(polluted_copies(clean)):
        yield f"bench {n}", polluted, "simplified"
    for n, text in enumerate(clean):
        script = ("traditional", "simplified")[n % 2]
        polluted = pollute(text, random.Random(n + 7), script=script, punct="full")
        yield f"other {n}", polluted, "simplified"
    for n, text in enumerate(clean[:100]):
        for kind in ALL_KINDS:
            rng = random.Random(n)
            polluted = pollute(text, rng, kinds=(kind,), script="traditional", punct="half")
            yield f"{kind} {n}", polluted, "simplified"
    for n, text in enumerate(clean[:100]):
        polluted = pollute(text, random.Random(n + 3), script="traditional", punct="half")
        yield f"traditional {n}", polluted, "traditional"
        yield f"original {n}", polluted, "original"
    for path in sorted((SHARED / "seed").glob("*.txt")):
        yield f"seed {path.name}", path.read_text(encoding="utf-8"), "simplified"


def outputs(limit: int) -> dict[str, _Output]:
    made: dict[str, _Output] = {}
    for name, text, script in cases(limit):
        result = recover(text, script=script)
        changes = [
            (c.kind, c.offset, c.length, c.original, c.replacement, c.reason)
            for c in result.changes
        ]
        made[name] = (result.text, changes, recover(result.text, script=script).text)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("mode", choices=("save", "check"))
    parser.add_argument("--limit", type=int, default=0, help="use only the first N laws")
    parser.add_argument(
        "--file", type=Path, default=Path("recover-outputs.pickle"), help="where they are saved"
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"bench/recover_same.py: the corpus is absent ({CORPUS})")
    made = outputs(args.limit)
    if args.mode == "save":
        args.file.write_bytes(pickle.dumps(made))
        print(f"saved the outputs of {len(made)} cases to {args.file}")
        return
    saved: dict[str, _Output] = pickle.loads(args.file.read_bytes())
    parts = ("text", "changes", "text recovered again")
    differ: Counter[str] = Counter()
    names = []
    for name, before in saved.items():
        after = made.get(name)
        if after == before:
            continue
        names.append(name)
        if after is None:
            differ["missing"] += 1
        else:
            differ[next(p for p, b, a in zip(parts, before, after, strict=True) if a != b)] += 1
    print(f"{len(saved)} cases, {len(names)} differ {dict(differ)}: {names[:20]}")


if __name__ == "__main__":
    main()
