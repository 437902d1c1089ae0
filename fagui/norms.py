"""Norms: Document → the obligation register — who must, must not, may do what, when.

For every article, each clause that carries a modal word becomes one `Norm`: its kind
(obligation 应当/必须/须, prohibition 不得/禁止/严禁, permission 可以, right 有权/享有…权利,
encouragement 鼓励/支持/提倡, responsibility 负责/主管/牵头/承担…责任, sanction …的，依…追究/处…,
definition …所称X，是指Y, commencement 自…起施行, interpretation 由…负责解释, referral 按照…执行)
and, for sentences with no modal word, `principle`. Each norm keeps its subject (the bare
addressee, carried across the clauses of a sentence), its condition (`……的，` and
`有下列情形之一的`/`同时具备下列条件` lead-ins), its exception (`但是……除外`, `除……外`,
`法律另有规定的，从其规定`), the references it makes, and its `text`: an exact substring of the
article's full text at `span`.

Subjects are read from the surface of each clause: the noun phrase before the modal word,
ending where a preposition, adverbial or verb begins unless a near 的 closes it as a modifier
(依法负有…职责的部门) or a nominal head follows (管理部门, 提供者). A phrase ending in an agent noun
names an actor; a clause that names none takes the actor carried from its sentence, then from
its article (旅馆接待旅客住宿必须登记。登记时，应当… → 旅馆). The hierarchy relates subjects: a
subject that starts or ends with another (党员干部, 军队党员 → 党员) is one of its kinds, and
任何组织和个人 binds everyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

from fagui.model import Document, Node
from fagui.parse import cn_number

__all__ = ["EVERYONE", "Norm", "NormSet", "applies_to", "extract_norms", "subject_hierarchy"]

KINDS = (
    "obligation", "prohibition", "permission", "right", "encouragement", "responsibility",
    "sanction", "definition", "commencement", "interpretation", "referral", "principle",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Norm:
    article: str  # the article's num, "10", "120-1"
    eid: str  # the provision that states it: art_10, art_10__para_2__item_1
    kind: str
    subject: str | None
    text: str  # an exact substring of the article's full text…
    span: tuple[int, int]  # …at these offsets
    strength: str = "normal"  # "strict" for 严禁, 决不允许
    action: str | None = None
    condition: str | None = None
    exception: str | None = None
    refs: tuple[str, ...] = ()  # eIds inside the document, 《titles》 outside it
    enforces: tuple[str, ...] = ()  # for a sanction: the eIds of what it punishes

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["span"] = list(self.span)
        out["refs"] = list(self.refs)
        out["enforces"] = list(self.enforces)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Norm:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("span", "refs", "enforces"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class NormSet:
    title: str
    norms: tuple[Norm, ...]
    definitions: dict[str, str] = field(default_factory=dict)  # term → meaning
    source: str = "-"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "fagui/1",
            "source": self.source,
            "title": self.title,
            "definitions": self.definitions,
            "norms": [n.to_dict() for n in self.norms],
        }


# ---------------------------------------------------------------------------------------------
# Modal words, longest first within each kind; the first match in a clause decides its kind.

_MODALS: tuple[tuple[str, str], ...] = (
    ("严禁", "prohibition"), ("决不允许", "prohibition"), ("禁止", "prohibition"),
    ("不得", "prohibition"), ("不准", "prohibition"), ("不允许", "prohibition"),
    ("应当", "obligation"), ("必须", "obligation"),
    ("有权", "right"), ("享有", "right"),
    ("可以", "permission"),
    ("鼓励", "encouragement"), ("提倡", "encouragement"), ("倡导", "encouragement"),
    ("支持", "encouragement"),
    ("负责", "responsibility"), ("主管", "responsibility"), ("牵头", "responsibility"),
    ("承担", "responsibility"),
)  # fmt: skip
_MODAL = re.compile(
    "|".join(m for m, _ in _MODALS)
    + r"|(?<![必无])须(?=[\u4e00-\u9fff])"
    # 应 alone, as older texts write 应当: before a verb, not in 相应, 供应, 应急, 应用…
    + r"|(?<![相适对反供响呼照答顺])应"
    + r"(?=[经由在向按依予将把即于作报负采持具执提缴给保设接受办建做])"
    # and 可 alone for 可以: 可根据本办法制定实施细则, not 许可, 认可, 可能
    + r"|(?<![许认宁不即无])可(?=[根依按向自予申提请采决处责委由在])"
    # and 要 opening a clause, as older texts write 应当: 要建立登记、领取和交接制度
    + r"|(?:^|(?<=^并)|(?<=^还)|(?<=^都)|(?<=^也)|(?<=^并且))要(?![求素件点])"
)
_KIND_OF = dict(_MODALS) | {
    "须": "obligation", "应": "obligation", "可": "permission", "要": "obligation"
}  # fmt: skip
# A modal word that is not one: 不得不, 负责人, 主管部门 (a noun), 支持下, 可以下
_NOT_MODAL = re.compile(
    r"禁止[^，。；、]{0,16}的(?![，,])|(?<=依法)应当[^，。；、]{0,6}的(?![，,])|禁止吸烟(?:场所|区域|公共场所|标识)|"
    r"不准确|负责人|负责的|主管部门|主管机关|主管单位|主管人员|承担的|享有的|须知|可以下|支持下|"
    r"承担(?:民事|行政|刑事|法律|赔偿)|支持、|"
    r"负责[^，。；]{0,30}?的(?:部门|单位|机构|机关|人员)|"
    r"承担[^，。；]{0,20}?(?:民事|侵权|违约|连带|赔偿|举证)责任"
)
# Words before a modal word that make it none: 予以支持 (a court's ruling), 规定可以…的 (a
# relative clause)
_NOT_MODAL_AFTER = ("予以", "不予", "规定", "的")

_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_CLAUSE = re.compile(r"[^，,：:]+[，,：:]?")
_CONDITION = re.compile(
    r"(?<!目的)的$|有下列(?:情形|行为|情况)之一的$|同时具备下列条件的?$|下列条件$"
)
_EXCEPTION = re.compile(
    r"但是?[^。；]*?除外|除[^，。；]{1,40}外(?![，,]?\s*还)|(?:法律|行政法规|国家)[^，。；]{0,12}另有规定的[，,]?(?:从|依照)其规定"
)
_SANCTION_VERB = re.compile(
    r"追究[^，。；]{0,6}责任|处[^，。；]{0,20}(?:罚款|拘留|以下|徒刑|警告)|"
    r"给予[^。；]{0,30}(?:处分|处罚|警告)|承担[^，。；]{0,6}(?:民事|赔偿|法律)责任|"
    r"列入[^，。；]{0,10}名录|关闭[^，。；]{0,20}网站|"
    r"责令[^，。；]{0,20}(?:改正|停止|停业|关闭)|没收|吊销|依规依纪|依法处理|按照有关法律规定处理|"
    r"依法追究|构成犯罪的|依照[^。；]{0,60}规定(?:处罚|予以处罚)|进行处罚|予以处罚|从轻或者减轻处罚|"
    r"记入信用档案|强制执行|列入[^，。；]{0,10}名单|处罚有关人员|制裁"
)
_VIOLATION = re.compile(
    r"违反|有下列[^，。]{0,6}(?:行为|情形)之一|未按照|未依照|拒不|擅自|情节(?:较重|严重)|造成[^，。；]{0,12}的"
)
_DEFINITION = re.compile(
    r"(?:所称|本[^，。；]{0,6}称|^(?:[（(][一二三四五六七八九十\d]+[）)])?)"
    r"([^，。；“”]{1,30}?)[，,]?(?:是指|指的是|系指)(.+)"
)
_COMMENCEMENT = re.compile(r"自[^，。；]{1,30}起(?:施行|执行|生效)|同时废止|不溯及")
_REPEAL = re.compile(r"同时废止$|施行前的[，,]不适用本(?:法|条例|规定|办法)$")
_INTERPRETATION = re.compile(r"由([^，。；]{2,80}?)(?:负责)?解释$")
_REFERRAL = re.compile(
    r"(?:按照|依照|参照|依据)[^，。；]{1,80}(?:执行|办理|处理|处置|确定|管理)$|"
    r"(?<!不)适用[^，。；]{1,80}规定$|依照其规定$"
)
_ANOTHER_RULE = re.compile(r"由([^，。；]{2,40}?)另行(?:规定|制定)")
_APPLY_RULES = re.compile(
    r"(?:应当|应)(?:依照|按照|依据|参照|适用)[^，。；]{1,120}?(?:规定|办法)"
    r"(?:执行|办理|处理|处置|管理|确定[^，。；]{0,20})?$|应当依照其规定$"
)
# Definitions worded otherwise than 是指: X包括Y, 所称X属于Y, …，视为X, …不属于…规定的X
_DEFINES = (
    re.compile(r"^([^，。；“”]{2,20}?)包括"),
    re.compile(r"所称([^，。；]{2,20}?)属于"),
    re.compile(r"[，,]视为([^，。；]{1,20})$"),
    re.compile(r"不属于[^，。；]*?规定的([^，。；]{2,20})$"),
)
# Sentences that set the scope of the law or lead into a glossary hold no norm.
_SCOPE = re.compile(
    r"^本(?:法|条例|规定|办法|细则)适用于|(?<!不)适用本(?:法|条例|规定|办法|细则)$|下列用语的含义$"
)
_COURT = re.compile(r"^(.*?)[，,]?人民法院(?:依法)?(?:予以支持|不予支持)$")
# A clause that assigns competence without a modal: X是…的主管部门, X对…的职责是
_ASSIGN = re.compile(r"是[^，。；]{0,30}的?主管部门$|的职责是$")
_STATE_ACTION = re.compile(r"^(?:建立健全|建立|推动|推进|完善)")
_INDIVIDUALS = re.compile(
    r"^(?:由[^，。；]*?)?对([^，。；]{2,30}?(?:人员|负责人))(?:依法|依照[^，。；]*?)?(?:给予|处)"
)
_LABEL = re.compile(
    r"(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[一二三四五六七八九十]+、)\s*"
)
_INTERNAL_REF = re.compile(
    r"(?:本(?:法|条例|规定|办法|细则|解释|决定|规则))?第([零〇一二三四五六七八九十百千两\d]+)条"
    r"(?:之([一二三四五六七八九十]+))?(?:第([一二三四五六七八九十]+)款)?(?:第([一二三四五六七八九十]+)项)?"
    r"(?:至第([零〇一二三四五六七八九十百千两\d]+)条)?"
)
_EXTERNAL_REF = re.compile(r"《([^》]{2,60})》")
_PREVIOUS = re.compile(r"前(两|三)?款")
EVERYONE = ("任何组织和个人", "任何组织或者个人", "任何单位和个人", "任何单位或者个人", "任何人")


def _unlabel(text: str) -> str:
    m = _LABEL.match(text)
    return text[m.end() :] if m else text


def _modal_in(clause: str) -> re.Match[str] | None:
    for m in _MODAL.finditer(clause):
        if _NOT_MODAL.match(clause, m.start()) or clause.startswith("不得不", m.start()):
            continue
        if clause[: m.start()].endswith(_NOT_MODAL_AFTER):
            continue
        if "实行" in clause[: m.start()] and "原则" in clause[m.end() :]:
            continue  # 实行地方负责…的原则: a principle naming a duty
        return m
    return None


# ---------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    """A provision's text and where it sits in its article's full text."""

    eid: str
    text: str
    offset: int


def _units(article: Node) -> list[_Unit]:
    units: list[_Unit] = []
    pos = 0

    def visit(node: Node) -> None:
        nonlocal pos
        own = node.label + node.text if node.type in ("item", "subitem") else node.text
        if own:
            if units:
                pos += 1  # the "\n" between provisions in full_text()
            units.append(_Unit(node.eid, own, pos))
            pos += len(own)
        for child in node.children:
            visit(child)

    visit(article)
    return units


# ---------------------------------------------------------------------------------------------
# Subjects: the noun phrase at the head of a clause, read from the surface of the text.
#
# A phrase runs until a preposition, adverbial or modal word, or a verb. Both may sit inside a
# modifier that a later 的 closes (依法负有…职责的部门, 招收少数民族为主的幼儿园), and a verb may
# stand before a nominal head (管理部门, 提供者, 保障行政部门). A phrase that ends in an agent
# noun (者, 部门, 机关, 企业…) names an actor; one that ends in a place (区域, …内) names none;
# an activity (明码标价, 幼儿园的设置) names its owner or no one; anything else is a thing
# (网络安全事件应急预案), the subject only when no actor is in sight.

_CUT = re.compile(
    r"(?P<strict>是|由|会同|及时|严格|积极|主动|共同|分别|统一|均|都|也|还|另|即|如|并)"
    r"|(?P<verb>从事|利用|加强|建立|制定|开展|负有|负责|承担|实施|发现|违反|注册|使用|管理|发布|"
    r"提供|收集|处理|落实|推动|坚持|实行|采取|鼓励|支持|推进|保护|促进|设立|规定|保障|指导|"
    r"协调|统筹|确定|有(?!关)|予以|给予|接待|举办|开办|申请|建设|运营|设置|销售|标示|标明|领导|"
    r"做好|参与|参加|履行|收到|接到|具有|具备|招收|受到|被|发生|进行|主张|请求|认定|存在|知道|"
    r"获取|办理|报送|公示|选择|聘任|作出|赠送|出售|收购|开发|研究|创新|播放|监控|劝阻|"
    r"组织(?=实施|开展|制定)|明知|抽查|检查|审查|查验|接受|委托|认为|审核|核查|登记|监督|决定|"
    r"提出|告知|通知|公布|保存|报告|采集|查询|指定|导致|造成|侵害|损害|滥用|泄露|宣传|申报|"
    r"配合|尊重|遵守|执行|遵循|享有|取得|编制|经营|移出|列入|玩忽职守|徇私舞弊|适用|采购)"
    r"|(?P<prep>^(?:在|对|向|为|因|经|从|自|与|将|把|通过|按照|依照|根据|依据|关于|对于))"
    r"|依照|按照|根据|依据|依法|依规|依纪|通过|对于|关于|(?<!相)对|向|将|把|从|自(?!治)|"
    r"经(?![营济费办])|因|(?<!所)在|与|为|以(?![上下外内])|(?<![相供适对反响呼照答顺])应(?![急用])|不|未|"
    r"(?<![许认宁即无])可|须|必|(?<![主重需必只纲概摘提])要(?![求素件点])"
)
# What may follow a verb inside a noun: 管理部门, 提供者, 保障行政部门, 建筑物管理人.
_NOMINAL = re.compile(
    r"(?:监督|管理|保障|服务|运营|经营|销售|使用)*(?:行政)?(?:主管)?"
    r"(?:部门|机构|机关|单位|人员|者|人|企业|委员会)|[、和等]"
)
_CLAUSE_END = re.compile(r"[，,；;]")
_TIME = re.compile(r"^(?:[\d一二三四五六七八九十两]+个?[年月日天]|终身|当年|每年)")
_ACTOR = re.compile(
    r"(?:(?<!或)者|客|人|员|部门|机关|机构|单位|组织|企业|政府|委员会|法院|党组织|党员|干部|公民|国家|国务院|"
    r"社会|幼儿园|园|馆|户|社|协会|团体|媒体|媒介|学校|行业|部|局|厅|办公室|办事处|院|校|长|师|"
    r"士|群众|法人|个人|共青团|妇联|科协|工会)(?:[（(][^）)]{1,6}[）)])?$"
)
_AGENT = re.compile(
    r"(?:(?<!或)者|人员|部门|机关|机构|单位|组织|企业|政府|委员会|法院|党组织|党员|干部|公民|国家|国务院)$"
)
_PLACE = re.compile(r"(?:区域|场所|[内中上])$")
_ACTIVITY = re.compile(
    r"(?:招生|编班|工作|活动|行为|管理|设置|举办|停办|公示|标价|处理|保护|使用|收集|建设|运营)$"
)
_SHORT_NAME = re.compile(r"[（(]以下(?:简称|统称)[“\"]?([^）)”\"]{1,20})[”\"]?[）)]")
_LEAD = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[一二三四五六七八九十]+、)?"
    r"(?:但是|但|并且|并|或者|以及|同时|此外|其中|凡|另外)?[，,]?"
)


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    role: str  # "actor", "thing", "activity", "place"


def _head(phrase: str, modifiers: bool = True) -> str:
    """phrase up to the first break or verb that no near 的 closes as a modifier."""
    for m in _CUT.finditer(phrase):
        pos = m.start()
        if m.group("verb") and _NOMINAL.match(phrase, m.end()):
            continue  # 管理部门, 提供者
        if (
            modifiers
            and m.group("strict") is None
            and m.group("prep") is None
            and "的" in phrase[pos : pos + 18]
        ):
            continue  # 依法负有…职责的部门
        return phrase[:pos]
    return phrase


@lru_cache(maxsize=8192)
def _np(phrase: str) -> _Phrase | None:
    """The noun phrase at the start of `phrase`, and what it names."""
    phrase = _LEAD.sub("", phrase.strip("，,：:；; ")).strip("，,、 ")
    phrase = _CLAUSE_END.split(phrase, maxsplit=1)[0].removeprefix("由")
    if phrase.endswith(("的", "时")):
        phrase = phrase[:-1]  # the marker of a condition
    if not phrase or _TIME.search(phrase[:8]):
        return None
    short = _SHORT_NAME.search(phrase)
    if short:
        before = phrase[: short.start()]
        if before and _head(_LEAD.sub("", before)) == _LEAD.sub("", before):
            return _Phrase(short.group(1), "actor")  # 经营…的旅馆、饭店…等(以下统称旅馆)
        phrase = before + phrase[short.end() :]
    head = _head(phrase).strip("，,、 ")
    if len(head) > 40:  # no modifier is that long
        head = _head(phrase, modifiers=False)
    if len(head) < 2 or len(head) > 40:
        return None
    if _ACTOR.search(head):
        return _Phrase(head, "actor")
    if _PLACE.search(head):
        return _Phrase(head, "place")
    owner = head.rpartition("的")[0]
    if owner and _ACTIVITY.search(head) and _ACTOR.search(owner) and _head(owner) == owner:
        return _Phrase(owner, "actor")  # 幼儿园的保育和教育工作 → 幼儿园
    # An actor at its start: before a verb or break that a 的 excused (人民政府领导本行政区域的…
    # 工作 → 人民政府), or the longest agent noun (党员网络行为 → 党员); but 幼儿园的园舍和设施
    # is a thing.
    for m in _CUT.finditer(head):
        prefix = head[: m.start()]
        if len(prefix) > 1 and _ACTOR.search(prefix) and _head(prefix) == prefix:
            return _Phrase(prefix, "actor")
    for cut in range(len(head) - 1, 1, -1) if not _CUT.match(head) else ():
        if head[cut] != "的" and "的" not in head[:cut] and _AGENT.search(head[:cut]):
            return _Phrase(head[:cut], "actor")
    if head.endswith("的") or _ACTIVITY.search(head):
        return _Phrase(head, "activity")  # 幼儿园的设置: an act, no one named
    return _Phrase(head, "thing")


def _subject_of(phrase: str) -> str | None:
    named = _np(phrase)
    return named.text if named and named.role == "actor" else None


def extract_norms(doc: Document) -> NormSet:
    """The norms, definitions and references of a parsed regulation."""
    norms: list[Norm] = []
    definitions: dict[str, str] = {}
    for article in doc.articles():
        full = article.full_text()
        context = _Context()
        for unit in _units(article):
            norms.extend(_norms_in(article, unit, definitions, full, context))
    norms = _link_sanctions(doc, norms)
    return NormSet(doc.title, tuple(norms), definitions, doc.source)


@dataclass
class _Context:
    """What an article has said so far. Its last actor is the subject of a later sentence that
    names none (旅馆接待旅客住宿必须登记。登记时，应当查验… → 旅馆)."""

    actor: str | None = None
    last_kind: str | None = None


def _pick(own: _Phrase | None, carried: str | None, context: _Context) -> str | None:
    """The subject of a modal clause: the actor it names, else the actor carried from earlier
    clauses of its sentence; a thing it names; or the article's last actor."""
    if own is not None:
        if own.role == "actor":
            # 经营者、管理者 after 公共场所的经营者、管理者 is the same addressee
            for known in (carried, context.actor):
                if known and known != own.text and known.endswith(own.text) and "的" in known:
                    return known
            return own.text
        if own.role == "place":
            return None
        if own.role == "thing":
            return carried or own.text
    return carried or context.actor


