"""Passes over characters: line ends, noise, pinyin glosses, spaces."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from itertools import islice

import regex

from fagui.recover.chars import _NUM, _char_class, _characters, _han_class, _matched
from fagui.recover.edits import _cut, _EditTuple

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
    | (?<=[\p{Han}\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F，。、；：？！,;:?!])
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


def _trailing_space_edits(text: str) -> list[_EditTuple]:
    # Looked for in the lines that end in white space, and the last line: the stdlib finds
    # the line ends quicker than the spaces, which stand mostly inside lines.
    ends = [m.start() for m in _SPACED_LINE_END.finditer(text)] + [len(text)]
    found = (_TRAILING_SPACE.search(text, text.rfind("\n", 0, end) + 1, end) for end in ends)
    return [(m.start(), m.end(), "", "space", "trailing space") for m in found if m]


_CR = re.compile(r"\r")
# Spaces at a line end: white space as `str.isspace` knows it (as stdlib \s does), but line
# ends, written out as a class, which the stdlib scans quickly.
_WHITE = re.escape("".join(c for c in map(chr, range(0x10000)) if c.isspace() and c not in "\r\n"))
_TRAILING_SPACE = re.compile(f"[{_WHITE}][{_WHITE}]*$", re.MULTILINE)
_SPACED_LINE_END = re.compile(f"\n(?<=[{_WHITE}]\n)")


def _noise_spans(text: str) -> list[tuple[int, int]]:
    """Where the noise is: runs of noise characters, (start, end) in the text."""
    # Noise is never ASCII, a common Han character or CJK punctuation: it is found in runs of
    # the characters where it can start (candidates). A run of characters that are noise
    # anywhere is a run of noise; the others (`_is_read`) are read by the pattern.
    runs = _few_runs(text)
    if runs is not None:
        return _noise_among(text, runs)
    candidates = _noise_classes()[0]
    spans: list[tuple[int, int]] = []
    p = 0
    for start, end, found in _read(text, _read_runs(text)):
        spans += [m.span() for m in candidates.finditer(text, p, start)]
        spans += found
        p = end
    spans += [m.span() for m in candidates.finditer(text, p)]
    return spans


def _without_noise(text: str) -> tuple[str, int]:
    """The text without the noise `_noise_spans` finds, and how many spans of it there were,
    made without the spans where there are many: the stdlib deletes the runs of candidates
    that are not read, between those that are."""
    runs = _few_runs(text)
    if runs is not None:
        spans = _noise_among(text, runs)
        return _cut(text, spans), len(spans)
    candidates = _noise_classes()[0]
    pieces: list[str] = []
    count = p = 0
    for start, end, found in _read(text, _read_runs(text)):
        if found == [(start, end)] and candidates.fullmatch(text, start, end):
            continue  # a run all noise, as the stdlib deletes it
        kept, n = candidates.subn("", text[p:start])
        pieces.append(kept)
        count += n + len(found)
        for s, e in found:
            pieces.append(text[start:s])
            start = e
        pieces.append(text[start:end])
        p = end
    kept, n = candidates.subn("", text[p:])
    pieces.append(kept)
    return "".join(pieces), count + n


_FEW = 16


def _few_runs(text: str) -> list[tuple[int, int]] | None:
    """The runs of candidates, (start, end), when there are fewer than `_FEW` (in a clean
    text, or in one whose noise is out): they are then looked at one by one, in one scan of
    the text. With more, None: the runs the pattern reads are then found by scanning for
    what makes them read (`_read_runs`)."""
    found = islice(_noise_classes()[0].finditer(text), _FEW)
    runs = [m.span() for m in found]
    return runs if len(runs) < _FEW else None


def _noise_among(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The noise in a text whose runs of candidates are `runs`."""
    read = [(s, e) for s, e in runs if _is_read(text, s, e)]
    if not read:
        return runs
    spans = [span for found in _read(text, read) for span in found[2]]
    return sorted(spans + list(set(runs).difference(read)))


def _is_read(text: str, start: int, end: int) -> bool:
    """Whether the pattern reads the run of candidates text[start:end]: it holds a character
    that is noise only where it stands (※, ■) or not at all (astral Han), or it stands beside
    the digit of a keycap sequence (1️⃣), which joins it to the digit and to the run on the
    digit's other side."""
    digit, marks = _KEYCAP_DIGITS, "\ufe0f\u20e3"
    return (
        _noise_chars()[1].search(text, start, end) is not None
        or (start > 0 and text[start - 1] in digit and text[start] in marks)
        or (end + 1 < len(text) and text[end] in digit and text[end + 1] in marks)
    )


