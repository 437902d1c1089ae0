"""The edit machinery: the result as the source with some of its segments replaced, and
the changes composed from it when they are read."""

from __future__ import annotations

import bisect
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, compress, islice
from typing import Any, NamedTuple

from fagui.model import Change
from fagui.recover.chars import _NOT_NUL, _ONE_NOT_NUL, _difference_flags

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
    `changes` composes them, when asked, into changes of the source (see `_compose`). The texts
    between the passes are not kept, as a result whose changes are not yet read holds this
    object: `changes` makes them again from the source and the passes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = source
        self.passes: list[list[_EditTuple] | _Substitution | _Deletion] = []

    @functools.cached_property
    def lines(self) -> list[str]:
        """The lines of `text`, without their newlines, for the passes that read them."""
        return self.text.split("\n")

    def apply(self, edits: Iterable[_EditTuple]) -> int:
        """Apply one pass's edits; returns how many there were."""
        edits = list(edits)
        if edits:
            self._record(edits, _applied(self.text, edits))
        return len(edits)

    def delete_found(
        self,
        result: str,
        count: int,
        found: list[tuple[int, int]] | _Find,
        kind: str,
        reason: _Reason,
    ) -> int:
        """Apply a pass that deleted `count` parts of the text, giving `result`: `found` are
        they, (start, end), or gives them from the text before the pass when the changes are
        composed (most callers want the text alone, which the pass can make without them).
        Returns `count`."""
        if count:
            self._record(_Deletion(found, kind, reason), result)
        return count

    def substitute(self, text: str, kind: str, reason: str, *, join: bool) -> None:
        """Apply a pass that replaced characters one for one, giving `text` (as long as the
        current text). Its edits, one a character, or a run of adjacent ones when `join`, are
        found when the changes are composed."""
        if text != self.text:
            self._record(_Substitution(text, kind, reason, join), text)

    def _record(self, edits: list[_EditTuple] | _Substitution | _Deletion, result: str) -> None:
        """A pass made `result` from the text by `edits`."""
        self.passes.append(edits)
        self.text = result
        self.__dict__.pop("lines", None)  # split again when next asked

    def changes(self) -> tuple[Change, ...]:
        """The passes' edits as changes of the source."""
        segs: list[_Seg] = []
        text = self.source
        for made in self.passes:
            edits = made if isinstance(made, list) else made.edits(text)
            segs = _compose(self.source, segs, text, edits)
            text = made.text if isinstance(made, _Substitution) else _applied(text, edits)
        source = self.source
        rows = [
            (kind, a, b - a, original, out, reason)
            for a, b, out, kind, reason, _ in segs
            if (original := source[a:b]) != out
        ]
        return tuple(Change.many(rows))


# Why a pass deleted a span: one reason for all, or one read from the text before the pass and
# the span (start, end) in it.
_Reason = str | Callable[[str, int, int], str]
_Find = Callable[[str], list[tuple[int, int]]]  # the spans a pass deleted, from the text before


class _Deletion(NamedTuple):
    """A pass that deleted parts of the text (see `_Edits.delete_found`)."""

    spans: list[tuple[int, int]] | _Find
    kind: str
    reason: _Reason

    def edits(self, before: str) -> list[_EditTuple]:
        kind, reason = self.kind, self.reason
        spans = self.spans(before) if callable(self.spans) else self.spans
        if isinstance(reason, str):
            return [(s, e, "", kind, reason) for s, e in spans]
        return [(s, e, "", kind, reason(before, s, e)) for s, e in spans]


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


def _applied(text: str, edits: list[_EditTuple]) -> str:
    """The text with its `edits` (sorted, apart) made."""
    pieces: list[str] = []
    p = 0
    for s, e, rep, _, _ in edits:
        pieces += (text[p:s], rep)
        p = e
    pieces.append(text[p:])
    return "".join(pieces)


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


# A part of the text: (start, end), or an edit or anything else that starts so.
_Spanned = Sequence[tuple[Any, ...]]


def _through(places: list[int], deleted: _Spanned) -> list[int]:
    """The `places` (ascending) of a text, in the text without the spans `deleted` (sorted,
    apart; spans or edits); those inside one are dropped."""
    kept: list[int] = []
    k = gone = 0  # the spans that end by a place, and their length
    for p in places:
        while k < len(deleted) and deleted[k][1] <= p:
            gone += deleted[k][1] - deleted[k][0]
            k += 1
        if k == len(deleted) or p < deleted[k][0]:
            kept.append(p - gone)
    return kept


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


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without its `spans` (start, end; sorted and apart), cut all at once."""
    if not spans:
        return text
    starts, ends = zip(*spans, strict=True)
    return "".join(map(text.__getitem__, map(slice, (0, *ends), (*starts, len(text)))))


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end
