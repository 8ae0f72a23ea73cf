"""Instructions per story per wire format, counted by callgrind: the parse figure that load does not move.

Stories per CPU-second swing by a third between runs on a shared machine, which hides a 10% change;
the number of instructions a parser executes does not swing. The worker process parses every format's
files in turn under `valgrind --tool=callgrind`, calling `os.getppid()` between formats: callgrind dumps
its counters at each call (`--dump-before=getppid`), so dump k+1 holds exactly format k's passes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_parse import ROOT, bench_samples, corpus_dir, row_parse
from services.parse.formats.base import FeedContext

PASSES = 2
_TOTAL = re.compile(rb"^(?:summary|totals): (\d+)", re.M)


def run() -> str:
    lines = ["## Parse: instructions per story per format (callgrind)", ""]
    if shutil.which("valgrind") is None:
        return "\n".join([*lines, "valgrind not found (Debian package `valgrind`). Not measured.", ""])
    if not corpus_dir().is_dir():
        return "\n".join([*lines, f"Corpus not found at {corpus_dir()}; set WIREDESK_SHARED_DIR. Not measured.", ""])
    with tempfile.TemporaryDirectory(prefix="wiredesk-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            "--dump-before=getppid",
            sys.executable,
            "-m",
            "bench.bench_parse_instructions",
            "--worker",
        ]
        worker = subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        stories: dict[str, int] = json.loads(worker.stdout)
        # Dump 1 is start-up and warm-up; dump k+1 is the k-th format in the worker's order.
        counts = [_instructions(Path(f"{out}.{k + 2}")) for k in range(len(stories))]
    lines += [
        f"Every format's files parsed {PASSES} times in one process under `valgrind --tool=callgrind`, after a"
        " warm-up pass; instructions of those passes divided by the stories they produced. The core that"
        " measured the table above ran 3–5 instructions a nanosecond, depending on the minute: the 10,000"
        " stories/s goal (100 µs a story) means roughly 300–500k instructions, the 3,000 goal 1.0–1.6M.",
        "",
        "| format | stories | thousand instructions per story |",
        "|---|---|---|",
    ]
    rows = sorted(zip(stories.items(), counts, strict=True))
    lines += [f"| {name} | {count} | {total / count / 1000:,.0f} |" for (name, count), total in rows]
    return "\n".join([*lines, ""])


def _instructions(dump: Path) -> int:
    match = _TOTAL.search(dump.read_bytes())
    if match is None:
        raise RuntimeError(f"{dump}: no instruction total in callgrind's dump")
    return int(match[1])


def worker() -> None:
    """Parse each format's files PASSES times between two getppid() calls; print stories per format."""
    # Finding the samples parses every file once: that is the warm-up (imports, caches, compiled patterns).
    samples, _ = bench_samples(corpus_dir())
    ctx = FeedContext(agency="bench")
    stories: dict[str, int] = {}
    for name, files in samples.items():
        parse = row_parse(name)
        os.getppid()
        stories[name] = sum(len(parse(data, ctx)) for _ in range(PASSES) for data in files)
    os.getppid()
    print(json.dumps(stories))


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        print(run())
