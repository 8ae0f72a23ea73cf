"""`wiredesk schemas write`: regenerate schemas/*.schema.json from the shared models."""

from __future__ import annotations

import click

from shared.schemas import write as write_schemas

__all__ = ["schemas"]


@click.group()
def schemas() -> None:
    """The JSON Schemas downstream consumers read."""


@schemas.command()
def write() -> None:
    """Regenerate the schema files from the models."""
    for name in write_schemas():
        click.echo(name)
