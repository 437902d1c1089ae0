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

Subjects are recognised from the document itself: a short noun phrase standing right before a
modal word (党员不得…, 各级党组织应当…) is a subject, and a longer phrase starting with a known
subject is cut to it (党员网络行为应当… → 党员). The hierarchy relates them: a subject that starts
or ends with another (党员干部, 军队党员 → 党员) is one of its kinds, and 任何组织和个人 binds
everyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from fagui.model import Document, Node
from fagui.parse import cn_number

__all__ = ["Norm", "NormSet", "applies_to", "extract_norms", "subject_hierarchy"]

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
    ("鼓励", "encouragement"), ("提倡", "encouragement"),
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
    + r"|(?<![许认宁不即无])可(?=[根依按向自予申提请采决处责委])"
)
_KIND_OF = dict(_MODALS) | {"须": "obligation", "应": "obligation", "可": "permission"}
# A modal word that is not one: 不得不, 负责人, 主管部门 (a noun), 支持下, 可以下
_NOT_MODAL = re.compile(
    r"禁止[^，。；、]{0,8}的(?![，,])|(?<=依法)应当[^，。；、]{0,6}的(?![，,])|禁止吸烟(?:场所|区域|公共场所|标识)|"
    r"不准确|负责人|负责的|主管部门|主管机关|主管单位|主管人员|承担的|享有的|须知|可以下|支持下|"
    r"承担(?:民事|行政|刑事|法律|赔偿)"
)

_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_CLAUSE = re.compile(r"[^，,：:]+[，,：:]?")
_CONDITION = re.compile(r"的$|有下列(?:情形|行为|情况)之一的$|同时具备下列条件的?$|下列条件$")
_EXCEPTION = re.compile(
    r"但是?[^。；]*?除外|除[^，。；]{1,40}外(?![，,]?\s*还)|(?:法律|行政法规|国家)[^，。；]{0,12}另有规定的[，,]?从其规定"
)
_SANCTION_VERB = re.compile(
    r"追究[^，。；]{0,6}责任|处[^，。；]{0,20}(?:罚款|拘留|以下|徒刑|警告)|"
    r"给予[^。；]{0,30}(?:处分|处罚|警告)|承担[^，。；]{0,6}(?:民事|赔偿|法律)责任|"
    r"列入[^，。；]{0,10}名录|关闭[^，。；]{0,20}网站|"
    r"责令[^，。；]{0,20}(?:改正|停止|停业|关闭)|没收|吊销|依规依纪|依法处理|按照有关法律规定处理|"
    r"依法追究|构成犯罪的"
)
_VIOLATION = re.compile(
    r"违反|有下列[^，。]{0,6}(?:行为|情形)之一|未按照|未依照|拒不|擅自|情节(?:较重|严重)|造成[^，。；]{0,12}的"
)
_DEFINITION = re.compile(
    r"(?:所称|本[^，。；]{0,6}称|^(?:[（(][一二三四五六七八九十\d]+[）)])?)"
    r"([^，。；“”]{1,30}?)[，,]?(?:是指|指的是|系指)(.+)"
)
_COMMENCEMENT = re.compile(r"自[^，。；]{1,30}起(?:施行|执行|生效)|同时废止|不溯及")
_INTERPRETATION = re.compile(r"由([^，。；]{2,80}?)负责解释")
_REFERRAL = re.compile(r"(?:按照|依照|参照|适用)[^，。；]{1,60}(?:执行|办理|处理)$")
_APPLY_RULES = re.compile(
    r"^(?:应当)?(?:依照|按照|参照|适用)[^，。；]{1,60}(?:规定|办法|执行|处理|处置)$"
)
_INTERNAL_REF = re.compile(
    r"(?:本(?:法|条例|规定|办法|细则|解释|决定|规则))?第([零〇一二三四五六七八九十百千两\d]+)条"
    r"(?:之([一二三四五六七八九十]+))?(?:第([一二三四五六七八九十]+)款)?(?:第([一二三四五六七八九十]+)项)?"
    r"(?:至第([零〇一二三四五六七八九十百千两\d]+)条)?"
)
_EXTERNAL_REF = re.compile(r"《([^》]{2,60})》")
_PREVIOUS = re.compile(r"前(两|三)?款")
# Where a subject phrase ends when it runs into its verb or an adverbial.
_SUBJECT_END = re.compile(
    r"(?:在|对|向|通过|按照|依照|依法|根据|将|把|为|与|从事|利用|以(?![上下])|因|经|自(?!治)|应|不|可|"
    r"须|必|"
    r"及时|严格|积极|主动|共同|分别|统一|依规|依纪|均|都|也|还|另|要|会同|加强|建立|"
    r"制定|开展|负|承担|实施|发现|违反|注册|使用|管理|发布|提供|收集|处理|落实|推动|"
    r"坚持|实行|采取|鼓励|支持|推进|保护|促进|设立|规定|保障|指导|协调|统筹|确定|"
    r"是|有|予以|给予|对于|关于|即)"
)
_EVERYONE = ("任何组织和个人", "任何组织或者个人", "任何单位和个人", "任何单位或者个人", "任何人")


