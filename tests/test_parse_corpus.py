"""Acceptance of the parser over the corpus: every law parses without a crash, and ≥ 99.5 % are
exactly right — every article found, its text exact (up to white space), under the 编/分编/章/节
the Markdown headings give (see parse_truth.py). The test prints the laws that differ."""

from __future__ import annotations

import re

import pytest
from corpus import corpus_files, plain_text, relative, requires_corpus
from parse_truth import expected_articles

from fagui.model import Node
from fagui.parse import cn_number, parse

pytestmark = [pytest.mark.corpus, requires_corpus]

FLOOR = 0.995
SPACE = re.compile(r"[\s\u200b]+")
CONTAINERS = ("part", "subpart", "chapter", "section")


def parsed_articles(body: tuple[Node, ...]) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    out = []

    def walk(nodes: tuple[Node, ...], path: tuple[tuple[str, str], ...]) -> None:
        for node in nodes:
            if node.type in CONTAINERS:
                walk(node.children, (*path, (node.type, node.num or "")))
            elif node.type == "article":
                out.append((node.num or "", path, SPACE.sub("", node.full_text())))
            else:
                walk(node.children, path)

    walk(body, ())
    return out


def first_difference(got: list, expected: list) -> str:
    for n, (g, e) in enumerate(zip(got, expected, strict=False)):
        if g != e:
            return f"article #{n + 1}: parsed {str(g)[:120]} / Markdown {str(e)[:120]}"
    return f"{len(got)} articles parsed, {len(expected)} in the Markdown"


def test_every_law_parses_and_almost_all_exactly() -> None:
    files = corpus_files()
    wrong: list[str] = []
    crashed: list[str] = []
    articles = 0
    for path in files:
        md = path.read_text(encoding="utf-8")
        expected = [
            (a.num, a.path, SPACE.sub("", a.text)) for a in expected_articles(md, cn_number)
        ]
        articles += len(expected)
        try:
            got = parsed_articles(parse(plain_text(md), source=str(path)).body)
        except Exception as exc:  # a crash in the parser is a bug: count it, list it
            crashed.append(f"{relative(path)}: {type(exc).__name__}: {exc}")
            continue
        if got != expected:
            wrong.append(f"{relative(path)}: {first_difference(got, expected)}")
    right = len(files) - len(wrong) - len(crashed)
    exact = right / len(files)
    print(
        f"\nparse: {len(files)} laws, {articles} articles; {right} exactly right ({exact:.2%}); "
        f"{len(crashed)} crashed"
    )
    for line in crashed + wrong:
        print("  " + line)
    assert not crashed, "\n".join(crashed)
    assert exact >= FLOOR, "\n".join(wrong)
