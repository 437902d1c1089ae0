"""The `fagui` command line. Every stage runs alone and can print its result as JSON.

Exit status: 0 on success, 1 when any source failed (the others are still processed and
reported), 2 for bad usage. Errors are one line on stderr naming the source and the reason.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from fagui.errors import FaguiError, OptionsError
from fagui.model import Recovered
from fagui.recover import RecoverOptions, recover
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
    failed = 0
    for name in sources:
        try:
            results.append(work(read_source(name)))
        except FaguiError as exc:
            _error(str(exc))
            failed += 1
    return results, failed


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

    def work(src: SourceText) -> Recovered:
        return recover(src.text, source=src.name, encoding=src.encoding, options=options)

    as_json = report or output_format is TextFormat.json
    results, failed = _each_source(sources, work)
    for result in results:
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


NORM_COLUMNS = ("article", "eid", "kind", "subject", "strength", "condition", "exception", "text")


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
    import csv

    from rich.table import Table

    from fagui.norms import KINDS, applies_to, extract_norms
    from fagui.parse import parse

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    sets, failed = _each_source(
        sources, lambda src: extract_norms(parse(src.text, source=src.name))
    )
    out = Console(highlight=False, soft_wrap=output_format is not NormsFormat.table)
    writer = csv.writer(sys.stdout) if output_format is NormsFormat.csv else None
    if writer:
        writer.writerow(["source", *NORM_COLUMNS, "why"])
    for norm_set in sets:
        rows = applies_to(norm_set, subject) if subject else [(norm, "") for norm in norm_set.norms]
        rows = [(n, why) for n, why in rows if kind is None or n.kind == kind]
        if output_format is NormsFormat.json:
            data = norm_set.to_dict()
            data["norms"] = [n.to_dict() | ({"why": why} if why else {}) for n, why in rows]
            _print_json(data)
        elif writer:
            for n, why in rows:
                writer.writerow(
                    [norm_set.source, *(getattr(n, c) or "" for c in NORM_COLUMNS), why]
                )
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
