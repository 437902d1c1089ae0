"""Recover: any copy of a Chinese regulation → its official text, with an audit trail.

The stage works on decoded text (see `fagui.sources` for bytes). It runs a fixed sequence of
passes over the text; each pass proposes edits, and `_Edits` applies them and keeps them, in a
compact form, so that for every character of the result it can tell where it came from in the
source. It composes them into `Change` objects only when the changes are first read (most
callers want the text alone). The passes, in order:

1. **space**: ``\\r\\n`` and lone ``\\r`` → ``\\n``.
2. **noise**: emoji of any Unicode version (`regex`'s ``Extended_Pictographic`` covers code
   points reserved for future emoji) with their ZWJ, skin-tone, flag, keycap and variation
   selector parts; format characters (zero-width spaces and joiners, bidi marks, BOMs);
   characters outside the Basic Multilingual Plane that are not Han (hieroglyphs, cuneiform,
   mahjong and domino tiles, alchemical signs); decorative shapes (★■◆) and text-style symbols
   (™ ↔) standing inside a word.
3. **pinyin**: glosses such as ``網(wǎng)``, checked against the character's readings (`pypinyin`).
4. **script**: traditional → simplified with OpenCC, only where the text is traditional.
5. **space**: trailing spaces, and single spaces injected between two Han characters; layout
   spaces (第一条　, 1979年7月1日 第五届, 。 第十条, headings, tables) are kept.
6. **wrap**: hard-wrapped lines rejoined when the document is hard-wrapped; never before a
   new unit (第五条　, （一）) or across page furniture.
7. **chrome**: site furniture — navigation, bylines, share bars, previous/next links,
   copyright and ICP lines, ads and watermarks — and the headline above the title.
8. **punctuation**: half-width ``, ; : ( ) ? !`` in Chinese context made full-width, when the
   document writes its punctuation half-width.
9. **script**, on request: simplified → traditional (Taiwan standard forms).

Passes that could change a clean text (spaces, punctuation) run only on a document that shows
pollution — noise, glosses, traditional script, chrome, hard wraps, several injected spaces —
which is how a clean official text comes through unchanged.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, compress, islice, pairwise, repeat
from typing import Any, NamedTuple

import opencc
import regex

from fagui.errors import OptionsError
from fagui.model import SCRIPTS, Change, Changes, Recovered

__all__ = ["RecoverOptions", "recover"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoverOptions:
    """How to recover. `script`: ``simplified`` (canonical), ``traditional`` or ``original``."""

    script: str = "simplified"

    def __post_init__(self) -> None:
        if self.script not in SCRIPTS:
            raise OptionsError(f"script must be one of {', '.join(SCRIPTS)}, not {self.script!r}")


# ---------------------------------------------------------------------------------------------
# The edit machinery: the result as the source with some of its segments replaced.


# A replaced segment of the source: source[start:end] became out, which made the text longer
# by growth (len(out) - (end - start)).
_Seg = tuple[int, int, str, str, str, int]  # start, end, out, kind, reason, growth
_EditTuple = tuple[int, int, str, str, str]  # an `_Edit` as a plain tuple: quicker to build
_Cluster = tuple[int, int, int, int, int, int]  # see `_Edits._clusters`


class _Edit(NamedTuple):
    """An edit of the current text; the passes yield them as plain tuples."""

    start: int  # in the current text
    end: int
    replacement: str
    kind: str
    reason: str


class _Edits:
    """The text being recovered, and the edits each pass made to it.

    Every pass reads `text` and calls `apply` with sorted, non-overlapping edits in `text`'s
    coordinates; `text` becomes the result. The edits are kept as the passes gave them, and
    `changes` composes them, when asked, into changes of the source (see `_compose`)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = source
        self.passes: list[list[_EditTuple] | _Substitution | _Deletion] = []
        self.results: list[str] = []  # the text after each pass

    @functools.cached_property
    def lines(self) -> list[str]:
        """The lines of `text`, without their newlines, for the passes that read them."""
        return self.text.split("\n")

    def apply(self, edits: Iterable[_EditTuple]) -> int:
        """Apply one pass's edits; returns how many there were."""
        edits = list(edits)
        if not edits:
            return 0
        text = self.text
        pieces: list[str] = []
        p = 0
        for s, e, rep, _, _ in edits:
            pieces += (text[p:s], rep)
            p = e
        pieces.append(text[p:])
        self.text = "".join(pieces)
        self.passes.append(edits)
        self.results.append(self.text)
        self.__dict__.pop("lines", None)  # split again when next asked
        return len(edits)

    def delete(
        self, spans: list[tuple[int, int]], kind: str, reason: _Reason, result: str | None = None
    ) -> int:
        """Apply a pass that deleted `spans` (start, end) of the text, sorted and apart, giving
        `result` (made here when not given). `reason` is the reason for each, or gives it from
        what it deleted, when the changes are composed. Returns how many there were."""
        if not spans:
            return 0
        if result is None:
            text = self.text
            pieces: list[str] = []
            p = 0
            for s, e in spans:
                pieces.append(text[p:s])
                p = e
            pieces.append(text[p:])
            result = "".join(pieces)
        self.text = result
        self.passes.append(_Deletion(spans, kind, reason))
        self.results.append(result)
        self.__dict__.pop("lines", None)
        return len(spans)

    def substitute(self, text: str, kind: str, reason: str, *, join: bool) -> None:
        """Apply a pass that replaced characters one for one, giving `text` (as long as the
        current text). Its edits, one a character, or a run of adjacent ones when `join`, are
        found when the changes are composed."""
        if text != self.text:
            self.passes.append(_Substitution(text, kind, reason, join))
            self.results.append(text)
            self.text = text
            self.__dict__.pop("lines", None)

    def changes(self) -> tuple[Change, ...]:
        """The passes' edits as changes of the source."""
        segs: list[_Seg] = []
        text = self.source
        for edits, result in zip(self.passes, self.results, strict=True):
            if not isinstance(edits, list):
                edits = edits.edits(text)
            segs = _compose(self.source, segs, text, edits)
            text = result
        source = self.source
        rows = [
            (kind, a, b - a, original, out, reason)
            for a, b, out, kind, reason, _ in segs
            if (original := source[a:b]) != out
        ]
        return tuple(Change.many(rows))


