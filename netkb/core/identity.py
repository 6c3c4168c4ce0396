"""When two values name the same thing: emails, LinkedIn URLs, phone numbers, tags.

Shared by the import planner (is this row someone we know?), ``netkb merge``
(which list items are already there?) and, through ``possible_duplicates``, by
``check``, ``new`` and every import (who may be one person twice?).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict
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
_NONE: frozenset[str] = frozenset()


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
    holds the orgs/ files that join spellings of one organisation.

    People are blocked by these keys: each is compared only with those who share one,
    and a key nobody else has is not looked at again (``check`` runs this over every
    contact on every run, and almost every key is one person's)."""
    matcher = index or Index({}, {})
    apart: set[frozenset[str]] = set()
    everyone: list[tuple[Lookalike, str, frozenset[str], Iterable[tuple[str, str]]]] = []
    every_key: list[tuple[str, str]] = []
    for person in people:
        for other in person.distinct_from:
            apart.add(frozenset((slug_key(person.slug), slug_key(other))))
        profiles = (
            frozenset(k for k in map(linkedin_key, person.links) if k) if person.links else _NONE
        )
        organisation = matcher.organisation_id(person.organization) if person.organization else ""
        keys = _keys(person, organisation, profiles)
        everyone.append((person, organisation, profiles, keys))
        every_key += keys
    shared = {key for key, count in Counter(every_key).items() if count > 1}
    found: list[PossibleDuplicate] = []
    claims: dict[tuple[str, str], list[_Seen]] = defaultdict(list)  # key → who has it
    for person, organisation, profiles, keys in everyone:
        mine = [key for key in keys if key in shared]
        if not mine:
            continue  # nobody else has any of their keys: no pair, and no later one
        seen = _Seen(person, organisation, profiles)
        slug = person.slug
        reasons: dict[str, str] = {}  # earlier slug → why (the first reason found wins)
        for key in mine:
            earlier_ones = claims[key]
            for earlier in earlier_ones:
                other = earlier.person.slug
                if other != slug and other not in reasons:
                    reason = _reason(key[0], earlier, seen)
                    if reason:
                        reasons[other] = reason
            earlier_ones.append(seen)
        found += [PossibleDuplicate(other, slug, why) for other, why in reasons.items()]
    if not apart:
        return found
    return [d for d in found if frozenset((slug_key(d.first), slug_key(d.second))) not in apart]


def _keys(
    person: Lookalike, organisation: str, profiles: frozenset[str]
) -> Iterable[tuple[str, str]]:
    """What identifies a person, strongest first, each once: emails, LinkedIn profiles,
    names at the organisation, names."""
    names, firsts_lasts = _name_keys(person.name, person.aliases)
    keys = [("email", item_key("email", e)) for e in person.emails]
    if profiles:
        keys += [("LinkedIn URL", p) for p in sorted(profiles)]
    if organisation:
        keys += [("at", f"{organisation}|{n}") for n in names]
        keys += [("at", f"{organisation}|{n}") for n in firsts_lasts]
    keys += [("name", n) for n in names]
    return dict.fromkeys(keys)  # a key twice finds no one new the second time


def _name_keys(name: str, aliases: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(``person_name_key`` of the name and each full-name alias, sorted, each once;
    the first and last word of each, compared the same way: Jane A. Doe = Jane Doe)."""
    if not aliases:  # most people: one name, worked out without the lists below
        if not name.strip():
            return [], []
        words = _NOT_WORD.sub(" ", name_key(name)).split()
        key = " ".join(sorted(words))
        if len(words) == 2 or not words:
            return [key], [key]
        return [key], [" ".join(sorted((words[0], words[-1])))]
    # A one-word alias is a nickname many people share (Лёша for every Алексей, Bob
    # for every Robert): only the name and full-name aliases identify a person.
    written = [name, *(a for a in aliases if len(a.split()) >= 2)]
    split = [_NOT_WORD.sub(" ", name_key(n)).split() for n in written if n.strip()]
    keys = [" ".join(sorted(w)) for w in split]
    firsts_lasts = [
        key if len(w) == 2 or not w else " ".join(sorted((w[0], w[-1])))
        for w, key in zip(split, keys, strict=True)
    ]
    return sorted(set(keys)), firsts_lasts


@dataclass(frozen=True, slots=True)
class _Seen:
    person: Lookalike
    organisation: str  # Index.organisation_id, "" when none is written
    profiles: frozenset[str]  # LinkedIn profiles


def _reason(what: str, earlier: _Seen, later: _Seen) -> str:
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
