"""Script: traditional ↔ simplified with OpenCC, only where the text is traditional."""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import operator
import re
import tempfile
import unicodedata
from itertools import compress, islice
from pathlib import Path
from typing import Any

import opencc

from fagui.recover.chars import (
    _HAN_RUN,
    _NOT_NUL,
    _char_class,
    _difference_flags,
    _package_version,
    _stored,
)
from fagui.recover.edits import _EditTuple, _line_spans, _runs


@functools.lru_cache(maxsize=8)
def converter(config: str, *, tofu: bool = True) -> opencc.OpenCC:
    """One OpenCC converter per configuration, made on first use (loading one takes ~10 ms).

    `tofu=False`: without the dictionaries that OpenCC marks as converting into characters
    fonts may lack (recent releases; older ones have none). t2s's (TSCharactersExt) converts
    each of its characters into one outside the BMP, which recover never converts into;
    without it, each is converted into itself (TSCharacters's first reading; a compatibility
    ideograph into its canonical equivalent, as t2s normalizes it first). The conversion
    recover takes from t2s is then the same (tests/test_recover.py checks it, character by
    character), made about a seventh quicker on traditional texts (109 → 95 ms over the
    benchmark's polluted copies in traditional script, same process)."""
    return _opencc(config, tofu=tofu)


def _opencc(config: str, *, tofu: bool) -> opencc.OpenCC:
    if tofu:
        return opencc.OpenCC(config)
    try:
        return opencc.OpenCC(config, include_tofu_risk_dictionaries=False)
    except TypeError:  # an OpenCC without the option, and without such dictionaries
        return opencc.OpenCC(config)


def _t2s(text: str) -> str:
    """The text converted by t2s as recover takes it (`converter("t2s", tofu=False)`): for a
    text in NFC, which holds none of the characters t2s normalizes first, by the same
    conversion without that step (`_t2s_unnormalized`)."""
    if unicodedata.is_normalized("NFC", text) and (unnormalized := _t2s_unnormalized()):
        return unnormalized.convert(text)
    return converter("t2s", tofu=False).convert(text)


@functools.cache
def _t2s_unnormalized() -> opencc.OpenCC | None:
    """`converter("t2s", tofu=False)` without the step that first makes each CJK compatibility
    ideograph its canonical equivalent: a step that reads the whole text, and changes none in
    NFC (which has made them so; tests/test_recover.py checks it over every code point): over
    the benchmark's polluted copies in traditional script, 91 → 85 ms, the 3 ms in which
    `unicodedata.is_normalized` tells a text in NFC included. Made from OpenCC's own t2s
    configuration, less its "normalization", its dictionaries named by where they lie (the
    configuration is read from a file, and dictionaries named by their names alone are looked
    for beside it); None when that cannot be read or loaded so."""
    try:
        config_path = Path(converter("t2s").config)
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if not isinstance(config, dict) or config.pop("normalization", None) is None:
            return None

        def located(node: Any) -> Any:
            if isinstance(node, dict):
                return {
                    key: str(config_path.parent / value)
                    if key == "file" and isinstance(value, str)
                    else located(value)
                    for key, value in node.items()
                }
            if isinstance(node, list):
                return [located(item) for item in node]
            return node

        with tempfile.TemporaryDirectory() as where:
            path = Path(where) / "t2s.json"
            path.write_text(json.dumps(located(config)), encoding="utf-8")
            return _opencc(str(path), tofu=False)  # its dictionaries are read at once
    except (OSError, ValueError, RuntimeError, AttributeError, TypeError):
        return None


# A text is traditional when at least this many, and this share, of its Han characters are.
_TRAD_MIN = 3
_TRAD_SHARE = 0.02


@functools.cache
def _traditional() -> tuple[frozenset[str], str]:
    """The characters OpenCC's t2s converts on their own, i.e. without phrase context: their
    set, and a stdlib class matching one of those in the BMP or any character outside it (a
    class of BMP characters is a table, which the stdlib scans quickly). Made once from
    OpenCC's conversion of every code point of the planes that hold Han characters (0, 2 and
    3), one per line (kept on disk: `_stored`); tests/test_recover.py checks the other
    planes."""

    def read() -> str:
        points = [
            cp
            for cp in itertools.chain(range(0x10000), range(0x20000, 0x40000))
            if cp != 10 and not 0xD800 <= cp <= 0xDFFF
        ]
        chars = list(map(chr, points))
        converted = converter("t2s").convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):  # not one line per character: convert one at a time
            converted = [converter("t2s").convert(c) for c in chars]
        return "".join(c for c, t in zip(chars, converted, strict=True) if c != t)

    found = _stored(["t2s converts on its own", _package_version("opencc")], read)
    bmp = [ord(c) for c in found if c <= "\uffff"]
    return frozenset(found), f"[{_char_class(bmp)}\\U00010000-\\U0010ffff]"


