"""Recover on the seed copy and on text built to look like noise but be law."""

from __future__ import annotations

import importlib
import itertools
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fagui import RecoverOptions, recover
from fagui.errors import OptionsError
from fagui.model import CHANGE_KINDS, Recovered, apply_changes
from fagui.sources import SourceText

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_668aba0204edbbb9.txt"
OFFICIAL = ROOT.parent / "shared" / "seed" / "official.txt"


def layout_free(text: str) -> str:
    """The acceptance compares character for character, ignoring line and space layout."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def recovered(seed: str) -> Recovered:
    return recover(seed, source=str(SEED))


@pytest.fixture(scope="module")
def official() -> str:
    if not OFFICIAL.exists():
        pytest.skip("../shared/seed/official.txt absent")
    return OFFICIAL.read_text(encoding="utf-8")


def test_seed_recovers_the_official_text(recovered: Recovered, official: str) -> None:
    assert layout_free(recovered.text) == layout_free(official)


def test_seed_starts_at_the_title_and_ends_with_the_last_article(recovered: Recovered) -> None:
    lines = [line for line in recovered.text.splitlines() if line.strip()]
    assert lines[0] == "中国共产党党员网络行为规定"
    assert lines[-1].startswith("第三十一条")
    # The news headline and the byline above the title were chrome, and say so.
    chrome = {c.original.strip(): c.reason for c in recovered.changes if c.kind == "chrome"}
    assert "headline" in chrome["中共中央辦公廳印發《中國共產黨黨員網絡行為規定》"]
    assert any("分享到" in original for original in chrome)


def test_seed_changes_account_for_every_character(seed: str, recovered: Recovered) -> None:
    assert apply_changes(seed, recovered.changes) == recovered.text
    for change in recovered.changes:
        assert seed[change.offset : change.offset + change.length] == change.original
        assert change.kind in CHANGE_KINDS


def test_seed_reports_each_kind_of_pollution(recovered: Recovered) -> None:
    by_original = {(c.kind, c.original) for c in recovered.changes}
    # Emoji newer than Python 3.11's Unicode data (🫎 U+1FACE is Unicode 15) are found.
    assert any(k == "noise" and "\U0001face" in o for k, o in by_original)
    assert ("noise", "𓀇") in by_original  # an Egyptian hieroglyph, which no emoji list has
    assert ("space", " ") in by_original  # 推動形 成
    assert ("punctuation", ",") in by_original
    assert ("script", "曆") in by_original  # 曆史 → 历史
    assert ("script", "聯") in by_original  # 聯系 → 联系


def test_recovery_is_idempotent(recovered: Recovered) -> None:
    again = recover(recovered.text)
    assert again.text == recovered.text
    assert again.changes == ()


def test_recover_holds_the_garbage_collector_off_and_leaves_it_as_it_was(seed: str) -> None:
    import gc

    collections: list[int] = []

    def started(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(started)
    try:
        gc.collect()
        assert collections  # the callback sees collections
        collections.clear()
        recover(seed * 20)  # tens of thousands of edits
        # None while the passes run; one may start as it is turned back on (the containers
        # made meanwhile count towards the next).
        assert len(collections) <= 1 and gc.isenabled()
        gc.disable()
        try:
            assert recover(seed).changes and not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(started)


@pytest.mark.parametrize("script", ["simplified", "traditional", "original"])
def test_recover_many_gives_what_recover_gives_text_by_text(
    seed: str, script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fagui.sources import load

    module = importlib.import_module("fagui.recover")  # fagui.recover is also the function
    clean = recover(seed).text
    copies: list[str | SourceText] = [
        seed,
        clean,
        "",
        seed.replace("\n", "\r\n")[:3000],
        load(seed.encode("gb18030"), "copy.txt"),
        clean.replace("，", ","),
        seed[: len(seed) // 2],
    ]
    # Batches of a few texts: the passes go in step within each, and the batches in turn.
    monkeypatch.setattr(module, "_BATCH", 2 * len(seed))
    got = list(module.recover_many(copies, script=script))
    expected = [
        recover(c, script=script)
        if isinstance(c, str)
        else recover(c.text, source=c.name, encoding=c.encoding, script=script)
        for c in copies
    ]
    assert [r.to_dict() for r in got] == [r.to_dict() for r in expected]
    assert got[4].source == "copy.txt" and got[4].encoding == "gb18030"


def test_line_ends_do_not_change_the_text(seed: str, recovered: Recovered) -> None:
    # A browser's form sends a pasted copy with \r\n; old Mac files end lines with \r alone.
    for copy in (seed.replace("\n", "\r\n"), seed.replace("\n", "\r")):
        result = recover(copy)
        assert result.text == recovered.text
        assert apply_changes(copy, result.changes) == result.text


def test_official_text_passes_through_unchanged(official: str) -> None:
    result = recover(official)
    assert result.text == official
    assert result.changes == ()


def test_traditional_output_is_correct_traditional(seed: str) -> None:
    text = recover(seed, options=RecoverOptions(script="traditional")).text
    assert "歷史經驗" in text  # the copy's careless 曆史 is corrected, not kept
    assert "聯繫群眾" in text
    assert "黨員" in text


def test_original_script_is_kept_on_request(seed: str) -> None:
    result = recover(seed, options=RecoverOptions(script="original"))
    assert "曆史經驗" in result.text
    assert not any(c.kind == "script" for c in result.changes)
    assert result.original_script == "traditional"


def test_bad_options_are_refused() -> None:
    with pytest.raises(OptionsError):
        RecoverOptions(script="pinyin")


# --- script conversion pitfalls measured on OpenCC ---------------------------------------------

SIMPLIFIED_ARTICLE = (
    "第十条　任何单位和个人不得破坏土地，不得排放二噁英等有毒物质。"
    "对于单位违反本条规定的，依法处罚。\n"
)


def test_simplified_text_is_not_touched_by_opencc_quirks() -> None:
    # OpenCC's t2s turns 破坏土地 into 破坯土地 and 二噁英 into 二𫫇英 on simplified text.
    assert recover(SIMPLIFIED_ARTICLE).text == SIMPLIFIED_ARTICLE


def test_traditional_text_converts_with_the_official_forms() -> None:
    traditional = (
        "第十條　任何單位和個人不得破壞土地，不得排放二噁英等有毒物質。"
        "對於單位違反本條規定的，依法處罰。\n"
    )
    assert recover(traditional).text == SIMPLIFIED_ARTICLE


# --- legitimate text that looks like noise -------------------------------------------------------

LEGIT = """中华人民共和国测试条例

