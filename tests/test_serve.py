"""The HTTP API and the reader's pages, in process, over the bundled examples.

Facts checked here come from the texts: the seed's 第十条 begins 党员不得通过网络制作; 第十八条
binds 党员干部 (党员干部不得利用职务便利); 慈善法 was adopted in 2016 (112 articles) and amended in
2023 (125 articles); 网络安全法 took effect on 2017-06-01 (第七十九条 本法自2017年6月1日起施行).
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import SHARED
from fastapi.testclient import TestClient
from serving import SEED, SEED_TITLE, build_store, doc_id

import fagui.serve.recovery
from fagui.errors import FaguiError
from fagui.serve import MAX_BODY, ServeOptions, create_app
from fagui.store import SQLiteStore

OFFICIAL = SHARED / "seed" / "official.txt"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "fagui.db")


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ServeOptions(db=db)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def seed(db: Path) -> str:
    return doc_id(db, SEED_TITLE)


def error_of(response: object, status: int) -> str:
    """The error message of a response in the one JSON error shape, checking the shape."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status and body["error"]
    return str(body["error"])


# -- errors ----------------------------------------------------------------------------------------


def test_error_shape_on_every_kind_of_failure(client: TestClient, seed: str) -> None:
    assert "/nope.json" in error_of(client.get("/nope.json"), 404)
    assert "0000000000000000" in error_of(client.get("/docs/0000000000000000.json"), 404)
    assert "doc_id" in error_of(client.get("/docs/NOT-AN-ID.json"), 422)
    assert "limit" in error_of(client.get("/search.json?q=网络&limit=1000"), 422)
    assert "kind" in error_of(client.get(f"/docs/{seed}/norms.json?kind=wish"), 422)
    assert "art_999" in error_of(client.get(f"/docs/{seed}/provisions/art_999.json"), 404)
    error_of(client.post("/recover.json", content=b"{not json"), 422)
    error_of(client.delete(f"/docs/{seed}.json"), 405)


def test_html_errors_are_pages_with_the_status(client: TestClient) -> None:
    response = client.get("/docs/0000000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no document 0000000000000000" in response.text


def test_no_request_value_reaches_the_filesystem(client: TestClient) -> None:
    for path in ("/docs/..%2F..%2Fetc%2Fpasswd.json", "/docs/../../etc/passwd",
                 "/docs/%2Fetc%2Fpasswd/norms.json"):  # fmt: skip
        assert client.get(path).status_code in (404, 422)
    # an upload's name is only a label: the bytes come from the request
    response = client.post(
        "/recover/file.json?name=../../etc/passwd", content="第一条 内容。".encode()
    )
    assert response.status_code == 200
    assert response.json()["source"] == "passwd"
    assert "root:" not in response.json()["text"]


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FaguiError, match="no store there"):
        ServeOptions(db=tmp_path / "absent.db")
    with pytest.raises(FaguiError, match="token"):
        ServeOptions(db=tmp_path / "absent.db", allow_ingest=True)
    for content in (b"", "第一条 不是数据库。".encode()):
        not_a_store = tmp_path / "text.db"
        not_a_store.write_bytes(content)
        with pytest.raises(FaguiError, match="not a fagui store"):
            create_app(ServeOptions(db=not_a_store))


def test_head_is_get_without_the_body(client: TestClient, seed: str) -> None:
    for path in ("/docs", f"/docs/{seed}", f"/docs/{seed}.json", "/search?q=网络"):
        head, get = client.head(path), client.get(path)
        assert head.status_code == get.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]


def test_errors_on_the_other_routes(client: TestClient, seed: str) -> None:
    error_of(client.get("/docs/0000000000000000/subjects.json"), 404)
    error_of(client.get("/docs/0000000000000000/norms.csv"), 404)
    error_of(client.get(f"/docs/{seed}/norms.csv?kind=wish"), 422)
    error_of(client.get("/norms.json?year=1800"), 422)
    error_of(client.get("/norms.csv?kind=wish"), 422)
    error_of(client.get("/docs.json?limit=0"), 422)
    for path, status in (("/cite?ref=无此法第一条", 404), ("/norms?kind=wish", 422),
                         ("/search?q=网络&limit=0", 422), ("/docs?offset=-1", 422),
                         (f"/docs/{seed}/provisions/art_999", 404)):  # fmt: skip
        page = client.get(path)
        assert page.status_code == status and page.headers["content-type"].startswith("text/html")


