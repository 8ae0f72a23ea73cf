"""Enrich core benchmark: places P/R/F1, language accuracy, stories/s without translation, RSS.

`python -m bench.bench_enrich` prints a markdown section. The Reuters-21578 part (PLACES labels as gold,
mapped to ISO codes) runs only when ../shared/corpus exists; the hand-written fixtures always run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from services.enrich.config import EnrichSettings
from services.enrich.pipeline import Enricher
from services.parse.core import parse_bytes
from shared.errors import WiredeskError
from shared.models import Dateline, Story

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "enrich"
CORPUS = Path(os.environ.get("WIREDESK_SHARED_DIR", ROOT.parent / "shared")) / "corpus" / "reuters21578"
# Reuters-21578 PLACES labels that are not today's country names (1987 copy), as ISO 3166 codes.
LABEL_CODES = {
    "usa": "US", "uk": "GB", "ussr": "RU", "west-germany": "DE", "east-germany": "DD", "czechoslovakia": "CS",
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


def _person_key(name: str) -> str:
    """Reuters-21578 PEOPLE codes are surnames with the odd first name ("james-baker"): compare surnames."""
    return name.replace("-", " ").split()[-1].lower() if name.strip() else ""


def _org_keys(name: str) -> set[str]:
    """Reuters-21578 ORGS codes are acronyms or squashed names ("opec", "imf", "worldbank")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return {name.replace(" ", "").lower(), "".join(w[0] for w in words).lower()}


def gold_entities(story: Story, enriched: Story) -> tuple[tuple[set[str], set[str]], tuple[set[str], set[str]]] | None:
    """(gold, found) people surnames and organisation codes, or None when the story has neither label."""
    people = {_person_key(s.code) for s in story.subjects if s.scheme == "r21578-people"}
    orgs = {s.code for s in story.subjects if s.scheme == "r21578-orgs"}
    if not people and not orgs:
        return None
    found_people = {_person_key(e.name) for e in enriched.people}
    # An organisation found counts as the gold code it spells; the rest count as themselves (false positives).
    found_orgs = {next(iter(_org_keys(e.name) & orgs), e.name.lower()) for e in enriched.organisations}
    return (people, found_people), (orgs, found_orgs)


def declared_language_stories() -> list[Story]:
    """Corpus stories (Reuters-21578 aside) whose feed declares their language."""
    stories: list[Story] = []
    for path in sorted(CORPUS.parent.rglob("*")):
        if not path.is_file() or path.parent.name in {"reuters21578", "other_agency_xml"} or path.suffix == ".md":
            continue
        try:
            parsed = parse_bytes(path.read_bytes(), agency=path.parent.name)
        except WiredeskError:
            continue  # samples of formats or items the parser rejects on purpose
        stories.extend(s for s in parsed if s.language)
    return stories


def language_accuracy(enricher: Enricher, stories: list[Story]) -> list[str]:
    """Headline and lede (first paragraph) accuracy against the declared language, with counts per language."""
    right: dict[str, list[int]] = {"headline": [0, 0], "lede": [0, 0]}
    per_language: dict[str, int] = {}
    for story in stories:
        declared = (story.language or "").split("-")[0].lower()
        per_language[declared] = per_language.get(declared, 0) + 1
        # The detector only knows the desk's languages: for any other, "und" is the right answer.
        want = declared if declared in enricher.settings.languages else "und"
        lede = story.body_text.strip().split("\n\n")[0]
        for part, text in (("headline", story.headline), ("lede", lede)):
            if text.strip():
                right[part][0] += enricher.language.detect(text) == want
                right[part][1] += 1
    counts = ", ".join(f"{language} {n}" for language, n in sorted(per_language.items(), key=lambda kv: -kv[1]))
    return [
        f"Language against the declared language of {len(stories)} corpus stories ({counts}): headlines "
        f"{right['headline'][0]}/{right['headline'][1]} = {right['headline'][0] / max(1, right['headline'][1]):.3f} "
        f"(goal 0.95), ledes {right['lede'][0]}/{right['lede'][1]} = {right['lede'][0] / max(1, right['lede'][1]):.3f} "
        "(goal 0.98). A declared language outside the desk's counts as right when detected 'und'; "
        "declared labels are taken as they are, wrong ones included (ANSA English copy declared 'it')."
    ]


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


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_memory() -> tuple[float, float]:
    """Peak RSS (MB) of this process after an English story, then after a Russian one."""
    enricher = Enricher(EnrichSettings())
    fixtures = fixture_stories()
    enricher.enrich(next(s for s, _ in fixtures if s.id == "fx:en-1"))
    without = _rss_mb()
    enricher.enrich(next(s for s, _ in fixtures if s.id == "fx:ru-1"))
    return without, _rss_mb()