第一章　总则

第一条　本条例所称高温，是指日最高气温≥35℃的天气；温度每升高1°，按比例×1.5计算，或者÷2。
第二条　比例为1∶2。一九八○年、二〇二〇年的数据，按照Ⅰ类、Ⅱ类标准分级，见附表①和⒈项。
第三条　系数α、γ取0.25；注册标记包括“注”和“®”，SONY®商品。详见https://www.gov.cn/zhengce/2024-01/14/content.htm。
第四条　有下列情形之一的，适用本条例：
（一）使用“互联网”和《网络安全法》规定的产品；
（二）姓名中有生僻字𠀀、𪚥、𫫇的人员。
"""


def test_legitimate_symbols_survive_in_a_clean_text() -> None:
    assert recover(LEGIT).text == LEGIT


def test_legitimate_symbols_survive_in_a_polluted_copy() -> None:
    # The same text, polluted: emoji, a hieroglyph, a mahjong tile and ★ between characters.
    polluted = (
        LEGIT.replace("高温，", "高温🫎，")
        .replace("比例为", "比例𓀇为")
        .replace("注册", "注🀄册")
        .replace("系数", "系™数")
        .replace("生僻字", "生★僻字")
        .replace("数据", "数据👨\u200d👩\u200d👧")
        .replace("分级", "分级🇨🇳1️⃣")
    )
    result = recover(polluted)
    assert result.text == LEGIT
    removed = "".join(c.original for c in result.changes)
    assert "𓀇" in removed and "🀄" in removed and "★" in removed and "™" in removed


def test_no_han_character_is_dropped_outside_chrome(recovered: Recovered) -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for change in recovered.changes:
        if change.kind != "chrome" and change.kind != "script":
            assert not han.search(change.original), change


def test_pinyin_glosses_are_removed_only_when_they_are_the_reading() -> None:
    text = "党员不得通过网(wǎng)络（luò）制造谣言，依照本法第（a）项处理。\n"
    result = recover(text)
    assert result.text == "党员不得通过网络制造谣言，依照本法第（a）项处理。\n"
    assert [c.kind for c in result.changes] == ["pinyin", "pinyin"]


def test_hard_wrapped_copy_is_rejoined_without_gluing_articles() -> None:
    paragraph = (
        "党员应当积极通过网络，广泛宣传习近平新时代中国特色社会主义思想，宣传党的路线方针政策。"
    )
    text = "第一章　总则\n" + "\n".join(f"第{n}条　{paragraph}" for n in "一二三四五") + "\n"
    wrapped = (
        "\n".join(
            "\n".join(line[i : i + 30] for i in range(0, len(line), 30))
            for line in text.splitlines()
        )
        + "\n"
    )
    result = recover(wrapped)
    assert result.text == text
    assert {c.kind for c in result.changes} == {"wrap"}


# --- the tables recover builds for speed agree with what they stand for -------------------------

EVERY_CHARACTER = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


def test_traditional_table_is_what_opencc_converts_on_its_own() -> None:
    from fagui.recover.script import _traditional, _traditional_pattern, converter

    chars = EVERY_CHARACTER.replace("\n", "")
    converted = converter("t2s").convert("\n".join(chars)).split("\n")
    assert len(converted) == len(chars)
    table, pattern = _traditional()[0], _traditional_pattern()
    assert table == {c for c, t in zip(chars, converted, strict=True) if c != t}
    found = {c for c in pattern.findall(EVERY_CHARACTER) if c <= "\uffff" or c in table}
    assert found == table


def test_t2s_without_tofu_dictionaries_converts_as_recover_takes_t2s() -> None:
    """recover converts texts with OpenCC's t2s without the dictionaries that convert into
    characters fonts may lack. Every character is converted as by t2s, save where t2s converts
    it into one outside the BMP (which recover never converts into): there it is kept, or, for
    a compatibility ideograph, made its canonical equivalent (as t2s normalizes it first)."""
    from fagui.recover.script import converter

    chars = EVERY_CHARACTER.replace("\n", "")
    full = converter("t2s").convert("\n".join(chars)).split("\n")
    lean = converter("t2s", tofu=False).convert("\n".join(chars)).split("\n")
    assert len(full) == len(lean) == len(chars)
    differ = [(c, f, t) for c, f, t in zip(chars, full, lean, strict=True) if f != t]
    assert differ  # this OpenCC has such dictionaries: the test reads them
    for char, by_t2s, by_lean in differ:
        assert max(by_t2s) > "\uffff", char
        assert by_lean == unicodedata.normalize("NFC", char), char
    # Phrases are converted by the same dictionary (二噁英, dioxin, is simplified: t2s makes
    # its 噁 one outside the BMP).
    text = "禁止排放二噁英。"
    assert converter("t2s", tofu=False).convert(text) == converter("t2s").convert(text) != text


def test_t2s_of_a_text_in_nfc_is_made_without_normalizing_it_first() -> None:
    """t2s first makes each CJK compatibility ideograph its canonical equivalent; recover
    converts a text in NFC, which holds none, without that step: every character converts
    alike, but those NFC would change."""
    from fagui.recover.script import _t2s, _t2s_unnormalized, converter

    unnormalized = _t2s_unnormalized()
    assert unnormalized is not None  # OpenCC's t2s configuration is read
    chars = EVERY_CHARACTER.replace("\n", "")
    full = converter("t2s", tofu=False).convert("\n".join(chars)).split("\n")
    lean = unnormalized.convert("\n".join(chars)).split("\n")
    assert len(full) == len(lean) == len(chars)
    differ = [c for c, f, t in zip(chars, full, lean, strict=True) if f != t]
    assert differ  # the step converts some characters: the test reads them
    assert not any(unicodedata.is_normalized("NFC", c) for c in differ)
    # A text with one of them is converted with the step.
    assert _t2s("\uf900歷史") == converter("t2s", tofu=False).convert("\uf900歷史") == "岂历史"


def test_noise_classes_are_the_unicode_properties_they_stand_for() -> None:
    import regex

    from fagui.recover import text as module
    from fagui.recover.chars import _std_class

    def members(pattern: str) -> list[str]:
        return regex.findall(f"(?:{pattern}\n)", EVERY_CHARACTER, regex.VERBOSE | regex.V1)

    names = ("_NOISE_ANYWHERE", "_PICTOGRAPH", "_SYMBOL", "_SHOWN_AS_EMOJI")
    names += ("_IN_WORD_BEFORE", "_IN_WORD_AFTER", "_NOT_SPACE")
    for name in names:
        pattern = getattr(module, name)
        assert re.findall(_std_class(pattern), EVERY_CHARACTER) == members(pattern), name
        in_bmp = [c for c in members(pattern) if c <= "\uffff"]
        assert re.findall(_std_class(pattern, bmp=True), EVERY_CHARACTER) == in_bmp, name
    # Beyond the BMP, a pictograph is noise anywhere (the noise pattern tries the pictographs
    # of the BMP alone in their contexts).
    beyond = {c for c in members(module._PICTOGRAPH) if c > "\uffff"}
    assert beyond <= set(members(module._NOISE_ANYWHERE))
    # The first character of noise: every one that noise can start with, and, beyond the BMP,
    # every character; without keycaps, the same but a keycap's digit.
    astral = {c for c in EVERY_CHARACTER if c > "\uffff"}
    for digits in ("[0-9#*]",), ():
        first = re.findall(
            _std_class(
                *digits, module._NOISE_ANYWHERE, module._PICTOGRAPH, module._SYMBOL, astral=True
            ),
            EVERY_CHARACTER,
        )
        starts = members(
            " | ".join((*digits, module._NOISE_ANYWHERE, module._PICTOGRAPH, module._SYMBOL))
        )
        assert first == sorted(set(starts) | astral)


# Pieces of text where noise and law meet: keycaps, ZWJ sequences, symbols in and out of words.
NOISY = [
    *"中文1#* \n，©™↔▶☀★■※○🙂🏽🇨𠀀𓀀",
    "1\u20e3",
    "#\ufe0f\u20e3",
    "1\ufe0f",  # a digit shown as emoji, no keycap: the selector alone is noise
    "\ufe0f",
    "\u20e3",
    "\u200d",
    "\u200b",
    "\U000f0000",
]


@given(st.lists(st.sampled_from(NOISY), max_size=30).map("".join))
@settings(max_examples=1000, deadline=None)
def test_noise_found_by_the_stdlib_is_the_noise_the_definition_finds(text: str) -> None:
    from fagui.recover import text as module

    # What the definition (in `regex`'s syntax) finds, scanning the text from each place the
    # noise before it left:
    spans = [m.span() for m in module._NOISE_RUN.finditer(text)]
    assert module._noise_spans(text) == spans
    # The pattern for any text finds it too, whether or not the text has a keycap mark (and
    # `_noise_spans` takes the one for a text without when it has none).
    assert [m.span() for m in module._noise_pattern(True).finditer(text)] == spans
    kept = "".join(
        text[e:s] for (_, e), (s, _) in itertools.pairwise([(0, 0), *spans, (len(text), 0)])
    )
    assert module._without_noise(text) == (kept, len(spans))


# Pieces of text where spaces and law meet: Han words short and long (past the head rule's 12
# characters, the heading rule's 24), the labels and dates the rules keep a space after, the
# punctuation they stop at, tables, lines; and every white space character, Unicode's Zs among
# them, drawn as often as the rest together.
SPACED = [
    *"中法人之年月日附件录则言序目总一十百0１a",
    "中华人民共和国",
    "中华人民共和国国务院办公厅",
    "第一条",
    "第十二条",
    "第一百零一条之一",
    "第二章",
    "第三节",
    "第一编",
    "第五分编",
    "第二部分",
    "1979年7月1日",
    "附件",
    "附件一",
    "附录",
    "一、",
    "1、",
    "、",
    "序言",
    "目录",
    "附则",
    "总则",
    "|",
    *"，。；：,;:\n",
]
WHITE = [chr(cp) for cp in range(0x110000) if re.fullmatch(r"\s", chr(cp))]
LONG = "中华人民共和国国务院办公厅"


@given(
    st.lists(st.one_of(st.sampled_from(SPACED), st.sampled_from(WHITE)), max_size=40).map("".join)
)
@settings(max_examples=3000, deadline=None)
@example(f"第一条 本法 适用于 {LONG} 一、总则 规定")
@example(f"{LONG[:12]} {LONG}{LONG}")  # the head rule's widest head
@example(f"{LONG} {LONG}{LONG[:11]}\n{LONG} {LONG}{LONG[:12]}")  # the heading rule's longest tail
@example(f"{LONG} 第一条{LONG}{LONG}")  # not before a label
@example(f"{LONG}。第一编 {LONG}{LONG}\n{LONG}。目录 {LONG}{LONG}")  # after one
@example(f"{LONG}。一、{LONG} {LONG}{LONG}")  # a numbered item
@example(f"附件一 目录\n| 中 国 | 法 律 |\n{LONG} 发布 {LONG}")
def test_inner_spaces_found_by_the_stdlib_are_those_the_definition_finds(text: str) -> None:
    from fagui.recover import text as module

    expected = [m.start() for m in module._INNER_SPACE.finditer(text)]
    assert module._inner_spaces(text) == expected
    assert module._inner_space_edits(text) == [
        (at, at + 1, "", "space", "space inside a word") for at in expected
    ]
    assert module._count_inner_spaces(text, 3) == min(3, len(expected))


@given(st.lists(st.sampled_from([*NOISY, *SPACED, *WHITE[:8], "\u3000"]), max_size=40).map("".join))
@settings(max_examples=2000, deadline=None)
@example(f"{LONG} ★{LONG}\n中™ 文 ©")
def test_noise_and_inner_spaces_found_by_one_scan_are_those_each_pattern_finds(text: str) -> None:
    from fagui.recover import text as module

    found = module._noise_and_inner_spaces(text)
    if "\u20e3" in text:
        assert found is None
    else:
        assert found == (module._noise_spans(text), module._inner_spaces(text))


@given(st.lists(st.sampled_from([*SPACED, *WHITE[:8], *"歷網於著𠀀𓀀"]), max_size=40).map("".join))
@settings(max_examples=2000, deadline=None)
def test_traditional_characters_and_inner_spaces_found_by_one_scan(text: str) -> None:
    from fagui.recover import text as module
    from fagui.recover.script import _TRAD_MIN, _count_traditional

    convert, spaces = module._traditional_and_inner_spaces(text)
    assert convert == (_count_traditional(text, _TRAD_MIN) >= _TRAD_MIN)
    assert spaces == (None if convert else module._inner_spaces(text))


@given(
    st.lists(st.one_of(st.sampled_from(SPACED), st.sampled_from(WHITE)), max_size=40).map("".join),
    st.data(),
)
@settings(max_examples=2000, deadline=None)
@example(f"{LONG} 国务院" + " " * 30, None)  # a line that is a heading once its end is cut
def test_inner_spaces_are_followed_through_deletions_within_lines(
    text: str, data: st.DataObject | None
) -> None:
    from fagui.recover import text as module
    from fagui.recover.edits import _applied

    if data is None:  # the example: its trailing spaces cut
        cuts = [len(text.rstrip()), len(text)]
    else:
        cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=8)))
    spans = [(a, b, "", "noise", "") for a, b in itertools.pairwise(cuts)][::2]
    spans = [span for span in spans if "\n" not in text[span[0] : span[1]]]
    after = _applied(text, spans)
    found = module._inner_spaces_after(after, module._inner_spaces(text), spans)
    assert found == module._inner_spaces(after)


@given(st.text(alphabet="ab\n", max_size=30), st.data())
def test_places_are_followed_through_deletions(text: str, data: st.DataObject) -> None:
    from fagui.recover.edits import _applied, _through

    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=8)))
    spans = [(a, b, "", "chrome", "") for a, b in itertools.pairwise(cuts)][::2]
    result = _applied(text, spans)
    inside = {p for a, b, *_ in spans for p in range(a, b)}
    kept = [p for p in range(len(text)) if p not in inside]
    # Every character kept is where the places say, in order.
    assert [result[q] for q in _through(kept, spans)] == [text[p] for p in kept]
    assert _through(list(range(len(text))), spans) == list(range(len(result)))


def test_script_conversion_found_on_whole_texts_is_the_one_found_by_position() -> None:
    from fagui.recover.script import (
        _char_runs,
        _script_edits_to_simplified,
        _traditional_positions,
        converter,
    )

    for text in (SIMPLIFIED_ARTICLE, SIMPLIFIED_ARTICLE.replace("于", "於"), LEGIT):
        traditional = converter("s2t").convert(text)
        for source in (text, traditional, traditional.replace("於", "于"), text + traditional):
            got, _, is_traditional = _script_edits_to_simplified(source)
            converted = converter("t2s").convert(source)
            positions, expected_traditional = _traditional_positions(source, converted)
            if expected_traditional:
                yu = [i for i, c in enumerate(converted) if c == "於"]
                positions = sorted(positions + yu)
                converted = converted.replace("於", "于")
            edits = _char_runs(positions, converted, "script", "")
            expected = list(source)
            for s, e, rep, _, _ in edits:
                expected[s:e] = rep
            if not isinstance(got, str):
                for s, e, rep, _, _ in reversed(got):
                    source = source[:s] + rep + source[e:]
                got = source
            assert got == "".join(expected)
            assert is_traditional == expected_traditional


def test_han_class_is_regex_han() -> None:
    import regex

    from fagui.recover.chars import _han_class

    han = re.compile(f"[{_han_class()}]")
    assert han.findall(EVERY_CHARACTER) == regex.findall(r"\p{Han}", EVERY_CHARACTER)


def test_needles_are_what_every_match_holds() -> None:
    from fagui.recover.chrome import _needles, _parse

    # A needle is its atoms: the characters that may stand in each place.
    assert _needles(_parse(r"^(?:分享到|分享至)\s*[:：]")) == {("分", "享", "到至")}
    # A run goes on through a group of a few runs, and through \s* in a text without spaces.
    expected = {tuple("上一篇"), tuple("相关阅读"), tuple("相关文章")}
    assert _needles(_parse(r"^(?:上一篇|相关(?:阅读|文章))")) == expected
    assert _needles(_parse(r"首页\s*[>›»/＞]|[>›»＞]\s*正文")) == {tuple("首页"), tuple("正文")}
    compact = _needles(_parse(r"首页\s*[>›»/＞]|[>›»＞]\s*正文"), compact=True)
    assert compact == {("首", "页", "/>»›＞"), (">»›＞", "正", "文")}
    assert _needles(_parse(r"关注(?:我们|公众号|微.+)")) == {tuple("关注")}  # not a few runs
    assert _needles(_parse(r"(?:a|.+)b?")) is None  # a branch that needs nothing
    # A repeat of one character: its first follows what stands before it, its last precedes
    # what follows; a literal counts for more than a class, so ":" beats "[-/]".
    (needle,) = _needles(_parse(r"^\d{4}[-/]\d{1,2}:\d{2}"))
    assert needle[1] == ":" and "0" in needle[0] and "٣" in needle[2]  # Arabic-Indic digits


def _rule_words() -> list[str]:
    """The literal words of the chrome rules and of _META, and their characters."""
    from fagui.recover.chrome import _CHROME_RULES, _META, _both_scripts

    text = "".join(_both_scripts(rule) for rule, _ in _CHROME_RULES) + _META.pattern
    words = [w for w in re.split(r"[\\^$*+?{}\[\]()|.:：\s]+|\\[a-zA-Z]", text) if w]
    return sorted(set(words) | set("".join(words)) | set(" 　\t|():：>1９年月日，。"))


@given(st.lists(st.sampled_from(_rule_words()), max_size=8).map("".join))
@settings(max_examples=1500, deadline=None)
def test_quick_looks_agree_with_the_patterns(line: str) -> None:
    from fagui.recover import chrome as module

    # A line that holds none of the needles matches no rule (the passes read only those that do).
    assert module._line_needles() is not None
    if not module._holds_needle()(line):
        assert module._chrome_rule(line) is None
    quick_meta = module._is_meta(line)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_meta_needles", lambda: None)
        assert module._is_meta(line) == quick_meta


_READ_ALIKE_PIECES = [*_rule_words(), "2024", "\U0001e4f1" * 4, "第", "条", "、", "（", "(", "\x1c"]


@given(st.lists(st.sampled_from(_READ_ALIKE_PIECES), max_size=8).map("".join))
@example("© \U0001e4f1\U0001e4f1\U0001e4f1\U0001e4f1 法规网")
@settings(max_examples=1500, deadline=None)
def test_quicker_forms_read_alike(line: str) -> None:
    """The chrome pass's quicker forms read a line as the patterns they stand for do."""
    import regex

    from fagui.recover import chrome as module

    # The floating rules, searched by the stdlib (from where one could start, with `regex`'s
    # digits: U+1E4F1 is one that the stdlib's \d lacks), find what `regex` finds in a line
    # without spaces.
    compact = "".join(line.split())
    quick = module._chrome_rules()[1].search(compact)
    found = regex.compile(module._rule_groups(anchored=False)).search(compact)
    assert (quick and quick.span(), quick and quick.lastgroup) == (
        found and found.span(),
        found and found.lastgroup,
    )
    # The body is found as the first line that is not furniture: a structural line never is;
    # and _is_furniture tells most lines from their first character.
    if module._STRUCTURAL.match(line):
        assert not module._is_furniture(line)
    if module._STRUCTURAL.match(stripped := line.strip()):
        assert module._STRUCTURAL_FIRSTS is not None and stripped[0] in module._STRUCTURAL_FIRSTS


