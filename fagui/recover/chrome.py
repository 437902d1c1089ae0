"""The chrome pass: site furniture around and inside the regulation."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from itertools import chain, compress, dropwhile, filterfalse
from typing import Any

import regex

from fagui.recover.chars import _HALF_MARKS, _NUM, _char_class, _spans
from fagui.recover.edits import _EditTuple
from fagui.recover.script import _t2s, converter

_CHROME_RULES: tuple[tuple[str, str], ...] = (
    (r"^(?:分享到|分享至|转发到|一键分享)", "share bar"),
    (r"^(?:扫码|扫一扫|扫描二维码|长按识别|关注(?:我们|公众号|微信))", "ad"),
    (
        r"^(?:【)?(?:上一篇|下一篇|上一条|下一条|上一页|下一页|相关(?:阅读|文章|链接|新闻))",
        "previous/next or related links",
    ),
    (
        r"^(?:返回顶部|返回首页|返回列表|打印本页|关闭窗口|【\s*打印\s*】|【\s*关闭\s*】|收藏本页)",
        "page tools",
    ),
    (r"^(?:当前位置|您的位置|您现在的位置|所在位置)", "breadcrumb"),
    (r"首页\s*[>›»/＞]|[>›»＞]\s*正文", "breadcrumb"),
    (
        r"^(?:责任编辑|编辑|作者|来源|审核|审校|校对|发布时间|发布日期|发文时间|浏览次数|阅读次数|"
        r"点击数|字号|字体)\s*[:：]",
        "byline",
    ),
    (r"^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*\d{1,2}:\d{2}", "byline"),
    (
        r"(?:作者|来源|审核|编辑|浏览次数|阅读)\s*[:：].*(?:作者|来源|审核|编辑|浏览次数|阅读|点击)\s*[:：]",
        "byline",
    ),
    (r"字[号体][:：]?\s*【?\s*大\s*中\s*小", "page tools"),
    (
        r"版权所有|(?:Copyright|©|\(c\))\s*(?:\d{4}|版权)|ICP备|ICP证|公网安备|技术支持\s*[:：]|主办单位\s*[:：]|"
        r"承办单位\s*[:：]|联系我们|网站地图|网站导航|网站\S{0,6}地图|免责声明",
        "site footer",
    ),
    (
        r"本文来源|文章来源|转载请注明|更多\S{0,8}请(?:访问|登录|关注)|更多法规|更多资讯|获取更多|"
        r"下载\S{0,4}APP|请访问\S{0,20}(?:www|http)",
        "watermark or ad",
    ),
    (r"^[^，。；：]{0,20}首页$", "site navigation"),
    (r"^(?:[^|｜丨，。]{1,10}\s*[|｜丨]\s*){2,}[^|｜丨，。]{1,10}$", "site navigation"),
)


def _both_scripts(pattern: str) -> str:
    """The pattern plus its traditional-script spelling, so chrome is found in either."""
    spellings = dict.fromkeys(
        [pattern, converter("s2t").convert(pattern), converter("s2tw").convert(pattern)]
    )
    return "|".join(f"(?:{p})" for p in spellings)


@functools.lru_cache(maxsize=1)
def _chrome_rules() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The chrome rules in two patterns, those anchored at the start of the line (matched there
    only) and the others; the name of the group that matched tells the rule.

    The floating rules are searched where one of them could start (`_firsts`): elsewhere the
    stdlib rejects a character at once, where it would enter each rule's group (its own quick
    look for a first character sees no further than a group); so searched, the stdlib finds them
    quicker than `regex` (1.2 → 0.4 µs a line the anchored rules miss, over the benchmark's
    copies). They read `\\d` as `regex` does (its digits, more than the stdlib's, written out);
    as they read lines without spaces, the rest of them reads alike in both."""
    floating = _rule_groups(anchored=False)
    firsts = _firsts(_parse(floating))
    if firsts is not None:
        floating = f"(?=[{_char_class(sorted(map(ord, firsts)))}])(?:{floating})"
    digit = f"[{_char_class(sorted(map(ord, _digits())))}]"
    return re.compile(_rule_groups(anchored=True)), re.compile(floating.replace(r"\d", digit))


