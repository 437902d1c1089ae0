"""The audit guarantee: every character of the source is kept or accounted for by one change."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fagui.model import Change, Recovered, apply_changes
from fagui.pollute import pollute
from fagui.recover import recover
from fagui.recover.edits import _applied, _Edit, _Edits

ARTICLE = (
    "第十条　党员不得通过网络制作、复制、存储、发布、传播含有反对党的基本理论的信息，"
    "不得组织、参加含有相关内容的网络论坛、群组、直播等活动。\n"
)


@st.composite
def passes(draw: st.DrawFn) -> tuple[str, list[list[tuple[int, int, str]]]]:
    """A source and several passes of random edits, each pass in its own coordinates."""
    source = draw(st.text(alphabet="党员网络ab \n", min_size=0, max_size=40))
    length = len(source)
    rounds = []
    for _ in range(draw(st.integers(1, 5))):
        cuts = sorted(draw(st.lists(st.integers(0, length), max_size=8)))
        edits = []
        for s, e in zip(cuts[::2], cuts[1::2], strict=False):
            rep = draw(st.text(alphabet="XYZ", max_size=3))
            edits.append((s, e, rep))
        rounds.append(edits)
        length += sum(len(rep) - (e - s) for s, e, rep in edits)
    return source, rounds


@given(passes())
@settings(max_examples=400, deadline=None)
def test_edits_compose_into_changes_that_rebuild_the_result(case) -> None:
    source, rounds = case
    edits = _Edits(source)
    expected = source
    for round_ in rounds:
        if any(e > len(expected) for _, e, _ in round_):
            continue  # drawn for a longer text than this round has
        edits.apply(_Edit(s, e, rep, "noise", "") for s, e, rep in round_)
        pieces, p = [], 0
        for s, e, rep in round_:
            pieces += (expected[p:s], rep)
            p = e
        expected = "".join(pieces) + expected[p:]
        assert edits.text == expected
    changes = edits.changes()
    assert apply_changes(source, changes) == expected
    for change in changes:
        assert source[change.offset : change.offset + change.length] == change.original


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_recover_never_raises_and_always_accounts_for_its_changes(text: str) -> None:
    result = recover(text)
    assert apply_changes(text, result.changes) == result.text


@given(st.integers(0, 2**32 - 1))
@example(961907)  # spaces kept as a heading's until wraps joined the line, then removed
@settings(max_examples=60, deadline=None)
def test_recover_of_a_polluted_article_is_audited_and_idempotent(seed: int) -> None:
    rng = random.Random(seed)
    polluted = pollute(
        ARTICLE * 3,
        rng,
        script=rng.choice(["simplified", "traditional"]),
        punct=rng.choice(["full", "half"]),
    )
    result = recover(polluted)
    assert apply_changes(polluted, result.changes) == result.text
    assert recover(result.text).text == result.text


def test_report_round_trips_through_json() -> None:
    result = recover("第一条🫎 党员,应当遵守。\n")
    assert Recovered.from_dict(result.to_dict()) == result
    assert all(isinstance(c, Change) for c in result.changes)


@st.composite
def compact_passes(draw: st.DrawFn) -> tuple[str, list[tuple[str, object]]]:
    """A source and passes of the two compact kinds: deletions and one-for-one substitutions."""
    source = draw(st.text(alphabet="党员网络ab \n", min_size=0, max_size=40))
    length = len(source)
    rounds: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            cuts = sorted(set(draw(st.lists(st.integers(0, length), max_size=8))))
            spans = [(s, e) for s, e in zip(cuts[::2], cuts[1::2], strict=False) if e > s]
            rounds.append(("delete", spans))
            length -= sum(e - s for s, e in spans)
        else:
            at = draw(st.lists(st.integers(0, max(0, length - 1)), max_size=6)) if length else []
            rounds.append(("substitute", (sorted(set(at)), draw(st.booleans()))))
    return source, rounds


@given(compact_passes())
@settings(max_examples=300, deadline=None)
def test_compact_passes_compose_as_their_edits_do(case) -> None:
    source, rounds = case
    compact, explicit = _Edits(source), _Edits(source)
    for how, what in rounds:
        text = compact.text
        if how == "delete":
            deleted = _applied(text, [(s, e, "", "", "") for s, e in what])
            # The reason is read from the text before the pass and the span (here, the
            # character before it too, as a gloss's is).
            compact.delete_found(
                deleted, len(what), what, "noise", lambda t, s, e: f"removed {t[max(s - 1, 0) : e]}"
            )
            explicit.apply(
                (s, e, "", "noise", f"removed {text[max(s - 1, 0) : e]}") for s, e in what
            )
        else:
            positions, join = what
            chars = list(text)
            for i in positions:
                chars[i] = "X" if chars[i] != "X" else "Y"
            compact.substitute("".join(chars), "script", "r", join=join)
            edits = [(i, i + 1, chars[i], "script", "r") for i in positions]
            if join:  # adjacent ones as one edit
                runs: list[tuple[int, int, str, str, str]] = []
                for s, e, rep, kind, reason in edits:
                    if runs and runs[-1][1] == s:
                        runs[-1] = (runs[-1][0], e, runs[-1][2] + rep, kind, reason)
                    else:
                        runs.append((s, e, rep, kind, reason))
                edits = runs
            explicit.apply(edits)
        assert compact.text == explicit.text
    assert compact.changes() == explicit.changes()
    assert apply_changes(source, compact.changes()) == compact.text


def test_changes_made_in_bulk_are_those_the_constructor_makes() -> None:
    rows = [("noise", 3, 1, "🫎", "", "emoji"), ("script", 0, 2, "國家", "国家", "traditional")]
    made = Change.many(rows)
    assert made == [Change(*row) for row in rows]
    assert [hash(c) for c in made] == [hash(Change(*row)) for row in rows]
    assert [Change.from_dict(c.to_dict()) for c in made] == made
    assert [c.to_dict() for c in made] == [dataclasses.asdict(c) for c in made]
