"""The feeds configuration (YAML): which agencies to read, how, and where their secrets are.

A file looks like::

    feeds:
      - name: reuters-connect
        agency: reuters
        connector: reuters_api
        url: http://127.0.0.1:8900/reuters/graphql
        token_url: http://127.0.0.1:8900/reuters/oauth/token
        client_id_env: WIREDESK_REUTERS_CLIENT_ID
        secret_env: WIREDESK_REUTERS_CLIENT_SECRET
        format: newsml_g2
        poll_interval: 5
        rate_limit: {requests: 500, per_seconds: 60}

Secrets are never in the file: `secret_env` and `client_id_env` name environment variables, read once
at start by `FeedConfig.secret()` and never logged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.errors import InvalidInput

__all__ = ["ConnectorKind", "FeedConfig", "FeedsFile", "RateLimit", "load_feeds", "parse_feeds"]

ConnectorKind = Literal["spool", "ap_api", "reuters_api", "afp_api", "http_doc", "rss", "push"]
_HTTP_KINDS = {"ap_api", "reuters_api", "afp_api", "http_doc", "rss"}
_OAUTH_KINDS = {"reuters_api", "afp_api"}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class RateLimit(BaseModel):
    """At most `requests` requests in any `per_seconds` window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests: int = Field(gt=0)
    per_seconds: float = Field(default=60.0, gt=0)


class FeedConfig(BaseModel):
    """One configured feed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description="Unique; the first part of raw_id.")
    agency: str = Field(min_length=1, description="reuters, ap, afp, tass or any agency name.")
    connector: ConnectorKind
    url: str | None = Field(default=None, description="Feed URL (HTTP connectors).")
    token_url: str | None = Field(default=None, description="OAuth2 client-credentials token endpoint.")
    directory: Path | None = Field(default=None, description="Spool folder (spool connector).")
    format: str = Field(default="auto", description="'auto' (sniff) or a parser name such as anpa1312.")
    poll_interval: float = Field(default=10.0, gt=0, description="Seconds between polls when nothing is new.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds before one HTTP request is abandoned.")
    page_size: int = Field(default=100, gt=0, le=1000)
    secret_env: str | None = Field(default=None, description="NAME of the env var with the key or secret.")
    client_id_env: str | None = Field(default=None, description="NAME of the env var with the OAuth2 client id.")
    rate_limit: RateLimit | None = None

    @model_validator(mode="after")
    def _check_connector_needs(self) -> FeedConfig:
        for label, value in (("secret_env", self.secret_env), ("client_id_env", self.client_id_env)):
            if value is not None and not _ENV_NAME.match(value):
                raise ValueError(f"{label} must NAME an environment variable (A-Z, 0-9, _), not hold a value")
        if self.connector == "spool" and self.directory is None:
            raise ValueError("connector spool needs 'directory'")
        if self.connector in _HTTP_KINDS and not self.url:
            raise ValueError(f"connector {self.connector} needs 'url'")
        if self.connector in _OAUTH_KINDS and not (self.token_url and self.client_id_env and self.secret_env):
            raise ValueError(f"connector {self.connector} needs 'token_url', 'client_id_env' and 'secret_env'")
        if self.connector == "push" and not self.secret_env:
            raise ValueError("connector push needs 'secret_env' (the shared HMAC secret)")
        return self

    @property
    def format_hint(self) -> str | None:
        """The parser name for envelopes, or None to let parse sniff."""
        return None if self.format == "auto" else self.format

    def secret(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The secret named by `secret_env`; InvalidInput when the variable is named but unset."""
        return _read_env(self.secret_env, self.name, environ)

    def client_id(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The OAuth2 client id named by `client_id_env`."""
        return _read_env(self.client_id_env, self.name, environ)


def _read_env(name: str | None, feed: str, environ: Mapping[str, str] | None) -> str | None:
    if name is None:
        return None
    value = (os.environ if environ is None else environ).get(name)
    if not value:
        raise InvalidInput(f"feed {feed}: environment variable {name} is not set", code="missing_secret")
    return value


class FeedsFile(BaseModel):
    """The whole feeds file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feeds: list[FeedConfig]

    @model_validator(mode="after")
    def _unique_names(self) -> FeedsFile:
        names = [feed.name for feed in self.feeds]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"feed names must be unique; repeated: {', '.join(repeated)}")
        return self


def parse_feeds(text: str, *, source: str = "feeds config") -> list[FeedConfig]:
    """The feeds in YAML `text`; InvalidInput naming the feed and field on any mistake."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}", code="bad_feeds_config") from exc
    try:
        return FeedsFile.model_validate(data).feeds
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _describe_location(error["loc"], data)
            problems.append(f"{where}: {error['msg']}")
        raise InvalidInput(f"{source}: " + "; ".join(problems), code="bad_feeds_config") from exc


def _describe_location(loc: tuple[int | str, ...], data: object) -> str:
    # "feeds.2.url" is hard to act on; name the feed when the entry has one.
    if len(loc) >= 2 and loc[0] == "feeds" and isinstance(loc[1], int) and isinstance(data, dict):
        entries = data.get("feeds")
        if isinstance(entries, list) and loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            name = entries[loc[1]].get("name", f"#{loc[1]}")
            rest = ".".join(str(part) for part in loc[2:])
            return f"feed {name}" + (f" field {rest}" if rest else "")
    return ".".join(str(part) for part in loc) or "file"


def load_feeds(path: Path) -> list[FeedConfig]:
    """The feeds in the YAML file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read feeds config {path}: {exc.strerror}", code="bad_feeds_config") from exc
    return parse_feeds(text, source=str(path))
