"""Stories per second per wire format on the shared corpus, and the parse worker's memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import orjson
from lxml import etree

from bench.workspace import peak_rss_mb
from services.parse.core import parse_bytes
from services.parse.formats.base import FeedContext
from services.parse.formats.registry import detect
from services.parse.formats.xmlfields import HTML_PARSER
from services.parse.text import decode_bytes, guess_legacy_encoding
from services.parse.xmlsafe import markup_head
from shared.errors import ParseError
from shared.models import Story

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "parse"
ROUNDS = 7
# A pass over a format's files takes milliseconds; each round repeats passes for at least this much CPU
# time. Time is the process's CPU time, not the wall clock: "per core" is what the figure claims, and on
# a shared machine the wall clock also counts the time other processes held the core.
MIN_ROUND_SECONDS = 0.2
# Issue 8's goals, stories per second per core. The wire text formats and plain-text web copy must reach
# 10,000; the markup formats (XML, and web pages, which are HTML read by the same kind of parser) 3,000;
# every format, the JSON ones included, at least 1,000.
TEXT_GOAL, MARKUP_GOAL, FLOOR = 10_000, 3_000, 1_000
GOALS = {
    "anpa1312": TEXT_GOAL,
    "iptc7901": TEXT_GOAL,
    "zczc": TEXT_GOAL,
    "reuters21578": TEXT_GOAL,
    "webcopy text": TEXT_GOAL,
    "webcopy html": MARKUP_GOAL,
    "nitf": MARKUP_GOAL,
    "newsml12": MARKUP_GOAL,
    "newsml_g2": MARKUP_GOAL,
    "rss_atom": MARKUP_GOAL,
}


def corpus_dir() -> Path:
    return Path(os.environ.get("WIREDESK_SHARED_DIR", ROOT.parent / "shared")) / "corpus"


def _samples(folder: Path) -> dict[str, list[bytes]]:
    """The files under `folder` each parser reads, by parser name (files no parser reads are left out)."""
    samples: dict[str, list[bytes]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in {".md"}):
        data = path.read_bytes()
        try:
            parser = detect(data)
            parser.parse(data, FeedContext(agency="bench"))
        except ParseError:
            continue
        samples.setdefault(_row(parser.name, data), []).append(data)
    return samples


def bench_samples(corpus: Path) -> tuple[dict[str, list[bytes]], set[str]]:
    """The files measured, by row (format, web copy split in two), and the rows read from the project's fixtures."""
    samples = _samples(corpus)
    # A format the corpus has no sample of (web copy) is measured on the project's own fixtures.
    from_fixtures = {name: files for name, files in _samples(FIXTURES).items() if name not in samples}
    return samples | from_fixtures, set(from_fixtures)


def _row(format_name: str, data: bytes) -> str:
    # Web copy is two inputs with two goals: a web page (HTML) and plain prose.
    if format_name != "webcopy":
        return format_name
    return "webcopy html" if markup_head(data) else "webcopy text"


def row_parse(row: str) -> Callable[[bytes, FeedContext], list[Story]]:
    """What the parse stage does with a message of a row's format ("webcopy html": webcopy): `parse_bytes`
    with the format named, so the repair of mis-decoded UTF-8 and the checks are measured too, not sniffing."""
    format_name = row.split()[0]
    return lambda data, ctx: parse_bytes(data, agency=ctx.agency, format_name=format_name, ctx=ctx)


_XML_ROWS = {"nitf", "newsml12", "newsml_g2", "rss_atom"}
_JSON_ROWS = {"ninjs", "ap_media"}
# Recovers from the one feed whose undeclared Latin-1 bytes its parser decodes before libxml2 sees them.
_XML_READER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)


def input_reader(row: str) -> Callable[[bytes], object]:
    """The step a row's parser takes that no parser of its format can skip: libxml2 building the tree,
    orjson loading the JSON, or decoding the text."""
    if row in _XML_ROWS:
        return lambda data: etree.fromstring(data, _XML_READER)
    if row in _JSON_ROWS:
        return lambda data: orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    if row == "webcopy html":
        return lambda data: etree.fromstring(data, HTML_PARSER)
    return lambda data: decode_bytes(data, guess_legacy_encoding(data))


def _passes_per_cpu_second(one_pass: Callable[[], int]) -> tuple[float, int]:
    """Runs of `one_pass` per CPU-second over at least MIN_ROUND_SECONDS, and what one pass returned."""
    started, runs = time.process_time(), 0
    while True:
        result = one_pass()
        runs += 1
        elapsed = time.process_time() - started
        if elapsed >= MIN_ROUND_SECONDS:
            return runs / elapsed, result


def _round(row: str, files: list[bytes], ctx: FeedContext) -> tuple[float, int, float]:
    """Stories per CPU-second, stories per pass, and the share of the time spent reading the input."""
    parse, read = row_parse(row), input_reader(row)
    passes, count = _passes_per_cpu_second(lambda: sum(len(parse(data, ctx)) for data in files))
    reads, _ = _passes_per_cpu_second(lambda: len([read(data) for data in files]))
    return passes * count, count, passes / reads


