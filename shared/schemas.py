"""JSON Schemas of the shared models, as written to schemas/ for downstream consumers.

`wiredesk schemas write` regenerates the files; a contract test fails when they drift from the models.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

from shared.models import DeadLetter, Event, RawEnvelope, Story
from shared.settings import PROJECT_ROOT

__all__ = ["SCHEMA_DIR", "generate", "render", "write"]

SCHEMA_DIR = PROJECT_ROOT / "schemas"
_MODELS: dict[str, type[BaseModel]] = {
    "raw-envelope.schema.json": RawEnvelope,
    "story.schema.json": Story,
    "event.schema.json": Event,
    "dead-letter.schema.json": DeadLetter,
}


def generate() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (draft 2020-12) of each model, as serialised on Kafka."""
    schemas = {}
    for filename, model in _MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schemas[filename] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://wiredesk.dev/schemas/{filename}",
            **schema,
        }
    return schemas


def render(schema: dict[str, Any]) -> bytes:
    """A schema as the stable, indented bytes written to disk."""
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write() -> list[str]:
    """Write every schema file; returns the names written."""
    for filename, schema in generate().items():
        (SCHEMA_DIR / filename).write_bytes(render(schema))
    return sorted(_MODELS)
