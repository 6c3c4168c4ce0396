"""When two values name the same thing: emails, LinkedIn URLs, phone numbers, tags.

Shared by the import planner (is this row someone we know?), ``netkb merge``
(which list items are already there?) and, through ``possible_duplicates``, by
``check``, ``new`` and every import (who may be one person twice?).
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from netkb.core.records import Person
from netkb.core.references import Index, name_key, slug_key

_LINKEDIN = re.compile(r"(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/]+)")


def normal_url(url: str) -> str:
    """A URL without scheme, ``www.``, query, fragment, trailing slash or case."""
    bare = url.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    for prefix in ("https://", "http://", "www."):
        bare = bare.removeprefix(prefix)
    return bare


def linkedin_key(url: str) -> str | None:
    """The profile a LinkedIn URL points at (``linkedin.com/in/janedoe``), else None."""
    match = _LINKEDIN.match(normal_url(url))
    return f"linkedin.com/in/{match[1]}" if match else None


def item_key(field: str, value: Any) -> Any:
    """What makes two items of a list field the same item."""
    if isinstance(value, dict | list):  # a history entry; unhashable as it is
        return json.dumps(value, sort_keys=True, default=str)
    if not isinstance(value, str):
        return value
    if field == "email":
        return value.strip().casefold()
    if field == "links":
        return normal_url(value)
    if field == "phone":
        digits = "".join(c for c in value if c.isdigit())
        return ("+" if value.strip().startswith("+") else "") + digits
    return name_key(value)


def as_list(value: Any) -> list[Any]:
    """A field's value as a list: ``tags: golf`` is ``[golf]``, nothing is ``[]``."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def missing_items(field: str, present: Iterable[Any], offered: Iterable[Any]) -> list[Any]:
    """The items of ``offered`` that ``present`` lacks, in order, each once."""
    seen = {item_key(field, item) for item in present}
    added = []
    for item in offered:
        key = item_key(field, item)
        if key not in seen:
            seen.add(key)
            added.append(item)
    return added


# --- possible duplicates: the one rule of check, new and every import ------------------


@dataclass(frozen=True, slots=True)
class Lookalike:
    """What the duplicate finder compares of one person (a contact or a row to import)."""

    slug: str
    name: str
    organization: str | None = None
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    distinct_from: tuple[str, ...] = ()

    @classmethod
    def of(cls, person: Person) -> Lookalike:
        """The lookalike of a loaded person."""
        return cls(
            person.slug,
            person.name,
            person.organization,
            person.aliases,
            person.email,
            person.links,
            person.distinct_from,
        )


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """Two people who may be one: ``second`` came after ``first`` in the order given."""

    first: str
    second: str
    reason: str  # "same email", "same LinkedIn URL", "same name", "same name at Acme"


@functools.lru_cache(maxsize=1 << 16)
def person_name_key(name: str) -> str:
    """A name as the duplicate finder compares it: transliterated, case, punctuation and
    word order ignored ("Zoë Müller" = "Muller, Zoe")."""
    return " ".join(sorted(_NOT_WORD.sub(" ", name_key(name)).split()))


_NOT_WORD = re.compile(r"[^\w\s]|_")


def possible_duplicates(
    people: Iterable[Lookalike], index: Index | None = None
) -> list[PossibleDuplicate]:
    """Every pair of people who may be one person, each pair once, in the order met:

    - the same email address or the same LinkedIn profile;
    - the same name or full-name alias (``person_name_key``) at the same organisation
      (``Index.same_organisation``; the first and last word of a longer name count
      there too: Jane A. Doe = Jane Doe);
    - the same name or alias, unless their organisations differ or both have a
      LinkedIn profile and the profiles differ (then they are two people).

    A pair where either lists the other in ``distinct_from`` is left out. ``index``
    holds the orgs/ files that join spellings of one organisation."""
    matcher = index or Index({}, {})
    found: list[PossibleDuplicate] = []
    apart: set[frozenset[str]] = set()
    claims: dict[tuple[str, str], list[_Seen]] = defaultdict(list)
    for person in people:
        for other in person.distinct_from:
            apart.add(frozenset((slug_key(person.slug), slug_key(other))))
        seen = _Seen(
            person,
            matcher.organisation_id(person.organization) if person.organization else "",
            frozenset(k for k in (linkedin_key(link) for link in person.links) if k),
        )
        # A one-word alias is a nickname many people share (Лёша for every Алексей, Bob
        # for every Robert): only the name and full-name aliases identify a person.
        full_aliases = [a for a in person.aliases if len(a.split()) >= 2]
        written = [n for n in (person.name, *full_aliases) if n.strip()]
        names = sorted({person_name_key(n) for n in written})
        keys = [("email", item_key("email", e)) for e in person.emails]
        keys += [("LinkedIn URL", p) for p in sorted(seen.profiles)]
        if seen.organisation:
            keys += [("at", f"{seen.organisation}|{n}") for n in names]
            keys += [("at", f"{seen.organisation}|{_first_last(n)}") for n in written]
        keys += [("name", n) for n in names]
        reasons: dict[str, str] = {}  # earlier slug → why (the first reason found wins)
        for what, value in keys:
            for earlier in claims[(what, value)]:
                if earlier.person.slug != person.slug and earlier.person.slug not in reasons:
                    reason = _reason(what, value, earlier, seen)
                    if reason:
                        reasons[earlier.person.slug] = reason
            claims[(what, value)].append(seen)
        found += [PossibleDuplicate(slug, person.slug, why) for slug, why in reasons.items()]
    return [d for d in found if frozenset((slug_key(d.first), slug_key(d.second))) not in apart]


@dataclass(frozen=True, slots=True)
class _Seen:
    person: Lookalike
    organisation: str  # Index.organisation_id, "" when none is written
    profiles: frozenset[str]  # LinkedIn profiles


def _first_last(name: str) -> str:
    """A name's first and last word, compared as ``person_name_key`` compares names
    (``Jane A. Doe`` → ``doe jane``, the key of Jane Doe)."""
    words = _NOT_WORD.sub(" ", name_key(name)).split()
    return " ".join(sorted((words[0], words[-1]))) if words else ""


def _reason(what: str, value: str, earlier: _Seen, later: _Seen) -> str:
    """Why two people may be one, or "" when the rule does not hold for this pair."""
    if what in ("email", "LinkedIn URL"):
        return f"same {what}"
    if what == "at":
        return f"same name at {earlier.person.organization}"
    if earlier.profiles and later.profiles and not earlier.profiles & later.profiles:
        return ""  # two LinkedIn profiles: two people, whatever their names
    if earlier.organisation and later.organisation:
        return ""  # at different organisations (the same one was found above)
    return "same name"
