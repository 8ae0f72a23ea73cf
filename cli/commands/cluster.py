"""`wiredesk cluster [--format F] [--agency A] PATH...`: the merge stage's core, offline, over wire files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import orjson

from shared.models import Story, utcnow

__all__ = ["cluster"]


def _enricher() -> Callable[[Story], Story] | None:
    """The enrich stage's core when it is installed; None clusters the parsed stories as they are."""
    try:
        from services.enrich.config import EnrichSettings
        from services.enrich.pipeline import Enricher
    except ImportError:
        return None
    return Enricher(EnrichSettings()).enrich


@click.command()
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def cluster(format_name: str | None, agency: str, paths: tuple[Path, ...]) -> None:
    """Parse, enrich and cluster the stories of PATHs in the given order; print one JSON line per event.

    Each story is clustered at its own time (version-created), or now when the copy has none.
    Unreadable files go to stderr as `PATH: reason` and make the exit status 2.
    """
    from cli.commands.parse import WireFiles
    from services.merge.cluster import EventIndex
    from services.merge.config import MergeSettings

    enrich = _enricher()
    if enrich is None:
        click.echo("note: the enrich stage is not installed; clustering on un-enriched stories", err=True)
    index = EventIndex(MergeSettings(), events={}, postings={}, story_events={})
    paths_of: dict[str, str] = {}
    files = WireFiles(paths, format_name=format_name, agency=agency)
    for path, story in files:
        enriched = enrich(story) if enrich is not None else story
        paths_of[story.id] = str(path)
        index.assign(enriched, enriched.version_created or enriched.first_created or utcnow())
    for event_id in list(index.events):
        event = index.event(event_id)
        line = {
            "event_id": event.event_id,
            "members": [
                {
                    "path": paths_of.get(m.story_id),
                    "agency": m.agency,
                    "id": m.story_id,
                    "version": m.version,
                    "evidence": m.evidence,
                }
                for m in event.members
            ],
            "lead": event.lead,
            "credit_line": event.credit_line,
        }
        click.echo(orjson.dumps(line).decode())
    files.exit_if_failed()
