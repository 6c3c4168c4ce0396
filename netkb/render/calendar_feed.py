"""The network's dates as an iCalendar feed (RFC 5545): follow-ups and birthdays.

``netkb export calendar`` writes it, and ``build`` puts it in the private site as
``calendar.ics`` for a calendar app to subscribe to. It lives with the pages because it
links to them (``urls`` owns every page address).

- Each follow-up due within ``FOLLOW_UP_DAYS`` (``Facts.due``, never recomputed here) is
  an all-day event on its due date; an overdue one is on today, saying since when.
- Each birthday is a yearly all-day event. A birthday without a year (``--04-12``) starts
  in ``NO_YEAR``, a leap year so that 29 February exists; 29 February falls on the last
  day of February in other years, as ``Birthday.next_after`` has it.
- UIDs are the person's slug and the kind of event, so a refreshed feed replaces its
  events instead of adding to them; DTSTAMP is today, so the same network on the same
  day gives the same bytes.
- Private people are never in it; only names, dates, the last contact and page links are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import icalendar

from netkb.core.records import Person
from netkb.link.derive import Facts
from netkb.link.followups import Relationship
from netkb.render.urls import page_url, person_page

FOLLOW_UP_DAYS = 30  # follow-ups due up to this many days ahead are in the feed
NO_YEAR = 2000
PRODID = "-//netkb//calendar feed//EN"
UID_DOMAIN = "netkb.invalid"  # RFC 2606: a name that is never anyone's host
_BEGIN_EVENT = b"BEGIN:VEVENT\r\n"
_END_CALENDAR = b"END:VCALENDAR\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One all-day event of the feed, before icalendar writes it."""

    uid: str
    title: str
    day: dt.date
    description: str
    url: str | None = None
    yearly: bool = False  # a birthday: every year
    leap_day: bool = False  # on 29 February: every year on the last day of February


@dataclass(frozen=True, slots=True)
class Feed:
    """What the feed holds, cheap to work out; ``ics`` writes it (icalendar, the slow part)."""

    name: str
    today: dt.date
    events: tuple[FeedEvent, ...]

    def key(self) -> str:
        """A digest of everything the written feed depends on: equal keys, equal bytes."""
        return hashlib.sha256(
            repr((PRODID, self.name, self.today, self.events)).encode()
        ).hexdigest()

    def ics(self) -> bytes:
        """The feed as RFC 5545 text."""
        return self.written({})[0]

    def written(self, known: Mapping[str, bytes]) -> tuple[bytes, list[str]]:
        """The feed as RFC 5545 text, and the key of each of its events in order.

        ``known``: events written before, by key (``event_chunks`` of a feed and its keys):
        those are not written again. icalendar writes a calendar as its own lines with
        each event's lines inside, so the text is the same as writing all of it at once
        (``tests/test_calendar_export.py`` holds it so)."""
        calendar = self._calendar()
        stamp = dt.datetime.combine(self.today, dt.time(), dt.UTC)
        empty = calendar.to_ical()
        end = empty.rindex(_END_CALENDAR)
        keys, chunks = [], []
        for event in self.events:
            key = hashlib.sha256(repr((PRODID, stamp, event)).encode()).hexdigest()
            keys.append(key)
            chunk = known.get(key)
            chunks.append(chunk if chunk is not None else _event(event, stamp).to_ical())
        return empty[:end] + b"".join(chunks) + empty[end:], keys

    def _calendar(self) -> icalendar.Calendar:
        calendar = icalendar.Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "PUBLISH")
        calendar.add("X-WR-CALNAME", _text(self.name))
        return calendar


def event_chunks(ics: bytes) -> list[bytes]:
    """The text of each event of a feed ``Feed.written`` wrote, in order ([] if it is not
    one: a line of an event never starts with BEGIN:VEVENT, its values are escaped)."""
    start = ics.find(_BEGIN_EVENT)
    end = ics.rfind(_END_CALENDAR)
    if start == -1 or end == -1 or not ics.startswith(b"BEGIN:VCALENDAR\r\n"):
        return []
    return [_BEGIN_EVENT + part for part in ics[start:end].split(_BEGIN_EVENT)[1:]]


