"""IPTC ninjs rendering of stories and event packages: 3.1 (camelCase) and 2.1 (lowercase) documents.

Where the canonical story has something the ninjs schemas have no field for, it goes here:

* **Credit.** `copyrightHolder` names the agency that owns the copy; `infoSources` lists every party the
  credit names (the owning agency as ``originator``, agencies the copy credits, or an event's other
  agencies, as ``contributor``). The schema describes `infoSources` as exactly the parties that
  "originated … or supplied the content", whereas `copyrightNotice`/`usageTerms` are legal statements
  and `rightsInfo` must hold a machine rights expression. An event's printed credit line ("With
  reporting by Reuters, TASS, AFP, and AP") is kept verbatim as a description with role ``creditline``.
* **Signals.** Neither 2.1 nor 3.1 has a signal field (1.x's is gone), so signals are written into
  `edNote` ("Signals: correction, update."), the note ninjs reserves for the receiving desk.
* **Keywords.** 2.x/3.x dropped `keywords`; each becomes a subject with only a name and rel ``keyword``.
* **Places.** ninjs places have no country field; the ISO country code travels in the place's address
  (`contactInfo[].address.country`), the schema's only country slot.
* **Machine translations.** Headline and body entries cannot carry a `language` (additionalProperties is
  false), so each translation is an association: a full ninjs object with its own `language`, rel
  ``machine-translation`` (or ``translation`` for a human one) and an `edNote` naming the engine; 3.1
  also sets `digitalSourceType` to IPTC's trainedAlgorithmicMedia. 2.1 has no digitalSourceType.

Every document is built once in 3.1 spelling; 2.1 is the same tree with lower-cased keys,
`embargoedUntil` spelled `embargoed`, and associations without `rel` (2.1 allows only `name` beside the
ninjs fields, so the relation leads the name: "lead: reuters:L1N2"): the whole difference for these fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from jsonschema import validators
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from shared.errors import InvalidInput
from shared.models import Event, EventMember, Story, Subject, Translation

__all__ = [
    "NINJS_VERSIONS",
    "NinjsVersion",
    "event_uri",
    "render_event",
    "render_ninjs",
    "story_uri",
    "validate_ninjs",
]

NinjsVersion = Literal["3.1", "2.1"]
NINJS_VERSIONS: tuple[NinjsVersion, ...] = ("3.1", "2.1")

_SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"
_SUBJECT_URIS = {
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
}
_MACHINE_SOURCE = {
    "name": "Created using a trained algorithm (machine translation)",
    "uri": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
}
_AGENCY_NAMES = {
    "reuters": "Reuters",
    "ap": "The Associated Press",
    "afp": "Agence France-Presse",
    "tass": "TASS",
    "dpa": "dpa",
}
_GEOJSON_ID = "https://geojson.org/schema/GeoJSON.json"
# Characters a URN's namespace-specific string may hold as they are (RFC 8141 pchar plus "/").
_URN_SAFE = "-._~!$&'()*+,;=:@/"


def story_uri(story_id: str) -> str:
    """The stable ninjs uri of a story id ("reuters:L1N2" → "urn:wiredesk:story:reuters:L1N2")."""
    return "urn:wiredesk:story:" + quote(story_id, safe=_URN_SAFE)


def event_uri(event_id: str) -> str:
    """The stable ninjs uri of an event package."""
    return "urn:wiredesk:event:" + quote(event_id, safe=_URN_SAFE)


def render_ninjs(story: Story, *, version: NinjsVersion = "3.1") -> dict[str, Any]:
    """The ninjs document of `story`. Raises InvalidInput for a version not served."""
    return _finish(_story(story, _served(version)), version)


def render_event(event: Event, *, version: NinjsVersion = "3.1", members: Sequence[Story] = ()) -> dict[str, Any]:
    """The ninjs composite package of `event`: its lead first, then the other members.

    `members` are the event's stories as far as the caller has them; a member without one is
    associated by uri, version and status only. Raises InvalidInput for a version not served.
    """
    return _finish(_package(event, members, _served(version)), version)


def _served(version: NinjsVersion) -> NinjsVersion:
    if version not in NINJS_VERSIONS:
        raise InvalidInput(f"ninjs {version!r} is not served; choose one of {', '.join(NINJS_VERSIONS)}")
    return version


def _finish(body: dict[str, Any], version: NinjsVersion) -> dict[str, Any]:
    document = {"uri": body.pop("uri"), "standard": _standard(version), **body}
    return document if version == "3.1" else _lowercase_keys(document)


def validate_ninjs(doc: dict[str, Any], version: str, schema_dir: Path) -> list[str]:
    """The schema errors of `doc` against IPTC's ninjs `version` schema in `schema_dir` (empty: valid).

    Formats (uri, date-time) are checked too, so a `uri` with a space is an error here.
    """
    validator = _validator(version, schema_dir.resolve())
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda error: list(map(str, error.absolute_path)))
    ]


@cache
def _validator(version: str, schema_dir: Path) -> Any:
    path = schema_dir / f"ninjs-schema_{version}.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read ninjs schema {path}: {exc}", code="bad_schema") from exc
    validator_class = validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except SchemaError as exc:
        raise InvalidInput(f"{path} is not a JSON Schema: {exc.message}", code="bad_schema") from exc
    return validator_class(
        schema, registry=_geojson_registry(schema_dir), format_checker=validator_class.FORMAT_CHECKER
    )


def _geojson_registry(schema_dir: Path) -> Registry[Any]:
    # Places may carry GeoJSON, which the schemas reference by its web address; it is resolved from a
    # local copy (IPTC ships one with the test suite) because validation must never reach the network.
    for candidate in (schema_dir / "GeoJSON-schema.json", schema_dir / "test_suite" / "GeoJSON-schema.json"):
        if candidate.is_file():
            contents = json.loads(candidate.read_text(encoding="utf-8"))
            registry: Registry[Any] = Registry().with_resource(
                _GEOJSON_ID, Resource.from_contents(contents, DRAFT202012)
            )
            return registry
    return Registry()


def _standard(version: str) -> dict[str, str]:
    return {"name": "ninjs", "version": version, "schema": _SCHEMA_URI.format(version=version)}


def _story(story: Story, version: NinjsVersion) -> dict[str, Any]:
    owner = _agency_name(story.agency)
    credited = [name for name in story.credits if _agency_name(name) != owner]
    document = {
        "uri": story_uri(story.id),
        "type": "text",
        "representationType": "full",
        "version": str(story.version),
        "firstCreated": _timestamp(story.first_created),
        "versionCreated": _timestamp(story.version_created),
        "embargoedUntil": _timestamp(story.embargoed_until),
        "pubStatus": story.pubstatus,
        "urgency": story.urgency,
        "language": story.language or story.language_detected,
        "slugline": story.slugline,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": story.headline}],
        "bodies": _bodies(story.body_text, story.body_html),
        "by": story.byline,
        "located": story.dateline.place if story.dateline else None,
        "copyrightHolder": owner,
        "infoSources": _info_sources(owner, credited),
        "edNote": _signal_note(story),
        "subjects": [_subject(subject) for subject in story.subjects]
        + [{"name": keyword, "rel": "keyword"} for keyword in story.keywords],
        "places": [_place(place.name, place.role, place.country) for place in story.places],
        "people": [{"name": person.name} for person in story.people],
        "organisations": [{"name": organisation.name} for organisation in story.organisations],
        "altIds": [{"role": "wiredesk", "value": story.id}, {"role": story.agency, "value": story.agency_id}],
        "associations": [
            _translation(story, language, translation, version)
            for language, translation in sorted(story.translations.items())
        ],
    }
    return _without_empty(document)


def _package(event: Event, members: Sequence[Story], version: NinjsVersion) -> dict[str, Any]:
    by_id = {member.id: member for member in members}
    ordered = sorted(event.members, key=lambda member: member.story_id != event.lead)  # stable: lead first
    agencies = list(dict.fromkeys(member.agency for member in ordered if not member.canceled))
    owner = _agency_name(ordered[0].agency if ordered else event.lead.split(":", 1)[0])
    document = {
        "uri": event_uri(event.event_id),
        "type": "composite",
        "representationType": "full",
        "version": str(event.version),
        "firstCreated": _timestamp(event.opened_at),
        "versionCreated": _timestamp(event.updated_at),
        "pubStatus": event.pubstatus,
        "urgency": event.urgency,
        "language": event.language,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": event.headline or event.credit_line}],
        "descriptions": [{"role": "creditline", "contentType": "text/plain", "value": event.credit_line}],
        "located": event.located,
        "infoSources": _info_sources(owner, [_agency_name(agency) for agency in agencies]),
        "associations": [_member(member, by_id.get(member.story_id), event.lead, version) for member in ordered],
    }
    return _without_empty(document)


def _member(member: EventMember, story: Story | None, lead: str, version: NinjsVersion) -> dict[str, Any]:
    rel = "lead" if member.story_id == lead else "member"
    if story is None:
        associated: dict[str, Any] = {"uri": story_uri(member.story_id), "type": "text", "version": str(member.version)}
    else:
        associated = _story(story, version)
    if member.canceled:
        associated["pubStatus"] = "canceled"
    return {"name": f"{rel}: {member.story_id}", "rel": rel, **associated}


def _translation(story: Story, language: str, translation: Translation, version: NinjsVersion) -> dict[str, Any]:
    kind = "machine-translation" if translation.machine else "translation"
    body = translation.body_text or translation.lede
    document = {
        "name": f"{kind}: {language}",
        "rel": kind,
        "uri": f"{story_uri(story.id)}:{kind}:{quote(language, safe=_URN_SAFE)}",
        "type": "text",
        "version": str(story.version),
        "language": language,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": translation.headline}]
        if translation.headline
        else [],
        "bodies": _bodies(body or "", None),
        "edNote": f"{'Machine' if translation.machine else 'Human'} translation ({translation.engine}).",
        "digitalSourceType": _MACHINE_SOURCE if translation.machine and version == "3.1" else None,
    }
    return _without_empty(document)


def _bodies(text: str, html: str | None) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    if text:
        bodies.append({"role": "main", "contentType": "text/plain", "wordCount": len(text.split()), "value": text})
    if html:
        bodies.append({"role": "main", "contentType": "text/html", "value": html})
    return bodies


def _subject(subject: Subject) -> dict[str, Any]:
    base = _SUBJECT_URIS.get(subject.scheme)
    entry: dict[str, Any] = {"name": subject.name}
    if base:
        entry["uri"] = base + quote(subject.code, safe="")
    else:
        # A scheme without a public URI travels as a qcode, which keeps the scheme readable.
        entry["literal"] = f"{subject.scheme}:{subject.code}"
    entry["creator"] = subject.source
    if subject.confidence is not None:
        # Classifiers give 0–1; ninjs wants a whole percentage.
        entry["confidence"] = min(100, max(0, round(subject.confidence * 100)))
    return _without_empty(entry)


def _place(name: str, role: str, country: str | None) -> dict[str, Any]:
    place: dict[str, Any] = {"name": name, "rel": role}
    if country:
        place["contactInfo"] = [{"type": "address", "address": {"country": country}}]
    return place


def _info_sources(owner: str, contributors: Iterable[str]) -> list[dict[str, str]]:
    others = [name for name in dict.fromkeys(contributors) if name != owner]
    return [{"name": owner, "role": "originator"}] + [{"name": name, "role": "contributor"} for name in others]


def _signal_note(story: Story) -> str | None:
    signals = list(dict.fromkeys(story.signals))
    return f"Signals: {', '.join(signals)}." if signals else None


def _agency_name(agency: str) -> str:
    return _AGENCY_NAMES.get(agency.lower(), agency)


def _timestamp(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _without_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value not in (None, "", [], {})}


def _lowercase_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            _NINJS2_KEYS.get(key, key.lower()): _ninjs2_associations(item)
            if key == "associations"
            else _lowercase_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_lowercase_keys(item) for item in value]
    return value


def _ninjs2_associations(associations: list[dict[str, Any]]) -> list[Any]:
    # 2.1 associations take no `rel`; the relation stays readable in the name ("lead: reuters:L1N2").
    return [
        _lowercase_keys({key: item for key, item in association.items() if key != "rel"})
        for association in associations
    ]


_NINJS2_KEYS = {"embargoedUntil": "embargoed", "digitalSourceType": "digitalsourcetype"}
