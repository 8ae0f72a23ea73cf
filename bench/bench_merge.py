"""Merge core benchmark: B-cubed quality on the hand-written eval set, and assign() speed by window size.

`python -m bench.bench_merge` prints a markdown section. Quality: tests/fixtures/merge/eval_stories.json
(multi-agency events in five languages with English translations, plus hard negatives), stories fed in
file order. Speed: synthetic stories (Zipf-distributed words, people, countries, 1-4 agencies per event)
fill the window with 1k, 10k and 100k stories, then 2,000 more are timed one by one.
"""

from __future__ import annotations

import gc
import itertools
import json
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings
from shared.models import Dateline, Entity, Place, Story, Translation

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "fixtures" / "merge" / "eval_stories.json"
START = datetime(2026, 11, 28, tzinfo=UTC)
WINDOWS = (1_000, 10_000, 100_000)
PROBES = 2_000


def labelled_story(case: dict[str, Any]) -> Story:
    """One eval-set record as an enriched Story."""
    agency, agency_id = case["id"].split(":", 1)
    translations = {}
    if "en_headline" in case:
        translations["en"] = Translation(headline=case["en_headline"], lede=case["en_lede"], engine="human")
    at = datetime.fromisoformat(case["at"])
    return Story(
        id=case["id"],
        agency=agency,
        agency_id=agency_id,
        format="eval",
        headline=case["headline"],
        dateline=Dateline(text=case["dateline"]) if case.get("dateline") else None,
        language=case["lang"],
        language_detected=case["lang"],
        first_created=at,
        version_created=at,
        body_text="\n\n".join(filter(None, [case["lede"], case.get("body")])),
        people=[Entity(name=name, source="eval") for name in case["people"]],
        organisations=[Entity(name=name, source="eval") for name in case["orgs"]],
        places=[Place(name=code, country=code) for code in case["countries"]],
        translations=translations,
    )


def load_labelled(path: Path = EVAL_SET) -> list[tuple[str, Story]]:
    """(gold event label, story) pairs of an eval file, in file order."""
    return [(case["event"], labelled_story(case)) for case in json.loads(path.read_text("utf-8"))["stories"]]


def b_cubed(gold: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (item -> cluster) against gold (item -> label)."""
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_predicted: dict[str, set[str]] = defaultdict(set)
    for item in gold:
        by_gold[gold[item]].add(item)
        by_predicted[predicted[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        same = by_gold[gold[item]] & by_predicted[predicted[item]]
        precision += len(same) / len(by_predicted[predicted[item]])
        recall += len(same) / len(by_gold[gold[item]])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def cluster_labelled(settings: MergeSettings, labelled: list[tuple[str, Story]]) -> dict[str, str]:
    """Story id -> event id after feeding the stories in order, each at its own time."""
    index = EventIndex(settings, events={}, postings={}, story_events={})
    predicted = {}
    for _, story in labelled:
        assignment = index.assign(story, story.version_created or START)
        predicted[story.id] = assignment.story.event_id or story.id
    return predicted


def quality(settings: MergeSettings) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 on the eval set."""
    labelled = load_labelled()
    return b_cubed({story.id: label for label, story in labelled}, cluster_labelled(settings, labelled))


class Synthetic:
    """Stories of invented events: each event has its own topic words, people and country."""

    def __init__(self, seed: int = 7, vocabulary: int = 30_000) -> None:
        self.rng = random.Random(seed)
        self.words = [self._word(n) for n in range(vocabulary)]
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(vocabulary)))
        self.countries = [f"{chr(65 + a)}{chr(65 + b)}" for a in range(26) for b in range(8)]
        self.agencies = ("reuters", "ap", "afp", "tass")

    @staticmethod
    def _word(number: int) -> str:
        letters = "q"
        while number:
            number, digit = divmod(number, 26)
            letters += chr(97 + digit)
        return letters + "z"

    def events(self, count: int, start: datetime, span: timedelta, batch: str) -> list[Story]:
        """Stories of `count` events spread over `span`, 1-4 agencies each, in time order; ids carry `batch`."""
        stories = []
        for number in range(count):
            topic = self.rng.choices(self.words, cum_weights=self.cumulative, k=14)
            people = [f"Person {self.rng.randrange(5_000)}" for _ in range(self.rng.randrange(3))]
            country = self.rng.choice(self.countries)
            at = start + span * (number / count)
            for copy, agency in enumerate(self.agencies[: self.rng.randint(1, 4)]):
                words = self.rng.sample(topic, 10) + self.rng.choices(self.words, cum_weights=self.cumulative, k=8)
                stories.append(
                    Story(
                        id=f"{agency}:{batch}{number}-{copy}",
                        agency=agency,
                        agency_id=f"{batch}{number}-{copy}",
                        format="synthetic",
                        headline=" ".join(words[:7]),
                        body_text=" ".join(words[7:]) + f" {self.rng.randrange(10, 999)}",
                        language_detected="en",
                        version_created=at + timedelta(minutes=17 * copy),
                        people=[Entity(name=p, source="synthetic") for p in people],
                        places=[Place(name=country, country=country)],
                    )
                )
        return stories


def speed(settings: MergeSettings, window: int) -> dict[str, float]:
    """Fill an index with `window` stories over 40 h, then time PROBES more decisions."""
    synthetic = Synthetic()
    filler = synthetic.events(int(window / 2.5), START, timedelta(hours=40), "fill")[:window]
    probes = synthetic.events(PROBES, START + timedelta(hours=40), timedelta(hours=2), "probe")[:PROBES]
    index = EventIndex(settings, events={}, postings={}, story_events={})
    for story in filler:
        index.assign(story, story.version_created or START)
    gc.collect()
    timings = []
    began = time.perf_counter()
    for story in probes:
        started = time.perf_counter()
        index.assign(story, story.version_created or START)
        timings.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    timings.sort()
    return {
        "window": window,
        "open_events": len(index.events),
        "per_second": len(probes) / elapsed,
        "median_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[int(len(timings) * 0.99)] * 1000,
    }


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    settings = MergeSettings()
    precision, recall, f1 = quality(settings)
    lines = [
        "## Merge: event clustering",
        "",
        f"Eval set: {len(load_labelled())} hand-written stories (tests/fixtures/merge), B-cubed "
        f"precision {precision:.3f}, recall {recall:.3f}, **F1 {f1:.3f}** (goal ≥ 0.90).",
        "",
        "| stories in window | open events | stories/s | median ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for window in WINDOWS:
        row = speed(settings, window)
        lines.append(
            f"| {window:,} | {row['open_events']:,.0f} | {row['per_second']:,.0f} | "
            f"{row['median_ms']:.2f} | {row['p99_ms']:.2f} |"
        )
    return "\n".join([*lines, ""])


if __name__ == "__main__":
    print(run())
