"""fagui.sources: bytes → text. Real law texts (the seed copy, the shared corpus) in every
encoding a user's copy comes in, real page and document shapes, and every way a source can be
unusable, each of which must give a `SourceError` naming the source and the reason."""

from __future__ import annotations

import gzip
import html
import io
import os
import re
import sys
import zipfile
from pathlib import Path

import docx
import opencc
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fagui import sources
from fagui.errors import SourceError
from fagui.sources import MAX_BYTES, SourceText, decode_bytes, html_to_text, load, read_source

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "000_668aba0204edbbb9.txt"
CORPUS = REPO.parent / "shared" / "corpus" / "lawrefbook"
UNDECODABLE = "cannot decode: not UTF-8, UTF-16, GB18030 or Big5"
BINARY = "binary file, not text"


def seed() -> str:
    return SEED.read_text(encoding="utf-8")


def law(path: Path) -> tuple[str, list[str]]:
    """A corpus law's title and its non-blank body lines, Markdown heading marks removed."""
    head, _, body = path.read_text(encoding="utf-8").partition("<!-- INFO END -->")
    title = next(line[2:].strip() for line in head.splitlines() if line.startswith("# "))
    lines = [line.lstrip("#").strip() for line in body.splitlines() if line.strip()]
    return title, lines


