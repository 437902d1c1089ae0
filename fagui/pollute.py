"""Make polluted copies of a clean law text, the way spam mirrors and PDF copies do.

Test and benchmark tooling, not part of the recovery pipeline: the tests and `bench/` share it so
that every recovery figure is measured against a known clean original. Each noise type has its
own function returning the polluted string; `pollute` combines them in a realistic order.
Everything is deterministic for a given `random.Random`. Listing Unicode block ranges is fine
here: it generates noise, it does not detect it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from functools import cache
from html import escape

import emoji
import regex

from fagui.recover import converter
from fagui.recover.text import readings

#: Pollution kinds, in the order `pollute` applies them.
ALL_KINDS = ("wrap", "chrome", "pinyin", "spaces", "zero_width", "symbols", "emoji")
#: Default share of the positions of a text where each noise function tries to insert.
RATES = {"emoji": 0.03, "symbols": 0.005, "zero_width": 0.01, "spaces": 0.005, "pinyin": 0.005}

#: Emoji categories drawn by `emoji_noise`, with their weights.
EMOJI_KINDS: dict[str, int] = {
    "plain": 30,  # one code point, emoji presentation: 🌭
    "newest": 14,  # Emoji 15 and later: 🫎 🪿 🐦‍🔥
    "zwj": 12,  # ZWJ sequences: 👨‍👩‍👦‍👦 🧑‍🌾
    "zwj_stripped": 6,  # the same with the joiners lost, as in the seed: 👨👩👦👦
    "skin_tone": 12,  # 👲🏻 🫲🏿
    "flag": 5,  # regional indicator pairs: 🇨🇳
    "keycap": 5,  # 1️⃣ #️⃣
    "vs16": 8,  # text-default symbols made emoji: ☺️ ↔️
    "vs15": 3,  # text-default symbols asking for text presentation: ✡︎
    "bare": 5,  # text-default symbols alone: ⛓ ♂
}

_SYMBOL_BLOCKS: dict[str, tuple[tuple[int, int], int]] = {  # family: (range, weight)
    "hieroglyph": ((0x13000, 0x1342F), 3),
    "cuneiform": ((0x12000, 0x123FF), 2),
    "mahjong": ((0x1F000, 0x1F02F), 1),
    "domino": ((0x1F030, 0x1F09F), 1),
    "cards": ((0x1F0A0, 0x1F0FF), 1),
    "alchemical": ((0x1F700, 0x1F77F), 1),
}
_DINGBATS = "★☆■□◆◇▲△▼▽●◎◈※✦✧❖♤♧♡♢✪✿❀"  # not ○: the corpus writes 一九九○年 with it
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

_UNASSIGNED = regex.compile(r"\p{Cn}")
_AFTER = regex.compile(r"[\p{Han}，。、；：？！）》”,;:)?!]")  # emoji go after these
_BETWEEN = regex.compile(r"[\p{Han}，。、；：？！）》”,;:)?!](?=\S)")  # symbols: inside a line
_HAN = regex.compile(r"\p{Han}")
_HAN_PAIR = regex.compile(r"\p{Han}(?=\p{Han})")
_CHAR_S2T: dict[str, str] = {}  # one character at a time: what a careless converter does
_HALF = str.maketrans("，；：（）？！", ",;:()?!")


# --- helpers -------------------------------------------------------------------------------


def _places(text: str, rng: random.Random, rate: float, where: regex.Pattern) -> list[int]:
    """About `rate` of the positions in `text`, in order, keeping those just after a match of
    `where` (sampling first is much faster than listing every match of a long text)."""
    n = min(len(text), int(len(text) * rate + rng.random()))
    return sorted(p for p in rng.sample(range(1, len(text) + 1), n) if where.match(text, p - 1))


def _insert(text: str, positions: Iterable[int], make: Callable[[int], str]) -> str:
    out, last = [], 0
    for pos in positions:
        out += [text[last:pos], make(pos)]
        last = pos
    out.append(text[last:])
    return "".join(out)


def _sprinkle(text: str, rng: random.Random, where: regex.Pattern, rate: float, make) -> str:
    """Insert `make(pos)` at about `rate` of the positions just after a match of `where`."""
    return _insert(text, _places(text, rng, rate, where), make)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


@cache
def emoji_pools() -> dict[str, list[str]]:
    """Emoji of `emoji.EMOJI_DATA` sorted into the categories of `EMOJI_KINDS`."""
    qualified, unqualified = emoji.STATUS["fully_qualified"], emoji.STATUS["unqualified"]
    pools: dict[str, list[str]] = {kind: [] for kind in EMOJI_KINDS}
    for e, data in emoji.EMOJI_DATA.items():
        if len(e) == 1 and data["status"] == unqualified:
            pools["bare"].append(e)
            pools["vs15"].append(e + "\ufe0e")
        if data["status"] != qualified:
            continue
        if data["E"] >= 15:
            pools["newest"].append(e)
        if "\u200d" in e:
            pools["zwj"].append(e)
            pools["zwj_stripped"].append(e.replace("\u200d", ""))
        elif any(0x1F3FB <= ord(c) <= 0x1F3FF for c in e[1:]):
            pools["skin_tone"].append(e)
        elif "\u20e3" in e:
            pools["keycap"].append(e)
        elif len(e) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in e):
            pools["flag"].append(e)
        elif len(e) == 2 and e[1] == "\ufe0f":
            pools["vs16"].append(e)
        elif len(e) == 1:
            pools["plain"].append(e)
    return pools


@cache
def symbol_pools() -> dict[str, list[str]]:
    """Assigned characters of each exotic block, plus dingbats."""
    pools = {
        family: [c for c in map(chr, range(lo, hi + 1)) if not _UNASSIGNED.match(c)]
        for family, ((lo, hi), _) in _SYMBOL_BLOCKS.items()
    }
    pools["dingbat"] = list(_DINGBATS)
    return pools


def _pinyin(ch: str) -> str:
    """The usual reading of a Han character (pypinyin's, as recover reads them), or the
    character itself when it has none."""
    found = readings(ch)
    return found[0] if found else ch


# --- one function per noise type -------------------------------------------------------------


def emoji_noise(text: str, rng: random.Random, rate: float = RATES["emoji"]) -> str:
    """Insert emoji (sometimes two) after Han characters and punctuation."""
    pools = emoji_pools()

    def one() -> str:
        return rng.choice(pools[_weighted(rng, EMOJI_KINDS)])

    return _sprinkle(
        text, rng, _AFTER, rate, lambda _: one() + (one() if rng.random() < 0.15 else "")
    )


def symbol_noise(text: str, rng: random.Random, rate: float = RATES["symbols"]) -> str:
    """Insert hieroglyphs, cuneiform, tiles, cards, alchemical symbols and dingbats in lines."""
    pools = symbol_pools()
    weights = {family: weight for family, (_, weight) in _SYMBOL_BLOCKS.items()} | {"dingbat": 3}
    return _sprinkle(
        text, rng, _BETWEEN, rate, lambda _: rng.choice(pools[_weighted(rng, weights)])
    )


def zero_width_noise(text: str, rng: random.Random, rate: float = RATES["zero_width"]) -> str:
    """Insert U+200B/200C/200D/2060/FEFF between two Han characters."""
    return _sprinkle(
        text, rng, _HAN_PAIR, rate, lambda _: rng.choice(_ZERO_WIDTH) * (1 + (rng.random() < 0.2))
    )


def space_noise(text: str, rng: random.Random, rate: float = RATES["spaces"]) -> str:
    """Insert one ASCII space, NBSP or U+3000 between two Han characters of a line."""
    return _sprinkle(text, rng, _HAN_PAIR, rate, lambda _: rng.choice("   \xa0\u3000"))


def pinyin_noise(text: str, rng: random.Random, rate: float = RATES["pinyin"]) -> str:
    """Gloss runs of one to three Han characters with tone-marked pinyin: 網(wǎng)絡（luò）."""
    glossed: set[int] = set()
    for start in _places(text, rng, rate, _HAN):
        glossed.update(
            i for i in range(start, start + rng.randint(0, 2)) if _HAN.match(text, i - 1)
        )
    half = rng.random()  # each mirror has its habit, not always kept

    def gloss(pos: int) -> str:
        ch, syllable = text[pos - 1], _pinyin(text[pos - 1])
        if syllable == ch:  # pypinyin knows no reading
            return ""
        return f"({syllable})" if rng.random() < half else f"（{syllable}）"

    return _insert(text, sorted(glossed), gloss)


def hard_wrap(text: str, rng: random.Random, width: int | None = None) -> str:
    """Break every line longer than `width` (30-40 when not given) every `width` characters."""
    width = width or rng.randint(30, 40)
    lines = text.split("\n")
    return "\n".join(line[i : i + width] for line in lines for i in range(0, len(line) or 1, width))


def half_width_punct(text: str) -> str:
    """，；：（）？！ become , ; : ( ) ? ! (without spaces); 。、“”《》 are left alone."""
    return text.translate(_HALF)


def traditional(
    text: str, careless: bool = False, *, rng: random.Random | None = None, share: float = 0.3
) -> str:
    """OpenCC s2t. `careless` converts about `share` of the Han characters one at a time, so
    phrase context is lost as in the seed (聯系 for 聯繫, 發布 for 發佈)."""
    out = converter("s2t").convert(text)
    if not careless or len(out) != len(text):
        return out
    rng = rng or random.Random(0)
    chars = list(out)
    for i in rng.sample(range(len(text)), int(len(text) * share)):  # non-Han stay as they are
        chars[i] = _CHAR_S2T.get(text[i]) or _CHAR_S2T.setdefault(
            text[i], converter("s2t").convert(text[i])
        )
    return "".join(chars)


# --- site furniture --------------------------------------------------------------------------

_SITE_A = ["杏宇", "华律", "法帮", "律图", "中法", "法易", "金盾", "九州", "明德", "正义"]
_SITE_B = ["平台", "网", "法律网", "资讯网", "法规库", "学习网", "律师网"]
_PUBLISHERS = ["中共中央办公厅", "国务院办公厅", "全国人大常委会", "司法部", "最高人民法院"]
_SECTIONS = ["法律法规", "政策法规", "司法解释", "地方法规", "法规库"]
_OTHER_TITLES = [
    "关于做好春节期间安全生产工作的通知",
    "国务院关于修改和废止部分行政法规的决定",
    "最高人民法院发布十起典型案例",
    "关于进一步优化营商环境的若干措施",
]
_MARKS = (
    "本文来源于{site} {domain}",
    "【扫码关注，获取更多法规】",
    "更多法律法规请访问{site}（{domain}）",
    "（本文来自{site}，转载请注明出处）",
)


def _site(rng: random.Random) -> tuple[str, str]:
    domain = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 8)))
    tld = rng.choice(("com", "cn", "net"))
    return rng.choice(_SITE_A) + rng.choice(_SITE_B), f"www.{domain}.{tld}"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def chrome(text: str, rng: random.Random) -> str:
    """Wrap `text` in a mirror's furniture: site name, headline, date/author line, breadcrumb,
    share bar, previous/next links, copyright, ICP, ads, and maybe a watermark in the body."""
    site, domain = _site(rng)
    title, pub, year = _first_line(text), rng.choice(_PUBLISHERS), rng.randint(2015, 2025)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    prov, others = rng.choice("京沪粤浙苏鲁豫川渝鄂"), rng.sample(_OTHER_TITLES, 4)

    def maybe(p: float, *choices: str) -> list[str]:
        return [rng.choice(choices)] if rng.random() < p else []

    head = [
        *maybe(0.8, f"{site}首页", f"{site} | 首页", "首页 | 法律法规 | 政策解读 | 联系我们"),
        *maybe(0.5, f"{site}网站地图", f"{site}网站xml地图"),
        *maybe(0.5, f"当前位置：首页 > {_SECTIONS[year % 5]} > 正文", "您现在的位置：首页 » 正文"),
        *maybe(1, f"{pub}印发《{title}》", f"{pub}印发{title}", f"{title}（全文）", f"{title}全文"),
        *maybe(
            1,
            f"{year}年{month:02d}月{day:02d}日 {clock} 作者： 来源： 审核：",
            f"发布时间：{year}-{month:02d}-{day:02d} 来源：{site} 浏览次数：{day * 37 + month}",
            f"{year}年{month}月{day}日 来源：{site} 作者：{rng.choice(('admin', '小编'))}",
        ),
    ]
    foot = [
        *maybe(0.3, f"责任编辑：{rng.choice('王李张刘陈杨')}某", "（责任编辑：admin）"),
        *maybe(1, "分享到：", "分享到：微信 微博 QQ空间", "分享到：微信朋友圈 新浪微博"),
        *maybe(0.6, f"上一篇：{others[0]}\n下一篇：{others[1]}"),
        *maybe(0.3, "相关阅读：\n" + "\n".join(f"· {t}" for t in others[2:])),
        *maybe(0.5, "扫码关注公众号", f"扫码关注{site}公众号，获取最新法规"),
        *maybe(0.8, f"Copyright © {year} {site} 版权所有", f"版权所有 © 2010-{year} {site}"),
        *maybe(0.8, f"{prov}ICP备{rng.randint(10**7, 10**8)}号", f"{prov}ICP备{year}0{day}号-1"),
        *maybe(0.4, f"{prov}公网安备 {rng.randint(10**13, 10**14 - 1)}号"),
        *maybe(0.3, site),
    ]
    gaps = [m.start() for m in regex.finditer(r"\n\n(?=\S)", text)]
    if gaps and rng.random() < 0.5:
        at = rng.choice(gaps[len(gaps) // 10 :])
        mark = rng.choice(_MARKS).format(site=site, domain=domain)
        text = f"{text[:at]}\n\n{mark}{text[at:]}"
    sep = rng.choice(("\n\n", "\n\n", "\n"))
    return sep.join(head) + "\n\n" + text + "\n\n" + sep.join(foot) + "\n"


def html_page(text: str, rng: random.Random, *, nav: bool = True, charset: str = "utf-8") -> str:
    """A web page with one `<p>` per non-blank line of `text`, inside a head with a script and
    a style and, with `nav`, a nav bar and a footer."""
    site, domain = _site(rng)
    lines = [escape(line).replace("\xa0", "&nbsp;") for line in text.split("\n") if line.strip()]
    paras = "\n".join(f"<p>{line}</p>" for line in lines)
    header = footer = ""
    if nav:
        links = "".join(f'<li><a href="/{i}/">{s}</a></li>' for i, s in enumerate(_SECTIONS))
        header = (
            f'<div class="header"><a href="/">{site}首页</a><ul class="nav">{links}</ul></div>\n'
        )
        footer = f'<div class="footer"><p>关于我们 | 联系我们</p><p>© {site} {domain}</p></div>\n'
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">\n'
        f"<title>{escape(_first_line(text))} - {site}</title>\n"
        "<style>body{font-family:'微软雅黑';} .nav li{display:inline}</style>\n"
        "<script>var _hmt=_hmt||[];(function(){var s='统计代码';})();</script>\n"
        f'</head><body>\n{header}<div class="main"><div class="article-content">\n{paras}\n'
        f"</div></div>\n{footer}<script>document.write('<span>访问统计</span>');</script>\n"
        "</body></html>\n"
    )


def pollute(
    text: str,
    rng: random.Random,
    *,
    kinds: Iterable[str] = ALL_KINDS,
    script: str = "simplified",
    punct: str = "full",
    html: bool = False,
    charset: str = "utf-8",
) -> str:
    """Apply the selected `kinds` in a realistic order: hard wrapping of the law (as a PDF
    copy has it), the mirror's furniture around it, script conversion (careless half the
    time) and half-width punctuation of the whole page, then glosses, spaces, zero-width
    characters, symbols and emoji; last, with `html`, a web page declaring `charset`."""
    kinds = set(kinds)
    if unknown := kinds - set(ALL_KINDS):
        raise ValueError(f"unknown pollution kinds: {sorted(unknown)}")
    if script not in ("simplified", "traditional") or punct not in ("full", "half"):
        raise ValueError(f"bad script {script!r} or punct {punct!r}")
    if "wrap" in kinds:
        text = hard_wrap(text, rng)
    if "chrome" in kinds:
        text = chrome(text, rng)
    if script == "traditional":
        text = traditional(text, careless=rng.random() < 0.5, rng=rng, share=rng.uniform(0.1, 1.0))
    if punct == "half":
        text = half_width_punct(text)
    noises = {"pinyin": pinyin_noise, "spaces": space_noise, "zero_width": zero_width_noise,
              "symbols": symbol_noise, "emoji": emoji_noise}  # fmt: skip
    for kind, noise in noises.items():
        if kind in kinds:
            text = noise(text, rng)
    if html:
        text = html_page(text, rng, nav="chrome" in kinds, charset=charset)
    return text