@given(st.lists(st.sampled_from([*_rule_words(), "（", "）", "2", "٣"]), max_size=8).map("".join))
@settings(max_examples=1500, deadline=None)
def test_a_date_line_is_found_where_it_could_be(line: str) -> None:
    from fagui.recover.chrome import _META, _could_be_meta

    could = re.compile(f"\\n(?={_could_be_meta()})")
    if _META.match(line):
        assert could.match("\n" + line + "\n下一行")


_WRAP_PIECES = [
    "法律",
    "第五条",
    "（一）",
    "一、",
    "3.",
    "，",
    ",",
    "。",
    "：",
    " ",
    "\u3000",
    "|",
    "分享到",
    "来源:",
    "2024年5月1日",
    "通过",
    "令",
    "目录",
    "附则",
    "12:30",
]


@st.composite
def _wrapped(draw: st.DrawFn) -> str:
    """Lines of 16 characters (a hard-wrapped text) and others, of pieces that the wrap rules
    read: unit starts, rows, chrome, date lines, terminal marks, commas."""
    lines = []
    for full in draw(st.lists(st.booleans(), min_size=4, max_size=12)):
        line = "".join(draw(st.lists(st.sampled_from(_WRAP_PIECES), max_size=8)))
        lines.append((line + "中" * 16)[:16] if full else line)
    return "\n".join(lines)


