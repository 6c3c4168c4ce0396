"""Plan a calendar import: which meetings become log entries, with whom, and which are
skipped and why; then write the entries (``netkb import calendar``).

People are matched as every import matches them (``match.Matcher``: email first, then
the exact name or an alias). Your own addresses (``owner_emails``) and name are never
someone you met. An event already imported has a log entry whose ``source`` is its id:
it is never written again, whatever was changed in the entry since.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.records import Network
from netkb.core.references import name_key
from netkb.core.write import OutsideKnowledgeBase, flush_to_disk, real_path_inside
from netkb.edit.lock import kb_lock
from netkb.edit.log_entries import LogError, create_interaction, interaction_fields
from netkb.edit.log_entries import interaction_text as entry_text
from netkb.interchange.importers.calendar import Attendee, CalendarRead, Meeting
from netkb.interchange.importers.match import Identity, Matcher
from netkb.interchange.importers.rows import RowNote
from netkb.load.loader import LOG_DIR

# Words of a title that give an event its kind; ``calendar_kinds`` adds to them.
DEFAULT_KINDS: Mapping[str, tuple[str, ...]] = {
    "lunch": ("lunch", "brunch"),
    "dinner": ("dinner",),
    "breakfast": ("breakfast",),
    "coffee": ("coffee", "kaffee", "café", "fika"),
    "call": ("call", "phone", "video call", "zoom", "hangout"),
    "golf": ("golf", "tee time"),
    "event": ("conference", "meetup", "summit", "reception", "workshop"),
    "intro": ("intro", "introduction"),
}
OTHERWISE = "meeting"
# Who is never a person: rooms and resources, and Google's calendars that are not anyone's.
NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})
CALENDAR_DOMAINS = (
    "@resource.calendar.google.com",
    "@group.calendar.google.com",
    "@group.v.calendar.google.com",
    "@import.calendar.google.com",
)
# Why a meeting is not logged, in the order the plan lists them.
CANCELLED = "cancelled"
DECLINED = "declined by you"
NOBODY = "with nobody in your network"
IMPORTED = "already imported"
REPEATED = "repeated in the file"
OUTSIDE = "outside the dates"
REASONS = (CANCELLED, DECLINED, NOBODY, IMPORTED, REPEATED, OUTSIDE)


@dataclass(slots=True)
class NewEntry:
    """A log entry the import writes."""

    meeting: Meeting
    fields: dict[str, Any]
    data: bytes


@dataclass(slots=True)
class Unknown:
    """Someone the calendar names whom the knowledge base does not know (or not surely)."""

    name: str | None
    email: str | None
    line: int  # the first event that names them
    events: int = 0
    unclear: str | None = None  # why a match is ambiguous, when it is

    @property
    def shown(self) -> str:
        """``Jane Doe <jane@acme.example>``."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or "?"

    @property
    def command(self) -> str:
        """The ``netkb new`` line that adds them."""
        name = self.name or _name_from(self.email or "")
        email = f" --email {shlex.quote(self.email)}" if self.email else ""
        return f"netkb new {shlex.quote(name)}{email}"


@dataclass(slots=True)
class CalendarPlan:
    """What importing one calendar would do."""

    read: CalendarRead
    new: list[NewEntry] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unknown: list[Unknown] = field(default_factory=list)
    errors: list[RowNote] = field(default_factory=list)
    kb_errors: int = 0

    @property
    def minutes(self) -> int:
        """The minutes the new entries add to the time budget."""
        return sum(e.meeting.minutes or 0 for e in self.new)


@dataclass(slots=True)
class CalendarApplied:
    """What the import wrote, and what it could not."""

    created: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def kinds_table(own: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Title word → kind: netkb's words, then yours (a word of yours wins)."""
    table = {word: kind for kind, words in DEFAULT_KINDS.items() for word in words}
    table.update({word: kind for kind, words in own.items() for word in words})
    return table


def kind_finder(own: Mapping[str, tuple[str, ...]]) -> Callable[[str], str]:
    """A function from a title to its kind: the first word of the table it contains
    (whole words, any case), otherwise ``meeting``."""
    table = kinds_table(own)
    words = sorted(table, key=len, reverse=True)  # "video call" before "call"
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")(?!\w)",
        re.IGNORECASE,
    )

    def kind_of(title: str) -> str:
        found = pattern.search(title)
        if found is None:
            return OTHERWISE
        return table.get(" ".join(found.group(1).casefold().split()), OTHERWISE)

    return kind_of


