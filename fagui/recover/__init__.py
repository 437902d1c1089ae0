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
   spaces (第一条　, 1979年7月1日 第五届, 。 第十条, headings, tables) are kept. In a text
   the script pass left as it was, they were found by the scan that looked for traditional
   characters.
6. **wrap**: hard-wrapped lines rejoined when the document is hard-wrapped; never before a
   new unit (第五条　, （一）) or across page furniture. Then **noise** again, as deleting
   noise or a line end can put a symbol inside a word (after wraps, found with the inner
   spaces of step 7 by one scan).
7. **chrome**: site furniture — navigation, bylines, share bars, previous/next links,
   copyright and ICP lines, ads and watermarks — and the headline above the title. Then
   **space** again after wraps: a space kept at the start or end of a line (a heading's) may
   now stand inside one.
8. **punctuation**: half-width ``, ; : ( ) ? !`` in Chinese context made full-width, when the
   document writes its punctuation half-width.
9. **script**, on request: simplified → traditional (Taiwan standard forms).

Passes that could change a clean text (spaces, punctuation) run only on a document that shows
pollution — noise, glosses, traditional script, chrome, hard wraps, several injected spaces —
which is how a clean official text comes through unchanged.

Modules: `edits` (the edit machinery and the changes), `chars` (shared character classes),
`text` (line ends, noise, glosses, spaces), `chrome`, `layout` (wraps, punctuation),
`script` (OpenCC, and `converter`, the one cache of OpenCC converters).
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, cast

from fagui.errors import OptionsError
from fagui.model import SCRIPTS, Changes, Recovered
from fagui.recover.chrome import _chrome_edits
from fagui.recover.edits import _cut, _Edits, _through
from fagui.recover.layout import (
    _PUNCT_REASON,
    _newline_spans,
    _punct_text,
    _unwrapped,
    _uses_half_width,
)
from fagui.recover.script import (
    _script_edits_to_simplified,
    _script_edits_to_traditional,
    converter,
)
from fagui.recover.text import (
    _carriage_return_edits,
    _count_inner_spaces,
    _gloss_reason_at,
    _gloss_spans,
    _inner_space_edits,
    _inner_spaces_after,
    _noise_and_inner_spaces,
    _noise_reason,
    _noise_spans,
    _space_edits,
    _traditional_and_inner_spaces,
    _trailing_space_edits,
    _without_glosses,
    _without_noise,
)

__all__ = ["RecoverOptions", "converter", "recover", "recover_many"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoverOptions:
    """How to recover. `script`: ``simplified`` (canonical), ``traditional`` or ``original``."""

    script: str = "simplified"

    def __post_init__(self) -> None:
        if self.script not in SCRIPTS:
            raise OptionsError(f"script must be one of {', '.join(SCRIPTS)}, not {self.script!r}")


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
    return _in_step([_passes(text, source, encoding, opts, {})])[0]


class _Copy(Protocol):
    """A decoded copy, as `fagui.sources.SourceText` is one."""

    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def encoding(self) -> str | None: ...


def recover_many(
    copies: Iterable[str | _Copy],
    *,
    options: RecoverOptions | None = None,
    script: str | None = None,
) -> Iterator[Recovered]:
    """`recover` each of `copies` (texts, or sources as `fagui.sources.read_source` gives
    them), in order: the same results, made quicker. The texts are taken in batches of about
    `_BATCH` characters, and each pass runs over every text of a batch before the next pass
    starts, so that a pass's patterns and tables (OpenCC's dictionaries above all) stay in the
    processor's caches: over the corpus, about a tenth quicker than one text after another
    (bench/recover.py). The chrome rules' verdicts on the lines of a batch are kept for its
    other copies, which often come from the same sites (`chrome._chrome_edits`)."""
    opts = options or RecoverOptions(script=script or "simplified")
    batch: list[Generator[None, None, Recovered]] = []
    size = 0
    known: dict[str, str | None] = {}  # the chrome rules' verdicts on the batch's lines
    for copy in copies:
        if isinstance(copy, str):
            text, source, encoding = copy, "-", None
        else:
            text, source, encoding = copy.text, copy.name, copy.encoding
        batch.append(_passes(text, source, encoding, opts, known))
        size += len(text)
        if size >= _BATCH:
            yield from _in_step(batch)
            batch, size, known = [], 0, {}
    yield from _in_step(batch)


_BATCH = 4_000_000  # characters


def _in_step(runs: list[Generator[None, None, Recovered]]) -> list[Recovered]:
    """The results of `_passes` runs, made a pass at a time: each run goes on to its next pass
    once every run has made the one before.

    The garbage collector is held off while they run, as Mercurial's `util.nogc` holds it off
    while it builds large containers: the passes make many small ones (edits, lists of them)
    and no reference cycles, and every few hundred the collector would start, at times going
    through every object of the process (~3.5% of `recover_many`'s time over the benchmark's
    copies). It is left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        results: list[Recovered | None] = [None] * len(runs)
        going = list(enumerate(runs))
        while going:
            still: list[tuple[int, Generator[None, None, Recovered]]] = []
            for i, run in going:
                try:
                    next(run)
                except StopIteration as done:
                    results[i] = done.value
                else:
                    still.append((i, run))
            going = still
    finally:
        if enabled:
            gc.enable()
    return cast(list[Recovered], results)


def _passes(
    text: str,
    source: str,
    encoding: str | None,
    opts: RecoverOptions,
    known: dict[str, str | None],
) -> Generator[None, None, Recovered]:
    """The passes of `recover` over one text, pausing (yield) after each; returns the result.
    Every run pauses as often, whatever it finds, so that runs in step make the same pass.
    `known`: the chrome rules' verdicts on lines, shared by the runs of a batch (see
    `chrome._chrome_edits`)."""
    edits = _Edits(text)
    edits.apply(_carriage_return_edits(edits.text))
    result, count = _without_noise(edits.text)
    noise = edits.delete_found(result, count, _noise_spans, "noise", _noise_reason)
    yield
    result, count = _without_glosses(edits.text)
    pinyin = edits.delete_found(result, count, _gloss_spans, "pinyin", _gloss_reason_at)
    yield
    # The scan that tells whether the text holds traditional characters finds its inner spaces
    # too, which serve below when it holds too few to convert (then it stays as it is).
    convert, inner = _traditional_and_inner_spaces(edits.text)
    simplified, converted, traditional = (
        _script_edits_to_simplified(edits.text) if convert else (edits.text, False, False)
    )
    if opts.script != "original":
        if isinstance(simplified, str):
            edits.substitute(simplified, "script", "traditional character", join=True)
        else:
            edits.apply(simplified)
    yield
    # Passes that could alter a clean text run only on a document that shows pollution.
    evidence = noise + pinyin + converted
    trailing_done = bool(evidence)
    if trailing_done:
        trailing = _trailing_space_edits(edits.text)
        edits.apply(trailing)
        if inner is not None and trailing:
            inner = _inner_spaces_after(edits.text, inner, trailing)
    # Injected spaces are evidence when there are several, or any in a half-width copy: the
    # clean texts that have one or two such spaces write full-width punctuation.
    if evidence:
        spaces = 0
    else:
        spaces = min(3, len(inner)) if inner is not None else _count_inner_spaces(edits.text, 3)
    spaces_done = bool(evidence) or spaces >= 3 or (spaces >= 1 and _uses_half_width(edits.text))
    if spaces_done:
        found = _space_edits(inner) if inner is not None else _inner_space_edits(edits.text)
        evidence += edits.apply(found)
    yield
    # The wrap pass makes the text alone; the newlines it deleted become spans only when the
    # changes are read.
    unwrapped, breaks = _unwrapped(edits.text, edits.lines)
    wraps = edits.delete_found(
        unwrapped,
        len(breaks),
        lambda _: _newline_spans(breaks),
        "wrap",
        "hard line break inside a paragraph",
    )
    yield
    # A symbol that stood at the start of a wrapped line, or beside noise, now stands inside a
    # word: read the noise again. After wraps, the inner spaces are read again too (below), and
    # both are found by one scan of the joined text; those it finds are followed through the
    # noise it deletes, which may leave a space between two Han characters (the lines it cuts
    # are read again: `_inner_spaces_after`), and through chrome, which takes whole lines (the
    # rules read a space's own line alone).
    joined = _noise_and_inner_spaces(edits.text) if wraps else None
    rejoined: list[int] | None = None  # the inner spaces after wraps
    if joined is not None:
        noise_spans, rejoined = joined
        if noise_spans:
            result = _cut(edits.text, noise_spans)
            edits.delete_found(result, len(noise_spans), noise_spans, "noise", _noise_reason)
            rejoined = _inner_spaces_after(edits.text, rejoined, noise_spans)
    elif wraps or noise:
        result, count = _without_noise(edits.text)
        edits.delete_found(result, count, _noise_spans, "noise", _noise_reason)
    evidence += wraps
    yield
    still_traditional = traditional and opts.script == "original"
    chrome = _chrome_edits(edits.text, edits.lines, still_traditional, known)
    evidence += edits.apply(chrome)
    yield
    # Chrome or wraps are pollution too; and a space kept as layout at the start or end of a
    # line (a heading's) may now stand inside a line the wraps joined.
    if rejoined is not None:
        edits.apply(_space_edits(_through(rejoined, chrome)))
    elif evidence and (not spaces_done or wraps):
        edits.apply(_inner_space_edits(edits.text))
    yield
    if evidence and _uses_half_width(edits.text):
        punctuated = _punct_text(edits.text)
        edits.substitute(punctuated, "punctuation", _PUNCT_REASON, join=False)
    if opts.script == "traditional":
        edits.apply(_script_edits_to_traditional(edits.text))
    # Spaces at line ends, unless they were taken before the passes that cannot leave any: an
    # inner space stands before a Han character; a wrap joins lines that end with none; chrome
    # takes whole lines; the second reading of noise takes no run after a space (noise there is
    # noise anywhere, which the first reading took); punctuation and script change characters
    # that are not spaces into others.
    if evidence and not trailing_done:
        edits.apply(_trailing_space_edits(edits.text))
    return Recovered(
        text=edits.text,
        source=source,
        original_script="traditional" if traditional else "simplified",
        encoding=encoding,
        changes=Changes(edits.changes),
    )
