"""Serve: the store over HTTP — a JSON API and a web reader on the same routes.

Every page has a `.json` twin: `/docs/{id}` is the reader's page, `/docs/{id}.json` its data.
The JSON routes make the API and its OpenAPI schema (`/openapi.json`); the HTML routes render
the same data with Jinja2 templates.

Safety: the store is opened read-only unless ingest is allowed, and ingest then needs the
token; request bodies are capped (`MAX_BODY`, 5 MB) before any handler reads them; recovery
runs in worker processes, killed when one runs over its time; no request value is ever used
as a file path (ids are checked against their pattern, uploads are bytes in memory). Errors
have one shape, `{"ok": false, "error": "...", "status": 404}`, on the JSON routes; HTML
routes show the same message on an error page with the same status.

Documents are immutable (content-addressed), so their parsed trees, norm sets and rendered
pages are cached; a page is keyed by the store's generation, so an ingest refreshes status
and version history.

Modules: `app` (the routes and `serve`), `shapes` (the JSON shapes and shared parameters),
`http` (the error shape and the middleware), `corpus` (the store as served, with its caches),
`pages` (rendering the reader), `recovery` (recoveries in worker processes).
"""

from fagui.serve.app import create_app, serve
from fagui.serve.corpus import ServeOptions
from fagui.serve.recovery import RECOVER_SECONDS
from fagui.serve.shapes import DOC_ID, EID, MAX_BODY

__all__ = ["DOC_ID", "EID", "MAX_BODY", "RECOVER_SECONDS", "ServeOptions", "create_app", "serve"]