def _rule_groups(*, anchored: bool) -> str:
    """The rules anchored at the start of the line, or the others, as one pattern: a group a
    rule, named r and its number (no rule writes \\d in a class, nor a backslash before one)."""
    return "|".join(
        f"(?P<r{i}>{_both_scripts(p)})"
        for i, (p, _) in enumerate(_CHROME_RULES)
        if p.startswith("^") == anchored
    )


_SENTENCE_END = "。；;"
_STRUCTURAL = regex.compile(
    rf"^\s*(?:第[{_NUM}]+(?:编|分编|章|节|条|部分)|序\s*言|目\s*录|[一二三四五六七八九十]+、|"
    rf"（[一二三四五六七八九十]+）|[（(]\d{{4}}年)"
)
_DOC_TYPES = (
    "法|条例|规定|办法|细则|决定|解释|规则|准则|意见|通知|批复|答复|公告|决议|章程|纲要|修正案|"
    "安排|方案|命令|标准|制度|守则|规范|规程|要点|指引|指南|清单|答复|函"
)
_TITLE = regex.compile(
    rf"^[^，。；：:,;《》]{{2,80}}(?:{_DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$"
)
_INLINE_CHROME = ("watermark or ad", "ad")  # chrome that also stands inside the text
_LIST_ITEM = regex.compile(rf"^\s*(?:[{_NUM}]+[．.、]|[（(][{_NUM}]+[)）])")
_HEADLINE = re.compile(r"印发|转发|全文|(?:发布|公布|出台)《|》(?:发布|公布|出台|正式)")


_Tree = dict[str, "_Tree"]  # an atom → the tree of what follows it ("" ends a needle)


def _trie(needles: set[_Needle], between: str) -> str:
    """A pattern matching where one of the `needles` starts, with `between` between their
    atoms: the needles as a tree of their prefixes (上一(?:篇|条)), so that the stdlib tries
    each atom once rather than each needle; a needle that another starts with stands for
    both, as one is found where the other is."""
    tree: _Tree = {}
    for needle in sorted(_literal_first(needles), key=len):
        node = tree
        for atom in needle:
            if node.get("") is not None:  # a shorter needle ends here
                break
            node = node.setdefault(atom, {})
        else:
            node.clear()
            node[""] = {}

    def branches(node: _Tree) -> str:
        alternatives = [
            _atom_pattern(atom) + (between + rest if (rest := branches(child)) else "")
            for atom, child in sorted(node.items())
            if atom
        ]
        if len(alternatives) > 1:
            return f"(?:{'|'.join(alternatives)})"
        return "".join(alternatives)

    return branches(tree)


def _parse(pattern: str) -> list[tuple[Any, Any]] | None:
    """The pattern as the stdlib parses it, or None if that parser is not at hand (it is
    CPython's, not a public API)."""
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        return None
    return list(_parser.parse(pattern).data)


# A string a pattern needs, as its atoms: the characters that may stand in each place (分,
# 到至, the digits).
_Needle = tuple[str, ...]


def _literal_first(needles: set[_Needle]) -> set[_Needle]:
    """The needles, each starting with one character (a needle without the atoms before its
    first literal is still a needle), which the stdlib looks for quickly: from the first atom
    of a few characters that are not all half-width marks, if there is one. The stdlib tries
    the needles at each character one starts with, and a copy that writes its punctuation
    half-width is full of those marks: (c) is looked for as c), not at every (."""
    found: set[_Needle] = set()
    for needle in needles:
        small = [i for i, atom in enumerate(needle) if len(atom) <= 8] or [0]
        first = next((i for i in small if not set(needle[i]) <= set(_HALF_MARKS)), small[0])
        found.update((char, *needle[first + 1 :]) for char in needle[first])
    return found


def _atom_pattern(atom: str) -> str:
    return re.escape(atom) if len(atom) == 1 else f"[{_char_class(sorted(map(ord, atom)))}]"