_Reason = str | Callable[[str], str]


class _Deletion(NamedTuple):
    """A pass that deleted parts of the text (see `_Edits.delete`)."""

    spans: list[tuple[int, int]]
    kind: str
    reason: _Reason

    def edits(self, before: str) -> list[_EditTuple]:
        kind, reason = self.kind, self.reason
        if isinstance(reason, str):
            return [(s, e, "", kind, reason) for s, e in self.spans]
        return [(s, e, "", kind, reason(before[s:e])) for s, e in self.spans]


class _Substitution(NamedTuple):
    """A pass that replaced characters one for one (see `_Edits.substitute`)."""

    text: str
    kind: str
    reason: str
    join: bool

    def edits(self, before: str) -> list[_EditTuple]:
        """The edits that made `text` from the text `before` the pass."""
        pattern = _NOT_NUL if self.join else _ONE_NOT_NUL
        after, kind, reason = self.text, self.kind, self.reason
        return [
            (m.start(), m.end(), after[m.start() : m.end()], kind, reason)
            for m in pattern.finditer(_difference_flags(before, after))
        ]


def _compose(source: str, segs: list[_Seg], text: str, edits: list[_EditTuple]) -> list[_Seg]:
    """The changes of the source `segs`, which made `text`, followed by a pass's `edits` of
    `text`: the new changes.

    The changes are segments of the source and what replaced them. An edit that touches an
    earlier change absorbs it (edits and changes that overlap form one cluster), so the changes
    never overlap and, applied to the source, give exactly the result. Text between changes is
    kept, so a change's place in the current text is its place in the source plus the growth
    of the changes before it."""
    # Where each change starts in the text: in the source, plus the growth of those before.
    growths = list(accumulate(map(operator.itemgetter(5), segs), initial=0))
    at = list(map(operator.add, map(operator.itemgetter(0), segs), growths))
    starts = list(map(operator.itemgetter(0), edits))
    ends = list(map(operator.itemgetter(1), edits))
    places = list(map(functools.partial(bisect.bisect_right, at), starts))  # changes before
    # An edit touches a change when it starts inside the one before it (or right after a
    # deletion it spans), or the one after it starts inside it. Looked up for the edits alone:
    # the first `lo` have no change before them, those from `hi` on none after them.
    lo, hi = bisect.bisect_right(places, 0), bisect.bisect_left(places, len(segs))
    before = [p - 1 for p in islice(places, lo, None)]
    ends_before = map(
        operator.add,
        map(at.__getitem__, before),
        map(len, map(operator.itemgetter(2), map(segs.__getitem__, before))),
    )
    inside = [False] * lo + list(map(operator.gt, ends_before, islice(starts, lo, None)))
    spans = list(map(operator.lt, map(at.__getitem__, islice(places, hi)), ends))
    touches = list(map(operator.or_, inside, spans + [False] * (len(edits) - hi)))
    made = _apart(growths, edits, starts, ends, places)
    if not any(touches):
        return _merge_apart(segs, made, places)
    growth = len(text) - len(source)  # of all the changes
    new_segs: list[_Seg] = []
    kept = done = 0  # changes before `kept` are in new_segs, and the edits before `done`
    n = len(segs)
    # An edit that touches no change forms a group of its own (it cannot overlap the group
    # before it, which ends by its start); the other groups are found apart.
    touched = list(compress(range(len(edits)), touches))
    for cs, ce, i, j, first, last in _clusters(edits, segs, at, places, touched):
        kept = _place(new_segs, segs, kept, made, places, done, i)
        done = j
        if first > kept:
            new_segs += segs[kept:first]
        kept = last
        # Text before the cluster and after it is kept: its place in the source is its
        # place in the text less the growth of the changes before it.
        src_start = cs - (at[first] - segs[first][0] if first < n else growth)
        if last == first:  # the cluster replaces no change
            src_end = src_start + ce - cs
        else:
            src_end = ce - (at[last] - segs[last][0] if last < n else growth)
        s, e, out, kind, reason = edits[i]
        if j > i + 1 or s != cs or e != ce:  # the edits and the text between them
            parts: list[str] = []
            p = cs
            for s, e, rep, _, _ in edits[i:j]:
                parts += (text[p:s], rep)
                p = e
            parts.append(text[p:ce])
            out = "".join(parts)
        new_segs.append((src_start, src_end, out, kind, reason, len(out) - src_end + src_start))
    kept = _place(new_segs, segs, kept, made, places, done, len(edits))
    new_segs += segs[kept:]
    return new_segs