def _norms_in(
    article: Node, unit: _Unit, definitions: dict[str, str], full: str, context: _Context
) -> list[Norm]:
    text = unit.text
    out: list[Norm] = []

    def emit(
        start: int, end: int, kind: str, subject: str | None, condition: str | None,
        exception: str | None, action_at: int | None = None,
    ) -> None:  # fmt: skip
        piece = text[start:end].rstrip("，,：:；;。 ")
        lead = len(piece) - len(piece.lstrip())
        label = _LABEL.match(piece, lead)
        if label:
            lead = label.end()
        norm_text = piece[lead:]
        offset = unit.offset + start + lead
        if len(norm_text) < 2:
            return
        assert full[offset : offset + len(norm_text)] == norm_text
        out.append(
            Norm(
                article=article.num or "",
                eid=unit.eid,
                kind=kind,
                subject=subject,
                text=norm_text,
                span=(offset, offset + len(norm_text)),
                strength="strict" if re.search("严禁|决不允许", norm_text) else "normal",
                action=text[action_at:end].strip("，,：:；;。 ") or None if action_at else None,
                condition=condition,
                exception=exception,
                refs=_refs(norm_text, article, unit),
            )
        )
        context.last_kind = kind
        if subject and kind not in ("sanction", "definition", "encouragement"):
            context.actor = subject

    carried: str | None = None  # the actor of the sentence, across clauses and ；-joined parts
    topic: str | None = None  # a thing it speaks of, for 其: 网络产品…的，其提供者
    leads: list[str] = []  # clauses before a modal word, read for carried and topic on demand

    def settle(carried: str | None, topic: str | None) -> tuple[str | None, str | None]:
        for lead in leads:
            named = _np(lead)
            if named is not None and named.role == "actor" and not lead.strip().startswith("由"):
                carried = named.text
            elif named is not None and named.role == "thing":
                topic = named.text
        leads.clear()
        return carried, topic

    tier: str | None = None  # the subject of the last sanction tier
    for sm in _SENTENCE.finditer(text):
        sentence = sm.group()
        s_start = sm.start()
        after_semicolon = bool(s_start) and text[s_start - 1] in "；;"
        if s_start and not after_semicolon:
            carried = topic = None
            leads.clear()
        body = sentence.rstrip("。；;！？!?：: ")
        stripped = _unlabel(body.strip())
        if len(stripped) < 2:
            continue
        b_start = s_start + len(sentence) - len(sentence.lstrip())
        b_end = s_start + len(body)
        exception = _EXCEPTION.search(body)
        # An exception standing alone limits the norm before it (…；但是，…的除外).
        if exception and out and exception.group() == _LEAD.sub("", stripped).lstrip("，, "):
            if out[-1].exception is None:
                out[-1] = replace(out[-1], exception=exception.group())
            continue
        clauses = [(s_start + m.start(), m.group()) for m in _CLAUSE.finditer(sentence)]
        modals = [_modal_in(clause.rstrip("，,：:")) for _, clause in clauses]
        has_modal = any(modals)
        if _SCOPE.search(stripped) and not has_modal:
            continue  # 本法适用于… / …，适用本法 / 本法下列用语的含义：
        if m := _COURT.match(stripped):
            # 人民法院依法予以支持 / 不予支持: a court rule, the claim its condition
            emit(b_start, b_end, "principle", "人民法院", m.group(1) or None, None)
            continue
        special = _special(stripped, definitions, has_modal)
        if special is not None:
            kind, subject = special
            emit(b_start, b_end, kind, subject, None, None)
            continue
        condition: str | None = None
        cond_end = b_start  # where the consequence begins
        lead_start: int | None = None  # the first clause not yet in a norm
        # [start, end, kind, subject, condition]; a clause without a modal word after one
        # extends it (应当A，B，C is one obligation).
        pending: list[list[Any]] = []
        for i, (c_start, clause) in enumerate(clauses):
            cbody = clause.rstrip("，,：:")
            if not cbody.strip():
                continue
            m = modals[i]
            assign = None if m else _ASSIGN.search(cbody)
            if m is None and assign is None:
                is_condition = _is_condition(cbody)
                later = any(modals[i + 1 :])
                if pending and is_condition and later:
                    lead_start = None  # …，知道其用户有前款规定行为的，应当…: the next norm's
                elif pending:
                    if pending[-1][2] == "encouragement" and _STATE_ACTION.match(
                        _LEAD.sub("", cbody.strip())
                    ):
                        # 国家鼓励…，建立健全…: back to the state's own action
                        end = c_start + len(cbody)
                        pending.append([c_start, end, "principle", None, None, None])
                        continue
                    pending[-1][1] = c_start + len(cbody)
                    continue
                if lead_start is None:
                    lead_start = c_start
                leads.append(cbody)
                if is_condition:
                    whole = cbody.rstrip().endswith("的")
                    c_from = lead_start if whole else c_start
                    condition = _unlabel(text[c_from : c_start + len(cbody)].strip())
                    cond_end = c_start + len(cbody)
                continue
            if m is not None:
                kind = _KIND_OF[m.group()]
                before = cbody[: m.start()]
            else:
                assert assign is not None
                kind, before = "responsibility", cbody[: assign.start()]
            bare = _LEAD.sub("", before.strip()).strip("，, ")
            if pending and pending[-1][2] == kind and bare in ("也", "亦", "或者", "并"):
                pending[-1][1] = c_start + len(cbody)  # 可以A，也可以B: one permission
                continue
            if (
                kind in ("encouragement", "responsibility")
                and pending
                and pending[-1][2] == "obligation"
                and _subject_of(before) is None
            ):
                pending[-1][1] = c_start + len(cbody)  # 应当…，鼓励… is one duty: to encourage
                continue
            if kind == "encouragement" and lead_start is not None and not pending and not bare:
                # 国家坚持…，推进…，鼓励…: the state's policy, then the encouragement
                carried, topic = settle(carried, topic)
                pending.append([lead_start, c_start, "principle", carried, None, None])
                while text[pending[-1][1] - 1] in "，, ":
                    pending[-1][1] -= 1
                lead_start = c_start
            if bare.endswith("时"):
                condition = _unlabel(before.strip().rstrip("，, "))  # 必要时可以…
                cond_end = c_start + len(before)
            if kind == "encouragement":
                named = _np(cbody[m.end() :].lstrip("和及支持鼓励倡导") if m else "")
                subject = named.text if named and named.role == "actor" else None
            else:
                own = _np(before) if bare and not bare.endswith("时") else None
                if own is None or own.role != "actor" or own.text.startswith("其"):
                    carried, topic = settle(carried, topic)
                leads.clear()
                if own is not None and own.text.startswith("其") and topic:
                    own = _Phrase(topic + "的" + own.text[1:], "actor")  # 其提供者
                subject = _pick(own, carried, context)
                if (own is not None and own.role == "actor") or (
                    carried is None and subject and (own is None or own.role != "thing")
                ):
                    carried = subject
            start = lead_start if lead_start is not None else c_start
            at = c_start + (m.end() if m else assign.end() if assign else 0)
            pending.append([start, c_start + len(cbody), kind, subject, condition, at])
            lead_start = None
        consequence = text[cond_end:b_end]
        if (
            _SANCTION_VERB.search(consequence)
            and (condition or _VIOLATION.search(body) or context.last_kind == "sanction")
            and not any(p[2] == "prohibition" for p in pending)
        ):
            # 违反……的，由……责令改正，……可以并处罚款: one sanction per tier, whatever modal
            # words its consequence uses
            if condition is None and out and out[-1].kind == "sanction" and after_semicolon:
                prev = out[-1]  # …；对直接负责的主管人员…处…罚款: the same tier goes on
                end = unit.offset + b_end
                out[-1] = replace(prev, text=full[prev.span[0] : end], span=(prev.span[0], end))
                continue
            carried, topic = settle(carried, topic)
            subject = _punished(condition, consequence, carried, tier)
            tier = subject
            emit(b_start, b_end, "sanction", subject, condition, None)
            continue
        if not pending:
            if "__item_" in unit.eid or "__point_" in unit.eid:
                continue  # a list entry completes its lead-in (有下列情形之一的：), not a rule
            if (
                after_semicolon
                and condition
                and out
                and out[-1].kind == "obligation"
                and out[-1].eid == unit.eid
            ):
                # …应当制定预案…；在发生…事件时，立即启动…: the duty goes on
                emit(b_start, b_end, "obligation", out[-1].subject, condition, None)
                continue
            agent = re.search(r"由([^，。；]{2,60})", stripped)
            named = _np(agent.group(1)) if agent else None
            if named is None or named.role != "actor":
                purpose = stripped.startswith(("为了", "为", "在", "对", "根据", "依照"))
                named = None if purpose else _np(stripped)
            subject = named.text if named and named.role == "actor" else None
            emit(b_start, b_end, "principle", subject, condition if agent else None, None)
            continue
        for n, (start, end, kind, subject, cond, at) in enumerate(pending):
            # The first norm of a sentence runs from its start: subject, condition, context.
            if n == 0:
                start = b_start
            if kind == "obligation" and _APPLY_RULES.search(text[start:end].rstrip("。；;！？!? ")):
                kind = "referral"  # 应当依照《…》的规定处置: the whole content is other rules
            if kind not in ("prohibition", "principle") and _is_sanction(cond, consequence):
                kind = "sanction"
            limit = exception.group() if exception and exception.start() < end - s_start else None
            if limit is None and exception and n == len(pending) - 1:
                limit = exception.group()
            emit(start, end, kind, subject, cond, limit, at if kind != "sanction" else None)
    return out