@given(_wrapped())
@settings(max_examples=800, deadline=None)
def test_wrap_breaks_found_in_the_whole_text_are_those_of_the_rules_line_by_line(
    text: str,
) -> None:
    import regex

    from fagui.recover.chrome import _chrome_rule, _is_meta
    from fagui.recover.edits import _applied
    from fagui.recover.layout import _TERMINAL, _UNIT_START, _unwrapped, _wrap_width

    lines = text.split("\n")
    width = _wrap_width(text, lines)

    def continues(line: str, nxt: str) -> bool:  # the rules that need only the two lines
        return (
            width is not None
            and len(line) >= width - 1
            and line[-1] not in _TERMINAL
            and bool(nxt.strip())
            and not _UNIT_START.match(nxt)
        )

    def row(line: str) -> bool:
        return "|" in text and regex.match(r"\s*\|", line) is not None

    expected = []
    p = 0
    for i, (line, nxt) in enumerate(itertools.pairwise(lines)):
        p += len(line)
        paragraph = nxt  # the next line, with the lines that continue it
        for before, after in itertools.pairwise(lines[i + 1 :]):
            if not continues(before, after):
                break
            paragraph += after
        title = line  # the line, with the lines it continues
        for k in range(i, 0, -1):
            if not continues(lines[k - 1], lines[k]):
                break
            title = lines[k - 1] + title
        dated = not any(comma in title for comma in "，,") and _is_meta(nxt) and _is_meta(paragraph)
        ruled_out = row(line) or row(nxt) or _chrome_rule(line) or _chrome_rule(nxt) or dated
        if continues(line, nxt) and not ruled_out:
            expected.append((p, p + 1))
        p += 1
    deleted = _applied(text, [(s, e, "", "", "") for s, e in expected])
    assert _unwrapped(text, lines) == (deleted, [start for start, _ in expected])