def plan_calendar(
    network: Network, read: CalendarRead, progress: Callable[[int], None] | None = None
) -> CalendarPlan:
    """What importing the meetings of ``read`` into ``network`` would do. Writes nothing.

    ``progress`` is called with 1 for each meeting."""
    step = progress or (lambda count: None)
    settings = network.settings
    plan = CalendarPlan(read, errors=list(read.errors), kb_errors=len(network.errors))
    plan.skipped[OUTSIDE] = read.outside
    matcher = Matcher()
    for slug, person in network.people.items():
        matcher.add(slug, Identity.of((person.name, *person.aliases), person.email, person.links))
    owners = set(settings.owner_emails)
    owner_name = name_key(settings.owner)
    imported = {i.imported_from for i in network.interactions if i.imported_from}
    kind_of = kind_finder(settings.calendar_kinds)
    known: dict[tuple[str | None, str | None], str | Unknown | None] = {}
    unknown: dict[tuple[str | None, str | None], Unknown] = {}
    seen: set[str] = set()
    for meeting in read.meetings:
        step(1)
        reason = _skipped(meeting, owners, imported, seen)
        seen.add(meeting.source)
        if reason is not None:
            plan.skipped[reason] += 1
            continue
        slugs: list[str] = []
        for attendee in meeting.people:
            if not _someone(attendee, owners, owner_name):
                continue
            key = (attendee.email, name_key(attendee.name) if attendee.name else None)
            if key not in known:
                known[key] = _match(matcher, attendee, meeting.line)
            found = known[key]
            if isinstance(found, str):
                slugs.append(found)
            elif isinstance(found, Unknown):
                person = unknown.setdefault(key, found)
                person.events += 1
        if not slugs:
            plan.skipped[NOBODY] += 1
            continue
        fields = interaction_fields(
            meeting.date,
            list(dict.fromkeys(slugs)),
            kind_of(meeting.title),
            meeting.minutes,
            summary=meeting.title or None,
            source=meeting.source,
        )
        try:
            plan.new.append(NewEntry(meeting, fields, entry_text(network.root, fields)))
        except LogError as exc:
            plan.errors.append(RowNote(meeting.line, str(exc)))
    plan.unknown = sorted(unknown.values(), key=lambda u: (-u.events, u.line))
    plan.errors.sort(key=lambda note: note.line)
    return plan


def _skipped(meeting: Meeting, owners: set[str], imported: set[str], seen: set[str]) -> str | None:
    """Why the meeting is not logged, before anyone is matched; None when it may be."""
    if meeting.source in imported:
        return IMPORTED
    if meeting.source in seen:
        return REPEATED
    if meeting.cancelled:
        return CANCELLED
    if any(a.email in owners and a.status == "DECLINED" for a in meeting.people):
        return DECLINED
    return None


def _someone(attendee: Attendee, owners: set[str], owner_name: str) -> bool:
    """Whether the attendee may be a person of the KB: not you, a room or a calendar."""
    if attendee.kind in NOT_PEOPLE:
        return False
    if attendee.name is not None and name_key(attendee.name) == owner_name:
        return False  # you, at an address owner_emails does not list
    if attendee.email is not None:
        return attendee.email not in owners and not attendee.email.endswith(CALENDAR_DOMAINS)
    return attendee.name is not None


def _match(matcher: Matcher, attendee: Attendee, line: int) -> str | Unknown | None:
    """The slug of the attendee, or who they are when unknown (None: nothing to go by)."""
    identity = Identity.of(
        [attendee.name] if attendee.name else [], [attendee.email] if attendee.email else [], []
    )
    match = matcher.match(identity)
    if match.slug is not None:
        return match.slug
    return Unknown(attendee.name, attendee.email, line, unclear=match.ambiguous)


def _name_from(email: str) -> str:
    """A name to start from, from an address: jane.doe@… → Jane Doe."""
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._+\-]+", local) if w and not w.isdigit()]
    return " ".join(w.capitalize() for w in words) or email


def apply_calendar(
    root: Path, plan: CalendarPlan, progress: Callable[[int], None] | None = None
) -> CalendarApplied:
    """Write the plan's new log entries (never over a file: ``-2``… when a name is taken).
    A year folder outside the KB fails once for all its entries."""
    step = progress or (lambda count: None)
    applied = CalendarApplied()
    refused: dict[Path, str | None] = {}
    with kb_lock(root):
        try:
            for entry in plan.new:
                step(1)
                folder = root / LOG_DIR / f"{entry.fields['date'].year:04d}"
                if folder not in refused:
                    refused[folder] = _outside(root, folder)
                    if refused[folder] is not None:
                        applied.failed.append(str(refused[folder]))
                if refused[folder] is not None:
                    continue
                try:
                    applied.created.append(
                        create_interaction(root, entry.fields, entry.data, durable=False)
                    )
                except (LogError, OutsideKnowledgeBase) as exc:
                    applied.failed.append(f"{plan.read.where(entry.meeting.line)}: {exc}")
                except OSError as exc:
                    applied.failed.append(
                        f"{plan.read.where(entry.meeting.line)}: {exc.filename}: {exc.strerror}"
                    )
        finally:
            flush_to_disk()
    return applied


def _outside(root: Path, folder: Path) -> str | None:
    """Why entries cannot be written into ``folder`` (a link out of the KB), or None."""
    try:
        real_path_inside(root, folder)
    except OutsideKnowledgeBase as exc:
        return f"{exc}; no log entries written there"
    return None
