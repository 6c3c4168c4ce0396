"""Every field netkb knows, in one catalogue: contacts, organisations, log entries, settings.

``netkb check`` uses it to recognise a near miss (``organisation:`` for
``organization:``, ``decision-maker`` for ``decision_maker``) and to advise on a
true-or-false field; the field reference (``docs/fields.md``, ``netkb fields``) is
generated from it. Tests hold it to what ``netkb.load.schema`` and ``netkb.load.settings``
actually read, so the reference cannot drift from ``check``.

Regenerate the reference after a change here::

    python -m netkb.load.fields > docs/fields.md
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from netkb.core.privacy import is_private_key
from netkb.core.ranges import EARLIEST, LATEST, MAX_CADENCE_YEARS, MAX_MINUTES
from netkb.core.records import DEFAULT_CADENCE_BY_CIRCLE, RELATION_INVERSES
from netkb.load.frontmatter import InvalidDate

#: Where a synonym points when what the user wrote belongs in the notes, not a field.
BODY = "the notes"

TEXT = "text"
TEXT_LIST = "text or list of text"
DATE = "date"
BOOLEAN = "true or false"
SLUG = "person's slug"
SLUG_LIST = "person's slug or list of them"
URL = "http(s) URL"
URL_LIST = "http(s) URL or list of them"

# How close an unknown field must be to a known one (difflib's ratio) to be a near miss:
# 0.8 catches one slip in a word of five or more letters (emial, organizaton, summery)
# and leaves a user's own short fields alone (team, spouse).
NEAR = 0.8
# Other names are a guess already: a slip in one must be closer (education is not duration).
NEAR_SYNONYM = 0.85
# Shorter keys are too often a user's own (meta is not a slip of met).
MIN_SLIP_LENGTH = 5

# The contact fields that hold a list (a single value is read as a list of one).
LIST_FIELDS = ("aliases", "email", "phone", "links", "tags", "expertise", "interests", "qualities")


def shown(value: Any) -> str:
    """A value as the plan prints it."""
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, InvalidDate):
        return value.text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


@dataclass(frozen=True, slots=True)
class Field:
    """One field: its name, the type of its value, what it means, and an example value."""

    name: str
    type: str
    meaning: str
    example: str  # the value as written after ``name: ``, in YAML
    required: bool = False
    # Read and checked by netkb, but kept with the unknown fields (shown as "Other fields").
    other: bool = False


# Compared and hashed by identity: there is one of each, and near misses are memoised by it.
@dataclass(frozen=True, slots=True, eq=False)
class FileKind:
    """The fields of one kind of file, and the other names people give them."""

    key: str  # what ``netkb fields KIND`` calls it
    title: str
    intro: str
    fields: tuple[Field, ...]
    # The usual other names of a field (``company`` → ``organization``), or BODY.
    synonyms: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Every field name, in the order of the reference."""
        return tuple(f.name for f in self.fields)

    def get(self, name: str) -> Field | None:
        """The field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)

    def near_miss(self, key: str) -> str | None:
        """The field an unknown ``key`` was probably meant to be (or BODY), or None.

        In order: the same name in another letter case or with ``-`` or a space for
        ``_`` (``Decision-Maker``); a usual other name (``company``); a slip of the
        keyboard (``organizaton``). Private keys (``_…``, ``private…``) are the user's
        own unless they are a known field in another spelling (``Private``).
        """
        return _near_miss(self, key)


# The same few fields of the user's own (pronouns, github) recur in thousands of files;
# difflib takes ~50 µs a key, so each key is judged once.
@functools.lru_cache(maxsize=4096)
def _near_miss(kind: FileKind, key: str) -> str | None:
    names = kind.names
    normal = _normal(key)
    if normal in names:
        return normal
    if is_private_key(key):
        return None
    squashed = normal.replace("_", "")
    for name in names:
        if name.replace("_", "") == squashed:  # decisionmaker, introducedby
            return name
    if normal in kind.synonyms:
        return kind.synonyms[normal]
    if len(normal) < MIN_SLIP_LENGTH:
        return None
    # A slip in a known name (organizaton), then in one of its other names (compnay).
    close = difflib.get_close_matches(normal, names, n=1, cutoff=NEAR)
    if close:
        return close[0]
    close = difflib.get_close_matches(normal, list(kind.synonyms), n=1, cutoff=NEAR_SYNONYM)
    return kind.synonyms[close[0]] if close else None


def _normal(key: str) -> str:
    """A key as netkb would spell it: lower case, words joined by ``_``."""
    return re.sub(r"[\s\-]+", "_", key.strip().casefold())


# true or false, when written as a word netkb can read without guessing.
_TRUE_WORDS = frozenset(["true", "yes", "y", "on", "1"])
_FALSE_WORDS = frozenset(["false", "no", "n", "off", "0"])


def boolean_word(word: str) -> bool | None:
    """What a word such as ``yes``, ``No`` or ``off`` means as true or false, or None."""
    folded = word.strip().casefold()
    if folded in _TRUE_WORDS:
        return True
    if folded in _FALSE_WORDS:
        return False
    return None


def _cadence_defaults() -> str:
    return ", ".join(
        f"{circle} → {cadence or 'none'}" for circle, cadence in DEFAULT_CADENCE_BY_CIRCLE.items()
    )


def _relation_types() -> str:
    """reports_to ↔ manages, mentor ↔ mentee, colleague, …: each pair once."""
    named: list[str] = []
    pairs: list[str] = []
    for kind, inverse in RELATION_INVERSES.items():
        if inverse in named:
            continue
        named.append(kind)
        pairs.append(kind if kind == inverse else f"{kind} ↔ {inverse}")
    return ", ".join(pairs)


_DATES = f"{EARLIEST.isoformat()} to {LATEST.isoformat()}"

CONTACT = FileKind(
    key="contact",
    title="Contacts: `contacts/<slug>.md`",
    intro=(
        "One file per person; subfolders are allowed. The file name without `.md` is the "
        "person's slug, which other files use to name them (`introduced_by`, `relations`, "
        "a log entry's `with`, `[[wikilinks]]`). Notes go below the front matter, in "
        "Markdown; everything under a heading named Private stays off the site."
    ),
    fields=(
        Field("name", TEXT, "The person's name, as you say it.", "Jane Doe", required=True),
        Field(
            "aliases",
            TEXT_LIST,
            "Other names: a nickname, a maiden name, another spelling; "
            "`[[wikilinks]]` find the person by them too.",
            "[Janie, J. Doe]",
        ),
        Field(
            "organization",
            TEXT,
            "The current employer. Everyone at one organisation shares its page; "
            "an `orgs/` file adds notes and aliases.",
            "Acme Corp",
        ),
        Field("role", TEXT, "The current position.", "CTO"),
        Field("email", TEXT_LIST, "Email addresses.", "[jane@acme.example]"),
        Field(
            "phone",
            TEXT_LIST,
            "Phone numbers. Quote them: YAML reads +49 30… as a number.",
            '["+49 30 1234567"]',
        ),
        Field(
            "links",
            URL_LIST,
            "Web pages about the person: LinkedIn, a website, a profile.",
            "[https://www.linkedin.com/in/janedoe]",
        ),
        Field("location", TEXT, "Where the person lives or works.", "Berlin"),
        Field(
            "photo",
            TEXT,
            "An image file inside the knowledge base (jpg, png, gif, webp), from its top "
            "folder; never a URL. Shown small on the person's page and in the people lists; "
            "a private person's photo is never copied into the site.",
            "photos/jane-doe.jpg",
        ),
        Field(
            "birthday",
            DATE,
            'YYYY-MM-DD, or "--MM-DD" (quoted) when you do not know the year; '
            "`netkb due` lists the coming birthdays.",
            "1985-04-12",
        ),
        Field("tags", TEXT_LIST, "Your own labels; each tag gets a page.", "[golf, alumni]"),
        Field(
            "expertise",
            TEXT_LIST,
            "What the person knows well; `netkb find` searches it and the site lists people by it.",
            "[machine learning, hiring]",
        ),
        Field("interests", TEXT_LIST, "What the person cares about.", "[sailing, jazz]"),
        Field(
            "qualities",
            TEXT_LIST,
            "What the person is like to work with.",
            "[generous, connector]",
        ),
        Field(
            "circle",
            "whole number 1 to 5",
            "How close you are: 1 inner circle … 5 acquaintance. It sets how often "
            "to keep in touch unless `cadence` says otherwise.",
            "2",
        ),
        Field(
            "decision_maker",
            BOOLEAN,
            "Whether the person decides on budgets or hiring where they work.",
            "true",
        ),
        Field("met", DATE, "The day you first met.", "2019-06-29"),
        Field("met_at", TEXT, "Where or how you met.", "PyCon Berlin"),
        Field("introduced_by", SLUG, "Who introduced you to the person.", "john-smith"),
        Field(
            "relations",
            "mapping of a relation type to slugs",
            "Typed links to other people, written on one side and shown on both: "
            f"{_relation_types()}. Other types are shown without an inverse.",
            "{reports_to: [john-smith], colleague: [ana-lee]}",
        ),
        Field(
            "distinct_from",
            "list of person's slugs",
            "People who look like this one (same name, email or LinkedIn URL) but are "
            "someone else: `check`, `new` and imports stop calling them possible duplicates. "
            "One of the two files is enough.",
            "[ana-lee]",
        ),
        Field(
            "cadence",
            "interval: Nd, Nw, Nm or Ny",
            "Keep in touch every N days, weeks, months or years (at most "
            f"{MAX_CADENCE_YEARS} years). Without it, the circle decides: "
            f"{_cadence_defaults()} (settings: `cadence_by_circle`).",
            "30d",
        ),
        Field(
            "last_contact",
            DATE,
            "The last time you were in touch, when no log entry says so; the later of "
            "this and the person's latest log entry counts.",
            "2026-10-02",
        ),
        Field(
            "private",
            BOOLEAN,
            "true: the person is never published: no page, no index, search, map, "
            "export or JSON output.",
            "false",
        ),
        Field(
            "history",
            "list of mappings",
            "Earlier positions, written by `netkb import` when someone changes jobs; "
            "shown with the other fields, and each `until` must be a date.",
            "[{organization: Globex, role: Engineer, until: 2024-05-01}]",
            other=True,
        ),
    ),
    synonyms=MappingProxyType(
        {
            "full_name": "name",
            "alias": "aliases",
            "nickname": "aliases",
            "organisation": "organization",
            "company": "organization",
            "employer": "organization",
            "org": "organization",
            "title": "role",
            "position": "role",
            "job": "role",
            "job_title": "role",
            "mail": "email",
            "e_mail": "email",
            "emails": "email",
            "mobile": "phone",
            "tel": "phone",
            "telephone": "phone",
            "phones": "phone",
            "linkedin": "links",
            "website": "links",
            "url": "links",
            "link": "links",
            "birthdate": "birthday",
            "date_of_birth": "birthday",
            "dob": "birthday",
            "city": "location",
            "tag": "tags",
            "skills": "expertise",
            "interest": "interests",
            "hobbies": "interests",
            "quality": "qualities",
            "introducer": "introduced_by",
            "referred_by": "introduced_by",
            "relation": "relations",
            "relationships": "relations",
            "notes": BODY,
            "note": BODY,
        }
    ),
)

ORGANISATION = FileKind(
    key="organisation",
    title="Organisations: `orgs/<slug>.md` (optional)",
    intro=(
        "An organisation named in a person's `organization` has a page whether or not it "
        "has a file; the file adds notes (below the front matter) and the other names "
        "people write it as."
    ),
    fields=(
        Field("name", TEXT, "The organisation's name.", "Acme Corp", required=True),
        Field("website", URL, "The organisation's website.", "https://acme.example"),
        Field("tags", TEXT_LIST, "Your own labels.", "[client, robotics]"),
        Field(
            "aliases",
            TEXT_LIST,
            "Other names of the organisation; a person whose `organization` is one of "
            "them works here.",
            '[Acme, "ACME Inc."]',
        ),
    ),
    synonyms=MappingProxyType(
        {
            "url": "website",
            "homepage": "website",
            "site": "website",
            "web": "website",
            "link": "website",
            "links": "website",
            "alias": "aliases",
            "tag": "tags",
            "notes": BODY,
            "note": BODY,
        }
    ),
)

INTERACTION = FileKind(
    key="log",
    title="Log entries: `log/<anything>.md`",
    intro=(
        "One file per interaction (a lunch, a call, a round of golf, a favour); "
        "subfolders are allowed, and `netkb log` writes them as "
        "`log/<year>/<date>-<kind>-<slug>.md`. Notes of the meeting go below the front matter."
    ),
    fields=(
        Field("date", DATE, "The day it happened.", "2026-10-02", required=True),
        Field(
            "with",
            SLUG_LIST,
            "The people you met, by slug.",
            "[jane-doe, john-smith]",
            required=True,
        ),
        Field(
            "kind",
            TEXT,
            "What it was: lunch, coffee, call, meeting, event, golf, email, message, intro, "
            "other, or a word of your own. Without it: other.",
            "lunch",
        ),
        Field(
            "minutes",
            f"whole number 0 to {MAX_MINUTES}",
            "The time you invested; it counts toward the time budget.",
            "90",
        ),
        Field(
            "favor",
            "given or received",
            "A favour: given (you helped them) or received (they helped you). The balance "
            "of favours with a person is given minus received.",
            "given",
        ),
        Field(
            "summary",
            TEXT,
            "One line about it, shown in timelines, `netkb due` and the journal.",
            "Talked about the Berlin office",
        ),
        Field(
            "source",
            TEXT,
            "Where an imported entry came from, written by `netkb import calendar`: "
            "`ics:` and the event's UID (and `#` its recurrence id). A later import "
            "recognises the entry by it and never writes it again.",
            "ics:8f3a2c@google.com",
        ),
    ),
    synonyms=MappingProxyType(
        {
            "when": "date",
            "day": "date",
            "people": "with",
            "person": "with",
            "attendees": "with",
            "participants": "with",
            "contacts": "with",
            "who": "with",
            "type": "kind",
            "category": "kind",
            "duration": "minutes",
            "length": "minutes",
            "favour": "favor",
            "favours": "favor",
            "favors": "favor",
            "title": "summary",
            "subject": "summary",
            "topic": "summary",
            "notes": BODY,
            "note": BODY,
        }
    ),
)

SETTINGS = FileKind(
    key="settings",
    title="Settings: `mkdocs.yml` → `extra.netkb`",
    intro=(
        "netkb's own settings, under `extra:` → `netkb:` in the knowledge base's "
        "`mkdocs.yml` (the rest of that file is MkDocs' own). Every one is optional."
    ),
    fields=(
        Field("owner", TEXT, "Your name: whose network this is.", "Pablo Valle"),
        Field(
            "work_hours_per_week",
            "number, 1 to 168",
            "Your working hours in a week (default 40).",
            "40",
        ),
        Field(
            "networking_share",
            "fraction, above 0 up to 1",
            "The share of your working time to invest in people (default 0.05, the 5% "
            "rule). With `work_hours_per_week` it sets the weekly time budget.",
            "0.05",
        ),
        Field(
            "cadence_by_circle",
            "mapping: circle 1 to 5 → interval",
            "How often to keep in touch with a person who has no `cadence`, by circle; "
            f"an empty value means never. Default: {_cadence_defaults()}.",
            "{1: 14d, 2: 30d, 3: 90d, 4: 180d}",
        ),
        Field(
            "redact",
            "list of: email, phone, birthday, location, notes, favours, organisation, "
            "minutes, names",
            "What a redacted site (`--redact`) hides. Default: email, phone, birthday, "
            "location, notes; names stay.",
            "[email, phone, birthday, location, notes]",
        ),
        Field(
            "retention",
            "interval: Nd, Nw, Nm or Ny",
            "Opt-in: `check` warns (NK173) about each person with neither an interaction "
            "nor a committed edit of their file for longer than this, so old data is "
            "reviewed rather than kept forever.",
            "3y",
        ),
        Field(
            "owner_emails",
            "email or list of them",
            "Your own addresses: `netkb import calendar` leaves you out of the people an "
            "event is with, and skips events you declined.",
            "[pablo@example.org]",
        ),
        Field(
            "timezone",
            "IANA time zone name",
            "Your time zone: an imported event is logged on its date there (default: this "
            "machine's).",
            "Europe/Berlin",
        ),
        Field(
            "calendar_kinds",
            "mapping: kind → words of a title",
            "Words of your own that give an imported event its kind, added to netkb's "
            "(lunch, coffee, call, golf, dinner…); otherwise an event is a meeting.",
            "{golf: [golf, tee time], coffee: [fika]}",
        ),
    ),
)

KINDS: tuple[FileKind, ...] = (CONTACT, ORGANISATION, INTERACTION, SETTINGS)

# --- the reference ---------------------------------------------------------------------

GENERATED = (
    "<!-- Generated from netkb/load/fields.py: python -m netkb.load.fields > docs/fields.md -->\n"
)
WIDTH = 88

_HEADER = f"""\
# Fields

