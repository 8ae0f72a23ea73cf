"""Structured logs: one JSON object per line on stderr, for every process wiredesk runs."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = ["JsonFormatter", "configure_logging", "logging_config"]

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, stage, and any `extra=` fields."""

    def __init__(self, stage: str = "wiredesk") -> None:
        super().__init__()
        self.stage = stage

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "stage": self.stage,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def logging_config(stage: str, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping that sends every logger through `JsonFormatter` to stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "stage": stage}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # httpx logs every request at INFO: thousands of lines an hour from the pollers, none of them news
        # (ingest logs and counts poll failures itself).
        "loggers": {"httpx": {"level": "WARNING"}},
    }


def configure_logging(stage: str, level: str = "INFO") -> None:
    """Route all logging of this process through one JSON handler."""
    import logging.config

    logging.config.dictConfig(logging_config(stage, level))
