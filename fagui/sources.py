"""Sources: bytes → Unicode text, the first stage of the pipeline. Guarantees:

* `read_source` and `load` return a `SourceText` or raise `SourceError(name, reason)` with a short
  human reason; never None, never a library's own exception.
* Plain text is kept exactly as decoded (line endings and spaces included), so later stages can
  report offsets into it. HTML and DOCX become plain text first: one line per block/paragraph.
* Size is checked before reading (`os.stat` for paths); at most `max_bytes + 1` bytes are read.
* Decoding is strict: a byte-order mark; else UTF-8; else UTF-16 when NUL bytes say so; else the
  codecs charset-normalizer proposes, where GB18030 or Big5 wins, by the `_score` of its
  decoding, whenever the result is mostly Chinese (the detector's Japanese, Korean or Western
  guesses for short Chinese texts are not taken). No replacement characters, ever.
* Binary input (NUL bytes that are not UTF-16, or a known magic number) is refused as such.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO

import charset_normalizer
import regex
from charset_normalizer.constant import FREQUENCIES
from selectolax.lexbor import LexborHTMLParser, LexborNode

from fagui.errors import SourceError

__all__ = ["MAX_BYTES", "SourceText", "decode_bytes", "docx_to_text", "html_to_text", "load",
    "read_bytes",
           "read_source"]  # fmt: skip

MAX_BYTES = 16 * 1024 * 1024  # sources larger than this are refused
_OS_REASONS = {FileNotFoundError: "no such file", NotADirectoryError: "no such file",
               PermissionError: "permission denied"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded source: its `name` as given ("-" for stdin), its text, and how it was read."""

    name: str
    text: str
    encoding: str  # "utf_8", "utf_8_sig", "utf_16", "gb18030", "big5", ...; "docx" for DOCX
    format: str  # "text" | "html" | "docx"


# ---- Reading -----------------------------------------------------------------------------------
def read_source(
    source: str | os.PathLike[str], *, stdin: BinaryIO | None = None, max_bytes: int = MAX_BYTES
) -> SourceText:
    """Read a path, or all of `stdin` (default: the process's) when `source` is "-"."""
    name = os.fspath(source)
    return load(read_bytes(name, stdin=stdin, max_bytes=max_bytes), name, max_bytes=max_bytes)


def read_bytes(
    source: str | os.PathLike[str], *, stdin: BinaryIO | None = None, max_bytes: int = MAX_BYTES
) -> bytes:
    """The bytes of a path or of `stdin`, after the checks every source gets (exists, not a
    directory, not too large); raises SourceError naming the source and the reason."""
    name = os.fspath(source)
    try:
        if name == "-":
            stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise SourceError(name, "no standard input")
            data = stream.read(max_bytes + 1)
        else:
            info = os.stat(name)
            if stat.S_ISDIR(info.st_mode):
                raise SourceError(name, "is a directory")
            if info.st_size > max_bytes:
                raise SourceError(name, f"too large: {_mb(info.st_size)}, limit {_mb(max_bytes)}")
            with open(name, "rb") as file:
                data = file.read(max_bytes + 1)  # not a regular file, or it grew meanwhile
    except OSError as exc:
        reason = _OS_REASONS.get(type(exc), f"cannot read: {exc.strerror or exc}")
        raise SourceError(name, reason) from exc
    if len(data) > max_bytes:
        raise SourceError(name, f"too large: more than the limit of {_mb(max_bytes)}")
    return data


