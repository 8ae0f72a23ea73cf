"""orjson (de)serialisation of the shared models, for Kafka values and the CLI's JSON lines."""

from __future__ import annotations

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from shared.errors import EnvelopeError

__all__ = ["decode", "dumps", "encode"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def encode(model: BaseModel) -> bytes:
    """The model as compact JSON bytes (nulls kept, so every field is visible to consumers)."""
    return orjson.dumps(model.model_dump(mode="json"))


def dumps(value: object) -> bytes:
    """Any JSON-able value (or model) as compact JSON bytes."""
    if isinstance(value, BaseModel):
        return encode(value)
    return orjson.dumps(value)


def decode(model: type[ModelT], data: bytes) -> ModelT:
    """Parse `data` as `model`, raising `EnvelopeError` with the first problem when it is not one."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        raise EnvelopeError(f"not a {model.__name__}: {where}: {first['msg']}") from exc
