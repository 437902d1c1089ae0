"""Serve: the store over HTTP — a JSON API and a web reader on the same routes.

Every page has a `.json` twin: `/docs/{id}` is the reader's page, `/docs/{id}.json` its data.
The JSON routes make the API and its OpenAPI schema (`/openapi.json`); the HTML routes render
the same data with Jinja2 templates.

Safety: the store is opened read-only unless ingest is allowed, and ingest then needs the
token; request bodies are capped (`MAX_BODY`, 5 MB) before any handler reads them; recovery
runs in a small pool with a time limit; no request value is ever used as a file path (ids are
checked against their pattern, uploads are bytes in memory). Errors have one shape,
`{"ok": false, "error": "...", "status": 404}`, on the JSON routes; HTML routes show the
same message on an error page with the same status.

Documents are immutable (content-addressed), so their parsed trees, norm sets and rendered
pages are cached; a page is keyed by the store's generation, so an ingest refreshes status
and version history.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import html
import itertools
import logging
import multiprocessing
import queue
import re
import resource
import secrets
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fagui.errors import FaguiError
from fagui.export import DIVISIONS, norm_rows, norms_csv
from fagui.model import SCRIPTS, Document, Node
from fagui.norms import KINDS, Norm, NormSet, extract_norms, subject_hierarchy
from fagui.parse import parse_canonical
from fagui.recover import converter, recover
from fagui.sources import load
from fagui.store import Filters, NotFound, SQLiteStore

__all__ = ["MAX_BODY", "RECOVER_SECONDS", "ServeOptions", "create_app"]

log = logging.getLogger("fagui.serve")

MAX_BODY = 5 * 1024 * 1024  # bytes a request may send
RECOVER_SECONDS = 30.0  # a recovery that takes longer is stopped (its process killed): 503
RECOVER_MEMORY = 2 * 1024**3  # address space of a recovery's process
RECOVERIES = 2  # recoveries at once; more are refused with 503
PAGE_CACHE = 256 * 1024 * 1024  # bytes of rendered pages kept (gzipped: ~10 000 pages)
DOC_CACHE = 64  # parsed documents (with their norms) kept
CSV_ROWS = 100_000  # rows of the corpus-wide register CSV
THREADS = 4  # worker threads for the routes that read the store or render

DOC_ID = r"^[0-9a-f]{16}$"
EID = r"^[a-z0-9_\-]{1,200}$"

KIND_NAMES = {
    "obligation": "义务 应当/必须", "prohibition": "禁止 不得/禁止/严禁", "permission": "许可 可以",
    "right": "权利 有权", "encouragement": "鼓励 鼓励/支持/提倡", "responsibility": "职责 负责",
    "sanction": "罚则", "definition": "定义", "commencement": "施行", "interpretation": "解释",
    "referral": "参照", "principle": "原则",
}  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    """How to serve: the store, whether HTTP may ingest (then only with `token`)."""

    db: Path
    allow_ingest: bool = False
    token: str | None = None

    def __post_init__(self) -> None:
        if self.allow_ingest and not self.token:
            raise FaguiError("--allow-ingest needs a token (--token or $FAGUI_TOKEN)")
        if not self.allow_ingest and not self.db.is_file():
            raise FaguiError(
                f"{self.db}: no store there; ingest regulations first (fagui ingest FILES --db "
                f"{self.db}) or serve with --allow-ingest"
            )


# ---------------------------------------------------------------------------------------------
# The JSON shapes (they make the OpenAPI schema)


class ErrorBody(BaseModel):
    ok: Literal[False] = False
    error: str
    status: int


class DocSummary(BaseModel):
    doc_id: str
    title: str
    doc_type: str | None
    date: str | None = Field(description="the date this version was published or adopted")
    effective: str | None
    issuers: list[dict[str, str]]
    articles: int
    status: str = Field(description="in force, superseded or repealed")


class DocList(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocSummary]


class Version(BaseModel):
    doc_id: str
    title: str
    date: str | None
    effective: str | None
    status: str
    latest: bool


class DocOut(BaseModel):
    doc_id: str
    status: str
    versions: list[Version]
    document: dict[str, Any] = Field(description="the fagui/1 document: metadata and tree")


class ProvisionOut(BaseModel):
    doc_id: str
    title: str
    dates: dict[str, Any]
    status: str
    citation: str
    provision: dict[str, Any]
    text: str


class NormOut(BaseModel):
    article: str
    eid: str
    kind: str
    subject: str | None
    text: str
    span: list[int]
    strength: str
    action: str | None
    condition: str | None
    exception: str | None
    refs: list[str]
    enforces: list[str]
    why: str | None = Field(None, description="with ?subject=: why the norm binds it")


class NormsOut(BaseModel):
    doc_id: str
    title: str
    total: int
    definitions: dict[str, str]
    norms: list[NormOut]


class CorpusNormOut(NormOut):
    doc_id: str
    title: str


class CorpusNormsOut(BaseModel):
    total: int
    offset: int
    limit: int
    norms: list[CorpusNormOut]


class SubjectsOut(BaseModel):
    doc_id: str
    title: str
    subjects: dict[str, list[str]] = Field(description="each subject and what it is a kind of")
    definitions: dict[str, str]


class HitOut(BaseModel):
    doc_id: str
    title: str
    article: str
    eid: str
    snippet: str
    score: float


class SearchOut(BaseModel):
    query: str
    total: int
    offset: int
    hits: list[HitOut]


class RecoverIn(BaseModel):
    text: str = Field(max_length=MAX_BODY, description="the copy to recover")
    script: Literal["simplified", "traditional", "original"] = "simplified"


class ChangeOut(BaseModel):
    kind: str
    offset: int
    length: int
    original: str
    replacement: str
    reason: str


class RecoverOut(BaseModel):
    title: str
    text: str
    source: str
    original_script: str
    encoding: str | None
    counts: dict[str, int]
    changes: list[ChangeOut]


class IngestOut(BaseModel):
    source: str
    status: str
    doc_id: str
    title: str


# The upload routes take the file itself as the request body.
_FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


# The parameters the routes share

_BEARER = HTTPBearer(auto_error=False, description="the token given to fagui serve --allow-ingest")

DocId = Annotated[str, PathParam(pattern=DOC_ID, description="a document id (16 hex)")]
Eid = Annotated[str, PathParam(pattern=EID, description="a provision's eId: art_10")]
Kind = Annotated[Literal[KINDS] | None, Query(description="only norms of this kind")]  # type: ignore[valid-type]
Subject = Annotated[
    str | None,
    Query(max_length=100, description="only norms binding this subject, and why"),
]
DocType = Annotated[str | None, Query(max_length=40, description="法, 条例, 规定…")]
Issuer = Annotated[str | None, Query(max_length=100)]
Year = Annotated[int | None, Query(ge=1949, le=2100)]
InForce = Annotated[bool | None, Query()]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Script = Annotated[Literal["simplified", "traditional"], Query()]


# ---------------------------------------------------------------------------------------------
# Errors: one shape


class HTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith((".json", ".csv")) or path.startswith(("/api", "/openapi"))


def _error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if _wants_json(request):
        body = ErrorBody(error=message, status=status).model_dump()
        return JSONResponse(body, status, headers=headers)
    page = _env().get_template("error.html").render(status=status, message=message)
    return HTMLResponse(page, status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 before any handler sees them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, send)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"request body over {self.limit // (1024 * 1024)} MB"
        response = _error_response(Request(scope), 413, message, {"connection": "close"})
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class HeadIsGet:
    """HEAD is GET without the body, on every route (link checkers and monitors use it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body"):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(dict(scope, method="GET"), receive, headers_only)


class EmptyQueryIsNone:
    """On the reader's pages, an empty form field (`?kind=&year=`) means no filter, as a form
    sends it; the JSON routes keep validating it (an empty kind there is an error)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("query_string")
            and not scope["path"].endswith((".json", ".csv"))
        ):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v.strip()]
            if len(kept) != len(pairs):
                scope = dict(scope, query_string=urlencode(kept).encode("ascii"))
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------------------
# Reading the store from many threads


class _LRU:
    """A thread-safe LRU cache holding at most `size` units, each value weighing
    `weigh(value)` units (one by default)."""

    def __init__(self, size: int, weigh: Callable[[Any], int] = lambda _: 1) -> None:
        self.size = size
        self.weigh = weigh
        self.weight = 0
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def peek(self, key: Any) -> Any:
        """The cached value (now the most recently used), or None."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The cached value, made and kept when missing."""
        found = self.peek(key)
        if found is not None:
            return found
        value = make()
        with self.lock:
            if key not in self.items:
                self.items[key] = value
                self.weight += self.weigh(value)
            while self.weight > self.size and len(self.items) > 1:
                _, old = self.items.popitem(last=False)
                self.weight -= self.weigh(old)
        return value


class Corpus:
    """The served store: a read-only connection per thread, a writer only for HTTP ingest,
    caches of parsed documents and rendered pages."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.local = threading.local()
        self.docs = _LRU(DOC_CACHE)
        self.pages = _LRU(PAGE_CACHE, len)
        self.write_lock = threading.Lock()
        self.writer: SQLiteStore | None = None
        if options.allow_ingest:
            self.writer = SQLiteStore(options.db)  # creates and migrates the file
        self.store.db.execute("SELECT 1")  # a file that is no store fails here, not per request

    @property
    def store(self) -> SQLiteStore:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = SQLiteStore(self.options.db, readonly=True)
        return store

    def generation(self) -> tuple[int, float]:
        """Changes whenever a document is added, so cached pages know they are stale."""
        count, last = self.store.db.execute(
            "SELECT count(*), COALESCE(max(ingested_at), 0) FROM documents"
        ).fetchone()
        return count, last

    def document(self, doc_id: str) -> tuple[Document, NormSet]:
        def make() -> tuple[Document, NormSet]:
            doc = self.store.document(doc_id)
            return doc, extract_norms(doc)

        return self.docs.get(doc_id, make)  # type: ignore[no-any-return]

    def ingest(self, data: bytes, name: str) -> dict[str, Any]:
        assert self.writer is not None
        with self.write_lock:
            result = self.writer.ingest_bytes(data, name)
        return {"source": result.source, "status": result.status, "doc_id": result.doc_id,
                "title": result.title}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Pages


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("fagui", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["snippet"] = _snippet_html
    env.globals["KIND_NAMES"] = KIND_NAMES
    env.globals["qs"] = _qs
    return env


def _snippet_html(snippet: str) -> Markup:
    """A search snippet with its 【match】 marked."""
    escaped = html.escape(snippet)
    return Markup(re.sub(r"【(.*?)】", r"<mark>\1</mark>", escaped))


def _render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


def _marked(line: str, start: int, norms: list[tuple[int, Norm]]) -> Markup:
    """One line of an article with the norms that cover it marked by kind. `start` is the
    line's offset in the article's full text, `norms` the article's (index, norm) pairs; where
    norms overlap, the narrowest decides the mark."""
    end = start + len(line)
    cuts = {start, end}
    inside = [(i, n) for i, n in norms if n.span[0] < end and n.span[1] > start]
    for _, n in inside:
        cuts.update(c for c in n.span if start < c < end)
    out = []
    bounds = sorted(cuts)
    for a, b in itertools.pairwise(bounds):
        piece = html.escape(line[a - start : b - start])
        covering = [(n.span[1] - n.span[0], i, n) for i, n in inside if n.span[0] <= a < n.span[1]]
        if not covering:
            out.append(piece)
            continue
        _, index, norm = min(covering, key=lambda t: (t[0], t[1]))
        label = f"{norm.kind}" + (f" · {norm.subject}" if norm.subject else "")
        out.append(
            f'<mark class="norm k-{norm.kind}" data-kind="{norm.kind}" data-norm="{index}" '
            f'title="{html.escape(label)}">{piece}</mark>'
        )
    return Markup("".join(out))


@dataclass(frozen=True, slots=True)
class _Block:
    kind: str  # division, article, other
    eid: str
    level: int
    label: str
    heading: str
    lines: tuple[tuple[str, Markup], ...] = ()  # (eid, html)


def _blocks(doc: Document, norm_set: NormSet, kind: str | None) -> list[_Block]:
    """The document as a flat list of headings and articles, norms marked."""
    by_article: dict[str, list[tuple[int, Norm]]] = {}
    for index, norm in enumerate(norm_set.norms):
        if kind is None or norm.kind == kind:
            by_article.setdefault(norm.article, []).append((index, norm))
    out: list[_Block] = []

    def lines(node: Node, norms: list[tuple[int, Norm]]) -> tuple[tuple[str, Markup], ...]:
        result = []
        offset = 0
        for owner, line in node.lines():
            result.append((owner.eid, _marked(line, offset, norms)))
            offset += len(line) + 1
        return tuple(result)

    def visit(node: Node, level: int) -> None:
        if node.type in DIVISIONS or _holds_articles(node):
            out.append(_Block("division", node.eid, level, node.label, node.heading))
            for child in node.children:
                visit(child, level + 1)
        elif node.type == "article":
            norms = by_article.get(node.num or "", [])
            out.append(_Block("article", node.eid, level, node.label, "", lines(node, norms)))
        else:
            out.append(_Block("other", node.eid, level, node.label, node.heading, lines(node, [])))

    for node in doc.body:
        visit(node, 1)
    return out


def _holds_articles(node: Node) -> bool:
    """A block that groups articles (附则 after the 编 of a code) reads like a division."""
    return node.type != "article" and any(c.type == "article" for c in node.children)


def _toc(doc: Document) -> list[dict[str, Any]]:
    """Table of contents: divisions with their articles, as nested entries."""

    def entry(node: Node) -> dict[str, Any] | None:
        if node.type in DIVISIONS or _holds_articles(node):
            children = [e for c in node.children if (e := entry(c))]
            return {"eid": node.eid, "label": f"{node.label} {node.heading}".strip(),
                    "children": children, "article": False}  # fmt: skip
        if node.type == "article":
            return {"eid": node.eid, "label": node.label, "children": [], "article": True}
        if node.type in ("preamble", "attachment") and node.eid:
            return {"eid": node.eid, "label": node.label or node.heading or node.type,
                    "children": [], "article": False}  # fmt: skip
        return None

    return [e for node in doc.body if (e := entry(node))]


def _traditional(page: str) -> str:
    return converter("s2tw").convert(page)


# ---------------------------------------------------------------------------------------------
# The application


def create_app(options: ServeOptions) -> FastAPI:
    """The fagui web application over the store `options.db`."""
    corpus = Corpus(options)
    recoveries = anyio.CapacityLimiter(RECOVERIES)
    recoverers = Recoverers(RECOVERIES)
    app = FastAPI(
        title="fagui",
        summary="Chinese regulations as clean, structured, queryable data",
        description="Read regulations with their structure and norms, search them, recover "
        "official texts from polluted copies. Every reader page has a `.json` twin; errors "
        'are `{"ok": false, "error": "...", "status": N}`.',
        version=_version(),
        docs_url=None,  # the explorer FastAPI ships loads its code from a CDN; /api is ours
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.corpus = corpus
    app.state.recoverers = recoverers
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(EmptyQueryIsNone)
    app.add_middleware(HeadIsGet)

    # -- errors ---------------------------------------------------------------------------------

    @app.exception_handler(HTTPError)
    async def _http_error(request: Request, exc: HTTPError) -> Response:
        return _error_response(request, exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def _starlette_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        return _error_response(request, exc.status_code, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, 422, _validation_message(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error_response(request, 404, str(exc))

    @app.exception_handler(FaguiError)
    async def _bad_input(request: Request, exc: FaguiError) -> Response:
        return _error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error_response(request, 500, f"internal error: {type(exc).__name__}")

    # -- helpers --------------------------------------------------------------------------------

    def filters(doc_type: str | None, issuer: str | None, year: int | None,
                in_force: bool | None, kind: str | None = None,
                subject: str | None = None) -> Filters:  # fmt: skip
        return Filters(doc_type=doc_type or None, issuer=issuer or None, year=year,
                       in_force=in_force, kind=kind or None, subject=subject or None)  # fmt: skip

    def document_data(doc_id: str) -> dict[str, Any]:
        doc, _ = corpus.document(doc_id)
        return {"doc_id": doc_id, "status": corpus.store.status(doc_id),
                "versions": corpus.store.versions(doc_id), "document": doc.to_dict()}  # fmt: skip

    def norms_data(doc_id: str, kind: str | None, subject: str | None) -> dict[str, Any]:
        doc, norm_set = corpus.document(doc_id)
        rows = norm_rows(norm_set, subject=subject or None, kind=kind or None)
        return {
            "doc_id": doc_id, "title": doc.title, "total": len(rows),
            "definitions": norm_set.definitions,
            "norms": [n.to_dict() | {"why": why or None} for n, why in rows],
        }  # fmt: skip

    def search_data(q: str, limit: int, offset: int, f: Filters) -> dict[str, Any]:
        result = corpus.store.search(q, limit=limit, offset=offset, filters=f)
        return result.to_dict() | {"offset": offset}

    async def recovered(data: bytes | str, name: str, script: str) -> dict[str, Any]:
        """Read (bytes) and recover a copy in a child process, killed after RECOVER_SECONDS;
        at most RECOVERIES at once, and a request beyond them is refused at once."""
        if recoveries.available_tokens < 1:
            raise HTTPError(503, "the server is busy recovering other copies; try again shortly")
        return await anyio.to_thread.run_sync(  # type: ignore[no-any-return]
            recoverers.run, data, name, script, limiter=recoveries
        )

    # -- JSON API (registered before the HTML routes: /docs/{id} would also match x.json) --------

    @app.get("/docs.json", response_model=DocList, responses=_errors(422), tags=["documents"])
    def list_documents_json(
        title: Annotated[str | None, Query(max_length=100)] = None,
        doc_type: DocType = None, issuer: Issuer = None, year: Year = None,
        in_force: InForce = None, limit: Limit = 50, offset: Offset = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """Documents in the store, filtered, a page at a time."""
        total, docs = corpus.store.documents(
            filters=filters(doc_type, issuer, year, in_force), title=title or None,
            limit=limit, offset=offset,
        )  # fmt: skip
        return {"total": total, "offset": offset, "limit": limit, "documents": docs}

    @app.get("/docs/{doc_id}.json", response_model=DocOut, responses=_errors(404, 422),
             tags=["documents"])  # fmt: skip
    def document_json(doc_id: DocId) -> dict[str, Any]:
        """A document: its metadata and tree (fagui/1), status and versions."""
        return document_data(doc_id)

    @app.get("/docs/{doc_id}/provisions/{eid}.json", response_model=ProvisionOut,
             responses=_errors(404, 422), tags=["documents"])  # fmt: skip
    def provision_json(doc_id: DocId, eid: Eid) -> dict[str, Any]:
        """One provision by its eId."""
        return corpus.store.provision(doc_id, eid).to_dict()

    @app.get("/cite.json", response_model=ProvisionOut, responses=_errors(404, 422),
             tags=["documents"])  # fmt: skip
    def cite_json(
        ref: Annotated[str, Query(min_length=1, max_length=200,
                                  description="中国共产党党员网络行为规定第十条")],
        date: Annotated[str | None, Query(pattern=r"^\d{4}-\d\d-\d\d$")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """The provision a citation names, in the version in force on `date` (default: now)."""
        return corpus.store.show(ref, date=date).to_dict()

    @app.get("/docs/{doc_id}/norms.json", response_model=NormsOut, responses=_errors(404, 422),
             tags=["norms"])  # fmt: skip
    def norms_json(doc_id: DocId, kind: Kind = None, subject: Subject = None) -> dict[str, Any]:
        """The document's norms (the obligation register), by kind and by subject."""
        return norms_data(doc_id, kind, subject)

    @app.get("/docs/{doc_id}/norms.csv", responses=_errors(404, 422) | {
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}, tags=["norms"],
        response_class=Response)  # fmt: skip
    def norms_csv_route(doc_id: DocId, kind: Kind = None, subject: Subject = None) -> Response:
        """The obligation register as CSV."""
        _, norm_set = corpus.document(doc_id)
        rows = norm_rows(norm_set, subject=subject or None, kind=kind or None)
        return Response(
            norms_csv(rows), media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{doc_id}-norms.csv"'},
        )  # fmt: skip

    @app.get("/norms.json", response_model=CorpusNormsOut, responses=_errors(422),
             tags=["norms"])  # fmt: skip
    def corpus_norms_json(
        kind: Kind = None, subject: Subject = None, doc_type: DocType = None,
        issuer: Issuer = None, year: Year = None, in_force: InForce = None,
        limit: Limit = 50, offset: Offset = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """The obligation register across the store, by kind and subject (with why each norm
        binds it), and by the documents' type, issuer, year and status."""
        total, norms = corpus.store.norms(
            kind=kind, subject=subject or None, limit=limit, offset=offset,
            filters=filters(doc_type, issuer, year, in_force),
        )  # fmt: skip
        return {"total": total, "offset": offset, "limit": limit, "norms": norms}

    @app.get("/norms.csv", responses=_errors(422) | {
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}, tags=["norms"],
        response_class=Response)  # fmt: skip
    def corpus_norms_csv(
        kind: Kind = None, subject: Subject = None, doc_type: DocType = None,
        issuer: Issuer = None, year: Year = None, in_force: InForce = None,
    ) -> Response:  # fmt: skip
        """The whole filtered register across the store as CSV (at most CSV_ROWS rows)."""
        _, norms = corpus.store.norms(
            kind=kind, subject=subject or None, limit=CSV_ROWS,
            filters=filters(doc_type, issuer, year, in_force),
        )  # fmt: skip
        rows = [(Norm.from_dict(n), n["why"] or "") for n in norms]
        return Response(
            norms_csv(rows, sources=[n["title"] for n in norms]),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="fagui-norms.csv"'},
        )

    @app.get("/docs/{doc_id}/subjects.json", response_model=SubjectsOut,
             responses=_errors(404, 422), tags=["norms"])  # fmt: skip
    def subjects_json(doc_id: DocId) -> dict[str, Any]:
        """The document's subjects, each with the subjects it is a kind of."""
        doc, norm_set = corpus.document(doc_id)
        return {"doc_id": doc_id, "title": doc.title,
                "subjects": subject_hierarchy(n.subject for n in norm_set.norms if n.subject),
                "definitions": norm_set.definitions}  # fmt: skip

    @app.get("/search.json", response_model=SearchOut, responses=_errors(422), tags=["search"])
    def search_json(
        q: Annotated[str, Query(min_length=1, max_length=100, description="网络 or 網絡")],
        kind: Kind = None, subject: Subject = None, doc_type: DocType = None,
        issuer: Issuer = None, year: Year = None, in_force: InForce = None,
        limit: Limit = 20, offset: Offset = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """Articles containing the words, in either script, best first, with snippets."""
        f = filters(doc_type, issuer, year, in_force, kind, subject)
        return search_data(q, limit, offset, f)

    @app.post("/recover.json", response_model=RecoverOut, tags=["recover"],
              responses=_errors(400, 413, 422, 503))  # fmt: skip
    async def recover_json(request: Annotated[RecoverIn, Body()]) -> dict[str, Any]:
        """Recover the official text from a pasted copy, with every change it made."""
        return await recovered(request.text, "pasted", request.script)

    @app.post(
        "/recover/file.json",
        response_model=RecoverOut,
        responses=_errors(400, 413, 415, 422, 503),
        tags=["recover"],
        openapi_extra=_FILE_BODY,
    )
    async def recover_file_json(
        request: Request,
        name: Annotated[str, Query(max_length=200, description="the file's name: its extension "
                                   "(.txt .html .md .docx) says how to read it")] = "upload.txt",
        script: Script = "simplified",
    ) -> dict[str, Any]:  # fmt: skip
        """Recover from an uploaded file (any encoding, HTML, DOCX), sent as the request body."""
        _raw_body(request)
        return await recovered(await request.body(), Path(name).name or "upload.txt", script)

    @app.post(
        "/ingest.json",
        response_model=IngestOut,
        tags=["ingest"],
        responses=_errors(400, 401, 403, 413, 415, 422),
        openapi_extra=_FILE_BODY,
    )
    async def ingest_json(
        request: Request,
        name: Annotated[str, Query(max_length=200)] = "upload.txt",
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
    ) -> dict[str, Any]:
        """Add a regulation to the store (only with --allow-ingest, and the token as
        `Authorization: Bearer TOKEN`)."""
        if not options.allow_ingest:
            raise HTTPError(403, "ingest over HTTP is off; start the server with --allow-ingest")
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), (options.token or "").encode()):
            raise HTTPError(401, "ingest needs the server's token: Authorization: Bearer TOKEN")
        _raw_body(request)
        data = await request.body()
        return await asyncio.to_thread(corpus.ingest, data, Path(name).name or "upload.txt")

    # -- the reader (HTML) ------------------------------------------------------------------------

    async def page(
        request: Request, key: tuple[Any, ...] | None, script: str, make: Callable[[], str]
    ) -> Response:
        """A rendered page, cached gzipped under `key` (None: not cached) while the store is
        unchanged; traditional on request. A cached page is sent from the event loop, as it is
        to clients that take gzip; rendering one runs in the thread pool."""

        def build() -> bytes:
            text = make()
            text = _traditional(text) if script == "traditional" else text
            return gzip.compress(text.encode(), compresslevel=6, mtime=0)

        if key is None:
            body = await run_in_threadpool(build)
        else:
            full = (*key, script, corpus.generation())
            body = corpus.pages.peek(full)
            if body is None:
                body = await run_in_threadpool(corpus.pages.get, full, build)
        headers = {"vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
            return Response(body, media_type="text/html; charset=utf-8", headers=headers)
        return Response(gzip.decompress(body), media_type="text/html; charset=utf-8",
                        headers=headers)  # fmt: skip

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page() -> HTMLResponse:
        """The API's operations, read from the OpenAPI schema, on a page of the reader."""
        return HTMLResponse(_render("api.html", schema=app.openapi(), script="simplified",
                                    params={}))  # fmt: skip

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=307)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def list_documents(
        request: Request,
        title: Annotated[str | None, Query(max_length=100)] = None,
        doc_type: DocType = None, issuer: Issuer = None, year: Year = None,
        in_force: InForce = None, limit: Limit = 50, offset: Offset = 0,
        script: Script = "simplified",
    ) -> Response:  # fmt: skip
        params = _params(title=title, doc_type=doc_type, issuer=issuer, year=year,
                         in_force=in_force, limit=limit, script=script)  # fmt: skip

        def make() -> str:
            data = list_documents_json(title, doc_type, issuer, year, in_force, limit, offset)
            return _render("documents.html", data=data, title=title or "", script=script,
                           params=params)  # fmt: skip

        # a free-text title would let requests fill the cache: such lists are not kept
        key = None if title else ("docs", doc_type, issuer, year, in_force, limit, offset)
        return await page(request, key, script, make)

    @app.get("/docs/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    async def document(request: Request, doc_id: DocId, kind: Kind = None, subject: Subject = None,
                       script: Script = "simplified") -> Response:  # fmt: skip
        def make() -> str:
            doc, norm_set = corpus.document(doc_id)
            register = norms_data(doc_id, kind, subject)
            counts: dict[str, int] = {}
            for n in norm_set.norms:
                counts[n.kind] = counts.get(n.kind, 0) + 1
            data = {"status": corpus.store.status(doc_id),
                    "versions": corpus.store.versions(doc_id)}  # fmt: skip
            return _render(
                "document.html", doc=doc, data=data, doc_id=doc_id, toc=_toc(doc),
                blocks=_blocks(doc, norm_set, kind), register=register, counts=counts,
                kind=kind, subject=subject or "", script=script,
                params=_params(kind=kind, subject=subject, script=script),
            )  # fmt: skip

        key = None if subject else ("doc", doc_id, kind)
        return await page(request, key, script, make)

    @app.get("/docs/{doc_id}/provisions/{eid}", response_class=HTMLResponse,
             include_in_schema=False)  # fmt: skip
    async def provision(
        request: Request, doc_id: DocId, eid: Eid, script: Script = "simplified"
    ) -> Response:
        def make() -> str:
            data = provision_json(doc_id, eid)
            return _render("provision.html", p=data, doc_id=doc_id, eid=eid, script=script,
                           params=_params(script=script))  # fmt: skip

        return await page(request, ("provision", doc_id, eid), script, make)

    @app.get("/cite", include_in_schema=False)
    def cite(ref: Annotated[str, Query(min_length=1, max_length=200)],
             date: Annotated[str | None, Query(pattern=r"^\d{4}-\d\d-\d\d$")] = None,
             ) -> RedirectResponse:  # fmt: skip
        found = corpus.store.show(ref, date=date)
        return RedirectResponse(f"/docs/{found.doc_id}#{found.node.eid}", status_code=303)

    @app.get("/norms", response_class=HTMLResponse, include_in_schema=False)
    def corpus_norms(
        kind: Kind = None, subject: Subject = None, doc_type: DocType = None,
        issuer: Issuer = None, year: Year = None, in_force: InForce = None,
        limit: Limit = 50, offset: Offset = 0, script: Script = "simplified",
    ) -> HTMLResponse:  # fmt: skip
        data = corpus_norms_json(kind, subject, doc_type, issuer, year, in_force, limit, offset)
        f = filters(doc_type, issuer, year, in_force, kind, subject)
        params = _params(kind=kind, subject=subject, doc_type=doc_type, issuer=issuer, year=year,
                         in_force=in_force, limit=limit, script=script)  # fmt: skip
        return _html(_render("norms.html", data=data, f=f, kinds=KINDS, script=script,
                             params=params), script)  # fmt: skip

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(
        q: Annotated[str, Query(max_length=100)] = "",
        kind: Kind = None, subject: Subject = None, doc_type: DocType = None,
        issuer: Issuer = None, year: Year = None, in_force: InForce = None,
        limit: Limit = 20, offset: Offset = 0, script: Script = "simplified",
    ) -> HTMLResponse:  # fmt: skip
        f = filters(doc_type, issuer, year, in_force, kind, subject)
        data = search_data(q, limit, offset, f) if q.strip() else None
        params = _params(q=q, kind=kind, subject=subject, doc_type=doc_type, issuer=issuer,
                         year=year, in_force=in_force, limit=limit, script=script,
                         default_limit=20)  # fmt: skip
        return _html(_render("search.html", q=q, data=data, f=f, limit=limit, offset=offset,
                             script=script, kinds=KINDS, params=params), script)  # fmt: skip

    @app.get("/recover", response_class=HTMLResponse, include_in_schema=False)
    def recover_form(script: Script = "simplified") -> HTMLResponse:
        return _html(_render("recover.html", result=None, pasted="", script=script,
                             params=_params(script=script)), script)  # fmt: skip

    @app.post("/recover", response_class=HTMLResponse, include_in_schema=False)
    async def recover_page(request: Request) -> HTMLResponse:
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_BODY)
        upload = form.get("file")
        # a form sends its text with \r\n line ends, whatever was pasted
        pasted = str(form.get("text") or "").replace("\r\n", "\n")
        out_script = str(form.get("script") or "simplified")
        if out_script not in SCRIPTS:
            raise HTTPError(422, f"script must be one of {', '.join(SCRIPTS)}")
        copy: bytes | str
        if upload is not None and not isinstance(upload, str) and upload.filename:
            copy, name = await upload.read(), Path(upload.filename).name or "upload.txt"
        elif pasted.strip():
            copy, name = pasted, "pasted"
        else:
            raise HTTPError(400, "paste a copy of a regulation or choose a file")
        result = await recovered(copy, name, out_script)
        return HTMLResponse(_render("recover.html", result=result, pasted=pasted,
                                    script="simplified", params={}))  # fmt: skip

    return app


