"""A store and a server over the bundled examples (the seed copy and examples/corpus/)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fagui.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "000_668aba0204edbbb9.txt"
SEED_TITLE = "中国共产党党员网络行为规定"


def build_store(path: Path) -> Path:
    """Ingest every bundled example into a new store at `path`."""
    store = SQLiteStore(path)
    for source in sorted(p for p in EXAMPLES.rglob("*") if p.is_file()):
        store.ingest_bytes(source.read_bytes(), source.name)
    store.close()
    return path


def doc_id(db: Path, title: str, *, latest: bool = True) -> str:
    """The id of the (latest or earliest) version with this title."""
    store = SQLiteStore(db, readonly=True)
    order = "DESC" if latest else "ASC"
    row = store.db.execute(
        f"SELECT id FROM documents WHERE title = ? ORDER BY version_date {order}", (title,)
    ).fetchone()
    store.close()
    assert row, title
    return str(row[0])


@contextmanager
def live_server(app: object) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
