"""Subjects, kinds and conditions that the norm extractor reads from the wording; each case is a
short made-up regulation in the style of the corpus, with the rule it pins."""

from __future__ import annotations

from fagui.norms import Norm, extract_norms
from fagui.parse import parse


def norms_of(*articles: str) -> list[Norm]:
    nums = "一二三四五六七八九十"[: len(articles)]
    body = "\n\n".join(f"第{n}条　{text}" for n, text in zip(nums, articles, strict=True))
    return list(extract_norms(parse("某某条例\n\n" + body + "\n")).norms)


def test_subject_phrases_keep_their_nominal_verbs_and_modifiers() -> None:
    # 管理部门, 提供者, 有关: a verb before a nominal head stays in the noun
    # 依法负有…职责的部门: a modifier closed by 的 stays too
    found = norms_of(
        "县级以上市场监督管理部门可以发布参考样式。",
        "电子信息发送服务提供者应当履行安全管理义务。",
        "国务院其他有关部门依照本条例规定做好相关工作。",
        "依法负有监督管理职责的部门及其工作人员，必须严格保密。",
    )
    assert [n.subject for n in found] == [
        "县级以上市场监督管理部门",
        "电子信息发送服务提供者",
        "国务院其他有关部门",
        "依法负有监督管理职责的部门及其工作人员",
    ]


def test_short_names_and_anaphora() -> None:
    found = norms_of(
        "商场、网络交易平台经营者等交易场所提供者（以下简称交易场所提供者）应当依法配合检查。",
        "网络产品、服务具有收集用户信息功能的，其提供者应当向用户明示并取得同意。",
    )
    assert found[0].subject == "交易场所提供者"  # the law's own short name
    assert found[1].subject == "网络产品、服务的提供者"  # 其 → the thing the condition names
    assert found[1].condition == "网络产品、服务具有收集用户信息功能的"


def test_an_actor_is_carried_through_the_article_but_a_place_names_no_one() -> None:
    # 旅馆接待旅客住宿必须登记。登记时，应当查验…: the second duty is the 旅馆's, on 登记时
    found = norms_of(
        "旅馆接待旅客住宿必须登记。登记时，应当查验旅客的身份证件。",
        "公共场所的室内区域禁止吸烟。",
        "建设关键信息基础设施应当确保其具有支持业务稳定运行的性能。",
    )
    assert [(n.kind, n.subject, n.condition) for n in found] == [
        ("obligation", "旅馆", None),
        ("obligation", "旅馆", "登记时"),
        ("prohibition", None, None),  # a locative topic
        ("obligation", None, None),  # an activity with no actor
    ]


def test_a_thing_is_the_subject_only_when_no_actor_is_in_sight() -> None:
    found = norms_of(
        "经营者未标明被比较价格的详细信息的，被比较价格应当不高于最低成交价格。",
        "网络安全事件应急预案应当对网络安全事件进行分级。",
    )
    assert [n.subject for n in found] == ["经营者", "网络安全事件应急预案"]


def test_court_rules_encouragement_and_clause_initial_yao() -> None:
    found = norms_of(
        "信息处理者以双方未作约定为由抗辩的，人民法院不予支持。",
        "国家支持企业、研究机构参与标准的制定。",
        "旅馆对旅客寄存的财物，要建立登记、领取和交接制度。",
    )
    assert [(n.kind, n.subject) for n in found] == [
        ("principle", "人民法院"),
        ("encouragement", "企业、研究机构"),  # who is encouraged
        ("obligation", "旅馆"),
    ]
    assert found[0].condition == "信息处理者以双方未作约定为由抗辩的"


def test_referrals_and_a_standalone_exception() -> None:
    found = norms_of(
        "军事网络的安全保护，由中央军事委员会另行规定。",
        "因网络安全事件，发生突发事件的，应当依照《突发事件应对法》的规定处置。",
        "运营者应当在境内存储个人信息；法律、行政法规另有规定的，依照其规定。",
    )
    assert [(n.kind, n.subject) for n in found] == [
        ("referral", "中央军事委员会"),
        ("referral", None),
        ("obligation", "运营者"),
    ]
    assert found[1].condition == "因网络安全事件，发生突发事件的"
    assert found[2].exception == "法律、行政法规另有规定的，依照其规定"


def test_sanction_penalty_must_be_in_the_consequence() -> None:
    # 责令…停止 inside the claim is not a penalty; the court's 可以 is a permission
    found = norms_of(
        "自然人向人民法院申请采取责令信息处理者停止有关行为的措施的，人民法院可以依法作出禁令。",
        "违反本条例规定的，由主管部门责令改正；对直接负责的主管人员处一千元罚款。",
        "单位有前款行为的，对直接负责的主管人员和其他直接责任人员依法给予处分。",
    )
    assert [(n.kind, n.subject) for n in found] == [
        ("permission", "人民法院"),
        ("sanction", None),  # one tier: the fine on managers stays inside it
        ("sanction", "直接负责的主管人员和其他直接责任人员"),  # only individuals punished
    ]
    assert found[1].text.endswith("处一千元罚款")
