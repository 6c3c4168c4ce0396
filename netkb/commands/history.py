"""``netkb history``: a person's git history as field changes."""

from __future__ import annotations

import os

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, echo_lines
from netkb.commands.reading import complete_people
from netkb.core.references import Index
from netkb.git.history import field_history
from netkb.git.repo import GitError, is_git_repo
from netkb.load.loader import load


@click.command()
@click.argument("slug", shell_complete=complete_people)
@click.pass_context
def history(ctx: click.Context, slug: str) -> None:
    """Show how SLUG's fields changed, newest first, from the git history.

    Each line is a date (or 'uncommitted') and one change, e.g.
    '2026-03-02 role: Engineer → CTO'.

    Example: netkb history jane-doe
    """
    root = kb_root(ctx)
    network = load(root)
    found = Index(network.people, network.organisations).person(slug)
    if found is None:
        raise click.BadParameter(f"no person has the slug {slug!r}", param_hint="SLUG")
    if not is_git_repo(root):
        raise click.UsageError(f"netkb history reads git, and {root} is not a git repository")
    person = network.people[found]
    where = os.path.relpath(person.source.path, root)
    try:
        changes = field_history(root, person.source.path)
    except GitError as exc:
        raise Failure(str(exc)) from None
    # Old values are the user's data: every line goes out through echo_lines.
    lines = [f"History of {person.name} ({where}), newest first:"]
    lines += [f"{change.date} {change.text}" for change in changes]
    lines += [] if changes else [f"(none: {where} has never been committed)"]
    echo_lines(lines)