# Pieces of a polluted copy around line ends: spaces of every kind, noise that is noise anywhere
# or only beside a word, a gloss, traditional characters, chrome, wrapped lines.
_LINE_END_PIECES = [
    *"中法網絡\n ，,",
    "\u3000",
    "\xa0",
    "\u2003",
    "\t",
    "😀",
    "★",
    "™",
    "\u200b",
    "網(wǎng)",
    "分享到",
    "中" * 16 + "\n",
]


@given(st.lists(st.one_of(st.sampled_from(_LINE_END_PIECES), _wrapped()), max_size=16).map("".join))
@settings(max_examples=400, deadline=None)
def test_a_polluted_copy_comes_back_without_spaces_at_line_ends(text: str) -> None:
    # recover takes spaces at line ends once, before the passes that could leave others when
    # the copy already shows pollution then, and last otherwise: whichever way, none is left.
    result = recover(text)
    if any(change.reason != "carriage return" for change in result.changes):
        assert all(line == line.rstrip() for line in result.text.split("\n"))


def _found_lines(text: str) -> list[str]:
    from fagui.recover.layout import _needle_lines

    return [text[start:end] for start, end in _needle_lines(text, 0, len(text))]


def test_a_chrome_line_is_found_whatever_bullet_starts_it() -> None:
    from fagui.recover.chrome import _chrome_rule

    # The wrap pass looks for an anchored rule's strings at the start of a line, after the
    # characters that are not word characters: those are all _chrome_rule strips before it.
    for line in (f"{c}分享到" for c in EVERY_CHARACTER[:0xF800] if c != "\n"):  # the BMP
        if _chrome_rule(line) is not None:
            assert _found_lines(line) == [line]
            assert _found_lines(f"法律\n{line}\n法律") == [line]