def _is_condition(clause: str) -> bool:
    clause = _LEAD.sub("", clause.strip())
    if clause.startswith("除"):
        return False
    return (
        bool(_CONDITION.search(clause))
        or (clause.endswith("时") and clause not in ("同时", "届时", "及时", "随时", "适时"))
        or clause.startswith("如有")
    )


def _is_sanction(condition: str | None, consequence: str) -> bool:
    return bool(condition and _VIOLATION.search(condition) and _SANCTION_VERB.search(consequence))


def _punished(
    condition: str | None, consequence: str, carried: str | None, tier: str | None
) -> str | None:
    """Who a sanction punishes: the individuals when only they are named (…的，对直接负责的
    主管人员…依法给予处分), else the violator the condition names, else the previous tier's."""
    m = _INDIVIDUALS.match(consequence.lstrip("，, "))
    if m:
        return m.group(1)
    if condition:
        named = _np(condition)
        if named is not None and named.role == "actor":
            return named.text
        return tier
    return carried or tier


def _special(body: str, definitions: dict[str, str], modal: bool) -> tuple[str, str | None] | None:
    """Definitions, commencement, interpretation and referrals: (kind, subject)."""
    if (m := _DEFINITION.search(body)) and not _modal_in(body[: m.start()]):
        subject = m.group(1).strip().removeprefix("的")
        definitions.setdefault(subject, m.group(2).strip())
        return "definition", subject
    if not modal:
        for pattern in _DEFINES:
            if m := pattern.search(body):
                return "definition", m.group(1).strip().removeprefix("的")
    if (_COMMENCEMENT.search(body) and len(body) < 80) or _REPEAL.search(body):
        return "commencement", None
    if m := _INTERPRETATION.search(body):
        return "interpretation", m.group(1).strip()
    if modal:
        return None
    if m := _ANOTHER_RULE.search(body):
        return "referral", _subject_of(m.group(1))
    if _REFERRAL.search(body) and not _SANCTION_VERB.search(body):
        return "referral", _subject_of(body)
    return None