def _modal_in(clause: str) -> re.Match[str] | None:
    for m in _MODAL.finditer(clause):
        if _NOT_MODAL.match(clause, m.start()) or clause.startswith("不得不", m.start()):
            continue
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


def _subjects(doc: Document) -> list[str]:
    """Subjects the document names: short phrases right before a modal word."""
    found: dict[str, int] = {}
    for article in doc.articles():
        for sentence in _SENTENCE.findall(article.full_text()):
            for clause in _CLAUSE.findall(sentence):
                m = _modal_in(clause)
                if not m:
                    continue
                before = clause[: m.start()].strip("，,：: ")
                if 1 < len(before) <= 16 and not re.search(r"[的在对向通将把为与以、]$", before):
                    found[before] = found.get(before, 0) + 1
    # A phrase met once that starts with a subject met more often is that subject doing
    # something (党员网络行为 → 党员), not a subject of its own.
    frequent = [p for p, n in found.items() if n > 1]
    known = [
        p for p, n in found.items()
        if n > 1 or not any(p != f and p.startswith(f) for f in frequent)
    ]  # fmt: skip
    return sorted({*known, *_EVERYONE}, key=len, reverse=True)


# Words that open a clause but name no one: adverbials of time and manner, connectives.
_NOT_SUBJECT = re.compile(
    r"^(?:或者|并且|并|其中|以及|但是|但|同时|此外|必要时|确需|一般|终身|当年|处罚|由)$|[时内后前]$"
)
_LABEL = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[一二三四五六七八九十]+、)"
)


def _subject_of(phrase: str, known: list[str]) -> str | None:
    phrase = _LABEL.sub("", phrase.strip("，,：:；; ")).strip()
    if not phrase:
        return None
    for subject in known:
        if phrase.startswith(subject):
            return subject
    cut = _SUBJECT_END.search(phrase)
    head = phrase[: cut.start()] if cut else phrase
    head = head.strip("，,、 ")
    if _NOT_SUBJECT.search(head):
        return None
    return head if 1 < len(head) <= 24 else None


def extract_norms(doc: Document) -> NormSet:
    """The norms, definitions and references of a parsed regulation."""
    known = _subjects(doc)
    norms: list[Norm] = []
    definitions: dict[str, str] = {}
    for article in doc.articles():
        full = article.full_text()
        for unit in _units(article):
            norms.extend(_norms_in(article, unit, known, definitions, full))
    norms = _link_sanctions(doc, norms)
    return NormSet(doc.title, tuple(norms), definitions, doc.source)