@pytest.fixture(scope="module")
def laws() -> list[Path]:
    """Every 30th law of the corpus (28 laws, all branches of law), in a fixed order."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    files = sorted(p for p in CORPUS.rglob("*.md") if p.name != "法律法规模版.md")
    return files[::30]


_S2T = (opencc.OpenCC("s2t"), opencc.OpenCC("s2tw"))


def big5_text(simplified: str) -> str | None:
    """The traditional text (OpenCC s2t, else s2tw: Big5 lacks 爲/衆/着) if Big5 can encode it."""
    for converter in _S2T:
        text = converter.convert(simplified)
        try:
            text.encode("big5")
        except UnicodeEncodeError:
            continue
        return text
    return None


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- Plain text in every encoding ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf_8", "utf_8"),
        ("utf_8_sig", "utf_8_sig"),
        ("utf_16", "utf_16"),  # with a BOM
        ("utf_16_le", "utf_16_le"),  # without one
        ("utf_16_be", "utf_16_be"),
        ("utf_32", "utf_32"),
        ("gb18030", "gb18030"),
    ],
)
def test_seed_copy_comes_back_exactly(tmp_path: Path, codec: str, reported: str) -> None:
    text = seed()  # traditional, with emoji (some newer than Python's Unicode tables)
    path = write(tmp_path, "copy.txt", text.encode(codec))
    assert read_source(path) == SourceText(str(path), text, reported, "text")


@pytest.mark.parametrize("codec", ["utf_8", "utf_8_sig", "utf_16", "utf_16_be", "gb18030"])
def test_line_endings_and_spaces_are_kept(codec: str) -> None:
    text = "  " + seed().replace("\n", "\r\n")[:2000] + "\r末行\r  尾随空格  \t"
    assert decode_bytes(text.encode(codec), "x") == (text, codec)


@pytest.mark.corpus
@pytest.mark.parametrize("codec", ["gb18030", "big5", "utf_16_le", "utf_16_be"])
def test_corpus_laws_decode_exactly(laws: list[Path], codec: str) -> None:
    """Whole laws, a 30-character snippet and one article line of each, in simplified Chinese
    (GB18030, UTF-16 without BOM) or traditional (Big5, when it can encode the conversion)."""
    wrong, tried = [], 0
    for path in laws:
        _, lines = law(path)
        body = "\n\n".join(lines) + "\n"
        middle = len(body) // 2
        article = next(
            (line for line in lines if re.match(r"第[一二三四五六七八九十百]+条", line)), ""
        )
        for text in (body, body[middle : middle + 30], article):
            text = big5_text(text) if codec == "big5" else text
            if not text or text.isascii():  # (a law whose body is still empty)
                continue
            tried += 1
            got = decode_bytes(text.encode(codec), path.name)
            if got != (text, codec):
                wrong.append(f"{path.name} {text[:30]!r} → {got[1]} {got[0][:30]!r}")
    assert tried >= 2 * len(laws)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("text", "codec"),
    [  # snippets of the corpus that charset-normalizer alone reads as Korean or Japanese
        ("。产权受让方应当", "gb18030"),
        ("法院院长负责本院", "gb18030"),
        ("经济社会信息化健康发展，", "gb18030"),
        ("的审判人员由院长、副院长", "gb18030"),
        ("第一百五十四条、", "gb18030"),
        ("店铺客服赵某微信转账12000元。201", "gb18030"),
        ("信活動，擾亂社會", "big5"),
        ("《北京市社會治安綜合治理", "big5"),
        ("議決定是否提請常務委員會", "big5"),
        ("括輕傷一級和輕傷二級。\n\n### 輕微傷", "big5"),
    ],
)
def test_short_chinese_snippets(text: str, codec: str) -> None:
    assert decode_bytes(text.encode(codec), "x") == (text, codec)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Le café est très bon. Où est la gare ? À bientôt, crème brûlée.", "cp1252"),
        ("Сведения о государственной регистрации закона.", "cp1251"),
    ],
)
def test_other_legacy_text_is_not_taken_for_chinese(text: str, codec: str) -> None:
    got, _ = decode_bytes(text.encode(codec), "x")
    assert got == text


# ---- HTML ---------------------------------------------------------------------------------------


def mirror_page(title: str, lines: list[str]) -> tuple[str, list[str]]:
    """A spam mirror's page around a law, and the lines the law should come out as. Articles get
    their label in <strong> and a &nbsp; after it; quotes become &ldquo;/&rdquo;; one long
    paragraph is broken across source lines between two Chinese characters, as CMSs do."""
    paras, expected = [], [title]
    for i, line in enumerate(lines):
        line = re.sub(r"[ \t]+", " ", line)
        body = html.escape(line, quote=False).replace("“", "&ldquo;").replace("”", "&rdquo;")
        if label := re.match(r"(第[一二三四五六七八九十百千零]+条) ", body):
            body = f"<strong>{label[1]}</strong>&nbsp;{body[label.end() :]}"
            line = line.replace(" ", "\xa0", 1)
        if i == len(lines) // 2 and re.match(r"[\u4e00-\u9fff]{2}", body[20:22]):
            body = body[:21] + "\n        " + body[21:]  # the CMS wrapped the source here
        paras.append(f"<p>{body}</p>")
        expected.append(line)
    paras.insert(
        1, "<table><tr><th>项目</th><th>金额</th></tr><tr><td>罚款</td><td>100元</td></tr></table>"
    )
    expected[2:2] = ["项目\t金额", "罚款\t100元"]
    body = "\n".join(paras)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="gbk"><title>{html.escape(title)} - 法律法规网</title>
<meta name="keywords" content="法律,法规"><link rel="stylesheet" href="/s.css">
<style>.nav li {{ display: inline }} body {{ font-family: "微软雅黑" }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码");</script></head>
<body>
<div class="header"><a href="/">法律法规网首页</a>
  <ul class="top-nav"><li><a href="/flfg/">法律法规</a></li>
    <li><a href="/sfjs/">司法解释</a></li></ul>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt;
  <a href="/flfg/">法律法规</a> &gt; 正文</div>
<div class="main">
  <div class="article">
    <h1 class="title">{html.escape(title)}</h1>
    <div class="info">发布时间：2024-03-02 来源：新华社 浏览次数：1024</div>
    <div class="bdsharebuttonbox"><a class="bds_weixin">分享到微信</a><a>新浪微博</a></div>
    <div class="content" id="zoom">
{body}
    </div>
    <div class="prev-next">上一篇：<a href="/1.html">某某条例</a></div>
    <div id="comments"><h3>网友评论</h3><p>暂无评论，快来抢沙发</p></div>
  </div>
  <div class="sidebar"><h3>热门法规</h3>
    <ul><li><a href="/2.html">中华人民共和国民法典</a></li></ul></div>
</div>
<div id="footer"><p>版权所有 &copy; 2010-2024 法律法规网 Copyright</p>
  <p>京ICP备12345678号-1</p></div>
<script>document.write('<span>访问统计</span>');</script>
</body></html>
"""
    return page, expected


