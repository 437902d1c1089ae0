"""Characters: the classes and helpers the passes share (Unicode properties from `regex`,
never hand-written code-point tables), and whole-text comparison."""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Iterable, Iterator

import regex

_HAN_RUN = regex.compile(r"\p{Han}+")
_CJK_PUNCT = "，。、；：？！“”‘’《》（）【】〔〕〈〉「」『』…—"


# Digits, Chinese and Arabic, as members of a character class.
_NUM = "零〇一二三四五六七八九十百千万两0-9０-９"


def _matched(pattern: regex.Pattern[str], chars: str) -> Iterator[int]:
    """The code points of `chars` (which hold each at most once) that `pattern` matches."""
    for m in pattern.finditer(chars):
        yield from map(ord, m.group())


def _char_class(points: Iterable[int]) -> str:
    """The members of a stdlib character class matching the code points (ascending)."""
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _utf32(text: str) -> int:
    """The text as one whole number, 32 bits a character (UTF-32, little-endian)."""
    return int.from_bytes(text.encode("utf-32-le", "surrogatepass"), "little")


def _text(number: int, length: int) -> str:
    return number.to_bytes(4 * length, "little").decode("utf-32-le", "surrogatepass")


def _differences(a: int, b: int, length: int) -> int:
    """For two texts as numbers (see `_utf32`), 1 in each character where they differ and 0 in
    each where they agree: the work of a loop over the characters, done on whole numbers."""
    diff = a ^ b
    for shift in (1, 2, 4, 8, 16):  # bit 0 of each character's 32 becomes the OR of them all
        diff |= diff >> shift
    return diff & int.from_bytes(b"\x01\x00\x00\x00" * length, "little")


def _difference_flags(a: str, b: str) -> str:
    """U+0001 where the texts (of the same length) differ, NUL where they agree."""
    return _text(_differences(_utf32(a), _utf32(b), len(a)), len(a))


_NOT_NUL = re.compile("[^\x00]+")
_ONE_NOT_NUL = re.compile("[^\\x00]")


@functools.cache
def _han_class() -> str:
    """The members of a stdlib class matching what `regex` calls \\p{Han}."""
    return _char_class(_matched(regex.compile(r"\p{Han}+"), _characters(0, 0x110000)))


def _characters(start: int, end: int) -> str:
    """Every code point from `start` to `end` (not included), as one string."""
    return array("I", range(start, end)).tobytes().decode("utf-32-le", "surrogatepass")
