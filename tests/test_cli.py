"""The command line, run in-process: outputs, exit statuses, one-line errors, docs kept honest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fagui.cli import app
from fagui.model import apply_changes

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_668aba0204edbbb9.txt"
OFFICIAL = ROOT.parent / "shared" / "seed" / "official.txt"

runner = CliRunner()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_recover_prints_the_official_text_of_the_seed() -> None:
    if not OFFICIAL.exists():
        pytest.skip("../shared/seed/official.txt absent")
    result = runner.invoke(app, ["recover", str(SEED)])
    assert result.exit_code == 0, result.output
    assert squeeze(result.stdout) == squeeze(OFFICIAL.read_text(encoding="utf-8"))


def test_report_is_json_whose_changes_rebuild_the_text() -> None:
    result = runner.invoke(app, ["recover", "--report", str(SEED)])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    source = SEED.read_text(encoding="utf-8")
    from fagui.model import Change

    changes = [Change.from_dict(c) for c in report["changes"]]
    assert apply_changes(source, changes) == report["text"]
    assert report["counts"]["noise"] > 0 and report["original_script"] == "traditional"


def test_stdin_and_traditional_output() -> None:
    result = runner.invoke(
        app, ["recover", "--script", "traditional", "-"], input="第一条　党员应当联系群众。\n"
    )
    assert result.exit_code == 0
    assert result.stdout == "第一條　黨員應當聯繫群眾。\n"


@pytest.fixture
def bad_sources(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    undecodable = tmp_path / "garbled.txt"
    undecodable.write_bytes(bytes([0x81, 0x30, 0xFF, 0xFE, 0x80, 0xFF]) * 200)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "binary": binary,
        "empty": empty,
        "undecodable": undecodable,
        "huge": huge,
        "folder": folder,
        "missing": tmp_path / "missing.txt",
    }


def test_bad_sources_each_get_one_line_and_the_good_ones_still_recover(
    bad_sources: dict[str, Path],
) -> None:
    args = ["recover", str(SEED), *map(str, bad_sources.values()), str(SEED)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(bad_sources)
    for line, path in zip(errors, bad_sources.values(), strict=True):
        assert line.startswith(f"fagui: {path}: "), line
    expected_reasons = ["binary", "empty", "cannot decode", "too large", "directory", "no such"]
    for line, reason in zip(errors, expected_reasons, strict=True):
        assert reason in line, line
    # Both copies of the seed were recovered, in order, around the failures.
    assert result.stdout.count("==> ") == 2
    assert result.stdout.count("第三十一条") == 2


def test_bad_usage_exits_2() -> None:
    assert runner.invoke(app, ["recover", "--script", "pinyin", str(SEED)]).exit_code == 2
    assert runner.invoke(app, ["recover"]).exit_code == 2


def _commands() -> list[str]:
    group = typer.main.get_group(app)
    return sorted(group.commands)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_group(app)
    for name in _commands():
        command = group.commands[name]
        assert command.help and command.help.strip(), f"{name} has no help text"
        assert f"### `fagui {name}" in readme, f"{name} is missing from the README's reference"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    assert "fagui recover examples/000_668aba0204edbbb9.txt" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci  # CI runs exactly the README's test command


def test_ingest_search_show(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["ingest", "--db", db, "--format", "json", str(SEED), str(bad)])
    assert result.exit_code == 1  # one source failed; the other went in
    counts = json.loads(result.stdout)
    assert (counts["added"], counts["failed"]) == (1, 1)
    assert "empty" in counts["failures"][0]["reason"]
    again = json.loads(
        runner.invoke(app, ["ingest", "--db", db, "--format", "json", str(SEED)]).stdout
    )
    assert (again["added"], again["unchanged"]) == (0, 1)
    found = json.loads(
        runner.invoke(app, ["search", "--db", db, "--format", "json", "網絡"]).stdout
    )
    assert found["total"] == 25 and len(found["hits"]) == 10  # 25 articles say 网络; top 10
    assert set(found["hits"][0]) == {"doc_id", "title", "article", "eid", "snippet", "score"}
    shown = runner.invoke(app, ["show", "--db", db, "中國共產黨黨員網絡行為規定 第十條"])
    assert shown.exit_code == 0 and "党员不得通过网络制作" in shown.stdout
    missing = runner.invoke(app, ["show", "--db", db, "网络行为规定第九十九条"])
    assert missing.exit_code == 1