def test_serve_command_refuses_a_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    done = subprocess.run(
        [sys.executable, "-m", "fagui.cli", "serve", "--db", str(missing)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"fagui: {missing}: no store there; ingest regulations first (fagui ingest FILES --db "
        f"{missing}) or serve with --allow-ingest"
    ]
    assert not missing.exists()  # serving never creates a store it was not allowed to write


# -- documents -------------------------------------------------------------------------------------


def test_document_list_filters_and_pages(client: TestClient) -> None:
    everything = client.get("/docs.json").json()
    assert everything["total"] == 8  # the seed and the seven laws of examples/corpus
    titles = [d["title"] for d in everything["documents"]]
    assert titles.count("中华人民共和国慈善法") == 2
    laws = client.get("/docs.json", params={"doc_type": "法"}).json()
    assert sorted(d["title"] for d in laws["documents"]) == [
        "中华人民共和国慈善法", "中华人民共和国慈善法", "中华人民共和国网络安全法"]  # fmt: skip
    old = client.get("/docs.json", params={"in_force": "false"}).json()
    assert [(d["title"], d["status"]) for d in old["documents"]] == [
        ("中华人民共和国慈善法", "superseded")]  # fmt: skip
    # a title in traditional script finds the simplified titles
    found = client.get("/docs.json", params={"title": "網絡"}).json()
    assert {d["title"] for d in found["documents"]} >= {SEED_TITLE, "未成年人网络保护条例"}
    pages = [client.get("/docs.json", params={"limit": 3, "offset": o}).json() for o in (0, 3, 6)]
    ids = [d["doc_id"] for p in pages for d in p["documents"]]
    assert len(ids) == len(set(ids)) == 8


def test_document_has_tree_metadata_and_versions(client: TestClient, db: Path, seed: str) -> None:
    data = client.get(f"/docs/{seed}.json").json()
    doc = data["document"]
    assert doc["title"] == SEED_TITLE and data["status"] == "in force"
    assert [n["label"] for n in doc["body"]][:1] == ["第一章"]
    articles = [a for ch in doc["body"] for a in ch["children"] if a["type"] == "article"]
    assert len(articles) == 31
    new = doc_id(db, "中华人民共和国慈善法")
    versions = client.get(f"/docs/{new}.json").json()["versions"]
    assert [v["date"][:4] for v in versions] == ["2016", "2023"]
    assert [v["status"] for v in versions] == ["superseded", "in force"]
    old = client.get(f"/docs/{versions[0]['doc_id']}.json").json()["document"]
    count = sum(1 for n in json.dumps(old["body"], ensure_ascii=False).split('"type": "article"'))
    assert count - 1 == 112


def test_provision_by_eid_and_by_citation(client: TestClient, db: Path, seed: str) -> None:
    art10 = client.get(f"/docs/{seed}/provisions/art_10.json").json()
    assert art10["text"].startswith("党员不得通过网络制作")
    cited = client.get("/cite.json", params={"ref": f"{SEED_TITLE}第十条"}).json()
    assert cited["provision"]["eid"] == "art_10" and cited["text"] == art10["text"]
    # a date picks the version in force then
    early = client.get("/cite.json", params={"ref": "慈善法第一条", "date": "2017-01-01"}).json()
    assert early["doc_id"] == doc_id(db, "中华人民共和国慈善法", latest=False)
    assert "no regulation" in error_of(
        client.get("/cite.json", params={"ref": "无此法第一条"}), 404
    )
    assert "citation" in error_of(client.get("/cite.json", params={"ref": "第一条"}), 404)
    page = client.get("/cite", params={"ref": f"{SEED_TITLE} 第十条"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/docs/{seed}#art_10"


# -- norms -----------------------------------------------------------------------------------------


def test_norms_by_kind(client: TestClient, seed: str) -> None:
    data = client.get(f"/docs/{seed}/norms.json", params={"kind": "prohibition"}).json()
    assert data["total"] == len(data["norms"]) > 0
    assert {n["kind"] for n in data["norms"]} == {"prohibition"}
    # 第十条 to 第十四条 are prohibitions addressed to 党员
    for article in ("10", "11", "12", "13", "14"):
        assert any(n["article"] == article and n["subject"] == "党员" for n in data["norms"])


def test_subjects_in_either_script(client: TestClient, seed: str) -> None:
    simplified = client.get(f"/docs/{seed}/norms.json", params={"subject": "党员"}).json()
    traditional = client.get(f"/docs/{seed}/norms.json", params={"subject": "黨員"}).json()
    assert simplified["total"] == traditional["total"] > 0


def test_norms_by_subject_say_why(client: TestClient, seed: str) -> None:
    data = client.get(f"/docs/{seed}/norms.json", params={"subject": "党员干部"}).json()
    by_subject = {n["subject"] for n in data["norms"]}
    assert {"党员干部", "党员"} <= by_subject
    art18 = [n for n in data["norms"] if n["article"] == "18"]
    assert art18 and all(n["why"] == "addressed to 党员干部" for n in art18)
    inherited = [n for n in data["norms"] if n["subject"] == "党员"]
    assert all("党员干部 is a kind of 党员" in n["why"] for n in inherited)
    subjects = client.get(f"/docs/{seed}/subjects.json").json()["subjects"]
    assert "党员" in subjects["党员干部"] and "党员" in subjects["军队党员"]


def test_register_csv_matches_the_json(client: TestClient, seed: str) -> None:
    response = client.get(f"/docs/{seed}/norms.csv", params={"kind": "prohibition"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # 第十条 党员不得通过网络制作、复制、存储、发布、传播含有……的信息
    art10 = [r for r in rows if r["article"] == "10"]
    assert art10 and art10[0]["subject"] == "党员"
    assert art10[0]["text"].startswith("党员不得通过网络制作")
    data = client.get(f"/docs/{seed}/norms.json", params={"kind": "prohibition"}).json()
    assert [(r["article"], r["text"]) for r in rows] == [
        (n["article"], n["text"]) for n in data["norms"]
    ]


# -- search ----------------------------------------------------------------------------------------


def test_search_in_either_script_with_snippets_and_paging(client: TestClient) -> None:
    simplified = client.get("/search.json", params={"q": "网络", "limit": 100}).json()
    traditional = client.get("/search.json", params={"q": "網絡", "limit": 100}).json()
    assert simplified["total"] == traditional["total"] > 20
    assert all("【网络】" in h["snippet"] for h in simplified["hits"])
    first = client.get("/search.json", params={"q": "网络", "limit": 5}).json()["hits"]
    second = client.get("/search.json", params={"q": "网络", "limit": 5, "offset": 5}).json()
    assert second["offset"] == 5
    assert not {h["eid"] + h["doc_id"] for h in first} & {
        h["eid"] + h["doc_id"] for h in second["hits"]}  # fmt: skip
    narrowed = client.get("/search.json", params={"q": "网络", "kind": "prohibition",
                                                  "doc_type": "规定"}).json()  # fmt: skip
    assert narrowed["total"] and {h["title"] for h in narrowed["hits"]} <= {
        SEED_TITLE,
        "最高人民法院关于审理侵害信息网络传播权民事纠纷案件适用法律若干问题的规定",
    }
    assert "q" in error_of(client.get("/search.json"), 422)


# -- recover ---------------------------------------------------------------------------------------


def test_recover_a_pasted_copy(client: TestClient) -> None:
    copy = SEED.read_text(encoding="utf-8")
    data = client.post("/recover.json", json={"text": copy}).json()
    assert data["title"] == SEED_TITLE
    noise = [c for c in data["changes"] if c["kind"] == "noise"]
    assert noise and data["counts"]["noise"] == len(noise)
    # every change is where it says it is in the pasted copy
    assert all(copy[c["offset"] : c["offset"] + c["length"]] == c["original"]
               for c in data["changes"])  # fmt: skip
    if OFFICIAL.exists():
        official = OFFICIAL.read_text(encoding="utf-8")
        assert re.sub(r"\s", "", data["text"]) == re.sub(r"\s", "", official)
    traditional = client.post("/recover.json", json={"text": copy, "script": "traditional"})
    assert "黨員" in traditional.json()["text"]


def test_recover_an_uploaded_file_in_any_encoding(client: TestClient) -> None:
    copy = SEED.read_text(encoding="utf-8")
    utf8 = client.post("/recover/file.json?name=seed.txt", content=copy.encode()).json()
    gb = client.post("/recover/file.json?name=seed.txt", content=copy.encode("gb18030")).json()
    assert gb["encoding"] == "gb18030" and gb["text"] == utf8["text"]
    assert "binary" in error_of(
        client.post("/recover/file.json?name=x.txt", content=bytes(range(256)) * 8), 400
    )


def test_bodies_over_the_cap_are_refused(client: TestClient) -> None:
    big = b"a" * (MAX_BODY + 1)
    assert "5 MB" in error_of(client.post("/recover/file.json", content=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(6):
            yield b"a" * (1024 * 1024)

    error_of(client.post("/recover/file.json", content=chunks()), 413)
    form = {"content-type": "multipart/form-data; boundary=x"}
    page = client.post("/recover", content=big, headers=form)  # the reader's form: a page
    assert page.status_code == 413 and "request body over 5 MB" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_recovery_is_stopped_at_the_time_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = SEED.read_text(encoding="utf-8")
    assert client.post("/recover.json", json={"text": copy}).status_code == 200  # workers up
    before = {p.pid for p in multiprocessing.active_children()}
    monkeypatch.setattr(fagui.serve.recovery, "RECOVER_SECONDS", 0.0)
    assert "stopped" in error_of(client.post("/recover.json", json={"text": copy * 20}), 503)
    after = {p.pid for p in multiprocessing.active_children()}
    gone = before - after
    assert len(gone) == 1 and len(after - before) == 1  # its worker was killed and replaced
    with pytest.raises(ProcessLookupError):
        os.kill(gone.pop(), 0)
    monkeypatch.setattr(fagui.serve.recovery, "RECOVER_SECONDS", 30.0)
    assert client.post("/recover.json", json={"text": copy}).json()["title"] == SEED_TITLE


def test_uploads_are_the_body_itself(client: TestClient) -> None:
    files = {"file": ("seed.txt", SEED.read_bytes(), "text/plain")}
    assert "multipart/form-data" in error_of(client.post("/recover/file.json", files=files), 415)
    assert "application/json" in error_of(
        client.post("/recover/file.json", json={"text": "第一条"}), 415
    )


# -- ingest ----------------------------------------------------------------------------------------


def test_ingest_is_off_unless_allowed(client: TestClient) -> None:
    before = client.get("/docs.json").json()["total"]
    response = client.post("/ingest.json?name=x.txt", content=SEED.read_bytes(),
                           headers={"authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert "--allow-ingest" in error_of(response, 403)
    assert client.get("/docs.json").json()["total"] == before


def test_ingest_with_the_token(tmp_path: Path) -> None:
    options = ServeOptions(db=tmp_path / "new.db", allow_ingest=True, token=TOKEN)
    with TestClient(create_app(options), raise_server_exceptions=False) as c:
        assert c.get("/docs.json").json()["total"] == 0
        assert c.get("/docs").status_code == 200
        error_of(c.post("/ingest.json", content=SEED.read_bytes()), 401)
        error_of(c.post("/ingest.json", content=SEED.read_bytes(),
                        headers={"authorization": "Bearer wrong"}), 401)  # fmt: skip
        auth = {"authorization": f"Bearer {TOKEN}"}
        added = c.post("/ingest.json?name=seed.txt", content=SEED.read_bytes(), headers=auth)
        assert added.json()["status"] == "added" and added.json()["title"] == SEED_TITLE
        again = c.post("/ingest.json?name=copy.txt", content=SEED.read_bytes(), headers=auth)
        assert again.json()["status"] == "unchanged"
        # bad input is refused by name, and the store keeps what it had
        assert "empty" in error_of(
            c.post("/ingest.json?name=e.txt", content=b"", headers=auth), 400
        )
        listing = c.get("/docs.json").json()
        assert listing["total"] == 1 and listing["documents"][0]["title"] == SEED_TITLE
        assert SEED_TITLE in c.get("/docs").text  # the cached list page saw the ingest


# -- the reader's pages ----------------------------------------------------------------------------


def test_document_page_has_toc_anchors_norms_and_versions(client: TestClient, seed: str) -> None:
    page = client.get(f"/docs/{seed}").text
    assert f"<title>{SEED_TITLE} · fagui</title>" in page
    assert '<a href="#art_10">第十条</a>' in page  # table of contents
    assert '<section class="article" id="art_10">' in page  # the anchor it leads to
    assert 'id="legend"' in page and 'data-kind="prohibition"' in page
    assert page.count('<tr class="k-') == len(
        client.get(f"/docs/{seed}/norms.json").json()["norms"]
    )
    assert 'id="versions"' in page and "2024-01-14" in page


def test_document_page_filters_norms_and_switches_script(client: TestClient, seed: str) -> None:
    page = client.get(f"/docs/{seed}", params={"kind": "prohibition"}).text
    kinds = set(re.findall(r'<tr class="k-(\w+)"', page))
    assert kinds == {"prohibition"}
    marked = set(re.findall(r'<mark class="norm k-(\w+)"', page))
    assert marked == {"prohibition"}
    traditional = client.get(f"/docs/{seed}", params={"script": "traditional"}).text
    assert "黨員" in traditional and "党员" not in traditional
    assert 'id="art_10"' in traditional


def test_pages_are_gzipped_for_clients_that_take_it(client: TestClient, seed: str) -> None:
    zipped = client.get(f"/docs/{seed}", headers={"accept-encoding": "gzip"})
    plain = client.get(f"/docs/{seed}", headers={"accept-encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.text == plain.text and SEED_TITLE in plain.text


def test_other_pages(client: TestClient, seed: str) -> None:
    listing = client.get("/docs").text
    assert f'href="/docs/{seed}"' in listing
    hits = client.get("/search", params={"q": "網絡"}).text
    assert "<mark>" in hits and f'href="/docs/{seed}#art_' in hits
    # the search form sends its empty fields; on a page they mean no filter
    blank = client.get("/search", params={"q": "网络", "kind": "", "year": "", "in_force": ""})
    assert blank.status_code == 200 and blank.text.count('<li class="hit">') == 20
    provision = client.get(f"/docs/{seed}/provisions/art_10").text
    assert "党员不得通过网络制作" in provision
    assert client.get("/").status_code == 200  # redirected to the list
    form = client.get("/recover").text
    assert 'name="text"' in form and 'type="file"' in form


def test_recover_page_shows_every_removal(client: TestClient) -> None:
    copy = SEED.read_text(encoding="utf-8")
    pasted = client.post("/recover", data={"text": copy}).text
    assert f'<h2 id="recovered-title">{SEED_TITLE}</h2>' in pasted
    expected = client.post("/recover.json", json={"text": copy}).json()["changes"]
    assert pasted.count('<tr class="change"') == len(expected)
    # the copy's careless traditional script (曆史) and its emoji, each shown removed
    assert "<td><del>曆</del></td>\n        <td>历</td>" in pasted
    assert re.search(r'data-kind="noise">.*?<del>\W+</del>', pasted)
    uploaded = client.post(
        "/recover", files={"file": ("seed.txt", copy.encode("gb18030"), "text/plain")}
    ).text
    assert f'<h2 id="recovered-title">{SEED_TITLE}</h2>' in uploaded
    empty = client.post("/recover", data={"text": "  "})
    assert empty.status_code == 400 and "paste" in empty.text


# -- the schema ------------------------------------------------------------------------------------


def test_openapi_lists_every_api_route_with_its_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for route in ("/docs.json", "/docs/{doc_id}.json", "/docs/{doc_id}/provisions/{eid}.json",
                  "/cite.json", "/docs/{doc_id}/norms.json", "/docs/{doc_id}/norms.csv",
                  "/docs/{doc_id}/subjects.json", "/norms.json", "/norms.csv", "/search.json",
                  "/recover.json", "/recover/file.json", "/ingest.json"):  # fmt: skip
        assert route in paths, route
        for operation in paths[route].values():
            errors = {c: r for c, r in operation["responses"].items() if c.startswith("4")}
            assert errors, route
            for response in errors.values():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (route, ref)
    assert not any(p.startswith("/docs/{doc_id}") and not p.endswith((".json", ".csv"))
                   for p in paths)  # HTML pages stay out of the API  # fmt: skip


def test_register_across_the_store(client: TestClient, seed: str) -> None:
    prohibitions = client.get("/norms.json", params={"kind": "prohibition", "limit": 100}).json()
    assert prohibitions["total"] > 13  # the seed alone has 第十条 to 第十四条, and more
    assert {n["kind"] for n in prohibitions["norms"]} == {"prohibition"}
    titles = {n["title"] for n in prohibitions["norms"]}
    assert SEED_TITLE in titles and "中华人民共和国网络安全法" in titles
    # a subject: its own norms first, then those of what it is a kind of, then everyone's
    cadres = client.get("/norms.json", params={"subject": "党员干部", "limit": 100}).json()
    whys = [n["why"] for n in cadres["norms"]]
    assert whys[0] == "addressed to 党员干部"
    assert any("党员干部 is a kind of 党员" in w for w in whys)
    kinds_of = [n for n in cadres["norms"] if n["subject"] == "党员"]
    assert kinds_of and {n["title"] for n in kinds_of} == {SEED_TITLE}
    order = [0 if w.startswith("addressed") else 2 if "binds everyone" in w else 1 for w in whys]
    assert order == sorted(order)
    csv_rows = list(csv.DictReader(io.StringIO(
        client.get("/norms.csv", params={"subject": "党员干部"}).text)))  # fmt: skip
    assert len(csv_rows) == cadres["total"] and csv_rows[0]["source"] == SEED_TITLE
    page = client.get("/norms", params={"kind": "prohibition", "subject": ""}).text
    assert page.count('<tr class="k-prohibition"') == min(50, prohibitions["total"])


def test_paragraphs_have_anchors_that_citations_reach(client: TestClient, db: Path) -> None:
    # 网络安全法 第二十二条 第二款: 网络产品、服务的提供者应当为其产品、服务持续提供安全维护……
    law = doc_id(db, "中华人民共和国网络安全法")
    cited = client.get(
        "/cite", params={"ref": "网络安全法第二十二条第二款"}, follow_redirects=False
    )
    assert cited.headers["location"] == f"/docs/{law}#art_22__para_2"
    page = client.get(f"/docs/{law}").text
    para = re.search(r'<p id="art_22__para_2">(.*?)</p>', page)
    assert para and re.sub(r"<[^>]+>", "", para.group(1)).startswith("网络产品、服务的提供者应当为")
    # every link of the register leads to an anchor of the page
    anchors = set(re.findall(r' id="([^"]+)"', page))
    targets = set(re.findall(r'<td><a href="#([^"]+)">', page))
    assert targets and targets <= anchors


def test_links_keep_the_script_and_the_page_size(client: TestClient) -> None:
    page = client.get("/search", params={"q": "网络", "script": "traditional", "limit": 5}).text
    nxt = re.search(r'<a rel="next" href="\?([^"]+)"', page)
    assert nxt and "script=traditional" in nxt.group(1) and "limit=5" in nxt.group(1)
    assert "offset=5" in nxt.group(1)
    hits = re.findall(r'<li class="hit"><a href="([^"]+)"', page)
    assert hits and all("script=traditional" in h for h in hits)
    assert '<input type="hidden" name="script" value="traditional">' in page
    past = client.get("/search", params={"q": "网络", "offset": 100000}).text
    total = re.search(r'<p class="muted" id="total">(.*?)</p>', past, re.S)
    assert total and "100001" not in total.group(1)


def test_title_filter_takes_the_words_literally(client: TestClient) -> None:
    assert client.get("/docs.json", params={"title": "_"}).json()["total"] == 0
    assert client.get("/docs.json", params={"title": "%"}).json()["total"] == 0


def test_articles_in_a_block_are_anchored_and_marked(tmp_path: Path) -> None:
    # 附则 after the 编 of a code is a block of articles, not a 章
    text = (
        "某某管理法\n\n第一章 一般规定\n\n第一条 为了规范管理，制定本法。\n\n第二编 分则\n\n"
        "第一章 具体规定\n\n第二条 公民应当遵守本法。\n\n附　　则\n\n"
        "第三条 本法自2024年1月1日起施行。\n"
    )
    store = SQLiteStore(tmp_path / "block.db")
    added = store.ingest_bytes(text.encode(), "code.txt")
    store.close()
    with TestClient(create_app(ServeOptions(db=tmp_path / "block.db"))) as c:
        page = c.get(f"/docs/{added.doc_id}").text
    article = re.search(r'<section class="article" id="art_3">(.*?)</section>', page, re.S)
    assert article and 'data-kind="commencement"' in article.group(1)
    assert '<a href="#art_3">第三条</a>' in page  # in the table of contents


def test_api_page_lists_every_operation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    page = client.get("/api").text
    for path, operations in schema["paths"].items():
        for method in operations:
            assert f"<code>{method.upper()} {path}</code>" in page
    assert "cdn" not in page.lower()  # nothing the page needs comes from elsewhere