CHROME = ("统计代码", "首页", "当前位置", "司法解释", "分享到", "上一篇", "网友评论", "热门法规",
          "版权所有", "ICP", "访问统计", "发布时间", "法律法规网")  # fmt: skip


@pytest.mark.corpus
def test_mirror_page_gives_the_law_and_no_chrome(laws: list[Path], tmp_path: Path) -> None:
    for path in laws[:10]:
        title, lines = law(path)
        if len(lines) < 5:  # a law whose body is still empty: no main content to find
            continue
        page, expected = mirror_page(title, lines)
        try:
            data = page.encode("gb18030")
        except UnicodeEncodeError:
            continue
        source = read_source(write(tmp_path, "law.html", data))
        assert (source.format, source.encoding) == ("html", "gb18030")
        assert source.text.split("\n") == [*expected, ""], path.name
        leaked = [word for word in CHROME if word in source.text and word not in "\n".join(lines)]
        assert not leaked, path.name


def test_html_is_sniffed_from_content() -> None:
    page = "\ufeff \n<!doctype HTML><html><body><p>第一条 内容。</p></body></html>"
    for name in ("-", "upload", "page.txt"):
        assert load(page.encode("utf-8"), name) == SourceText(
            name, "第一条 内容。\n", "utf_8_sig", "html"
        )
    assert load(b"<p>a</p>", "a.htm").format == "html"
    assert load(b"<p>a</p>", "a.md").text == "<p>a</p>"  # a fragment in a text file stays text


def test_inline_elements_and_entities() -> None:
    page = (
        '<p>第一条&nbsp;为了<span class="x">保护</span><b>环境</b>，<a href="#">根据</a>'
        "&ldquo;宪法&rdquo;&amp;<strong>法律</strong>，制定本法。</p><p>第二条&#x3000;同上。</p>"
    )
    assert (
        html_to_text(page)
        == "第一条\xa0为了保护环境，根据“宪法”&法律，制定本法。\n第二条\u3000同上。\n"
    )


def test_white_space_is_rendered_as_a_browser_does() -> None:
    page = """<div>
        <p>第一条　为了保护
           环境，Chinese  and
           English,  制定本法。   </p>
        <p>a <b> b </b> c</p><pre>  preformatted
   text</pre>
    </div>"""
    assert html_to_text(page) == (
        "第一条　为了保护环境，Chinese and English, 制定本法。\na b c\n  preformatted\n   text\n"
    )


def test_br_lines_and_blank_lines() -> None:
    page = "<p>第一款<br>第二款<br><br><br>第三款</p><p>&nbsp;</p><p></p><p>第四款</p>"
    assert html_to_text(page) == "第一款\n第二款\n\n第三款\n\n第四款\n"


def test_tables_data_rows_and_layout_rows() -> None:
    page = """<table><tr><td><p>第一条 正文在排版用的表格里。</p><p>第二条 另一段。</p></td>
    <td><table><tr><th>违法行为</th><th>罚款</th></tr><tr><td>超速</td><td>200 元</td></tr>
    </table></td></tr></table>"""
    assert html_to_text(page) == (
        "第一条 正文在排版用的表格里。\n第二条 另一段。\n违法行为\t罚款\n超速\t200 元\n"
    )


