"""Service logs: one JSON object per line, and no per-request chatter from the HTTP client."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
import pytest

from shared.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root, httpx = logging.getLogger(), logging.getLogger("httpx")
    saved = (root.handlers[:], root.level, httpx.level)
    yield
    root.handlers[:], httpx.level = saved[0], saved[2]
    root.setLevel(saved[1])


def test_lines_are_json_and_httpx_requests_are_not_logged(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("ingest", "INFO")
    logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1/feed")
    logging.getLogger("httpx").warning("connection pool is full")
    logging.getLogger("wiredesk.ingest").info("running", extra={"feeds": ["spool"]})
    lines = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["level"], line["msg"]) for line in lines] == [
        ("httpx", "warning", "connection pool is full"),
        ("wiredesk.ingest", "info", "running"),
    ]
    assert lines[1]["stage"] == "ingest" and lines[1]["feeds"] == ["spool"]
