"""Passes over characters: line ends, noise, pinyin glosses, spaces."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import regex

from fagui.recover.chars import _NUM, _han_class, _package_version, _spans, _std_class, _stored
from fagui.recover.edits import _cut, _EditTuple, _line_end, _Spanned, _through
from fagui.recover.script import _TRAD_MIN, _converts_alone, _traditional

# Noise, character by character: a keycap sequence, a character that is noise wherever it
# stands, or one that is noise where it stands (`_NOISE_IN_CONTEXT`). `_NOISE_RUN` is the
# definition, in `regex`'s syntax; the passes scan with `_noise_pattern`, the same written for
# the stdlib.
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
_PICTOGRAPH = r"\p{Extended_Pictographic}"
_SHOWN_AS_EMOJI = r"[\uFE0E\uFE0F\u200D\p{Emoji_Modifier}]"
_IN_WORD_BEFORE = r"[\p{Han}\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F，。、；：？！,;:?!]"
_IN_WORD_AFTER = r"[\p{Han}\p{Extended_Pictographic}]"
_SYMBOL = r"""[[\p{So}\u203B]&&[\p{Block=Geometric_Shapes}\p{Block=Miscellaneous_Symbols}
                                  \p{Block=Dingbats}\p{Block=General_Punctuation}]--[○◯]]"""
_NOISE_IN_CONTEXT = rf"""
      {_PICTOGRAPH}(?={_SHOWN_AS_EMOJI})                             # shown as emoji
    | (?<=\u200D){_PICTOGRAPH}                                       # inside a ZWJ sequence
    | (?<={_IN_WORD_BEFORE}){_PICTOGRAPH}(?={_IN_WORD_AFTER})      # ™ ℹ ↔ inside a word
    | (?<=\S){_SYMBOL}                                               # ★ ■ ※ after a character