def test_main_content_survives_chrome_rules() -> None:
    law_text = "".join(
        f"<p>第{n}条 本条规定了很多很多的内容，足以占据页面的大部分文字。</p>" for n in "一二三"
    )
    page = f"""<form id="form1"><nav>首页 法律</nav><div id="menu-wrap"><div class="content">
    {law_text}</div></div><aside>推荐阅读</aside><footer>版权所有</footer></form>"""
    text = html_to_text(page)
    assert text.count("\n") == 3 and text.startswith("第一条")
    assert not any(word in text for word in ("首页", "推荐阅读", "版权所有"))
    article = (
        f"<article><header><h1>某某法</h1></header>{law_text}<footer>责任编辑</footer></article>"
    )
    assert html_to_text(f"<header>站点</header>{article}").split("\n")[:2] == [
        "某某法",
        "第一条 本条规定了很多很多的内容，足以占据页面的大部分文字。",
    ]


def test_deeply_nested_page() -> None:
    page = "<div>" * 20000 + "第一条 深处的正文。" + "</div>" * 20000
    assert html_to_text(page) == "第一条 深处的正文。\n"


# ---- DOCX ---------------------------------------------------------------------------------------


def make_docx(lines: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(lines[0], level=1)
    document.add_paragraph(lines[1])
    table = document.add_table(rows=3, cols=2)
    for (row, col), text in {
        (0, 0): "项目",
        (0, 1): "金额",
        (1, 0): "罚款",
        (1, 1): "100元",
    }.items():
        table.cell(row, col).text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "合并的单元格"
    paragraph = document.add_paragraph()
    paragraph.add_run(lines[2][:5]).bold = True
    paragraph.add_run(lines[2][5:])
    for line in lines[3:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    lines = [line for line in seed().split("\n") if line.strip()][:12]
    data = make_docx(lines)
    expected = [lines[0], lines[1], "项目\t金额", "罚款\t100元", "合并的单元格", *lines[2:]]
    path = write(tmp_path, "law.docx", data)
    assert read_source(path) == SourceText(str(path), "\n".join(expected) + "\n", "docx", "docx")
    assert load(data, "upload").format == "docx"  # a zip holding word/document.xml


# ---- Sources that cannot be used ----------------------------------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


BAD_CONTENT = {
    "empty.txt": (b"", "empty"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", f"{BINARY} (PNG image)"),
    "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF", f"{BINARY} (JPEG image)"),
    "anim.gif": (b"GIF89a\x01\x00\x01\x00", f"{BINARY} (GIF image)"),
    "law.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF is not supported yet"),
    "program": (Path(sys.executable).read_bytes()[:4096], BINARY),
    "law.txt.gz": (gzip.compress("第一条 内容。".encode()), f"{BINARY} (gzip archive)"),
    "laws.zip": (zip_bytes({"a.txt": "第一条".encode()}), f"{BINARY} (zip archive)"),
    "law.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "save it as .docx"),
    "nul.txt": ("第一条 内容。".encode() + b"\x00\x01\x02\x03\x00", f"{BINARY} (NUL bytes)"),
    "broken.txt": (seed().encode()[:500] + b"\xff" + seed().encode()[500:], UNDECODABLE),
    "cut.txt": (seed().encode()[:-1], UNDECODABLE),
    "bad_bom.txt": (b"\xff\xfe" + "第一条".encode("utf_16_le") + b"\x00", UNDECODABLE),
    "text.docx": (seed().encode(), "not a valid DOCX"),
    "junk.docx": (b"PK\x03\x04" + bytes(100), "not a valid DOCX"),
    "fake.docx": (zip_bytes({"word/document.xml": b"<w:document/>"}), "not a valid DOCX"),
    "empty.html": (b"<html><head><title>T</title></head><body><script>x</script></body></html>",
                   "no text found in the HTML"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_CONTENT))
def test_unusable_content_is_refused_with_its_reason(tmp_path: Path, name: str) -> None:
    data, reason = BAD_CONTENT[name]
    path = write(tmp_path, name, data)
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert error.value.source == str(path)
    assert reason in error.value.reason
    assert str(error.value) == f"{path}: {error.value.reason}"
    with pytest.raises(SourceError, match=re.escape(reason)):
        load(data, name)


def refused(source: str | Path, **kwargs: object) -> str:
    with pytest.raises(SourceError) as error:
        read_source(source, **kwargs)
    assert error.value.source == os.fspath(source)
    assert str(error.value).startswith(f"{os.fspath(source)}: ")
    return error.value.reason


def test_paths_that_cannot_be_read(tmp_path: Path) -> None:
    assert refused(tmp_path / "missing.txt") == "no such file"
    file = write(tmp_path, "file.txt", b"x")
    assert refused(str(file / "below")) == "no such file"
    assert refused(tmp_path) == "is a directory"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "第一条".encode())
    path.chmod(0)
    try:
        assert refused(path) == "permission denied"
    finally:
        path.chmod(0o644)