def calendar_feed(facts: Facts, *, site_url: str | None, today: dt.date) -> bytes:
    """The feed of ``facts`` as of ``today``: follow-ups and birthdays of public people.

    ``site_url`` (mkdocs.yml's ``site_url``) makes page links absolute; without it the
    description names the page's path in the site."""
    return feed(facts, site_url=site_url, today=today).ics()


def feed(facts: Facts, *, site_url: str | None, today: dt.date) -> Feed:
    """What ``calendar_feed`` writes, as data (``Feed.key`` tells whether it changed)."""
    facts = facts.as_of(today)
    directory = facts.settings.use_directory_urls
    events = []
    for standing in follow_ups(facts):
        person = facts.people[standing.slug]
        link = _link(person, site_url, directory)
        events.append(_follow_up(facts, person, standing, link, today))
    for person in birthdays(facts):
        events.append(_birthday(person, _link(person, site_url, directory)))
    name = f"{facts.settings.site_name}: follow-ups and birthdays"
    return Feed(name, today, tuple(events))


def follow_ups(facts: Facts) -> list[Relationship]:
    """The follow-ups the feed holds: public people due by ``FOLLOW_UP_DAYS`` from today."""
    return [s for s in facts.due(FOLLOW_UP_DAYS, among=facts.public) if s.follow_up]


def birthdays(facts: Facts) -> list[Person]:
    """The people whose birthday the feed holds: every public person who has one."""
    return [p for p in facts.public.values() if p.birthday is not None]


def _follow_up(
    facts: Facts,
    person: Person,
    standing: Relationship,
    link: str,
    today: dt.date,
) -> FeedEvent:
    follow_up = standing.follow_up
    assert follow_up is not None  # follow_ups() keeps only these
    day = max(follow_up.due, today)
    title = f"Follow up: {person.name}"
    if follow_up.overdue:
        title += f" ({follow_up.days_overdue} d overdue)"
    lines = [f"Keep in touch every {follow_up.cadence}; due {follow_up.due}."]
    last = standing.last
    if standing.last_contact is None:
        lines.append("No contact logged yet.")
    elif last is not None and last.date == standing.last_contact:
        about = f": {last.summary}" if last.summary else ""
        lines.append(f"Last contact {standing.last_contact} ({last.kind}{about}).")
    else:
        lines.append(f"Last contact {standing.last_contact}.")
    lines.append(link)
    url = link if link.startswith(("https://", "http://")) else None
    return FeedEvent(f"followup-{person.slug}", title, day, "\n".join(lines), url)


def _birthday(person: Person, link: str) -> FeedEvent:
    birthday = person.birthday
    assert birthday is not None  # birthdays() keeps only these
    year = birthday.year or NO_YEAR
    born = f"Born {birthday}." if birthday.year else "Year of birth unknown."
    url = link if link.startswith(("https://", "http://")) else None
    return FeedEvent(
        f"birthday-{person.slug}",
        f"Birthday: {person.name}",
        dt.date(year, birthday.month, birthday.day),
        f"{born}\n{link}",
        url,
        yearly=True,
        leap_day=(birthday.month, birthday.day) == (2, 29),
    )


def _event(spec: FeedEvent, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("UID", _text(f"{spec.uid}@{UID_DOMAIN}"))
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", spec.day)
    event.add("DTEND", spec.day + dt.timedelta(days=1))
    event.add("SUMMARY", _text(spec.title))
    event.add("TRANSP", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
    if spec.yearly:
        rule: dict[str, object] = {"FREQ": "YEARLY"}
        if spec.leap_day:  # every year, on the last day of February
            rule.update({"BYMONTH": 2, "BYMONTHDAY": -1})
        event.add("RRULE", rule)
    event.add("DESCRIPTION", _text(spec.description))
    if spec.url:
        event.add("URL", spec.url)
    return event


def _link(person: Person, site_url: str | None, directory: bool) -> str:
    """The person's page: a URL under ``site_url``, else its path in the site."""
    path = quote(page_url(person_page(person.slug), directory), safe="/.-_~")
    if site_url:
        return site_url.rstrip("/") + "/" + path
    return f"Page in the site: {path}"


def _text(value: str) -> str:
    """Text without control characters (a name could hold any): icalendar escapes line
    breaks, commas and semicolons itself."""
    return _CONTROL.sub(" ", value)
