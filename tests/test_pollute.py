"""The pollution generator checked against facts: what it inserts is what it claims, and taking
exactly that out gives back the input."""

from __future__ import annotations

import random

import emoji
import opencc
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from fagui import pollute as P

LAW = "\n\n".join(
    [
        "中国共产党党员网络行为规定",
        "（2024年1月14日中共中央批准2024年1月14日中共中央办公厅发布）",
        "第一章　总则",
        "第一条　为了规范党员网络行为，发挥党员在网络空间作用，"
        "根据《中国共产党党员教育管理工作条例》等有关党内法规，制定本规定。",
        "第二条　本规定所称网络行为，是指通过互联网制作、复制、存储、发布、传播文字、图片、"
        "音频、视频等信息内容及其相关活动。",
        "第三条　党员实施网络行为，应当深刻领悟“两个确立”的决定性意义，增强“四个意识”、"
        "坚定“四个自信”、做到“两个维护”，坚持正确政治方向、舆论导向、价值取向。",
        "第六条　党员应当践行网上群众路线，密切联系群众，及时反映群众的意见和要求？"
        "回应社会关切！解疑释惑；析事明理：引导群众形成共识。",
        "第十条　……或者歪曲党的历史、中华人民共和国历史、人民军队历史等有严重政治问题的信息。",
    ]
)
LONG = "\n\n".join([LAW] * 30)
HAN = regex.compile(r"\p{Han}")
PINYIN = "[a-züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]+"
GLOSS = regex.compile(rf"(?<=\p{{Han}})(?:\({PINYIN}\)|（{PINYIN}）)")


def without_emoji(text: str) -> str:
    """`text` with every emoji the `emoji` package finds taken out, and text-presentation
    selectors (U+FE0E, which follow text-default symbols such as ✡︎) too."""
    return emoji.replace_emoji(text, "").replace("\ufe0e", "")


def insertions(clean: str, noisy: str) -> list[tuple[int, str]]:
    """(offset in `clean`, inserted string) pairs, for noise that only inserts characters
    unlike the ones following them; fails if `noisy` is not `clean` plus insertions."""
    out: list[tuple[int, str]] = []
    i = 0
    extra = ""
    for ch in noisy:
        if i < len(clean) and ch == clean[i]:
            if extra:
                out.append((i, extra))
                extra = ""
            i += 1
        else:
            extra += ch
    if extra:
        out.append((i, extra))
    assert i == len(clean), "the input is not kept in order"
    return out


def emoji_found(text: str) -> list[str]:
    return [m["emoji"] for m in emoji.emoji_list(text)]


# --- emoji -----------------------------------------------------------------------------------


def test_emoji_noise_inserts_only_emoji_and_removing_them_gives_back_the_input() -> None:
    noisy = P.emoji_noise(LAW, random.Random(1), rate=0.1)
    found = emoji_found(noisy)
    assert len(found) > 20
    assert all(emoji.is_emoji(e) for e in found)
    assert without_emoji(noisy) == LAW


def test_emoji_noise_goes_after_han_characters_and_punctuation() -> None:
    text = regex.sub(r"\d", "", LAW)  # keycaps start with a digit: keep the alignment simple
    noisy = P.emoji_noise(text, random.Random(2), rate=0.1)
    for at, added in insertions(text, noisy):
        assert HAN.match(text[at - 1]) or text[at - 1] in "，。、；：？！）》”", added
        assert emoji_found(added) and without_emoji(added) == ""


def test_every_emoji_category_appears_across_a_run() -> None:
    found = emoji_found(P.emoji_noise(LONG, random.Random(3), rate=0.1))
    data, unqualified = emoji.EMOJI_DATA, emoji.STATUS["unqualified"]
    seen = {
        "newest": [e for e in found if data[e]["E"] >= 15],
        "zwj": [e for e in found if "\u200d" in e],
        "skin_tone": [e for e in found if len(e) > 1 and regex.search(r"\p{Emoji_Modifier}", e)],
        "flag": [e for e in found if regex.fullmatch(r"\p{Regional_Indicator}{2}", e)],
        "keycap": [e for e in found if e.endswith("\ufe0f\u20e3")],
        "vs16": [e for e in found if e[1:] == "\ufe0f" and data[e[0]]["status"] == unqualified],
        "bare": [e for e in found if len(e) == 1 and data[e]["status"] == unqualified],
        # components such as 🦰 appear alone only when a ZWJ sequence lost its joiners
        "zwj_stripped": [e for e in found if data[e]["status"] == emoji.STATUS["component"]],
    }
    missing = [kind for kind, hits in seen.items() if not hits]
    assert not missing, f"no emoji of kinds {missing}"
    assert {15, 15.1, 16} <= {data[e]["E"] for e in seen["newest"]}