"""
_NOISE_RUN = regex.compile(
    f"(?:{_KEYCAP} | {_NOISE_ANYWHERE} | {_NOISE_IN_CONTEXT})+", regex.VERBOSE | regex.V1
)


@functools.cache
def _noise_pattern(keycaps: bool) -> re.Pattern[str]:
    """`_NOISE_RUN` for the stdlib, which scans a text several times quicker than `regex`: its
    classes written out from the Unicode properties `regex` knows (`_std_class`). A run of
    noise starts with a character of one class, which the stdlib searches for quickly (every
    character beyond the BMP is in it, as a class of the BMP alone is the quickest). Each unit
    of noise is then a keycap or one character: noise anywhere, a pictograph in one of its
    contexts, a symbol after a character; no such character is a keycap's digit, so the order
    they are tried in changes nothing. Without `keycaps`, for a text without U+20E3 (which
    ends every keycap), no digit can start noise: the search passes over the digits.

    Written for the stdlib's speed (a fifth off the first reading of the polluted copies, a
    tenth off the second, bench: same process, alternating):
    - each kind of one character starts with a class, which the stdlib tries before entering
      the alternative; classes of the BMP alone (`bmp=True`) reject any other character at
      once; a character beyond the BMP, noise only as noise anywhere (as every pictograph
      beyond the BMP is), is taken by a range, then tried by a lookbehind;
    - the first character, which the search found, is decided by a lookbehind over those
      same alternatives, or is a keycap's digit when the keycap's end follows it;
    - the repeat is possessive (*+): nothing follows it, so it changes nothing, and the
      stdlib keeps no state to go back to after each character."""
    digits = ("[0-9#*]",) if keycaps else ()
    first = _std_class(*digits, *_NOISE_FIRSTS, astral=True)
    one = _noise_unit()
    if not keycaps:
        return re.compile(f"{first}(?<={one})(?:{one})*+", re.DOTALL)
    keycap_end = r"\u20E3(?<=[0-9#*].)|\uFE0F\u20E3(?<=[0-9#*]..)"
    return re.compile(f"{first}(?:(?<={one})|{keycap_end})(?:{one}|{_KEYCAP})*+", re.DOTALL)


_NOT_SPACE = r"\S"
_NOISE_FIRSTS = (_NOISE_ANYWHERE, _PICTOGRAPH, _SYMBOL)  # what a run of noise starts with


@functools.cache
def _noise_unit() -> str:
    """One unit of noise but a keycap, for the stdlib (see `_noise_pattern`)."""
    anywhere_bmp, pictograph_bmp, symbol = (
        _std_class(pattern, bmp=True) for pattern in _NOISE_FIRSTS
    )
    anywhere, shown, before, after, not_space = map(
        _std_class, (_NOISE_ANYWHERE, _SHOWN_AS_EMOJI, _IN_WORD_BEFORE, _IN_WORD_AFTER, _NOT_SPACE)
    )
    return (
        rf"{anywhere_bmp}|[\U00010000-\U0010FFFF](?<={anywhere})"
        rf"|{pictograph_bmp}(?:(?={shown})|(?<=\u200D.)|(?<={before}.)(?={after}))"
        rf"|{symbol}(?<={not_space}.)"
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


def _noise_reason(before: str, start: int, end: int) -> str:
    """Why the noise before[start:end] went."""
    return _noise_kind(before[start:end])


@functools.lru_cache(maxsize=4096)
def _noise_kind(chars: str) -> str:
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
    return [m.span() for m in _noise_pattern("\u20e3" in text).finditer(text)]


def _without_noise(text: str) -> tuple[str, int]:
    """The text without the noise `_noise_spans` finds, and how many spans of it there were."""
    return _noise_pattern("\u20e3" in text).subn("", text)


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
    return frozenset(readings(char))


def readings(char: str) -> list[str]:
    """The readings `pypinyin` gives a Han character, with tone marks, in lower case, its usual
    one first (as pypinyin's `lazy_pinyin` gives it); none for a character it has none for."""
    found = _reading_table().get(char)
    return found.split(",") if found else []


@functools.cache
def _reading_table() -> dict[str, str]:
    """`readings` of each Han character that has any, joined by commas: read from pypinyin once
    over every Han character and kept on disk (`_stored`). A process then reads them without
    importing pypinyin (~0.13 s), whose phrase dictionary, ~190,000 lists, would slow every
    full collection of the garbage collector for the rest of the process (recover_many over
    the benchmark's polluted copies: ~2% of its time)."""

    def read() -> dict[str, str]:
        from pypinyin import Style, pinyin

        table = {}
        for start, end in _spans(r"\p{Han}"):
            for char in map(chr, range(start, end)):
                groups = pinyin(char, heteronym=True, style=Style.TONE, errors="ignore")
                if found := [r.lower() for group in groups for r in group]:
                    table[char] = ",".join(dict.fromkeys(found))
        return table

    return _stored(["pinyin readings, usual first", _package_version("pypinyin")], read)


@functools.lru_cache(maxsize=8192)
def _is_gloss(han: str, letters: str) -> bool:
    """Whether `letters` in brackets after `han` are one of its readings."""
    return letters.lower() in _readings(han)


def _glosses(text: str) -> list[re.Match[str]]:
    """The glosses of the text, in order: letters in brackets after a Han character that are
    one of its readings."""
    found = [m for pattern in _pinyin_patterns() for m in pattern.finditer(text)]
    found.sort(key=re.Match.start)  # they never overlap
    return [m for m in found if _is_gloss(*m.groups())]


def _without_glosses(text: str) -> tuple[str, int]:
    """The text without the glosses `_glosses` finds, and how many there were (their edits are
    made when the changes are read: `_gloss_spans`, `_gloss_reason_at`)."""
    spans = _gloss_spans(text)
    return _cut(text, spans), len(spans)


def _gloss_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _glosses(text)]


def _gloss_reason_at(before: str, start: int, end: int) -> str:
    """Why the gloss before[start:end] went (it follows its Han character)."""
    return f"pinyin gloss of {before[start - 1]}"


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


# `_INNER_SPACE` is the definition; the pass finds its spaces with `_inner_space_pattern`, the
# same for the stdlib, which decides most places in C and leaves the few it cannot decide to the
# definition (`_inner_spaces`).
_PUNCT = "，。；：,;:"  # where the definition's line rules stop reading
# The last characters of the labels the definition keeps a space after: a unit's (第五条,
# 第二部分), a number's (第十条之一), a date's (1979年7月1日) and those of 序言 目录 附则 总则.
_LABEL_ENDS = f"编章节条分{_NUM}日言录则"


