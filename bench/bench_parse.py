"""Stories per second per wire format on the shared corpus, and the parse worker's memory."""

from __future__ import annotations

import os
import resource
import statistics
import time
from pathlib import Path

from services.parse.formats.base import FeedContext
from services.parse.formats.registry import by_name, detect
from shared.errors import ParseError

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def _corpus() -> Path:
    return Path(os.environ.get("WIREDESK_SHARED_DIR", ROOT.parent / "shared")) / "corpus"


def run() -> str:
    corpus = _corpus()
    lines = ["## Parse: stories per second per format (one core)", ""]
    if not corpus.is_dir():
        return "\n".join([*lines, f"Corpus not found at {corpus}; set WIREDESK_SHARED_DIR. Not measured.", ""])
    samples: dict[str, list[bytes]] = {}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix not in {".md"}):
        data = path.read_bytes()
        try:
            parser = detect(data)
            parser.parse(data, FeedContext(agency="bench"))
        except ParseError:
            continue
        samples.setdefault(parser.name, []).append(data)
    ctx = FeedContext(agency="bench")
    lines += ["| format | files | stories per pass | stories/s (median of 5) |", "|---|---|---|---|"]
    for name in sorted(samples):
        parser = by_name(name)
        rates, count = [], 0
        for _ in range(ROUNDS):
            started = time.perf_counter()
            count = sum(len(parser.parse(data, ctx)) for data in samples[name])
            rates.append(count / (time.perf_counter() - started))
        lines.append(f"| {name} | {len(samples[name])} | {count} | {statistics.median(rates):,.0f} |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"Peak RSS of the benchmark process (all parsers loaded): {peak_mb:.0f} MB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