def test_emoji_pools_cover_the_newest_versions_and_every_category() -> None:
    pools = P.emoji_pools()
    assert set(pools) == set(P.EMOJI_KINDS)
    assert all(pools.values())
    versions = {emoji.EMOJI_DATA[e]["E"] for e in pools["newest"]}
    assert {15, 15.1, 16} <= versions
    assert "\U0001faef" in pools["newest"] or "\U0001fae8" in pools["newest"]  # E16 / E15 faces
    assert "☺️" in pools["vs16"] and "↔️" in pools["vs16"]
    assert "#️⃣" in pools["keycap"] and "1️⃣" in pools["keycap"]
    assert "🇨🇳" in pools["flag"]


# --- symbols, zero-width, spaces ---------------------------------------------------------------


def test_symbol_noise_inserts_hieroglyphs_cuneiform_and_tiles_only() -> None:
    noisy = P.symbol_noise(LONG, random.Random(4), rate=0.05)
    added = "".join(s for _, s in insertions(LONG, noisy))
    families = {
        "hieroglyph": r"[\U00013000-\U0001342f]",
        "cuneiform": r"[\U00012000-\U000123ff]",
        "tile": r"[\U0001f000-\U0001f09f]",
        "alchemical": r"[\U0001f700-\U0001f77f]",
        "dingbat": f"[{P._DINGBATS}]",
    }
    for family, pattern in families.items():
        assert regex.search(pattern, added), f"no {family}"
    assert not regex.search(r"\p{Cn}", added), "unassigned code points"
    everything = "|".join(families.values()) + r"|[\U0001f0a0-\U0001f0ff]"
    assert regex.sub(everything, "", added) == ""


def test_zero_width_noise_goes_between_han_characters() -> None:
    noisy = P.zero_width_noise(LAW, random.Random(5), rate=0.1)
    found = insertions(LAW, noisy)
    assert len(found) > 10
    for at, added in found:
        assert set(added) <= set(P._ZERO_WIDTH)
        assert HAN.match(LAW[at - 1]) and HAN.match(LAW[at])


def test_space_noise_inserts_one_space_inside_a_line_never_beside_another() -> None:
    noisy = P.space_noise(LONG, random.Random(6), rate=0.05)
    found = insertions(LONG, noisy)
    assert {added for _, added in found} == {" ", "\xa0", "\u3000"}
    for at, _ in found:
        assert HAN.match(LONG[at - 1]) and HAN.match(LONG[at])
    lines = noisy.split("\n")
    assert [line for line in lines if line != line.strip()] == []


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="法律第一条　，。、；（）“”《》123abc \n网络行为规定", max_size=200),
    seed=st.integers(0, 10**6),
)
def test_noise_comes_out_exactly(text: str, seed: int) -> None:
    rng = random.Random(seed)
    assert without_emoji(P.emoji_noise(text, rng, rate=0.3)) == text
    zero_width = P.zero_width_noise(text, rng, rate=0.3)
    assert regex.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", zero_width) == text
    spaced = P.space_noise(text, rng, rate=0.3)
    assert all(HAN.match(text[at - 1]) for at, _ in insertions(text, spaced))


# --- pinyin ----------------------------------------------------------------------------------


def test_pinyin_glosses_use_tone_marks_and_both_kinds_of_parentheses() -> None:
    pypinyin = pytest.importorskip("pypinyin")
    styles = set()
    for seed in range(8):
        noisy = P.pinyin_noise(LAW, random.Random(seed), rate=0.05)
        assert GLOSS.sub("", noisy) == LAW
        for m in GLOSS.finditer(noisy):
            syllable = m.group()[1:-1]
            reading = pypinyin.lazy_pinyin(noisy[m.start() - 1], style=pypinyin.Style.TONE)[0]
            assert syllable == reading
            styles.add(m.group()[0])
    assert styles == {"(", "（"}
    assert "网(wǎng)" in P.pinyin_noise("网" * 200, random.Random(0), rate=1) or "网（wǎng）" in (
        P.pinyin_noise("网" * 200, random.Random(0), rate=1)
    )


# --- layout, punctuation, script ---------------------------------------------------------------


