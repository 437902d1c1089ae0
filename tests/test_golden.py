"""Golden tests for the parser: `tests/golden/<case>.txt` parses to `tests/golden/<case>.json`.

Each `.txt` is a regulation as a user would paste it: real text, mostly from the shared
lawrefbook corpus (Markdown `#` marks stripped, `<!-- INFO END -->` dropped), cut to an excerpt
that keeps the structure. Each `.json` is `Document.to_dict()` for it, with `source` set to the
case's file name (`parse(text, source="<case>.txt")`), so no path on the machine leaks in.

The expected JSON is written from the text, as a lawyer reads it — which 编/章/节 an article
stands under, which lines are its 款, 项 and 目, what the history lines say — never regenerated
from the parser's output. When the parser and a golden file disagree, fix the parser, or show
from the text that the golden file is wrong; do not copy the parser's output over it.

The cases:

- `civil_code_parts`: 民法典 excerpts with 编, 分编, 章, 节 and the unnumbered 附则 that closes
  the code (its articles are not part of 第七编); numbering gaps of the excerpt are reported.
- `article_zhiyi`: 刑法 articles 286–288 with 第二百八十六条之一 … 之二 as articles ("286-1"),
  and the history line listing the 1997 revision and fourteen amending acts.
- `amendment_zhiyi`: 刑法修正案（九） points 二十七–三十一, 五十二: the points are its articles;
  the articles it quotes (“第二百八十七条之一 …) and their items are its paragraphs.
- `amendment_decision`: a 修改决定 whose quoted new articles carry unquoted （一） lines: they are
  quoted text, not items of the decision; the closing 本决定自…施行 lines belong to no point.
- `items_and_subitems`: 款, 项 （一） and 目 1. in one article, 款 after a list of 项.
- `judicial_interpretation_divisions`: 一、受案范围 divisions, 法释〔2022〕10号, history lines.
- `with_toc`: 网络安全法 with its 目录 before the body; the 目录 is a `toc` node only.
- `seed`: the polluted web copy; recovered, it equals ../shared/seed/official.txt.
- `commencement_and_number`: 国务院令第353号, effective date from 本条例自…起施行.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fagui.model import Document
from fagui.parse import parse

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.txt"))


def _expected(case: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))


def _summary(value: Any) -> str:
    """A short, readable form of a value: a node by its type, eid, label and text start."""
    if isinstance(value, dict) and "type" in value and "eid" in value:
        text = value.get("text", "")
        parts = [value["type"], value["eid"] or "(no eid)"]
        parts += [repr(value[k]) for k in ("label", "heading") if value.get(k)]
        parts.append(repr(text[:40] + ("…" if len(text) > 40 else "")))
        parts.append(f"{len(value.get('children', []))} children")
        return " ".join(parts)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "[" + ", ".join(_summary(v) for v in value[:3]) + (", …]" if len(value) > 3 else "]")
    text = value if value == "(none)" else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "…"


def first_difference(expected: Any, actual: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The path of the first place where `actual` differs from `expected`, with both values.
    Nodes are named by their eId in the path (`body › chp_3 › art_10 › text`)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            here = f"{path} › {key}" if path else key
            if key not in actual:
                return here, expected[key], "(missing)"
            if key not in expected:
                return here, "(absent)", actual[key]
            found = first_difference(expected[key], actual[key], here)
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for n, (e, a) in enumerate(zip(expected, actual, strict=False)):
            name = e.get("eid") if isinstance(e, dict) and e.get("eid") else f"[{n}]"
            if isinstance(e, dict) and isinstance(a, dict) and e.get("eid") != a.get("eid"):
                return f"{path} › {name}", e, a  # a different node: show both, not their keys
            found = first_difference(e, a, f"{path} › {name}" if path else name)
            if found:
                return found
        if len(expected) != len(actual):
            where = f"{path} ({len(expected)} expected, {len(actual)} parsed; the rest)"
            return where, expected[len(actual) :] or "(none)", actual[len(expected) :] or "(none)"
        return None
    if expected != actual:
        return path, expected, actual
    return None


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    text = (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")
    actual = parse(text, source=f"{case}.txt").to_dict()
    expected = _expected(case)
    found = first_difference(expected, actual)
    if found:
        where, want, got = found
        pytest.fail(
            f"{case}: first difference at {where}\n"
            f"  expected: {_summary(want)}\n"
            f"  parsed:   {_summary(got)}\n"
            f"(whole output: fagui parse tests/golden/{case}.txt --format json)",
            pytrace=False,
        )


@pytest.mark.parametrize("case", CASES)
def test_golden_round_trip(case: str) -> None:
    data = _expected(case)
    assert data["source"] == f"{case}.txt"
    assert Document.from_dict(data).to_dict() == data


def test_every_case_has_its_json() -> None:
    assert CASES, "no golden cases"
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == CASES


def test_first_difference_names_the_node() -> None:
    node = {"type": "article", "eid": "art_1", "text": "甲。", "children": []}
    expected = {"body": [{"type": "chapter", "eid": "chp_1", "children": [node]}]}
    actual = json.loads(json.dumps(expected))
    actual["body"][0]["children"][0]["text"] = "乙。"
    assert first_difference(expected, actual) == (
        "body › chp_1 › children › art_1 › text",
        "甲。",
        "乙。",
    )
    assert first_difference(expected, expected) is None