def run() -> str:
    started = time.perf_counter()
    enricher = Enricher(EnrichSettings())
    load_s = time.perf_counter() - started
    lines = ["## Enrich core (no translation)", "", f"Enricher built in {load_s:.1f} s.", ""]
    fixtures = fixture_stories()
    # Worker memory, in a fresh process (this one may hold other benchmarks' data): a worker that never
    # sees Russian copy never loads natasha.
    measured = subprocess.run(
        [sys.executable, "-m", "bench.bench_enrich", "--worker-memory"], capture_output=True, text=True, check=True
    )
    rss_without, rss_with = (float(value) for value in measured.stdout.split())
    lines += [
        f"Memory per worker (peak RSS, ru_maxrss): {rss_without:.0f} MB after the first English story, "
        f"{rss_with:.0f} MB once a Russian story has loaded natasha.",
        "",
    ]
    lines += ["| places (countries) | docs | precision | recall | F1 | TP / FP / FN |", "|---|---|---|---|---|---|"]
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
        pairs = list(zip(stories, enriched, strict=True))
        # Places rules were tuned on even NEWIDs only; the odd half is the held-out figure.
        for half, name in ((0, "tuning half, even NEWID"), (1, "held-out half, odd NEWID")):
            scored = [
                (g, countries(e)) for s, e in pairs if int(s.agency_id) % 2 == half and (g := gold_places(s, enricher))
            ]
            lines.append(row(f"Reuters-21578 PLACES ({name})", micro(scored), len(scored)))
        entities = [ge for s, e in pairs if (ge := gold_entities(s, e))]
        lines += [
            "",
            "| entities (Reuters-21578 PEOPLE / ORGS labels) | docs | precision | recall | F1 | TP / FP / FN |",
            "|---|---|---|---|---|---|",
            row("people (surname match)", micro(p for p, _ in entities), len(entities)),
            row("organisations (acronym or squashed name)", micro(o for _, o in entities), len(entities)),
        ]
        english = sum(e.language_detected == "en" for e in enriched)
        und = sum(e.language_detected == "und" for e in enriched)
        per_step = ", ".join(f"{k} {v / len(stories) * 1000:.2f} ms" for k, v in timings.items())
        speed = (
            f"\nLanguage on Reuters-21578 (all English): {english}/{len(enriched)} en, {und} und.\n\n"
            f"Speed ({enricher.settings.keywords_engine} keywords): {len(stories)} Reuters stories in "
            f"{cpu:.1f} s of CPU = **{len(stories) / cpu:.0f} stories/s per core** ({elapsed:.1f} s wall). "
            f"Per story (wall): {per_step}."
        )
        speed += "\n\n" + "\n".join(language_accuracy(enricher, declared_language_stories()))
    labelled = json.loads((FIXTURES / "languages.json").read_text("utf-8"))
    right = sum(enricher.language.detect(text) == want for want, text in labelled)
    rss = _rss_mb()
    lines += [
        speed,
        "",
        f"Language on labelled fixture texts (desk languages; out-of-set, short → und): {right}/{len(labelled)}.",
        "",
        f"Peak RSS of the whole bench process: {rss:.0f} MB (it also holds the parsed corpus).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker-memory"]:
        print(*worker_memory())
    else:
        print(run())