def _heads(widths: Iterable[int]) -> str:
    """Lookbehinds from just after a space, one for each width: the space's line starts that
    many characters before it, with none of `_PUNCT` between. (The definition's ^[^…]{0,12}
    has several widths, which a stdlib lookbehind cannot.)"""
    return "|".join(rf"(?<=^[^{_PUNCT}\n]{{{width}}}.)" for width in widths)


@functools.cache
def _inner_space_pattern() -> re.Pattern[str]:
    """`_INNER_SPACE` for the stdlib, which scans a text for a class of characters in a
    fraction of the time `regex` takes: it matches a space (and no more) where the definition
    matches, and where its group (empty) matches too, the definition must decide; elsewhere
    the definition does not match.

    Read from the space, its assertions are the definition's in the stdlib's fixed widths: a
    Han character on either side; not before 第五条; the head rule, one lookbehind for each
    width (three to five first: 第五条　, 第十二条　, where most label spaces stand); the
    heading rule, a lookahead to the line end within 24 characters (rarely true), then a
    lookbehind for each width past the head's. Then, to decide without its group, no label
    before it: the character before it ends none, and no 附 stands in the five before that
    (附件三). The rules that read back along the line (a table's |, a numbered item's 一、)
    are left to `_inner_spaces`."""
    return re.compile(_std_class(r"\p{Zs}") + _after_inner_space(), re.VERBOSE | re.MULTILINE)


@functools.cache
def _after_inner_space() -> str:
    """`_inner_space_pattern` after the space it starts with (verbose)."""
    han = _han_class()
    return rf"""
        (?=[{han}])(?<=[{han}].)
        (?!第[{_NUM}]+{_UNIT})
        (?!{_heads([3, 4, 5, 1, 2, *range(6, 13)])})
        (?!(?![^\n]{{25}})(?=[^{_PUNCT}\n]*$)(?:{_heads(range(13, 25))}))
        (?:(?<![{_LABEL_ENDS}].)(?<=[^附]{{5}}..)|())
        """


def _inner_spaces(text: str, up_to: int = -1) -> list[int]:
    """Where `_INNER_SPACE` matches in `text` (the first `up_to` places, if given), in order:
    the spaces `_inner_space_pattern` finds that `_is_inner_space`. (A list built by a loop: it
    runs for every space the pass deletes, where a generator's steps cost about a fifteenth of
    the pass.)"""
    found: list[int] = []
    table = "|" in text
    for m in _inner_space_pattern().finditer(text):
        if _is_inner_space(text, m, table):
            found.append(m.start())
            if len(found) == up_to:
                break
    return found


def _is_inner_space(text: str, match: re.Match[str], table: bool) -> bool:
    """Whether `_INNER_SPACE` matches at the space `_inner_space_pattern` (or a pattern holding
    it, whose group 1 is its own) matched (in a text with a `table` when it holds a |). A space
    the pattern decides is one, unless a numbered item's 、 (一、) or a table's | stands before
    it in its line; the definition decides those, and the spaces the pattern leaves to it."""
    start = match.start()
    if match.group(1) is None and _plain_line_before(text, start, table):
        return True
    return _INNER_SPACE.match(text, start) is not None


def _plain_line_before(text: str, start: int, table: bool) -> bool:
    """Whether no 一、 (a numbered item's 、) stands in the line before `start`, nor a | when
    the text has a `table`."""
    line = text.rfind("\n", 0, start) + 1
    # str.find first: 、 stands in a third of these lines, 一、 in few of them.
    if text.find("、", line, start) >= 0 and _NUMBERED.search(text, line, start):
        return False
    return not table or text.find("|", line, start) < 0


_NUMBERED = re.compile(f"、(?<=[{_NUM}]、)")


def _inner_space_edits(text: str) -> list[_EditTuple]:
    return _space_edits(_inner_spaces(text))


def _space_edits(places: Iterable[int]) -> list[_EditTuple]:
    """The edits deleting the inner spaces at `places`."""
    return [(at, at + 1, "", "space", "space inside a word") for at in places]