_NEEDLE_PIECES = [*_rule_words(), "·", "•", "-", "*", ">", "【", "】", "（", "(", "\u3000", "\t"]


@given(st.lists(st.sampled_from(_NEEDLE_PIECES), max_size=8).map("".join))
@example("·\u3000【打印】")
@example("\u3000·上一篇")
@settings(max_examples=1500, deadline=None)
def test_the_wrap_pass_finds_every_chrome_line(line: str) -> None:
    from fagui.recover.chrome import _chrome_rule

    # The rules anchored at the start of a line are looked for there, the others anywhere.
    if _chrome_rule(line) is not None and "\n" not in line:
        assert _found_lines(line) == [line]
        assert _found_lines(f"法律\n{line}\n法律") == [line]


def test_anchored_rules_are_looked_for_from_the_strings_they_start_with() -> None:
    from fagui.recover.chrome import _parse, _start_needles

    assert _start_needles(_parse(r"^(?:分享到|分享至)\s*[:：]")) == {("分", "享", "到至", ":：")}
    # Bullets, optional or not, are read with those before the line's first word character.
    assert _start_needles(_parse(r"^(?:【)?上一篇")) == {tuple("上一篇")}
    assert _start_needles(_parse(r"^【\s*打印\s*】")) == {tuple("打印】")}
    assert _start_needles(_parse(r"^(?:[a>]b)")) is None  # could start either way
    assert _start_needles(_parse(r"^【】")) is None
    assert _start_needles(_parse(r"^\d{4}年")) is None  # a repeat: not a few strings


