"""The service keeps only events durable and rebuilds the inverted index and story map from them after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bench.bench_merge import load_labelled
from services.merge.cluster import EventIndex
from services.merge.config import MergeSettings

START = datetime(2026, 11, 28, tzinfo=UTC)


def _fed(stories: list[Any]) -> tuple[EventIndex, dict[str, str]]:
    index = EventIndex(MergeSettings(), events={}, postings={}, story_events={})
    placed = {}
    for story in stories:
        placed[story.id] = index.assign(story, story.version_created or START).story.event_id or ""
    return index, placed


def test_rebuilt_postings_equal_the_ones_kept_while_running() -> None:
    index, _ = _fed([story for _, story in load_labelled()])
    kept = {key: list(ids) for key, ids in index.postings.items()}
    restarted = EventIndex(MergeSettings(), events=index.events, postings={}, story_events={})
    assert restarted.rebuild() == len(index.events) > 10
    assert restarted.story_events == index.story_events
    rebuilt = restarted.postings
    terms = {key: ids for key, ids in kept.items() if not key.startswith("q:")}
    assert {key for key in rebuilt if not key.startswith("q:")} == set(terms)
    for key, ids in terms.items():
        assert sorted(rebuilt[key]) == sorted(ids), key
    # every open event sits in the bucket of its last change, so quiet-closing still finds all of them
    bucketed = {e for key, ids in rebuilt.items() if key.startswith("q:") and key != "q:hours" for e in ids}
    assert bucketed == set(index.events)


def test_a_restarted_index_places_the_rest_of_the_stream_as_an_uninterrupted_one() -> None:
    stories = [story for _, story in load_labelled()]
    half = len(stories) // 2
    _, uninterrupted = _fed(stories)
    first, placed = _fed(stories[:half])
    restarted = EventIndex(MergeSettings(), events=first.events, postings={}, story_events={})
    restarted.rebuild()
    for story in stories[half:]:
        placed[story.id] = restarted.assign(story, story.version_created or START).story.event_id or ""
    assert placed == uninterrupted