def load(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> SourceText:
    """Decode bytes already read; the format comes from `name`'s suffix and from the content."""
    if len(data) > max_bytes:
        raise SourceError(name, f"too large: {_mb(len(data))}, limit {_mb(max_bytes)}")
    if not data:
        raise SourceError(name, "empty")
    suffix = PurePath(name).suffix.lower()
    members = _zip_members(data) if suffix == ".docx" or data.startswith(b"PK\x03\x04") else None
    if members is not None and "word/document.xml" in members:
        if sum(members.values()) > 8 * max_bytes:  # a zip bomb, or a DOCX far too large
            raise SourceError(name, f"too large: DOCX expands beyond {_mb(8 * max_bytes)}")
        text, encoding, form = docx_to_text(data, name), "docx", "docx"
    elif suffix == ".docx":
        raise SourceError(name, "not a valid DOCX")
    else:
        text, encoding = decode_bytes(data, name)
        head = text[:1024].lstrip("\ufeff \t\r\n").lower()
        html = suffix in (".html", ".htm", ".xhtml") or head.startswith(("<!doctype html", "<html"))
        form = "html" if html else "markdown" if suffix in (".md", ".markdown") else "text"
        if form == "html":
            text = html_to_text(text)
        elif form == "markdown":
            text = markdown_to_text(text)
    if form != "text" and not text.strip():
        raise SourceError(name, f"no text found in the {form.upper()}")
    return SourceText(name, text, encoding, form)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100_000 else f"{size} bytes"


def _zip_members(data: bytes) -> dict[str, int] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


# ---- Decoding ----------------------------------------------------------------------------------
_UNDECODABLE = "cannot decode: not UTF-8, UTF-16, GB18030 or Big5"
_BOMS = ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"),  # before UTF-16's
         (codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"),
         (codecs.BOM_UTF16_BE, "utf_16"))  # fmt: skip
_MAGIC = {b"%PDF-": "PDF is not supported yet", b"\x89PNG\r\n\x1a\n": "PNG image",
          b"\xff\xd8\xff": "JPEG image", b"GIF87a": "GIF image", b"GIF89a": "GIF image",
          b"\x7fELF": "ELF executable", b"\x1f\x8b": "gzip archive", b"PK\x03\x04": "zip archive",
          b"PK\x05\x06": "zip archive", b"Rar!\x1a\x07": "RAR archive",
          b"7z\xbc\xaf'\x1c": "7z archive",
          b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "legacy Office file; save it as .docx"}  # fmt: skip
#: Codecs that can carry Chinese text; the names charset-normalizer uses for their subsets.
_CHINESE = ("gb18030", "big5", "cp950", "big5hkscs")
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030"}
_SAMPLE = 100_000  # characters scored per candidate decoding

# What a Chinese text is made of: unified ideographs and CJK, full-width and general punctuation.
_GOOD = regex.compile(
    r"(?V1)[\p{CJK_Unified_Ideographs}\p{CJK_Symbols_and_Punctuation}\p{General_Punctuation}"
    r"[\p{Halfwidth_and_Fullwidth_Forms}--\p{Katakana}--\p{Hangul}]]"
)
# What a wrong decoding of Chinese bytes produces: kana, hangul, bopomofo, rare ideographs ...
_ODD = regex.compile(
    r"(?V1)[\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}\p{Greek}\p{Cyrillic}\p{Box_Drawing}"
    r"\p{CJK_Compatibility_Forms}\p{Small_Form_Variants}[\p{Han}--\p{CJK_Unified_Ideographs}]]"
)
# ... and private-use, unassigned or control characters, or the replacement character.
_BAD = regex.compile(r"[\p{Co}\p{Cn}\p{Cs}\ufffd[\p{Cc}--\s]]", regex.V1)
# The most frequent Chinese characters, as charset-normalizer's language model knows them.
_COMMON = regex.compile("[" + "".join(FREQUENCIES["Chinese"]) + "]")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
# Latin text misread as Chinese: an accented letter and the next one make an ideograph, which
# ends up next to a Latin letter (Stra遝, M黱chen); in Chinese text that is rare.
_IN_LATIN_WORD = regex.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode `data` to text; return it with the codec's name. See the module docstring."""
    if not data:
        raise SourceError(name, "empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                if encoding != "utf_32":  # (FF FE 00 00 can also be UTF-16 with a NUL)
                    raise SourceError(name, f"{_UNDECODABLE} (invalid {encoding})") from exc
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            reason = kind if kind.startswith("PDF") else f"binary file, not text ({kind})"
            raise SourceError(name, reason)
    if b"\x00" in data:
        found = _utf16_by_nuls(data)
        if found is None:
            raise SourceError(name, "binary file, not text (NUL bytes)")
        return found
    try:
        return data.decode("utf_8"), "utf_8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    found = _detect_legacy(data)
    if found is None:
        raise SourceError(name, f"{_UNDECODABLE} (first invalid UTF-8 byte at {utf8_error})")
    return found


def _utf16_by_nuls(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM (ASCII puts a NUL in every other byte, and so does 一 in the other
    half): the strict, clean byte order with the better `_score` plus ASCII, or the NULs' order."""
    if len(data) % 2:
        return None
    nul_high = data[1:65536:2].count(0) - data[0:65536:2].count(0)  # > 0: little-endian
    found: list[tuple[int, int, str, str]] = []
    for encoding, sign in (("utf_16_le", 1), ("utf_16_be", -1)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        if "\x00" not in text and len(_BAD.findall(sample)) <= len(sample) / 100:
            ascii_ = len(sample) - len(_NON_ASCII.findall(sample))
            found.append((_score(sample)[1] + ascii_, sign * nul_high, text, encoding))
    return max(found)[2:] if found else None


def _detect_legacy(data: bytes) -> tuple[str, str] | None:
    """The best-scored Chinese codec whose strict decoding is mostly Chinese (ties: the earlier in
    `_CHINESE`); else charset-normalizer's first clean proposal; else mostly Chinese UTF-16."""
    proposed = [_ALIASES.get(m.encoding, m.encoding) for m in charset_normalizer.from_bytes(data)]
    decoded: dict[str, str] = {}
    for encoding in dict.fromkeys([*_CHINESE, *proposed, "utf_16_le", "utf_16_be"]):
        try:
            decoded[encoding] = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    scored = [(*_score(decoded[e]), -_CHINESE.index(e), e) for e in _CHINESE if e in decoded]
    if chinese := [entry for entry in scored if entry[0] and entry[1] > 0]:  # mostly Chinese
        best = max(chinese)[-1]
        return decoded[best], best
    # UTF-16 comes last and has to read as Chinese: Latin text "decodes" as UTF-16, too.
    for encoding in dict.fromkeys([*proposed, "utf_16_le", "utf_16_be"]):
        text = decoded.get(encoding, "\ufffd")
        if not _BAD.search(text[:_SAMPLE]) and (encoding[:6] != "utf_16" or _score(text)[0]):
            return text, encoding
    return None


def _score(text: str) -> tuple[bool, int]:
    """(Mostly Chinese?, score): +1 per Chinese character or punctuation and per very common one,
    -1 per kana, hangul, rare ideograph and the like, -3 per private-use/unassigned/control."""
    sample = text[:_SAMPLE]
    good, common = len(_GOOD.findall(sample)), len(_COMMON.findall(sample))
    score = good + common - len(_ODD.findall(sample)) - 3 * len(_BAD.findall(sample))
    non_ascii, in_latin = len(_NON_ASCII.findall(sample)), len(_IN_LATIN_WORD.findall(sample))
    return 2 * good > non_ascii and 2 * in_latin <= non_ascii, score


# ---- HTML --------------------------------------------------------------------------------------
# Never content; removed with everything inside.
_NEVER_TEXT = ["head", "title", "script", "style", "noscript", "template", "svg", "iframe",
               "object", "embed", "canvas", "button", "select", "textarea"]  # fmt: skip
# Page furniture, removed unless it holds most of the page's Han characters.
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form")
_CHROME_NAME = regex.compile(  # a word of a class or id: ad, topnav, navbar, bdsharebuttonbox ...
    r"ads?|adv|nav.*|.*nav|.*(menu|crumb|footer|share|sidebar|comment|advert|copyright).*"
)
_CONTENT_NAME = regex.compile(r"content|article|zoom|trs_editor", regex.IGNORECASE)
_BLOCKS = frozenset("""address article aside blockquote body caption center dd details dialog div
    dl dt fieldset figcaption figure h1 h2 h3 h4 h5 h6 hr legend li main ol p pre section summary
    table tbody td tfoot th thead tr ul""".split())  # fmt: skip  # noqa: SIM905
# Inside a table cell, these make the row a layout row rather than a row of data.
_CELL_BLOCKS = ",".join(sorted(_BLOCKS - {"td", "th", "tr", "tbody", "thead", "tfoot"} | {"br"}))
_HAN = regex.compile(r"\p{Han}+")
_HTML_SPACE = regex.compile(r"[ \t\n\r\f]+")
_SPACE, _BREAK = "\ufdd0", "\ufdd1"  # collapsible white space, without and with a line break
_MARKS = regex.compile(f"[{_SPACE}{_BREAK}]+")
_WIDE = regex.compile(r"[\p{ea=W}\p{ea=F}]")
_TRAILING_SPACE = regex.compile(r"[^\S\n]+$", regex.MULTILINE)


_FRONT_MATTER = re.compile(r"\A\ufeff?---\n.*?\n---\n", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+", re.M)


def markdown_to_text(markdown: str) -> str:
    """The text of a Markdown copy: front matter, HTML comments and heading marks dropped,
    every other character kept (a law's Markdown is its text with `#` before headings)."""
    text = _COMMENT.sub("", _FRONT_MATTER.sub("", markdown))
    return _HEADING_MARK.sub("", text)


def html_to_text(html: str) -> str:
    """The main content of an HTML page as text: a line per block, table rows as tab-separated
    cells, inline text joined as is; head, scripts and chrome (nav, share bar, footer) left out."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(_NEVER_TEXT)
    body = tree.body
    if body is None:
        return ""
    for node in _chrome_nodes(body, _han(body)):
        node.decompose()
    root = _main_content(body, _han(body))
    text = _render(root)
    if root is not body and root.css_first("h1") is None:
        headlines = [h for h in body.css("h1") if root.mem_id not in _ancestor_ids(h)]
        if len(headlines) == 1:  # the article's headline, kept above its body
            text = _render(headlines[0]).rstrip("\n") + "\n" + text
    return _tidy(text)


def _han(node: LexborNode) -> int:
    return sum(map(len, _HAN.findall(node.text())))


def _ancestor_ids(node: LexborNode) -> set[int]:
    ids, parent = set(), node.parent
    while parent is not None:
        ids.add(parent.mem_id)
        parent = parent.parent
    return ids


def _chrome_nodes(body: LexborNode, total: int) -> list[LexborNode]:
    """Outermost chrome elements (so none contains another) not holding most of the Han."""
    found: list[LexborNode] = []
    ids: set[int] = set()
    for node in body.css("nav, header, footer, aside, form, [class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        words = regex.split(r"[^a-z0-9]+", names.lower())
        if node.tag not in _CHROME_TAGS and not any(map(_CHROME_NAME.fullmatch, words)):
            continue
        own_header = node.tag == "header" and node.css_matches("article header, main header")
        if not (own_header or ids & _ancestor_ids(node) or 2 * _han(node) > total):
            found.append(node)  # (an article's own header holds its title: it stays)
            ids.add(node.mem_id)
    return found


def _main_content(body: LexborNode, total: int) -> LexborNode:
    """The innermost article/main/content element holding most of the page's Han characters."""
    best, best_han = body, total
    for node in body.css("article, main, [class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag in ("article", "main") or _CONTENT_NAME.search(names):
            han = _han(node)
            if 2 * han > total and han <= best_han:
                best, best_han = node, han
    return best


def _render(root: LexborNode) -> str:
    """Text and line breaks of a subtree, white space marked for `_tidy`; no recursion (depth)."""
    out: list[str] = []

    def newline() -> None:
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    stack: list[tuple[LexborNode, bool, bool]] = [(root, False, False)]  # node, closing, in <pre>
    while stack:
        node, closing, pre = stack.pop()
        tag = node.tag or ""
        cells = [cell for cell in node.iter() if cell.tag in ("td", "th")] if tag == "tr" else []
        if closing:
            newline()
        elif tag == "-text":
            text = node.text_content or ""
            text = text if pre else _mark(text)
            if (out and not out[-1].endswith("\n")) or text.strip(_SPACE + _BREAK):
                out.append(text)  # (white space that starts a line is dropped right away)
        elif tag == "br":
            out.append("\n")
        elif cells and not any(cell.css_first(_CELL_BLOCKS) for cell in cells):
            newline()  # a row of data; a layout row (cells holding paragraphs) is walked as blocks
            out.append("\t".join(_tidy(_mark(cell.text())).strip() for cell in cells))
            newline()
        elif not tag.startswith(("-", "_")):
            if tag in _BLOCKS:
                newline()
                stack.append((node, True, pre))
            children = list(node.iter(include_text=True))
            stack.extend((child, False, pre or tag == "pre") for child in reversed(children))
    return "".join(out)


def _mark(text: str) -> str:
    return _HTML_SPACE.sub(lambda m: _BREAK if "\n" in m[0] or "\r" in m[0] else _SPACE, text)


def _tidy(text: str) -> str:
    """White space as CSS renders it (none at line edges or for a source line break between wide
    characters, else one space); no trailing spaces; blank lines collapsed; a final newline."""

    def space(m: regex.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else "\n"
        after = text[m.end()] if m.end() < len(text) else "\n"
        if "\n" in (before, after):
            return ""
        return "" if _BREAK in m[0] and _WIDE.match(before) and _WIDE.match(after) else " "

    text = _TRAILING_SPACE.sub("", _MARKS.sub(space, text))
    text = regex.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


# ---- DOCX --------------------------------------------------------------------------------------
def docx_to_text(data: bytes, name: str) -> str:
    """Paragraphs and table rows (cells joined by a tab) of a DOCX body, in document order."""
    try:
        import docx  # imported here: python-docx loads lxml, which plain-text users never need

        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document.element.body, document))
    except Exception as exc:  # python-docx raises zip, XML, key and value errors alike
        raise SourceError(name, "not a valid DOCX") from exc
    return "\n".join(lines) + "\n" if lines else ""


def _docx_lines(container: Any, parent: Any) -> Iterator[str]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent).text
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                cells = row.iterchildren(qn("w:tc"))  # raw cells: a merged cell comes once
                yield "\t".join(" ".join(_docx_lines(c, parent)).strip() for c in cells)
        elif child.tag == qn("w:sdt"):  # content control: its paragraphs are in sdtContent
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_lines(content, parent)
