"""Calendar exports (.ics) of Google Calendar, Outlook/Exchange and Apple Calendar, read
into the meetings they hold within a range of dates (``netkb import calendar``).

``icalendar`` parses the events, ``x-wr-timezone`` applies Google's calendar-wide time
zone and ``recurring-ical-events`` expands RRULE, RDATE and EXDATE and applies moved or
cancelled occurrences. icalendar's components know no line numbers, so this module first
reads the file's lines itself: it unfolds them, finds each ``BEGIN:VEVENT`` (the line an
error about the event points to), and leaves out, each with a located note, the events
that are never closed and the lines that are not ``NAME:value``. Only the properties
that make an event's dates reach icalendar; the title, status and people (SUMMARY,
STATUS, ORGANIZER, ATTENDEE: plain text and addresses, most of an event's lines) are
read from the split lines here, and events far from the range are only counted, which
keeps 20,000 events a matter of seconds.

Nothing here raises for a bad event: each becomes a ``RowNote`` at its line. A file that
cannot be read at all raises ``ImportFileError``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import icalendar
import recurring_ical_events
import x_wr_timezone

from netkb.core.records import CALENDAR_SOURCE
from netkb.interchange.importers.rows import ImportFileError, RowNote, decode
from netkb.load.calendar_settings import known_zone

MAX_CALENDAR_BYTES = 40 * 1024 * 1024  # a decade of a busy calendar is a few MB
MAX_UID = 255  # characters of an event's UID kept in the `source` field
MAX_TITLE = 200  # characters of a title kept as the summary
# The properties the import reads; the rest (descriptions, alarms, X- properties) never
# reach the parser.
EVENT_PROPERTIES = frozenset(
    {"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)
# Read here from the split lines, not by icalendar: plain text and addresses, most of an
# event's lines (a dozen parameters on each attendee), and nothing in them is a date.
PLAIN_PROPERTIES = frozenset({"SUMMARY", "STATUS", "ORGANIZER", "ATTENDEE"})
CALENDAR_PROPERTIES = frozenset({"VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-TIMEZONE"})
TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
# Properties an event has at most once (RFC 5545 §3.6.1).
SINGLE_PROPERTIES = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NAME = re.compile(r"[A-Za-z0-9-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Attendee:
    """Someone an event names: organizer or attendee."""

    email: str | None  # case-folded; None when the address is not mailto:
    name: str | None  # the CN parameter
    status: str  # PARTSTAT, upper case: ACCEPTED, DECLINED, NEEDS-ACTION…
    kind: str  # CUTYPE, upper case: INDIVIDUAL, ROOM, RESOURCE, GROUP…


@dataclass(frozen=True, slots=True)
class Meeting:
    """One occurrence of an event in the range: what a log entry is made of."""

    line: int  # the BEGIN:VEVENT of the event (of the moved occurrence, when moved)
    source: str  # ics:<UID> or ics:<UID>#<RECURRENCE-ID>
    date: dt.date  # local to the owner's time zone
    minutes: int | None  # None: all-day, several days, or no end given
    title: str
    people: tuple[Attendee, ...]  # the organizer first
    cancelled: bool


@dataclass(slots=True)
class CalendarRead:
    """What one .ics file holds within the range, and every event it could not use."""

    path: Path
    meetings: list[Meeting] = field(default_factory=list)
    errors: list[RowNote] = field(default_factory=list)  # events left out, and why
    notes: list[RowNote] = field(default_factory=list)  # values left out
    events: int = 0  # VEVENTs in the file
    outside: int = 0  # events with no occurrence in the range

    def where(self, line: int) -> str:
        """``file:line``, as the plan prints it."""
        return f"{self.path.name}:{line}"


def read_calendar(
    path: Path,
    data: bytes,
    *,
    zone: dt.tzinfo,
    since: dt.date,
    until: dt.date,
    progress: Callable[[int], None] | None = None,
) -> CalendarRead:
    """The meetings of the .ics ``data`` dated ``since``…``until`` in ``zone``.

    ``progress`` is called with 1 for each event. Raises ImportFileError for a file
    that is too large, not text, or not a calendar."""
    if len(data) > MAX_CALENDAR_BYTES:
        raise ImportFileError(
            f"{path}: {len(data):,} bytes is more than the {MAX_CALENDAR_BYTES // 2**20} MB "
            "a calendar import reads; export a shorter period (most calendar apps can) and "
            "import each file"
        )
    read = CalendarRead(path)
    scan = _scan(path, decode(path, data), read, since, until)
    read.events = len(scan.event_lines) + scan.events
    events, zone_name = _parse(scan, read)
    step = progress or (lambda count: None)
    step(read.events - len(events))  # far from the range, or unreadable: done with
    calendar = icalendar.Calendar()
    if zone_name is not None:
        calendar.add("X-WR-TIMEZONE", zone_name)
    usable: list[tuple[int, icalendar.Event]] = []
    for line, event in events:
        problem = _problem(event, scan.plain[line])
        if problem is None:
            usable.append((line, event))
            calendar.add_component(event)
        else:
            read.errors.append(RowNote(line, problem))
            step(1)
    # Google writes times in UTC and the calendar's zone once, as X-WR-TIMEZONE.
    try:
        standard = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # hostile values it trips on: the times stay as written
        read.notes.append(RowNote(1, f"X-WR-TIMEZONE cannot be applied: {_one_line(exc)}"))
        standard = calendar
    converted = [e for e in standard.subcomponents if e.name == "VEVENT"]
    lines = {id(event): line for (line, _), event in zip(usable, converted, strict=True)}
    for group in _series(converted):
        try:
            _expand(group, lines, scan.plain, zone, since, until, read)
        except Exception as exc:  # a library's surprise on hostile input: this event's line
            line = lines[id(group[0])]
            read.errors.append(RowNote(line, f"the event cannot be read: {_one_line(exc)}"))
        step(len(group))
    read.errors.sort(key=lambda note: note.line)
    read.notes.sort(key=lambda note: note.line)
    read.meetings.sort(key=lambda m: (m.date, m.line))
    return read


# -- the file's lines -------------------------------------------------------------------------


@dataclass(slots=True)
class _Plain:
    """The title, status and people of one event, as its lines give them."""

    title: str = ""
    status: str = ""
    people: list[Attendee] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # SUMMARY, STATUS… given twice


@dataclass(slots=True)
class _Scan:
    text: str = ""  # the calendar as icalendar gets it: unfolded, only what is used
    event_lines: list[int] = field(default_factory=list)  # BEGIN:VEVENT of each kept event
    plain: dict[int, _Plain] = field(default_factory=dict)  # by the line of the event
    events: int = 0  # events left out as far from the range


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, unfolded content line): a line that starts with a space or a tab
    continues the one before (RFC 5545 §3.1)."""
    current: list[str] = []
    start = 0
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if line[:1] in (" ", "\t") and current:
            current.append(line[1:])
            continue
        if current:
            yield start, "".join(current)
        current, start = [line], number
    if current:
        yield start, "".join(current)


