"""The reader's pages: templates, norms marked in the text, table of contents, links."""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from fagui.export import DIVISIONS
from fagui.model import Document, Node
from fagui.norms import Norm, NormSet
from fagui.recover import converter

KIND_NAMES = {
    "obligation": "义务 应当/必须", "prohibition": "禁止 不得/禁止/严禁", "permission": "许可 可以",
    "right": "权利 有权", "encouragement": "鼓励 鼓励/支持/提倡", "responsibility": "职责 负责",
    "sanction": "罚则", "definition": "定义", "commencement": "施行", "interpretation": "解释",
    "referral": "参照", "principle": "原则",
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fagui.serve", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["snippet"] = _snippet_html
    env.globals["KIND_NAMES"] = KIND_NAMES
    env.globals["qs"] = _qs
    return env


def _snippet_html(snippet: str) -> Markup:
    """A search snippet with its 【match】 marked."""
    escaped = html.escape(snippet)
    return Markup(re.sub(r"【(.*?)】", r"<mark>\1</mark>", escaped))


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def _marked(line: str, start: int, norms: list[tuple[int, Norm]]) -> Markup:
    """One line of an article with the norms that cover it marked by kind. `start` is the
    line's offset in the article's full text, `norms` the article's (index, norm) pairs; where
    norms overlap, the narrowest decides the mark."""
    end = start + len(line)
    cuts = {start, end}
    inside = [(i, n) for i, n in norms if n.span[0] < end and n.span[1] > start]
    for _, n in inside:
        cuts.update(c for c in n.span if start < c < end)
    out = []
    bounds = sorted(cuts)
    for a, b in itertools.pairwise(bounds):
        piece = html.escape(line[a - start : b - start])
        covering = [(n.span[1] - n.span[0], i, n) for i, n in inside if n.span[0] <= a < n.span[1]]
        if not covering:
            out.append(piece)
            continue
        _, index, norm = min(covering, key=lambda t: (t[0], t[1]))
        label = f"{norm.kind}" + (f" · {norm.subject}" if norm.subject else "")
        out.append(
            f'<mark class="norm k-{norm.kind}" data-kind="{norm.kind}" data-norm="{index}" '
            f'title="{html.escape(label)}">{piece}</mark>'
        )
    return Markup("".join(out))


@dataclass(frozen=True, slots=True)
class _Block:
    kind: str  # division, article, other
    eid: str
    level: int
    label: str
    heading: str
    lines: tuple[tuple[str, Markup], ...] = ()  # (eid, html)


def blocks(doc: Document, norm_set: NormSet, kind: str | None) -> list[_Block]:
    """The document as a flat list of headings and articles, norms marked."""
    by_article: dict[str, list[tuple[int, Norm]]] = {}
    for index, norm in enumerate(norm_set.norms):
        if kind is None or norm.kind == kind:
            by_article.setdefault(norm.article, []).append((index, norm))
    out: list[_Block] = []

    def lines(node: Node, norms: list[tuple[int, Norm]]) -> tuple[tuple[str, Markup], ...]:
        result = []
        offset = 0
        for owner, line in node.lines():
            result.append((owner.eid, _marked(line, offset, norms)))
            offset += len(line) + 1
        return tuple(result)

    def visit(node: Node, level: int) -> None:
        if node.type in DIVISIONS or _holds_articles(node):
            out.append(_Block("division", node.eid, level, node.label, node.heading))
            for child in node.children:
                visit(child, level + 1)
        elif node.type == "article":
            norms = by_article.get(node.num or "", [])
            out.append(_Block("article", node.eid, level, node.label, "", lines(node, norms)))
        else:
            out.append(_Block("other", node.eid, level, node.label, node.heading, lines(node, [])))

    for node in doc.body:
        visit(node, 1)
    return out


def _holds_articles(node: Node) -> bool:
    """A block that groups articles (附则 after the 编 of a code) reads like a division."""
    return node.type != "article" and any(c.type == "article" for c in node.children)


_UNTITLED = {"preamble": "序言", "attachment": "附件"}  # how the contents name an untitled one


def toc(doc: Document) -> list[dict[str, Any]]:
    """Table of contents: divisions with their articles, as nested entries."""

    def entry(node: Node) -> dict[str, Any] | None:
        if node.type in DIVISIONS or _holds_articles(node):
            children = [e for c in node.children if (e := entry(c))]
            return {"eid": node.eid, "label": f"{node.label} {node.heading}".strip(),
                    "children": children, "article": False}  # fmt: skip
        if node.type == "article":
            return {"eid": node.eid, "label": node.label, "children": [], "article": True}
        if node.type in ("preamble", "attachment") and node.eid:
            return {"eid": node.eid, "label": node.label or node.heading or _UNTITLED[node.type],
                    "children": [], "article": False}  # fmt: skip
        return None

    return [e for node in doc.body if (e := entry(node))]


def traditional(page: str) -> str:
    return converter("s2tw").convert(page)


def carried(*, default_limit: int = 50, **params: Any) -> dict[str, Any]:
    """The parameters of a page that links carry on: the filters that are set, the script
    when it is traditional, the page size when it is not the default."""
    if params.get("script") == "simplified":
        params["script"] = None
    if params.get("limit") == default_limit:
        params["limit"] = None
    return {k: v for k, v in params.items() if v not in (None, "")}


def _qs(params: Mapping[str, Any], **changes: Any) -> str:
    """`?a=1&b=2`: `params` with `changes` applied (None drops a parameter); "" when empty."""
    merged = {**params, **changes}
    pairs = {k: str(v).lower() if isinstance(v, bool) else v for k, v in merged.items()
             if v is not None and v != ""}  # fmt: skip
    return "?" + urlencode(pairs) if pairs else ""


def html_page(page: str, script: str) -> HTMLResponse:
    return HTMLResponse(traditional(page) if script == "traditional" else page)