def _norms_in(
    article: Node, unit: _Unit, known: list[str], definitions: dict[str, str], full: str
) -> Iterator[Norm]:
    text = unit.text
    carried: str | None = None  # the subject, carried across clauses and ；-joined sentences
    for sm in _SENTENCE.finditer(text):
        sentence = sm.group()
        s_start = sm.start()
        if s_start and text[s_start - 1] in "。！？!?":
            carried = None
        exception = _EXCEPTION.search(sentence)
        clauses = [(m.start(), m.group()) for m in _CLAUSE.finditer(sentence)]
        special = _special(article, unit, sentence, s_start, definitions, known, carried)
        if special is not None:
            carried = carried or special.subject
            yield special
            continue
        condition: str | None = None
        # The modal clauses of the sentence: [start, end, kind, subject]; a clause without a
        # modal word after one extends it (应当A，B，C is one obligation).
        pending: list[list[Any]] = []
        for c_start, clause in clauses:
            body = clause.rstrip("，,：:")
            m = _modal_in(body)
            if m is None:
                if pending:
                    pending[-1][1] = c_start + len(body)
                    continue
                if _CONDITION.search(body) and not body.startswith("除"):
                    condition = (condition + "，" + body) if condition else body
                    carried = carried or _subject_of(body, known)
                elif carried is None:
                    carried = _subject_of(body, known)
                continue
            kind = _KIND_OF[m.group()]
            before = body[: m.start()]
            if pending and pending[-1][2] == kind and before.strip() in ("也", "亦", "或者", "并"):
                pending[-1][1] = c_start + len(body)  # 可以A，也可以B: one permission
                continue
            if kind == "encouragement" and pending and pending[-1][2] == "obligation":
                pending[-1][1] = c_start + len(body)  # 应当…，鼓励… is one duty: to encourage
                continue
            if _APPLY_RULES.match(body[m.start() if kind == "obligation" else m.end() :].strip()):
                kind = "referral"
            if kind == "encouragement":
                subject = _subject_of(body[m.end() :].lstrip("和及支持鼓励"), known)
            else:
                subject = _subject_of(before, known) if before.strip() else None
                subject = subject or carried
                carried = carried or subject
            pending.append([c_start, c_start + len(body), kind, subject])
        sanction = _SANCTION_VERB.search(sentence) and (condition or _VIOLATION.search(sentence))
        if sanction and not any(p[2] == "prohibition" for p in pending):
            # 违反……的，由……责令改正，……可以并处罚款: one sanction per tier, whatever modal
            # words its consequence uses
            pending = []
            norm = _sanction(article, unit, sentence, s_start, condition, known, carried)
            if norm:
                yield norm
            continue
        if not pending:
            if "__item_" in unit.eid or "__point_" in unit.eid:
                continue  # a list entry completes its lead-in (有下列情形之一的：), not a rule
            principle = _principle(article, unit, sentence, s_start, known)
            if principle:
                yield principle
            continue
        for n, (start, end, kind, subject) in enumerate(pending):
            # The first norm of a sentence runs from its start: subject, condition, context.
            span_start = len(sentence) - len(sentence.lstrip()) if n == 0 else start
            norm_text = sentence[span_start:end]
            offset = unit.offset + s_start + span_start
            strength = "strict" if re.search("严禁|决不允许", norm_text) else "normal"
            if kind != "prohibition" and _is_sanction(condition, sentence):
                kind = "sanction"
            action = _action(norm_text)
            yield Norm(
                article=article.num or "",
                eid=unit.eid,
                kind=kind,
                subject=subject,
                text=norm_text,
                span=(offset, offset + len(norm_text)),
                strength=strength,
                action=action,
                condition=condition,
                exception=exception.group() if exception else None,
                refs=_refs(norm_text, article, unit),
            )
            assert full[offset : offset + len(norm_text)] == norm_text


def _is_sanction(condition: str | None, sentence: str) -> bool:
    return bool(condition and _VIOLATION.search(condition) and _SANCTION_VERB.search(sentence))


