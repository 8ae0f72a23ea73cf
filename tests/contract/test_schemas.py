"""The JSON Schemas in schemas/ are exactly what the models generate, and validate real records."""

from __future__ import annotations

import json

import jsonschema
import pytest

from shared.models import RawEnvelope
from shared.schemas import SCHEMA_DIR, generate, render
from shared.serde import encode


@pytest.mark.parametrize("filename", sorted(generate()))
def test_schema_file_matches_models(filename: str) -> None:
    on_disk = (SCHEMA_DIR / filename).read_bytes()
    assert on_disk == render(generate()[filename]), f"{filename} drifted: run `wiredesk schemas write`"


def test_raw_envelope_record_validates_against_its_schema() -> None:
    schema = json.loads((SCHEMA_DIR / "raw-envelope.schema.json").read_text())
    record = json.loads(encode(RawEnvelope.wrap(b"\x01ZCZC body", feed="spool", agency="ap", source_ref="x")))
    jsonschema.Draft202012Validator(schema).validate(record)
    assert record["payload"] == "AVpDWkMgYm9keQ=="


def test_schema_rejects_a_record_missing_a_required_field() -> None:
    schema = json.loads((SCHEMA_DIR / "raw-envelope.schema.json").read_text())
    record = json.loads(encode(RawEnvelope.wrap(b"x", feed="spool", agency="ap", source_ref="x")))
    del record["content_hash"]
    with pytest.raises(jsonschema.ValidationError, match="content_hash"):
        jsonschema.Draft202012Validator(schema).validate(record)
