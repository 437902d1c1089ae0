"""Norm extraction against the hand-annotated gold set (tests/gold/norms_gold.jsonl).

    python bench/norms_eval.py [--errors N]

Every gold article is parsed from its corpus document (or the seed's official text), its norms
extracted, and predicted and gold norms are paired one to one by the overlap of their text in
the article (largest overlap first). Then, per kind: precision (paired predictions of that kind
whose gold norm has the kind) and recall (gold norms of that kind paired with a prediction of
the kind); and for the pairs that agree on the kind, how often subject, condition and
exception agree too. Goals: ≥ 0.95 precision and recall for obligation, prohibition and
permission; ≥ 0.90 for every field overall.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from fagui.norms import KINDS, Norm, extract_norms  # noqa: E402
from fagui.parse import parse  # noqa: E402
from tests.corpus import CORPUS, SHARED, plain_text  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "norms_gold.jsonl"
SPACE = re.compile(r"[\s\u3000]+")


def norm_field(value: str | None) -> str:
    return SPACE.sub("", value or "").strip("，,。；;：:")


def spans(article: str, text: str) -> tuple[int, int]:
    at = article.find(text)
    return (at, at + len(text)) if at >= 0 else (-1, -1)


def pair(predicted: list[Norm], gold: list[dict], article: str) -> list[tuple[Norm, dict]]:
    """One-to-one pairs by overlap of text in the article, largest overlap first."""
    candidates = []
    for i, p in enumerate(predicted):
        ps, pe = p.span
        for j, g in enumerate(gold):
            gs, ge = spans(article, g["text"])
            overlap = min(pe, ge) - max(ps, gs)
            if overlap > 0:
                candidates.append((overlap, i, j))
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((predicted[i], gold[j]))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print N disagreements per field")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit("bench/norms_eval.py: ../shared/corpus is absent")
    records = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    docs: dict[str, dict[str, tuple[str, list[Norm]]]] = {}
    for doc in {r["doc"] for r in records}:
        path = SHARED / "seed" / "official.txt" if doc.startswith("seed/") else CORPUS / doc
        raw = path.read_text(encoding="utf-8")
        parsed = parse(plain_text(raw) if path.suffix == ".md" else raw)
        norms = extract_norms(parsed).norms
        by_article: dict[str, tuple[str, list[Norm]]] = {}
        for article in parsed.articles():
            by_article[article.num or ""] = (
                article.full_text(),
                [n for n in norms if n.article == article.num],
            )
        docs[doc] = by_article

    predicted_count: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    same_kind_pairs = 0
    errors: dict[str, list[str]] = defaultdict(list)
    missing = 0
    for record in records:
        article_text, predicted = docs[record["doc"]].get(record["article"], ("", []))
        if not article_text:
            missing += 1
        gold = record["norms"]
        predicted_count.update(p.kind for p in predicted)
        gold_count.update(g["kind"] for g in gold)
        for p, g in pair(predicted, gold, article_text):
            if p.kind != g["kind"]:
                errors["kind"].append(
                    f"{record['doc']} {record['article']}: {p.kind} ≠ {g['kind']}"
                )
                continue
            hits[p.kind] += 1
            same_kind_pairs += 1
            for name in ("subject", "condition", "exception"):
                if norm_field(getattr(p, name)) == norm_field(g[name]):
                    agree[name] += 1
                else:
                    errors[name].append(
                        f"{record['doc'][-24:]} {record['article']} {p.kind}: "
                        f"{getattr(p, name)!r} ≠ {g[name]!r}"
                    )

    console = Console()
    table = Table(
        title=f"norms vs the gold set: {len(records)} articles, {sum(gold_count.values())} norms"
    )
    for column in ("kind", "gold", "predicted", "precision", "recall"):
        table.add_column(column, justify="right")
    for kind in KINDS:
        if not gold_count[kind] and not predicted_count[kind]:
            continue
        precision = hits[kind] / predicted_count[kind] if predicted_count[kind] else 0.0
        recall = hits[kind] / gold_count[kind] if gold_count[kind] else 0.0
        table.add_row(kind, str(gold_count[kind]), str(predicted_count[kind]),
                      f"{precision:.3f}", f"{recall:.3f}")  # fmt: skip
    total_p, total_g, total_h = (sum(c.values()) for c in (predicted_count, gold_count, hits))
    table.add_row("all", str(total_g), str(total_p), f"{total_h / total_p:.3f}",
                  f"{total_h / total_g:.3f}")  # fmt: skip
    console.print(table)
    fields = Table(title=f"fields, over the {same_kind_pairs} pairs that agree on the kind")
    for column in ("field", "agreement"):
        fields.add_column(column, justify="right")
    fields.add_row("kind", f"{same_kind_pairs / max(1, same_kind_pairs + len(errors['kind'])):.3f}")
    for name in ("subject", "condition", "exception"):
        fields.add_row(name, f"{agree[name] / max(1, same_kind_pairs):.3f}")
    console.print(fields)
    if missing:
        console.print(f"{missing} gold articles not found by the parser")
    for name, lines in errors.items():
        for line in lines[: args.errors]:
            console.print(f"[{name}] {line}", markup=False)


if __name__ == "__main__":
    main()
