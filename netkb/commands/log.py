"""``netkb log``: record an interaction in log/."""

from __future__ import annotations

import datetime as dt
import os

import click

from netkb.commands import kb_root
from netkb.commands.in_range import in_range
from netkb.commands.reading import (
    complete_kinds,
    complete_people,
    person_slug,
    snapshot,
    today_of,
    today_option,
)
from netkb.core.ranges import date_range_error, minutes_error
from netkb.edit.log_entries import LogError, interaction_fields, write_interaction
from netkb.load.schema import FAVORS


@click.command("log")
@click.argument("people", nargs=-1, required=True, shell_complete=complete_people)
@click.option(
    "--kind",
    default="other",
    shell_complete=complete_kinds,
    show_default=True,
    help="lunch, coffee, call, meeting, event, golf, email, message, intro, other, "
    "or your own word.",
)
@click.option(
    "--minutes",
    type=int,
    callback=in_range(minutes_error, "minutes"),
    help="Time you invested, 0 to 1440 (a day).",
)
@click.option(
    "--favor", type=click.Choice(FAVORS), help="given: you helped them; received: they helped you."
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=in_range(date_range_error, "date"),
    help="Default: today.",
)
@click.option("-m", "--summary", help="One line on what it was about.")
@today_option
@click.pass_context
def log(
    ctx: click.Context,
    people: tuple[str, ...],
    kind: str,
    minutes: int | None,
    favor: str | None,
    day: dt.datetime | None,
    summary: str | None,
) -> None:
    """Log an interaction with PEOPLE (slugs) as a new file in log/YEAR/; print its path.

    Never overwrites: a second lunch with Jane that day gets a -2 file.

    Example: netkb log jane-doe john-smith --kind lunch --minutes 90 -m "Berlin office"
    """
    kb = snapshot(ctx)
    slugs = list(dict.fromkeys(person_slug(p, kb, "PEOPLE") for p in people))
    fields = interaction_fields(
        day.date() if day else today_of(ctx), slugs, kind, minutes, favor, summary
    )
    try:
        path = write_interaction(kb_root(ctx), fields)
    except (LogError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(os.path.relpath(path))