def _scan(path: Path, text: str, read: CalendarRead, since: dt.date, until: dt.date) -> _Scan:
    """The file's components, checked for being closed, reduced to what the import uses:
    events far from the range are only counted."""
    scan = _Scan()
    start: str | None = None
    recurs = False
    plain = _Plain()
    seen: set[str] = set()
    kept: list[str] = []
    # (component, line of its BEGIN, index of that line in kept; None: not kept)
    stack: list[tuple[str, int, int | None]] = []
    seen_calendar = False

    def unclosed(depth: int) -> None:
        """Deal with the components open above ``depth`` that are never closed: an event
        or a time zone is left out; anything else is closed here."""
        while len(stack) > depth:
            name, line, index = stack.pop()
            if index is None:
                continue  # an alarm, a to-do…: not read anyway
            if name in ("VEVENT", "VTIMEZONE"):
                what = "event" if name == "VEVENT" else "time zone"
                read.errors.append(
                    RowNote(
                        line,
                        f"BEGIN:{name} is never closed (no END:{name}); the {what} is left out",
                    )
                )
                del kept[index:]
                if name == "VEVENT":  # events do not nest: it is the last one
                    del scan.plain[scan.event_lines.pop()]
            else:
                if name == "VCALENDAR":
                    read.notes.append(
                        RowNote(line, "BEGIN:VCALENDAR is never closed: was the file cut short?")
                    )
                kept.append(f"END:{name}")

    for number, line in _logical_lines(text):
        if not line.strip():
            continue
        name, parameters, colon, value = _split(line)
        if not colon or not _NAME.fullmatch(name):
            if stack:
                read.notes.append(
                    RowNote(
                        number,
                        f"{_clip(line, 40)!r} is not an iCalendar line (NAME:value); ignored",
                    )
                )
            continue
        upper = name.upper()
        if upper == "BEGIN":
            component = value.strip().upper()
            if component == "VCALENDAR":
                unclosed(0)
                seen_calendar = True
            elif not stack:
                if not seen_calendar:
                    break
                read.notes.append(
                    RowNote(number, f"BEGIN:{_clip(component, 20)} is outside a VCALENDAR; ignored")
                )
                continue
            elif component == "VEVENT":
                unclosed(1)  # an event sits in a calendar: one still open is never closed
            kept_here = component in ("VCALENDAR", "VEVENT", "VTIMEZONE") or (
                component in ("STANDARD", "DAYLIGHT") and stack[-1][0] == "VTIMEZONE"
            )
            stack.append((component, number, len(kept) if kept_here else None))
            if kept_here:
                kept.append(f"BEGIN:{component}")
            if component == "VEVENT":
                scan.event_lines.append(number)
                plain = scan.plain[number] = _Plain()
                start, recurs, seen = None, False, set()
            continue
        if upper == "END":
            component = value.strip().upper()
            depth = next(
                (i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == component), None
            )
            if depth is None:
                read.notes.append(
                    RowNote(number, f"END:{_clip(component, 20)} closes nothing; ignored")
                )
                continue
            unclosed(depth + 1)
            _, _, index = stack.pop()
            if index is None:
                continue
            if component == "VEVENT" and not recurs and _outside(start, since, until):
                # Years of past events: only those near the range are worth parsing.
                del kept[index:]
                del scan.plain[scan.event_lines.pop()]
                read.outside += 1
                scan.events += 1
                continue
            kept.append(f"END:{component}")
            continue
        if not stack or stack[-1][2] is None:
            continue
        wanted = {
            "VEVENT": EVENT_PROPERTIES,
            "VCALENDAR": CALENDAR_PROPERTIES,
        }.get(stack[-1][0])
        if wanted is None:  # time zones are kept whole
            kept.append(line)
        elif upper in wanted:
            if upper == "DTSTART":
                start = value.strip()
            elif upper in ("RRULE", "RDATE", "RECURRENCE-ID"):
                recurs = True
            kept.append(line)
        elif wanted is EVENT_PROPERTIES and upper in PLAIN_PROPERTIES:
            if upper in seen and upper != "ATTENDEE":
                plain.repeated.append(upper)
            seen.add(upper)
            _read_plain(plain, upper, parameters, value)
        # Descriptions, attachments, X- properties: not read.
    if not seen_calendar:
        raise ImportFileError(
            f"{path}: not an iCalendar file: no line BEGIN:VCALENDAR (export the calendar as .ics)"
        )
    unclosed(0)
    scan.text = "\r\n".join(kept) + "\r\n"
    return scan


