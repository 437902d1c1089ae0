"""Layout passes: hard wraps rejoined, half-width punctuation made full-width."""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, compress, islice, repeat

import regex

from fagui.recover.chars import _CJK_PUNCT, _HALF_MARKS, _NUM, _characters, _han_class
from fagui.recover.chrome import _chrome_rule, _could_be_meta, _is_meta, _line_needles
from fagui.recover.edits import _applied, _line_end, _line_spans

_UNIT_START = regex.compile(
    rf"^\s*(?:第[{_NUM}]+(?:编|編|分编|分編|章|节|節|条|條|部分)\s|[（(][{_NUM}]+[）)]|[{_NUM}]+[、．.]|"
    rf"序言|目录|附件|附则)"
)
_TERMINAL = "。；：！？;:!?"


def _wrap_width(text: str, lines: list[str]) -> int | None:
    """The width at which the document was hard-wrapped, or None when it was not: the most
    common length of lines (16 or more characters) that another line follows directly, neither
    of them a table row, when it is the length of three of them and a fifth at least, and
    fewer are longer."""
    # The lines another line follows, counted by length (blank ones aside, the quicker as a
    # polluted copy has many); less, in a text with table rows, those that are rows or stand
    # before one.
    lengths = Counter(map(len, filter(None, compress(lines, islice(lines, 1, None)))))
    if "|" in text:
        rows: set[int] = set()  # their numbers
        line = p = 0
        for start in _row_starts(text, _SPACES):
            line += text.count("\n", p, start)
            p = start
            rows.add(line)
        for i in rows | {r - 1 for r in rows if r}:
            if i + 1 < len(lines) and lines[i + 1]:
                lengths[len(lines[i])] -= 1
    lengths = Counter({n: votes for n, votes in lengths.items() if n >= 16 and votes > 0})
    if lengths.total() < 3:
        return None
    width, votes = max(lengths.items(), key=operator.itemgetter(1, 0))
    # A hard-wrapped text has many of its lines at the width and few longer; a few lines of the
    # same length among many, or among longer ones, are chance (as in a text whose wraps are
    # gone: recover is idempotent).
    longer = sum(n for length, n in lengths.items() if length > width + 1)
    share = votes >= _WIDTH_SHARE * lengths.total() and longer < votes
    return width if votes >= 3 and share else None


_WIDTH_SHARE = 0.2


def _unwrapped(text: str, lines: list[str]) -> tuple[str, list[int]]:
    """The text with the newlines that break a paragraph of a hard-wrapped document deleted,
    and where they were in it (ascending).

    A full line that does not end a clause, followed by one that does not start a unit
    (第五条　…, （一）, 一、): the paragraph goes on. A line ending a clause at the full width
    is left alone: joining two paragraphs would merge two 款. Never across a table row, page
    furniture (a line some chrome rule matches) or before a date line under a title. The
    newlines are found by one pattern over the whole text; the rare lines that rule out a join
    (rows, chrome, date lines) are found apart, each from the strings it must hold."""
    width = _wrap_width(text, lines)
    if width is None:
        return text, []
    # The text split at the newlines the pattern finds, with its group between the pieces (''
    # where the next line may be a date line, None elsewhere): where the newlines are, those
    # that may go before a date line, and the text without them all come from the pieces, and
    # no match object is made for each of the many newlines (finditer's cost more than the
    # pieces do, and the text was cut again from their spans).
    pieces = _wrap_pattern(width, "".join(c for c in _COMMAS if c in text)).split(text)
    between = pieces[::2]  # the text between the newlines
    found = len(between) - 1
    if not found:
        return text, []
    # The k-th newline (from 0) follows the k + 1 pieces before it and the k newlines between.
    breaks = list(map(operator.add, accumulate(map(len, islice(between, found))), range(found)))
    kept: set[int] = set()  # newlines next to a line that rules out a join
    if "|" in text:
        for start in _row_starts(text, _LINE_SPACES):
            kept.update(_around_line(text, start))
    # Only the lines from the one before the first newline to the one after the last can stand
    # next to one: the page furniture above and below the text, where most of the lines that
    # hold a needle are (7 in 8 over the corpus), is not read.
    lo, hi = text.rfind("\n", 0, breaks[0]) + 1, _line_end(text, breaks[-1] + 1)
    for start, end in _needle_lines(text, lo, hi):
        if (_among(breaks, start - 1) or _among(breaks, end)) and _chrome_rule(text[start:end]):
            kept.update((start - 1, end))
    # A title, then its date line: the line before the break holds no comma, and the next line
    # is a date line. Each is read alone and with the lines that other breaks join to it (a
    # long date line is wrapped too; a wrapped line of a paragraph may look like one: …责令停
    # 止使用，限期), so that a text reads the same once its breaks are gone.
    dated = compress(breaks, map(operator.is_not, islice(pieces, 1, None, 2), repeat(None)))
    for p in dated:
        start = text.rfind("\n", 0, p) + 1
        if "，" in text[start:p] or "," in text[start:p]:
            continue
        while _among(breaks, start - 1):
            start = text.rfind("\n", 0, start - 1) + 1
        end = line_end = _line_end(text, p + 1)
        if not _is_meta(text[p + 1 : end]) or "，" in text[start:p] or "," in text[start:p]:
            continue
        while _among(breaks, end):
            end = _line_end(text, end + 1)
        if end == line_end or _is_meta(text[p + 1 : end].replace("\n", "")):  # read once
            kept.add(p)
    kept = {p for p in kept if _among(breaks, p)}
    if not kept:
        return "".join(between), breaks
    # The kept newlines go back between their pieces, in place of the groups.
    joins = [""] * found
    for p in kept:
        joins[bisect.bisect_left(breaks, p)] = "\n"
    pieces[1::2] = joins
    return "".join(pieces), [p for p in breaks if p not in kept]


