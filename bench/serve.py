"""Latency of `fagui serve` under load: 50 concurrent clients on loopback for a bounded time.

    python bench/serve.py [--db PATH] [--clients 50] [--seconds 20] [--documents 200]

Starts `fagui serve` in its own process over a store (by default a new one with the bundled
examples: the seed and examples/corpus/; `--db` serves an existing store, e.g. the whole corpus
ingested with `fagui ingest ../shared/corpus/lawrefbook --db corpus.db`). Client processes
(each an asyncio loop with its share of the connections) then request, for `--seconds`:

- document pages: the reader pages of `--documents` documents (all of a small store, a seeded
  sample of a large one), in both scripts, unfiltered and filtered to one norm kind — the pages
  readers open. Each is rendered once in a warm-up, one request at a time, whose latencies are
  reported as "document (cold)": what the first reader of a page waits. Under load they are
  served from the server's page cache;
- search pages: a fixed list of words, in either script;
- the baseline: a 404 from an unknown `.json` path, which costs the server only routing and
  the error body — the floor of the framework and the loopback.

It prints requests, errors and latency percentiles per kind, and p99 as a ratio to the
baseline's. Goal: no errors, p99 ≤ 100 ms for document pages.

The clients ask for gzip, as browsers do, and speak HTTP/1.1 with keep-alive over asyncio
streams themselves: httpx spends about a
millisecond of CPU per request, and on two cores that would measure the clients, not the server.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from fagui.store import SQLiteStore  # noqa: E402

WORDS = ["网络", "網絡", "个人信息", "慈善组织", "应当", "不得", "国家安全", "未成年人", "学校",
         "罚款", "法律责任", "党员", "监督管理", "信息网络传播权"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def targets(db: Path, documents: int) -> dict[str, list[str]]:
    store = SQLiteStore(db, readonly=True)
    ids = sorted(r[0] for r in store.db.execute("SELECT id FROM documents"))
    store.close()
    if len(ids) > documents:
        ids = random.Random(0).sample(ids, documents)
    docs = [
        f"/docs/{i}" + query
        for i in ids
        for query in ("", "?script=traditional", "?kind=obligation", "?kind=prohibition")
    ]
    search = [f"/search?q={w}" for w in WORDS] + [f"/search?q={w}&kind=obligation" for w in WORDS]
    return {"document": docs, "search": search, "baseline": ["/no-such-page.json"]}


async def get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One GET on a kept-alive connection; the status, once the whole body is read."""
    request = f"GET {quote(path, safe='/?=&')} HTTP/1.1\r\nHost: bench\r\n"
    writer.write((request + "Accept-Encoding: gzip\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:  # chunked
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def client_loop(
    port: int, paths: dict[str, list[str]], connections: int, until: float, seed: int
) -> dict[str, tuple[list[float], int]]:
    rng = random.Random(seed)
    results: dict[str, tuple[list[float], int]] = {k: ([], 0) for k in paths}
    kinds = list(paths)

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
        while time.monotonic() < until:
            kind = rng.choice(kinds)
            path = rng.choice(paths[kind])
            start = time.perf_counter()
            try:
                status = await get(reader, writer, path)
                ok = status == (404 if kind == "baseline" else 200)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
            elapsed = time.perf_counter() - start
            latencies, errors = results[kind]
            if ok:
                latencies.append(elapsed)
            else:
                results[kind] = (latencies, errors + 1)
        writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return results


def run_clients(args: tuple[int, dict[str, list[str]], int, float, int]) -> dict:
    return asyncio.run(client_loop(*args))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="serve this store (default: the bundled examples)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--documents", type=int, default=200, help="documents to read")
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    console = Console(highlight=False, width=120)

    tmp = Path(tempfile.mkdtemp(prefix="fagui-bench-"))
    db = args.db
    if db is None:
        from serving import build_store

        db = build_store(tmp / "examples.db")
    paths = targets(db, args.documents)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fagui.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/docs.json", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        # warm up: every page once (the first render of a page is cached for the rest)
        cold: list[float] = []
        with httpx.Client(base_url=base, timeout=60) as http:
            warm_until = time.monotonic() + args.warmup
            for path in paths["document"]:
                start = time.perf_counter()
                http.get(path)
                cold.append(time.perf_counter() - start)
            for path in paths["search"]:
                http.get(path)
            while time.monotonic() < warm_until:
                http.get(paths["search"][0])

        share = [args.clients // args.processes] * args.processes
        share[0] += args.clients - sum(share)
        until = time.monotonic() + args.seconds
        jobs = [(port, paths, n, until, seed) for seed, n in enumerate(share)]
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            parts = pool.map(run_clients, jobs)
    finally:
        server.terminate()
        server.wait(10)

    merged: dict[str, tuple[list[float], int]] = {}
    for part in parts:
        for kind, (lat, err) in part.items():
            old_lat, old_err = merged.get(kind, ([], 0))
            merged[kind] = (old_lat + lat, old_err + err)
    base_p99 = percentile(merged["baseline"][0], 99)
    table = Table(
        title=f"fagui serve — {args.clients} clients, {args.seconds:.0f} s, "
        f"{len(paths['document']) // 4} documents"
    )
    for column in ("pages", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms",
                   "max ms", "p99 / baseline"):  # fmt: skip
        table.add_column(column, justify="right" if column != "pages" else "left")
    merged["document (cold)"] = (cold, 0)
    for kind in ("document", "document (cold)", "search", "baseline"):
        lat, err = merged[kind]
        p99 = percentile(lat, 99)
        table.add_row(
            kind, str(len(lat)), str(err),
            f"{len(lat) / args.seconds:.0f}" if kind != "document (cold)" else "-",
            f"{percentile(lat, 50) * 1000:.1f}", f"{percentile(lat, 90) * 1000:.1f}",
            f"{p99 * 1000:.1f}", f"{max(lat, default=0) * 1000:.1f}",
            f"{p99 / base_p99:.1f}×" if lat else "-",
        )  # fmt: skip
    console.print(table)
    total = sum(len(v[0]) for k, v in merged.items() if k != "document (cold)")
    console.print(f"all pages: {total / args.seconds:.0f} req/s; mean document latency "
                  f"{statistics.fmean(merged['document'][0]) * 1000:.1f} ms")  # fmt: skip
    doc_p99 = percentile(merged["document"][0], 99) * 1000
    errors = sum(v[1] for v in merged.values())
    verdict = "met" if doc_p99 <= 100 and errors == 0 else "NOT met"
    console.print(f"goal (no errors, document p99 ≤ 100 ms): {verdict} — p99 {doc_p99:.1f} ms, "
                  f"{errors} errors")  # fmt: skip


if __name__ == "__main__":
    main()