def _raw_body(request: Request) -> None:
    """The upload routes take the file itself as the body: a form or JSON is refused (415)
    rather than read as a regulation."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded", "application/json"):
        raise HTTPError(415, f"send the file itself as the body (application/octet-stream), "
                             f"not {kind}")  # fmt: skip


class Recoverers:
    """`size` worker processes that recover copies, each warmed up once (the first recovery
    in a process loads dictionaries for a third of a second). A job that runs over
    RECOVER_SECONDS has its worker killed and replaced, so the work really stops; a worker
    that dies (its memory is capped at RECOVER_MEMORY) is replaced too."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: queue.SimpleQueue[tuple[Any, Connection]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.started = False

    def _start(self) -> tuple[Any, Connection]:
        context = multiprocessing.get_context("spawn")  # never fork a threaded server
        ours, theirs = context.Pipe()
        process = context.Process(target=_recovery_worker, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        return process, ours

    def start(self) -> None:
        """Start the workers (once)."""
        with self.lock:
            if not self.started:
                for _ in range(self.size):
                    self.idle.put(self._start())
                self.started = True

    def run(self, data: bytes | str, name: str, script: str) -> dict[str, Any]:
        """Recover one copy in a worker; the caller keeps at most `size` runs at once."""
        self.start()
        process, conn = self.idle.get()
        stopped = False
        try:
            conn.send((data, name, script))
            if not conn.poll(RECOVER_SECONDS):
                stopped = True
                raise HTTPError(503, f"recovery took over {RECOVER_SECONDS:g} s and was "
                                     "stopped; try a smaller copy")  # fmt: skip
            status, value = conn.recv()
        except (EOFError, OSError):  # the worker died: out of memory, most likely
            stopped = True
            raise HTTPError(400, f"{name}: the copy could not be read within the limits") from None
        finally:
            if stopped:
                process.kill()
                process.join()
                conn.close()
                process, conn = self._start()
            self.idle.put((process, conn))
        if status == "error":
            raise HTTPError(400, value)
        return value  # type: ignore[no-any-return]


def _recovery_worker(conn: Connection) -> None:
    """A worker process: cap memory, warm up, then recover what comes down the pipe."""
    resource.setrlimit(resource.RLIMIT_AS, (RECOVER_MEMORY, RECOVER_MEMORY))
    _recovery_job("第一条　为了规范网络行为，制定本规定。\n", "warm-up", "simplified")
    while True:
        try:
            data, name, script = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_recovery_job(data, name, script))