def _yardstick_us() -> float:
    """Microseconds this core takes for `sum(range(1000))`: a yardstick to scale the figures to another machine."""
    return min(timeit.repeat("sum(range(1000))", number=1000, repeat=3)) * 1000


def run() -> str:
    corpus = corpus_dir()
    lines = ["## Parse: stories per second per format (one core)", ""]
    if not corpus.is_dir():
        return "\n".join([*lines, f"Corpus not found at {corpus}; set WIREDESK_SHARED_DIR. Not measured.", ""])
    samples, from_fixtures = bench_samples(corpus)
    ctx = FeedContext(agency="bench")
    lines += [
        "| format | files | stories per pass | KB per story"
        f" | stories per CPU-second (median of {ROUNDS} rounds) | reading the input | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    # Rounds go over every format in turn, so a slow spell of this shared machine slows one round of
    # each format rather than every round of one; the yardstick is taken in each round too.
    rates: dict[str, list[float]] = {name: [] for name in samples}
    reading: dict[str, list[float]] = {name: [] for name in samples}
    counts: dict[str, int] = {}
    yardsticks = []
    for _ in range(ROUNDS):
        for name, files in samples.items():
            rate, counts[name], share = _round(name, files, ctx)
            rates[name].append(rate)
            reading[name].append(share)
        yardsticks.append(_yardstick_us())
    for name in sorted(samples):
        rate, goal, count = statistics.median(rates[name]), GOALS.get(name, FLOOR), counts[name]
        kb_per_story = sum(map(len, samples[name])) / count / 1024
        label = f"{name} (fixtures)" if name in from_fixtures else name
        verdict = "met" if rate >= goal else "not met"
        lines.append(
            f"| {label} | {len(samples[name])} | {count} | {kb_per_story:.1f} | {rate:,.0f}"
            f" | {statistics.median(reading[name]):.0%} | {goal:,} ({verdict}) |"
        )
    # In a fresh process: this one may hold other benchmarks' data.
    command = [sys.executable, "-m", "bench.bench_parse", "--worker-memory"]
    worker_mb = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    lines += [
        "",
        "Each file is parsed as the stage parses a message of a named format (`parse_bytes`: its checks and the"
        " repair of mis-decoded UTF-8 included; no sniffing).",
        "",
        "Reading the input: the share of a story's time spent in the step no parser of the format can skip"
        " (median over the rounds): libxml2 building the tree (NITF, NewsML, RSS/Atom), its HTML parser (web"
        " pages), orjson (ninjs, AP), or decoding the bytes (text formats). The rest is the parser's own work"
        " in Python: fields, body, story.",
        "",
        f"Memory of a parse worker (peak RSS, every parser loaded, the corpus parsed): {worker_mb} MB.",
        "",
        f"Yardstick: this core ran `sum(range(1000))` in {statistics.median(yardsticks):.1f} µs (median over the"
        f' rounds; {min(yardsticks):.1f}–{max(yardsticks):.1f}). Run `python -m timeit "sum(range(1000))"` on'
        " another machine to scale these figures to it.",
        "",
        *fields_filled(samples, ctx),
    ]
    return "\n".join(lines)


_STORY_FIELDS = list(Story.model_fields)
# The fields the wire formats issue names for the parse stage (enrichment fills those from `lineage` on),
# less the ones every story has: its format and the agency's id.
PARSED_FIELDS = tuple(
    name
    for name in _STORY_FIELDS[_STORY_FIELDS.index("agency_id") : _STORY_FIELDS.index("lineage")]
    if name not in {"agency_id", "format"}
)


def fields_filled(samples: dict[str, list[bytes]], ctx: FeedContext) -> list[str]:
    """A table of how many stories of each row fill each parsed field (differ from the field's default)."""
    stories = {row: [story for data in files for story in row_parse(row)(data, ctx)] for row, files in samples.items()}
    rows = sorted(stories)
    defaults = {name: info.get_default(call_default_factory=True) for name, info in Story.model_fields.items()}
    counts = {
        # The agency is always set: what varies is whether the copy names it or the feed's is taken.
        "agency named by the copy": [sum(story.agency != ctx.agency for story in stories[row]) for row in rows],
        **{
            name: [sum(getattr(story, name) not in (defaults[name], "") for story in stories[row]) for row in rows]
            for name in PARSED_FIELDS
        },
    }
    lines = [
        "## Parse: the fields each format fills",
        "",
        "Stories of the files measured above (web copy: the fixtures) whose field differs from its default"
        " (`version` above 1, `pubstatus` other than usable, lists not empty).",
        "",
        "| field | " + " | ".join(f"{row} ({len(stories[row])})" for row in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    lines += [f"| {name} | " + " | ".join(map(str, row_counts)) + " |" for name, row_counts in counts.items()]
    return [*lines, ""]


def worker_memory() -> float:
    """Peak RSS (MB) of this process after parsing the whole corpus once with every parser."""
    for files in _samples(corpus_dir()).values():
        for data in files:
            parse_bytes(data, agency="bench")
    return peak_rss_mb()


if __name__ == "__main__":
    print(f"{worker_memory():.0f}" if sys.argv[1:] == ["--worker-memory"] else run())
