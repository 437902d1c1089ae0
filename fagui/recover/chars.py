"""Characters: the classes and helpers the passes share (Unicode properties from `regex`,
never hand-written code-point tables), and whole-text comparison."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import regex

_HAN_RUN = regex.compile(r"\p{Han}+")
_CJK_PUNCT = "，。、；：？！“”‘’《》（）【】〔〕〈〉「」『』…—"
# The half-width marks a mirror writes for Chinese punctuation (，；：？！（）), as common in such
# a copy as their full-width forms are in an official text.
_HALF_MARKS = ",;:?!()"


# Digits, Chinese and Arabic, as members of a character class.
_NUM = "零〇一二三四五六七八九十百千万两0-9０-９"


def _char_class(points: Iterable[int]) -> str:
    """The members of a stdlib character class matching the code points (ascending), written
    as `_ranges_class` writes spans of them."""
    spans: list[list[int]] = []  # [a, b)
    for cp in points:
        if spans and spans[-1][1] == cp:
            spans[-1][1] = cp + 1
        else:
            spans.append([cp, cp + 1])
    return _ranges_class([(a, b) for a, b in spans])


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
    return _ranges_class(_spans(r"\p{Han}"))


@functools.cache
def _every_character() -> str:
    return _characters(0, 0x110000)


def _characters(start: int, end: int) -> str:
    """Every code point from `start` to `end` (not included), as one string."""
    return array("I", range(start, end)).tobytes().decode("utf-32-le", "surrogatepass")


@functools.cache
def _std_class(*patterns: str, astral: bool = False, bmp: bool = False) -> str:
    """A stdlib class of the characters that any of `patterns` (each a character, in `regex`'s
    verbose V1 syntax, with its Unicode properties) matches; with `astral`, of those and every
    character beyond the BMP; with `bmp`, of those in the BMP alone.

    The stdlib looks a character up in a table of the BMP, then tries the class's ranges
    beyond it one after the other, also for a character of the BMP that is not in the table.
    So the class is written with the fewer of those ranges, widest first: as its characters,
    or as all but the others ([^…]); with `astral`, as all but some of the BMP, and with `bmp`,
    as some of the BMP: the table alone, which decides any character at once."""
    spans = sorted(span for pattern in patterns for span in _spans(pattern))
    joined: list[tuple[int, int]] = []
    for a, b in spans:
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(b, joined[-1][1]))
        else:
            joined.append((a, b))
    ends = [0, *(b for _, b in joined)]
    starts = [a for a, _ in joined] + [0x110000]
    gaps = [(a, b) for a, b in zip(ends, starts, strict=True) if b > a]
    if astral:
        return f"[^{_ranges_class(gaps, bmp_only=True)}]"
    if bmp:
        return f"[{_ranges_class(joined, bmp_only=True)}]"
    if _astral_count(joined) <= _astral_count(gaps):
        return f"[{_ranges_class(joined)}]"
    return f"[^{_ranges_class(gaps)}]"


@functools.cache
def _spans(pattern: str) -> list[tuple[int, int]]:
    """The code points `pattern` (as in `_std_class`) matches, as spans [a, b) in order: read
    from `regex`'s Unicode tables over every code point (kept on disk: `_stored`)."""

    def read() -> list[list[int]]:
        flags = regex.VERBOSE | regex.V1
        found = regex.finditer(f"(?:{pattern}\n)+", _every_character(), flags)
        return [list(m.span()) for m in found]

    return [(a, b) for a, b in _stored(["spans", pattern, regex.__version__], read)]


# Made again when what `_stored` keeps is made differently.
_STORE_VERSION = 1


def _stored(key: list[str], make: Callable[[], Any]) -> Any:
    """What `make` returns (data as JSON holds it), kept in a file of the user's cache
    directory so that the next process reads it rather than making it again: the tables read
    from `regex`'s and OpenCC's data over every code point take ~0.4 s, which would otherwise
    be spent on the first `recover` of every process (each `fagui` command). The file is named
    by a hash of `key`, which names what the data is made from and its versions, of Python's
    own and of this function. A file that cannot be read or written is passed over: the data
    is made and used all the same."""
    where = _store_directory()
    name = json.dumps([_STORE_VERSION, sys.version_info[:2], unicodedata.unidata_version, *key])
    if where is None:
        return make()
    path = where / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.json"
    try:
        with path.open(encoding="utf-8") as file:
            stored = json.load(file)
        if stored["key"] == name:
            return stored["data"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    data = make()
    written = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=where, delete=False, encoding="utf-8") as new:
            written = new.name
            json.dump({"key": name, "data": data}, new, ensure_ascii=False)
        os.replace(written, path)
    except OSError:
        if written is not None:  # not left behind half made
            with contextlib.suppress(OSError):
                Path(written).unlink(missing_ok=True)
    return data


def _store_directory() -> Path | None:
    """$FAGUI_CACHE_DIR, else fagui's directory in the user's cache directory; None when there
    is no home directory to hold one."""
    if configured := os.environ.get("FAGUI_CACHE_DIR"):
        return Path(configured)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "fagui"
    try:
        return Path.home() / ".cache" / "fagui"
    except RuntimeError:  # no $HOME, and no entry for the user to read it from
        return None


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _astral_count(spans: list[tuple[int, int]]) -> int:
    return sum(1 for _, b in spans if b > 0x10000)


def _ranges_class(spans: list[tuple[int, int]], *, bmp_only: bool = False) -> str:
    """The members of a stdlib class of the code points [a, b) of `spans` (in order): those of
    the BMP in order, those beyond it widest first (or none, with `bmp_only`)."""
    bmp = [(a, min(b, 0x10000)) for a, b in spans if a < 0x10000]
    astral = [] if bmp_only else [(max(a, 0x10000), b) for a, b in spans if b > 0x10000]
    astral.sort(key=lambda span: span[0] - span[1])
    return "".join(f"\\U{a:08x}-\\U{b - 1:08x}" for a, b in bmp + astral)
