"""Resolve references between records: slugs, names, wikilinks."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from netkb.core.records import Organisation, Person

WIKILINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")


@functools.lru_cache(maxsize=1 << 16)
def slug_key(slug: str) -> str:
    """How slugs compare: case-insensitively after Unicode NFC normalisation."""
    if slug.isascii():  # NFC leaves ASCII as it is, and casefold is lower there
        return slug.lower()
    return unicodedata.normalize("NFC", slug).casefold()


@functools.lru_cache(maxsize=1 << 16)  # the same names are compared over and over
def name_key(name: str) -> str:
    """How names compare: accents, case and spacing ignored (Zoë  Müller = zoe muller)."""
    if name.isascii():  # nothing to decompose, no accents, and casefold is lower there
        return " ".join(name.lower().replace(".", " ").split())
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace(".", " ").split())


# Legal forms ignored at the end of an organisation's name, already through
# ``organisation_key``'s punctuation folding ("S.A." → "s a", "Inc." → "inc").
LEGAL_SUFFIXES = (
    "gmbh", "mbh", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "ag",
    "sa", "s a", "se", "plc", "corp", "corporation", "co", "company", "kg", "kgaa",
    "gmbh co kg", "bv", "b v", "nv", "n v", "oy", "oyj", "ab", "as", "a s", "asa",
    "sas", "sarl", "pty", "pty ltd", "sl", "s l", "srl", "s r l", "spa", "s p a",
    "ug", "eg", "ev", "e v", "aps", "kk", "pte", "bhd", "sdn bhd",
)  # fmt: skip
_LEGAL_SUFFIX = re.compile(
    r"(?:\s+(?:" + "|".join(sorted(map(re.escape, LEGAL_SUFFIXES), key=len, reverse=True)) + r"))+$"
)
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@functools.lru_cache(maxsize=1 << 16)
def organisation_key(name: str) -> str:
    """How organisation names compare: case, accents, punctuation and trailing legal
    forms ignored (``ACME, Inc.`` → ``acme``; ``Globex Software GmbH`` → ``globex software``).

    A name that is nothing but a legal form keeps it, so "AG" is not the empty name."""
    bare = " ".join(_PUNCTUATION.sub(" ", name_key(name)).split())
    return _LEGAL_SUFFIX.sub("", bare).strip() or bare


@dataclass(frozen=True, slots=True)
class Wikilink:
    target: str
    label: str | None
    line: int  # line within the text it was found in, from 0
    column: int  # from 1


def _scan(lines: list[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """(line number, match) for each wikilink outside fenced code and code spans."""
    fence = ""  # the marker that opened the code block we are in, if any
    for number, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker and _opens_or_closes(marker, fence):
            fence = "" if fence else marker[1]
            continue
        if fence or "[[" not in line:
            continue
        masked = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
        for match in WIKILINK.finditer(masked):
            yield number, match


def _opens_or_closes(marker: re.Match[str], fence: str) -> bool:
    """Whether a fence line opens a code block, or closes the one ``fence`` opened.

    As in CommonMark: only the same character, at least as many times, with nothing
    after it closes a block, so a ``` line inside a ~~~ block is just code.
    """
    run, rest = marker[1], marker[2]
    if not fence:
        return not (run[0] == "`" and "`" in rest)  # no backticks in a ``` info string
    return run[0] == fence[0] and len(run) >= len(fence) and not rest.strip()


def find_wikilinks(text: str) -> Iterator[Wikilink]:
    """Every ``[[target]]`` / ``[[target|label]]`` outside code, with its position."""
    for number, match in _scan(text.split("\n")):
        yield _wikilink(match, number)


def replace_wikilinks(text: str, replace: Callable[[Wikilink], str]) -> str:
    """``text`` with every wikilink outside code replaced by ``replace(link)``."""
    lines = text.split("\n")
    pieces: dict[int, list[str]] = defaultdict(list)
    ends: dict[int, int] = {}
    for number, match in _scan(lines):
        line = lines[number]
        pieces[number] += [
            line[ends.get(number, 0) : match.start()],
            replace(_wikilink(match, number)),
        ]
        ends[number] = match.end()
    for number, parts in pieces.items():
        lines[number] = "".join(parts) + lines[number][ends[number] :]
    return "\n".join(lines)


