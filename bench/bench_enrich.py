"""Enrich core benchmark: places P/R/F1, language accuracy, stories/s without translation, RSS.

`python -m bench.bench_enrich` prints a markdown section. The Reuters-21578 part (PLACES labels as gold,
mapped to ISO codes) runs only when ../shared/corpus exists; the hand-written fixtures always run.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from services.enrich.config import EnrichSettings
from services.enrich.pipeline import Enricher
from services.parse.core import parse_bytes
from shared.models import Dateline, Story

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "enrich"
CORPUS = Path(os.environ.get("WIREDESK_SHARED_DIR", ROOT.parent / "shared")) / "corpus" / "reuters21578"
# Reuters-21578 PLACES labels that are not today's country names (1987 copy), as ISO 3166 codes.
LABEL_CODES = {
    "usa": "US", "uk": "GB", "ussr": "SU", "west-germany": "DE", "east-germany": "DD", "czechoslovakia": "CS",
    "yugoslavia": "YU", "zaire": "CD", "kampuchea": "KH", "burma": "MM", "uae": "AE", "vatican": "VA",
    "macao": "MO", "yemen-arab-republic": "YE", "yemen-demo-republic": "YE", "trinidad-tobago": "TT",
    "western-samoa": "WS", "ivory-coast": "CI", "swaziland": "SZ", "netherlands-antilles": "AN",
    "us-virgin-islands": "VI", "british-virgin-islands": "VG", "hong-kong": "HK", "south-korea": "KR",
    "north-korea": "KP", "taiwan": "TW", "cape-verde": "CV", "congo": "CG", "syria": "SY", "iran": "IR",
    "laos": "LA", "vietnam": "VN", "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "russia": "RU",
}  # fmt: skip


def micro(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, float]:
    tp = fp = fn = 0
    for gold, predicted in pairs:
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def countries(story: Story) -> set[str]:
    return {p.country for p in story.places if p.country}


def reuters_stories() -> list[Story]:
    stories: list[Story] = []
    for path in sorted(CORPUS.glob("*.sgm")):
        stories.extend(parse_bytes(path.read_bytes(), agency="reuters", format_name="reuters21578"))
    return stories


def gold_places(story: Story, enricher: Enricher) -> set[str] | None:
    labels = [s.code for s in story.subjects if s.scheme == "r21578-places"]
    if not labels:
        return None
    codes = {LABEL_CODES.get(label) or enricher.gazetteer.resolve(label.replace("-", " ").title()) for label in labels}
    return {c for c in codes if c}


def fixture_stories() -> list[tuple[Story, set[str]]]:
    cases: list[dict[str, Any]] = json.loads((FIXTURES / "stories.json").read_text("utf-8"))
    return [
        (
            Story(
                id=c["id"], agency="fx", agency_id=c["id"], format="t", headline=c["headline"],
                body_text=c["body_text"], language=c.get("language"),
                dateline=Dateline(text=c["dateline"], place=c["dateline"]),
            ),
            set(c["expect"]["countries"]),
        )
        for c in cases
    ]  # fmt: skip


def row(name: str, m: dict[str, float], docs: int) -> str:
    return f"| {name} | {docs} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {m['tp']} / {m['fp']} / {m['fn']} |"


def run() -> str:
    started = time.perf_counter()
    enricher = Enricher(EnrichSettings())
    load_s = time.perf_counter() - started
    lines = ["## Enrich core (no translation)", "", f"Enricher built in {load_s:.1f} s.", ""]
    lines += ["| places (countries) | docs | precision | recall | F1 | TP / FP / FN |", "|---|---|---|---|---|---|"]
    fixtures = fixture_stories()
    lines.append(row("hand-written fixtures", micro((g, countries(enricher.enrich(s))) for s, g in fixtures), 5))
    speed = ""
    if CORPUS.is_dir():
        stories = reuters_stories()
        timings: dict[str, float] = {}

        def on_timing(name: str, seconds: float) -> None:
            timings[name] = timings.get(name, 0.0) + seconds

        t0, cpu0 = time.perf_counter(), time.process_time()
        enriched = [enricher.enrich(s, on_timing) for s in stories]
        # CPU time is the per-core figure; wall time also counts colleagues' load on a shared machine.
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        scored = [(g, countries(e)) for s, e in zip(stories, enriched, strict=True) if (g := gold_places(s, enricher))]
        lines.append(row("Reuters-21578 PLACES (3 files)", micro(scored), len(scored)))
        english = sum(e.language_detected == "en" for e in enriched)
        und = sum(e.language_detected == "und" for e in enriched)
        per_step = ", ".join(f"{k} {v / len(stories) * 1000:.2f} ms" for k, v in timings.items())
        speed = (
            f"\nLanguage on Reuters-21578 (all English): {english}/{len(enriched)} en, {und} und.\n\n"
            f"Speed ({enricher.settings.keywords_engine} keywords): {len(stories)} Reuters stories in "
            f"{cpu:.1f} s of CPU = **{len(stories) / cpu:.0f} stories/s per core** ({elapsed:.1f} s wall). "
            f"Per story (wall): {per_step}."
        )
    labelled = json.loads((FIXTURES / "languages.json").read_text("utf-8"))
    right = sum(enricher.language.detect(text) == want for want, text in labelled)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += [
        speed,
        "",
        f"Language on labelled fixture texts (desk languages; out-of-set, short → und): {right}/{len(labelled)}.",
        "",
        f"Peak RSS of the process: {rss:.0f} MB (natasha is loaded on the first Russian story).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
