"""The `fagui` command line. Every stage runs alone and can print its result as JSON.

Exit status: 0 on success, 1 when any source failed (the others are still processed and
reported), 2 for bad usage. Errors are one line on stderr naming the source and the reason.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from fagui.errors import FaguiError, OptionsError
from fagui.recover import RecoverOptions, recover_many
from fagui.sources import SourceText, read_source

app = typer.Typer(
    name="fagui",
    help="Chinese regulations as clean, structured, queryable data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

T = TypeVar("T")


class ScriptChoice(StrEnum):
    simplified = "simplified"
    traditional = "traditional"
    original = "original"


class TextFormat(StrEnum):
    text = "text"
    json = "json"


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", help="Print fagui's version and exit.", is_eager=True)
    ] = False,
) -> None:
    """fagui: Chinese regulations as clean, structured, queryable data."""
    if version:
        from fagui import __version__

        sys.stdout.write(f"fagui {__version__}\n")
        raise typer.Exit(0)


Sources = Annotated[
    list[str], typer.Argument(help="Files to read (.txt .md .html .docx), or - for stdin.")
]


def _error(message: str) -> None:
    _err.print(f"fagui: {message}", markup=False)


def _each_source(sources: Iterable[str], work: Callable[[SourceText], T]) -> tuple[list[T], int]:
    """Run `work` on every source; a failing source is reported and the rest still run."""
    results: list[T] = []
    failed: list[str] = []
    for src in _read_each(sources, failed):
        try:
            results.append(work(src))
        except FaguiError as exc:
            _error(str(exc))
            failed.append(src.name)
    return results, len(failed)


def _read_each(sources: Iterable[str], failed: list[str]) -> Iterator[SourceText]:
    """Read each source when it is asked for; one that cannot be read is reported and its name
    added to `failed`, and the rest are still read."""
    for name in sources:
        try:
            yield read_source(name)
        except FaguiError as exc:
            _error(str(exc))
            failed.append(name)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@app.command("recover")
def recover_command(
    sources: Sources,
    script: Annotated[
        ScriptChoice,
        typer.Option(
            help="Script of the output: simplified (canonical), "
            "traditional, or original (keep the copy's script)."
        ),
    ] = ScriptChoice.simplified,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Print JSON: every change (kind, offset, length, "
            "original, replacement, reason) and the recovered text.",
        ),
    ] = False,
    output_format: Annotated[
        TextFormat, typer.Option("--format", help="text (default) or json (same as --report).")
    ] = TextFormat.text,
) -> None:
    """Recover the official text of a regulation from any copy of it."""
    try:
        options = RecoverOptions(script=script.value)
    except OptionsError as exc:
        raise typer.BadParameter(str(exc)) from exc

    as_json = report or output_format is TextFormat.json
    # The sources are read as recover_many asks for them, a batch at a time, and each batch's
    # results printed before the next is read.
    failed: list[str] = []
    for result in recover_many(_read_each(sources, failed), options=options):
        if as_json:
            _print_json(result.to_dict())
        else:
            if len(sources) > 1:
                sys.stdout.write(f"==> {result.source} <==\n")
            sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")
    raise typer.Exit(1 if failed else 0)


class ParseFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"
    md = "md"
    akn = "akn"
    text = "text"


@app.command("parse")
def parse_command(
    sources: Sources,
    output_format: Annotated[
        ParseFormat,
        typer.Option(
            "--format",
            help="json (default; one document per line with several "
            "sources), jsonl, md (Markdown), akn (Akoma Ntoso 3.0 XML) or text.",
        ),
    ] = ParseFormat.json,
) -> None:
    """Parse regulations into their structure and metadata (recovering them first)."""
    from fagui import export
    from fagui.parse import parse

    documents, failed = _each_source(sources, lambda src: parse(src.text, source=src.name))
    fmt = output_format.value
    if fmt == "json" and len(sources) > 1:
        fmt = "jsonl"
    if fmt == "jsonl":
        sys.stdout.write(export.to_jsonl(documents))
    else:
        for document in documents:
            out = export.render(document, fmt)
            if isinstance(out, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(out if out.endswith(b"\n") else out + b"\n")
            else:
                sys.stdout.write(out if out.endswith("\n") else out + "\n")
    raise typer.Exit(1 if failed else 0)


class NormsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("norms")
def norms_command(
    sources: Sources,
    output_format: Annotated[
        NormsFormat, typer.Option("--format", help="table (default), json or csv.")
    ] = NormsFormat.table,
    subject: Annotated[
        str | None,
        typer.Option(
            help="Only the norms binding this subject, and those addressed to the "
            "subjects it is a kind of (党员干部 → 党员), each saying why."
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Only norms of this kind: obligation, prohibition, …")
    ] = None,
) -> None:
    """List the norms of regulations: who must, must not, may do what, under which condition."""
    from rich.table import Table

    from fagui.export import norm_rows, norms_csv
    from fagui.norms import KINDS, extract_norms
    from fagui.parse import parse

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    sets, failed = _each_source(
        sources, lambda src: extract_norms(parse(src.text, source=src.name))
    )
    out = Console(highlight=False, soft_wrap=output_format is not NormsFormat.table)
    header = True
    for norm_set in sets:
        rows = norm_rows(norm_set, subject=subject, kind=kind)
        if output_format is NormsFormat.json:
            data = norm_set.to_dict()
            data["norms"] = [n.to_dict() | ({"why": why} if why else {}) for n, why in rows]
            _print_json(data)
        elif output_format is NormsFormat.csv:
            names = itertools.repeat(norm_set.source)
            lines = norms_csv(rows, sources=names).splitlines(keepends=True)
            sys.stdout.write("".join(lines if header else lines[1:]))
            header = False
        else:
            table = Table(title=f"{norm_set.title} — {len(rows)} norms", show_lines=False)
            for column in ("条", "kind", "subject", "condition", "text"):
                table.add_column(column, overflow="fold")
            if subject:
                table.add_column("why", overflow="fold")
            for n, why in rows:
                cells = [n.article, n.kind, n.subject or "", n.condition or "", n.text]
                table.add_row(*cells, *([why] if subject else []))
            out.print(table)
    raise typer.Exit(1 if failed else 0)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="The SQLite store (default: $FAGUI_DB, else ~/.local/share/fagui/fagui.db)."
    ),
]
FormatOption = Annotated[TextFormat, typer.Option("--format", help="text (default) or json.")]

_INGESTIBLE = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".docx")


def _expand(sources: list[str]) -> list[str]:
    """Files as given; directories walked for regulation files; globs expanded."""
    import glob

    out: list[str] = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            out += sorted(
                str(p) for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in _INGESTIBLE and p.name != "法律法规模版.md"
            )  # fmt: skip
        elif source != "-" and not path.exists() and glob.has_magic(source):
            out += sorted(glob.glob(source, recursive=True))
        else:
            out.append(source)
    return out


@app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[str], typer.Argument(help="Files, directories (walked) and globs to ingest.")
    ],
    db: DbOption = None,
    output_format: FormatOption = TextFormat.text,
) -> None:
    """Ingest regulations into the store: one transaction each, a failed file is reported."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from fagui.sources import read_bytes
    from fagui.store import open_store

    store = open_store(db)
    files = _expand(sources)
    counts = {"added": 0, "unchanged": 0, "failed": 0}
    failures: list[dict[str, str]] = []
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=_err, disable=output_format is TextFormat.json,
        transient=False,
    ) as progress:  # fmt: skip
        task = progress.add_task("ingesting", total=len(files))
        for name in files:
            try:
                result = store.ingest_bytes(read_bytes(name), name)
                counts[result.status] += 1
            except FaguiError as exc:
                counts["failed"] += 1
                failures.append({"source": name, "reason": str(exc)})
                _error(str(exc))
            progress.advance(task)
    in_store = store.counts()
    if output_format is TextFormat.json:
        _print_json({**counts, "failures": failures, "store": in_store, "db": store.path})
    else:
        _err.print(
            f"{counts['added']} added, {counts['unchanged']} unchanged, {counts['failed']} failed"
            f" — {in_store['documents']} documents in {store.path}",
            markup=False,
        )
    raise typer.Exit(1 if counts["failed"] else 0)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to find, in either script (网络 or 網絡).")],
    db: DbOption = None,
    kind: Annotated[
        str | None, typer.Option(help="Only articles with a norm of this kind.")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="Only articles binding this subject.")] = None,
    doc_type: Annotated[
        str | None, typer.Option(help="Only this kind of document: 法, 条例…")
    ] = None,
    issuer: Annotated[str | None, typer.Option(help="Only documents from this issuer.")] = None,
    year: Annotated[int | None, typer.Option(help="Only versions of this year.")] = None,
    in_force: Annotated[
        bool | None, typer.Option("--in-force/--not-in-force", help="Only (not) in force.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many hits to show.")] = 10,
    output_format: FormatOption = TextFormat.text,
) -> None:
    """Search the articles of the store, best first, with snippets and citations."""
    from rich.table import Table

    from fagui.store import Filters, open_store

    store = open_store(db)
    filters = Filters(doc_type=doc_type, issuer=issuer, year=year, in_force=in_force, kind=kind,
                      subject=subject)  # fmt: skip
    result = store.search(query, limit=limit, filters=filters)
    if output_format is TextFormat.json:
        _print_json(result.to_dict())
        return
    table = Table(title=f"{query} — {result.total} articles")
    for column in ("citation", "snippet", "score"):
        table.add_column(column, overflow="fold")
    for hit in result.hits:
        table.add_row(f"{hit.title} {hit.article}", hit.snippet, f"{hit.score:.2f}")
    Console(highlight=False).print(table)