def _split(line: str) -> tuple[str, str, bool, str]:
    """(name, parameters, whether there is a value, value) of a content line: the name
    ends at the first ``;`` or ``:``, the value starts at the first ``:`` outside quotes."""
    colon = line.find(":")
    semicolon = line.find(";", 0, colon if colon != -1 else len(line))
    name_end = semicolon if semicolon != -1 else colon if colon != -1 else len(line)
    if colon != -1 and '"' not in line[name_end:colon]:
        return line[:name_end], line[name_end:colon], True, line[colon + 1 :]
    quoted = False
    for index in range(name_end, len(line)):
        char = line[index]
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:name_end], line[name_end:index], True, line[index + 1 :]
    return line[:name_end], "", False, ""


def _parameters(parameters: str) -> list[str]:
    """``;CN="Doe; Jane";PARTSTAT=ACCEPTED`` → ``['CN="Doe; Jane"', 'PARTSTAT=ACCEPTED']``."""
    if '"' not in parameters:
        return [p for p in parameters.split(";") if p]
    found, current, quoted = [], [], False
    for char in parameters:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            found.append("".join(current))
            current = []
        else:
            current.append(char)
    found.append("".join(current))
    return [p for p in found if p]


def _outside(start: str | None, since: dt.date, until: dt.date) -> bool:
    """Whether a DTSTART value (``20261106T073000Z``, ``20261106``) is surely more than a
    day outside the range, whatever its time zone. Anything unclear is not."""
    if start is None or len(start) < 8 or not start[:8].isdigit():
        return False
    try:
        day = dt.date(int(start[:4]), int(start[4:6]), int(start[6:8]))
    except ValueError:
        return False
    return not since - 2 * DAY <= day <= until + 2 * DAY


