"""``netkb fields``: the reference of every field netkb knows (``netkb.load.fields``)."""

from __future__ import annotations

import click

from netkb.load.fields import KINDS, kind_named, reference


@click.command()
@click.argument("kind", required=False, metavar="[KIND]", type=click.Choice([k.key for k in KINDS]))
def fields(kind: str | None) -> None:
    """Print every field of contacts, organisations, log entries and settings.

    KIND prints one part: contact, organisation, log or settings. The reference
    is the installed netkb's own, in Markdown; it needs no knowledge base.

    Example: netkb fields contact
    """
    one = kind_named(kind) if kind is not None else None
    click.echo(reference(KINDS if one is None else (one,)), nl=False)