@functools.cache
def _traditional_pattern() -> re.Pattern[str]:
    """`_traditional`'s class, compiled when first asked for (most texts are told simplified
    without it: `text._traditional_and_inner_spaces`)."""
    return re.compile(_traditional()[1])


def _converts_alone(char: str) -> bool:
    """Whether OpenCC converts a character `_traditional`'s class matches on its own: every one
    of the BMP, and those of the table beyond it."""
    return char <= "\uffff" or char in _traditional()[0]


def _count_traditional(text: str, up_to: int) -> int:
    """How many characters of the text OpenCC converts on their own, counting up to `up_to`."""
    found = filter(_converts_alone, map(re.Match.group, _traditional_pattern().finditer(text)))
    return sum(1 for _ in islice(found, up_to))


def _count_converted(text: str, converted: str, up_to: int) -> int:
    """`_count_traditional` of the characters of `text` that its conversion (as long as it)
    changed."""
    if _converted_at_least(text, converted, up_to):
        return up_to
    count = 0
    for m in _traditional_pattern().finditer(text):
        char = m.group()
        if converted[m.start()] != char and _converts_alone(char):
            count += 1
            if count >= up_to:
                break
    return count


def _converted_at_least(text: str, converted: str, count: int) -> bool:
    """Whether `_count_converted` finds at least `count` characters, as a quick count shows
    (when it does not, they may still be there).

    In any stretch, the characters of `_traditional` that the text holds, less those its
    conversion holds, are at most the ones converted: a place that holds one in both kept
    it, and one in the conversion alone had one converted into it. The stdlib counts them
    (`findall`, in C) a stretch at a time from the start, in place of a Python loop over
    every match: ~1.7× quicker. A stretch is 3 times the characters still wanted, enough when
    a third of the text's characters are traditional (in the polluted copies, a median of
    29%). The pattern also matches every character outside the BMP, traditional or not: a
    stretch with one is left to the loop."""
    pattern = _traditional_pattern()
    found = start = 0
    while found < count and start < len(text):
        end = start + 3 * (count - found)
        held = pattern.findall(text, start, end)
        if held and max(held) > "\uffff":
            return False
        found += len(held) - len(pattern.findall(converted, start, end))
        start = end
    return found >= count


def _han_count(text: str) -> int:
    return sum(map(len, _HAN_RUN.findall(text)))


def _diff_positions(a: str, b: str, offset: int = 0) -> list[int]:
    """Where `a` and `b` differ, counted from `offset`."""
    if len(a) != len(b):
        raise ValueError("length-changing conversion")
    return list(compress(range(offset, offset + len(a)), map(operator.ne, a, b)))


_OUTSIDE_BMP = re.compile("[\U00010000-\U0010ffff]")
# Every byte but a line end's made NUL.
_LINE_ENDS_ONLY = bytes(b if b == ord("\n") else 0 for b in range(256))


def _same_line_ends(text: str, converted: str) -> bool:
    """Whether the texts, of the same length, have their line ends at the same places.

    Each is written a byte a character, as the ASCII encoder does with every other character
    made "?" (a loop in C: under half the time splitting both into lines takes). The two
    agree unless an ASCII character differs; then they are compared with every byte but the
    line ends made NUL."""
    ours = text.encode("ascii", "replace")
    theirs = converted.encode("ascii", "replace")
    return ours == theirs or ours.translate(_LINE_ENDS_ONLY) == theirs.translate(_LINE_ENDS_ONLY)


def _same_outside_bmp(text: str, converted: str) -> bool:
    """Whether every character of `converted` outside the BMP is the one that stands at its
    place in `text` (as long as it): at once when there are none, which its UTF-16 length
    shows (an encoding in C, quicker than searching)."""
    return len(converted.encode("utf-16-le", "surrogatepass")) == 2 * len(converted) or all(
        text[m.start()] == m.group() for m in _OUTSIDE_BMP.finditer(converted)
    )


