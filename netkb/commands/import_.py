"""``netkb import``: people from a LinkedIn, vCard or Google Contacts export."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.import_calendar import import_calendar
from netkb.commands.in_range import in_range
from netkb.commands.output import Failure, count, echo, echo_lines, progress
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.core.clock import today
from netkb.core.ranges import date_range_error
from netkb.git.repo import GitError, require_committed
from netkb.interchange.importers import SOURCES, ImportFileError, Parsed, RowNote, read_source
from netkb.load.loader import load

if TYPE_CHECKING:
    from netkb.interchange.importers.plan import Applied, Plan


@click.command("import")
@click.argument("source", type=click.Choice([*SOURCES, "calendar"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Write the plan (default: only show it).")
@commit_option
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar (shown on a terminal for long imports)."
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=in_range(date_range_error, "since"),
    help="calendar: the first day of meetings to log (default: 90 days ago).",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=in_range(date_range_error, "until"),
    help="calendar: the last day of meetings to log (default: today).",
)
@click.pass_context
def import_(
    ctx: click.Context,
    source: str,
    file: Path,
    apply_: bool,
    commit: bool,
    since: dt.datetime | None,
    until: dt.datetime | None,
    quiet: bool = False,
) -> None:
    """Import people from FILE, a SOURCE export: linkedin, vcard or google; or meetings
    from a calendar export (.ics of Google Calendar, Outlook, Apple Calendar).

    Shows the plan first: new people, field changes to people you have (matched
    by email, LinkedIn URL or name), skipped rows and possible duplicates. Your
    values are never overwritten; a new employer or role is set and the old one
    kept in 'history'. Nothing is written without --apply.

    calendar: each past meeting (--since/--until, default the last 90 days) with people
    of your network (matched by email, then name or alias) becomes a log entry: the
    date in your time zone, minutes, the title as summary, a kind from the title.
    Cancelled, declined and already imported events are skipped; unknown attendees are
    listed with the 'netkb new' line that adds them.

    Example: netkb import linkedin Connections.csv --apply --commit

    Example: netkb import calendar calendar.ics --since 2026-09-01 --apply
    """
    if source == "calendar":
        first, last = (day.date() if day else None for day in (since, until))
        import_calendar(ctx, file, apply_, commit, first, last, quiet=quiet)
        return
    if since or until:
        raise click.UsageError("--since and --until are for 'netkb import calendar'")
    root = kb_root(ctx)
    if commit:
        require_git(root, apply_)
    try:
        parsed = read_source(source, file)
    except ImportFileError as exc:
        raise Failure(str(exc)) from None
    if not apply_:
        plan = _plan(root, parsed, quiet)
        _show(plan, root)
        echo(
            f"Dry run: nothing written. Run again with --apply to import "
            f"{count(len(plan.new), 'new person', 'new people')} and update "
            f"{count(len(plan.changed), 'person')}."
        )
        return
    with locked(root):
        plan = _plan(root, parsed, quiet)
        _show(plan, root)
        if commit:
            try:
                require_committed(root, [update.path for update in plan.changed])
            except GitError as exc:
                raise Failure(str(exc)) from None
        applied = _apply(root, plan, quiet)
    for failure in applied.failed:
        echo_lines([f"error: {failure}"], err=True)
    summary = f"{len(applied.created):,} new, {len(applied.updated):,} updated"
    echo_lines([f"Imported from {file.name}: {summary}."])
    if commit:
        finish_commit(root, applied.written, f"netkb import {source}: {summary}")
    if applied.failed:
        ctx.exit(1)


# Rows: an import smaller than this is over before a progress bar could say anything.
PROGRESS_FROM = 200


def _plan(root: Path, parsed: Parsed, quiet: bool) -> Plan:
    from netkb.interchange.importers.plan import (
        plan_import,  # here: ruamel and rapidfuzz load slowly
    )

    network = load(root)
    rows = len(parsed.candidates)
    with progress("Matching", 2 * rows, quiet=quiet or rows < PROGRESS_FROM) as update:
        return plan_import(network, parsed, today(), progress=update)


def _apply(root: Path, plan: Plan, quiet: bool) -> Applied:
    from netkb.interchange.importers.plan import apply_plan

    total = len(plan.new) + len(plan.changed)
    with progress("Writing", total, quiet=quiet or total < PROGRESS_FROM) as update:
        return apply_plan(root, plan, progress=update)


def _show(plan: Plan, root: Path) -> None:
    """Print the plan: what would be created, changed, skipped, and what needs a look.

    Names and values come from a file someone else wrote: each line goes out
    through ``echo_lines``, so no control character in them reaches the terminal."""
    parsed = plan.parsed
    rows = len(parsed.candidates) + len(parsed.skipped)
    echo_lines([f"Import from {parsed.path.name} ({parsed.source}): {count(rows, 'row')}"])
    if plan.kb_errors:
        echo(
            f"warning: the knowledge base has {count(plan.kb_errors, 'error')} (see netkb check); "
            "files that do not load are not matched",
            err=True,
        )
    if plan.new:
        lines = [f"New people ({len(plan.new):,}):"]
        for person in plan.new:
            position = " at ".join(
                str(person.fields[k]) for k in ("role", "organization") if k in person.fields
            )
            where = os.path.relpath(person.path, root)
            lines.append(
                f"  + {person.fields['name']} ({where}){' — ' + position if position else ''}"
            )
        _section(lines)
    if plan.changed:
        _section(
            [f"Updates ({len(plan.changed):,}):"]
            + [f"  ~ {u.name}: {change}" for u in plan.changed for change in u.merger.changes]
        )
    kept = [(u, k) for u in plan.updates for k in u.merger.kept]
    if kept:
        _section(
            [f"Kept your values ({len(kept):,}; edit by hand if the import is right):"]
            + [f"  = {update.name}: {note}" for update, note in kept]
        )
    if plan.unchanged:
        _section([f"Already up to date: {count(len(plan.unchanged), 'person')}"])
    if plan.duplicates:
        lines = [f"Possible duplicates ({len(plan.duplicates):,}), imported as new people:"]
        for dup in plan.duplicates:
            others = ", ".join(f"{slug} ({reason})" for slug, reason in dup.similar)
            lines.append(
                f"  ? {parsed.where(dup.line)}: {dup.name} ({dup.slug}) looks like {others}; "
                f"if it is the same person: netkb merge {dup.similar[0][0]} {dup.slug}"
            )
        _section(lines)
    _notes("Ambiguous, not imported", plan.ambiguous, plan, "!")
    _notes("Skipped", plan.skipped, plan, "-")
    _notes("Values left out", plan.notes, plan, "·")
    echo()


def _section(lines: list[str]) -> None:
    """A blank line, then the section's lines."""
    echo_lines(["", *lines])


def _notes(title: str, notes: list[RowNote], plan: Plan, mark: str) -> None:
    if notes:
        _section(
            [f"{title} ({len(notes):,}):"]
            + [f"  {mark} {plan.parsed.where(note.line)}: {note.message}" for note in notes]
        )