def _wikilink(match: re.Match[str], number: int) -> Wikilink:
    label = match.group(2).strip() if match.group(2) else None
    return Wikilink(match.group(1).strip(), label, number, match.start() + 1)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a reference points at: one record, several (ambiguous) or none."""

    kind: str  # "person" | "organisation" | ""
    slugs: tuple[str, ...]

    @property
    def slug(self) -> str | None:
        return self.slugs[0] if len(self.slugs) == 1 else None


class CloseMatches:
    """``difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)``, answered
    fast for many words: rapidfuzz's ratio (the longest common subsequence, never below
    difflib's) keeps only the possibilities that could reach the cutoff, and difflib
    itself picks among those, so the answer is difflib's. Each word is looked up once
    (a broken file's slug is referenced from many others)."""

    def __init__(self, possibilities: Iterable[str], cutoff: float = 0.6) -> None:
        self.possibilities = list(possibilities)
        self.cutoff = cutoff
        self._found: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        """The possibility difflib finds closest to ``word``; None when none is close."""
        if word in self._found:
            return self._found[word]
        from rapidfuzz import fuzz, process  # loaded only when something is misspelt

        # A hair below the cutoff: rapidfuzz's score is a float of the same fraction.
        candidates = process.extract(
            word,
            self.possibilities,
            scorer=fuzz.ratio,
            score_cutoff=self.cutoff * 100 - 1e-6,
            limit=None,
        )
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for candidate, score, _position in candidates:  # best score first
            if best is not None and score / 100 < best[0] - 1e-9:
                break  # difflib's ratio is never above this score: no later one can win
            matcher.set_seq1(candidate)
            ratio = matcher.ratio()
            # get_close_matches keeps ratios ≥ cutoff and returns the largest (ratio, text).
            if ratio >= self.cutoff and (best is None or (ratio, candidate) > best):
                best = (ratio, candidate)
        self._found[word] = best[1] if best else None
        return self._found[word]


def person_name_keys(person: Person) -> list[str]:
    """``name_key`` of a person's name and each alias, each once: what ``Index`` finds
    them by (it depends on their own file alone, which the disk cache keeps it with)."""
    return list(dict.fromkeys([name_key(n) for n in (person.name, *person.aliases)]))


class Index:
    """Lookup tables over a network's people and organisations."""

    def __init__(
        self,
        people: Mapping[str, Person],
        organisations: Mapping[str, Organisation],
        names: Mapping[int, list[str]] | None = None,
    ) -> None:
        """``names``: ``person_name_keys`` of people by ``id(person)``, where known."""
        self.people = people
        self.organisations = organisations
        self._close: CloseMatches | None = None  # made when a reference names no one
        self.person_by_slug = {slug_key(s): s for s in people}
        self.org_by_slug = {slug_key(s): s for s in organisations}
        self.people_by_name: dict[str, list[str]] = defaultdict(list)
        known = names or {}
        for slug, person in people.items():
            own = known.get(id(person))
            for name in own if own is not None else person_name_keys(person):
                self.people_by_name[name].append(slug)
        self.orgs_by_name: dict[str, list[str]] = defaultdict(list)
        self.orgs_by_key: dict[str, list[str]] = defaultdict(list)
        for slug, org in organisations.items():
            for name in {name_key(n) for n in (org.name, *org.aliases)}:
                self.orgs_by_name[name].append(slug)
            for key in {organisation_key(n) for n in (org.name, *org.aliases)}:
                self.orgs_by_key[key].append(slug)

    def key(self) -> tuple[object, ...]:
        """Everything lookups depend on: equal keys resolve every reference the same way.
        The same in every process: names are sorted (the tables are filled from sets,
        whose order changes with Python's string hashing)."""
        return (
            tuple(self.person_by_slug.items()),
            tuple(self.org_by_slug.items()),
            tuple(sorted((name, tuple(slugs)) for name, slugs in self.people_by_name.items())),
            tuple(sorted((name, tuple(slugs)) for name, slugs in self.orgs_by_name.items())),
        )

    def person(self, reference: str) -> str | None:
        """The slug of the person a slug reference names (case/NFC-insensitive)."""
        return self.person_by_slug.get(slug_key(reference))

    def person_like(self, reference: str) -> str | None:
        """For "did you mean": the slug of the person whose slug is closest to a slug
        reference that names no one (``difflib.get_close_matches``' choice), or None."""
        if self._close is None:
            self._close = CloseMatches(self.person_by_slug)
        close = self._close.closest(slug_key(reference))
        return self.person_by_slug[close] if close is not None else None

    def organisation_named(self, name: str) -> str | None:
        """The orgs/ file an ``organization`` value names, by name or alias, compared by
        ``organisation_key`` (case, punctuation and legal forms ignored)."""
        matches = self.orgs_by_key.get(organisation_key(name), [])
        return matches[0] if len(matches) == 1 else None

    def organisation_id(self, name: str) -> str:
        """What one employer is, whatever the spelling: ``org:<slug>`` of the orgs/ file
        that names it, else ``name:<organisation_key>``. Equal ids are one organisation."""
        file = self.organisation_named(name)
        return f"org:{file}" if file is not None else f"name:{organisation_key(name)}"

    def same_organisation(self, a: str | None, b: str | None) -> bool:
        """Whether two ``organization`` values name one employer (the shared matcher)."""
        if not a or not b:
            return False
        return self.organisation_id(a) == self.organisation_id(b) or (
            organisation_key(a) == organisation_key(b)
        )

    def resolve(self, target: str) -> Resolution:
        """A wikilink target: a slug first, then a name or alias; people before organisations."""
        key = slug_key(target)
        if key in self.person_by_slug:
            return Resolution("person", (self.person_by_slug[key],))
        if key in self.org_by_slug:
            return Resolution("organisation", (self.org_by_slug[key],))
        named = name_key(target)
        people = self.people_by_name.get(named, [])
        if people:
            return Resolution("person", tuple(people))
        orgs = self.orgs_by_name.get(named, [])
        if orgs:
            return Resolution("organisation", tuple(orgs))
        return Resolution("", ())
