"""Passes over characters: line ends, noise, pinyin glosses, spaces."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from itertools import accumulate, islice

import regex

from fagui.recover.chars import _NUM, _char_class, _characters, _matched
from fagui.recover.edits import _EditTuple

# Noise, character by character: a keycap sequence, a character that is noise wherever it
# stands, or one that is noise where it stands (`_NOISE_IN_CONTEXT`).
_KEYCAP = r"[0-9#*]\uFE0F?\u20E3"
_NOISE_ANYWHERE = r"""
      [\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\uFE0E\uFE0F\u20E3]
    | [\p{Extended_Pictographic}--[\p{Block=Latin_1_Supplement}\p{Block=General_Punctuation}
                                   \p{Block=Letterlike_Symbols}\p{Block=Arrows}
                                   \p{Block=Geometric_Shapes}]]       # ⏲ ⤴ ☀ ⛓ 〽 ㊗
    | [\p{Extended_Pictographic}&&[\U00010000-\U0010FFFF]]
    | [\p{Cf}--[\u180E\u0600-\u0605\u06DD]]                 # zero-width, bidi, BOM, tags
    | [[\U00010000-\U0010FFFF]--[\p{Han}\p{Mn}\p{Co}\p{Cn}]]  # outside the BMP, not Han
    | [\p{Cn}&&\p{Extended_Pictographic}]                   # emoji newer than our tables
"""
_NOISE_IN_CONTEXT = r"""
      \p{Extended_Pictographic}(?=[\uFE0E\uFE0F\u200D\p{Emoji_Modifier}])  # shown as emoji
    | (?<=\u200D)\p{Extended_Pictographic}                 # inside a ZWJ sequence
    | (?<=[\p{Han}\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F，。、；：？！])
      \p{Extended_Pictographic}(?=[\p{Han}\p{Extended_Pictographic}])  # ™ ℹ ↔ inside a word
    | (?<=\S)[[\p{So}\u203B]&&[\p{Block=Geometric_Shapes}\p{Block=Miscellaneous_Symbols}
                                 \p{Block=Dingbats}\p{Block=General_Punctuation}]--[○◯]]
"""
_NOISE = regex.compile(
    f"{_KEYCAP} | {_NOISE_ANYWHERE} | {_NOISE_IN_CONTEXT}", regex.VERBOSE | regex.V1
)

_NOISE_REASONS = (
    (regex.compile(r"[\p{Cf}]", regex.V1), "zero-width or format character"),
    (
        regex.compile(
            r"\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|"
            r"[\uFE0E\uFE0F\u20E3]"
        ),
        "emoji",
    ),
)


@functools.lru_cache(maxsize=4096)
def _noise_reason(chars: str) -> str:
    for pattern, reason in _NOISE_REASONS:
        if pattern.search(chars):
            return reason
    return "exotic symbol"


# ---------------------------------------------------------------------------------------------
# Passes. Each takes the current text (and what the analysis found) and yields edits.


def _carriage_return_edits(text: str) -> Iterator[_EditTuple]:
    if "\r" not in text:
        return
    for m in _CR.finditer(text):  # \r\n loses its \r; a lone \r (old Mac) becomes \n
        crlf = text.startswith("\n", m.end())
        yield (m.start(), m.end(), "" if crlf else "\n", "space", "carriage return")


def _trailing_space_edits(text: str) -> Iterator[_EditTuple]:
    for m in _TRAILING_SPACE.finditer(text):
        yield (m.start(), m.end(), "", "space", "trailing space")


_CR = re.compile(r"\r")
# Spaces at a line end: white space as `str.isspace` knows it (as stdlib \s does), but line
# ends, written out as a class, which the stdlib scans quickly.
_WHITE = re.escape("".join(c for c in map(chr, range(0x10000)) if c.isspace() and c not in "\r\n"))
_TRAILING_SPACE = re.compile(f"[{_WHITE}][{_WHITE}]*$", re.MULTILINE)


def _noise_spans(text: str) -> tuple[list[tuple[int, int]], str | None]:
    """Where the noise is: runs of noise characters, (start, end) in the text; and the text
    without them, when that comes for free."""
    # Noise is never ASCII, a common Han character or CJK punctuation: look only at runs of
    # the characters where it can start. A run of characters that are noise anywhere is a
    # run of noise, unless a keycap sequence (1️⃣) joins it; the other runs (a symbol that is
    # noise only inside a word: ※, ■) are read by the Unicode-property pattern.
    candidates, anywhere = _noise_classes()
    parts = candidates.split(text)  # the text between runs, and the runs
    if len(parts) == 1:
        return [], None
    bounds = list(accumulate(map(len, parts)))
    starts, ends, runs = bounds[::2], bounds[1::2], parts[1::2]
    del starts[-1]
    odd: set[int] = set()  # the runs to read with the pattern, by number
    if anywhere.fullmatch("".join(runs)) is None:
        offsets = list(accumulate(map(len, runs)))  # where each run ends in their join
        p = 0
        for m in anywhere.finditer("".join(runs)):
            odd.update(bisect.bisect_right(offsets, i) for i in range(p, m.start()))
            p = m.end()
        odd.update(bisect.bisect_right(offsets, i) for i in range(p, offsets[-1]))
    if "\ufe0f" in text or "\u20e3" in text:
        for m in _KEYCAP_START.finditer(text):  # a run after the digit, or one before it
            digit = m.start()
            k = bisect.bisect_left(starts, digit + 1)
            if k < len(starts) and starts[k] == digit + 1:
                odd.add(k)
            if k and ends[k - 1] == digit:
                odd.add(k - 1)
    if not odd:
        return list(zip(starts, ends, strict=True)), "".join(parts[::2])
    spans: list[tuple[int, int]] = []
    done = end = 0  # runs before `done` are in spans; the last noise found ends at `end`
    for k in sorted(odd):
        spans += zip(starts[done:k], ends[done:k], strict=True)
        done = k + 1
        for pos in range(max(starts[k], end), ends[k]):
            if pos < end:
                continue
            if pos and text[pos - 1] in "0123456789#*" and text[pos] in "\ufe0f\u20e3":
                pos -= 1
            m = _NOISE_RUN.match(text, pos)
            if m:
                end = m.end()
                spans.append(m.span())
    spans += zip(starts[done:], ends[done:], strict=True)
    return spans, None


_KEYCAP_START = re.compile("[0-9#*][\ufe0f\u20e3]")
_NOISE_RUN = regex.compile(f"(?:{_NOISE.pattern})+", regex.VERBOSE | regex.V1)


@functools.cache
def _noise_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two stdlib patterns made once from the Unicode properties of `_NOISE`: a run of the
    characters where noise can start (a capturing group, to split the text with), and a run of
    those that are noise anywhere (`_NOISE_ANYWHERE`)."""
    bmp = _characters(0, 0x10000)
    can_start = regex.compile(
        r"[\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}"
        r"\p{Extended_Pictographic}\p{Cf}\p{So}\uFE0E\uFE0F\u20E3\u203B]+",
        regex.V1,
    )
    members = _char_class(_matched(can_start, bmp)) + "\\U00010000-\\U0010ffff"
    anywhere = regex.compile(f"(?:{_NOISE_ANYWHERE})+", regex.VERBOSE | regex.V1)
    # Outside the BMP, noise anywhere is what is not Han, Mn, Co or Cn, or is pictographic
    # (tests/test_recover.py checks this against the pattern). The widest ranges go first, as
    # the stdlib tries the ranges of a class beyond the BMP one after the other.
    astral = _characters(0x10000, 0x110000)
    other = regex.compile(r"[[\p{Han}\p{Mn}\p{Co}\p{Cn}]--\p{Extended_Pictographic}]+", regex.V1)
    gaps = [m.span() for m in other.finditer(astral)]
    beyond = [
        (0x10000 + a, 0x10000 + b - 1)
        for a, b in zip(
            [0] + [e for _, e in gaps], [s for s, _ in gaps] + [len(astral)], strict=True
        )
        if b > a
    ]
    beyond.sort(key=lambda r: r[0] - r[1])
    noise = _char_class(_matched(anywhere, bmp)) + "".join(
        f"\\U{a:08x}-\\U{b:08x}" for a, b in beyond
    )
    return re.compile(f"([{members}][{members}]*)"), re.compile(f"[{noise}]+")


