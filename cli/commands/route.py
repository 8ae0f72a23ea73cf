"""`wiredesk route [--rules FILE] PATH...`: which topics the publish stage would send each story to."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from cli.commands.parse import WireFiles
from services.publish.routing import load_rules
from services.publish.routing import route as route_story
from shared.errors import InvalidInput
from shared.settings import PROJECT_ROOT

__all__ = ["route"]

DEFAULT_RULES = PROJECT_ROOT / "deploy" / "routing.yaml"


@click.command()
@click.option(
    "--rules",
    "rules_file",
    default=DEFAULT_RULES,
    show_default=True,
    type=click.Path(path_type=Path),
    help="Routing rules (YAML).",
)
@click.option("--format", "format_name", default=None, help="Parse as this format instead of sniffing.")
@click.option("--agency", default="wire", show_default=True, help="Agency when the copy does not say.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def route(rules_file: Path, format_name: str | None, agency: str, paths: tuple[Path, ...]) -> None:
    """Print {"path", "id", "topics"} per story as JSON lines; unreadable files go to stderr (exit 2)."""
    try:
        rules = load_rules(rules_file)
    except InvalidInput as exc:
        raise click.ClickException(exc.reason) from exc
    files = WireFiles(paths, format_name=format_name, agency=agency)
    for path, story in files:
        line = {"path": str(path), "id": story.id, "topics": route_story(story, rules)}
        click.echo(orjson.dumps(line).decode())
    files.exit_if_failed()
