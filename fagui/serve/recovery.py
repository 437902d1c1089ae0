"""Recovery for the server: worker processes that are killed when a recovery runs too long."""

from __future__ import annotations

import multiprocessing
import queue
import resource
import threading
from multiprocessing.connection import Connection
from typing import Any

from fagui.errors import FaguiError
from fagui.parse import parse_canonical
from fagui.recover import recover
from fagui.serve.http import HTTPError
from fagui.serve.shapes import MAX_BODY
from fagui.sources import load

RECOVER_SECONDS = 30.0  # a recovery that takes longer is stopped (its process killed): 503
RECOVER_MEMORY = 2 * 1024**3  # address space of a recovery's process
RECOVERIES = 2  # recoveries at once; more are refused with 503


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