def _parse(scan: _Scan, read: CalendarRead) -> tuple[list[tuple[int, icalendar.Event]], str | None]:
    """Each kept VEVENT with its line, and the calendar's X-WR-TIMEZONE when it is a zone
    this machine knows. An event icalendar cannot read is noted and left out."""
    try:
        calendars = icalendar.Calendar.from_ical(scan.text, multiple=True)
    except Exception:  # icalendar refuses the whole text: find the event at fault alone
        return _parse_one_by_one(scan, read), None
    events = [e for c in calendars for e in c.subcomponents if e.name == "VEVENT"]
    if len(events) != len(scan.event_lines):
        return _parse_one_by_one(scan, read), None
    zone_name = None
    for calendar in calendars:
        written = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        if written and known_zone(written):
            zone_name = written
        elif written:
            read.notes.append(
                RowNote(
                    1,
                    f"X-WR-TIMEZONE {_clip(written)!r} is not a known time zone; "
                    "ignored (times in UTC stay UTC)",
                )
            )
    return list(zip(scan.event_lines, events, strict=True)), zone_name


def _parse_one_by_one(scan: _Scan, read: CalendarRead) -> list[tuple[int, icalendar.Event]]:
    """The slow way, when the whole file does not parse: each event alone (with the
    file's time zones), so the one at fault is found and named."""
    blocks = _event_blocks(scan.text)
    timezones = "".join(blocks.pop(0))
    found = []
    for line, block in zip(scan.event_lines, blocks, strict=False):
        text = f"BEGIN:VCALENDAR\r\n{timezones}{''.join(block)}END:VCALENDAR\r\n"
        try:
            calendar = icalendar.Calendar.from_ical(text)
            found.append((line, next(e for e in calendar.subcomponents if e.name == "VEVENT")))
        except Exception as exc:  # icalendar's own words, on this event's line
            read.errors.append(RowNote(line, f"the event cannot be read: {_one_line(exc)}"))
    return found


def _event_blocks(text: str) -> list[list[str]]:
    """[the VTIMEZONE lines, then each VEVENT's lines] of a scanned calendar."""
    blocks: list[list[str]] = [[]]
    current: list[str] | None = None
    in_zone = False
    for line in text.split("\r\n"):
        upper = line.upper()
        if upper == "BEGIN:VEVENT":
            current = [line + "\r\n"]
        elif current is not None:
            current.append(line + "\r\n")
            if upper == "END:VEVENT":
                blocks.append(current)
                current = None
        else:
            in_zone = in_zone or upper == "BEGIN:VTIMEZONE"
            if in_zone:
                blocks[0].append(line + "\r\n")
            in_zone = in_zone and upper != "END:VTIMEZONE"
    return blocks


# -- one event ---------------------------------------------------------------------------------