def _needles(items: list[tuple[Any, Any]] | None, *, compact: bool = False) -> set[_Needle] | None:
    """Strings of which every match of the parsed pattern holds at least one: a run of
    characters it matches one by one (literals, small classes of them, digits, or the first
    and last of a repeat of one), carried on through a group that matches one of a few such
    runs (相关(?:阅读|文章) needs 相关阅读 or 相关文章) and, when the pattern reads text without
    spaces (`compact`), through \\s*; or the needles of a group or a repeated part it cannot
    do without, or of every branch of an alternation; the strongest found (see `_strength`,
    then the fewest). None when the pattern needs none that this finds."""
    if items is None:
        return None
    from re import _constants as c  # type: ignore[attr-defined]

    found: list[set[_Needle]] = []
    runs: set[_Needle] = {()}  # the runs that end here, one of which a match holds
    for op, av in [*items, (None, None)]:
        if (atom := _atom(op, av)) is not None:
            runs = {(*run, atom) for run in runs}
            continue
        if compact and _spaces(op, av):
            continue
        choices = _choices([(op, av)], compact) if op in (c.SUBPATTERN, c.BRANCH) else None
        if choices is not None and len(runs) * len(choices) <= _MAX_CHOICES:
            runs = {(*run, *choice) for run in runs for choice in choices}
            continue
        repeated = op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1
        if repeated and len(av[2]) == 1 and (atom := _atom(*next(iter(av[2])))) is not None:
            runs = {(*run, atom) for run in runs}  # the first of the repeat follows the run
            if av[1] != 1:  # and what follows the repeat follows its last
                found.append(runs)
                runs = {(atom,)}
            continue
        if all(runs):
            found.append(runs)
        runs = {()}
        if op is c.SUBPATTERN:
            found.append(_needles(list(av[3]), compact=compact) or set())
        elif op is c.BRANCH:
            branches = [_needles(list(b), compact=compact) or set() for b in av[1]]
            found.append(set[_Needle]().union(*branches) if all(branches) else set())
        elif repeated:
            found.append(_needles(list(av[2]), compact=compact) or set())
    found = [needs for needs in found if needs]
    if not found:
        return None
    return max(found, key=lambda needs: (min(map(_strength, needs)), -len(needs)))


_MAX_CHOICES = 64  # runs a needle may be carried on into


def _choices(items: list[tuple[Any, Any]], compact: bool) -> set[_Needle] | None:
    """The runs of characters (as `_needles` reads them) of which the parsed items match
    one and nothing else: a word, a group of a few (?:阅读|文章); None for anything else."""
    from re import _constants as c  # type: ignore[attr-defined]

    runs: set[_Needle] = {()}
    for op, av in items:
        if (atom := _atom(op, av)) is not None:
            runs = {(*run, atom) for run in runs}
        elif compact and _spaces(op, av):
            continue
        elif op in (c.SUBPATTERN, c.BRANCH):
            ends: set[_Needle] = set()  # what the group's branches match
            for branch in [list(av[3])] if op is c.SUBPATTERN else [list(b) for b in av[1]]:
                if (choices := _choices(branch, compact)) is None:
                    return None
                ends |= choices
            runs = {(*run, *end) for run in runs for end in ends}
        else:
            return None
        if len(runs) > _MAX_CHOICES:
            return None
    return runs


def _spaces(op: Any, av: Any) -> bool:
    """True for \\s* (which matches nothing in a text without spaces)."""
    from re import _constants as c  # type: ignore[attr-defined]

    repeat = op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] == 0
    return repeat and list(av[2]) == [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])]


def _strength(needle: _Needle) -> int:
    """How rarely a needle is found: a literal counts twice what a class does."""
    return sum(2 if len(atom) == 1 else 1 for atom in needle)


