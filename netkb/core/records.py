"""The records of a knowledge base: immutable, and each knows where it came from."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from netkb.core.problems import Problem

KeyPath = tuple[str | int, ...]

# Relation types with their inverse (DESIGN.md §2). Others are shown without one.
RELATION_INVERSES: Mapping[str, str] = MappingProxyType(
    {
        "reports_to": "manages",
        "manages": "reports_to",
        "mentor": "mentee",
        "mentee": "mentor",
        "colleague": "colleague",
        "friend": "friend",
        "family": "family",
        "partner": "partner",
        "knows": "knows",
    }
)


@dataclass(frozen=True, slots=True)
class Source:
    """The file a record came from and the (line, column) of each of its values and keys."""

    path: Path
    locations: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    body_line: int = 1
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def at(self, *key_path: str | int) -> tuple[int, int]:
        """Where the value at ``key_path`` is written; its nearest written parent otherwise."""
        path = tuple(key_path)
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return self.locations.get((), (1, 1))

    def key_at(self, *key_path: str | int) -> tuple[int, int]:
        """Where the key of the value at ``key_path`` is written; ``at`` when unknown."""
        return self.keys.get(tuple(key_path)) or self.at(*key_path)


@dataclass(frozen=True, slots=True)
class Cadence:
    """A keep-in-touch interval such as ``30d``, ``6w``, ``3m`` or ``1y``."""

    count: int
    unit: str  # d, w, m, y

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def after(self, day: dt.date) -> dt.date:
        """The date one interval after ``day`` (months and years follow the calendar)."""
        if self.unit == "d":
            return day + dt.timedelta(days=self.count)
        if self.unit == "w":
            return day + dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        year, month = divmod(day.month - 1 + months, 12)
        year += day.year
        last = calendar.monthrange(year, month + 1)[1]
        return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday; the year is unknown when written as ``--MM-DD``."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def next_after(self, today: dt.date) -> dt.date:
        """The next occurrence on or after ``today`` (29 February falls on 28 February)."""
        for year in (today.year, today.year + 1):
            last = calendar.monthrange(year, self.month)[1]
            day = dt.date(year, self.month, min(self.day, last))
            if day >= today:
                return day
        raise AssertionError("unreachable: a birthday recurs within a year")


@dataclass(frozen=True, slots=True)
class Person:
    slug: str
    name: str
    source: Source
    aliases: tuple[str, ...] = ()
    organization: str | None = None
    role: str | None = None
    email: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    location: str | None = None
    photo: str | None = None  # an image file, from the KB root: photos/jane-doe.jpg
    birthday: Birthday | None = None
    tags: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    qualities: tuple[str, ...] = ()
    circle: int | None = None
    decision_maker: bool = False
    met: dt.date | None = None
    met_at: str | None = None
    introduced_by: str | None = None
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    distinct_from: tuple[str, ...] = ()  # slugs of people who only look like this one
    cadence: Cadence | None = None
    last_contact: dt.date | None = None
    private: bool = False
    # Left out of repr: a record printed (a log line, a template) never shows its notes.
    extra: tuple[tuple[str, Any], ...] = field(default=(), repr=False)
    body: str = field(default="", repr=False)


CALENDAR_SOURCE = "ics:"  # how the `source` of an entry from a calendar starts


@dataclass(frozen=True, slots=True)
class Interaction:
    slug: str
    date: dt.date
    with_: tuple[str, ...]
    source: Source
    kind: str = "other"
    minutes: int = 0
    favor: str | None = None  # "given" | "received"
    summary: str | None = None
    imported_from: str | None = None  # the `source` field: ics:<UID>[#<RECURRENCE-ID>]
    # Left out of repr: a record printed (a log line, a template) never shows its notes.
    extra: tuple[tuple[str, Any], ...] = field(default=(), repr=False)
    body: str = field(default="", repr=False)

    @property
    def from_calendar(self) -> bool:
        """Whether ``netkb import calendar`` wrote this entry (its ``source`` says so)."""
        return (self.imported_from or "").startswith(CALENDAR_SOURCE)


@dataclass(frozen=True, slots=True)
class Organisation:
    slug: str
    name: str
    source: Source
    website: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    # Left out of repr: a record printed (a log line, a template) never shows its notes.
    extra: tuple[tuple[str, Any], ...] = field(default=(), repr=False)
    body: str = field(default="", repr=False)


DEFAULT_CADENCE_BY_CIRCLE: Mapping[int, Cadence | None] = MappingProxyType(
    {1: Cadence(14, "d"), 2: Cadence(30, "d"), 3: Cadence(90, "d"), 4: Cadence(180, "d"), 5: None}
)


# What ``--redact`` can hide (``netkb.link.redact``) and what it hides unless told
# otherwise (``extra.netkb.redact``, DESIGN.md §5): names stay by default.
REDACTABLE: tuple[str, ...] = (
    "email",
    "phone",
    "birthday",
    "location",
    "notes",
    "favours",
    "organisation",
    "minutes",
    "names",
)
DEFAULT_REDACT: tuple[str, ...] = ("email", "phone", "birthday", "location", "notes")


@dataclass(frozen=True, slots=True)
class Settings:
    """``extra.netkb`` in mkdocs.yml plus the few MkDocs settings netkb relies on."""

    owner: str = "Me"
    work_hours_per_week: float = 40.0
    networking_share: float = 0.05
    cadence_by_circle: Mapping[int, Cadence | None] = field(
        default_factory=lambda: DEFAULT_CADENCE_BY_CIRCLE
    )
    site_name: str = "My network"
    docs_dir: str = ".netkb/docs"
    site_dir: str = "site"
    use_directory_urls: bool = True  # MkDocs' default: page/ rather than page.html
    site_url: str | None = None  # mkdocs.yml's site_url: where the built site is served
    owner_emails: tuple[str, ...] = ()  # your own addresses, case-folded (calendar import)
    timezone: str | None = None  # IANA name; None: the machine's own
    calendar_kinds: Mapping[str, tuple[str, ...]] = field(  # kind → title words, your own
        default_factory=lambda: MappingProxyType({})
    )
    redact: tuple[str, ...] = DEFAULT_REDACT  # what --redact hides
    retention: Cadence | None = None  # warn about people untouched for longer (opt-in)
    redacted: tuple[str, ...] = ()  # what this network has had hidden: the site says so


@dataclass(frozen=True, slots=True)
class Network:
    """Everything ``load`` found: records keyed by slug, settings, and every problem."""

    root: Path
    people: Mapping[str, Person]
    organisations: Mapping[str, Organisation]
    interactions: tuple[Interaction, ...]
    settings: Settings
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")