@app.command("show")
def show_command(
    ref: Annotated[
        str, typer.Argument(help="A citation: 网络安全法 第二十一条, 立法法第八十一条第二款.")
    ],
    db: DbOption = None,
    date: Annotated[
        str | None, typer.Option(help="The version in force on this date (YYYY-MM-DD).")
    ] = None,
    output_format: FormatOption = TextFormat.text,
) -> None:
    """Show the provision a citation names, from the current version unless --date is given."""
    from fagui.store import open_store

    provision = open_store(db).show(ref, date=date)
    if output_format is TextFormat.json:
        _print_json(provision.to_dict())
        return
    sys.stdout.write(
        f"{provision.title} {provision.citation} ({provision.status})\n"
        f"{provision.node.full_text()}\n"
    )


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
    allow_ingest: Annotated[
        bool, typer.Option("--allow-ingest", help="Let POST /ingest.json add to the store.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="FAGUI_TOKEN",
            help="The token ingest requests must send "
            "(Authorization: Bearer TOKEN); made up and printed when not given.",
        ),
    ] = None,
) -> None:
    """Serve the store: the web reader and the JSON API (OpenAPI at /openapi.json)."""
    import secrets

    from fagui.serve import ServeOptions, serve
    from fagui.store import default_db_path

    if allow_ingest and not token:
        token = secrets.token_urlsafe(24)
        _err.print(f"ingest token: {token}", markup=False)
    options = ServeOptions(db=Path(db) if db else default_db_path(), allow_ingest=allow_ingest,
                           token=token if allow_ingest else None)  # fmt: skip
    _err.print(f"fagui: serving {options.db} on http://{host}:{port}/", markup=False)
    serve(options, host=host, port=port)


def main() -> None:
    try:
        app()
    except FaguiError as exc:  # NotFound and the like: one line, exit status 1
        _error(str(exc))
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
