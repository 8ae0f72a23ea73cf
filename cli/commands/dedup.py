"""`wiredesk dedup [--format F] [--agency A] PATH...`: the dedup stage's core, offline, over parsed files."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from shared.models import utcnow

__all__ = ["dedup"]


@click.command()
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def dedup(format_name: str | None, agency: str, paths: tuple[Path, ...]) -> None:
    """Run every story of PATHs, in order, through one dedup index; print one decision per story as JSON.

    Unreadable files go to stderr as `PATH: reason` and make the exit status 2.
    """
    from cli.commands.parse import WireFiles
    from services.dedup.config import DedupSettings
    from services.dedup.core import DedupIndex

    index = DedupIndex(DedupSettings(), state={})
    files = WireFiles(paths, format_name=format_name, agency=agency)
    for path, story in files:
        decision = index.decide(story, utcnow())
        line = {
            "path": str(path),
            "id": story.id,
            "version": story.version,
            "outcome": decision.outcome,
            "of": decision.of,
            "score": decision.score,
        }
        click.echo(orjson.dumps(line).decode())
    files.exit_if_failed()