@given(st.text(alphabet="()（中a，1 ", max_size=20))
@settings(max_examples=500, deadline=None)
def test_brackets_in_chinese_context_are_paired_as_a_stack_pairs_them(line: str) -> None:
    from fagui.recover.layout import _chinese_brackets

    chinese = re.compile(r"[\u4e00-\u9fff，（]")
    opens: list[int] = []
    pairs: dict[int, int] = {}
    for i, c in enumerate(line):
        if c == "(":
            opens.append(i)
        elif c == ")" and opens:
            pairs[i] = o = opens.pop()
            pairs[o] = i
    expected = []
    for i, c in enumerate(line):
        if c not in "()":
            continue
        if i in pairs:
            o, e = min(i, pairs[i]), max(i, pairs[i])
            near = line[o - 1 : o] + line[e + 1 : e + 2] + line[o + 1 : e]
        else:
            near = line[i - 1 : i] + line[i + 1 : i + 2]
        if chinese.search(near):
            expected.append(i)
    assert list(_chinese_brackets(line)) == expected


@given(st.text(alphabet="()（中a，,:1 \n", max_size=40))
@settings(max_examples=800, deadline=None)
def test_punctuation_of_a_whole_text_is_that_of_its_lines(text: str) -> None:
    from fagui.recover.layout import _HALF_TO_FULL, _chinese, _chinese_brackets, _punct_text

    # The pass reads the whole text at once; mark by mark and line by line, as the rules are
    # written, it is: , ; : ? ! next to a Chinese character, and brackets as a stack pairs them.
    chinese = _chinese()[0]
    chars = list(text)
    for i, c in enumerate(text):
        if c in ",;:?!" and chinese.search(text[i - 1 : i] + text[i + 1 : i + 2]):
            chars[i] = _HALF_TO_FULL[c]
    start = 0
    for line in text.split("\n"):
        for i in _chinese_brackets(line):
            chars[start + i] = _HALF_TO_FULL[line[i]]
        start += len(line) + 1
    assert _punct_text(text) == "".join(chars)