def _script_edits_to_simplified(text: str) -> tuple[str | list[_EditTuple], bool, bool]:
    """The text with its traditional characters converted (or, in rare cases, the edits that
    convert them: a run of adjacent ones as one edit), whether any were, and whether the
    document is traditional."""
    # Fewer than _TRAD_MIN characters that OpenCC converts on their own: neither the document
    # nor any line is traditional (see `_traditional_positions`), and nothing is converted.
    if _count_traditional(text, _TRAD_MIN) < _TRAD_MIN:
        return text, False, False
    converted = _t2s(text)
    if converted == text:
        return text, False, False
    if (
        len(converted) == len(text)
        and _same_line_ends(text, converted)
        and _same_outside_bmp(text, converted)
    ):
        # The common case: every difference is within a line (the line ends stand at the same
        # places) and into the BMP, and the document is traditional. Then all of them are
        # converted, 於 into 于 only where the text has it (see below).
        enough = max(_TRAD_MIN, math.ceil(_TRAD_SHARE * len(text))) + 2
        if _is_traditional_document(_count_converted(text, converted, enough), text):
            if "於" not in converted:
                return converted, True, True
            yu = [m.start() for m in re.finditer("於", converted)]
            if all(text[i] == "於" for i in yu):
                return converted.replace("於", "于"), True, True
    positions, is_traditional = _traditional_positions(text, converted)
    reason = "traditional character"
    if is_traditional:  # OpenCC keeps 於 where it may be a surname; in these texts it is 于
        yu = [m.start() for m in re.finditer("於", converted)]
        if not set(yu).isdisjoint(positions):  # a conversion into 於: both edits, in turn
            edits = [(i, i + 1, converted[i], "script", reason) for i in positions]
            edits += [(i, i + 1, "于", "script", reason) for i in yu]
            return list(_runs(sorted(edits))), True, True
        positions = sorted(positions + yu)
        converted = converted.replace("於", "于")
    edits = _char_runs(positions, converted, "script", reason)
    return edits, bool(edits), is_traditional


def _is_traditional_document(traditional: int, text: str) -> bool:
    """Whether a text with this many traditional characters (that OpenCC converts on their
    own) is traditional. Their share of all the characters, at most their share of the Han
    ones, is quicker to find."""
    return traditional >= _TRAD_MIN and (
        traditional / len(text) >= _TRAD_SHARE
        or traditional / (_han_count(text) or 1) >= _TRAD_SHARE
    )


def _traditional_positions(text: str, converted: str) -> tuple[list[int], bool]:
    """Where the text takes OpenCC's t2s conversion `converted`, and whether the document is
    traditional.

    OpenCC's t2s also rewrites some simplified text (破坏土地 → 破坯土地, 二噁英 → 二𫫇英), so
    only what is traditional is converted: characters OpenCC converts on their own, and phrase
    conversions next to one (乾淨 → 干净) — in a traditional document, every conversion
    (批覆 → 批复) — in a document, or failing that a line, that is traditional; never into a
    character outside the BMP, which official texts do not use."""
    if len(converted) == len(text):  # as t2s keeps lengths: the whole text at once
        flags = _difference_flags(text, converted)
        diffs = [i for m in _NOT_NUL.finditer(flags) for i in range(m.start(), m.end())]
    else:
        diffs = []
        for s, e in _line_spans(text):
            diffs += _diff_positions(text[s:e], converted[s:e], s)
    # Within lines, and never into a character outside the BMP.
    diffs = [i for i in diffs if text[i] != "\n" and ord(converted[i]) <= 0xFFFF]
    table = _traditional()[0]
    traditional = {i for i in diffs if text[i] in table}
    if _is_traditional_document(len(traditional), text):
        return diffs, True
    # A simplified document: convert only lines that are traditional themselves.
    spans = list(_line_spans(text))
    starts = [s for s, _ in spans]
    by_line: dict[int, int] = {}
    for i in traditional:
        line_no = bisect.bisect_right(starts, i) - 1
        by_line[line_no] = by_line.get(line_no, 0) + 1
    lines = {
        n
        for n, count in by_line.items()
        if count >= _TRAD_MIN and count / (_han_count(text[spans[n][0] : spans[n][1]]) or 1) >= 0.1
    }
    positions = [
        i
        for i in diffs
        if bisect.bisect_right(starts, i) - 1 in lines
        and (i in traditional or i - 1 in traditional or i + 1 in traditional)
    ]
    return positions, False


def _script_edits_to_traditional(text: str) -> list[_EditTuple]:
    converted = converter("s2tw").convert(text)  # Taiwan standard forms: 為, 群眾
    if converted == text:
        return []
    positions = _diff_positions(text, converted)
    return _char_runs(positions, converted, "script", "traditional script requested")


def _char_runs(positions: list[int], replacement: str, kind: str, reason: str) -> list[_EditTuple]:
    """Edits putting the characters of `replacement` at `positions` (ascending) of the text,
    adjacent ones as one edit, as `_runs` joins them."""
    runs: list[_EditTuple] = []
    start = end = 0  # the run so far
    for i in positions:
        if i != end:
            if end > start:
                runs.append((start, end, replacement[start:end], kind, reason))
            start = i
        end = i + 1
    if end > start:
        runs.append((start, end, replacement[start:end], kind, reason))
    return runs
