"""Parse: canonical text → `Document` (metadata, body tree, eIds).

`parse` runs `recover` first, so any copy works. It never rejects input: a line it does not
recognise becomes a paragraph of the article it stands in, a `block`, or part of the preamble,
and a crash is a bug. The structure it knows, outermost first:

- 编 `part`, 分编 `subpart`, 章 `chapter`, 节 `section`, 一、总则 / 第一部分 `division`;
- 序言 `preamble` (and the lines before the first provision), 目录 `toc` (a table of contents
  is kept apart, never mistaken for the body), 附件 `attachment`;
- 条 `article` (第一百二十条之一 → num "120-1"), 款 `paragraph` (counted by position),
  项 `item` （一）, 目 `subitem` 1． / （1）.

An article label opens an article only at the start of a line and followed by a space, or,
without the space, when its number is the next in sequence (so a wrapped line starting
第二十条的规定 is not an article); gaps and repeats in the numbering are reported in
`Document.problems`, never merged.

An article whose text is a single 款 keeps it as its own `text`; one with several 款, or with
项, has paragraph children `para_1`… holding the text. eIds follow the Akoma Ntoso naming
convention: `part_1__chp_2__sec_3`, `art_39`, `art_39__para_2__item_1__point_2`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import cn2an

from fagui.model import Document, Issuer, Node
from fagui.recover import recover

__all__ = ["cn_number", "parse", "parse_canonical"]

_NUM = "零〇一二三四五六七八九十百千万两0-9"
_SPACE = "[\\s\u3000]"

# Division headings: (type, rank, pattern with groups number, heading). Rank orders nesting.
_DIVISIONS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("part", 1, re.compile(rf"^第([{_NUM}]+)编(?:{_SPACE}+(.*))?$")),
    ("subpart", 2, re.compile(rf"^第([{_NUM}]+)分编(?:{_SPACE}+(.*))?$")),
    ("chapter", 3, re.compile(rf"^第([{_NUM}]+)章(?:{_SPACE}*(.*))?$")),
    ("section", 4, re.compile(rf"^第([{_NUM}]+)节(?:{_SPACE}*(.*))?$")),
    ("division", 0, re.compile(rf"^第([{_NUM}]+)部分(?:{_SPACE}*(.*))?$")),
)
# A section stands in a chapter, a subpart in a part; elsewhere the line is quoted text.
_NEEDS = {"section": "chapter", "subpart": "part"}
# 一、总则 as a heading: short, no sentence punctuation.
_DIVISION_CN = re.compile(r"^([一二三四五六七八九十]+)、\s*([^。；，：:;,]{1,30})$")
_ARTICLE = re.compile(rf"^第([{_NUM}]+)条(?:之([{_NUM}]+))?({_SPACE}+|$)?(.*)$", re.S)
_ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$", re.S)
_SUBITEM = re.compile(r"^(?:(\d+)[.．、]|[（(](\d+)[）)]|([①-⑳]))\s*(.*)$", re.S)
_PREAMBLE = re.compile(r"^序\s*言$")
_TOC = re.compile(r"^目\s*录$")
_ATTACHMENT = re.compile(
    r"^(附件|附表|附录|附(?=[：:]))\s*([一二三四五六七八九十\d]*)[：:．.、]?\s*(.{0,40})$"
)
# The points of an amendment, and the lines after them that speak of the whole decision.
_POINT = re.compile(r"^([一二三四五六七八九十百]+)、\s*(.*)$", re.S)
_WHOLE_DECISION = re.compile(r"^(?:根据)?本(?:决定|修正案)")
# What may not follow an article label written without a space: it is then a reference.
_NOT_AFTER_LABEL = re.compile(r"^[的、，,。之和或及至与中规所第（(“”]")

_DOC_TYPES = (
    "修正案", "实施细则", "细则", "条例", "规定", "办法", "决定", "解释", "规则", "准则",
    "意见", "通知", "批复", "答复", "解答", "公告", "决议", "章程", "纲要", "安排", "方案",
    "命令", "标准", "规程", "制度", "守则", "规范", "法典", "法",
)  # fmt: skip
_TITLE_TAIL = re.compile(r"[（(][^）)]*[）)]$")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_HISTORY = re.compile(
    rf"^[（(]?\s*\d{{4}}\s*年|^[（(][^）)]*\d{{4}}年|^{_SPACE}*根据\s*\d{{4}}\s*年"
)
_NUMBER = re.compile(
    r"((?:中华人民共和国)?(?:主席令|国务院令|[^\s，。]{0,12}令)\s*[（(]?第\s*[\d一二三四五六七八九十百]+\s*号[）)]?"
    r"|[^\s，。（(]{1,8}〔\d{4}〕\s*\d+\s*号)"
)
_EVENTS = (
    ("通过", "adopted"), ("批准", "approved"), ("公布", "published"), ("发布", "published"),
    ("颁布", "published"), ("印发", "published"), ("修正", "amended"), ("修订", "amended"),
    ("修改", "amended"), ("施行", "effective"),
)  # fmt: skip
_ORGAN_NOISE = re.compile(
    rf"第[{_NUM}]+届|第[{_NUM}]+次(?:全体|常务)?会议|会议|《[^》]*》.*|根据|[（(]|[）)]|"
    rf"关于.*|令第.*|第[{_NUM}]+号|经|由|的$"
)
_EFFECTIVE_ON = re.compile(r"自(\d{4}年\d{1,2}月\d{1,2}日)起(?:施行|执行|生效)")
_EFFECTIVE_AT_PUBLICATION = re.compile(r"自(?:公布|发布|印发)之日起(?:施行|执行|生效)")


@functools.lru_cache(maxsize=4096)
def cn_number(text: str) -> int:
    """一百二十 → 120, 两 → 2, 12 → 12 (cn2an does the Chinese numerals)."""
    if text.isdigit():
        return int(text)
    return int(cn2an.cn2an(text.replace("〇", "零"), "smart"))


# ---------------------------------------------------------------------------------------------
# A mutable builder for the tree; frozen `Node`s are made at the end.


@dataclass
class _Build:
    type: str
    num: str | None = None
    label: str = ""
    heading: str = ""
    text: str = ""
    children: list[_Build] = field(default_factory=list)
    rank: int = 99


def _freeze(
    nodes: list[_Build], prefix: str = "", counters: dict[str, int] | None = None
) -> tuple[Node, ...]:
    """Frozen nodes with their eIds. Articles, blocks and attachments are numbered across the
    document; divisions within their parent; paragraphs, items and subitems by position."""
    counters = {} if counters is None else counters
    out = []
    seen: dict[str, int] = {}
    for position, b in enumerate(nodes, 1):
        if b.type == "article":
            eid = f"art_{b.num}"
            counters[eid] = counters.get(eid, 0) + 1
            if counters[eid] > 1:  # a repeated number keeps its own id
                eid = f"{eid}_{counters[eid]}"
            child_prefix = eid
        elif b.type in ("paragraph", "item", "subitem"):
            short = {"paragraph": "para", "item": "item", "subitem": "point"}[b.type]
            eid = f"{prefix}__{short}_{position if b.type == 'paragraph' else b.num}"
            child_prefix = eid
        elif b.type in ("block", "attachment", "preamble", "toc"):
            short = {"block": "hcontainer", "attachment": "att"}.get(b.type, b.type)
            if b.type in ("block", "attachment"):
                counters[short] = counters.get(short, 0) + 1
                eid = f"{short}_{counters[short]}"
            else:
                counters[short] = counters.get(short, 0) + 1
                eid = short if counters[short] == 1 else f"{short}_{counters[short]}"
            child_prefix = eid
        else:
            short = {"part": "part", "subpart": "subpart", "chapter": "chp", "section": "sec",
                     "division": "dvs"}[b.type]  # fmt: skip
            local = f"{short}_{b.num}"
            seen[local] = seen.get(local, 0) + 1
            if seen[local] > 1:
                local = f"{local}_{seen[local]}"
            eid = f"{prefix}__{local}" if prefix else local
            child_prefix = eid
        children = _freeze(b.children, child_prefix, counters)
        out.append(Node(b.type, eid, b.num, b.label, b.heading, b.text, children))
    return tuple(out)


# ---------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, *, amendment: bool = False) -> None:
        # In an amendment (修正案, 修改决定) the numbered points 一、二、 are its articles, and
        # lines such as （一） belong to the text it quotes, not to its own structure.
        self.amendment = amendment
        self.top: list[_Build] = []
        self.stack: list[_Build] = []  # open divisions, outermost first
        self.article: _Build | None = None
        self.paragraph: _Build | None = None
        self.item: _Build | None = None
        self.preamble: _Build | None = None
        self.attachment: _Build | None = None
        self.toc: _Build | None = None
        self.last_num: tuple[int, int] | None = None
        self.problems: list[str] = []
        self.started = False  # a division or an article has been seen

    # -- where things go ------------------------------------------------------------------------

    def _container(self) -> list[_Build]:
        return self.stack[-1].children if self.stack else self.top

    def _close_article(self) -> None:
        self.article = self.paragraph = self.item = None

    def _add(self, node: _Build) -> None:
        self._container().append(node)

    # -- line kinds -----------------------------------------------------------------------------

    def feed(self, line: str, following: str) -> None:
        if self.toc is not None:
            if self._toc_line(line):
                return
            self.toc = None
        if self.attachment is not None:
            if not self._attachment_start(line):
                self.attachment.children.append(_Build("block", text=line))
            return
        if _TOC.match(line) and not self.started:
            self.toc = _Build("toc", heading=_heading(line))
            self.top.append(self.toc)
            return
        if _PREAMBLE.match(line):
            self._close_article()
            self.preamble = _Build("preamble", heading=_heading(line))
            self.top.append(self.preamble)
            return
        if self.amendment and self._amendment_line(line):
            self.preamble = None
            return
        if self._division(line) or self._article(line):
            self.preamble = None
            return
        if self.started and self._attachment_start(line):
            return
        if self.article is not None:
            if not self.amendment and self._item(line):
                return
            if self._loose_heading(line, following):
                return
            self._paragraph(line)
            return
        if self.preamble is not None or not self.started:
            if self.preamble is None:
                self.preamble = _Build("preamble")
                self.top.append(self.preamble)
            self.preamble.children.append(_Build("paragraph", text=line))
            return
        self._add(_Build("block", text=line))

    def _toc_line(self, line: str) -> bool:
        """A table-of-contents entry: a heading line met before, under 目录, until the body
        repeats the first entry."""
        assert self.toc is not None
        entries = self.toc.children
        is_heading = (
            any(p.match(line) for _, _, p in _DIVISIONS)
            or _PREAMBLE.match(line)
            or _DIVISION_CN.match(line)
            or (len(line) <= 20 and not re.search("[。；，]", line) and not _ARTICLE.match(line))
        )
        if not is_heading:
            return False
        if entries and _squash(line) == _squash(entries[0].text):
            return False  # the body starts
        entries.append(_Build("block", text=line))
        return True

    def _division(self, line: str) -> bool:
        for kind, rank, pattern in _DIVISIONS:
            m = pattern.match(line)
            if m and kind in _NEEDS and not any(b.type == _NEEDS[kind] for b in self.stack):
                return False  # 第七节 outside any chapter: quoted text, not this text's section
            if m:
                label = line[: m.start(2)].strip() if m.group(2) else line.strip()
                heading = _heading(m.group(2) or "")
                self._open(_Build(kind, str(cn_number(m.group(1))), label, heading, rank=rank))
                return True
        m = _DIVISION_CN.match(line)
        if m:
            self._open(_Build("division", str(cn_number(m.group(1))), m.group(1) + "、",
                              _heading(m.group(2)), rank=5))  # fmt: skip
            return True
        return False

    def _open(self, node: _Build) -> None:
        self._close_article()
        self.attachment = None
        while self.stack and self.stack[-1].rank >= node.rank:
            self.stack.pop()
        self._add(node)
        self.stack.append(node)
        self.started = True

    def _article(self, line: str) -> bool:
        m = _ARTICLE.match(line)
        if not m:
            return False
        base, sub = cn_number(m.group(1)), cn_number(m.group(2)) if m.group(2) else 0
        spaced, rest = m.group(3) is not None, m.group(4)
        if not spaced:
            expected = self.last_num is None or (
                (base, sub) > self.last_num and base <= self.last_num[0] + 1
            )
            if not expected or _NOT_AFTER_LABEL.match(rest):
                return False  # 第二十条的规定…: a reference at the start of a line
        self._check_sequence(base, sub, line[: m.end(2) if m.group(2) else m.end(1) + 1])
        self._close_article()
        self.attachment = None
        num = f"{base}-{sub}" if sub else str(base)
        label = line[: (m.end(2) if m.group(2) else m.end(1) + 1)]
        self.article = _Build("article", num, label, text=rest.strip())
        self._add(self.article)
        self.started = True
        return True

    def _amendment_line(self, line: str) -> bool:
        m = _POINT.match(line)
        if m:
            base = cn_number(m.group(1))
            self._check_sequence(base, 0, m.group(1) + "、")
            self._close_article()
            self.article = _Build("article", str(base), m.group(1) + "、", text=m.group(2).strip())
            self._add(self.article)
            self.started = True
            return True
        if self.article is not None and _WHOLE_DECISION.match(line):
            self._close_article()  # 本决定自…起施行: the decision's, not its last point's
            self._add(_Build("block", text=line))
            return True
        return False

    def _check_sequence(self, base: int, sub: int, label: str) -> None:
        last = self.last_num
        if last is not None:
            if (base, sub) == last:
                self.problems.append(f"{label} is repeated")
            elif (sub == 0 and base != last[0] + 1) or (
                sub
                and (base != last[0] or sub != last[1] + 1)
                and not (base == last[0] and last[1] == 0 and sub == 1)
            ):
                self.problems.append(
                    f"{label} follows article {last[0]}" + (f"-{last[1]}" if last[1] else "")
                )
        self.last_num = (base, sub)

    def _paragraphs(self) -> list[_Build]:
        """The article's paragraph list, moving its own text into a first paragraph."""
        article = self.article
        assert article is not None
        if not article.children and article.text:
            article.children.append(_Build("paragraph", text=article.text))
            article.text = ""
        return article.children

    def _paragraph(self, line: str) -> None:
        paragraphs = self._paragraphs()
        self.paragraph = _Build("paragraph", text=line)
        paragraphs.append(self.paragraph)
        self.item = None

    def _item(self, line: str) -> bool:
        m = _ITEM.match(line)
        if m:
            if self.paragraph is None:
                paragraphs = self._paragraphs()
                if not paragraphs:
                    paragraphs.append(_Build("paragraph"))
                self.paragraph = paragraphs[-1]
            self.item = _Build("item", str(cn_number(m.group(1))), line[: m.start(2)].strip(),
                               text=m.group(2).strip())  # fmt: skip
            self.paragraph.children.append(self.item)
            return True
        m = _SUBITEM.match(line)
        if m:
            digits = m.group(1) or m.group(2)
            num = digits if digits else str(ord(m.group(3)) - ord("①") + 1)
            label = line[: m.start(4)].strip()
            if self.item is not None:
                self.item.children.append(_Build("subitem", num, label, text=m.group(4).strip()))
                return True
            if self.paragraph is None:
                paragraphs = self._paragraphs()
                if not paragraphs:
                    paragraphs.append(_Build("paragraph"))
                self.paragraph = paragraphs[-1]
            self.paragraph.children.append(_Build("item", num, label, text=m.group(4).strip()))
            return True
        return False

    def _loose_heading(self, line: str, following: str) -> bool:
        """A short line with no punctuation, before an article, a heading or another such
        line: a heading the text gives without a number (总　则, 法律责任), not a 款 of the
        article above — a 款 is a sentence."""
        if not _is_bare_heading(line):
            return False
        if not (
            _ARTICLE.match(following)
            or any(p.match(following) for _, _, p in _DIVISIONS)
            or _is_bare_heading(following)
        ):
            return False
        self._close_article()
        heading = _heading(line)
        if heading in ("附则", "总则", "分则") and any(b.type == "part" for b in self.stack):
            # 附则 after the last 编 stands outside every 编: the articles after it are its own
            self.stack.clear()
            self._open(_Build("block", heading=heading, rank=1))
            return True
        self._add(_Build("block", heading=line))
        return True

    def _attachment_start(self, line: str) -> bool:
        m = _ATTACHMENT.match(line)
        if not m or "。" in line:
            return False
        self._close_article()
        self.stack.clear()
        num = str(cn_number(m.group(2))) if m.group(2) else None
        self.attachment = _Build("attachment", num, (m.group(1) + m.group(2)).strip(),
                                 m.group(3).strip())  # fmt: skip
        self.top.append(self.attachment)
        return True