def _apart(
    growths: list[int],
    edits: list[_EditTuple],
    starts: list[int],
    ends: list[int],
    places: list[int],
) -> list[_Seg]:
    """Each edit as a change of its own, as it is when it touches no earlier change: made all
    at once. An edit that `places` after n changes starts in the source where it starts in the
    text less their growth."""
    src_starts = list(map(operator.sub, starts, map(growths.__getitem__, places)))
    lengths = list(map(operator.sub, ends, starts))
    reps = list(map(operator.itemgetter(2), edits))
    return list(
        zip(
            src_starts,
            map(operator.add, src_starts, lengths),
            reps,
            map(operator.itemgetter(3), edits),
            map(operator.itemgetter(4), edits),
            map(operator.sub, map(len, reps), lengths),
            strict=True,
        )
    )


def _merge_apart(segs: list[_Seg], made: list[_Seg], places: list[int]) -> list[_Seg]:
    """`_compose` when no edit touches an earlier change (the usual case): the changes the
    edits `made` placed among the others, each after the `places` of them before it."""
    if not segs:
        return made
    new_segs: list[_Seg] = []
    kept = _place(new_segs, segs, 0, made, places, 0, len(made))
    new_segs += segs[kept:]
    return new_segs


def _place(
    new_segs: list[_Seg],
    segs: list[_Seg],
    kept: int,
    made: list[_Seg],
    places: list[int],
    a: int,
    b: int,
) -> int:
    """Add the changes `made` by the edits [a, b) to `new_segs`, each after the `places` of the
    earlier changes before it, when the changes before `kept` are there; returns the new
    `kept`."""
    for seg, i in zip(islice(made, a, b), islice(places, a, b), strict=True):
        if i > kept:
            new_segs += segs[kept:i]
            kept = i
        new_segs.append(seg)
    return kept


def _clusters(
    edits: list[_EditTuple],
    segs: list[_Seg],
    at: list[int],
    places: list[int],
    touched: list[int],
) -> list[_Cluster]:
    """Group edits with the earlier changes they touch: start and end in the current text,
    the edits [i, j) and the changes [first, last) that the group replaces. A change is
    touched when the edit overlaps it, or for a deletion (a change of no length), when the
    edit spans across its place; an edit of no length inside a change touches it too. Only the
    edits `touched` (their numbers, ascending) are grouped; `places` tells how many changes
    start by each edit's start."""
    clusters: list[_Cluster] = []
    n = len(segs)
    for i in touched:
        cs, ce = edits[i][0], edits[i][1]
        first = last = places[i]  # changes before `first` start by cs
        if first and at[first - 1] + len(segs[first - 1][2]) > cs:  # one goes on past cs
            first -= 1
            if at[first] < ce:  # it is touched
                cs = at[first]
            else:  # an edit of no length where that change starts goes before it
                last = first
        while last < n and at[last] < ce:  # changes that start inside the edit
            last += 1
        if last > first:
            ce = max(ce, at[last - 1] + len(segs[last - 1][2]))
        k = i  # the first edit of the group
        if clusters and clusters[-1][3] == i and cs < clusters[-1][1]:  # it overlaps the group
            # of the edit before it: join them
            pcs, pce, k, _, pfirst, plast = clusters.pop()
            cs, ce = min(pcs, cs), max(pce, ce)
            first, last = min(pfirst, first), max(plast, last)
        clusters.append((cs, ce, k, i + 1, first, last))
    return clusters


