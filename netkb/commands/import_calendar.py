"""``netkb import calendar``: past meetings of a calendar export (.ics) as log entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo, echo_lines, progress
from netkb.commands.reading import today_of
from netkb.commands.writing import finish_commit, locked, require_git
from netkb.load.cache import DiskCache
from netkb.load.calendar_settings import owner_zone
from netkb.load.loader import CONFIG, load
from netkb.load.settings import read_settings

if TYPE_CHECKING:
    from netkb.core.records import Network
    from netkb.interchange.importers.calendar import CalendarRead
    from netkb.interchange.importers.calendar_plan import CalendarApplied, CalendarPlan

DEFAULT_DAYS = 90  # how far back an import looks without --since
SHOWN_UNKNOWN = 40  # unknown attendees listed; the rest are counted


def import_calendar(
    ctx: click.Context,
    file: Path,
    apply_: bool,
    commit: bool,
    since: dt.date | None,
    until: dt.date | None,
    *,
    quiet: bool = False,
) -> None:
    """The ``calendar`` source of ``netkb import``: see its --help."""
    from netkb.interchange.importers.calendar import MAX_CALENDAR_BYTES  # ical loads slowly
    from netkb.interchange.importers.rows import ImportFileError

    root = kb_root(ctx)
    if commit:
        require_git(root, apply_)
    today = today_of(ctx)
    until = until or today
    since = since or today - dt.timedelta(days=DEFAULT_DAYS)
    if until > today:
        raise click.BadParameter(
            f"{until} is after today ({today}): only past meetings become log entries",
            param_hint="'--until'",
        )
    if since > until:
        raise click.BadParameter(f"{since} is after --until {until}", param_hint="'--since'")
    try:
        size = file.stat().st_size
        if size > MAX_CALENDAR_BYTES:
            raise Failure(
                f"{file}: {size:,} bytes is more than the {MAX_CALENDAR_BYTES // 2**20} MB a "
                "calendar import reads; export a shorter period (most calendar apps can) and "
                "import each file; nothing imported"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise Failure(f"{file}: cannot read the file: {exc.strerror}") from None
    settings, _ = read_settings(root / CONFIG)  # its problems are load's to report
    try:
        read = _read(file, data, settings.timezone, since, until, quiet)
    except ImportFileError as exc:
        raise Failure(f"{exc}; nothing imported") from None
    if not apply_:
        network = _load(root)
        plan = _plan(network, read, quiet)
        _show(plan, network, since, until)
        echo(
            f"Dry run: nothing written. Run again with --apply to log "
            f"{count(len(plan.new), 'meeting')}."
        )
        return
    with locked(root):
        network = _load(root)  # under the lock: what another process wrote is seen
        plan = _plan(network, read, quiet)
        _show(plan, network, since, until)
        applied = _apply(root, plan, quiet)
    for failure in applied.failed:
        echo_lines([f"error: {failure}"], err=True)
    summary = f"{count(len(applied.created), 'meeting')} logged"
    echo_lines([f"Imported from {file.name}: {summary}."])
    if commit:  # only new files: none can hold uncommitted changes of yours
        finish_commit(root, applied.created, f"netkb import calendar: {summary}")
    if applied.failed:
        ctx.exit(1)


def _load(root: Path) -> Network:
    """The people and log entries to match against, through the cache the reading
    commands share (only files changed since are parsed)."""
    return load(root, cache=DiskCache(root), cross_checks=False)


def _read(
    file: Path, data: bytes, timezone: str | None, since: dt.date, until: dt.date, quiet: bool
) -> CalendarRead:
    from netkb.interchange.importers.calendar import read_calendar

    zone = owner_zone(timezone)
    events = data.count(b"BEGIN:VEVENT")
    with progress("Reading", events, quiet=quiet) as step:
        return read_calendar(file, data, zone=zone, since=since, until=until, progress=step)


def _plan(network: Network, read: CalendarRead, quiet: bool) -> CalendarPlan:
    from netkb.interchange.importers.calendar_plan import plan_calendar

    with progress("Matching", len(read.meetings), quiet=quiet) as step:
        return plan_calendar(network, read, progress=step)


def _apply(root: Path, plan: CalendarPlan, quiet: bool) -> CalendarApplied:
    from netkb.interchange.importers.calendar_plan import apply_calendar

    with progress("Writing", len(plan.new), quiet=quiet) as step:
        return apply_calendar(root, plan, progress=step)


def _show(plan: CalendarPlan, network: Network, since: dt.date, until: dt.date) -> None:
    """Print the plan. Titles and names come from someone else's file: every line goes
    out through ``echo_lines``, which shows control characters visibly."""
    from netkb.interchange.importers.calendar_plan import REASONS
    from netkb.network.budget import duration

    read = plan.read
    echo_lines(
        [
            f"Import from {read.path.name} (iCalendar): {count(read.events, 'event')}, "
            f"meetings from {since} to {until}"
        ]
    )
    if plan.kb_errors:
        echo(
            f"warning: the knowledge base has {count(plan.kb_errors, 'error')} (see netkb check); "
            "files that do not load are not matched",
            err=True,
        )
    if plan.new:
        lines = [f"New log entries ({len(plan.new):,}; {duration(plan.minutes)} in all):"]
        for entry in plan.new:
            fields = entry.fields
            people = ", ".join(network.people[s].name for s in fields["with"])
            length = f" ({fields['minutes']} min)" if "minutes" in fields else ""
            title = f": {fields['summary']}" if "summary" in fields else ""
            lines.append(f"  + {fields['date']} {fields['kind']}{length} with {people}{title}")
        _section(lines)
    if plan.unknown:
        lines = [f"Not in your network ({len(plan.unknown):,}); add them, then import again:"]
        for person in plan.unknown[:SHOWN_UNKNOWN]:
            events = count(person.events, "meeting")
            if person.unclear:
                lines.append(f"  ! {person.shown} ({events}): {person.unclear}")
            else:
                lines.append(f"  ? {person.shown} ({events}): {person.command}")
        if len(plan.unknown) > SHOWN_UNKNOWN:
            lines.append(f"  … and {len(plan.unknown) - SHOWN_UNKNOWN:,} more")
        _section(lines)
    skipped = [(r, plan.skipped[r]) for r in REASONS if plan.skipped[r]]
    if skipped:
        total = sum(n for _, n in skipped)
        _section(
            [f"Skipped ({total:,}):"] + [f"  - {number:,} {reason}" for reason, number in skipped]
        )
    if plan.errors:
        _section(
            [f"Events that cannot be imported ({len(plan.errors):,}):"]
            + [f"  ! {read.where(note.line)}: {note.message}" for note in plan.errors]
        )
    if read.notes:
        _section(
            [f"Notes ({len(read.notes):,}):"]
            + [f"  · {read.where(note.line)}: {note.message}" for note in read.notes]
        )
    echo()


def _section(lines: list[str]) -> None:
    """A blank line, then the section's lines."""
    echo_lines(["", *lines])
