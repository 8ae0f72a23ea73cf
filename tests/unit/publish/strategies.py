"""Hypothesis strategies for canonical stories and events, shaped like what the pipeline produces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from shared.models import Dateline, Entity, Event, EventMember, Place, Story, Subject, Translation

__all__ = ["events_with_members", "stories", "tidy_stories"]

AGENCIES = ("reuters", "ap", "afp", "tass", "dpa", "wire")
LANGUAGES = ("en", "en-GB", "ru", "fr", "de", "es-419", "zh-Hans")
SIGNALS = ("update", "correction", "refile", "kill", "withdrawal", "advisory", "repeat", "writethru", "embargo", "test")
SCHEMES = ("subj", "medtop", "anpa-category", "reuters", "tass-rubric")

# Words a wire story is made of: NFC letters in three scripts, so cleaning on the way back changes nothing.
WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZабвгдежзийклмнопéüçñ0123456789",
    min_size=1,
    max_size=9,
)
SENTENCE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC))


def _story_id(agency: str, agency_id: str) -> str:
    return f"{agency}:{agency_id}"


@st.composite
def _subjects(draw: st.DrawFn, text: st.SearchStrategy[str]) -> Subject:
    scheme = draw(st.sampled_from(SCHEMES))
    code = draw(st.from_regex(r"[0-9]{8}", fullmatch=True) if scheme in ("subj", "medtop") else text)
    return Subject(
        scheme=scheme,
        code=code,
        name=draw(st.none() | text),
        source=draw(st.sampled_from([None, "agency", "mapping", "classifier"])),
        confidence=draw(st.none() | st.floats(min_value=0, max_value=1)),
    )


@st.composite
def _stories(draw: st.DrawFn, text: st.SearchStrategy[str], tidy: bool) -> Story:
    agency = draw(st.sampled_from(AGENCIES))
    agency_id = draw(text if not tidy else WORD)
    paragraphs = draw(st.lists(SENTENCE if tidy else text, max_size=4))
    version = draw(st.integers(min_value=1, max_value=12))
    signals = draw(st.lists(st.sampled_from(SIGNALS), max_size=3, unique=True))
    canceled = "kill" in signals or "withdrawal" in signals
    first = draw(st.none() | TIMES)
    return Story(
        id=_story_id(agency, agency_id),
        agency=agency,
        agency_id=agency_id,
        version=version,
        format=draw(st.sampled_from(["nitf", "anpa", "newsml-g2", "ninjs"])),
        headline=draw(SENTENCE if tidy else text.filter(str.strip)),
        slugline=draw(st.none() | WORD),
        byline=draw(st.none() | SENTENCE.map("By {}".format)),
        dateline=draw(st.none() | WORD.map(lambda place: Dateline(text=f"{place.upper()}, March 5", place=place))),
        language=draw(st.none() | st.sampled_from(LANGUAGES)),
        urgency=draw(st.none() | st.integers(min_value=1, max_value=9)),
        pubstatus="canceled" if canceled else draw(st.sampled_from(["usable", "withheld"])),
        signals=signals,
        embargoed_until=draw(st.none() | TIMES),
        first_created=first,
        version_created=None if first is None else first + timedelta(minutes=draw(st.integers(0, 600))),
        body_text="\n\n".join(paragraphs),
        body_html=("".join(f"<p>{p}</p>" for p in paragraphs) or None) if draw(st.booleans()) else None,
        subjects=draw(st.lists(_subjects(WORD if tidy else text), max_size=4)),
        keywords=draw(st.lists(SENTENCE if tidy else text.filter(str.strip), max_size=3, unique=True)),
        credits=draw(st.lists(st.sampled_from(["Reuters", "AFP", "TASS", "The Associated Press"]), max_size=2)),
        language_detected=draw(st.none() | st.sampled_from(LANGUAGES)),
        places=draw(
            st.lists(
                st.builds(
                    Place,
                    name=WORD,
                    country=st.none() | st.sampled_from(["RU", "GB", "US"]),
                    role=st.sampled_from(["dateline", "mentioned"]),
                ),
                max_size=3,
            )
        ),
        people=draw(st.lists(st.builds(Entity, name=SENTENCE, source=st.just("ner")), max_size=2)),
        organisations=draw(st.lists(st.builds(Entity, name=SENTENCE, source=st.just("ner")), max_size=2)),
        translations=draw(
            st.dictionaries(
                st.sampled_from(LANGUAGES),
                st.builds(
                    Translation,
                    headline=st.none() | SENTENCE,
                    body_text=st.none() | SENTENCE,
                    engine=st.sampled_from(["opus-mt", "nllb"]),
                    machine=st.booleans(),
                ),
                max_size=2,
            )
        ),
        event_id=draw(st.none() | WORD),
    )


def stories() -> st.SearchStrategy[Story]:
    """Stories with any text at all in their free-text fields (control characters, odd scripts)."""
    return _stories(st.text(min_size=1, max_size=40), tidy=False)


def tidy_stories() -> st.SearchStrategy[Story]:
    """Stories whose text is already clean, as a parser would leave it, for round trips."""
    return _stories(WORD, tidy=True)


@st.composite
def events_with_members(draw: st.DrawFn) -> tuple[Event, list[Story]]:
    """An event over 1–4 distinct stories (some canceled), with the member stories the caller holds."""
    members = draw(st.lists(stories(), min_size=1, max_size=4, unique_by=lambda story: story.id))
    lead = draw(st.sampled_from(members))
    opened = draw(TIMES)
    event = Event(
        event_id=draw(st.text(min_size=1, max_size=20)),
        version=draw(st.integers(min_value=1, max_value=20)),
        members=[
            EventMember(story_id=s.id, agency=s.agency, version=s.version, score=1.0, canceled=draw(st.booleans()))
            for s in members
        ],
        lead=lead.id,
        credit_line="With reporting by " + ", ".join(sorted({s.agency for s in members})),
        headline=lead.headline,
        language=lead.language,
        located=lead.dateline.place if lead.dateline else None,
        urgency=lead.urgency,
        pubstatus=draw(st.sampled_from(["usable", "canceled"])),
        opened_at=opened,
        updated_at=opened + timedelta(minutes=draw(st.integers(0, 900))),
    )
    held = draw(st.lists(st.sampled_from(members), unique_by=lambda story: story.id))
    return event, held
