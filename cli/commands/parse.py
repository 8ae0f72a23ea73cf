"""`wiredesk parse [--format F] [--ninjs] PATH...`: the parse stage's core, offline."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
import orjson

from shared.errors import InvalidInput, ParseError
from shared.models import Story
from shared.serde import encode

__all__ = ["WireFiles", "parse", "read_stories"]


def read_stories(path: Path, *, format_name: str | None = None, agency: str = "wire") -> list[Story]:
    """The stories in the file at `path`, as the parse stage would read them; ParseError when unreadable."""
    from services.parse.core import parse_bytes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", code="unreadable") from exc
    return parse_bytes(data, agency=agency, format_name=format_name)


class WireFiles:
    """The stories of wire files, file by file in the order given, for the offline commands.

    An unreadable file is reported on stderr as `PATH: reason` and skipped; `exit_if_failed` then ends the
    command with status 2, after it printed everything it could read.
    """

    def __init__(self, paths: Sequence[Path], *, format_name: str | None, agency: str) -> None:
        self.paths = paths
        self.format_name = format_name
        self.agency = agency
        self.failed = False

    def __iter__(self) -> Iterator[tuple[Path, Story]]:
        for path in self.paths:
            try:
                stories = read_stories(path, format_name=self.format_name, agency=self.agency)
            except InvalidInput as exc:
                click.echo(f"{path}: {exc.reason}", err=True)
                self.failed = True
                continue
            for story in stories:
                yield path, story

    def exit_if_failed(self) -> None:
        """Exit with status 2 when a file could not be read."""
        if self.failed:
            sys.exit(2)


@click.command()
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.option("--ninjs", is_flag=True, help="Print the ninjs 3.1 rendering instead of the canonical story.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def parse(format_name: str | None, agency: str, ninjs: bool, paths: tuple[Path, ...]) -> None:
    """Print one story per line as JSON; unreadable files go to stderr as `PATH: reason` (exit 2)."""
    files = WireFiles(paths, format_name=format_name, agency=agency)
    for _, story in files:
        if ninjs:
            from services.publish.ninjs import render_ninjs

            click.echo(orjson.dumps(render_ninjs(story)).decode())
        else:
            click.echo(encode(story).decode())
    files.exit_if_failed()
