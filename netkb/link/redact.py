"""A redacted network, for a site shown on a shared screen (``--redact``).

``redact(network, fields)`` is a pure function: it returns a new ``Network`` whose
records no longer hold the chosen values, so nothing downstream (linking, pages,
the search index, the calendar feed, the map) can show them. It runs before
``link``: derived facts (favour balances, time invested, organisation pages) are
then worked out from what is left, and none of them can bring a value back.

What each name hides (``REDACTABLE`` in ``netkb.core.records``):

- ``email``, ``phone``, ``birthday``: removed (a placeholder makes no sense there;
  ``met`` too when it is the birthday: met at birth);
- ``location``: ``location`` and ``met_at`` (where you met) removed;
- ``notes``: the notes of people, organisations and log entries and log summaries
  become a placeholder (an empty note stays empty);
- ``favours``: ``favor`` of every log entry removed, so every balance is zero;
- ``organisation``: a person's ``organization`` and ``history`` removed, and the
  orgs/ files (their pages would say who works where);
- ``minutes``: the time of every log entry is 0;
- ``names``: people's names become initials (``J. D.``; ``J. D. 2`` for the second
  with the same initials, by slug order, so a label stays one person), aliases go,
  and every mention in text (wikilinks by name or label, the name written out) uses
  the label; profile links go (their addresses spell the name). Slugs stay, so the
  site's links still work.

Values of the chosen kinds written elsewhere (an e-mail in another person's notes,
``mobile:`` among the other fields) go too. Private people stay private: their
``private`` flag is untouched. Problems keep their place and code but lose their
message (it may quote a value); print problems from the network before redaction.
``settings.redacted`` records what was hidden, so every page can say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from netkb.core.problems import CODES, Problem
from netkb.core.records import REDACTABLE, Interaction, Network, Organisation, Person
from netkb.core.references import WIKILINK, Index
from netkb.load.fields import BODY, CONTACT, INTERACTION

HIDDEN = "(hidden)"
HIDDEN_NOTES = "*Notes are hidden on this redacted site.*\n"

# Each redactable name → the record fields it covers, as the field catalogue names them
# (an unknown field whose near miss is one of these goes with it: ``mobile`` → phone).
_COVERS: dict[str, frozenset[str]] = {
    "email": frozenset({"email"}),
    "phone": frozenset({"phone"}),
    "birthday": frozenset({"birthday"}),
    "location": frozenset({"location", "met_at"}),
    "notes": frozenset({BODY, "summary"}),
    "favours": frozenset({"favor"}),
    "organisation": frozenset({"organization", "history"}),
    "minutes": frozenset({"minutes"}),
    "names": frozenset({"name", "aliases"}),
}
# Words in a field name of the user's own that say what it holds (``assistant_email``).
_KEY_WORDS: dict[str, tuple[str, ...]] = {
    "email": ("mail",),
    "phone": ("phone", "mobile", "fax", "whatsapp", "signal"),
    "birthday": ("birth", "dob"),
    "location": ("address", "city", "street"),
}


class RedactError(ValueError):
    """A name that cannot be redacted; the message lists those that can."""


def redact(network: Network, fields: Iterable[str]) -> Network:
    """``network`` with the values of ``fields`` (names from ``REDACTABLE``) hidden."""
    chosen = tuple(dict.fromkeys(fields))
    unknown = [name for name in chosen if name not in REDACTABLE]
    if unknown:
        raise RedactError(
            f"cannot redact {', '.join(map(repr, unknown))}; choose from {', '.join(REDACTABLE)}"
        )
    hidden = frozenset().union(*(_COVERS[name] for name in chosen)) if chosen else frozenset()
    labels = initials(network.people) if "names" in chosen else {}
    text = _TextScrubber(network, chosen, labels)
    people = {slug: _person(p, chosen, hidden, labels, text) for slug, p in network.people.items()}
    organisations = {
        slug: _organisation(o, chosen, text)
        for slug, o in network.organisations.items()
        if "organisation" not in chosen  # their pages would say where people work
    }
    interactions = tuple(_interaction(i, chosen, hidden, text) for i in network.interactions)
    settings = replace(network.settings, redacted=chosen)
    problems = tuple(_quiet(p) for p in network.problems) if chosen else network.problems
    return Network(network.root, people, organisations, interactions, settings, problems)


def initials(people: Mapping[str, Person]) -> dict[str, str]:
    """Slug → a label made of the name's initials, numbered when two people share them.

    Public people are numbered first, so no label says that a private person exists."""
    records = people
    labels: dict[str, str] = {}
    used: dict[str, int] = {}
    for slug in sorted(records, key=lambda slug: (records[slug].private, slug)):
        words = records[slug].name.split()
        base = " ".join(f"{w[0].upper()}." for w in words if w[:1].isalnum()) or "Someone"
        used[base] = used.get(base, 0) + 1
        labels[slug] = base if used[base] == 1 else f"{base} {used[base]}"
    return labels


def _quiet(problem: Problem) -> Problem:
    return replace(problem, message=CODES.get(problem.code, "problem"))


class _TextScrubber:
    """Free text with every chosen value in it replaced: names by their label, e-mails
    and phones (and locations) by ``HIDDEN``."""

    def __init__(self, network: Network, chosen: tuple[str, ...], labels: dict[str, str]):
        self.index = Index(network.people, network.organisations)
        self.labels = labels
        values: dict[str, str] = {}
        if "organisation" in chosen:
            for organisation in network.organisations.values():
                values.update(dict.fromkeys((organisation.name, *organisation.aliases), HIDDEN))
        for person in network.people.values():
            if "email" in chosen:
                values.update(dict.fromkeys(person.email, HIDDEN))
            if "phone" in chosen:
                values.update(dict.fromkeys(person.phone, HIDDEN))
            if "location" in chosen:
                values.update(dict.fromkeys(filter(None, (person.location, person.met_at)), HIDDEN))
            if "organisation" in chosen and person.organization:
                values[person.organization] = HIDDEN
            if "names" in chosen:
                label = labels[person.slug]
                for name in (person.name, *person.aliases):
                    values.setdefault(name, label)
        self.values = {v.strip(): label for v, label in values.items() if v.strip()}
        self.by_key = {v.casefold(): label for v, label in self.values.items()}
        terms = sorted(self.values, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
        words = rf"(?<![\w@.+])(?:{alternatives})(?![\w@])" if terms else r"(?!x)x"
        self.names = "names" in chosen
        self.pattern = re.compile(rf"{WIKILINK.pattern}|(?P<term>{words})", re.IGNORECASE)

    def __call__(self, text: str) -> str:
        if not self.values or not text:
            return text
        return self.pattern.sub(self._replacement, text)

    def _replacement(self, match: re.Match[str]) -> str:
        term = match.group("term")
        if term is not None:
            return self.by_key.get(" ".join(term.split()).casefold(), HIDDEN)
        if not self.names:
            label = match.group(2)
            if label and self.pattern.search(label):
                return f"[[{match.group(1)}|{self(label)}]]"
            return match.group()
        resolution = self.index.resolve(match.group(1).strip())
        if resolution.kind == "person" and resolution.slug is not None:
            return f"[[{resolution.slug}|{self.labels[resolution.slug]}]]"
        label = match.group(2)
        return f"[[{match.group(1)}|{self(label)}]]" if label else match.group()


def _extra(
    extra: tuple[tuple[str, Any], ...],
    near_miss: Callable[[str], str | None],
    chosen: tuple[str, ...],
    hidden: frozenset[str],
    text: _TextScrubber,
) -> tuple[tuple[str, Any], ...]:
    """The other fields without those that hold a chosen kind; text in the rest scrubbed."""
    kept = []
    for key, value in extra:
        folded = key.casefold()
        if near_miss(key) in hidden or key in hidden:
            continue
        if any(word in folded for name in chosen for word in _KEY_WORDS.get(name, ())):
            continue
        kept.append((key, _scrubbed(value, text)))
    return tuple(kept)


def _scrubbed(value: Any, text: _TextScrubber) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list | tuple):
        return type(value)(_scrubbed(v, text) for v in value)
    if isinstance(value, dict):
        return {k: _scrubbed(v, text) for k, v in value.items()}
    return value


def _notes(body: str, chosen: tuple[str, ...], text: _TextScrubber) -> str:
    if "notes" in chosen:
        return HIDDEN_NOTES if body.strip() else body
    return text(body)


def _person(
    person: Person,
    chosen: tuple[str, ...],
    hidden: frozenset[str],
    labels: dict[str, str],
    text: _TextScrubber,
) -> Person:
    changes: dict[str, Any] = {
        "body": _notes(person.body, chosen, text),
        "extra": _extra(person.extra, CONTACT.near_miss, chosen, hidden, text),
    }
    if "email" in chosen:
        changes["email"] = ()
    if "phone" in chosen:
        changes["phone"] = ()
    if "birthday" in chosen:
        changes["birthday"] = None
        if person.birthday and person.met and str(person.birthday) == person.met.isoformat():
            changes["met"] = None  # met at birth: the date would give the birthday away
    if "location" in chosen:
        changes["location"] = None
        changes["met_at"] = None
    elif person.met_at:
        changes["met_at"] = text(person.met_at)
    if "organisation" in chosen:
        changes["organization"] = None
    if "names" in chosen:
        changes["name"] = labels[person.slug]
        changes["aliases"] = ()
        changes["links"] = ()  # a profile's address spells the name out
    return replace(person, **changes)


def _organisation(
    organisation: Organisation, chosen: tuple[str, ...], text: _TextScrubber
) -> Organisation:
    return replace(organisation, body=_notes(organisation.body, chosen, text))


def _interaction(
    interaction: Interaction, chosen: tuple[str, ...], hidden: frozenset[str], text: _TextScrubber
) -> Interaction:
    changes: dict[str, Any] = {
        "body": _notes(interaction.body, chosen, text),
        "extra": _extra(interaction.extra, INTERACTION.near_miss, chosen, hidden, text),
    }
    if interaction.summary:
        changes["summary"] = HIDDEN if "notes" in chosen else text(interaction.summary)
    if "favours" in chosen:
        changes["favor"] = None
    if "minutes" in chosen:
        changes["minutes"] = 0
    return replace(interaction, **changes)