# A gloss: letters in brackets after a Han character. The stdlib finds them quickest by one
# pattern for each opening bracket (one that starts with a literal is searched for as such);
# the character before them is checked apart.
_PINYIN = tuple(
    re.compile(rf"{re.escape(bracket)}([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]{{1,7}})[)）]")
    for bracket in "(（"
)
_HAN = regex.compile(r"\p{Han}")


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    found = pinyin(char, heteronym=True, style=Style.TONE, errors="ignore")
    return frozenset(r.lower() for group in found for r in group)


def _pinyin_edits(text: str) -> Iterator[_EditTuple]:
    found = [m for pattern in _PINYIN for m in pattern.finditer(text)]  # they never overlap
    found.sort(key=re.Match.start)
    for m in found:
        start = m.start()
        if start and _HAN.match(text, start - 1):
            han = text[start - 1]
            if m.group(1).lower() in _readings(han):
                yield (start, m.end(), "", "pinyin", f"pinyin gloss of {han}")


_UNIT = "(?:编|分编|章|节|条|部分)"
# A single space between two Han characters. Layout spaces are kept: after a structural label
# or a date (第一条　, 1979年7月1日 第五届), before a run-in article (。 第十条), in headings
# and other short lines, and in table rows.
_INNER_SPACE = regex.compile(
    rf"""
    (?<=\p{{Han}})
    (?<!(?:^|[。；：\s])\s*(?:第[{_NUM}]+{_UNIT}(?:之[{_NUM}]+)?|附件\S{{0,4}}|附录\S{{0,4}}|
        [{_NUM}]+、\S*|\S{{0,12}}(?:年|月)[{_NUM}]+日|序言|目录|附则|总则))
    (?<!^[^，。；：\n]{{0,12}})
    (?<!\|[^\n]*)
    (?!(?<=^[^，。；：\n]{{0,24}})\p{{Zs}}[^，。；：\n]{{0,24}}$)  # a short line: heading, name
    \p{{Zs}}
    (?=\p{{Han}})
    (?!第[{_NUM}]+{_UNIT})
    """,
    regex.VERBOSE | regex.MULTILINE,
)


def _inner_space_edits(text: str) -> Iterator[_EditTuple]:
    for m in _INNER_SPACE.finditer(text):
        yield (m.start(), m.end(), "", "space", "space inside a word")


def _count_inner_spaces(text: str, up_to: int) -> int:
    return sum(1 for _ in islice(_INNER_SPACE.finditer(text), up_to))