def _runs(edits: Iterable[_EditTuple]) -> Iterator[_EditTuple]:
    """Adjacent edits of the same kind and reason as one edit (历史, not 历 and 史)."""
    run: _EditTuple | None = None
    for edit in edits:
        if run and run[1] == edit[0] and run[3:] == edit[3:]:
            run = (run[0], edit[1], run[2] + edit[2], run[3], run[4])
            continue
        if run:
            yield run
        run = edit
    if run:
        yield run


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line, without its newline."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield start, end
        start = end + 1
    yield start, len(text)


# ---------------------------------------------------------------------------------------------
# Character classes. Unicode properties from `regex`, never hand-written code-point tables.

_HAN_RUN = regex.compile(r"\p{Han}+")
_CJK_PUNCT = "，。、；：？！“”‘’《》（）【】〔〕〈〉「」『』…—"

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


def _matched(pattern: regex.Pattern[str], chars: str) -> Iterator[int]:
    """The code points of `chars` (which hold each at most once) that `pattern` matches."""
    for m in pattern.finditer(chars):
        yield from map(ord, m.group())


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


# A single space between two Han characters. Layout spaces are kept: after a structural label
# or a date (第一条　, 1979年7月1日 第五届), before a run-in article (。 第十条), in headings
# and other short lines, and in table rows.
_NUM = "零〇一二三四五六七八九十百千万两0-9０-９"
_UNIT = "(?:编|分编|章|节|条|部分)"
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


# ---- chrome ----------------------------------------------------------------------------------

_CHROME_RULES: tuple[tuple[str, str], ...] = (
    (r"^(?:分享到|分享至|转发到|一键分享)", "share bar"),
    (r"^(?:扫码|扫一扫|扫描二维码|长按识别|关注(?:我们|公众号|微信))", "ad"),
    (
        r"^(?:【)?(?:上一篇|下一篇|上一条|下一条|上一页|下一页|相关(?:阅读|文章|链接|新闻))",
        "previous/next or related links",
    ),
    (
        r"^(?:返回顶部|返回首页|返回列表|打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|收藏本页)",
        "page tools",
    ),
    (r"^(?:当前位置|您的位置|您现在的位置|所在位置)", "breadcrumb"),
    (r"首页\s*[>›»/＞]|[>›»＞]\s*正文", "breadcrumb"),
    (
        r"^(?:责任编辑|编辑|作者|来源|审核|审校|校对|发布时间|发布日期|发文时间|浏览次数|阅读次数|"
        r"点击数|字号|字体)\s*[:：]",
        "byline",
    ),
    (r"^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*\d{1,2}:\d{2}", "byline"),
    (
        r"(?:作者|来源|审核|编辑|浏览次数|阅读)\s*[:：].*(?:作者|来源|审核|编辑|浏览次数|阅读|点击)\s*[:：]",
        "byline",
    ),
    (r"字[号体][:：]?\s*【?\s*大\s*中\s*小", "page tools"),
    (
        r"版权所有|(?:Copyright|©|\(c\))\s*(?:\d{4}|版权)|ICP备|ICP证|公网安备|技术支持\s*[:：]|主办单位\s*[:：]|"
        r"承办单位\s*[:：]|联系我们|网站地图|网站导航|网站\S{0,6}地图|免责声明",
        "site footer",
    ),
    (
        r"本文来源|文章来源|转载请注明|更多\S{0,8}请(?:访问|登录|关注)|更多法规|更多资讯|获取更多|"
        r"下载\S{0,4}APP|请访问\S{0,20}(?:www|http)",
        "watermark or ad",
    ),
    (r"^[^，。；：]{0,20}首页$", "site navigation"),
    (r"^(?:[^|｜丨，。]{1,10}\s*[|｜丨]\s*){2,}[^|｜丨，。]{1,10}$", "site navigation"),
)