def _special(
    article: Node,
    unit: _Unit,
    sentence: str,
    s_start: int,
    definitions: dict[str, str],
    known: list[str],
    carried: str | None,
) -> Norm | None:
    """Definitions, commencement, interpretation, sanctions without a modal, referrals."""
    body = sentence.rstrip("。；; ")
    kind: str | None = None
    subject: str | None = None
    m = _DEFINITION.search(body)
    if m and not _modal_in(body[: m.start()]):
        kind, subject = "definition", m.group(1).strip()
        definitions.setdefault(subject, m.group(2).strip())
    elif _COMMENCEMENT.search(body) and len(body) < 80:
        kind = "commencement"
    elif m := _INTERPRETATION.search(body):
        kind, subject = "interpretation", m.group(1).strip()
    elif (
        _SANCTION_VERB.search(body)
        and (_VIOLATION.search(body) or "的，" in body or "的," in body)
        and not _modal_in(body)
    ):
        kind = "sanction"
        head = re.split(r"[，,]", body, maxsplit=1)[0]
        subject = next((k for k in known if head.startswith(k)), None) or carried
    elif _REFERRAL.search(body) and not _modal_in(body):
        kind = "referral"
        subject = _subject_of(body, known)
    if kind is None:
        return None
    text = body
    offset = unit.offset + s_start
    condition = None
    if kind == "sanction":
        parts = re.split(r"(?<=的)[，,]", body)
        condition = "，".join(parts[:-1]) if len(parts) > 1 else None
    return Norm(
        article=article.num or "",
        eid=unit.eid,
        kind=kind,
        subject=subject,
        text=text,
        span=(offset, offset + len(text)),
        condition=condition,
        refs=_refs(text, article, unit),
    )


def _sanction(
    article: Node,
    unit: _Unit,
    sentence: str,
    s_start: int,
    condition: str | None,
    known: list[str],
    carried: str | None,
) -> Norm | None:
    body = sentence.rstrip("。；; ")
    lead = len(body) - len(body.lstrip())
    body = body.strip()
    offset = unit.offset + s_start + lead
    head = re.split(r"[，,]", body, maxsplit=1)[0]
    subject = next((k for k in known if head.startswith(k)), None) or carried
    return Norm(
        article=article.num or "",
        eid=unit.eid,
        kind="sanction",
        subject=subject,
        text=body,
        span=(offset, offset + len(body)),
        condition=condition,
        refs=_refs(body, article, unit),
    )


def _principle(
    article: Node, unit: _Unit, sentence: str, s_start: int, known: list[str]
) -> Norm | None:
    body = sentence.rstrip("。；; ")
    if len(body) < 4:
        return None
    offset = unit.offset + s_start
    subject = (
        None
        if body.startswith(("为了", "为", "在", "对", "根据", "依照"))
        else _subject_of(re.split(r"[，,]", body, maxsplit=1)[0], known)
    )
    return Norm(
        article=article.num or "",
        eid=unit.eid,
        kind="principle",
        subject=subject,
        text=body,
        span=(offset, offset + len(body)),
        refs=_refs(body, article, unit),
    )


def _action(text: str) -> str | None:
    m = _modal_in(text)
    if not m:
        return None
    return text[m.end() :].strip("，,：: ") or None


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


def subject_hierarchy(subjects: Iterable[str]) -> dict[str, list[str]]:
    """Each subject's parents: the subjects it is a kind of (党员干部 → 党员), and the
    everyone-subjects (任何组织和个人) above all."""
    names = sorted({s for s in subjects if s})
    parents: dict[str, list[str]] = {}
    for name in names:
        ups = [
            other
            for other in names
            if other != name
            and other not in _EVERYONE
            and len(other) >= 2
            and (name.startswith(other) or name.endswith(other))
        ]
        if name not in _EVERYONE:
            ups += [e for e in names if e in _EVERYONE]
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
            if parent in _EVERYONE:
                ancestors[parent] = f"{parent} binds everyone, {subject} included"
            else:
                ancestors[parent] = f"{subject} is a kind of {parent}" + (
                    f" (via {current})" if current != subject else ""
                )
            frontier.append(parent)
    out = []
    for norm in norm_set.norms:
        if norm.subject in ancestors:
            out.append((norm, ancestors[norm.subject]))
    return out