def _problem(event: icalendar.Event, plain: _Plain) -> str | None:
    """Why the event cannot be imported, in one line; None when it can."""
    if plain.repeated:
        return f"{plain.repeated[0]} is given more than once; an event has one"
    for name in SINGLE_PROPERTIES:
        if isinstance(event.get(name), list):
            return f"{name} is given {len(event[name])} times; an event has one"
    for name, message in event.errors:
        if name in EVENT_PROPERTIES:
            raw = event.get(name)
            shown = getattr(raw, "to_ical", lambda: b"")()
            value = shown.decode("utf-8", "replace") if isinstance(shown, bytes) else str(shown)
            return f"{name} {_clip(value)!r} cannot be read: {_one_line(message)}"
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return "the event has no UID, so a later import could not recognise it"
    if len(uid) > MAX_UID or _CONTROL.search(uid):
        return f"UID {_clip(uid)!r} is not usable (control characters, or over {MAX_UID} long)"
    if "DTSTART" not in event:
        return "the event has no DTSTART: it has no date"
    for name in (*TIME_PROPERTIES, "EXDATE", "RDATE"):
        unknown = _unknown_zone(event, name)
        if unknown is not None:
            return (
                f"{name}: time zone {_clip(unknown)!r} is neither defined in the file "
                "(VTIMEZONE) nor a known zone name"
            )
    start = event.decoded("DTSTART")
    if "DTEND" in event:
        end = event.decoded("DTEND")
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            return "DTSTART and DTEND must both be dates or both be date-times"
        if _comparable(end, start) < _comparable(start, end):
            return f"it ends before it starts (DTSTART {start}, DTEND {end})"
    elif "DURATION" in event:
        duration = event.decoded("DURATION")
        if not isinstance(duration, dt.timedelta):
            return "DURATION must be a length of time, such as PT1H"
        if duration < dt.timedelta(0):
            return f"DURATION {event['DURATION'].to_ical().decode()} is negative"
    if not 1 <= _date_of(start).year <= 9998:
        return f"DTSTART {start} is out of range"
    return None


def _unknown_zone(event: icalendar.Event, name: str) -> str | None:
    """The TZID of property ``name`` when no zone could be found for it."""
    values = event.get(name)
    for value in values if isinstance(values, list) else [values]:
        if value is None:
            continue
        zone = value.params.get("TZID")
        if not zone:
            continue
        inner = getattr(value, "dt", None)
        dates = getattr(value, "dts", None)
        times = [inner] if inner is not None else [d.dt for d in dates or ()]
        if any(isinstance(t, dt.datetime) and t.tzinfo is None for t in times):
            return str(zone)
    return None


def _comparable(value: dt.date, other: dt.date) -> dt.datetime | dt.date:
    """A floating date-time compared with a zoned one is taken as UTC (both are wrong)."""
    mixed = isinstance(value, dt.datetime) and isinstance(other, dt.datetime)
    if mixed and (value.tzinfo is None) != (other.tzinfo is None):
        return value.replace(tzinfo=None if value.tzinfo else dt.UTC)
    return value


def _series(events: list[icalendar.Event]) -> list[list[icalendar.Event]]:
    """The events grouped by UID, in file order: a recurring event with its moved or
    cancelled occurrences is one group."""
    groups: dict[str, list[icalendar.Event]] = {}
    for event in events:
        groups.setdefault(str(event["UID"]).strip(), []).append(event)
    return list(groups.values())


def _expand(
    group: list[icalendar.Event],
    lines: dict[int, int],
    plain: dict[int, _Plain],
    zone: dt.tzinfo,
    since: dt.date,
    until: dt.date,
    read: CalendarRead,
) -> None:
    """The meetings of one UID in the range."""
    uid = str(group[0]["UID"]).strip()
    recurring = len(group) > 1 or any(
        "RRULE" in e or "RDATE" in e or "RECURRENCE-ID" in e for e in group
    )
    if not recurring:
        event = group[0]
        line = lines[id(event)]
        meeting = _meeting(event, line, plain[line], f"{CALENDAR_SOURCE}{uid}", zone)
        if since <= meeting.date <= until:
            read.meetings.append(meeting)
            _note_no_end(event, meeting.line, read)
        else:
            read.outside += 1
        return
    master = next((e for e in group if "RECURRENCE-ID" not in e), group[0])
    moved = {_recurrence_id(e.decoded("RECURRENCE-ID")): e for e in group if "RECURRENCE-ID" in e}
    calendar = icalendar.Calendar()
    for event in group:
        calendar.add_component(event)
    try:
        # A day more on each side: the range is in local dates, the query is not.
        occurrences = recurring_ical_events.of(calendar).between(since - DAY, until + 2 * DAY)
    except Exception as exc:  # a bad RRULE fails in many ways, all this event's
        read.errors.append(
            RowNote(lines[id(master)], f"the repetition cannot be worked out: {_one_line(exc)}")
        )
        return
    found = []
    for occurrence in occurrences:
        rid = _recurrence_id(occurrence.decoded("RECURRENCE-ID", occurrence.decoded("DTSTART")))
        origin = moved.get(rid, master)
        line = lines[id(origin)]
        meeting = _meeting(
            occurrence, line, plain[line], f"{CALENDAR_SOURCE}{uid}#{rid}", zone, origin
        )
        if since <= meeting.date <= until:
            found.append(meeting)
    read.meetings += found  # all of the series or, when it fails, none
    if found:
        _note_no_end(master, lines[id(master)], read)
    else:
        read.outside += 1


