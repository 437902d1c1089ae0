"""The data every stage hands to the next: frozen dataclasses that serialise to plain dicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, overload

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
        # Its fields are flat: read directly, not through `asdict`'s deep copy (nine times
        # slower; a polluted copy has thousands of changes to report or store).
        return {name: getattr(self, name) for name in _CHANGE_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(**data)

    @classmethod
    def many(cls, rows: Iterable[tuple[str, int, int, str, str, str]]) -> list[Change]:
        """Changes made from rows of their fields, in order: what the constructor makes, made
        quicker (recover makes a change for every edit) by setting the slots directly rather
        than through the frozen dataclass's checks."""
        new = object.__new__
        kind, offset, length, original, replacement, reason = (
            getattr(cls, f.name).__set__ for f in fields(cls)
        )
        made = []
        for k, o, n, orig, rep, why in rows:
            change = new(cls)
            kind(change, k)
            offset(change, o)
            length(change, n)
            original(change, orig)
            replacement(change, rep)
            reason(change, why)
            made.append(change)
        return made


_CHANGE_FIELDS = tuple(f.name for f in fields(Change))


class Changes(Sequence[Change]):
    """The changes of a recovery, made when first read.

    `recover` keeps what each of its passes did in a compact form and composes it into
    `Change` objects only when they are asked for (most callers want the text alone). Reading
    the changes in any way — iterating, indexing, comparing, `len` — makes them all; they are
    then kept. A `Changes` equals the tuple of the same changes."""

    __slots__ = ("_items", "_make")

    def __init__(self, items: Callable[[], tuple[Change, ...]] | Iterable[Change]) -> None:
        self._make: Callable[[], tuple[Change, ...]] | None = None
        self._items: tuple[Change, ...] | None = None
        if callable(items):
            self._make = items
        else:
            self._items = tuple(items)

    def _all(self) -> tuple[Change, ...]:
        if self._items is None:
            assert self._make is not None
            self._items, self._make = self._make(), None
        return self._items

    @overload
    def __getitem__(self, index: int) -> Change: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Change, ...]: ...
    def __getitem__(self, index: int | slice) -> Change | tuple[Change, ...]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Change]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Changes):
            other = other._all()
        return isinstance(other, tuple) and self._all() == other

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"Changes({self._all()!r})"

    def __reduce__(self) -> tuple[type[Changes], tuple[tuple[Change, ...]]]:
        return (Changes, (self._all(),))


@dataclass(frozen=True, slots=True)
class Recovered:
    """What `recover` returns: the canonical text and how it was obtained from the source.
    `changes` is a sequence of `Change` (a tuple, or `Changes`, which makes them when read)."""

    text: str
    source: str = "-"
    original_script: str = "simplified"
    encoding: str | None = None
    changes: Sequence[Change] = field(default_factory=tuple)

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


def apply_changes(source: str, changes: Sequence[Change]) -> str:
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


# ---------------------------------------------------------------------------------------------
# The parsed regulation.

#: Node types, outermost first. `block` is any line the parser did not recognise.
NODE_TYPES: tuple[str, ...] = (
    "preamble",  # 序言
    "toc",  # 目录 (kept as text, not mistaken for the body)
    "part",  # 编
    "subpart",  # 分编
    "chapter",  # 章
    "section",  # 节
    "division",  # 一、总则 (judicial interpretations), 第一部分
    "article",  # 条
    "paragraph",  # 款
    "item",  # 项 （一）
    "subitem",  # 目 1. （1）
    "attachment",  # 附件, 附表
    "block",  # an unrecognised line
)


@dataclass(frozen=True, slots=True)
class Node:
    """One provision or division. `text` is the node's own text (for an article without
    paragraphs, its whole text; for a heading, empty); `label` is how the text names it
    (第十条, （一）); `heading` is a division's name (总则)."""

    type: str
    eid: str = ""
    num: str | None = None
    label: str = ""
    heading: str = ""
    text: str = ""
    children: tuple[Node, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "eid": self.eid}
        if self.num is not None:
            out["num"] = self.num
        if self.label:
            out["label"] = self.label
        if self.heading:
            out["heading"] = self.heading
        out["text"] = self.text
        out["children"] = [child.to_dict() for child in self.children]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Node:
        return cls(
            type=data["type"],
            eid=data.get("eid", ""),
            num=data.get("num"),
            label=data.get("label", ""),
            heading=data.get("heading", ""),
            text=data.get("text", ""),
            children=tuple(cls.from_dict(c) for c in data.get("children", ())),
        )

    def full_text(self) -> str:
        """The node's text followed by its descendants' texts, in order, one per line; items
        and subitems with their labels, as the text writes them (（一）…)."""
        return "\n".join(line for _, line in self.lines())

    def lines(self) -> Iterator[tuple[Node, str]]:
        """The lines of `full_text`, each with the node whose text it is."""
        own = self.label + self.text if self.type in ("item", "subitem") else self.text
        if own:
            yield self, own
        for child in self.children:
            yield from child.lines()

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Issuer:
    name: str
    role: str  # adopted, approved, published, issued

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed regulation: metadata and the body tree."""

    title: str
    body: tuple[Node, ...] = ()
    source: str = "-"
    doc_type: str | None = None
    subtitle: str = ""  # a part title such as 第四编 人格权 under 中华人民共和国民法典
    number: str | None = None  # 国务院令第306号, 法释〔2021〕1号
    dates: dict[str, Any] = field(default_factory=dict)
    issuers: tuple[Issuer, ...] = ()
    history: tuple[str, ...] = ()  # the lines that give the dates, as written
    frbr_work: str = ""
    frbr_expression: str = ""
    problems: tuple[str, ...] = ()  # numbering gaps and repeats, found and reported

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "fagui/1",
            "source": self.source,
            "title": self.title,
            "subtitle": self.subtitle,
            "doc_type": self.doc_type,
            "number": self.number,
            "dates": self.dates,
            "issuers": [i.to_dict() for i in self.issuers],
            "history": list(self.history),
            "frbr": {"work": self.frbr_work, "expression": self.frbr_expression},
            "problems": list(self.problems),
            "body": [node.to_dict() for node in self.body],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        frbr = data.get("frbr", {})
        return cls(
            title=data["title"],
            body=tuple(Node.from_dict(n) for n in data.get("body", ())),
            source=data.get("source", "-"),
            doc_type=data.get("doc_type"),
            subtitle=data.get("subtitle", ""),
            number=data.get("number"),
            dates=dict(data.get("dates", {})),
            issuers=tuple(Issuer(**i) for i in data.get("issuers", ())),
            history=tuple(data.get("history", ())),
            frbr_work=frbr.get("work", ""),
            frbr_expression=frbr.get("expression", ""),
            problems=tuple(data.get("problems", ())),
        )

    def walk(self) -> Iterator[Node]:
        for node in self.body:
            yield from node.walk()

    def articles(self) -> list[Node]:
        return [node for node in self.walk() if node.type == "article"]
