"""What the corpus's Markdown says about a law's structure: the ground truth for the parser.

The headings (`## 第一章 总则`, `### 第一节 …`) give the 编/分编/章/节 each article stands
under; an article is a paragraph starting `第X条 ` and runs until the next article, heading or
attachment line (`附件…`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = "零〇一二三四五六七八九十百千万两0-9"
HEADING = re.compile(r"^(#+)\s+(.*)$")
STRUCTURE = re.compile(rf"^第([{NUM}]+)(编|分编|章|节)")
ARTICLE = re.compile(rf"^第([{NUM}]+)条(?:之([{NUM}]+))?[ \u3000]+(.*)$")
ATTACHMENT = re.compile(
    r"^(附件|附表|附录|附(?=[：:]))[一二三四五六七八九十\d]*[：:．.、]?\s*.{0,40}$"
)
# A heading whose `#` marks the Markdown lost (法律责任 between two articles): a short line with
# no punctuation, followed by an article, a heading or another such line. It is not a 款 of
# the article above: a 款 is a sentence.
BARE = re.compile(r"^[^。；，：、,;:？！（(]{1,20}$")
# An amendment (修正案, 修改…的决定) is a list of numbered points, 一、二、…, and they are its
# articles: other texts cite them so (《刑法修正案（九）》第六条 is its point 六、). The quoted new
# text under a point is the point's paragraphs.
POINT = re.compile(r"^([一二三四五六七八九十百]+)、\s*(.*)$")
WHOLE = re.compile(r"^(?:根据)?本(?:决定|修正案)")
KIND = {"编": "part", "分编": "subpart", "章": "chapter", "节": "section"}
RANK = {"part": 1, "subpart": 2, "chapter": 3, "section": 4}


@dataclass(frozen=True)
class Article:
    num: str  # "120-1"
    path: tuple[tuple[str, str], ...]  # (("chapter", "3"), ("section", "2"))
    text: str  # the article's paragraphs, label removed, joined by "\n"


def is_amendment(md: str) -> bool:
    title = next((line[2:].strip() for line in md.split("\n") if line.startswith("# ")), "")
    return "修正案" in title or ("决定" in title and ("修改" in title or "修正" in title))


def expected_articles(md: str, number) -> list[Article]:
    """The articles of a corpus Markdown file; `number` turns 一百二十 into 120."""
    body = md.split("<!-- INFO END -->", 1)[-1]
    points = is_amendment(md) and not any(ARTICLE.match(x.strip()) for x in body.split("\n"))
    path: list[tuple[str, str]] = []
    out: list[Article] = []
    current: list[str] | None = None
    num = ""
    frozen_path: tuple[tuple[str, str], ...] = ()

    def close() -> None:
        nonlocal current
        if current is not None:
            out.append(Article(num, frozen_path, "\n".join(current)))
        current = None

    lines = [raw.strip().replace("\u200b", "") for raw in body.split("\n")]
    lines = [line for line in lines if line and not line.startswith("<!--")]
    for n, line in enumerate(lines):
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if (
            current is not None
            and not HEADING.match(line)
            and BARE.match(line)
            and (ARTICLE.match(following) or HEADING.match(following) or BARE.match(following))
        ):
            close()
            continue
        h = HEADING.match(line)
        if h:
            close()
            s = STRUCTURE.match(h.group(2).strip())
            if s:
                kind = KIND[s.group(2)]
                while path and RANK[path[-1][0]] >= RANK[kind]:
                    path.pop()
                path.append((kind, str(number(s.group(1)))))
            continue
        p = POINT.match(line) if points else None
        if p:
            close()
            num, frozen_path = str(number(p.group(1))), tuple(path)
            current = [p.group(2).strip()] if p.group(2).strip() else []
            continue
        if points and current is not None and WHOLE.match(line):
            close()
            continue
        a = ARTICLE.match(line)
        if a:
            close()
            base = number(a.group(1))
            num = f"{base}-{number(a.group(2))}" if a.group(2) else str(base)
            frozen_path = tuple(path)
            current = [a.group(3).strip()] if a.group(3).strip() else []
            continue
        if ATTACHMENT.match(line):
            close()
            continue
        if current is not None:
            current.append(line)
    close()
    return out
