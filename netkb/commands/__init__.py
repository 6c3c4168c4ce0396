"""One module per ``netkb`` verb."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.load.loader import find_root

# Where a subcommand's own ``--kb`` is kept (ctx.meta is shared by the whole invocation).
KB = "netkb.kb"
# Verbs that work on no existing KB: ``init`` makes one, ``fields`` describes the format.
NO_KB = frozenset({"init", "fields"})
KB_PRECEDENCE = (
    "Precedence: --kb after the command, then --kb before it, then $NETKB_KB, then the "
    "nearest folder upward from the current one with mkdocs.yml and contacts/."
)


def _remember_kb(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[KB] = value


def kb_option() -> click.Option:
    """``--kb PATH`` for a subcommand: the same option as before the subcommand, which it
    overrides (``netkb check --kb X`` and ``netkb --kb X check`` both work)."""
    return click.Option(
        ["--kb"],
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        expose_value=False,
        callback=_remember_kb,
        help=f"The knowledge base folder. {KB_PRECEDENCE}",
    )


def kb_root(ctx: click.Context, start: Path | None = None) -> Path:
    """The KB this command works on: ``--kb`` (after the subcommand, then before it, then
    $NETKB_KB), else found upward from ``start`` or the cwd."""
    explicit: Path | None = ctx.meta.get(KB) or ctx.find_root().obj
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