def _atom(op: Any, av: Any) -> str | None:
    """The characters that may stand where a parsed item matches one: a literal, a small class
    of literals or a digit (as `regex`'s \\d has them, which holds the stdlib's)."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return chr(av)
    if op is c.IN and len(av) <= 8 and all(o is c.LITERAL for o, _ in av):
        return "".join(sorted({chr(a) for _, a in av}))
    if op is c.IN and list(av) == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
        return _digits()
    return None


def _firsts(items: list[tuple[Any, Any]] | None, *, stripped: bool = False) -> str | None:
    """The characters a match of the parsed pattern may start with: those of its first part (a
    literal, a class of them, a digit as `regex` has them), of every branch of a group, or of a
    repeat it cannot skip; None when that part may match nothing or start with any character.
    With `stripped`, of a match at the start of a line that starts with no space, where a
    leading ^ or \\s* matches nothing."""
    from re import _constants as c  # type: ignore[attr-defined]

    if stripped:
        items = list(dropwhile(lambda item: item[0] is c.AT or _spaces(*item), items or []))
    if not items:
        return None
    op, av = items[0]
    if op is c.IN and all(o is c.LITERAL for o, _ in av):
        return "".join(chr(a) for _, a in av)
    if (atom := _atom(op, av)) is not None:
        return atom
    if op is c.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags
        return _firsts(list(av[3]), stripped=stripped)
    if op is c.BRANCH:
        chars: set[str] = set()
        for branch in av[1]:
            if (found := _firsts(list(branch), stripped=stripped)) is None:
                return None
            chars.update(found)
        return "".join(sorted(chars))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
        return _firsts(list(av[2]), stripped=stripped)
    return None


# The characters a structural line starts with, after its spaces (None: any).
_STRUCTURAL_FIRSTS = _firsts(_parse(_STRUCTURAL.pattern), stripped=True)


@functools.cache
def _line_needles() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None:
    """Patterns that find the lines that hold a string some chrome rule needs where the rule
    could match it, each match running to the end of its line: (anywhere in a line, at the
    start of the first line read, at the start of a line after its newline); None when some
    rule needs none.

    A rule anchored at the start of the line (^) matches the line read without the spaces and
    bullets before it (`_chrome_rule`), none of them a word character (tests/test_recover.py
    checks it): its line starts, after characters that are not word characters, with one of
    the strings its matches start with (`_start_needles`), and is looked for there alone. Read
    anywhere, those strings start with common characters of the text (当前位置 with the 当 of
    应当, 上一篇 with the 一 of 第一条): the stdlib tries the needles at each such character,
    ~100 ns each, and half of the ~340,000 it tried over the benchmark's polluted copies were
    theirs; looked for after each newline instead, they cost a quarter of that (the wrap pass's
    needle scan: 57 → 42 ms). The needles of the other rules, and of an anchored rule whose
    matches start with none that `_start_needles` finds, are looked for anywhere. The chrome
    pass, which reads a line at a time, looks for them alike (`_holds_needle`)."""
    anywhere: set[_Needle] = set()
    at_start: set[_Needle] = set()
    for rule, _ in _CHROME_RULES:
        parsed = _parse(_both_scripts(rule))
        if rule.startswith("^") and (starts := _start_needles(parsed)) is not None:
            at_start |= starts
        elif (needs := _needles(parsed, compact=True)) is not None:
            anywhere |= needs
        else:
            return None
    spaces = r"[^\S\n]*"  # between the characters: the rules read lines without spaces
    # A needle is looked for after a newline only where the line starts with one of the
    # characters needles start with, which fails most lines quicker than the needles do.
    firsts = _char_class(sorted({ord(needle[0]) for needle in _literal_first(at_start)}))
    start = rf"[^\w\n]*+(?=[{firsts}])(?:{_trie(at_start, spaces)})[^\n]*"
    return (
        re.compile(f"(?:{_trie(anywhere, spaces)})[^\n]*" if anywhere else "(?!)"),
        re.compile(start if at_start else "(?!)"),
        re.compile(f"\n{start}" if at_start else "(?!)"),
    )


@functools.cache
def _holds_needle() -> Callable[[str], object]:
    """A test of whether a line holds one of the strings some chrome rule needs where the rule
    could find it (`_line_needles`, as the wrap pass looks for them): a line that holds none
    matches no rule."""
    patterns = _line_needles()
    if patterns is None:
        return bool
    anywhere, first = patterns[0].search, patterns[1].match

    def holds(line: str) -> object:
        return anywhere(line) or first(line)

    return holds


def _start_needles(items: list[tuple[Any, Any]] | None) -> set[_Needle] | None:
    """Strings (as `_needles` has them) one of which starts every match of the parsed pattern,
    after its ^, its \\s* (nothing in a line without spaces) and its optional bullets ((?:【)?),
    and after any of their first characters that are not word characters, as the bullets
    before them are read (`_line_needles`); None when it has none that this finds."""
    from re import _constants as c  # type: ignore[attr-defined]

    runs: set[_Needle] = {()}
    for op, av in items or []:
        first = runs == {()}
        if _spaces(op, av) or (first and (op is c.AT or _bullet(op, av))):
            continue
        choices = _choices([(op, av)], compact=True)
        if choices is not None and len(runs) * len(choices) <= _MAX_CHOICES:
            runs = {(*run, *choice) for run in runs for choice in choices}
            continue
        if first and op is c.BRANCH:  # the spellings of a rule (see `_both_scripts`)
            branches = [_start_needles(list(branch)) for branch in av[1]]
            if all(branches):
                return set[_Needle]().union(*branches)  # type: ignore[arg-type]
        break
    # From the first word character: a needle that starts with a class of word characters and
    # others might start either way, and is no use.
    words = {tuple(dropwhile(_NOT_WORD.fullmatch, run)) for run in runs}
    if not all(words) or not all(_WORD.fullmatch(run[0]) and len(run[0]) <= 8 for run in words):
        return None
    return words


def _bullet(op: Any, av: Any) -> bool:
    """True for an optional run of characters that are not word characters, (?:【)?."""
    from re import _constants as c  # type: ignore[attr-defined]

    if op not in (c.MAX_REPEAT, c.MIN_REPEAT) or av[0] != 0:
        return False
    runs = _choices(list(av[2]), compact=True)
    return runs is not None and all(_NOT_WORD.fullmatch("".join(run)) for run in runs)


_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"[^\w\n]+")


@functools.cache
def _digits() -> str:
    return "".join(chr(cp) for a, b in _spans(r"\d") for cp in range(a, b))


def _chrome_rule(line: str) -> str | None:
    """The reason of the first chrome rule the line matches, read without its spaces and the
    bullets before it; None for a sentence, a long line or a structural one."""
    stripped = line.strip().lstrip("·•・-*►▶>|[【（( \t")
    if not stripped or len(stripped) > 120 or stripped[-1] in _SENTENCE_END:
        return None
    if _is_structural(stripped):
        return None
    compact = "".join(stripped.split())  # 相关阅　读 is still 相关阅读
    anchored, floating = _chrome_rules()
    m = anchored.match(compact) or floating.search(compact)
    return None if m is None else _RULE_REASONS[m.lastgroup]  # type: ignore[index]


_RULE_REASONS = {f"r{i}": reason for i, (_, reason) in enumerate(_CHROME_RULES)}  # by group name


def _is_furniture(line: str) -> bool:
    """A short line that is not a sentence nor a structural line: a site name, a headline, a
    link, a title — what stands around the text on a web page."""
    stripped = line.strip()
    if len(stripped) > 100 or "。" in stripped or "；" in stripped:
        return False
    if stripped[-1:] in ("：", ":", "，", ","):
        return False
    return not _is_structural(stripped)


def _is_structural(line: str) -> bool:
    """Whether `_STRUCTURAL` matches the line: told at once for most lines, which start with
    none of the characters a structural line can start with after its spaces."""
    first = line[:1]
    could_be = _STRUCTURAL_FIRSTS is None or first in _STRUCTURAL_FIRSTS or first.isspace()
    return could_be and _STRUCTURAL.match(line) is not None


_META = regex.compile(
    r"^\s*(?:[（(].*[）)]|[（(]?\d{4}\s*年\s*\d{1,2}\s*月.*|"
    r".{0,30}(?:令|〔\d{4}〕.*号|第\s*\d+\s*号|主席令|国务院令).{0,10}|"
    r".*(?:通过|批准|公布|发布|施行|修正|修订)[）)]?|[总附]\s*则|序\s*言|目\s*录)\s*$"
)


def _is_meta(line: str) -> bool:
    """`_META.match(line)`, found quicker where the line lacks every string it needs."""
    needles = _meta_needles()
    if needles is not None and not needles.search(line):
        return False
    return _META.match(line) is not None


@functools.cache
def _could_be_meta() -> str:
    """A stdlib pattern that matches at the start of every line `_META` matches, and of few
    others (tests/test_recover.py checks it): a line that starts with a bracket or a digit, or
    ends with a space, with the last character of 通过 批准 公布 发布 施行 修正 修订 总则 附则
    序言 目录 (a bracket after it allowed), or with at most ten characters after a 令 or 号 (as
    `_META`'s lines with one do). The line is read once, to its end (the stdlib runs along a
    line to its end several times quicker than to one of a class, 令 or 号), then back. For a
    digit it takes any character outside the Basic Multilingual Plane: the stdlib tries the
    astral ranges of a class one by one for each character it rejects, and one range is
    quicker than the astral digits' forty."""
    digits = re.escape("".join(d for d in _digits() if d <= "\uffff")) + "\U00010000-\U0010ffff"
    last = "[过准布行正订则言录]"  # read back from the line end, where [^\n]*+ stops
    return (
        rf"[^\S\n]*[（({digits}]"
        rf"|[^\n]*+(?:(?<={last})|(?<={last}[）)])|(?<=[^\S\n])|(?<![^令号]{{11}}))"
    )


