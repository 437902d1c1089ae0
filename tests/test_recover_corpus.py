"""Acceptance evaluation of `recover` over the whole corpus. `pytest -m corpus -s` prints the
report; it is also written to test-artifacts/recover_eval.txt.

1. Clean pass-through: every law's plain text comes back exactly.
2. Polluted recovery: every law gets an all-kinds copy and a single-kind copy, each in one of
   the 24 configurations (script × punctuation width × plain/HTML × UTF-8/GB18030/UTF-16),
   rotating; a few small laws get the full matrix. Copies are encoded to bytes and read back
   with `fagui.sources.load`, as a user's files would be. Accuracy is 1 − Levenshtein/len on
   both texts with all whitespace removed (the acceptance ignores line and space layout), and
   no article label (第…条 at a line start) may be lost.
3. Traditional output: `script="traditional"` gives OpenCC s2tw (Taiwan standard forms, as
   the seed's copy uses: 為, 群眾) of the official text.

Set FAGUI_EVAL_WORKERS=1 to run in one process (for a debugger).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import opencc
import pytest
from corpus import TEMPLATE, corpus_files, plain_text, relative, requires_corpus
from rapidfuzz.distance import Levenshtein

from fagui.pollute import ALL_KINDS, pollute
from fagui.recover import recover
from fagui.sources import load

pytestmark = [pytest.mark.corpus, requires_corpus]

REPORT = Path(__file__).resolve().parents[1] / "test-artifacts" / "recover_eval.txt"

MEAN_FLOOR = 0.9995  # all polluted copies together
PART_FLOOR = 0.999  # the copies of each pollution kind, of each configuration value
TRADITIONAL_FLOOR = 0.999

Config = tuple[str, str, bool, str]  # script, punctuation width, HTML page?, encoding
VARIANTS = ("all", *ALL_KINDS)
AXES = {
    "script": ("simplified", "traditional"),
    "punct": ("full", "half"),
    "page": ("text", "html"),
    "encoding": ("utf-8", "gb18030", "utf-16"),
}
CONFIGS: list[Config] = [
    (script, punct, page == "html", encoding)
    for script, punct, page, encoding in itertools.product(*AXES.values())
]
MATRIX_FILES = 3  # small laws polluted in every variant × configuration
TRADITIONAL_FILES = 6

ARTICLE = re.compile(r"^第[零〇一二三四五六七八九十百千]+条")
SPACE = re.compile(r"\s+")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
HALF_WIDTH = str.maketrans("，；：（）？！", ",;:()?!")
# Half-width punctuation next to a Han character: 331 of the corpus's copies have some, where the
# official texts have full-width forms. Once a copy is made all half-width, nothing tells those
# apart from the rest, so punctuation width is scored exactly only on the other laws.
HALF_IN_CHINESE = re.compile(r"(?<=[\u4e00-\u9fff])[,;:?!()]|[,;:?!()](?=[\u4e00-\u9fff])")


# --- measures --------------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return SPACE.sub("", text)


def edit_distance(got: str, clean: str) -> tuple[int, int]:
    """Levenshtein(got, clean) and len(clean), whitespace removed from both."""
    got, clean = squeeze(got), squeeze(clean)
    return Levenshtein.distance(got, clean), len(clean)


def accuracy(got: str, clean: str) -> float:
    """1 − Levenshtein(got, clean)/len(clean), whitespace removed from both."""
    distance, length = edit_distance(got, clean)
    return max(0.0, 1 - distance / max(1, length))


def articles(text: str, *, squeezed: bool) -> Counter[str]:
    found = (ARTICLE.match(squeeze(line) if squeezed else line) for line in text.split("\n"))
    return Counter(m.group() for m in found if m)


def lost_articles(got: str, clean: str) -> list[str]:
    """Article labels starting lines of `clean` that start fewer lines of `got`."""
    return sorted((articles(clean, squeezed=False) - articles(got, squeezed=True)).elements())


def clip(text: str, keep: int = 30) -> str:
    return text if len(text) <= keep else f"{text[:keep]}…({len(text)} chars)"


def excerpt(got: str, clean: str, edits: int = 3, context: int = 8) -> str:
    """The first few differences, as `…context[official→recovered]context…`."""
    got, clean = squeeze(got), squeeze(clean)
    if abs(len(got) - len(clean)) > 5000:
        return f"lengths differ wildly: {len(got)} recovered vs {len(clean)} official"
    parts = []
    for op in Levenshtein.opcodes(clean, got):
        if op.tag != "equal":
            before = clean[max(0, op.src_start - context) : op.src_start]
            after = clean[op.src_end : op.src_end + context]
            official, recovered = clean[op.src_start : op.src_end], got[op.dest_start : op.dest_end]
            parts.append(f"…{before}[{clip(official)}→{clip(recovered)}]{after}…")
        if len(parts) == edits:
            break
    return "  ".join(parts)


def first_difference(got: str, clean: str, context: int = 20) -> str:
    pairs = zip(got, clean, strict=False)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(got), len(clean)))
    around = slice(max(0, at - context), at + context)
    return f"at {at}: official {clean[around]!r} / got {got[around]!r}"


def passes_through(got: str, clean: str) -> bool:
    """Unchanged, except for the zero-width characters a copy itself carries: they are noise by
    definition (five LawRefBook files have lines of U+200B), and once recover has found noise
    it also drops that copy's trailing spaces."""
    if got == clean:
        return True
    if not ZERO_WIDTH.search(clean):
        return False
    return got == "\n".join(line.rstrip() for line in ZERO_WIDTH.sub("", clean).split("\n"))


