"""Store: a corpus of regulations in one SQLite file — versions, full-text search, citations.

Documents are content-addressed (the hash of the canonical text): the same regulation ingested
twice, from any copy, is one document. Documents with the same title are versions of one work;
the latest is marked, and status is derived: `superseded` when a later version exists,
`repealed` when another document in the store says 《title》…同时废止 / 废止, else `in force`.

Search runs on SQLite FTS5 over pre-split tokens: every character of the simplified text as a
unigram (for one-character queries) and every adjacent pair as a bigram (longer queries are
phrases of consecutive bigrams), with a separator token wherever a non-word character breaks
the text, so a phrase matches exactly where the query is a substring. Queries and texts are
simplified with OpenCC first, so either script finds either. Each document is written in one
transaction; the database runs in WAL mode so readers go on during an ingest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fagui.errors import FaguiError, SourceError
from fagui.model import Document, Node
from fagui.norms import EVERYONE, Norm, NormSet, applies_to, extract_norms
from fagui.parse import cn_number, parse_canonical
from fagui.recover import converter, recover
from fagui.sources import load

__all__ = [
    "IngestResult",
    "NotFound",
    "SQLiteStore",
    "SearchHit",
    "Store",
    "default_db_path",
    "open_store",
]


class NotFound(FaguiError):
    """A document or provision the store does not have."""


def default_db_path() -> Path:
    """`$FAGUI_DB`, else `$XDG_DATA_HOME/fagui/fagui.db` (~/.local/share/fagui/fagui.db)."""
    if os.environ.get("FAGUI_DB"):
        return Path(os.environ["FAGUI_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "fagui" / "fagui.db"


MIGRATIONS: tuple[str, ...] = (
    # 1: documents, works, articles with their search tokens, norms
    """
    CREATE TABLE works (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,          -- the title, simplified, without 中华人民共和国
        title TEXT NOT NULL
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,               -- sha256 of the canonical text, first 16 hex digits
        work_id INTEGER NOT NULL REFERENCES works(id),
        title TEXT NOT NULL,
        doc_type TEXT,
        version_date TEXT,                 -- the date this version was published or adopted
        effective TEXT,
        issuers TEXT NOT NULL,             -- JSON list of {name, role}
        source_name TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        text TEXT NOT NULL,                -- the canonical text
        tree TEXT NOT NULL,                -- the fagui/1 document JSON
        provenance TEXT NOT NULL,          -- JSON list of recover's changes
        ingested_at REAL NOT NULL
    );
    CREATE INDEX documents_work ON documents(work_id, version_date);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        eid TEXT NOT NULL,
        num TEXT,
        label TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX articles_doc ON articles(doc_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5(uni, bi, content='', tokenize='unicode61');
    CREATE TABLE norms (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        eid TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT,
        data TEXT NOT NULL                 -- the norm as JSON
    );
    CREATE INDEX norms_article ON norms(article_id, kind);
    CREATE INDEX norms_subject ON norms(subject);
    CREATE TABLE repeals (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        work_key TEXT NOT NULL             -- the work a 同时废止 clause names
    );
    CREATE INDEX repeals_key ON repeals(work_key);
    """,
    # 2: how many articles each token is in, to skip ranking hopelessly common queries
    """
    CREATE VIRTUAL TABLE articles_vocab USING fts5vocab(articles_fts, 'row');
    """,
)

# A query whose rarest token is in more than this share of the articles is not ranked: BM25
# over most of the corpus costs tens of milliseconds and says nothing; hits come in order.
COMMON_SHARE = 0.10


# ---------------------------------------------------------------------------------------------
# Tokens


_WORD = re.compile(r"\w", re.UNICODE)
BREAK = "_"  # stands where the text breaks, so a phrase cannot run across it


def simplified(text: str) -> str:
    return converter("t2s").convert(text)


def tokens(text: str) -> tuple[str, str]:
    """(unigrams, bigrams) of a text, each a space-separated token string for FTS5."""
    text = simplified(text).lower()
    uni: list[str] = []
    bi: list[str] = []
    prev = ""
    for ch in text:
        if _WORD.match(ch) and ch != "_":
            uni.append(ch)
            if prev:
                bi.append(prev + ch)
            prev = ch
        else:
            if prev and bi and bi[-1] != BREAK:
                bi.append(BREAK)
            prev = ""
    return " ".join(uni), " ".join(bi)


def match_expression(query: str) -> str | None:
    """The FTS5 expression for a substring query, or None when it has no word characters."""
    words = [w for w in re.split(r"\W+|_", simplified(query).lower()) if w]
    if not words:
        return None
    parts = []
    for word in words:
        if len(word) == 1:
            parts.append(f'uni:"{word}"')
        else:
            grams = " ".join(word[i : i + 2] for i in range(len(word) - 1))
            parts.append(f'bi:"{grams}"')
    return " AND ".join(parts)


def work_key(title: str) -> str:
    key = simplified(title).strip()
    key = re.sub(r"^中华人民共和国", "", key)
    return re.sub(r"[\s\u3000]+", "", key)


# A document `d` is superseded when its work has a later version, repealed when another work's
# document says 《title》…废止, else in force: the status as SQL, for any query on `d`.
_SUPERSEDED = (
    "EXISTS (SELECT 1 FROM documents d2 WHERE d2.work_id = d.work_id "
    "AND COALESCE(d2.version_date, '') > COALESCE(d.version_date, ''))"
)
_REPEALED = (
    "EXISTS (SELECT 1 FROM repeals r JOIN documents d3 ON d3.id = r.doc_id "
    "JOIN works w3 ON w3.id = d.work_id WHERE r.work_key = w3.key AND d3.work_id != d.work_id)"
)
_STATUS = (
    f"CASE WHEN {_SUPERSEDED} THEN 'superseded' WHEN {_REPEALED} THEN 'repealed' "
    "ELSE 'in force' END"
)
_IN_FORCE = f"(NOT {_SUPERSEDED} AND NOT {_REPEALED})"

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class IngestResult:
    source: str
    status: str  # added, unchanged
    doc_id: str
    title: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str
    article: str  # 第十条
    eid: str
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id, "title": self.title, "article": self.article,
            "eid": self.eid, "snippet": self.snippet, "score": self.score,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[SearchHit, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.to_dict() for h in self.hits]}


@dataclass(frozen=True, slots=True)
class Provision:
    doc_id: str
    title: str
    dates: dict[str, Any]
    node: Node
    status: str
    citation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "dates": self.dates,
            "status": self.status,
            "citation": self.citation,
            "provision": self.node.to_dict(),
            "text": self.node.full_text(),
        }


@dataclass(frozen=True, slots=True)
class Filters:
    doc_type: str | None = None
    issuer: str | None = None
    year: int | None = None
    in_force: bool | None = None
    kind: str | None = None
    subject: str | None = None


# ---------------------------------------------------------------------------------------------


class Store(Protocol):
    """What every store offers; SQLite implements it, a PostgreSQL store would too."""

    def migrate(self) -> int: ...
    def atomic(self) -> AbstractContextManager[Any]: ...
    def ingest_bytes(self, data: bytes, name: str) -> IngestResult: ...
    def document(self, doc_id: str) -> Document: ...
    def versions(self, doc_id: str) -> list[dict[str, Any]]: ...
    def status(self, doc_id: str) -> str: ...
    def search(
        self, query: str, *, limit: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> SearchResult: ...
    def show(self, ref: str, *, date: str | None = None) -> Provision: ...
    def provision(self, doc_id: str, eid: str) -> Provision: ...
    def documents(
        self,
        *,
        filters: Filters | None = None,
        title: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]: ...
    def counts(self) -> dict[str, int]: ...
    def close(self) -> None: ...


class SQLiteStore:
    """The corpus in one SQLite file. Writers hold one transaction per document."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """Open (and, for writing, create and migrate) the store at `path`; a file that is
        not a fagui store, or one older than this fagui when read-only, is a SourceError."""
        self.path = str(path)
        self.readonly = readonly
        try:
            if readonly:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                self.db.execute("SELECT id FROM documents LIMIT 1").fetchall()
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self.db.execute("PRAGMA synchronous=NORMAL")
                version = self.migrate()
        except sqlite3.DatabaseError as exc:
            raise SourceError(self.path, f"not a fagui store ({exc})") from None
        if version < len(MIGRATIONS):
            raise SourceError(
                self.path, f"a store of schema {version}, older than this fagui's "
                f"{len(MIGRATIONS)}: open it once for writing (fagui ingest) to migrate it",
            )  # fmt: skip
        self.db.execute("PRAGMA busy_timeout=10000")
        # Readers map the file: every connection of a server shares the OS's copy of it.
        self.db.execute("PRAGMA mmap_size=1073741824")

    def close(self) -> None:
        self.db.close()

    # -- schema ---------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the numbered migrations this file lacks; returns the schema version."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS, 1):
            if number <= version:
                continue
            with self.atomic():
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")
            version = number
        return version

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside is written, or nothing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- ingest ---------------------------------------------------------------------------------

    def ingest_bytes(self, data: bytes, name: str) -> IngestResult:
        """Recover, parse, extract and store one source; raises SourceError for bad input."""
        source = load(data, name)
        recovered = recover(source.text, source=name, encoding=source.encoding)
        doc_id = hashlib.sha256(recovered.text.encode("utf-8")).hexdigest()[:16]
        row = self.db.execute("SELECT title FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row:
            return IngestResult(name, "unchanged", doc_id, row[0])
        doc = parse_canonical(recovered.text, source=name)
        norms = extract_norms(doc)
        key = work_key(doc.title)
        version = next(
            (
                doc.dates[k]
                for k in ("published", "adopted", "approved", "effective")
                if k in doc.dates
            ),
            None,
        )
        amended = doc.dates.get("amended") or []
        if amended and (version is None or max(amended) > version):
            version = max(amended)
        with self.atomic() as db:
            db.execute("INSERT OR IGNORE INTO works(key, title) VALUES (?, ?)", (key, doc.title))
            work_id = db.execute("SELECT id FROM works WHERE key = ?", (key,)).fetchone()[0]
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc_id,
                    work_id,
                    doc.title,
                    doc.doc_type,
                    version,
                    doc.dates.get("effective"),
                    json.dumps([i.to_dict() for i in doc.issuers], ensure_ascii=False),
                    name,
                    hashlib.sha256(data).hexdigest(),
                    recovered.text,
                    json.dumps(doc.to_dict(), ensure_ascii=False),
                    json.dumps([c.to_dict() for c in recovered.changes], ensure_ascii=False),
                    time.time(),
                ),
            )
            article_ids: dict[str, int] = {}
            for article in doc.articles():
                text = article.full_text()
                cur = db.execute(
                    "INSERT INTO articles(doc_id, eid, num, label, text) VALUES (?,?,?,?,?)",
                    (doc_id, article.eid, article.num, article.label, text),
                )
                rowid = cur.lastrowid
                article_ids[article.num or ""] = rowid  # type: ignore[assignment]
                uni, bi = tokens(text)
                db.execute(
                    "INSERT INTO articles_fts(rowid, uni, bi) VALUES (?,?,?)", (rowid, uni, bi)
                )
            db.executemany(
                "INSERT INTO norms(doc_id, article_id, eid, kind, subject, data) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (
                        doc_id,
                        article_ids[n.article],
                        n.eid,
                        n.kind,
                        n.subject,
                        json.dumps(n.to_dict(), ensure_ascii=False),
                    )
                    for n in norms.norms
                    if n.article in article_ids
                ],
            )
            db.executemany(
                "INSERT INTO repeals(doc_id, work_key) VALUES (?, ?)",
                [(doc_id, work_key(title)) for title in _repealed_titles(recovered.text)],
            )
        return IngestResult(name, "added", doc_id, doc.title)

    # -- reading --------------------------------------------------------------------------------

    def status(self, doc_id: str) -> str:
        """in force, superseded (a later version is in the store) or repealed."""
        row = self.db.execute(f"SELECT {_STATUS} FROM documents d WHERE d.id = ?", (doc_id,))
        found = row.fetchone()
        if found is None:
            raise NotFound(f"no document {doc_id}")
        return str(found[0])

    def document(self, doc_id: str) -> Document:
        row = self.db.execute("SELECT tree FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document {doc_id}")
        return Document.from_dict(json.loads(row[0]))

    def versions(self, doc_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            f"SELECT d.id, d.title, d.version_date, d.effective, {_STATUS} FROM documents d "
            "JOIN documents d0 ON d0.work_id = d.work_id WHERE d0.id = ? "
            "ORDER BY COALESCE(d.version_date, '')",
            (doc_id,),
        ).fetchall()
        return [
            {
                "doc_id": r[0],
                "title": r[1],
                "date": r[2],
                "effective": r[3],
                "status": r[4],
                "latest": n == len(rows) - 1,
            }
            for n, r in enumerate(rows)
        ]

    def counts(self) -> dict[str, int]:
        return {
            table: self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("works", "documents", "articles", "norms")
        }

    # -- search ---------------------------------------------------------------------------------

    def search(
        self, query: str, *, limit: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> SearchResult:
        """Articles containing `query` (in either script), best first (BM25), with snippets;
        `offset` skips that many hits, for paging."""
        expression = match_expression(query)
        if expression is None:
            return SearchResult(query, 0)
        f = filters or Filters()
        where = ["articles_fts MATCH ?"]
        args: list[Any] = [expression]
        _document_filters(f, where, args)
        if f.kind or f.subject:
            clause = "EXISTS (SELECT 1 FROM norms n WHERE n.article_id = a.id"
            if f.kind:
                clause += " AND n.kind = ?"
                args.append(f.kind)
            if f.subject:
                clause += " AND n.subject = ?"
                args.append(simplified(f.subject))
            where.append(clause + ")")
        base = (
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "JOIN documents d ON d.id = a.doc_id WHERE " + " AND ".join(where)
        )
        if len(where) == 1:  # no filter: FTS5 counts and ranks on its own index
            total = self.db.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", args
            ).fetchone()[0]
            ranked = not self._common(expression)
            inner = (
                "SELECT rowid, rank AS score FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rank LIMIT ? OFFSET ?"
                if ranked
                else "SELECT rowid, 0 AS score FROM articles_fts WHERE articles_fts MATCH ? "
                "LIMIT ? OFFSET ?"
            )
            rows = self.db.execute(
                "SELECT a.doc_id, d.title, a.label, a.eid, a.text, f.score FROM "
                f"({inner}) f JOIN articles a ON a.id = f.rowid "
                "JOIN documents d ON d.id = a.doc_id ORDER BY f.score, a.id",
                [*args, limit, offset],
            ).fetchall()
        else:
            total = self.db.execute("SELECT count(*)" + base, args).fetchone()[0]
            # a common query is not ranked here either (see COMMON_SHARE)
            score = "0" if self._common(expression) else "bm25(articles_fts)"
            rows = self.db.execute(
                f"SELECT a.doc_id, d.title, a.label, a.eid, a.text, {score} AS score"
                + base
                + " ORDER BY score, a.id LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        needle = simplified(query)
        hits = tuple(
            SearchHit(r[0], r[1], r[2], r[3], snippet(r[4], needle), round(-r[5], 4)) for r in rows
        )
        return SearchResult(query, total, hits)

    def documents(
        self,
        *,
        filters: Filters | None = None,
        title: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many documents match, and one page of them (newest version first within a title
        order): id, title, type, dates, issuers, status. `title` matches part of the title in
        either script; the filters are search's document filters (kind and subject ignored)."""
        where: list[str] = ["1"]
        args: list[Any] = []
        _document_filters(filters or Filters(), where, args)
        if title:
            where.append("(instr(d.title, ?) > 0 OR instr(w.key, ?) > 0)")
            args += [title, simplified(title)]
        base = " FROM documents d JOIN works w ON w.id = d.work_id WHERE " + " AND ".join(where)
        total = self.db.execute("SELECT count(*)" + base, args).fetchone()[0]
        rows = self.db.execute(
            "SELECT d.id, d.title, d.doc_type, d.version_date, d.effective, d.issuers,"
            f" (SELECT count(*) FROM articles a WHERE a.doc_id = d.id), {_STATUS}"
            + base
            + " ORDER BY w.key, COALESCE(d.version_date, '') DESC LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return total, [
            {
                "doc_id": r[0],
                "title": r[1],
                "doc_type": r[2],
                "date": r[3],
                "effective": r[4],
                "issuers": json.loads(r[5]),
                "articles": r[6],
                "status": r[7],
            }
            for r in rows
        ]

    def norms(
        self,
        *,
        kind: str | None = None,
        subject: str | None = None,
        filters: Filters | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """The obligation register across the store: how many norms match, and one page of
        them, each with its document's id and title. With `subject`, the norms that bind it —
        addressed to it, to a subject it is a kind of (党员干部 → 党员), or to everyone — each
        saying why, as `applies_to` does within one document."""
        where: list[str] = ["1"]
        args: list[Any] = []
        _document_filters(filters or Filters(), where, args)
        if kind:
            where.append("n.kind = ?")
            args.append(kind)
        base = " FROM norms n JOIN documents d ON d.id = n.doc_id WHERE " + " AND ".join(where)
        order = " ORDER BY d.title, d.version_date, n.id"
        if not subject:
            total = self.db.execute("SELECT count(*)" + base, args).fetchone()[0]
            rows = self.db.execute(
                "SELECT d.id, d.title, n.data" + base + order + " LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
            return total, [
                {"doc_id": r[0], "title": r[1]} | json.loads(r[2]) | {"why": None} for r in rows
            ]
        wanted = simplified(subject).strip()
        # candidates: every subject inside the wanted one (what it is a kind of starts or ends
        # it, and so on up the chain), those it is inside (a coordination naming it), and
        # everyone; applies_to decides
        rows = self.db.execute(
            "SELECT d.id, d.title, n.data" + base + " AND n.subject IS NOT NULL AND "
            "(instr(?, n.subject) > 0 OR instr(n.subject, ?) > 0 OR n.subject IN "
            f"({','.join('?' * len(EVERYONE))}))" + order,
            [*args, wanted, wanted, *EVERYONE],
        ).fetchall()
        norms = [Norm.from_dict(json.loads(r[2])) for r in rows]
        where_from = {
            id(n): {"doc_id": r[0], "title": r[1]} for n, r in zip(norms, rows, strict=True)
        }
        bound = applies_to(NormSet("", tuple(norms)), wanted)
        # addressed to the subject first, then to what it is a kind of, then to everyone
        bound.sort(key=lambda pair: (pair[0].subject != wanted) + (pair[0].subject in EVERYONE))
        return len(bound), [
            where_from[id(n)] | n.to_dict() | {"why": why}
            for n, why in bound[offset : offset + limit]
        ]

    def _common(self, expression: str) -> bool:
        """Whether every token of the query is in more than COMMON_SHARE of the articles."""
        grams = re.findall(r'"([^"]*)"', expression)
        terms = [t for gram in grams for t in gram.split()]
        articles = self.db.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
        rarest = min(
            (self.db.execute("SELECT doc FROM articles_vocab WHERE term = ?", (t,)).fetchone()
             or (0,))[0]
            for t in terms
        )  # fmt: skip
        return rarest > COMMON_SHARE * articles

    # -- citations ------------------------------------------------------------------------------

    def show(self, ref: str, *, date: str | None = None) -> Provision:
        """The provision a citation names: 网络安全法 第二十一条, 立法法第八十条第二款, in
        either script, Chinese or Arabic numbers; the current version unless `date` is given."""
        title, path = parse_citation(ref)
        doc_id = self._find_version(title, date)
        doc = self.document(doc_id)
        node = _find(doc, path)
        if node is None:
            raise NotFound(f"{ref}: {doc.title} has no {path}")
        citation = re.sub(r"^.*?(?=第[^第]*条)", "", simplified(ref).strip(), count=1)
        return Provision(doc_id, doc.title, doc.dates, node, self.status(doc_id), citation)

    def provision(self, doc_id: str, eid: str) -> Provision:
        """One provision of a document by its eId (art_10, chp_2__art_10__para_2)."""
        doc = self.document(doc_id)
        node = _find(doc, eid)
        if node is None:
            raise NotFound(f"{doc.title} has no provision {eid}")
        return Provision(doc_id, doc.title, doc.dates, node, self.status(doc_id), node.label)

    def _find_version(self, title: str, date: str | None) -> str:
        key = work_key(title)
        rows = self.db.execute(
            "SELECT d.id, d.version_date, w.key FROM documents d JOIN works w ON w.id = d.work_id "
            "WHERE substr(w.key, -length(?)) = ? "  # the key, or a title ending in it
            "ORDER BY length(w.key), COALESCE(d.version_date, '')",
            (key, key),
        ).fetchall()
        if not rows:
            raise NotFound(f"no regulation titled {title} in the store")
        best_key = rows[0][2]
        versions = [r for r in rows if r[2] == best_key]
        if date:
            dated = [r for r in versions if (r[1] or "") <= date]
            if not dated:
                raise NotFound(f"{title} had no version in force on {date}")
            return dated[-1][0]
        return versions[-1][0]


def _document_filters(f: Filters, where: list[str], args: list[Any]) -> None:
    """Add the document-level filters (type, issuer, year, in force) to a query on `d`."""
    if f.doc_type:
        where.append("d.doc_type = ?")
        args.append(f.doc_type)
    if f.issuer:
        where.append("instr(d.issuers, ?) > 0")
        args.append(simplified(f.issuer))
    if f.year:
        where.append("substr(d.version_date, 1, 4) = ?")
        args.append(str(f.year))
    if f.in_force is not None:
        where.append(("" if f.in_force else "NOT ") + _IN_FORCE)


def open_store(path: str | Path | None = None, *, readonly: bool = False) -> SQLiteStore:
    return SQLiteStore(path or default_db_path(), readonly=readonly)


# ---------------------------------------------------------------------------------------------


def snippet(text: str, needle: str, width: int = 40) -> str:
    """The text around the first occurrence of `needle`, which is marked 【…】."""
    at = simplified(text).find(needle)
    if at < 0:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return (
        ("…" if start else "") + text[start:at] + "【" + text[at : at + len(needle)] + "】"
        + text[at + len(needle) : end] + ("…" if end < len(text) else "")
    )  # fmt: skip


_NUM = "零〇一二三四五六七八九十百千两0-9"
_CITATION = re.compile(
    rf"^(?P<title>.*?)\s*第(?P<art>[{_NUM}]+)条(?:之(?P<sub>[{_NUM}]+))?"
    rf"(?:第(?P<para>[{_NUM}]+)款)?(?:第(?P<item>[{_NUM}]+)项)?\s*$"
)


def parse_citation(ref: str) -> tuple[str, str]:
    """("网络安全法", "art_21__para_2__item_1") from 网络安全法第二十一条第二款第一项."""
    text = simplified(ref).strip().strip("《》")
    m = _CITATION.match(text)
    if not m or not m.group("title").strip():
        raise NotFound(f"{ref}: not a citation of the form 《title》第X条[第Y款][第Z项]")
    eid = f"art_{cn_number(m.group('art'))}"
    if m.group("sub"):
        eid += f"-{cn_number(m.group('sub'))}"
    if m.group("para"):
        eid += f"__para_{cn_number(m.group('para'))}"
    if m.group("item"):
        eid += ("" if m.group("para") else "__para_1") + f"__item_{cn_number(m.group('item'))}"
    return m.group("title").strip().strip("《》 "), eid


def _find(doc: Document, eid: str) -> Node | None:
    nodes = {n.eid: n for n in doc.walk()}
    if eid in nodes:
        return nodes[eid]
    # An article with a single 款 is its own paragraph 1: art_10__para_1 → art_10.
    short = eid.replace("__para_1", "", 1) if "__para_1" in eid else None
    if short and short in nodes:
        return nodes[short]
    return None


_REPEAL = re.compile(
    r"《([^》]{2,80})》(?:[^。；]{0,40}?)同时废止|《([^》]{2,80})》(?:予以|即行)?废止"
)


def _repealed_titles(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _REPEAL.finditer(text)]