@functools.cache
def _meta_needles() -> re.Pattern[str] | None:
    needs = _needles(_parse(_META.pattern))
    return None if needs is None else re.compile(_trie(needs, ""))


def _title_line(view: list[str], reasons: dict[int, str]) -> tuple[int | None, int | None]:
    """The line of the regulation's own title: the first line above the body (its first
    structural line or paragraph) that is not blank, not a date/issuer/number line, and not
    chrome; and the line where the body starts."""
    # The body: the first line that is not blank, not chrome and not furniture (which a
    # structural line never is).
    body = next((i for i in _unruled(view, reasons) if not _is_furniture(view[i])), None)
    if body is None:  # a text of headings alone: the first line that is not chrome or headline
        first = (i for i in _unruled(view, reasons) if not _HEADLINE.search(view[i]))
        return next(first, None), None
    for i in range(body - 1, -1, -1):
        v = view[i].strip()
        if not v or i in reasons or _is_meta(v) or "全文" in v:
            continue
        return i, body  # furniture, as is every line above the body, not blank nor chrome
    return None, body


def _chrome_edits(
    text: str, lines: list[str], traditional: bool, known: dict[str, str | None]
) -> list[_EditTuple]:
    """The edits deleting the site chrome of the text (its `lines`; `traditional` when it is
    still in traditional script): the lines that match a chrome rule, and the furniture above
    and below the regulation. `known`: the rules' verdicts on lines read before (`_chrome_rule`
    of each), kept and added to across the copies of a batch, in which the same bars, links
    and footers come again and again (over the benchmark's polluted copies, 3,474 lines are
    read 7,777 times)."""
    # The lines as the rules read them: simplified (OpenCC keeps lengths, so the line
    # boundaries of the view are those of the text).
    view = lines
    if traditional:
        simplified = _t2s(text)
        if len(simplified) == len(text):
            view = simplified.split("\n")
    # Every chrome removal starts from a line that matches a rule; those are short lines that
    # do not end a sentence, so only such lines are read (the blank ones, many in a polluted
    # copy, passed over first).
    holds_needle = _holds_needle()
    rule = _remembered(_chrome_rule, known)
    reasons = {  # the chrome lines, by number
        i: reason
        for i in compress(range(len(view)), view)
        if (v := view[i])[-1] not in "。；;"  # the test that rules out the most lines, first
        and len(v) <= 160
        and holds_needle(v)
        and (reason := rule(v))
    }
    if not reasons:
        return []
    title, body = _title_line(view, reasons)
    if title is not None and body is not None:  # 《…》全文 between the title and the text
        for i in range(title + 1, body):
            if "全文" in view[i] and _is_furniture(view[i]):
                reasons[i] = "headline below the title"

    # Head: the page furniture above the text, up to its last chrome line (never past the
    # title), then the headlines between that line and the title. Every line above the body that
    # is not blank is chrome or furniture (so `_title_line` found the body): those are not read
    # again.
    above = len(view) if body is None else body
    head: list[int] = []
    for i in _nonblank(view):
        if i == title or not (i < above or i in reasons or _is_furniture(view[i])):
            break
        head.append(i)
    ruled = [i for i in head if i in reasons and reasons[i] not in _INLINE_CHROME]
    if ruled:
        for i in head:
            if i in reasons:
                continue
            if i < ruled[-1]:
                reasons[i] = (
                    "headline above the title"
                    if _HEADLINE.search(view[i])
                    else "site chrome above the text"
                )
            elif _HEADLINE.search(view[i]) and not _is_meta(view[i]):
                reasons[i] = "headline above the title"
    # Tail: after the last line of the text, from the first chrome line on.
    tail = []
    start = max(head[-1] if head else -1, -1 if title is None else title)
    for i in _nonblank(view, backwards=True):
        if i <= start or not (i in reasons or _is_furniture(view[i])):
            break
        tail.append(i)
    tail.reverse()
    # Watermarks stand inside the text too, so they do not start the tail; numbered list items
    # (an attachment's 15．燃油加油机) belong to the text.
    if body is None:  # a text of headings alone ends with its last date line
        dated = [i for i in _nonblank(view) if _is_meta(view[i]) and i not in reasons]
        tail = [i for i in tail if not dated or i > dated[-1]]
    first = next((i for i in tail if i in reasons and reasons[i] not in _INLINE_CHROME), None)
    if first is not None:
        for i in tail:
            if (
                i > first
                and i not in reasons
                and not _LIST_ITEM.match(view[i])
                and not _is_meta(view[i])
            ):
                reasons[i] = "site chrome below the text"
    # The blank lines chrome leaves at the head and the tail go with it.
    first = next(_unruled(view, reasons), len(view))
    last = next(_unruled(view, reasons, backwards=True), -1)
    for i in chain(range(first), range(max(last + 1, first), len(view))):
        if not view[i].strip():
            reasons[i] = "blank line around site chrome"
    # Each line goes with its newline, if it has one. Where a line starts is counted on from
    # the chrome line before it: the lines between are summed at once (most chrome lines
    # follow one another; the text's own lines, most of its lines, lie between).
    edits: list[_EditTuple] = []
    offset = at = 0  # line `at` starts at `offset`
    for i in sorted(reasons):
        if i != at:
            offset += sum(map(len, lines[at:i])) + i - at
        end = offset + len(lines[i]) + 1
        edits.append((offset, end, "", "chrome", reasons[i]))
        offset, at = end, i + 1
    if offset > len(text):  # the last line, which has no newline
        edits[-1] = (edits[-1][0], len(text), "", "chrome", edits[-1][4])
    return edits


def _remembered(
    read: Callable[[str], str | None], known: dict[str, str | None]
) -> Callable[[str], str | None]:
    """`read`, looked up in `known` first and kept there."""

    def remembered(line: str) -> str | None:
        try:
            return known[line]
        except KeyError:
            found = known[line] = read(line)
            return found

    return remembered


def _unruled(view: list[str], reasons: dict[int, str], *, backwards: bool = False) -> Iterator[int]:
    """The numbers of the lines that are not blank and not chrome (yet), in order or from the
    last."""
    return filterfalse(reasons.__contains__, _nonblank(view, backwards=backwards))


def _nonblank(view: list[str], *, backwards: bool = False) -> Iterator[int]:
    """The numbers of the lines that are not blank, in order or from the last; found as they
    are asked for, by iterators of the stdlib's (a step of Python code a line is slower)."""
    if backwards:
        return compress(range(len(view) - 1, -1, -1), map(str.strip, reversed(view)))
    return compress(range(len(view)), map(str.strip, view))
