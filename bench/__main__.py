"""`make bench`: every benchmark, written to BENCHMARKS.md with the command that reproduces it.

Runs on this machine's own throwaway broker. Figures are medians of repeated runs, because a 2-core
machine shared with other work is noisy; ratios compare runs made back to back in the same process.
"""

from __future__ import annotations

import importlib
import platform
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.workspace import own_broker

ROOT = Path(__file__).resolve().parent.parent
# Each section module has `run_on_broker(bootstrap, workdir) -> str` (it needs Kafka) or `run() -> str`.
SECTIONS = (
    "bench.bench_ingest",
    "bench.bench_parse",
    "bench.bench_dedup",
    "bench.bench_enrich",
    "bench.bench_merge",
    "bench.bench_publish",
)
REPEATS = 3
STORIES = 2000


def pipeline_section(bootstrap: str, workdir: Path) -> str:
    from bench.pipeline import PIPELINE_STAGES, run_passthrough, run_pipeline, run_stages_alone

    pipeline, passthrough = [], []
    for _ in range(REPEATS):
        passthrough.append(run_passthrough(bootstrap, STORIES))
        pipeline.append(run_pipeline(bootstrap, STORIES, workdir))
    alone = [run_stages_alone(bootstrap, STORIES, workdir) for _ in range(REPEATS)]
    p, c = statistics.median(pipeline), statistics.median(passthrough)
    runs = ", ".join(f"{x:.0f}" for x in pipeline)
    ceiling = ", ".join(f"{x:.0f}" for x in passthrough)
    return "\n".join(
        [
            "## Whole pipeline vs. plain pass-through",
            "",
            f"{STORIES} distinct ninjs stories produced to `wire.raw.v1`, clocked until the last is on "
            "`stories.published.v1` (parse → dedup → enrich → merge → publish, one process each, 1 partition). "
            "The ceiling is a plain aiokafka consumer→producer per hop, same hops, same broker, no processing.",
            "",
            "| run | stories/s (median) | runs |",
            "|---|---|---|",
            f"| wiredesk pipeline | {p:.0f} | {runs} |",
            f"| aiokafka pass-through (ceiling) | {c:.0f} | {ceiling} |",
            f"| ratio pipeline / ceiling | {p / c:.2f} | |",
            "",
            "Each stage alone, as a service on the broker, on a backlog of the same stories (the previous "
            "stage's output), one after another so each has both cores; rate from the first to the last output "
            "record's timestamp, so start-up is not counted. The whole pipeline shares two cores between five "
            "stages and the broker, so it runs at about the harmonic sum of these, not the slowest alone.",
            "",
            "| stage | stories/s (median) | runs |",
            "|---|---|---|",
            *(
                f"| {name} | {statistics.median(run[name] for run in alone):.0f} | "
                + ", ".join(f"{run[name]:.0f}" for run in alone)
                + " |"
                for name in PIPELINE_STAGES
            ),
            "",
        ]
    )


def main() -> None:
    modules = []
    for name in SECTIONS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError:
            print(f"skipping {name}: not written yet", file=sys.stderr)
    sections = []
    with tempfile.TemporaryDirectory(prefix="wiredesk-bench-") as tmp:
        workdir = Path(tmp)
        with own_broker(workdir) as info:
            sections.append(pipeline_section(info.bootstrap, workdir))
            for module in modules:
                if hasattr(module, "run_on_broker"):
                    print(f"running {module.__name__} …", file=sys.stderr)
                    sections.append(module.run_on_broker(info.bootstrap, workdir))
        broker_line = f"Kafka {info.version}, single node, started in {info.started_in_s} s"
    for module in modules:
        if not hasattr(module, "run_on_broker"):
            print(f"running {module.__name__} …", file=sys.stderr)
            sections.append(module.run())
    header = [
        "# Benchmarks",
        "",
        "Reproduce with `make bench` (it rewrites this file).",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}; {broker_line}.",
        "",
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(header + sections))
    print((ROOT / "BENCHMARKS.md").read_text())


if __name__ == "__main__":
    main()