def _read_runs(text: str) -> list[tuple[int, int]]:
    """The runs of candidates that `_is_read` accepts, in order, found by scanning the text
    for the characters and the keycap digits that make them read."""
    candidates, _ = _noise_classes()
    candidate, not_anywhere = _noise_chars()
    runs: set[tuple[int, int]] = set()
    end = 0
    for m in not_anywhere.finditer(text):
        if m.start() >= end:  # in a run not seen yet
            end = candidates.match(text, m.start()).end()  # type: ignore[union-attr]
            runs.add((_run_start(text, m.start(), candidate), end))
    for keycap in _KEYCAP_MARKS:
        for m in keycap.finditer(text):  # the run after the digit, and one before it
            digit = m.start() - 1
            runs.add((digit + 1, candidates.match(text, digit + 1).end()))  # type: ignore[union-attr]
            if digit and candidate.match(text, digit - 1):
                runs.add((_run_start(text, digit - 1, candidate), digit))
    return sorted(runs)


def _run_start(text: str, pos: int, candidate: re.Pattern[str]) -> int:
    """Where the run of candidates that holds `pos` starts."""
    while pos and candidate.match(text, pos - 1):
        pos -= 1
    return pos


_KEYCAP_DIGITS = "0123456789#*"
# The marks of a keycap sequence after its digit (the stdlib finds a literal quickly).
_KEYCAP_MARKS = (re.compile("\ufe0f(?<=[0-9#*]\ufe0f)"), re.compile("\u20e3(?<=[0-9#*]\u20e3)"))


