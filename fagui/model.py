"""The data every stage hands to the next: frozen dataclasses that serialise to plain dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Script = Literal["simplified", "traditional", "original"]
SCRIPTS: tuple[str, ...] = ("simplified", "traditional", "original")

#: Kinds of change `recover` records, in the order its passes run.
CHANGE_KINDS: tuple[str, ...] = (
    "chrome",  # site furniture: navigation, share bars, source/author lines, footers, ads
    "noise",  # emoji, exotic symbols, zero-width and control characters
    "pinyin",  # romanisation glosses such as 網(wǎng)
    "space",  # spaces injected inside words, trailing spaces, carriage returns
    "wrap",  # hard line breaks inside a paragraph
    "punctuation",  # half-width punctuation in Chinese context made full-width
    "script",  # traditional characters converted (or the reverse, on request)
)


@dataclass(frozen=True, slots=True)
class Change:
    """One edit: `original` at `offset` (length `length`) of the decoded source became
    `replacement`. Offsets count code points of the decoded source text."""

    kind: str
    offset: int
    length: int
    original: str
    replacement: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Recovered:
    """What `recover` returns: the canonical text and how it was obtained from the source."""

    text: str
    source: str = "-"
    original_script: str = "simplified"
    encoding: str | None = None
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """Number of changes of each kind (kinds with none are left out)."""
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.kind] = out.get(change.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "fagui/1",
            "source": self.source,
            "encoding": self.encoding,
            "original_script": self.original_script,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recovered:
        return cls(
            text=data["text"],
            source=data.get("source", "-"),
            original_script=data.get("original_script", "simplified"),
            encoding=data.get("encoding"),
            changes=tuple(Change.from_dict(c) for c in data.get("changes", [])),
        )


def apply_changes(source: str, changes: tuple[Change, ...] | list[Change]) -> str:
    """Rebuild the recovered text from the decoded source and its changes.

    This is the audit guarantee made executable: every character of the source is either kept
    or accounted for by exactly one change, so applying the changes gives back the output."""
    out: list[str] = []
    pos = 0
    for change in sorted(changes, key=lambda c: (c.offset, c.length)):
        if change.offset < pos:
            raise ValueError(f"overlapping change at {change.offset}")
        out.append(source[pos : change.offset])
        out.append(change.replacement)
        pos = change.offset + change.length
    out.append(source[pos:])
    return "".join(out)
