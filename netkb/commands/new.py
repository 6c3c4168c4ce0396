"""``netkb new``: create a contact file, or an organisation file with ``netkb new org``."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from netkb.commands import kb_root
from netkb.commands.in_range import in_range
from netkb.commands.output import Failure, echo, echo_lines
from netkb.commands.reading import person_slug
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.core.identity import PossibleDuplicate
from netkb.core.ranges import date_range_error
from netkb.edit.scaffold import (
    ScaffoldError,
    close_organisation,
    contact_duplicates,
    free_slug,
    new_contact,
    new_organisation,
)
from netkb.edit.set_fields import schema_problems
from netkb.link.derive import Facts, link
from netkb.load.loader import load

# The option each field comes from, for error messages that name what the user typed.
_OPTIONS = {
    "aliases": "--alias",
    "organization": "--org",
    "role": "--role",
    "email": "--email",
    "phone": "--phone",
    "tags": "--tag",
    "expertise": "--expertise",
    "interests": "--interest",
    "qualities": "--quality",
    "circle": "--circle",
    "decision_maker": "--decision-maker",
    "met": "--met",
    "met_at": "--met-at",
    "introduced_by": "--introduced-by",
    "cadence": "--cadence",
}
# Parameters whose name is not the field's.
_PARAMETER = {"email": "emails", "phone": "phones", "tags": "tags", "interests": "interests"}


@click.command()
@click.argument("name", nargs=-1, required=True)
@click.option("--org", "organization", help="Current employer.")
@click.option("--role", help="Current position.")
@click.option("--alias", "aliases", multiple=True, help="Another name; repeat for more.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--email", "emails", multiple=True, help="An email address; repeat for more.")
@click.option("--phone", "phones", multiple=True, help="A phone number; repeat for more.")
@click.option("--expertise", multiple=True, help="What they know well; repeat for more.")
@click.option("--interest", "interests", multiple=True, help="An interest; repeat for more.")
@click.option("--quality", "qualities", multiple=True, help="A quality; repeat for more.")
@click.option("--circle", type=int, help="Closeness: 1 inner circle … 5 acquaintance.")
@click.option("--cadence", help="Keep in touch every Nd, Nw, Nm or Ny (e.g. 30d).")
@click.option("--decision-maker", is_flag=True, help="They decide on budgets or hiring.")
@click.option(
    "--met",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=in_range(date_range_error, "met"),
    help="When you met (YYYY-MM-DD).",
)
@click.option("--met-at", help="Where or how you met.")
@click.option("--introduced-by", help="Who introduced you: a slug or a name.")
@click.option("--folder", default="", help="Subfolder of contacts/ to put the file in.")
@click.option(
    "--distinct",
    is_flag=True,
    help="Someone with this name (email, LinkedIn URL) exists and this is another "
    "person: create them with distinct_from set.",
)
@commit_option
@click.pass_context
def new(ctx: click.Context, name: tuple[str, ...], **options: Any) -> None:
    """Create contacts/<slug>.md for NAME and print its path; or, as
    netkb new org NAME, orgs/<slug>.md for an organisation (--alias for other names).

    Someone who may already be in the network (same name, email or LinkedIn URL, by the
    rule of netkb check) is not written twice: netkb asks on a terminal and refuses
    otherwise; --distinct creates the second person.

    Example: netkb new "Zoë Müller" --org Globex --role CTO --circle 2 --cadence 30d

    Example: netkb new org "Globex Software GmbH" --alias Globex
    """
    root = kb_root(ctx)
    if options["commit"]:
        require_git(root, applying=True)
    if len(name) == 2 and name[0] == "org":
        path = _new_organisation(root, name[1], options)
    else:
        path = _new_person(ctx, root, " ".join(name), options)
    echo_lines([os.path.relpath(path)])
    if options["commit"]:
        finish_commit(root, [path], f"netkb new: {path.stem}")


def _new_organisation(root: Path, name: str, options: dict[str, Any]) -> Path:
    person_only = [
        option
        for key, option in _OPTIONS.items()
        if key != "aliases" and options.get(_PARAMETER.get(key, key)) not in (None, (), False)
    ]
    if person_only:
        raise click.UsageError(f"{', '.join(person_only)}: not for an organisation")
    with locked(root):
        try:
            return new_organisation(root, name, list(options["aliases"]))
        except ScaffoldError as exc:
            raise Failure(str(exc)) from None


def _new_person(ctx: click.Context, root: Path, name: str, options: dict[str, Any]) -> Path:
    if not name.strip():
        raise click.BadParameter("a name is required", param_hint="NAME")
    # Read without the cache: a refused `new` leaves the knowledge base as it was.
    kb = link(load(root, cross_checks=False))
    met: dt.datetime | None = options["met"]
    introduced_by = options["introduced_by"]
    fields: dict[str, Any] = {"name": name.strip()}
    optional: dict[str, Any] = {
        "aliases": list(options["aliases"]),
        "organization": _organisation(kb, options["organization"]),
        "role": options["role"],
        "email": list(options["emails"]),
        "phone": list(options["phones"]),
        "tags": list(options["tags"]),
        "expertise": list(options["expertise"]),
        "interests": list(options["interests"]),
        "qualities": list(options["qualities"]),
        "circle": options["circle"],
        "decision_maker": True if options["decision_maker"] else None,
        "met": met.date() if met else None,
        "met_at": options["met_at"],
        "introduced_by": (
            person_slug(introduced_by, kb, "--introduced-by") if introduced_by else None
        ),
        "cadence": options["cadence"],
    }
    fields.update({key: value for key, value in optional.items() if value not in (None, [])})
    for key, value in fields.items():
        # The very rules netkb check applies to the file, in its words.
        problems = schema_problems(key, value)
        if problems:
            raise click.BadParameter(problems[0], param_hint=_OPTIONS.get(key, "NAME"))
    slug = free_slug(root, fields["name"])
    duplicates = contact_duplicates(kb.network, fields, slug)
    if duplicates and (options["distinct"] or _confirmed_distinct(kb, duplicates)):
        fields["distinct_from"] = [found.first for found in duplicates]
    elif duplicates:
        raise Failure(_refusal(kb, name, duplicates))
    # Under the KB's lock: the slug is chosen and the file written with no other netkb
    # writer in between, and temp files are cleaned only when none is being written.
    with locked(root):
        try:
            return new_contact(root, fields, options["folder"])
        except ScaffoldError as exc:
            raise Failure(str(exc)) from None


def _organisation(kb: Facts, written: str | None) -> str | None:
    """The organisation to write: as typed, unless it is new, close to a known one, and
    the user (on a terminal) says the known one is meant."""
    if not written:
        return written
    known = close_organisation(kb.network, written)
    if known is None:
        return written
    question = f"No one is at {written!r} yet. Did you mean {known!r}?"
    if _interactive() and click.confirm(question, default=False):
        return known
    echo(
        f"note: no one is at {written!r} yet; did you mean {known!r}? Written as you typed it.",
        err=True,
    )
    return written


def _describe(kb: Facts, duplicates: list[PossibleDuplicate]) -> list[str]:
    lines = []
    for found in duplicates:
        person = kb.network.people[found.first]
        path = os.path.relpath(person.source.path)
        lines.append(f"  {person.name} ({found.first}, {path}): {found.reason}")
    return lines


def _confirmed_distinct(kb: Facts, duplicates: list[PossibleDuplicate]) -> bool:
    """On a terminal: whether the user says the new person is someone else."""
    if not _interactive():
        return False
    echo("This person may already be in your network:")
    echo_lines(_describe(kb, duplicates))
    if click.confirm("Create a second, different person?", default=False):
        return True
    raise Failure("Nothing was written; edit the existing file if it is the same person.")


def _refusal(kb: Facts, name: str, duplicates: list[PossibleDuplicate]) -> str:
    first = kb.network.people[duplicates[0].first]
    return "\n".join(
        [
            f"{name} may already be in your network; nothing was written:",
            *_describe(kb, duplicates),
            f"If it is the same person, edit {os.path.relpath(first.source.path)}.",
            "If it is someone else, run the same netkb new with --distinct "
            "(the new file gets distinct_from).",
        ]
    )


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
