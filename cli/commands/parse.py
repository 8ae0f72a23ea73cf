"""`wiredesk parse [--format F] [--ninjs] PATH...`: the parse stage's core, offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from shared.errors import ParseError
from shared.models import Story
from shared.serde import encode

__all__ = ["parse", "read_stories"]


def read_stories(path: Path, *, format_name: str | None = None, agency: str = "wire") -> list[Story]:
    """The stories in the file at `path`, as the parse stage would read them; ParseError when unreadable."""
    from services.parse.core import parse_bytes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", code="unreadable") from exc
    return parse_bytes(data, agency=agency, format_name=format_name)


@click.command()
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.option("--ninjs", is_flag=True, help="Print the ninjs 3.1 rendering instead of the canonical story.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def parse(format_name: str | None, agency: str, ninjs: bool, paths: tuple[Path, ...]) -> None:
    """Print one story per line as JSON; unreadable files go to stderr as `PATH: reason` (exit 2)."""
    failed = False
    for path in paths:
        try:
            stories = read_stories(path, format_name=format_name, agency=agency)
        except ParseError as exc:
            click.echo(f"{path}: {exc.reason}", err=True)
            failed = True
            continue
        for story in stories:
            if ninjs:
                from services.publish.ninjs import render_ninjs

                click.echo(orjson.dumps(render_ninjs(story)).decode())
            else:
                click.echo(encode(story).decode())
    if failed:
        sys.exit(2)
