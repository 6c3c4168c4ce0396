"""Turn parsed front matter into records, checking every field's type (DESIGN.md §2–§4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from netkb.core.problems import Problem, error, warning
from netkb.core.ranges import (
    EARLIEST,
    LATEST,
    MAX_MINUTES,
    brief,
    date_range_error,
    minutes_error,
)
from netkb.core.records import Birthday, Cadence, Interaction, Organisation, Person, Source
from netkb.core.slugs import file_name_problem
from netkb.load.cadence import CADENCE, parse_cadence, read_cadence  # noqa: F401 (re-exported)
from netkb.load.fields import (
    BODY,
    BOOLEAN,
    CONTACT,
    INTERACTION,
    ORGANISATION,
    Field,
    FileKind,
    boolean_word,
)
from netkb.load.frontmatter import Document, InvalidDate
from netkb.load.photos import check_photo

_BIRTHDAY_NO_YEAR = re.compile(r"--([0-9]{2})-([0-9]{2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
# Numbers whose digits YAML changes: 01234 → 668, +4930… → 4930…, 1:30 → 90, 1_000 → 1000.
_CHANGED_NUMBER = re.compile(r"[-+]?0[0-9_xob]|\+|.*[:_]")
FAVORS = ("given", "received")
# The usual kinds of interaction (DESIGN.md §3); a word of the user's own is allowed too.
INTERACTION_KINDS = (
    "lunch", "coffee", "call", "meeting", "event", "golf", "email", "message", "intro", "other",
)  # fmt: skip


def describe(value: Any) -> str:
    """How YAML read a value, in the user's words."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date | InvalidDate):
        return "a date"
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