def clean_failure(got: str, clean: str) -> str:
    """Why a clean text did not come back unchanged, and where."""
    rstripped = ["\n".join(line.rstrip() for line in t.split("\n")) for t in (got, clean)]
    if rstripped[0] == rstripped[1]:
        why = "trailing whitespace"
    elif rstripped[0] == ZERO_WIDTH.sub("", rstripped[1]):
        why = "zero-width characters"
    else:
        why = "other"
    return f"{why}: {first_difference(got, clean)}"


# --- one law's evaluation (runs in a worker process) ----------------------------------------


@dataclass
class Copy:
    file: str
    variant: str
    config: Config
    accuracy: float
    distance: int = 0
    length: int = 0
    punct_blind: float = 0.0  # accuracy when punctuation width is ignored
    official_style: bool = False  # the clean text writes all its Chinese punctuation full-width
    lost: list[str] = field(default_factory=list)
    excerpt: str = ""
    error: str = ""
    again: str = ""  # where recovering the result changed it again (recover is idempotent)

    def label(self) -> str:
        return f"{self.file} [{self.variant}; {config_name(self.config)}]"


@dataclass
class FileResult:
    file: str
    clean_failure: str | None  # empty when the clean text came back unchanged; None: not tried
    copies: list[Copy]
    seconds: float


def config_name(config: Config) -> str:
    script, punct, html, encoding = config
    return f"{script} {punct} {'html' if html else 'text'} {encoding}"


def polluted_copy(clean: str, file: str, variant: str, config: Config) -> Copy:
    script, punct, html, encoding = config
    rng = random.Random(f"{file}|{variant}|{config_name(config)}")
    kinds = ALL_KINDS if variant == "all" else (variant,)
    options = {"script": script, "punct": punct, "html": html, "charset": encoding}
    try:
        page = pollute(clean, rng, kinds=kinds, **options)
        name = Path(file).stem + (".html" if html else ".txt")
        got = recover(load(page.encode(encoding), name).text).text
        twice = recover(got).text
    except Exception as exc:  # one broken copy must not hide the others' figures
        return Copy(file, variant, config, 0.0, error=f"{type(exc).__name__}: {exc}")
    clean = ZERO_WIDTH.sub("", clean)  # the corpus's own U+200B are noise: see passes_through
    distance, length = edit_distance(got, clean)
    return Copy(
        file,
        variant,
        config,
        accuracy=max(0.0, 1 - distance / max(1, length)),
        distance=distance,
        length=length,
        punct_blind=accuracy(got.translate(HALF_WIDTH), clean.translate(HALF_WIDTH)),
        official_style=not HALF_IN_CHINESE.search(clean),
        lost=lost_articles(got, clean),
        excerpt=excerpt(got, clean) if distance else "",
        again="" if twice == got else first_difference(twice, got),
    )