def _recovery_job(data: bytes | str, name: str, script: str) -> tuple[str, Any]:
    """Read the copy (bytes), recover it, find its title: ("ok", result) or ("error", why)."""
    try:
        if isinstance(data, bytes):
            source = load(data, name, max_bytes=MAX_BODY)
            text, name, encoding = source.text, source.name, source.encoding
        else:
            text, encoding = data, None
        result = recover(text, source=name, encoding=encoding, script=script)
        title = parse_canonical(result.text, source=name).title if result.text.strip() else ""
        return "ok", result.to_dict() | {"title": title, "counts": result.counts()}
    except FaguiError as exc:
        return "error", str(exc)
    except MemoryError:
        return "error", f"{name}: reading it needs more memory than a recovery may use"


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Few threads: the work in them is SQLite and rendering under one GIL; forty threads only
    # add switching and forty cold SQLite caches.
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


def _params(*, default_limit: int = 50, **params: Any) -> dict[str, Any]:
    """The parameters of a page that links carry on: the filters that are set, the script
    when it is traditional, the page size when it is not the default."""
    if params.get("script") == "simplified":
        params["script"] = None
    if params.get("limit") == default_limit:
        params["limit"] = None
    return {k: v for k, v in params.items() if v not in (None, "")}


def _qs(params: Mapping[str, Any], **changes: Any) -> str:
    """`?a=1&b=2`: `params` with `changes` applied (None drops a parameter); "" when empty."""
    merged = {**params, **changes}
    pairs = {k: str(v).lower() if isinstance(v, bool) else v for k, v in merged.items()
             if v is not None and v != ""}  # fmt: skip
    return "?" + urlencode(pairs) if pairs else ""


def _html(page: str, script: str) -> HTMLResponse:
    return HTMLResponse(_traditional(page) if script == "traditional" else page)


def _version() -> str:
    from fagui import __version__

    return __version__


def serve(options: ServeOptions, *, host: str, port: int) -> None:
    """Run the server until interrupted."""
    import uvicorn

    app = create_app(options)
    # start the recovery workers now, so the first recovery does not wait for them
    threading.Thread(target=app.state.recoverers.start, daemon=True).start()
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