def _or_inner_space(members: str) -> re.Pattern[str]:
    """A pattern that finds, by one scan, the characters of the stdlib class `members` (which
    holds every space, and no other white space) and the spaces `_inner_space_pattern` finds
    (its group 1 the same): in about the time either takes alone, as the stdlib's search for
    the first character of a match costs the same for any class. A space's match is the space
    alone (so it holds no other such character), another's the character alone."""
    space = _std_class(r"\p{Zs}")
    return re.compile(
        rf"{members}(?:(?<={space}){_after_inner_space()}|(?<!{space}))",
        re.VERBOSE | re.MULTILINE,
    )


@functools.cache
def _noise_or_space() -> re.Pattern[str]:
    """`_or_inner_space` of the characters a run of noise may start with."""
    return _or_inner_space(_std_class(*_NOISE_FIRSTS, r"\p{Zs}", astral=True))


def _noise_and_inner_spaces(text: str) -> tuple[list[tuple[int, int]], list[int]] | None:
    """`_noise_spans(text)` and `_inner_spaces(text)`, found by one scan (`_or_inner_space`)
    of the spaces and the places where noise may start, each read by `_noise_pattern` (a text
    read again holds few: ©, symbols that stand in no word); None for a text with U+20E3,
    which ends every keycap (the pattern for a text with keycaps is another)."""
    if "\u20e3" in text:
        return None
    noise: list[tuple[int, int]] = []
    spaces: list[int] = []
    run = _noise_pattern(False).match
    end = 0  # of the last run of noise
    for start in _others_and_inner_spaces(_noise_or_space(), text, spaces):
        if start >= end and (found := run(text, start)):
            noise.append(found.span())
            end = found.end()
    return noise, spaces


def _others_and_inner_spaces(
    pattern: re.Pattern[str], text: str, spaces: list[int]
) -> Iterator[int]:
    """Where a pattern made by `_or_inner_space` matches the text at a character other than a
    space, in order; the inner spaces it finds on the way are added to `spaces`."""
    table = "|" in text
    for m in pattern.finditer(text):
        start = m.start()
        if not text[start].isspace():  # no character of the class but a space is white space
            yield start
        elif _is_inner_space(text, m, table):
            spaces.append(start)


def _count_inner_spaces(text: str, up_to: int) -> int:
    return len(_inner_spaces(text, up_to))


@functools.cache
def _traditional_or_space() -> re.Pattern[str]:
    """`_or_inner_space` of the characters `script._count_traditional` counts (a traditional
    character of the BMP, any beyond it)."""
    traditional, space = _traditional()[1], _std_class(r"\p{Zs}")
    return _or_inner_space(f"[{traditional[1:-1]}{space[1:-1]}]")


def _traditional_and_inner_spaces(text: str) -> tuple[bool, list[int] | None]:
    """Whether the text holds `script._TRAD_MIN` characters that OpenCC converts on their own
    (as `script._count_traditional` counts them), and, when it does not (the script pass
    leaves the text as it is), its inner spaces (`_inner_spaces`): found by one scan."""
    traditional = 0
    spaces: list[int] = []
    for start in _others_and_inner_spaces(_traditional_or_space(), text, spaces):
        if _converts_alone(text[start]):
            traditional += 1
            if traditional >= _TRAD_MIN:
                return True, None
    return False, spaces


def _inner_spaces_after(text: str, spaces: list[int], deleted: _Spanned) -> list[int]:
    """`_inner_spaces(text)`, for a text made by taking the spans `deleted` (sorted, apart, none
    holding a line end; spans or edits) out of one whose inner spaces are `spaces`: the rules
    read a space's own line alone, so those of the lines the deletions left whole are followed
    through them (`edits._through`), and the lines they cut are read again."""
    kept = _through(spaces, deleted)
    cut: list[tuple[int, int]] = []  # the lines cut, (start, end) in the text, in order
    gone = 0
    for start, end, *_ in deleted:
        at = start - gone  # where the deletion was, in the text
        gone += end - start
        if not cut or at > cut[-1][1]:
            cut.append((text.rfind("\n", 0, at) + 1, _line_end(text, at)))
    found: list[int] = []
    i = 0
    for start, end in cut:
        while i < len(kept) and kept[i] < start:
            found.append(kept[i])
            i += 1
        while i < len(kept) and kept[i] <= end:
            i += 1
        found += (start + p for p in _inner_spaces(text[start:end]))
    return found + kept[i:]