def _is_bare_heading(line: str) -> bool:
    return 0 < len(line) <= 20 and not re.search(r"[。；，：、,;:？！（(]", line)


def _heading(text: str) -> str:
    """A heading as named: official texts space out short ones (总　　则 → 总则)."""
    text = text.strip()
    if re.fullmatch(r"\S(?:[\s\u3000]+\S){1,3}", text):
        return _squash(text)
    return text


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


# ---------------------------------------------------------------------------------------------
# Metadata


def doc_type(title: str) -> str | None:
    """The kind of regulation its title names: 法, 条例, 规定, 办法, … (None if no kind)."""
    bare = title
    while _TITLE_TAIL.search(bare):
        bare = _TITLE_TAIL.sub("", bare).strip()
    for kind in _DOC_TYPES:
        if bare.endswith(kind):
            return kind
    return None


def _organ(text: str) -> str:
    organ = _ORGAN_NOISE.sub("", text).strip(" 　，,、：:")
    return organ


def _history(lines: list[str]) -> tuple[dict[str, Any], list[Issuer]]:
    dates: dict[str, Any] = {}
    issuers: list[Issuer] = []
    for line in lines:
        found = list(_DATE.finditer(line))
        for n, m in enumerate(found):
            date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            segment = line[m.end() : found[n + 1].start() if n + 1 < len(found) else len(line)]
            # The clause's own verb comes last: …会议通过的《修正案》修正 is an amendment.
            found_events = [(segment.rfind(w), w, r) for w, r in _EVENTS if w in segment]
            for at, word, role in sorted(found_events, reverse=True)[:1]:
                if segment.startswith("的《", at + len(word)):
                    role = "amended"  # 根据…会议通过的《…修正案》、…: the date of an amending act
                if role == "amended":
                    dates.setdefault("amended", []).append(date)
                else:
                    dates.setdefault(role, date)
                    organ = _organ(segment[:at])
                    if organ and role in ("adopted", "approved", "published"):
                        issuers.append(Issuer(organ, role))
    return dates, issuers


