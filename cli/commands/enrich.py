"""`wiredesk enrich [--format F] [--agency A] [--translate] PATH...`: the enrich stage's core, offline."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["enrich"]


@click.command()
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.option("--translate", is_flag=True, help="Also translate, through WIREDESK_ENRICH_TRANSLATION_ROUTES.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def enrich(format_name: str | None, agency: str, translate: bool, paths: tuple[Path, ...]) -> None:
    """Parse PATHs and print each story, enriched, as one JSON line.

    Unreadable files go to stderr as `PATH: reason` and make the exit status 2.
    """
    from cli.commands.parse import WireFiles
    from services.enrich.config import EnrichSettings
    from services.enrich.pipeline import Enricher
    from services.enrich.translate import translation_service
    from shared.serde import encode

    settings = EnrichSettings()
    enricher = Enricher(settings)
    translator = translation_service(settings, {}) if translate else None
    files = WireFiles(paths, format_name=format_name, agency=agency)
    for _, story in files:
        enriched = enricher.enrich(story)
        source = (enriched.language or enriched.language_detected or "und").split("-")[0]
        if translator is not None:
            enriched = translator.translate_story_sync(enriched, source, settings.desk_language)
        click.echo(encode(enriched).decode())
    files.exit_if_failed()
