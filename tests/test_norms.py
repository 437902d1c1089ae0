"""Norms of the seed, each expectation stated with the sentence that justifies it, and the
invariants over the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import corpus_files, plain_text, requires_corpus

from fagui.model import Document
from fagui.norms import Norm, NormSet, applies_to, extract_norms, subject_hierarchy
from fagui.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_668aba0204edbbb9.txt"


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    return parse(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed(seed_doc: Document) -> NormSet:
    return extract_norms(seed_doc)


def of(norms: NormSet, article: str) -> list[tuple[str, str | None]]:
    return [(n.kind, n.subject) for n in norms.norms if n.article == article]


# Each case: article, the norms (kind, subject) a careful reader lists, and why.
SEED_CASES = [
    ("1", [("principle", None)], "为了规范党员网络行为……制定本规定。 — a purpose, no modal word"),
    ("2", [("definition", "网络行为")], "本规定所称网络行为，是指……"),
    ("3", [("obligation", "党员")], "党员实施网络行为，应当深刻领悟……"),
    (
        "4",
        [("responsibility", "各级党组织"), ("responsibility", "各级组织、宣传和网信等部门")],
        "各级党组织承担……主体责任……。各级组织、宣传和网信等部门在各自职责范围内，负责……",
    ),
    ("8", [("encouragement", "党员")], "鼓励党员通过网络讲好……的故事 — 党员 are encouraged"),
    (
        "10",
        [("prohibition", "党员"), ("prohibition", "党员")],
        "党员不得通过网络制作……的信息，不得组织、参加……活动 — two bans, one subject",
    ),
    ("11", [("prohibition", "党员")], "党员不得组织、参与和动员不法串联……"),
    ("12", [("prohibition", "党员"), ("prohibition", "党员")], "党员不得……，不得……"),
    ("13", [("prohibition", "党员"), ("prohibition", "党员")], "党员不得……，不得……"),
    ("14", [("prohibition", "党员")], "党员不得擅自建立、使用非法定信道……"),
    (
        "15",
        [("obligation", "党员"), ("prohibition", "党员")],
        "党员应当严格遵守党的保密纪律，不得通过网络泄露……",
    ),
    ("18", [("prohibition", "党员干部")], "党员干部不得利用职务便利……"),
    ("19", [("prohibition", "党员干部")], "党员干部不得违反有关规定以职务身份开展……"),
    (
        "20",
        [("obligation", "党员干部"), ("prohibition", "党员干部")],
        "党员干部注册……账号，应当遵守有关规定，履行社会责任，不得损害……",
    ),
    (
        "22",
        [("obligation", "各级党组织")],
        "各级党组织应当开展……，鼓励和支持党员学网上网用网 — one duty: to encourage is its content",
    ),
    ("23", [("obligation", "各级党组织")], "各级党组织应当激励党员……"),
    ("25", [("obligation", "各级党组织")], "各级党组织应当加强对党员网络行为的指导……"),
    ("26", [("obligation", "各级党组织")], "各级党组织应当把规范党员网络行为……"),
    ("27", [("obligation", "各级党组织")], "各级党组织应当将党员网络行为纳入……"),
    ("29", [("referral", "军队党员")], "军队党员实施网络行为，按照军队有关规定执行。"),
    (
        "30",
        [("interpretation", "中共中央组织部、中共中央宣传部、中央网络安全和信息化委员会办公室")],
        "本规定由中共中央组织部、中共中央宣传部、中央网络安全和信息化委员会办公室负责解释。",
    ),
    ("31", [("commencement", None)], "本规定自发布之日起施行。"),
]


@pytest.mark.parametrize(("article", "expected", "why"), SEED_CASES)
def test_seed_norms(seed: NormSet, article: str, expected: list, why: str) -> None:
    assert of(seed, article) == expected, why


def test_condition_of_article_21(seed: NormSet) -> None:
    # 党员发现网上违规违纪违法信息、活动的，应当及时向有关部门和网络平台举报……
    (norm,) = [n for n in seed.norms if n.article == "21"]
    assert (norm.kind, norm.subject) == ("obligation", "党员")
    assert norm.condition == "党员发现网上违规违纪违法信息、活动的"


def test_article_28_is_a_sanction_for_the_whole_regulation(seed: NormSet) -> None:
    # 党员违反本规定的，根据行为性质和情节轻重，依规依纪追究责任；
    # 涉嫌违法犯罪的，按照有关法律规定处理。
    sanctions = [n for n in seed.norms if n.article == "28"]
    assert [n.kind for n in sanctions] == ["sanction", "sanction"]
    assert sanctions[0].subject == "党员"
    assert sanctions[0].condition == "党员违反本规定的"
    bans = {n.eid for n in seed.norms if n.kind in ("obligation", "prohibition")}
    assert set(sanctions[0].enforces) == bans  # 违反本规定 covers every duty and ban


def test_glossary(seed: NormSet) -> None:
    assert seed.definitions["网络行为"].startswith("通过互联网制作、复制、存储、发布")


def test_norms_binding_a_cadre_include_those_on_party_members(seed: NormSet) -> None:
    binding = applies_to(seed, "党员干部")
    articles = {n.article for n, _ in binding}
    assert {"10", "11", "12", "13", "14", "18", "19", "20"} <= articles
    # 第二十二条 各级党组织应当开展……，鼓励和支持党员学网上网用网: the organisations' duty.
    assert "22" not in articles
    assert not any(n.subject == "各级党组织" for n, _ in binding)
    why = {n.article: reason for n, reason in binding}
    assert why["18"] == "addressed to 党员干部"
    assert "党员干部 is a kind of 党员" in why["10"]


def test_norms_round_trip_through_dicts(seed: NormSet) -> None:
    assert [Norm.from_dict(n.to_dict()) for n in seed.norms] == list(seed.norms)


def test_hierarchy() -> None:
    parents = subject_hierarchy(["党员", "党员干部", "军队党员", "各级党组织", "任何组织和个人"])
    assert parents["党员干部"] == ["党员", "任何组织和个人"]
    assert parents["军队党员"] == ["党员", "任何组织和个人"]
    assert "党员" not in parents["各级党组织"]
    assert parents["任何组织和个人"] == []
    # a beginning that modifies what follows makes no kind: 个人信息处理者 processes 个人信息
    parents = subject_hierarchy(["个人", "个人信息处理者", "交通运输", "交通运输部门", "人民政府",
                                 "县级以上地方人民政府", "党员", "党员领导干部"])  # fmt: skip
    assert parents["个人信息处理者"] == [] and parents["交通运输部门"] == []
    assert parents["县级以上地方人民政府"] == ["人民政府"]
    assert parents["党员领导干部"] == ["党员"]


def test_a_coordinated_subject_binds_each_member() -> None:
    doc = parse(
        "某某条例\n\n第一条 用人单位和个人应当遵守本条例。\n\n"
        "第二条 个人信息处理者不得泄露个人信息。\n"
    )
    bound = {n.article: why for n, why in applies_to(extract_norms(doc), "个人")}
    assert bound == {"1": "用人单位和个人 names 个人: addressed to 个人"}  # not 个人信息处理者


def test_one_norm_per_modal_clause_and_exceptions() -> None:
    doc = parse(
        "某某条例\n\n第一条　任何单位和个人不得破坏设施，不得擅自移动标志。\n\n"
        "第二条　经营者应当公开收费标准，但是法律另有规定的除外。\n\n"
        "第三条　有下列情形之一的，可以申请复议：\n（一）甲；\n（二）乙。\n\n"
        "第四条　违反本条例第一条规定的，由主管部门责令改正，处一千元以下罚款。\n\n"
        "第五条　国家鼓励企业开展研究。\n"
    )
    norms = extract_norms(doc)
    assert of(norms, "1") == [("prohibition", "任何单位和个人")] * 2
    (duty,) = [n for n in norms.norms if n.article == "2"]
    assert duty.exception == "但是法律另有规定的除外"
    (may,) = [n for n in norms.norms if n.article == "3"]
    assert (may.kind, may.condition) == ("permission", "有下列情形之一的")
    (sanction,) = [n for n in norms.norms if n.article == "4"]
    assert sanction.kind == "sanction"
    assert sanction.refs == ("art_1",) and set(sanction.enforces) == {"art_1"}
    (encouraged,) = [n for n in norms.norms if n.article == "5"]
    assert (encouraged.kind, encouraged.subject) == ("encouragement", "企业")


@requires_corpus
@pytest.mark.corpus
def test_every_norm_is_found_at_its_span_and_extraction_never_raises() -> None:
    checked = 0
    for path in corpus_files():
        doc = parse(plain_text(path.read_text(encoding="utf-8")))
        texts = {a.eid: a.full_text() for a in doc.articles()}
        by_num = {a.num: a.eid for a in doc.articles()}
        for norm in extract_norms(doc).norms:
            article = texts[by_num[norm.article]] if norm.article in by_num else ""
            start, end = norm.span
            assert article[start:end] == norm.text, (path.name, norm)
            assert "\n" not in norm.text.strip() or norm.kind == "principle", norm
            checked += 1
    assert checked > 10_000