class FieldReader:
    """Reads typed fields out of one document, collecting located problems."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        assert doc.meta is not None
        self.doc = doc
        self.meta = doc.meta
        self.problems = problems
        self.source = Source(
            doc.path,
            doc.locations,
            doc.body_line,
            doc.key_locations,
        )

    def fail(self, key_path: tuple[str | int, ...], code: str, message: str) -> None:
        line, column = self.source.at(*key_path)
        self.problems.append(error(self.doc.path, line, column, code, message))

    def warn(self, where: tuple[int, int], code: str, message: str) -> None:
        """A warning at ``where``, a (line, column) of this file."""
        line, column = where
        self.problems.append(warning(self.doc.path, line, column, code, message))

    def _quote_hint(self, key_path: tuple[str | int, ...]) -> str:
        """How to write the value at ``key_path`` so YAML reads it as text."""
        raw = self.doc.written.get(key_path, "")
        if not raw:
            return "quote it"
        if isinstance(key_path[-1], int):
            return f'quote it: "{raw}"'
        return f'quote it: {key_path[-1]}: "{raw}"'

    def _shown(self, key_path: tuple[str | int, ...], value: Any) -> str:
        """A value as the user wrote it (true, not Python's True)."""
        return self.doc.written.get(key_path) or repr(value)

    def _text_value(self, value: Any, key_path: tuple[str | int, ...], key: str) -> str | None:
        if isinstance(value, str):
            return value
        if value is None:
            return None
        if isinstance(value, list | dict):
            self.fail(key_path, "NK121", f"{key} must be text, not {describe(value)}")
        else:
            self.fail(
                key_path,
                "NK121",
                f"{key} is read as {describe(value)}, not text; {self._quote_hint(key_path)}",
            )
        return None

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                if key in self.meta:
                    self.fail((key,), "NK120", f"{key} is empty; it is required")
                else:
                    self.fail((), "NK120", f"{key} is missing; add a line '{key}: …'")
            return None
        text = self._text_value(value, (key,), key)
        return text.strip() if text is not None else None

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            single = self._text_value(value, (key,), key)
            return (single.strip(),) if single and single.strip() else ()
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, list | dict):
                self.fail((key, index), "NK126", f"{key} must be a list of text, not nested lists")
                continue
            text = self._text_value(item, (key, index), key)
            if text is not None and text.strip():
                items.append(text.strip())
        return tuple(items)

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.fail((), "NK120", f"{key} is missing; add a line '{key}: YYYY-MM-DD'")
            return None
        return self._date_at(value, (key,), key)

    def _date_at(self, value: Any, key_path: tuple[str | int, ...], key: str) -> dt.date | None:
        """The date ``value`` (at ``key_path``, named ``key`` in messages), or a problem."""
        day = None
        if isinstance(value, dt.datetime):  # a time of day is allowed; the day counts
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, InvalidDate):
            self.fail(key_path, "NK122", f"{key} {value.text} is not a real calendar date")
            return None
        elif isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                if _ISO_DATE.fullmatch(value.strip()):
                    self.fail(
                        key_path, "NK122", f"{key} {value.strip()} is not a real calendar date"
                    )
                    return None
        if day is None:
            shown = brief(self._shown(key_path, value))
            self.fail(key_path, "NK122", f"{key} must be a date written YYYY-MM-DD, not {shown}")
            return None
        problem = date_range_error(day, key)
        if problem is not None:
            self.fail(key_path, "NK134", problem)
            return None
        return day

    def birthday(self, key: str = "birthday") -> Birthday | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return self._birthday_in_range(key, value)
        if isinstance(value, str):
            match = _BIRTHDAY_NO_YEAR.fullmatch(value.strip())
            if match:
                month, day = int(match[1]), int(match[2])
                try:
                    dt.date(2000, month, day)  # a leap year: --02-29 is a real birthday
                except ValueError:
                    pass
                else:
                    return Birthday(month, day)
            else:
                try:
                    date = dt.date.fromisoformat(value.strip())
                except ValueError:
                    pass
                else:
                    return self._birthday_in_range(key, date)
        shown = value.text if isinstance(value, InvalidDate) else brief(str(value))
        self.fail(
            (key,),
            "NK123",
            f"birthday {shown} is not a real date; write YYYY-MM-DD, "
            'or "--MM-DD" (quoted) when the year is unknown',
        )
        return None

    def _birthday_in_range(self, key: str, day: dt.date) -> Birthday | None:
        if isinstance(day, dt.datetime):
            day = day.date()
        if EARLIEST.year <= day.year <= LATEST.year:
            return Birthday(day.month, day.day, day.year)
        self.fail(
            (key,),
            "NK134",
            f"birthday {day.isoformat()}: the year {day.year} is out of range "
            f"({EARLIEST.year} to {LATEST.year}); "
            f'write "--{day.month:02d}-{day.day:02d}" (quoted) when the year is unknown',
        )
        return None

    def boolean(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            written = self.doc.written.get((key,), "")
            if written and written.casefold() not in ("true", "false"):
                # netkb reads YAML 1.1, where yes/no/on/off are booleans; YAML 1.2 tools
                # read them as text, so the file would mean something else to them.
                meant = str(value).lower()
                self.warn(
                    self.source.at(key),
                    "NK137",
                    f"{key}: {written} is read as {meant}, but other YAML tools read it "
                    f"as text; write {key}: {meant}",
                )
            return value
        shown = describe(value) if isinstance(value, list | dict) else self._shown((key,), value)
        self.fail(
            (key,),
            "NK127",
            f"{key} must be true or false, not {shown}; {_write_boolean(key, value)}",
        )
        return False

    def circle(self, key: str = "circle") -> int | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return value
        self.fail(
            (key,),
            "NK124",
            f"circle must be a whole number from 1 (inner circle) to 5 (acquaintance), "
            f"not {self._shown((key,), value)}",
        )
        return None

    def cadence(self, key: str = "cadence") -> Cadence | None:
        value = self.meta.get(key)
        if value is None:
            return None
        shown = brief(self._shown((key,), value))
        parsed = read_cadence(value) if isinstance(value, str) else None
        if isinstance(parsed, Cadence):
            return parsed
        if parsed is None:
            message = (
                f"cadence {shown} is not an interval; write a number and a unit: "
                "14d (days), 6w (weeks), 3m (months) or 1y (years)"
            )
        else:
            message = f"cadence {shown} {parsed}"
        self.fail((key,), "NK125", message)
        return None

    def urls(self, key: str) -> tuple[str, ...]:
        links = self.text_list(key)
        good = []
        for index, link in enumerate(links):
            if _URL.fullmatch(link):
                good.append(link)
            else:
                where = (key, index) if isinstance(self.meta.get(key), list) else (key,)
                self.fail(where, "NK128", f"{key}: {link!r} is not an http(s) URL")
        return tuple(good)

    def url(self, key: str) -> str | None:
        link = self.text(key)
        if link is not None and not _URL.fullmatch(link):
            self.fail((key,), "NK128", f"{key}: {link!r} is not an http(s) URL")
            return None
        return link

    def emails(self, key: str = "email") -> tuple[str, ...]:
        emails = self.text_list(key)
        for index, email in enumerate(emails):
            if not _EMAIL.fullmatch(email):
                where = (key, index) if isinstance(self.meta.get(key), list) else (key,)
                self.fail(where, "NK132", f"{email!r} is not an email address")
        return tuple(e for e in emails if _EMAIL.fullmatch(e))

    def slug_list(self, key: str) -> tuple[str, ...]:
        return self.text_list(key)

    def relations(self, key: str = "relations") -> tuple[tuple[str, tuple[str, ...]], ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(
                (key,),
                "NK131",
                "relations must map a type to people, e.g. 'relations: {colleague: [ana-lee]}'",
            )
            return ()
        result = []
        for kind, targets in value.items():
            if targets is None:
                continue
            if isinstance(targets, dict):
                self.fail((key, kind), "NK131", f"relations.{kind} must list people by slug")
                continue
            raw = targets if isinstance(targets, list) else [targets]
            slugs = []
            for index, target in enumerate(raw):
                where = (key, kind, index) if isinstance(targets, list) else (key, kind)
                text = self._text_value(target, where, f"relations.{kind}")
                if text and text.strip():
                    slugs.append(text.strip())
            result.append((kind, tuple(slugs)))
        return tuple(result)

    def minutes(self, key: str = "minutes") -> int:
        """Minutes of one interaction: a whole number from 0 to a day; 0 when not given."""
        value = self.meta.get(key)
        if value is None:
            return 0
        # bool is an int in Python: `minutes: true` must not count as one minute.
        if not isinstance(value, int) or isinstance(value, bool):
            shown = brief(self._shown((key,), value))
            self.fail(
                (key,),
                "NK129",
                f"{key} must be a whole number of minutes, 0 to {MAX_MINUTES}, not {shown}",
            )
            return 0
        problem = minutes_error(value, key)
        if problem is not None:
            self.fail((key,), "NK135", problem)
            return 0
        return value

    def history_dates(self, key: str = "history") -> None:
        """The ``until`` dates of earlier positions (written by imports) must be dates
        in range too; the entries themselves stay free-form "Other fields"."""
        history = self.meta.get(key)
        if not isinstance(history, list):
            return
        for index, entry in enumerate(history):
            if isinstance(entry, dict) and entry.get("until") is not None:
                self._date_at(entry["until"], (key, index, "until"), f"{key}.until")

    def extra(self, known: frozenset[str], kind: FileKind) -> tuple[tuple[str, Any], ...]:
        """The fields not in ``known``, each checked for values YAML changed; one that
        looks like a field of ``kind`` (``company`` for ``organization``) is a warning."""
        fields = []
        for key, value in self.meta.items():
            if key in known:
                continue
            meant = kind.near_miss(key)
            if meant == key:  # read by netkb, yet kept with the others (history)
                meant = None
            field = kind.get(meant) if meant is not None else None
            if meant is not None:
                self._near_miss(key, value, meant, field)
            # A true-or-false field is not text: advice to quote `yes` would mislead.
            if field is None or field.type != BOOLEAN:
                self._unchanged(value, (key,))
            fields.append((key, value.text if isinstance(value, InvalidDate) else value))
        return tuple(fields)

    def _near_miss(self, key: str, value: Any, meant: str, field: Field | None) -> None:
        """Warn, at the key, that ``key`` is probably the field ``meant`` (or the notes)."""
        if meant == BODY or field is None:
            advice = "notes go below the front matter, after its closing ---"
        else:
            advice = f"did you mean {meant}?"
            if field.type == BOOLEAN:
                advice += f" {_write_boolean(meant, value)}"
        self.warn(self.source.key_at(key), "NK136", f"unknown field {key!r}; {advice}")

    def _unchanged(self, value: Any, key_path: tuple[str | int, ...]) -> None:
        """Any value is fine in an unknown field, except one YAML changed (NO → false)."""
        if isinstance(value, dict):
            for key, item in value.items():
                self._unchanged(item, (*key_path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._unchanged(item, (*key_path, index))
        elif _changed_by_yaml(value, self.doc.written.get(key_path, "")):
            label = ".".join(part for part in key_path if isinstance(part, str))
            self.fail(
                key_path,
                "NK121",
                f"{label} is read as {describe(value)}, not text; {self._quote_hint(key_path)}",
            )


def _write_boolean(key: str, value: Any) -> str:
    """How to write ``value`` as ``key``'s true or false: ``write private: false``."""
    meant: bool | None = None
    if isinstance(value, bool):
        meant = value
    elif isinstance(value, str):
        meant = boolean_word(value)
    elif isinstance(value, int) and value in (0, 1):
        meant = bool(value)
    if meant is None:
        return f"write {key}: true or {key}: false"
    return f"write {key}: {str(meant).lower()}"


def _changed_by_yaml(value: Any, written: str) -> bool:
    """Whether YAML read a plain value as something other than what it shows."""
    if isinstance(value, bool):
        return written.lower() not in ("true", "false")  # yes, no, on, off
    if isinstance(value, int | float):
        return _CHANGED_NUMBER.match(written) is not None
    return False


# The fields each reader knows, from the one catalogue (netkb/load/fields.py) that the
# field reference and the near-miss warnings are made from; "other" fields (history)
# are read but still shown with the unknown ones.
PERSON_FIELDS = frozenset(f.name for f in CONTACT.fields if not f.other)
INTERACTION_FIELDS = frozenset(f.name for f in INTERACTION.fields if not f.other)
ORGANISATION_FIELDS = frozenset(f.name for f in ORGANISATION.fields if not f.other)


def person_from(doc: Document, slug: str, problems: list[Problem]) -> Person | None:
    """A Person from a contact file's front matter, or None when ``name`` is unusable."""
    read = FieldReader(doc, problems)
    name = read.text("name", required=True)
    person = Person(
        slug=slug,
        name=name or slug,
        source=read.source,
        aliases=read.text_list("aliases"),
        organization=read.text("organization"),
        role=read.text("role"),
        email=read.emails(),
        phone=read.text_list("phone"),
        links=read.urls("links"),
        location=read.text("location"),
        photo=_photo(read),
        birthday=read.birthday(),
        tags=read.text_list("tags"),
        expertise=read.text_list("expertise"),
        interests=read.text_list("interests"),
        qualities=read.text_list("qualities"),
        circle=read.circle(),
        decision_maker=read.boolean("decision_maker"),
        met=read.date("met"),
        met_at=read.text("met_at"),
        introduced_by=read.text("introduced_by"),
        relations=read.relations(),
        distinct_from=read.text_list("distinct_from"),
        cadence=read.cadence(),
        last_contact=read.date("last_contact"),
        private=read.boolean("private"),
        extra=read.extra(PERSON_FIELDS, CONTACT),
        body=doc.body,
    )
    read.history_dates()
    # A file whose name cannot be a page address is left out, so it reaches no page.
    unsafe = file_name_problem(doc.path, slug, name)
    if unsafe is not None:
        problems.append(unsafe)
    return person if name is not None and unsafe is None else None


def _photo(read: FieldReader) -> str | None:
    """The ``photo`` field: an image file inside the KB (never a URL), or None."""
    value = read.text("photo")
    if value is None:
        return None
    photo, why = check_photo(value, read.doc.path)
    if why is not None:
        read.fail(("photo",), "NK172", why)
    return photo


def interaction_from(doc: Document, slug: str, problems: list[Problem]) -> Interaction | None:
    """An Interaction from a log file, or None when its date or people are unusable."""
    read = FieldReader(doc, problems)
    date = read.date("date", required=True)
    with_ = read.slug_list("with")
    if not with_ and "with" not in read.meta:
        read.fail((), "NK120", "with is missing; list the people: 'with: [jane-doe]'")
    elif not with_:
        read.fail(("with",), "NK120", "with lists nobody; name one or more people by slug")
    kind = read.text("kind") or "other"
    favor = read.text("favor")
    if favor is not None and favor.lower() not in FAVORS:
        read.fail(
            ("favor",),
            "NK130",
            f"favor must be 'given' (you helped them) or 'received', not {favor!r}",
        )
        favor = None
    interaction = Interaction(
        slug=slug,
        date=date or dt.date.min,
        with_=with_,
        source=read.source,
        kind=kind.lower(),
        minutes=read.minutes(),
        favor=favor.lower() if favor else None,
        summary=read.text("summary"),
        imported_from=read.text("source"),
        extra=read.extra(INTERACTION_FIELDS, INTERACTION),
        body=doc.body,
    )
    return interaction if date is not None and with_ else None


def organisation_from(doc: Document, slug: str, problems: list[Problem]) -> Organisation | None:
    """An Organisation from an orgs/ file, or None when ``name`` is unusable."""
    read = FieldReader(doc, problems)
    name = read.text("name", required=True)
    organisation = Organisation(
        slug=slug,
        name=name or slug,
        source=read.source,
        website=read.url("website"),
        tags=read.text_list("tags"),
        aliases=read.text_list("aliases"),
        extra=read.extra(ORGANISATION_FIELDS, ORGANISATION),
        body=doc.body,
    )
    unsafe = file_name_problem(doc.path, slug, name)
    if unsafe is not None:
        problems.append(unsafe)
    return organisation if name is not None and unsafe is None else None