def _among(breaks: list[int], p: int) -> bool:
    """Whether `p` is one of the `breaks` (ascending): searched, as a pass asks of a few
    positions, where a set of them all would cost more to make."""
    i = bisect.bisect_left(breaks, p)
    return i < len(breaks) and breaks[i] == p


def _needle_lines(text: str, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of text[lo:hi] (whole lines) that holds one of the strings a
    chrome rule needs where the rule could find it (`_line_needles`), in order."""
    patterns = _line_needles()
    if patterns is None:
        for start, end in _line_spans(text[lo:hi]):
            yield lo + start, lo + end
        return
    anywhere, first, at_start = patterns
    found = {text.rfind("\n", 0, m.start()) + 1: m.end() for m in anywhere.finditer(text, lo, hi)}
    if m := first.match(text, lo, hi):  # the first line (the others follow a newline)
        found[lo] = m.end()
    found.update((m.start() + 1, m.end()) for m in at_start.finditer(text, lo, hi))
    yield from sorted(found.items())


def _newline_spans(breaks: list[int]) -> list[tuple[int, int]]:
    """The (start, end) of the newlines at `breaks`."""
    return list(zip(breaks, map(operator.add, breaks, repeat(1)), strict=True))


# The patterns of the wrap pass read the whole text, where `regex`'s \s (in `_UNIT_START`, and in
# a table row's start, read on a line) is this class: it never crosses a line end.
_LINE_SPACE = r"[^\S\n\x1c-\x1f]"
_LINE_SPACES = "".join(regex.findall(r"[^\S\n]", _characters(0, 0x10000)))
# For the width, a table row starts after the stdlib's spaces, which also hold \x1c-\x1f.
_SPACES = "".join(re.findall(r"[^\S\n]", _characters(0, 0x10000)))


def _row_starts(text: str, spaces: str) -> Iterator[int]:
    """Where each table row starts: a line that starts with | after `spaces`."""
    bar = text.find("|")
    while bar >= 0:
        start = text.rfind("\n", 0, bar) + 1
        if not text[start:bar].strip(spaces):
            yield start
        bar = text.find("|", _line_end(text, bar))


@functools.lru_cache(maxsize=64)
def _wrap_pattern(width: int, commas: str) -> re.Pattern[str]:
    """A newline that ends a line of at least `width` - 1 characters, not ending a clause,
    before a line that is not blank and does not start a unit (`_UNIT_START`); its group
    matches (empty) when the `width` - 1 characters before hold no comma and the next line
    could be a date line (`_could_be_meta`), for a text that holds the `commas` (of
    `_COMMAS`) alone. It starts with the newline, which the stdlib finds quickly; it looks for
    each comma the text holds apart, as the stdlib runs along a line to a given character
    quicker than to one of a class, and for none it does not hold (a copy with half-width
    punctuation has no ，, and each line would be read to its start for one)."""
    unit_start = _UNIT_START.pattern.removeprefix("^\\s*").replace("\\s", _LINE_SPACE)
    no_comma = "".join(rf"(?<=[^{comma}]{{{width - 1}}}\n)" for comma in commas)
    return re.compile(
        rf"\n(?<=[^\n]{{{width - 1}}}\n)(?<![{re.escape(_TERMINAL)}]\n)"
        rf"(?=[^\S\n]*\S)(?!{_LINE_SPACE}*(?:{unit_start}))"
        rf"(?:{no_comma}(?={_could_be_meta()})()|)"
    )


_COMMAS = "，,"  # looked for in this order (an official text has few half-width ones)


def _around_line(text: str, start: int) -> tuple[int, int]:
    """The newlines before and after the line that starts at `start`."""
    return start - 1, _line_end(text, start)


# ---- punctuation ------------------------------------------------------------------------------

_FULL = "，；：？！（）"
_HALF_TO_FULL = dict(zip(_HALF_MARKS, _FULL, strict=True))


@functools.cache
def _chinese() -> tuple[
    re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str], re.Pattern[str]
]:
    """Stdlib patterns for Chinese context, with the Han characters (`regex`'s \\p{Han})
    written out as a class, which the stdlib scans quickly: a Han character or CJK punctuation;
    , ; : ? ! next to none (so between two digits: 1,000), a pattern for each mark (`_ALONE`);
    half-width punctuation next to a Han character or “”《》 (see `_uses_half_width`); and a (
    alone (no ) follows it on its line before another bracket) or a pair of brackets, none
    inside, with no Chinese character before, inside or after it, found by one scan as both
    start with (. Each but the first begins with the mark it looks for and looks around it, so
    the stdlib finds the marks first."""
    han = _han_class()
    members = f"{han}{re.escape(_CJK_PUNCT)}"
    chinese = f"[{members}]"
    near = f"[{han}“”《》]"
    return (
        re.compile(chinese),
        tuple(re.compile(f"{re.escape(mark)}(?<!{chinese}.)(?!{chinese})") for mark in _ALONE),
        re.compile(f"[,;:?!()](?:(?<={near}.)|(?={near}))"),
        re.compile(rf"\((?:(?![^()\n]*\))|(?<!{chinese}\()[^()\n{members}]*\)(?!{chinese}))"),
    )


# The marks made full-width next to a Chinese character alone, each found by a pattern of its
# own: the stdlib runs to a given character several times quicker than to one of a class, so
# that five scans for one mark each take half the time of one for any of the five.
_ALONE = _HALF_MARKS.strip("()")  # , ; : ? !
_BRACKET = re.compile(r"[()]")
_PUNCT_REASON = "half-width punctuation in Chinese text"


def _punct_text(text: str) -> str:
    """The text with its half-width punctuation in Chinese context made full-width: next to a
    Han character or CJK punctuation, or for a pair of brackets on a line, around or inside
    them. In Chinese texts nearly every mark is in Chinese context, so all are made full-width
    at once (`str.replace`) and the few that are not are put back. Those marks are found by a
    pattern for each over the whole text, as are (by one) those brackets on the lines where
    brackets stand in pairs, none inside another (the usual case); the brackets of the other
    lines are paired line by line. The pass changes characters one for one."""
    kept = [  # the marks not in Chinese context
        m.start()
        for mark, pattern in zip(_ALONE, _chinese()[1], strict=True)
        if mark in text  # quicker than the pattern's scan to find a mark absent
        for m in pattern.finditer(text)
    ]
    if "(" in text or ")" in text:
        # The lone ( (one character) and the pairs not in Chinese context (two or more).
        found = list(_chinese()[3].finditer(text))
        lone = [m.start() for m in found if m.end() - m.start() == 1]
        others = _odd_bracket_lines(text, lone)  # (start, end) of the lines paired one by one
        other_starts = [start for start, _ in others]
        for m in found:
            if m.end() - m.start() == 1:
                continue
            k = bisect.bisect_right(other_starts, m.start()) - 1
            if k < 0 or m.start() >= others[k][1]:  # not on one of the other lines
                kept += (m.start(), m.end() - 1)
        for start, end in others:
            line = text[start:end]
            chinese = set(_chinese_brackets(line))
            kept += (start + m.start() for m in _BRACKET.finditer(line) if m.start() not in chinese)
    kept.sort()
    result = text
    for half, full in _HALF_TO_FULL.items():
        result = result.replace(half, full)
    return _applied(result, [(i, i + 1, text[i], "", "") for i in kept])


def _odd_bracket_lines(text: str, lone: list[int]) -> list[tuple[int, int]]:
    """The lines, as (start, end) in order, where some bracket stands outside a pair of
    brackets that holds no other: an opening one that no closing one follows on its line
    before another bracket (`lone`, where they are, ascending: `_punct_text` finds them), or a
    closing one that no opening one precedes so (found as the same in the text reversed)."""
    odd = list(lone)
    # Each ( not alone pairs with the ) after it, and each ) not alone with the ( before it: as
    # many of them are not alone. The text is reversed and read only when some ) are (in 60 of
    # the benchmark's 823 polluted copies).
    if text.count(")") > text.count("(") - len(lone):
        last = len(text) - 1
        odd += [last - m.start() for m in _LONE_OPEN_REVERSED.finditer(text[::-1])]
    lines: dict[int, int] = {}  # start → end
    for p in sorted(odd):
        start = text.rfind("\n", 0, p) + 1
        if start not in lines:
            lines[start] = _line_end(text, p)
    return list(lines.items())


_LONE_OPEN_REVERSED = re.compile(r"\)(?![^()\n]*\()")  # a lone ) in the text reversed


def _chinese_brackets(line: str) -> Iterator[int]:
    """The brackets of a line that are in Chinese context, paired as a stack pairs them (the
    lines whose brackets all stand in simple pairs are read by `_punct_text`'s pattern)."""
    chinese_pattern = _chinese()[0]
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
    # A mark is found absent by `in` quicker than counted (the stdlib looks for it with memchr);
    # a copy that writes its punctuation half-width holds none of them.
    full = sum(map(text.count, filter(text.__contains__, _FULL)))
    half = islice(_chinese()[2].finditer(text), full + 1)  # counted up to where it tells
    return sum(1 for _ in half) > full