def _refs(text: str, article: Node, unit: _Unit) -> tuple[str, ...]:
    refs: list[str] = []
    for m in _INTERNAL_REF.finditer(text):
        base = cn_number(m.group(1))
        eid = f"art_{base}-{cn_number(m.group(2))}" if m.group(2) else f"art_{base}"
        if m.group(3):
            eid += f"__para_{cn_number(m.group(3))}"
        if m.group(4):
            eid += (
                f"__item_{cn_number(m.group(4))}"
                if m.group(3)
                else f"__para_1__item_{cn_number(m.group(4))}"
            )
        if m.group(5):
            refs.extend(f"art_{n}" for n in range(base, cn_number(m.group(5)) + 1))
        else:
            refs.append(eid)
    for m in _PREVIOUS.finditer(text):
        here = re.search(r"__para_(\d+)", unit.eid)
        if here:
            n = int(here.group(1))
            count = {"两": 2, "三": 3}.get(m.group(1) or "", 1)
            refs.extend(f"{article.eid}__para_{p}" for p in range(max(1, n - count), n))
    refs.extend(f"《{m.group(1)}》" for m in _EXTERNAL_REF.finditer(text))
    return tuple(dict.fromkeys(refs))


def _link_sanctions(doc: Document, norms: list[Norm]) -> list[Norm]:
    """A sanction enforces what it names: 违反本法第X条 → that article's norms; 违反本规定 →
    the whole document's duties and bans."""
    duties = [n for n in norms if n.kind in ("obligation", "prohibition")]
    out = []
    for norm in norms:
        if norm.kind != "sanction":
            out.append(norm)
            continue
        cited = [r for r in norm.refs if r.startswith("art_")]
        if cited:
            enforced = [
                d.eid
                for d in duties
                if any(d.eid == c or d.eid.startswith(c + "__") for c in cited)
            ]
        elif re.search(
            r"违反本(?:法|条例|规定|办法|细则|决定|规则)", norm.text + (norm.condition or "")
        ):
            enforced = [d.eid for d in duties]
        else:
            enforced = []
        out.append(replace(norm, enforces=tuple(dict.fromkeys(enforced))))
    return out


