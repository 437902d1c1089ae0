"""The served store: options, a read-only connection per thread, caches of documents and pages."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fagui.errors import FaguiError
from fagui.model import Document
from fagui.norms import NormSet, extract_norms
from fagui.store import SQLiteStore

PAGE_CACHE = 256 * 1024 * 1024  # bytes of rendered pages kept (gzipped: ~10 000 pages)
DOC_CACHE = 64  # parsed documents (with their norms) kept


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
        return dataclasses.asdict(result)