def _both_scripts(pattern: str) -> str:
    """The pattern plus its traditional-script spelling, so chrome is found in either."""
    spellings = dict.fromkeys(
        [pattern, converter("s2t").convert(pattern), converter("s2tw").convert(pattern)]
    )
    return "|".join(f"(?:{p})" for p in spellings)


@functools.lru_cache(maxsize=4)
def converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per configuration, made on first use (loading one takes ~10 ms)."""
    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=1)
def _chrome_rules() -> tuple[re.Pattern[str], regex.Pattern[str]]:
    """The chrome rules in two patterns, those anchored at the start of the line (matched there
    only) and the others; the name of the group that matched tells the rule. The floating
    rules are searched with `regex`, which finds their many literal alternatives faster."""
    groups = [f"(?P<r{i}>{_both_scripts(p)})" for i, (p, _) in enumerate(_CHROME_RULES)]
    anchored = [g for g, (p, _) in zip(groups, _CHROME_RULES, strict=True) if p.startswith("^")]
    floating = [g for g, (p, _) in zip(groups, _CHROME_RULES, strict=True) if not p.startswith("^")]
    return re.compile("|".join(anchored)), regex.compile("|".join(floating))


_SENTENCE_END = "。；;"
_STRUCTURAL = regex.compile(
    rf"^\s*(?:第[{_NUM}]+(?:编|分编|章|节|条|部分)|序\s*言|目\s*录|[一二三四五六七八九十]+、|"
    rf"（[一二三四五六七八九十]+）|[（(]\d{{4}}年)"
)
_DOC_TYPES = (
    "法|条例|规定|办法|细则|决定|解释|规则|准则|意见|通知|批复|答复|公告|决议|章程|纲要|修正案|"
    "安排|方案|命令|标准|制度|守则|规范|规程|要点|指引|指南|清单|答复|函"
)
_TITLE = regex.compile(
    rf"^[^，。；：:,;《》]{{2,80}}(?:{_DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$"
)
_INLINE_CHROME = ("watermark or ad", "ad")  # chrome that also stands inside the text
_LIST_ITEM = regex.compile(rf"^\s*(?:[{_NUM}]+[．.、]|[（(][{_NUM}]+[)）])")
_HEADLINE = regex.compile(r"印发|转发|全文|(?:发布|公布|出台)《|》(?:发布|公布|出台|正式)")


@functools.cache
def _chrome_needles() -> re.Pattern[str] | None:
    """A pattern that finds, in any line a chrome rule matches, one of the literal strings the
    rule needs (分享到, 上一篇, ©…), spaces allowed between their characters as the rules read
    lines without spaces; or None when some rule needs none. Each rule's needs are read from
    its parsed form (`_needles`)."""
    found: set[str] = set()
    for rule, _ in _CHROME_RULES:
        needs = _needles(_parse(_both_scripts(rule)))
        if needs is None:
            return None
        found |= needs
    spaced = (r"\s*".join(map(re.escape, needle)) for needle in found)
    return re.compile("|".join(sorted(spaced, key=len, reverse=True)))


def _parse(pattern: str) -> list[tuple[Any, Any]] | None:
    """The pattern as the stdlib parses it, or None if that parser is not at hand (it is
    CPython's, not a public API)."""
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        return None
    return list(_parser.parse(pattern).data)


def _needles(items: list[tuple[Any, Any]] | None) -> set[str] | None:
    """Literal strings of which every match of the parsed pattern holds at least one: those
    of a run of literal characters, of a group or a repeated part it cannot do without, of each
    branch of an alternation, or the characters of a small class; the longest found. None when
    the pattern needs none that this finds."""
    if items is None:
        return None
    from re import _constants as c  # type: ignore[attr-defined]

    found: list[set[str]] = []
    run = ""
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            found.append({run})
            run = ""
        if op is c.SUBPATTERN:
            found.append(_needles(list(av[3])) or set())
        elif op is c.BRANCH:
            branches = [_needles(list(b)) or set() for b in av[1]]
            found.append(set[str]().union(*branches) if all(branches) else set())
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found.append(_needles(list(av[2])) or set())
        elif op is c.IN and len(av) <= 8 and all(o is c.LITERAL for o, _ in av):
            found.append({chr(a) for _, a in av})
    found = [needs for needs in found if needs]
    if not found:
        return None
    return max(found, key=lambda needs: (min(map(len, needs)), -len(needs)))


def _chrome_reason(line: str) -> str | None:
    needles = _chrome_needles()
    if needles is not None and not needles.search(line):
        return None  # no rule can match: quicker to find than that the rules do not
    stripped = line.strip().lstrip("·•・-*►▶>|[【（( \t")
    if not stripped or len(stripped) > 120 or stripped[-1] in _SENTENCE_END:
        return None
    if _STRUCTURAL.match(stripped):
        return None
    compact = "".join(stripped.split())  # 相关阅　读 is still 相关阅读
    anchored, floating = _chrome_rules()
    m = anchored.match(compact) or floating.search(compact)
    return None if m is None else _CHROME_RULES[int(m.lastgroup[1:])][1]  # type: ignore[index]


def _is_furniture(line: str) -> bool:
    """A short line that is not a sentence nor a structural line: a site name, a headline, a
    link, a title — what stands around the text on a web page."""
    stripped = line.strip()
    return (
        len(stripped) <= 100
        and not any(p in stripped for p in "。；")
        and stripped[-1:] not in ("：", ":", "，", ",")
        and not _STRUCTURAL.match(stripped)
    )


_META = regex.compile(
    r"^\s*(?:[（(].*[）)]|[（(]?\d{4}\s*年\s*\d{1,2}\s*月.*|"
    r".{0,30}(?:令|〔\d{4}〕.*号|第\s*\d+\s*号|主席令|国务院令).{0,10}|"
    r".*(?:通过|批准|公布|发布|施行|修正|修订)[）)]?|[总附]\s*则|序\s*言|目\s*录)\s*$"
)


def _is_meta(line: str) -> bool:
    """`_META.match(line)`, found quicker where the line lacks every string it needs."""
    needles = _meta_needles()
    if needles is not None and not needles.search(line):
        return False
    return _META.match(line) is not None


@functools.cache
def _meta_needles() -> re.Pattern[str] | None:
    needs = _needles(_parse(_META.pattern))
    return None if needs is None else re.compile("|".join(map(re.escape, needs)))


def _title_line(view: list[str], reasons: list[str | None]) -> tuple[int | None, int | None]:
    """The line of the regulation's own title: the first line above the body (its first
    structural line or paragraph) that is not blank, not a date/issuer/number line, and not
    chrome; and the line where the body starts."""
    body = next(
        (
            i
            for i, v in enumerate(view)
            if v.strip() and not reasons[i] and (_STRUCTURAL.match(v) or not _is_furniture(v))
        ),
        None,
    )
    if body is None:  # a text of headings alone: the first line that is not chrome or headline
        first = (
            i
            for i, v in enumerate(view)
            if v.strip() and not reasons[i] and not _HEADLINE.search(v)
        )
        return next(first, None), None
    for i in range(body - 1, -1, -1):
        v = view[i].strip()
        if not v or reasons[i] or _META.match(v) or "全文" in v:
            continue
        return (i if _is_furniture(v) else None), body
    return None, body


def _chrome_edits(text: str, lines: list[str], traditional: bool) -> Iterator[_EditTuple]:
    # The lines as the rules read them: simplified (OpenCC keeps lengths, so the line
    # boundaries of the view are those of the text).
    view = lines
    if traditional:
        simplified = converter("t2s").convert(text)
        if len(simplified) == len(text):
            view = simplified.split("\n")
    # Every chrome removal starts from a line that matches a rule; those are short lines that
    # do not end a sentence, so only such lines are read.
    reasons: list[str | None] = [
        _chrome_reason(v) if 0 < len(v) <= 160 and v[-1] not in "。；;" else None for v in view
    ]
    if not any(reasons):
        return
    nonblank = [i for i, v in enumerate(view) if v.strip()]
    title, body = _title_line(view, reasons)
    if title is not None and body is not None:  # 《…》全文 between the title and the text
        for i in range(title + 1, body):
            if "全文" in view[i] and _is_furniture(view[i]):
                reasons[i] = "headline below the title"

    # Head: the page furniture above the text, up to its last chrome line (never past the
    # title), then the headlines between that line and the title.
    head: list[int] = []
    for i in nonblank:
        if i == title or not (reasons[i] or _is_furniture(view[i])):
            break
        head.append(i)
    ruled = [i for i in head if reasons[i] and reasons[i] not in _INLINE_CHROME]
    if ruled:
        for i in head:
            if reasons[i] is not None:
                continue
            if i < ruled[-1]:
                reasons[i] = (
                    "headline above the title"
                    if _HEADLINE.search(view[i])
                    else "site chrome above the text"
                )
            elif _HEADLINE.search(view[i]) and not _META.match(view[i]):
                reasons[i] = "headline above the title"
    # Tail: after the last line of the text, from the first chrome line on.
    tail = []
    start = max(head[-1] if head else -1, -1 if title is None else title)
    for i in reversed(nonblank):
        if i <= start or not (reasons[i] or _is_furniture(view[i])):
            break
        tail.append(i)
    tail.reverse()
    # Watermarks stand inside the text too, so they do not start the tail; numbered list items
    # (an attachment's 15．燃油加油机) belong to the text.
    if body is None:  # a text of headings alone ends with its last date line
        dated = [i for i in nonblank if _META.match(view[i]) and not reasons[i]]
        tail = [i for i in tail if not dated or i > dated[-1]]
    first = next((i for i in tail if reasons[i] and reasons[i] not in _INLINE_CHROME), None)
    if first is not None:
        for i in tail:
            if (
                i > first
                and reasons[i] is None
                and not _LIST_ITEM.match(view[i])
                and not _META.match(view[i])
            ):
                reasons[i] = "site chrome below the text"
    if any(reasons):  # the blank lines chrome leaves at the head and the tail go with it
        kept = [i for i in nonblank if reasons[i] is None]
        first, last = (kept[0], kept[-1]) if kept else (len(view), -1)
        for i, v in enumerate(view):
            if not v.strip() and (i < first or i > last):
                reasons[i] = "blank line around site chrome"
    before = [0, *accumulate(map(len, lines))]  # line i starts at before[i] + i
    for i, reason in enumerate(reasons):
        if reason is not None:  # the line goes with its newline, if it has one
            yield (before[i] + i, min(before[i + 1] + i + 1, len(text)), "", "chrome", reason)


# ---- hard wraps --------------------------------------------------------------------------------

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


@functools.cache
def _han_class() -> str:
    """The members of a stdlib class matching what `regex` calls \\p{Han}."""
    return _char_class(_matched(regex.compile(r"\p{Han}+"), _characters(0, 0x110000)))


def _characters(start: int, end: int) -> str:
    """Every code point from `start` to `end` (not included), as one string."""
    return array("I", range(start, end)).tobytes().decode("utf-32-le", "surrogatepass")


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


# ---- script -----------------------------------------------------------------------------------

# A text is traditional when at least this many, and this share, of its Han characters are.
_TRAD_MIN = 3
_TRAD_SHARE = 0.02


@functools.cache
def _traditional() -> tuple[frozenset[str], re.Pattern[str]]:
    """The characters OpenCC's t2s converts on their own, i.e. without phrase context: their
    set, and a stdlib pattern matching one of those in the BMP or any character outside it (a
    class of BMP characters is a table, which the stdlib scans quickly). Made once from
    OpenCC's conversion of every code point of the planes that hold Han characters (0, 2 and
    3), one per line; tests/test_recover.py checks the other planes."""
    points = [
        cp
        for cp in itertools.chain(range(0x10000), range(0x20000, 0x40000))
        if cp != 10 and not 0xD800 <= cp <= 0xDFFF
    ]
    chars = list(map(chr, points))
    converted = converter("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # not one line per character: convert one at a time
        converted = [converter("t2s").convert(c) for c in chars]
    found = [c for c, t in zip(chars, converted, strict=True) if c != t]
    bmp = [ord(c) for c in found if c <= "\uffff"]
    return frozenset(found), re.compile(f"[{_char_class(bmp)}\\U00010000-\\U0010ffff]")


def _char_class(points: Iterable[int]) -> str:
    """The members of a stdlib character class matching the code points (ascending)."""
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _count_traditional(text: str, up_to: int) -> int:
    """How many characters of the text OpenCC converts on their own, counting up to `up_to`."""
    table, pattern = _traditional()
    found = (c for m in pattern.finditer(text) if (c := m.group()) <= "\uffff" or c in table)
    return sum(1 for _ in islice(found, up_to))


def _han_count(text: str) -> int:
    return sum(map(len, _HAN_RUN.findall(text)))


def _diff_positions(a: str, b: str, offset: int = 0) -> list[int]:
    """Where `a` and `b` differ, counted from `offset`."""
    if len(a) != len(b):
        raise ValueError("length-changing conversion")
    return list(compress(range(offset, offset + len(a)), map(operator.ne, a, b)))


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
_OUTSIDE_BMP = re.compile("[\U00010000-\U0010ffff]")


def _script_edits_to_simplified(text: str) -> tuple[str | list[_EditTuple], bool, bool]:
    """The text with its traditional characters converted (or, in rare cases, the edits that
    convert them: a run of adjacent ones as one edit), whether any were, and whether the
    document is traditional."""
    # Fewer than _TRAD_MIN characters that OpenCC converts on their own: neither the document
    # nor any line is traditional (see `_traditional_positions`), and nothing is converted.
    if _count_traditional(text, _TRAD_MIN) < _TRAD_MIN:
        return text, False, False
    converted = converter("t2s").convert(text)
    if converted == text:
        return text, False, False
    if len(converted) == len(text):
        # The common case, found on the whole text at once: every difference is within a line
        # and into the BMP, and the document is traditional. Then all of them are converted.
        a, b, n = _utf32(text), _utf32(converted), len(text)
        flags = _differences(a, b, n)
        mask = (flags << 32) - flags  # all 32 bits of each differing character
        changed, into = _text(a & mask, n), _text(b & mask, n)  # NUL where they agree
        if "\n" not in changed and not _OUTSIDE_BMP.search(into):
            # Counted up to where the count no longer changes the verdict.
            enough = max(_TRAD_MIN, math.ceil(_TRAD_SHARE * n)) + 2
            if _is_traditional_document(_count_traditional(changed, enough), text):
                if "於" not in converted:
                    return converted, True, True
                if "於" not in into:  # 於 only where the text has it
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


# ---------------------------------------------------------------------------------------------


def recover(
    text: str,
    *,
    source: str = "-",
    encoding: str | None = None,
    options: RecoverOptions | None = None,
    script: str | None = None,
) -> Recovered:
    """Recover the official text of a regulation from any copy of it.

    Guarantees:

    - **Audited**: every character of `text` is either kept or covered by exactly one
      `Change` (kind, offset, length, original, replacement, reason);
      ``fagui.model.apply_changes(text, result.changes) == result.text``.
    - **No Han character of the law is dropped**: only chrome lines lose Han characters, and
      only lines that match a chrome rule or stand outside the regulation (above its title,
      below its last provision after a chrome line) are chrome.
    - **Clean text passes through**: a text that shows no pollution comes back unchanged, save
      ``\\r\\n`` line ends made ``\\n``.
    - **Idempotent**: ``recover(recover(x).text).text == recover(x).text``.
    - Never raises on any input string.
    """
    opts = options or RecoverOptions(script=script or "simplified")
    edits = _Edits(text)
    edits.apply(_carriage_return_edits(edits.text))
    spans, result = _noise_spans(edits.text)
    noise = edits.delete(spans, "noise", _noise_reason, result)
    pinyin = edits.apply(_pinyin_edits(edits.text))
    simplified, converted, traditional = _script_edits_to_simplified(edits.text)
    if opts.script != "original":
        if isinstance(simplified, str):
            edits.substitute(simplified, "script", "traditional character", join=True)
        else:
            edits.apply(simplified)
    # Passes that could alter a clean text run only on a document that shows pollution.
    evidence = noise + pinyin + converted
    if evidence:
        edits.apply(_trailing_space_edits(edits.text))
    # Injected spaces are evidence when there are several, or any in a half-width copy: the
    # clean texts that have one or two such spaces write full-width punctuation.
    spaces = 0 if evidence else _count_inner_spaces(edits.text, 3)
    spaces_done = bool(evidence) or spaces >= 3 or (spaces >= 1 and _uses_half_width(edits.text))
    if spaces_done:
        evidence += edits.apply(_inner_space_edits(edits.text))
    wraps = edits.apply(_wrap_edits(edits.text, edits.lines))
    if wraps:  # a symbol that stood at the start of a wrapped line now stands inside one
        spans, result = _noise_spans(edits.text)
        edits.delete(spans, "noise", _noise_reason, result)
    evidence += wraps
    still_traditional = traditional and opts.script == "original"
    evidence += edits.apply(_chrome_edits(edits.text, edits.lines, still_traditional))
    if evidence and not spaces_done:  # chrome or wraps are pollution too
        edits.apply(_inner_space_edits(edits.text))
    if evidence and _uses_half_width(edits.text):
        edits.apply(_punct_edits(edits.text, edits.lines))
    if opts.script == "traditional":
        edits.apply(_script_edits_to_traditional(edits.text))
    if evidence:  # chrome and wraps may leave spaces at line ends
        edits.apply(_trailing_space_edits(edits.text))
    return Recovered(
        text=edits.text,
        source=source,
        original_script="traditional" if traditional else "simplified",
        encoding=encoding,
        changes=Changes(edits.changes),
    )
