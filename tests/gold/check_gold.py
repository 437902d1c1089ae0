"""Check the hand-annotated norms gold set (tests/gold/norms_gold.jsonl).

Run:  python tests/gold/check_gold.py [path/to/norms_gold.jsonl]

Independent of the fagui package (stdlib only). It checks that

* every record's article text equals the article as the source gives it: the text after the
  `第X条 ` label on the article's line plus its following non-blank lines up to the next article
  or heading, joined with "\\n";
* every norm's `text`, `condition` and `exception` is an exact substring of the article text;
* every norm has the fields of the guideline with allowed values (kind, strength, subject);
* no article is annotated twice, and each document's articles are in order (the runs are printed);
* a prohibition is `strict` exactly when its text has 严禁 or 决不允许.

Exit status 0 when everything holds, 1 otherwise (each problem is printed).
Documents are paths relative to the corpus (../shared/corpus/lawrefbook); the seed regulation is
`seed/official.txt` (../shared/seed/official.txt).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "lawrefbook"
GOLD = HERE / "norms_gold.jsonl"

KINDS = {
    "obligation",
    "prohibition",
    "permission",
    "right",
    "encouragement",
    "responsibility",
    "sanction",
    "definition",
    "commencement",
    "interpretation",
    "referral",
    "principle",
}
STRENGTHS = {"normal", "strict"}
FIELDS = {"kind", "subject", "strength", "condition", "exception", "text"}

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = "零〇一二三四五六七八九十百千两"
ARTICLE = re.compile(rf"^第([{NUM}]+)条(?:之([{NUM}]+))?[ \u3000]+(.*)$")
HEADING = re.compile(rf"^(#|第[{NUM}]+[编分章节][ \u3000])")


def cn_int(s: str) -> int:
    """A Chinese numeral (up to the thousands) as an int: 一百二十 → 120, 十五 → 15."""
    total, digit = 0, 0
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + digit


def source_path(doc: str) -> Path:
    if doc.startswith("seed/"):
        return SHARED / doc
    return CORPUS / doc


def articles(path: Path) -> dict[str, str]:
    """The articles of a source file: number ("21", "120-1") → article text."""
    out: dict[str, str] = {}
    current: str | None = None
    parts: list[str] = []

    def flush() -> None:
        if current is not None:
            out[current] = "\n".join(parts)

    for raw in path.read_text(encoding="utf-8").split("\n"):
        line = raw.rstrip("\r")
        m = ARTICLE.match(line)
        if m:
            flush()
            current = str(cn_int(m.group(1)))
            if m.group(2):
                current += f"-{cn_int(m.group(2))}"
            parts = [m.group(3)]
            continue
        if HEADING.match(line) or line.strip() == "<!-- INFO END -->":
            flush()
            current, parts = None, []
            continue
        if current is not None and line.strip():
            parts.append(line)
    flush()
    return out


def article_key(a: str) -> tuple[int, int]:
    main, _, sub = a.partition("-")
    return int(main), int(sub or 0)


def check(gold: Path) -> list[str]:
    problems: list[str] = []
    cache: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    by_doc: dict[str, list[str]] = defaultdict(list)
    kinds: Counter[str] = Counter()
    n_records = 0
    for lineno, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: bad JSON: {e}")
            continue
        n_records += 1
        doc, art, text = rec.get("doc"), rec.get("article"), rec.get("text")
        where = f"line {lineno} ({doc} 第{art}条)"
        if set(rec) != {"doc", "article", "text", "norms"}:
            problems.append(f"{where}: record keys {sorted(rec)}")
        if (doc, art) in seen:
            problems.append(f"{where}: article annotated twice")
        seen.add((doc, art))
        by_doc[doc].append(art)
        if doc not in cache:
            path = source_path(doc)
            if not path.is_file():
                problems.append(f"{where}: no such source {path}")
                cache[doc] = {}
            else:
                cache[doc] = articles(path)
        source = cache[doc].get(art)
        if source is None:
            problems.append(f"{where}: no such article in the source")
        elif source != text:
            problems.append(f"{where}: article text differs from the source")
        for i, norm in enumerate(rec.get("norms", [])):
            nw = f"{where} norm {i}"
            if set(norm) != FIELDS:
                problems.append(f"{nw}: keys {sorted(norm)}")
                continue
            kinds[norm["kind"]] += 1
            if norm["kind"] not in KINDS:
                problems.append(f"{nw}: unknown kind {norm['kind']!r}")
            if norm["strength"] not in STRENGTHS:
                problems.append(f"{nw}: unknown strength {norm['strength']!r}")
            strict = norm["kind"] == "prohibition" and any(
                w in norm["text"] for w in ("严禁", "决不允许")
            )
            if (norm["strength"] == "strict") != strict:
                problems.append(
                    f"{nw}: strength {norm['strength']} but strict words "
                    f"{'present' if strict else 'absent'}"
                )
            subj = norm["subject"]
            if subj is not None and (not isinstance(subj, str) or not subj.strip()):
                problems.append(f"{nw}: subject must be a non-empty string or null")
            if not isinstance(norm["text"], str) or not norm["text"]:
                problems.append(f"{nw}: empty text")
                continue
            if norm["text"] not in text:
                problems.append(f"{nw}: text is not a substring of the article: {norm['text']!r}")
            for field in ("condition", "exception"):
                value = norm[field]
                if value is None:
                    continue
                if not isinstance(value, str) or not value or value not in text:
                    problems.append(f"{nw}: {field} is not a substring of the article: {value!r}")
    for doc, arts in by_doc.items():
        nums = sorted(arts, key=article_key)
        if nums != arts:
            problems.append(f"{doc}: articles not in order")
    print(f"{n_records} articles, {sum(kinds.values())} norms, {len(by_doc)} documents")
    for doc, arts in by_doc.items():
        print(f"  {doc}: {runs(arts)} ({len(arts)} articles)")
    for kind, n in kinds.most_common():
        print(f"  {kind}: {n}")
    return problems


def runs(arts: list[str]) -> str:
    """ "1-79" style ranges of the article numbers (articles like 120-1 printed as such)."""
    out: list[str] = []
    start = prev = None
    for a in sorted(arts, key=article_key):
        if "-" in a:
            out.append(a)
            continue
        n = int(a)
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
        start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out)


def main(argv: list[str]) -> int:
    gold = Path(argv[1]) if len(argv) > 1 else GOLD
    problems = check(gold)
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
