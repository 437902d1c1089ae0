"""The store: ingest, search in both scripts, citations, versions and status, and safety."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import CORPUS, requires_corpus

from fagui.store import Filters, NotFound, SQLiteStore, match_expression, parse_citation, tokens

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_668aba0204edbbb9.txt"

LAWS = [
    "行政法/网络安全法(2016-11-07).md",
    "宪法相关法/立法法(2023-03-13).md",
    "宪法相关法/国旗法(2020-10-17).md",
    "社会法/慈善法(2016-03-16).md",
    "社会法/慈善法(2023-12-29).md",
    "行政法规/未成年人网络保护条例(2023-10-16).md",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    st = SQLiteStore(tmp_path_factory.mktemp("store") / "fagui.db")
    st.ingest_bytes(SEED.read_bytes(), str(SEED))
    for law in LAWS:
        path = CORPUS / law
        if path.exists():
            st.ingest_bytes(path.read_bytes(), str(path))
    return st


def texts(store: SQLiteStore) -> list[tuple[str, str, str]]:
    return store.db.execute("SELECT doc_id, eid, text FROM articles").fetchall()


def test_tokens_break_at_punctuation() -> None:
    uni, bi = tokens("网络，安全")
    assert uni == "网 络 安 全"
    assert bi == "网络 _ 安全"  # no 络安 across the comma
    assert match_expression("網絡安全") == 'bi:"网络 络安 安全"'
    assert match_expression("党") == 'uni:"党"'


def test_reingest_changes_nothing(store: SQLiteStore) -> None:
    before = store.counts()
    again = store.ingest_bytes(SEED.read_bytes(), "another/name.txt")
    assert again.status == "unchanged"
    assert store.counts() == before


@pytest.mark.parametrize(
    "query", ["党", "网络", "網絡", "个人信息", "党员干部", "網絡安全", "国旗"]
)
def test_search_finds_exactly_the_articles_that_contain_the_query(
    store: SQLiteStore, query: str
) -> None:
    from fagui.store import simplified

    needle = simplified(query)
    brute = {(d, e) for d, e, t in texts(store) if needle in simplified(t)}
    if not brute and not CORPUS.is_dir():
        pytest.skip("only the corpus has this word; ../shared/corpus absent")
    result = store.search(query, limit=10_000)
    assert {(h.doc_id, h.eid) for h in result.hits} == brute
    assert result.total == len(brute) > 0
    assert all(f"【{needle}】" in h.snippet for h in result.hits)


def test_traditional_query_on_simplified_text(store: SQLiteStore) -> None:
    hits = store.search("黨員幹部", limit=50).hits
    assert {h.article for h in hits} >= {"第十八条", "第十九条", "第二十条"}


def test_filters(store: SQLiteStore) -> None:
    prohibitions = store.search("网络", limit=200, filters=Filters(kind="prohibition")).hits
    assert prohibitions and all(
        store.db.execute(
            "SELECT 1 FROM norms n JOIN articles a ON a.id = n.article_id "
            "WHERE a.doc_id = ? AND a.eid = ? AND n.kind = 'prohibition'",
            (h.doc_id, h.eid),
        ).fetchone()
        for h in prohibitions
    )
    cadres = store.search("网络", filters=Filters(subject="党员干部")).hits
    assert {h.article for h in cadres} == {"第十八条", "第十九条", "第二十条"}
    laws = store.search("网络", limit=500, filters=Filters(doc_type="规定")).hits
    assert {h.title for h in laws} == {"中国共产党党员网络行为规定"}
    assert not store.search("网络", filters=Filters(year=1990)).hits


@requires_corpus
def test_versions_and_status(store: SQLiteStore) -> None:
    old, new = store.db.execute(
        "SELECT id FROM documents WHERE title = '中华人民共和国慈善法' ORDER BY version_date"
    ).fetchall()
    assert store.status(old[0]) == "superseded"
    assert store.status(new[0]) == "in force"
    assert [v["date"][:4] for v in store.versions(new[0])] == ["2016", "2023"]
    assert [v["latest"] for v in store.versions(old[0])] == [False, True]
    # a search limited to what is in force leaves the 2016 text out
    hits = store.search("慈善", limit=1000, filters=Filters(in_force=True)).hits
    assert old[0] not in {h.doc_id for h in hits}


def test_repealed_by_another_document(tmp_path: Path) -> None:
    st = SQLiteStore(tmp_path / "r.db")
    a = st.ingest_bytes("某某管理办法\n\n第一条　为了管理，制定本办法。\n".encode(), "a.txt")
    st.ingest_bytes(
        "某某管理条例\n\n第一条　为了管理，制定本条例。\n\n"
        "第二条　本条例自2020年1月1日起施行，《某某管理办法》同时废止。\n".encode(),
        "b.txt",
    )
    assert st.status(a.doc_id) == "repealed"


@requires_corpus
@pytest.mark.parametrize(
    ("ref", "title", "eid"),
    [
        ("网络安全法 第二十一条", "中华人民共和国网络安全法", "art_21"),
        ("中华人民共和国网络安全法第21条", "中华人民共和国网络安全法", "art_21"),
        ("中國共產黨黨員網絡行為規定 第十條", "中国共产党党员网络行为规定", "art_10"),
        ("立法法第八十一条第二款", "中华人民共和国立法法", "art_81__para_2"),
        ("网络安全法第二十一条第一项", "中华人民共和国网络安全法", "art_21__para_1__item_1"),
    ],
)
def test_citations(store: SQLiteStore, ref: str, title: str, eid: str) -> None:
    provision = store.show(ref)
    assert (provision.title, provision.node.eid) == (title, eid)


@requires_corpus
def test_citation_at_a_date_gives_that_version(store: SQLiteStore) -> None:
    assert store.show("慈善法第一条", date="2020-01-01").dates.get("adopted", "").startswith("2016")
    assert store.show("慈善法第一条").status == "in force"


def test_bad_citations(store: SQLiteStore) -> None:
    with pytest.raises(NotFound):
        store.show("不存在的法 第一条")
    with pytest.raises(NotFound):
        store.show("第一条")
    with pytest.raises(NotFound):
        parse_citation("网络安全法")


# --- safety ------------------------------------------------------------------------------------

INGEST_SCRIPT = """
import sys
from pathlib import Path
from fagui.store import SQLiteStore
store = SQLiteStore(sys.argv[1])
for n, name in enumerate(sys.argv[2:]):
    store.ingest_bytes(Path(name).read_bytes(), name)
    print(n, flush=True)
