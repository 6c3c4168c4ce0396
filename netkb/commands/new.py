"""``netkb new``: create a contact file."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import click

from netkb.commands import kb_root
from netkb.commands.in_range import in_range
from netkb.commands.output import Failure, echo_lines
from netkb.commands.writing import locked
from netkb.core.ranges import date_range_error
from netkb.edit.scaffold import ScaffoldError, new_contact
from netkb.load.loader import load


@click.command()
@click.argument("name")
@click.option("--org", "organization", help="Current employer.")
@click.option("--role", help="Current position.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--email", "emails", multiple=True, help="An email address; repeat for more.")
@click.option("--phone", "phones", multiple=True, help="A phone number; repeat for more.")
@click.option("--circle", type=click.IntRange(1, 5), help="Closeness: 1 inner circle … 5.")
@click.option("--introduced-by", help="Slug of the person who introduced you.")
@click.option(
    "--met",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=in_range(date_range_error, "met"),
    help="When you met (YYYY-MM-DD).",
)
@click.option("--folder", default="", help="Subfolder of contacts/ to put the file in.")
@click.pass_context
def new(
    ctx: click.Context,
    name: str,
    organization: str | None,
    role: str | None,
    tags: tuple[str, ...],
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    circle: int | None,
    introduced_by: str | None,
    met: dt.datetime | None,
    folder: str,
) -> None:
    """Create contacts/<slug>.md for NAME and print its path.

    Example: netkb new "Zoë Müller" --org Globex --role CTO --tag golf
    """
    root = kb_root(ctx)
    if not name.strip():
        raise click.BadParameter("a name is required", param_hint="NAME")
    if introduced_by is not None and introduced_by not in load(root).people:
        raise click.BadParameter(
            f"no person has the slug {introduced_by!r}", param_hint="--introduced-by"
        )
    fields: dict[str, Any] = {"name": name.strip()}
    optional: dict[str, Any] = {
        "organization": organization,
        "role": role,
        "email": list(emails),
        "phone": list(phones),
        "tags": list(tags),
        "circle": circle,
        "introduced_by": introduced_by,
        "met": met.date() if met else None,
    }
    fields.update({key: value for key, value in optional.items() if value not in (None, [])})
    # Under the KB's lock: the slug is chosen and the file written with no other netkb
    # writer in between, and temp files are cleaned only when none is being written.
    with locked(root):
        try:
            path = new_contact(root, fields, folder)
        except ScaffoldError as exc:
            raise Failure(str(exc)) from None
    echo_lines([os.path.relpath(path)])