@given(st.text(alphabet="中a，,;:?!1 \n", max_size=30))
@settings(max_examples=500, deadline=None)
def test_marks_alone_are_found_as_one_pattern_for_all_of_them_finds_them(text: str) -> None:
    from fagui.recover.layout import _chinese

    # The punctuation pass looks for each mark with a pattern of its own, as it is quicker.
    chinese = _chinese()[0].pattern
    plain = re.compile(f"[,;:?!](?<!{chinese}.)(?!{chinese})")
    found = sorted(m.start() for pattern in _chinese()[1] for m in pattern.finditer(text))
    assert found == [m.start() for m in plain.finditer(text)]


@given(st.text(alphabet="中a“，；（）,;()1 \n", max_size=30))
@settings(max_examples=500, deadline=None)
def test_half_width_is_told_as_counting_every_mark_tells_it(text: str) -> None:
    from fagui.recover.layout import _FULL, _chinese, _uses_half_width

    # _uses_half_width counts the full-width marks present alone, and the half-width ones only
    # as far as it needs to.
    full = sum(map(text.count, _FULL))
    assert _uses_half_width(text) == (len(_chinese()[2].findall(text)) > full)


@given(st.text(alphabet="()a中\n", max_size=30))
@settings(max_examples=500, deadline=None)
def test_odd_bracket_lines_are_those_where_a_bracket_stands_outside_a_pair(text: str) -> None:
    from fagui.recover.layout import _chinese, _odd_bracket_lines

    # The punctuation pass finds the lone ( with the pairs not in Chinese context, and reads the
    # text reversed only when the brackets' counts tell that some ) stands alone.
    lone = [m.start() for m in _chinese()[3].finditer(text) if m.end() - m.start() == 1]
    expected = []
    start = 0
    for line in text.split("\n"):
        brackets = [c for c in line if c in "()"]
        pairs = list(itertools.pairwise([None, *brackets, None]))
        if any((a == "(" and b != ")") or (b == ")" and a != "(") for a, b in pairs):
            expected.append((start, start + len(line)))
        start += len(line) + 1
    assert _odd_bracket_lines(text, lone) == expected


@given(st.text(alphabet="网法律a(（)）wǎngfǎlǜ1 ", max_size=24))
@settings(max_examples=500, deadline=None)
def test_pinyin_glosses_are_found_as_the_look_behind_pattern_finds_them(text: str) -> None:
    import regex

    from fagui.recover.edits import _applied
    from fagui.recover.text import _gloss_reason_at, _gloss_spans, _readings, _without_glosses

    pattern = regex.compile(
        r"(?<=(\p{Han}))[(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]{1,7})[)）]"
    )
    expected = [
        (m.start(), m.end(), "", "pinyin", f"pinyin gloss of {m.group(1)}")
        for m in pattern.finditer(text)
        if m.group(2).lower() in _readings(m.group(1))
    ]
    found = [(s, e, "", "pinyin", _gloss_reason_at(text, s, e)) for s, e in _gloss_spans(text)]
    assert found == expected
    assert _without_glosses(text) == (_applied(text, expected), len(expected))


def test_readings_kept_on_disk_are_pypinyins() -> None:
    """The glosses are checked against readings read from pypinyin once and kept: they are
    pypinyin's, for a sample of every Han character (those with readings and those without)."""
    from pypinyin import Style, pinyin

    from fagui.recover.chars import _spans
    from fagui.recover.text import _reading_table, _readings

    han = [chr(cp) for start, end in _spans(r"\p{Han}") for cp in range(start, end)]
    sample = han[::37] + list("网絡络法於于〇")
    for char in sample:
        found = pinyin(char, heteronym=True, style=Style.TONE, errors="ignore")
        assert _readings(char) == {r.lower() for group in found for r in group}, char
    assert len(_reading_table()) > 20_000  # every common character has one
    assert _readings("a") == _readings("，") == frozenset()


def test_tables_kept_on_disk_are_read_back_and_bad_files_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fagui.recover.chars import _stored

    monkeypatch.setenv("FAGUI_CACHE_DIR", str(tmp_path / "store"))
    made: list[int] = []

    def make() -> list[list[int]]:
        made.append(1)
        return [[0x4E00, 0x9FA6]]

    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert len(made) == 1  # the second time, read from the file
    assert _stored(["test", "2"], make) == [[0x4E00, 0x9FA6]]  # another key: made again
    assert len(made) == 2
    # A damaged file is made again (and rewritten); an unwritable directory is passed over.
    for path in (tmp_path / "store").iterdir():
        path.write_text("{not json", encoding="utf-8")
    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert len(made) == 3
    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert len(made) == 3
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("FAGUI_CACHE_DIR", str(tmp_path / "file" / "store"))
    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert len(made) == 4
    # No cache directory at all (no $HOME to find one from): made each time.
    monkeypatch.delenv("FAGUI_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert _stored(["test", "1"], make) == [[0x4E00, 0x9FA6]]
    assert len(made) == 5