def _note_no_end(event: icalendar.Event, line: int, read: CalendarRead) -> None:
    """A timed event without an end lasts no time (RFC 5545): say why it has no minutes."""
    timed = isinstance(event.decoded("DTSTART"), dt.datetime)
    if timed and "DTEND" not in event and "DURATION" not in event:
        read.notes.append(RowNote(line, "no DTEND or DURATION: logged without minutes"))


def _meeting(
    event: icalendar.Event,
    line: int,
    plain: _Plain,
    source: str,
    zone: dt.tzinfo,
    origin: icalendar.Event | None = None,
) -> Meeting:
    """An occurrence as a meeting: local date, minutes, title, people, status."""
    start = event.decoded("DTSTART")
    written = origin if origin is not None else event
    minutes: int | None = None
    if isinstance(start, dt.datetime) and ("DTEND" in written or "DURATION" in written):
        end = event.decoded("DTEND") if "DTEND" in event else start + event.decoded("DURATION")
        length = _comparable(end, start) - _comparable(start, end)
        # A day or more is a trip or a conference, not time given to the people in it.
        if dt.timedelta(0) < length < DAY:
            minutes = round(length.total_seconds() / 60)
    return Meeting(
        line=line,
        source=source,
        date=_local_date(start, zone),
        minutes=minutes,
        title=plain.title,
        people=tuple(plain.people),
        cancelled=plain.status == "CANCELLED",
    )


def _read_plain(plain: _Plain, name: str, parameters: str, value: str) -> None:
    """Note a SUMMARY, STATUS, ORGANIZER or ATTENDEE line of an event in ``plain``."""
    if name == "SUMMARY":
        text = _CONTROL.sub(" ", _unescape(value))
        plain.title = _clip(" ".join(text.split()), MAX_TITLE)
    elif name == "STATUS":
        plain.status = value.strip().upper()
    else:
        attendee = _attendee(parameters, value)
        if name == "ORGANIZER":  # first: the one who asked for the meeting
            plain.people.insert(0, attendee)
        else:
            plain.people.append(attendee)


def _unescape(text: str) -> str:
    """RFC 5545 TEXT: ``\\,`` ``\\;`` ``\\\\`` and ``\\n`` as what they stand for."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _attendee(parameters: str, value: str) -> Attendee:
    """An ORGANIZER or ATTENDEE from its parameters (``;CN=…;PARTSTAT=…``) and address."""
    params: dict[str, str] = {}
    for parameter in _parameters(parameters):
        key, _, given = parameter.partition("=")
        given = given[1:-1] if len(given) > 1 and given[0] == given[-1] == '"' else given
        # RFC 6868: ^n a line break, ^' a double quote, ^^ a caret.
        given = re.sub(r"\^([n'^])", lambda m: {"n": " ", "'": '"', "^": "^"}[m.group(1)], given)
        params.setdefault(key.strip().upper(), given)
    address = value.strip()
    email = None
    if address.lower().startswith("mailto:"):
        email = address[len("mailto:") :].strip().casefold() or None
    name = " ".join(_CONTROL.sub(" ", params.get("CN", "")).split()) or None
    if email == (name or "").casefold():  # Outlook writes the address as the name
        name = None
    return Attendee(
        email=email,
        name=_clip(name, MAX_TITLE) if name else None,
        status=params.get("PARTSTAT", "NEEDS-ACTION").strip().upper(),
        kind=params.get("CUTYPE", "INDIVIDUAL").strip().upper(),
    )


def _local_date(start: dt.date, zone: dt.tzinfo) -> dt.date:
    """The date an event starts on where the owner lives (a floating time is local)."""
    if isinstance(start, dt.datetime):
        return (start.astimezone(zone) if start.tzinfo else start).date()
    return start


def _date_of(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _recurrence_id(value: dt.date) -> str:
    """RFC 5545's form of an occurrence's original start, in UTC when it has a zone, so
    the same occurrence has the same id whatever zone the next export writes it in."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _one_line(error: object) -> str:
    return _clip(" ".join(str(error).split()), 160)
