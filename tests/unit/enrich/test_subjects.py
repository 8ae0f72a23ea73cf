from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.enrich.subjects import TopicTagger
from shared.models import Subject


@pytest.fixture(scope="module")
def tagger() -> TopicTagger:
    return TopicTagger(min_hits=2)


def test_committed_table_maps_subject_codes_without_shared(tagger: TopicTagger) -> None:
    mapped = tagger.map_codes(
        [
            Subject(scheme="subj", code="15054000", source="agency"),
            Subject(scheme="subj", code="04000000", source="agency"),
            Subject(scheme="anpa-category", code="f", source="agency"),
        ]
    )
    assert [(s.code, s.name, s.source, s.confidence) for s in mapped] == [
        ("20001065", "football", "mapping", 1.0),
        ("04000000", "economy, business and finance", "mapping", 1.0),
    ]


def test_unmapped_code_falls_back_to_parent(tagger: TopicTagger) -> None:
    (subject,) = tagger.map_codes([Subject(scheme="subj", code="04016057")])
    assert (subject.code, subject.confidence) == ("20000170", 0.7)


def test_agency_medtop_suppresses_classifier(tagger: TopicTagger) -> None:
    given = [Subject(scheme="medtop", code="15000000", source="agency")]
    assert tagger.subjects(given, "Strike by police over wages and workers union", "en") == given


@pytest.mark.parametrize(
    ("text", "language", "code"),
    [
        ("The central bank raised rates as inflation and oil prices hit the stock market", "en", "04000000"),
        ("Сборная России проиграла матч чемпионата, тренер ушёл в отставку после турнира", "ru", "15000000"),
        ("Le séisme a fait des victimes; les secours fouillent après l'explosion", "fr", "03000000"),
        ("El ejército lanzó un ataque con misiles; los soldados rompieron el alto el fuego", "es", "16000000"),
    ],
)
def test_keyword_rules_per_language(tagger: TopicTagger, text: str, language: str, code: str) -> None:
    best = tagger.classify(text, language)[0]
    assert (best.code, best.source) == (code, "classifier")
    assert 0.5 <= best.confidence <= 0.9


def test_unknown_language_or_single_hit_gets_nothing(tagger: TopicTagger) -> None:
    assert tagger.classify("bank bank bank", "und") == []
    assert tagger.classify("A film was shown.", "en") == []


def test_committed_table_matches_vocabulary(vocab_dir: Path, tagger: TopicTagger) -> None:
    from scripts.build_mediatopics import compact, newest_vocabulary

    rebuilt = compact(json.loads(newest_vocabulary(vocab_dir).read_text("utf-8")))
    assert rebuilt["from_subject"] == {k: list(v) for k, v in tagger.from_subject.items()}
    assert rebuilt["from_subject"]["15054000"] == ["20001065", "exact"]
    assert {code: entry[0] for code, entry in rebuilt["topics"].items()} == tagger.labels