def _commencement(doc_body: tuple[Node, ...], dates: dict[str, Any]) -> None:
    for node in (n for top in doc_body for n in top.walk()):
        if node.type != "article" and node.type != "paragraph":
            continue
        text = node.full_text()
        if "施行" not in text and "生效" not in text and "执行" not in text:
            continue
        m = _EFFECTIVE_ON.search(text)
        if m:
            d = _DATE.search(m.group(1))
            if d:
                dates.setdefault(
                    "effective",
                    f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}",
                )
        elif _EFFECTIVE_AT_PUBLICATION.search(text) and "published" in dates:
            dates.setdefault("effective", dates["published"])


def _frbr(title: str, dates: dict[str, Any]) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    date = next(
        (dates[k] for k in ("published", "adopted", "approved", "effective") if k in dates), None
    )
    amended = max(dates.get("amended") or [""])
    version = amended if amended > (date or "") else date  # the text as last amended
    initials = "".join(lazy_pinyin(title, style=Style.FIRST_LETTER, errors="ignore")).lower()
    initials = re.sub(r"[^a-z0-9]", "", initials)[:24] or "doc"
    slug = f"{initials}-{hashlib.sha1(title.encode('utf-8')).hexdigest()[:6]}"
    year = date[:4] if date else "0000"
    work = f"/akn/cn/act/{year}/{slug}"
    expression = f"{work}/zho@{version}" if version else f"{work}/zho"
    return work, expression