# ---------------------------------------------------------------------------------------------
# The subject hierarchy


# Role nouns that stand after a kind of person to make a narrower kind of it (党员干部 is a
# 党员 who is a 干部): only these make a subject a kind of the subject it starts with. Other
# beginnings modify what follows (个人信息处理者 processes 个人信息; it is no 个人).
_ROLE_AFTER = re.compile(r"(?:领导)?干部|领导(?:人员)?|代表|委员|职工|工作人员|负责人")


_CONJUNCTION = re.compile(r"、|以及|及其|或者|和|及|与|或")


def subject_hierarchy(subjects: Iterable[str]) -> dict[str, list[str]]:
    """Each subject's parents: the subjects it is a kind of — those it ends with, its head
    noun (军队党员 → 党员, 县级以上地方人民政府 → 地方人民政府), and those it starts with when
    a role noun follows (党员干部 → 党员) — and the everyone-subjects (任何组织和个人) above
    all."""
    names = sorted({s for s in subjects if s})
    parents: dict[str, list[str]] = {}
    for name in names:
        ups = [
            other
            for other in names
            if other != name
            and other not in EVERYONE
            and len(other) >= 2
            and (
                name.endswith(other)
                or (name.startswith(other) and _ROLE_AFTER.fullmatch(name[len(other) :]))
            )
        ]
        if name not in EVERYONE:
            ups += [e for e in names if e in EVERYONE]
        parents[name] = ups
    return parents


