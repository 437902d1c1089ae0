"""The application: the routes of the API and of the reader, and `serve`."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from fagui.errors import FaguiError
from fagui.export import norm_rows, norms_csv
from fagui.model import SCRIPTS
from fagui.norms import KINDS, Norm, subject_hierarchy
from fagui.serve.corpus import Corpus, ServeOptions
from fagui.serve.http import (
    BodyLimit,
    EmptyQueryIsNone,
    HeadIsGet,
    HTTPError,
    error_response,
    validation_message,
)
from fagui.serve.pages import blocks, carried, html_page, render, toc, traditional
from fagui.serve.recovery import RECOVERIES, Recoverers
from fagui.serve.shapes import (
    BEARER,
    FILE_BODY,
    MAX_BODY,
    CorpusNormsOut,
    DocId,
    DocList,
    DocOut,
    DocType,
    Eid,
    InForce,
    IngestOut,
    Issuer,
    Kind,
    Limit,
    NormsOut,
    Offset,
    ProvisionOut,
    RecoverIn,
    RecoverOut,
    Script,
    SearchOut,
    Subject,
    SubjectsOut,
    Year,
    error_responses,
)
from fagui.store import Filters, NotFound

log = logging.getLogger("fagui.serve")

CSV_ROWS = 100_000  # rows of the corpus-wide register CSV
THREADS = 4  # worker threads for the routes that read the store or render


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
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def _starlette_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page: {request.url.path}"
        return error_response(request, exc.status_code, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, str(exc))

    @app.exception_handler(FaguiError)
    async def _bad_input(request: Request, exc: FaguiError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, f"internal error: {type(exc).__name__}")

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

    @app.get(
        "/docs.json", response_model=DocList, responses=error_responses(422), tags=["documents"]
    )
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

    @app.get("/docs/{doc_id}.json", response_model=DocOut, responses=error_responses(404, 422),
             tags=["documents"])  # fmt: skip
    def document_json(doc_id: DocId) -> dict[str, Any]:
        """A document: its metadata and tree (fagui/1), status and versions."""
        return document_data(doc_id)

    @app.get("/docs/{doc_id}/provisions/{eid}.json", response_model=ProvisionOut,
             responses=error_responses(404, 422), tags=["documents"])  # fmt: skip
    def provision_json(doc_id: DocId, eid: Eid) -> dict[str, Any]:
        """One provision by its eId."""
        return corpus.store.provision(doc_id, eid).to_dict()

    @app.get("/cite.json", response_model=ProvisionOut, responses=error_responses(404, 422),
             tags=["documents"])  # fmt: skip
    def cite_json(
        ref: Annotated[str, Query(min_length=1, max_length=200,
                                  description="中国共产党党员网络行为规定第十条")],
        date: Annotated[str | None, Query(pattern=r"^\d{4}-\d\d-\d\d$")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """The provision a citation names, in the version in force on `date` (default: now)."""
        return corpus.store.show(ref, date=date).to_dict()

    @app.get("/docs/{doc_id}/norms.json", response_model=NormsOut, tags=["norms"],
             responses=error_responses(404, 422))  # fmt: skip
    def norms_json(doc_id: DocId, kind: Kind = None, subject: Subject = None) -> dict[str, Any]:
        """The document's norms (the obligation register), by kind and by subject."""
        return norms_data(doc_id, kind, subject)

    @app.get("/docs/{doc_id}/norms.csv", responses=error_responses(404, 422) | {
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}, tags=["norms"],
        response_class=Response)  # fmt: skip
    def norms_csv_route(doc_id: DocId, kind: Kind = None, subject: Subject = None) -> Response:
        """The obligation register as CSV."""
        _, norm_set = corpus.document(doc_id)
        rows = norm_rows(norm_set, subject=subject or None, kind=kind or None)
        return _csv(norms_csv(rows), f"{doc_id}-norms.csv")

    @app.get("/norms.json", response_model=CorpusNormsOut, responses=error_responses(422),
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

    @app.get("/norms.csv", responses=error_responses(422) | {
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
        return _csv(norms_csv(rows, sources=[n["title"] for n in norms]), "fagui-norms.csv")

    @app.get("/docs/{doc_id}/subjects.json", response_model=SubjectsOut,
             responses=error_responses(404, 422), tags=["norms"])  # fmt: skip
    def subjects_json(doc_id: DocId) -> dict[str, Any]:
        """The document's subjects, each with the subjects it is a kind of."""
        doc, norm_set = corpus.document(doc_id)
        return {"doc_id": doc_id, "title": doc.title,
                "subjects": subject_hierarchy(n.subject for n in norm_set.norms if n.subject),
                "definitions": norm_set.definitions}  # fmt: skip

    @app.get(
        "/search.json", response_model=SearchOut, responses=error_responses(422), tags=["search"]
    )
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
              responses=error_responses(400, 413, 422, 503))  # fmt: skip
    async def recover_json(request: Annotated[RecoverIn, Body()]) -> dict[str, Any]:
        """Recover the official text from a pasted copy, with every change it made."""
        return await recovered(request.text, "pasted", request.script)

    @app.post(
        "/recover/file.json",
        response_model=RecoverOut,
        responses=error_responses(400, 413, 415, 422, 503),
        tags=["recover"],
        openapi_extra=FILE_BODY,
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
        responses=error_responses(400, 401, 403, 413, 415, 422),
        openapi_extra=FILE_BODY,
    )
    async def ingest_json(
        request: Request,
        name: Annotated[str, Query(max_length=200)] = "upload.txt",
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
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
            text = traditional(text) if script == "traditional" else text
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
        return HTMLResponse(render("api.html", schema=app.openapi(), script="simplified",
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
        params = carried(title=title, doc_type=doc_type, issuer=issuer, year=year,
                         in_force=in_force, limit=limit, script=script)  # fmt: skip

        def make() -> str:
            data = list_documents_json(title, doc_type, issuer, year, in_force, limit, offset)
            return render("documents.html", data=data, title=title or "", script=script,
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
            return render(
                "document.html", doc=doc, data=data, doc_id=doc_id, toc=toc(doc),
                blocks=blocks(doc, norm_set, kind), register=register, counts=counts,
                kind=kind, subject=subject or "", script=script,
                params=carried(kind=kind, subject=subject, script=script),
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
            return render("provision.html", p=data, doc_id=doc_id, eid=eid, script=script,
                           params=carried(script=script))  # fmt: skip

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
        params = carried(kind=kind, subject=subject, doc_type=doc_type, issuer=issuer, year=year,
                         in_force=in_force, limit=limit, script=script)  # fmt: skip
        return html_page(render("norms.html", data=data, f=f, kinds=KINDS, script=script,
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
        params = carried(q=q, kind=kind, subject=subject, doc_type=doc_type, issuer=issuer,
                         year=year, in_force=in_force, limit=limit, script=script,
                         default_limit=20)  # fmt: skip
        return html_page(render("search.html", q=q, data=data, f=f, limit=limit, offset=offset,
                             script=script, kinds=KINDS, params=params), script)  # fmt: skip

    @app.get("/recover", response_class=HTMLResponse, include_in_schema=False)
    def recover_form(script: Script = "simplified") -> HTMLResponse:
        return html_page(render("recover.html", result=None, pasted="", script=script,
                             params=carried(script=script)), script)  # fmt: skip

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
        return HTMLResponse(render("recover.html", result=result, pasted=pasted,
                                    script="simplified", params={}))  # fmt: skip

    return app


def _csv(text: str, filename: str) -> Response:
    """A CSV download."""
    disposition = f'attachment; filename="{filename}"'
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": disposition})  # fmt: skip


def _raw_body(request: Request) -> None:
    """The upload routes take the file itself as the body: a form or JSON is refused (415)
    rather than read as a regulation."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded", "application/json"):
        raise HTTPError(415, f"send the file itself as the body (application/octet-stream), "
                             f"not {kind}")  # fmt: skip


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Few threads: the work in them is SQLite and rendering under one GIL; forty threads only
    # add switching and forty cold SQLite caches.
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


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