# ---------------------------------------------------------------------------------------------


def parse(text: str, *, source: str = "-") -> Document:
    """Parse any copy of a regulation: `recover` it, then `parse_canonical`."""
    return parse_canonical(recover(text, source=source).text, source=source)


def parse_canonical(text: str, *, source: str = "-") -> Document:
    """Parse a canonical text (as `recover` gives it) into a `Document`. Never raises on text."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return Document(title="", source=source)
    title = lines[0]
    i = 1
    subtitle = ""
    header: list[str] = []
    # A part title under the title (人格权编, 第四编 人格权), then the history lines.
    if i < len(lines) and _is_subtitle(lines[i]):
        subtitle = lines[i]
        i += 1
    while i < len(lines) and (_HISTORY.match(lines[i]) or _NUMBER.fullmatch(lines[i])):
        header.append(lines[i])
        i += 1
    kind = doc_type(title)
    amendment = kind == "修正案" or (kind == "决定" and bool(re.search("修改|修正", title)))
    amendment = amendment and not any(_ARTICLE.match(line) and "“" not in line[:1]
                                      for line in lines[i:])  # fmt: skip
    parser = _Parser(amendment=amendment)
    for n in range(i, len(lines)):
        parser.feed(lines[n], lines[n + 1] if n + 1 < len(lines) else "")
    body = _freeze(parser.top)
    dates, issuers = _history(header)
    _commencement(body, dates)
    number_match = next((m for line in header if (m := _NUMBER.search(line))), None)
    work, expression = _frbr(title + (f" {subtitle}" if subtitle else ""), dates)
    return Document(
        title=title,
        body=body,
        source=source,
        doc_type=doc_type(title),
        subtitle=subtitle,
        number=re.sub(r"\s+", "", number_match.group(1)) if number_match else None,
        dates=dates,
        issuers=tuple(dict.fromkeys(issuers)),
        history=tuple(header),
        frbr_work=work,
        frbr_expression=expression,
        problems=tuple(parser.problems),
    )


def _is_subtitle(line: str) -> bool:
    return bool(
        len(line) <= 20
        and not _HISTORY.match(line)
        and not _ARTICLE.match(line)
        and not re.search(r"[。；，：]", line)
        and (line.endswith("编") or line.endswith("篇") or re.match(rf"^第[{_NUM}]+编", line))
    )