def applies_to(norm_set: NormSet, subject: str) -> list[tuple[Norm, str]]:
    """The norms that bind `subject`, each with why: addressed to it, or to a subject it is a
    kind of, or to everyone."""
    subjects = {n.subject for n in norm_set.norms if n.subject} | {subject}
    parents = subject_hierarchy(subjects)
    ancestors: dict[str, str] = {subject: f"addressed to {subject}"}
    frontier = [subject]
    while frontier:
        current = frontier.pop()
        for parent in parents.get(current, []):
            if parent in ancestors:
                continue
            if parent in EVERYONE:
                ancestors[parent] = f"{parent} binds everyone, {subject} included"
            else:
                ancestors[parent] = f"{subject} is a kind of {parent}" + (
                    f" (via {current})" if current != subject else ""
                )
            frontier.append(parent)
    out = []
    for norm in norm_set.norms:
        if not norm.subject:
            continue
        if norm.subject in ancestors:
            out.append((norm, ancestors[norm.subject]))
            continue
        # a coordination binds each of its members: 用人单位和个人, 公民、法人和其他组织
        named = [c for c in _CONJUNCTION.split(norm.subject) if c in ancestors]
        if named and norm.subject not in EVERYONE:
            reason = ancestors[named[0]]
            out.append((norm, f"{norm.subject} names {named[0]}: {reason}"))
    return out