def evaluate_file(job: tuple[int, str, str | None]) -> FileResult:
    """Without a variant: the clean check and the law's two rotating copies; with one: that
    variant in every configuration (the matrix)."""
    index, path, variant = job
    start = time.perf_counter()
    file = relative(Path(path))
    clean = plain_text(Path(path).read_text(encoding="utf-8"))
    if variant is not None:
        copies = [polluted_copy(clean, file, variant, config) for config in CONFIGS]
        return FileResult(file, None, copies, time.perf_counter() - start)
    try:
        back = recover(clean).text
    except Exception as exc:
        back = f"{type(exc).__name__}: {exc}"
    plan = [  # rotations that cover every (kind, configuration) pair across the corpus
        ("all", CONFIGS[index % len(CONFIGS)]),
        (ALL_KINDS[index % len(ALL_KINDS)], CONFIGS[(5 * index + 11) % len(CONFIGS)]),
    ]
    copies = [polluted_copy(clean, file, variant, config) for variant, config in plan]
    failure = "" if passes_through(back, clean) else clean_failure(back, clean)
    return FileResult(file, failure, copies, time.perf_counter() - start)


def matrix_files(files: list[Path]) -> set[Path]:
    """A few small laws with chapters, spread over the corpus."""
    small = [p for p in files if 2000 < p.stat().st_size < 6000]
    small = [p for p in small if "## 第一章" in p.read_text(encoding="utf-8")]
    return set(small[:: max(1, len(small) // MATRIX_FILES)][:MATRIX_FILES])


# --- the whole run ---------------------------------------------------------------------------


@dataclass(repr=False)
class Evaluation:
    files: list[FileResult]
    seconds: float

    def __repr__(self) -> str:
        return f"<Evaluation of {len(self.laws)} laws, {len(self.copies)} copies>"

    @property
    def laws(self) -> list[FileResult]:
        """One result per law: the one with its clean check."""
        return [f for f in self.files if f.clean_failure is not None]

    @property
    def copies(self) -> list[Copy]:
        return [c for f in self.files for c in f.copies]

    def group(self, key: Callable[[Copy], str]) -> dict[str, list[Copy]]:
        groups: dict[str, list[Copy]] = defaultdict(list)
        for copy in self.copies:
            groups[key(copy)].append(copy)
        return dict(groups)

    def by_axis_value(self) -> dict[str, list[Copy]]:
        """Copies by each configuration value: script=…, punct=…, page=…, encoding=…"""
        groups: dict[str, list[Copy]] = defaultdict(list)
        for copy in self.copies:
            for axis, value in zip(AXES, config_name(copy.config).split(), strict=True):
                groups[f"{axis}={value}"].append(copy)
        return dict(groups)


def mean(copies: Iterable[Copy]) -> float:
    return statistics.fmean(c.accuracy for c in copies)


def overall(copies: list[Copy]) -> float:
    """Character-weighted accuracy: 1 − all edits / all characters."""
    return 1 - sum(c.distance for c in copies) / max(1, sum(c.length for c in copies))


def table(title: str, groups: dict[str, list[Copy]]) -> list[str]:
    columns = ("copies", "mean", "min", "weighted", "no-width", "official", "lost")
    head = f"  {'':34} {columns[0]:>6}" + "".join(f" {c:>9}" for c in columns[1:-1]) + " lost"
    lines = [title, head]
    for name, copies in sorted(groups.items()):
        low, lost = min(c.accuracy for c in copies), sum(len(c.lost) for c in copies)
        blind = blind_mean(copies)
        official = [c for c in copies if c.official_style]
        exact = mean(official) if official else float("nan")
        figures = (
            f"{mean(copies):>9.6f} {low:>9.6f} {overall(copies):>9.6f} {blind:>9.6f} "
            f"{exact:>9.6f} {lost:>4}"
        )
        lines.append(f"  {name:34} {len(copies):>6} {figures}")
    return lines


def worst(copies: Iterable[Copy], n: int = 10) -> list[str]:
    lines = []
    for c in sorted(copies, key=lambda c: c.accuracy)[:n]:
        lost = f"  lost: {' '.join(c.lost[:8])}" if c.lost else ""
        lines += [f"  {c.accuracy:.6f} {c.label()}", f"      {c.error or c.excerpt}{lost}"]
    return lines


def report(ev: Evaluation) -> str:
    copies = ev.copies
    failed = [f for f in ev.laws if f.clean_failure]
    reasons = Counter(f.clean_failure.split(":")[0] for f in failed)
    slow = sorted(ev.laws, key=lambda f: -f.seconds)[:5]
    return "\n".join(
        [
            f"recover corpus evaluation: {len(ev.laws)} laws, {len(copies)} polluted copies, "
            f"{ev.seconds:.1f} s",
            f"clean: {len(ev.laws) - len(failed)}/{len(ev.laws)} unchanged "
            f"({', '.join(f'{n} {why}' for why, n in reasons.most_common()) or 'no failures'})",
            f"polluted: mean accuracy {blind_mean(copies):.6f} ignoring punctuation width, "
            f"{mean([c for c in copies if c.official_style]):.6f} exact on laws in official "
            f"style (floor {MEAN_FLOOR} for both); {mean(copies):.6f} exact on all, "
            f"character-weighted {overall(copies):.6f}, "
            f"min {min(c.accuracy for c in copies):.6f}, "
            f"{sum(not c.distance for c in copies)}/{len(copies)} exact, "
            f"{sum(len(c.lost) for c in copies)} articles lost, "
            f"{sum(bool(c.error) for c in copies)} errors, "
            f"{sum(not c.again for c in copies)}/{len(copies)} idempotent",
            "columns: mean and min accuracy of the copies; weighted = 1 - edits/characters over "
            "all of them; no-width = mean accuracy counting ，；：（）？！ equal to , ; : ( ) ? ! "
            "(the corpus itself has half-width ones); official = exact mean accuracy on the copies "
            "of laws whose own punctuation is all full-width; lost = article labels lost",
            "",
            *table("by pollution kind", ev.group(lambda c: c.variant)),
            "",
            *table("by configuration value", ev.by_axis_value()),
            "",
            *table("by configuration", ev.group(lambda c: config_name(c.config))),
            "",
            "10 worst copies:",
            *worst(copies),
            "",
            f"clean pass-through failures ({len(failed)}):",
            *(f"  {f.file}: {f.clean_failure}" for f in failed),
            "",
            "slowest laws: " + ", ".join(f"{f.file} {f.seconds:.1f}s" for f in slow),
            "",
        ]
    )


def run(files: list[Path]) -> Evaluation:
    start = time.perf_counter()
    matrix = matrix_files(files)
    jobs: list[tuple[int, str, str | None]] = [(i, str(p), None) for i, p in enumerate(files)]
    jobs += [(i, str(p), v) for i, p in enumerate(files) if p in matrix for v in VARIANTS]
    jobs.sort(key=lambda job: -Path(job[1]).stat().st_size * (1 if job[2] is None else 24))
    workers = int(os.environ.get("FAGUI_EVAL_WORKERS", os.cpu_count() or 1))
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            results = list(pool.map(evaluate_file, jobs))
    else:
        results = [evaluate_file(job) for job in jobs]
    return Evaluation(sorted(results, key=lambda r: r.file), time.perf_counter() - start)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    ev = run(corpus_files())
    text = report(ev)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print("\n" + text)
    return ev


def check(ok: bool, message: str) -> None:
    """Fail with `message` alone: the evaluation is too big for pytest's introspection."""
    if not ok:
        pytest.fail(message, pytrace=False)


# --- the assertions --------------------------------------------------------------------------


def test_plain_text_drops_only_the_markdown() -> None:
    md = "# 标题\n\n2020年1月1日 施行\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 正文 (一)\n"
    assert plain_text(md) == "标题\n\n2020年1月1日 施行\n\n\n第一章 总则\n\n第一条 正文 (一)\n"
    assert TEMPLATE not in [p.name for p in corpus_files()] and len(corpus_files()) > 800


def test_clean_text_passes_through_unchanged(evaluation: Evaluation) -> None:
    failed = [f for f in evaluation.laws if f.clean_failure]
    total = len(evaluation.laws)
    listing = "\n".join(f"  {f.file}: {f.clean_failure}" for f in failed[:30])
    check(not failed, f"clean: {total - len(failed)}/{total} unchanged\n{listing}")


def test_every_copy_loads_and_recovers_without_error(evaluation: Evaluation) -> None:
    errors = [c for c in evaluation.copies if c.error]
    check(not errors, f"{len(errors)} copies raised:\n" + "\n".join(worst(errors)))


def blind_mean(copies: Iterable[Copy]) -> float:
    return statistics.fmean(c.punct_blind for c in copies)


def assert_recovered(copies: list[Copy], floor: float, what: str, shown: int = 10) -> None:
    """Characters: punctuation width ignored, over all copies. Punctuation width too: over the
    copies of laws whose own punctuation is full-width, where the official form is certain."""
    official = [c for c in copies if c.official_style]
    blind, exact = blind_mean(copies), mean(official) if official else 1.0
    message = (
        f"{what}: mean accuracy {blind:.6f} ignoring punctuation width ({len(copies)} copies), "
        f"{exact:.6f} exact on laws in official style ({len(official)} copies); floor {floor}; "
        "worst:\n" + "\n".join(worst(copies, shown))
    )
    check(blind >= floor and exact >= floor, message)


def test_polluted_copies_recover_to_the_official_text(evaluation: Evaluation) -> None:
    assert_recovered(evaluation.copies, MEAN_FLOOR, "all copies")


def test_recovering_a_recovered_copy_changes_nothing(evaluation: Evaluation) -> None:
    again = [f"{c.label()}: {c.again}" for c in evaluation.copies if c.again]
    check(not again, f"{len(again)} recovered copies change when recovered again: {again[:5]}")


def test_no_article_is_lost(evaluation: Evaluation) -> None:
    lost = [c for c in evaluation.copies if c.lost]
    listing = "\n".join(f"  {c.label()}: {' '.join(c.lost[:10])}" for c in lost[:20])
    count = sum(len(c.lost) for c in lost)
    check(not lost, f"{count} article labels lost in {len(lost)} copies:\n{listing}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_pollution_kind_recovers(evaluation: Evaluation, variant: str) -> None:
    assert_recovered(evaluation.group(lambda c: c.variant)[variant], PART_FLOOR, variant, 5)


@pytest.mark.parametrize("value", [f"{axis}={v}" for axis, values in AXES.items() for v in values])
def test_each_configuration_recovers(evaluation: Evaluation, value: str) -> None:
    assert_recovered(evaluation.by_axis_value()[value], PART_FLOOR, value, 5)


def test_traditional_output_is_opencc_of_the_official_text() -> None:
    files = corpus_files()
    s2t = opencc.OpenCC("s2tw")
    failures = []
    for i, path in enumerate(files[:: max(1, len(files) // TRADITIONAL_FILES)][:TRADITIONAL_FILES]):
        clean = plain_text(path.read_text(encoding="utf-8"))
        punct, html = ("full", "half")[i % 2], i % 3 == 0
        rng = random.Random(relative(path))
        page = pollute(clean, rng, script="traditional", punct=punct, html=html)
        text = load(page.encode("utf-8"), path.stem + (".html" if html else ".txt")).text
        got, expected = recover(text, script="traditional").text, s2t.convert(clean)
        # punctuation width as in the polluted copies' scoring: the corpus has half-width ones
        got, expected = got.translate(HALF_WIDTH), expected.translate(HALF_WIDTH)
        if accuracy(got, expected) < TRADITIONAL_FLOOR:
            failures.append(f"  {accuracy(got, expected):.6f} {relative(path)}: ")
            failures[-1] += excerpt(got, expected)
    check(
        not failures, "traditional output is not s2tw of the official text:\n" + "\n".join(failures)
    )