"""


def _corpus_sample(n: int) -> list[str]:
    files = sorted(str(p) for p in CORPUS.rglob("*.md") if p.name != "法律法规模版.md")
    return files[:n]


def _consistent(db: Path) -> None:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every document is whole: its articles, their search rows and norms all there
    for doc_id, tree in con.execute("SELECT id, tree FROM documents"):
        count = con.execute("SELECT count(*) FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        assert count[0] == len(re.findall(r'"type": "article"', tree)), doc_id
    orphans = con.execute(
        "SELECT count(*) FROM articles a LEFT JOIN documents d ON d.id = a.doc_id "
        "WHERE d.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    con.close()


@requires_corpus
def test_a_killed_ingest_leaves_every_earlier_document_whole(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    files = _corpus_sample(200)
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(db), *files], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for _ in range(20):  # let it commit some documents, then kill it mid-run
        proc.stdout.readline()
    proc.kill()
    proc.wait()
    _consistent(db)
    st = SQLiteStore(db)
    done = st.counts()["documents"]
    assert 20 <= done < 200
    # the rest goes in on a second run; the first documents are unchanged
    statuses = [st.ingest_bytes(Path(f).read_bytes(), f).status for f in files[:40]]
    assert statuses.count("unchanged") >= 20
    _consistent(db)


@requires_corpus
def test_readers_keep_working_during_an_ingest(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    SQLiteStore(db).ingest_bytes(SEED.read_bytes(), "seed.txt")
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(db), *_corpus_sample(80)],
        stdout=subprocess.DEVNULL,
    )
    reader = SQLiteStore(db, readonly=True)
    seen = []
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        seen.append(reader.search("党员", limit=5).total)
        seen.append(reader.counts()["documents"])
    proc.wait()
    assert proc.returncode == 0
    assert len(seen) > 10  # the reader ran all along, never blocked out
    assert reader.counts()["documents"] == 81
