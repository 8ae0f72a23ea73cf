"""`make bench`: every benchmark, written to BENCHMARKS.md with the command that reproduces it.

`python -m bench NAME...` measures only the named sections and keeps the others as they were; each
section says when it was measured. Runs on this machine's own throwaway broker. Figures are medians of
repeated runs, because a 2-core machine shared with other work is noisy; ratios compare runs made back
to back in the same process.
"""

from __future__ import annotations

import importlib
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.workspace import own_broker

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
# Each module has `run_on_broker(bootstrap, workdir) -> str` (it needs Kafka) or `run() -> str`.
SECTIONS = {
    "pipeline": "bench.pipeline",
    "ingest": "bench.bench_ingest",
    "parse": "bench.bench_parse",
    "parse-instructions": "bench.bench_parse_instructions",
    "dedup": "bench.bench_dedup",
    "enrich": "bench.bench_enrich",
    "merge": "bench.bench_merge",
    "publish": "bench.bench_publish",
}
HEADER = [
    "# Benchmarks",
    "",
    "Reproduce with `make bench` (it rewrites this file), or one section with `.venv/bin/python -m bench NAME`"
    f" ({', '.join(SECTIONS)}).",
    "",
]


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    modules = {name: importlib.import_module(module) for name, module in SECTIONS.items() if not names or name in names}
    measured: dict[str, str] = {}
    on_broker = {name: module for name, module in modules.items() if hasattr(module, "run_on_broker")}
    if on_broker:
        with tempfile.TemporaryDirectory(prefix="wiredesk-bench-") as tmp, own_broker(Path(tmp)) as info:
            for name, module in on_broker.items():
                print(f"running {name} …", file=sys.stderr)
                text = module.run_on_broker(info.bootstrap, Path(tmp))
                measured[name] = _stamped(name, text, f"Kafka {info.version}, single node")
    for name, module in modules.items():
        if not hasattr(module, "run_on_broker"):
            print(f"running {name} …", file=sys.stderr)
            measured[name] = _stamped(name, module.run(), None)
    kept = _sections(BENCHMARKS.read_text()) if names and BENCHMARKS.exists() else {}
    body = [measured.get(name) or kept.get(name) for name in SECTIONS]
    BENCHMARKS.write_text("\n".join(HEADER + [text for text in body if text]))
    print(BENCHMARKS.read_text())


def _stamped(name: str, text: str, broker: str | None) -> str:
    # Each section says when and on what it was measured, since `python -m bench NAME` redoes one alone.
    on = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    stamp = f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {on}{'; ' + broker if broker else ''}._"
    title, *rest = text.strip("\n").split("\n")
    return "\n".join([f"<!-- {name} -->", title, "", stamp, *rest, f"<!-- /{name} -->", ""])


def _sections(document: str) -> dict[str, str]:
    """The sections of an existing BENCHMARKS.md, by name, as `main` wrote them."""
    found = {}
    for name in SECTIONS:
        begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->\n"
        if begin in document and end in document:
            found[name] = begin + document.split(begin, 1)[1].split(end, 1)[0] + end
    return found


if __name__ == "__main__":
    main(sys.argv[1:])
