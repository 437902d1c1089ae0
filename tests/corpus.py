"""The shared corpus (../shared/corpus/lawrefbook) as the plain text a user would have."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "lawrefbook"
TEMPLATE = "法律法规模版.md"  # documents the Markdown format; not a law

requires_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus absent")


def corpus_files() -> list[Path]:
    """The law files of the corpus, sorted by path; empty when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*.md") if p.name != TEMPLATE)


def plain_text(md: str) -> str:
    """The text without Markdown: the `<!-- INFO END -->` line dropped, and the `#` markers of
    heading lines with the space after them. Everything else is kept exactly, blank lines too."""
    lines = []
    for line in md.split("\n"):
        if line.strip() == "<!-- INFO END -->":
            continue
        if line.startswith("#"):
            line = line.lstrip("#").removeprefix(" ")
        lines.append(line)
    return "\n".join(lines)


def relative(path: Path) -> str:
    """A corpus file's path relative to the corpus, for messages and seeds."""
    return path.relative_to(CORPUS).as_posix()