def _read(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The runs of candidates `runs` (sorted) read by the pattern: stretches of the text,
    (start, end, the noise found in it). A stretch is a run, with the keycap digit and the
    runs that the noise found in it takes in."""
    stretches: list[tuple[int, int, list[tuple[int, int]]]] = []
    match = _NOISE_RUN.match
    end = 0  # where the last noise found ends
    for start, stop in runs:
        found: list[tuple[int, int]] = []
        pos = max(start, end)
        while pos < stop:  # noise is looked for from each place the noise before left
            m = None
            if pos and text[pos - 1] in _KEYCAP_DIGITS and text[pos] in "\ufe0f\u20e3":
                m = match(text, pos - 1)  # from the digit of a keycap the run starts after
            m = m or match(text, pos)  # (a digit and U+FE0F alone: the mark is noise)
            if m:
                end = pos = m.end()
                found.append(m.span())
            else:
                pos += 1
        if found:
            start, stop = min(start, found[0][0]), max(stop, end)
        if stretches and start < stretches[-1][1]:  # the noise before took this run in
            start, last, before = stretches.pop()
            stop, found = max(stop, last), before + found
        stretches.append((start, stop, found))
    return stretches


_NOISE_RUN = regex.compile(f"(?:{_NOISE.pattern})+", regex.VERBOSE | regex.V1)


@functools.cache
def _noise_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two stdlib patterns made once from the Unicode properties of `_NOISE`: a run of the
    characters where noise can start (candidates), and a run of those that are noise anywhere
    (`_NOISE_ANYWHERE`)."""
    not_candidates, anywhere, _ = _noise_members()
    # A class that starts a pattern is searched for quickly, one that is repeated is not.
    candidate = f"[^{not_candidates}]"
    return re.compile(f"{candidate}{candidate}*"), re.compile(f"[{anywhere}]+")


@functools.cache
def _noise_chars() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Stdlib patterns for one candidate, and for one that is not noise anywhere."""
    not_candidates, _, not_anywhere = _noise_members()
    return re.compile(f"[^{not_candidates}]"), re.compile(f"[^{not_anywhere}]")


@functools.cache
def _noise_members() -> tuple[str, str, str]:
    """The members of stdlib classes made from the Unicode properties of `_NOISE`: the
    complement of the candidates, the characters that are noise anywhere, and the complement
    of the candidates that are not."""
    bmp = _characters(0, 0x10000)
    can_start = regex.compile(
        r"[\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}"
        r"\p{Extended_Pictographic}\p{Cf}\p{So}\uFE0E\uFE0F\u20E3\u203B]+",
        regex.V1,
    )
    starts = set(_matched(can_start, bmp))
    anywhere = regex.compile(f"(?:{_NOISE_ANYWHERE})+", regex.VERBOSE | regex.V1)
    noise = list(_matched(anywhere, bmp))
    # Outside the BMP, every character is a candidate, and noise anywhere is what is not Han,
    # Mn, Co or Cn, or is pictographic (tests/test_recover.py checks this against the
    # pattern). The widest ranges go first, as the stdlib tries the ranges of a class beyond
    # the BMP one after the other.
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
    beyond_members = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in beyond)
    # Candidates, and those that are not noise anywhere, are found as characters outside a
    # class: in the BMP, all but them; beyond it, nothing, or the noise. Most characters are
    # then found in the class's bitmap of the BMP alone (a class of the candidates would try
    # its range beyond the BMP too), and most beyond it in the first ranges.
    in_context = starts.difference(noise)
    return (
        _char_class(cp for cp in range(0x10000) if cp not in starts),
        _char_class(noise) + beyond_members,
        _char_class(cp for cp in range(0x10000) if cp not in in_context) + beyond_members,
    )


# A gloss: letters in brackets after a Han character. The stdlib finds them quickest by one
# pattern for each opening bracket (one that starts with a literal is searched for as such),
# which looks behind the bracket for the Han character (`regex`'s \p{Han}, written out).
@functools.cache
def _pinyin_patterns() -> tuple[re.Pattern[str], ...]:
    letters = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
    return tuple(
        re.compile(rf"{bracket}(?<=([{_han_class()}]){bracket})([{letters}]{{1,7}})[)）]")
        for bracket in map(re.escape, "(（")
    )


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    found = pinyin(char, heteronym=True, style=Style.TONE, errors="ignore")
    return frozenset(r.lower() for group in found for r in group)


@functools.lru_cache(maxsize=8192)
def _gloss_reason(han: str, letters: str) -> str | None:
    """Why `letters` in brackets after `han` go, when they are one of its readings."""
    return f"pinyin gloss of {han}" if letters.lower() in _readings(han) else None


def _pinyin_edits(text: str) -> list[_EditTuple]:
    found = [m for pattern in _pinyin_patterns() for m in pattern.finditer(text)]
    found.sort(key=re.Match.start)  # they never overlap
    return [
        (m.start(), m.end(), "", "pinyin", reason)
        for m in found
        if (reason := _gloss_reason(*m.groups()))
    ]


_UNIT = "(?:编|分编|章|节|条|部分)"
# A single space between two Han characters. Layout spaces are kept: after a structural label
# or a date (第一条　, 1979年7月1日 第五届), before a run-in article (。 第十条), in headings
# and other short lines, and in table rows. The assertions before the space all hold where it
# stands: the quick ones that rule out most places go first (two Han characters on either side
# of a space, a place far enough into its line), the ones that read back along the line last.
# Punctuation counts in either width, so that a line reads the same before and after the
# punctuation pass makes , ; : full-width (recover is idempotent).
_INNER_SPACE = regex.compile(
    rf"""
    (?=\p{{Zs}}\p{{Han}})
    (?<=\p{{Han}})
    (?<!^[^，。；：,;:\n]{{0,12}})
    (?<!\|[^\n]*)
    (?!(?<=^[^，。；：,;:\n]{{0,24}})\p{{Zs}}[^，。；：,;:\n]{{0,24}}$)  # a short line: a heading
    (?<!(?:^|[。；：\s])\s*(?:第[{_NUM}]+{_UNIT}(?:之[{_NUM}]+)?|附件\S{{0,4}}|附录\S{{0,4}}|
        [{_NUM}]+、\S*|\S{{0,12}}(?:年|月)[{_NUM}]+日|序言|目录|附则|总则))
    \p{{Zs}}
    (?!第[{_NUM}]+{_UNIT})
    """,
    regex.VERBOSE | regex.MULTILINE,
)


def _inner_space_edits(text: str) -> Iterator[_EditTuple]:
    for m in _INNER_SPACE.finditer(text):
        yield (m.start(), m.end(), "", "space", "space inside a word")


def _count_inner_spaces(text: str, up_to: int) -> int:
    return sum(1 for _ in islice(_INNER_SPACE.finditer(text), up_to))
