"""One module per ``netkb`` verb."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.load.loader import find_root


def kb_root(ctx: click.Context, start: Path | None = None) -> Path:
    """The KB this command works on: ``--kb``, else found upward from ``start`` or the cwd."""
    explicit: Path | None = ctx.find_root().obj
    if explicit is not None:
        root = find_root(explicit)
        if root is None or root != explicit.resolve():
            raise click.UsageError(
                f"{explicit} is not a netkb knowledge base (it needs mkdocs.yml and contacts/)"
            )
        return root
    root = find_root(start or Path.cwd())
    if root is None:
        where = start or Path.cwd()
        raise click.UsageError(
            f"no knowledge base at or above {where}: run 'netkb init' to make one, "
            "or pass --kb PATH"
        )
    return root
