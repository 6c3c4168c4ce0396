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
from collections.abc import Iterable, Mapping
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
    keys: OwnKeys | None = None  # ``own_keys``, when worked out before

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


# What identifies one person by their own values alone (``own_keys``): the blocking keys
# that do not depend on the organisation (emails "e…", LinkedIn profiles "l…", in that
# order), the names to combine with the organisation ("a<organisation>|…"), and the names
# on their own ("n…"); each list without repeats, and no key in two of them. The disk
# cache keeps them with each contact file.
OwnKeys = tuple[list[str], list[str], list[str]]
_KINDS = {"e": "email", "l": "LinkedIn URL", "a": "at", "n": "name"}


def own_keys(person: Lookalike) -> OwnKeys:
    """The keys ``possible_duplicates`` blocks ``person`` by that depend on nothing but
    their own name, aliases, emails and links."""
    names, firsts_lasts = _name_keys(person.name, person.aliases)
    alone = ["e" + item_key("email", e) for e in person.emails]
    if person.links:
        alone += ["l" + p for p in sorted({k for k in map(linkedin_key, person.links) if k})]
    # A key twice finds no one new the second time: each once, in the order first met
    # (``names`` are so already).
    at_names = list(dict.fromkeys(names + firsts_lasts))
    return list(dict.fromkeys(alone)), at_names, ["n" + n for n in names]


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
    return _pairs(((p, p.keys or own_keys(p)) for p in people), index)


def duplicate_people(
    people: Iterable[Person], index: Index, known: Mapping[int, OwnKeys] | None = None
) -> list[PossibleDuplicate]:
    """``possible_duplicates`` of loaded people; ``known``: their ``own_keys`` by
    ``id(person)``, where worked out before (the disk cache keeps them)."""
    known = known or {}
    return _pairs(
        ((p, known.get(id(p)) or own_keys(Lookalike.of(p))) for p in people),
        index,
    )


def _pairs(
    people: Iterable[tuple[Lookalike | Person, OwnKeys]], index: Index | None
) -> list[PossibleDuplicate]:
    """``possible_duplicates`` of people given with their ``own_keys``."""
    matcher = index or Index({}, {})
    apart: set[frozenset[str]] = set()
    everyone: list[tuple[Lookalike | Person, str, list[str]]] = []
    every_key: list[str] = []
    organisations: dict[str, str] = {}  # organization as written → Index.organisation_id
    for person, (alone, at_names, names) in people:
        if person.distinct_from:
            for other in person.distinct_from:
                apart.add(frozenset((slug_key(person.slug), slug_key(other))))
        written = person.organization
        if written:
            organisation = organisations.get(written)
            if organisation is None:
                organisation = organisations[written] = matcher.organisation_id(written)
            at = f"a{organisation}|"
            keys = alone + [at + n for n in at_names] + names  # no repeats (``own_keys``)
        else:
            organisation = ""
            keys = alone + names
        everyone.append((person, organisation, keys))
        every_key += keys
    shared = {key for key, count in Counter(every_key).items() if count > 1}
    found: list[PossibleDuplicate] = []
    claims: dict[str, list[_Seen]] = defaultdict(list)  # key → who has it
    for person, organisation, keys in everyone:
        if shared.isdisjoint(keys):
            continue  # nobody else has any of their keys: no pair, and no later one
        mine = [key for key in keys if key in shared]
        profiles = frozenset(k[1:] for k in keys if k[:1] == "l")
        seen = _Seen(person, organisation, profiles)
        slug = person.slug
        reasons: dict[str, str] = {}  # earlier slug → why (the first reason found wins)
        for key in mine:
            earlier_ones = claims[key]
            for earlier in earlier_ones:
                other = earlier.person.slug
                if other != slug and other not in reasons:
                    reason = _reason(_KINDS.get(key[:1], "name"), earlier, seen)
                    if reason:
                        reasons[other] = reason
            earlier_ones.append(seen)
        found += [PossibleDuplicate(other, slug, why) for other, why in reasons.items()]
    if not apart:
        return found
    return [d for d in found if frozenset((slug_key(d.first), slug_key(d.second))) not in apart]


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
    person: Lookalike | Person
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