Every field `netkb check` knows, for contacts, organisations, log entries and
settings. `netkb fields` prints this reference as the installed netkb has it;
`netkb fields contact` (or `organisation`, `log`, `settings`) prints one part.

- **Text** is any YAML string. Quote it when YAML would read something else:
  `phone: "+49 30 1234567"`, `country: "NO"`, `zip: "01234"`.
- **A list** accepts a single value too: `tags: golf` means `tags: [golf]`.
- **Dates** are real calendar dates written YYYY-MM-DD, from {_DATES}.
- **true or false** is written `true` or `false`. netkb reads `yes`/`no`/`on`/`off`
  as true or false too, but other YAML tools read them as text, so `check` warns
  (NK137).
- **Other fields** are allowed: a page shows them under "Other fields". One that is
  close to a field below, or a usual other name for it (`company`, `title`,
  `linkedin`, `notes`), gets a warning that names the field netkb knows (NK136);
  rename it if it really is a field of your own.
- **Private:** a key that starts with `private` or `_`, at any depth, never reaches
  the site, an export or a JSON output.
"""


def _warned(kind: FileKind, target: str) -> str:
    """`` `check` warns about `company` and `org`.`` for the other names of ``target``."""
    others = [f"`{synonym}`" for synonym, meant in kind.synonyms.items() if meant == target]
    if not others:
        return ""
    listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return f" `check` warns about {listed}."


def _wrap(text: str, indent: str = "") -> list[str]:
    """``text`` in lines of at most WIDTH characters, the later ones indented."""
    return textwrap.wrap(
        text,
        WIDTH,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def section(kind: FileKind) -> str:
    """The reference of one kind of file, in Markdown."""
    lines = [f"## {kind.title}", "", *_wrap(kind.intro + _warned(kind, BODY)), ""]
    for item in kind.fields:
        kinds = f"{item.type}, **required**" if item.required else item.type
        lines += _wrap(f"- `{item.name}` ({kinds}). {item.meaning}{_warned(kind, item.name)}", "  ")
        lines.append(f"  Example: `{item.name}: {item.example}`")
    lines += ["", "Every field at once:", "", "```yaml", example_file(kind).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def example_file(kind: FileKind) -> str:
    """The YAML of a file with every field of ``kind`` set to its example."""
    body = "".join(f"{item.name}: {item.example}\n" for item in kind.fields)
    if kind is SETTINGS:
        indented = "".join(f"    {line}\n" for line in body.splitlines())
        return f"extra:\n  netkb:\n{indented}"
    return f"---\n{body}---\n"


def reference(kinds: tuple[FileKind, ...] = KINDS) -> str:
    """The field reference in Markdown: everything when ``kinds`` is all of them."""
    parts = [section(kind) for kind in kinds]
    if kinds == KINDS:
        parts.insert(0, _HEADER)
    return "\n".join(parts)


def kind_named(key: str) -> FileKind | None:
    """The kind ``netkb fields KIND`` names (contact, organisation, log, settings), or None."""
    return next((kind for kind in KINDS if kind.key == key), None)


def generated_file() -> str:
    """``docs/fields.md``: the whole reference, marked as generated."""
    return GENERATED + reference()


if __name__ == "__main__":
    # Written with "\n" line ends on every system, as committed.
    sys.stdout.buffer.write(generated_file().encode("utf-8"))