def test_permission_denied_when_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sources, "open", deny, raising=False)  # (as root, chmod 0 is no bar)
    assert refused(write(tmp_path, "secret.txt", b"x")) == "permission denied"


def test_a_large_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # sparse: no disk used, and all NULs if it were read
    monkeypatch.setattr(sources, "open", lambda *a, **k: pytest.fail("opened"), raising=False)
    assert refused(path) == "too large: 50.0 MB, limit 16.0 MB"
    monkeypatch.undo()
    small = write(tmp_path, "small.txt", "第一条 内容。".encode())
    assert refused(small, max_bytes=10) == "too large: 19 bytes, limit 10 bytes"
    with pytest.raises(SourceError, match=re.escape("too large: 16.0 MB, limit 1.0 MB")):
        load(bytes(MAX_BYTES), "upload", max_bytes=1024 * 1024)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    text = seed()
    assert read_source("-", stdin=io.BytesIO(text.encode("gb18030"))) == SourceText(
        "-", text, "gb18030", "text"
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-16"))))
    assert read_source("-").text == text
    assert refused("-", stdin=io.BytesIO(b"")) == "empty"
    stream = io.BytesIO(bytes(3000))
    assert (
        refused("-", stdin=stream, max_bytes=1000) == "too large: more than the limit of 1000 bytes"
    )
    assert stream.tell() == 1001  # not read to the end


# ---- Properties ---------------------------------------------------------------------------------


@given(st.text(min_size=1).filter(lambda t: "\x00" not in t))
def test_any_utf8_text_comes_back(text: str) -> None:
    data = text.encode("utf-8")
    assume(not data.startswith((b"\xef\xbb\xbf", *sources._MAGIC)))
    assert decode_bytes(data, "x") == (text, "utf_8")


@given(st.text(min_size=1))
def test_any_text_with_a_bom_comes_back(text: str) -> None:
    for codec in ("utf_16", "utf_32"):  # (UTF-16 "\x00…" is a UTF-32 BOM: the one ambiguity)
        assume(codec == "utf_32" or not text.startswith("\x00"))
        assert decode_bytes(text.encode(codec), "x") == (text, codec)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.html", "a.docx", "-"]))
def test_any_bytes_give_text_or_a_source_error(data: bytes, name: str) -> None:
    try:
        source = load(data, name)
    except SourceError as error:
        assert error.source == name and error.reason
    else:
        assert isinstance(source.text, str) and source.name == name


def test_markdown_copy_loses_only_its_heading_marks_and_comments() -> None:
    md = (
        "---\nbookHidden: true\n---\n# 某某条例\n\n<!-- INFO END -->\n\n"
        "## 第一章 总则\n\n第一条 为了#1。\n"
    )
    text = load(md.encode("utf-8"), "law.md")
    assert text.format == "markdown"
    assert text.text == "某某条例\n\n\n\n第一章 总则\n\n第一条 为了#1。\n"
