"""Layout passes: hard wraps rejoined, half-width punctuation made full-width."""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, compress, islice, pairwise, repeat

import regex

from fagui.recover.chars import _CJK_PUNCT, _NUM, _han_class
from fagui.recover.chrome import _chrome_needles, _chrome_reason, _is_meta
from fagui.recover.edits import _EditTuple

_UNIT_START = regex.compile(
    rf"^\s*(?:第[{_NUM}]+(?:编|編|分编|分編|章|节|節|条|條|部分)\s|[（(][{_NUM}]+[）)]|[{_NUM}]+[、．.]|"
    rf"序言|目录|附件|附则)"
)
_TABLE_ROW = regex.compile(r"\s*\|")
_TABLE_ROW_STDLIB = re.compile(r"\s*\|")  # for the width: its \s also matches \x1c-\x1f
_TERMINAL = "。；：！？;:!?"


def _wrap_width(text: str, lines: list[str]) -> int | None:
    """The width at which the document was hard-wrapped, or None when it was not: the most
    common length of lines (16 or more characters) that another line follows directly, neither
    of them a table row."""
    lengths: Counter[int] = Counter()
    if "|" in text:
        row = _TABLE_ROW_STDLIB
        for line, nxt in pairwise(lines):
            if len(line) >= 16 and nxt and not _is_row(line, row) and not _is_row(nxt, row):
                lengths[len(line)] += 1
    else:  # no table rows: the lines another line follows, counted by length
        lengths.update(map(len, compress(lines, islice(lines, 1, None))))
        lengths = Counter({n: votes for n, votes in lengths.items() if n >= 16})
    if lengths.total() < 3:
        return None
    width, votes = max(lengths.items(), key=lambda kv: (kv[1], kv[0]))
    return width if votes >= 3 else None


def _is_row(line: str, row: re.Pattern[str] | regex.Pattern[str] = _TABLE_ROW) -> bool:
    return "|" in line and row.match(line) is not None


def _wrap_edits(text: str, lines: list[str]) -> list[_EditTuple]:
    width = _wrap_width(text, lines)
    if width is None:
        return []
    rows = "|" in text
    ends = list(accumulate(map(len, lines)))  # line i ends where its newline, ends[i] + i, is
    reason = "hard line break inside a paragraph"
    # Whether a line could be page furniture: only one that holds a string some chrome rule
    # needs (see `_chrome_reason`); looked for, and read, once for a line, which is read twice
    # (as the next line, then as the line).
    needles = _chrome_needles()
    holds: dict[int, bool] = {}  # whether the line holds a needle
    chrome: dict[int, bool] = {}
    edits: list[_EditTuple] = []
    for i in compress(range(len(lines) - 1), map(operator.ge, map(len, lines), repeat(width - 1))):
        line, nxt = lines[i], lines[i + 1]
        # A full line that does not end a clause, followed by one that does not start a unit
        # (第五条　…, （一）, 一、): the paragraph goes on. A line ending a clause at the full
        # width is left alone: joining two paragraphs would merge two 款.
        if line[-1] in _TERMINAL or not nxt.strip():
            continue
        if rows and (_is_row(line) or _is_row(nxt)):
            continue
        if nxt.lstrip()[:1] in _UNIT_FIRST and _UNIT_START.match(nxt):
            continue
        near = True
        if needles is not None:
            known = holds.get(i)
            near = known if known is not None else needles.search(line) is not None
            if not near:
                near = holds[i + 1] = needles.search(nxt) is not None
        if near:
            if i not in chrome:
                chrome[i] = _chrome_reason(line) is not None
            chrome[i + 1] = _chrome_reason(nxt) is not None
            if chrome[i] or chrome[i + 1]:
                continue  # page furniture is not part of a paragraph
        if "，" not in line and "," not in line and _is_meta(nxt):
            continue  # a title, then its date line
        edits.append((ends[i] + i, ends[i] + i + 1, "", "wrap", reason))
    return edits


# The characters a unit can start with, after spaces: 第, brackets, _NUM, 序言 目录 附件 附则
# (see `_UNIT_START`; tests/test_recover.py checks the numerals against _NUM).
_UNIT_FIRST = frozenset("第（(序目附零〇一二三四五六七八九十百千万两0123456789０１２３４５６７８９")


# ---- punctuation ------------------------------------------------------------------------------

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


@functools.cache
def _chinese() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Stdlib patterns for Chinese context, with the Han characters (`regex`'s \\p{Han})
    written out as a class, which the stdlib scans quickly: a Han character or CJK punctuation;
    , ; : ? ! next to one (so never between two digits: 1,000); and half-width punctuation
    next to a Han character or “”《》 (see `_uses_half_width`). Each but the first begins with
    the mark it looks for and looks around it, so the stdlib finds the marks first."""
    han = _han_class()
    chinese = f"[{han}{re.escape(_CJK_PUNCT)}]"
    near = f"[{han}“”《》]"
    return (
        re.compile(chinese),
        re.compile(f"[,;:?!](?:(?<={chinese}.)|(?={chinese}))"),
        re.compile(f"[,;:?!()](?:(?<={near}.)|(?={near}))"),
    )


_BRACKET = re.compile(r"[()]")
_PAIR = re.compile(r"\([^()]*\)")
_FULL = "，；：？！（）"


def _punct_edits(text: str, lines: list[str]) -> list[_EditTuple]:
    """Half-width punctuation in Chinese context: next to a Han character or CJK punctuation,
    or for a pair of brackets on a line, around or inside them."""
    reason = "half-width punctuation in Chinese text"
    edits = [
        (m.start(), m.end(), _HALF_TO_FULL[m.group()], "punctuation", reason)
        for m in _chinese()[1].finditer(text)
    ]
    ls = 0  # where `line` starts
    for line in lines:
        if "(" in line or ")" in line:
            edits += [
                (ls + i, ls + i + 1, _HALF_TO_FULL[line[i]], "punctuation", reason)
                for i in _chinese_brackets(line)
            ]
        ls += len(line) + 1
    edits.sort()
    return edits


def _chinese_brackets(line: str) -> Iterator[int]:
    chinese_pattern = _chinese()[0]
    simple = [m.span() for m in _PAIR.finditer(line)]
    if 2 * len(simple) == line.count("(") + line.count(")"):  # only pairs, none nested
        for o, end in simple:
            c = end - 1
            around = line[o - 1 : o] + line[c + 1 : c + 2]
            if chinese_pattern.search(around) or chinese_pattern.search(line, o + 1, c):
                yield o
                yield c
        return
    opens: list[int] = []
    pairs: dict[int, int] = {}  # each bracket of a pair → the other
    for m in _BRACKET.finditer(line):
        if m.group() == "(":
            opens.append(m.start())
        elif opens:
            pairs[m.start()] = o = opens.pop()
            pairs[o] = m.start()
    for m in _BRACKET.finditer(line):
        i = m.start()
        if i in pairs:
            o, c = min(i, pairs[i]), max(i, pairs[i])
            around = line[o - 1 : o] + line[c + 1 : c + 2]
            chinese = bool(chinese_pattern.search(around) or chinese_pattern.search(line, o + 1, c))
        else:
            chinese = bool(
                chinese_pattern.match(line[i - 1 : i]) or chinese_pattern.match(line[i + 1 : i + 2])
            )
        if chinese:
            yield i


def _uses_half_width(text: str) -> bool:
    """True when the document writes its Chinese punctuation half-width, as mirrors do."""
    return len(_chinese()[2].findall(text)) > sum(map(text.count, _FULL))