def test_hard_wrap_breaks_long_lines_only() -> None:
    wrapped = P.hard_wrap(LAW, random.Random(7), width=35)
    assert wrapped.replace("\n", "") == LAW.replace("\n", "")
    assert max(len(line) for line in wrapped.split("\n")) == 35
    for line in LAW.split("\n"):
        if len(line) <= 35:
            assert line in wrapped.split("\n")
    assert 30 <= max(map(len, P.hard_wrap(LAW, random.Random(8)).split("\n"))) <= 40


def test_half_width_punct_makes_the_seeds_punctuation() -> None:
    half = P.half_width_punct(LAW)
    assert "网络行为，发挥" in LAW and "网络行为,发挥" in half
    assert "（" not in half and "(2024年" in half and "？" not in half and "!" in half
    for kept in "。、“”《》":
        assert half.count(kept) == LAW.count(kept)
    assert len(half) == len(LAW)


def test_traditional_is_opencc_and_careless_loses_phrase_context() -> None:
    assert P.traditional(LAW) == opencc.OpenCC("s2t").convert(LAW)
    assert P.traditional("联系发布") == "聯繫發佈"
    assert P.traditional("联系发布", careless=True, rng=random.Random(0), share=1.0) == "聯系發布"
    careless = P.traditional(LAW, careless=True, rng=random.Random(9))
    assert careless != P.traditional(LAW) and len(careless) == len(LAW)
    assert opencc.OpenCC("t2s").convert(careless) == LAW


# --- furniture and pages -----------------------------------------------------------------------


def test_chrome_wraps_the_text_in_site_furniture() -> None:
    marks = 0
    for seed in range(20):
        page = P.chrome(LAW, random.Random(seed))
        lines = [line for line in page.split("\n") if line]
        first, last = lines.index(LAW.split("\n")[0]), lines.index(LAW.split("\n")[-1])
        assert first > 0 and last < len(lines) - 1, "furniture before and after"
        assert any("中国共产党党员网络行为规定" in line for line in lines[:first]), "headline"
        assert any(line.startswith("分享到") for line in lines[last:])
        body = lines[first : last + 1]
        law = [line for line in LAW.split("\n") if line]
        marks += len(body) - len(law)
        assert [line for line in body if line in law] == law
    assert 3 <= marks <= 17, "a watermark in about half of the pages"


def test_html_page_has_one_paragraph_per_line_and_nav_only_with_chrome() -> None:
    text = P.space_noise(LAW, random.Random(10), rate=0.05)
    page = P.html_page(text, random.Random(10), nav=False, charset="gb18030")
    tree = HTMLParser(page)
    assert [p.text() for p in tree.css("p")] == [line for line in text.split("\n") if line.strip()]
    assert tree.css_first("meta").attributes["charset"] == "gb18030"
    assert tree.css("script") and not tree.css(".header")
    assert HTMLParser(P.html_page(text, random.Random(10))).css(".header .nav li")


# --- the combinator --------------------------------------------------------------------------


def test_pollute_is_deterministic_for_a_seed() -> None:
    options = {"script": "traditional", "punct": "half", "html": True}
    first, again = (P.pollute(LAW, random.Random(11), **options) for _ in range(2))
    assert first == again
    assert P.pollute(LAW, random.Random(11)) != P.pollute(LAW, random.Random(12))


def test_pollute_with_nothing_selected_changes_nothing() -> None:
    assert P.pollute(LAW, random.Random(0), kinds=()) == LAW
    assert P.pollute(LAW, random.Random(0), kinds=(), punct="half") == P.half_width_punct(LAW)
    kept = P.pollute(LAW, random.Random(0), kinds=(), script="traditional")
    assert opencc.OpenCC("t2s").convert(kept) == LAW


def test_pollute_applies_every_kind() -> None:
    noisy = P.pollute(LONG, random.Random(13))
    assert "分享到" in noisy  # chrome
    assert max(map(len, noisy.split("\n"))) < 120  # wrap (noise lengthens lines a little)
    assert GLOSS.search(noisy)  # pinyin
    assert regex.search(r"\p{Han}[ \xa0\u3000]\p{Han}", noisy)  # spaces
    assert regex.search("[\u200b\u200c\u2060\ufeff]", noisy)  # zero-width
    assert regex.search(r"[\U00012000-\U0001342f]", noisy)  # symbols
    assert len(emoji_found(noisy)) > 100


def test_pollute_rejects_unknown_options() -> None:
    with pytest.raises(ValueError, match="kinds"):
        P.pollute(LAW, random.Random(0), kinds=("confetti",))
    with pytest.raises(ValueError):
        P.pollute(LAW, random.Random(0), script="cyrillic")
