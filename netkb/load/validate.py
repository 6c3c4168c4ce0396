"""Cross-record checks: references, wikilinks, relations and likely duplicates."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain

from netkb.core.identity import OwnKeys, duplicate_people
from netkb.core.problems import Problem, error, warning
from netkb.core.records import RELATION_INVERSES, Interaction, Organisation, Person, Source
from netkb.core.references import Index, find_wikilinks, name_key, organisation_key, slug_key

# Directed relations, as (fact, who is first): "a reports_to b" is b managing a.
_DIRECTED = {
    "manages": ("manages", True),
    "reports_to": ("manages", False),
    "mentor": ("mentors", False),  # mentor: [x] — x mentors this person
    "mentee": ("mentors", True),
}


@dataclass
class Checked:
    """Each record's own problems from the last check, kept while lookups stay the same
    (``netkb serve``: an edit is checked again only in the records that changed).

    With ``reuse`` off (``netkb check`` through the disk cache) nothing is kept: every
    check between records runs every time, and only ``index`` is handed on."""

    key: str | None = None  # ``lookups_digest`` of the index they were found against
    found: dict[int, tuple[object, list[Problem]]] = field(default_factory=dict)
    index: Index | None = None  # that index (``link`` may reuse it rather than build it)
    reuse: bool = True


@dataclass
class FileKeys:
    """What the checks between records look up of each record that its own file alone
    gives, by ``id(record)``, where known before (the disk cache keeps it with each
    file); what is not here is worked out from the record."""

    #: the wikilink targets of its notes (``wikilink_targets``): notes whose links all
    #: resolve are not scanned again
    targets: dict[int, list[str]] = field(default_factory=dict)
    #: a person's ``identity.own_keys``: what the duplicate finder blocks them by
    identities: dict[int, OwnKeys] = field(default_factory=dict)
    #: a person's ``references.person_name_keys``: what ``Index`` finds them by
    names: dict[int, list[str]] = field(default_factory=dict)
    #: the records keyed above, held so that no other record gets the id of one (were a
    #: load stopped halfway, the next could otherwise meet keys of records long gone)
    owners: list[object] = field(default_factory=list)


def lookups_digest(index: Index) -> str:
    """A digest of everything ``index``'s lookups depend on (``Index.key``): equal
    digests resolve every reference the same way, in this run or a later one."""
    return hashlib.blake2b(repr(index.key()).encode(), digest_size=16).hexdigest()


def validate(
    people: Mapping[str, Person],
    organisations: Mapping[str, Organisation],
    interactions: Iterable[Interaction],
    memo: Checked | None = None,
    known: FileKeys | None = None,
) -> list[Problem]:
    """Every cross-record problem; the records themselves are already type-checked.
    ``known``: what each record's file alone gives, where worked out before."""
    known = known or FileKeys()
    index = Index(people, organisations, known.names)
    problems = check_records(
        index, people.values(), organisations.values(), interactions, memo, known.targets
    )
    problems += _contradictions(people, index)
    problems += _duplicates(people, index, known.identities)
    problems += _organisation_variants(people, index)
    return problems


def check_records(
    index: Index,
    people: Iterable[Person],
    organisations: Iterable[Organisation],
    interactions: Iterable[Interaction],
    memo: Checked | None = None,
    targets: Mapping[int, list[str]] | None = None,
) -> list[Problem]:
    """The problems of each record against ``index`` (references, wikilinks); not those
    between records (contradictions, duplicates), nor those of its file alone (read with
    it: ``neutralised``).

    With ``memo``, a record (the same object) checked against equal lookups last time
    is not checked again. ``targets``: ``FileKeys.targets``."""
    if memo is not None and not memo.reuse:
        memo.index, memo = index, None
    if memo is None:  # every record, every time: ``netkb check``
        return _check_every_record(index, people, organisations, interactions, targets or {})
    key = lookups_digest(index)
    known = memo.found if key == memo.key else {}
    memo.key, memo.found, memo.index = key, {}, index
    problems: list[Problem] = []
    kept = memo.found
    for record in chain(people, organisations, interactions):
        identity = id(record)
        hit = known.get(identity)
        if hit is None or hit[0] is not record:
            hit = (record, _record_problems(record, index))
        kept[identity] = hit  # an edit in serve: almost every record a hit
        if hit[1]:
            problems += hit[1]
    return problems


def _record_problems(record: Person | Organisation | Interaction, index: Index) -> list[Problem]:
    if isinstance(record, Person):
        return _person_references(record, index) + _wikilinks(record.source, record.body, index)
    if isinstance(record, Organisation):
        return _wikilinks(record.source, record.body, index)
    return _people_present(record, index) + _wikilinks(record.source, record.body, index)


def _check_every_record(
    index: Index,
    people: Iterable[Person],
    organisations: Iterable[Organisation],
    interactions: Iterable[Interaction],
    targets: Mapping[int, list[str]],
) -> list[Problem]:
    """``_record_problems`` of every record, in the same order, with the usual records
    let through at a glance: a log entry with one person who exists, a person who names
    no one, notes whose wikilinks (their ``targets``, when known) each name one record.
    A warm check runs this over 30,000 records every time."""
    found: list[Problem] = []
    names_one = _NamesOne(index)
    for person in people:
        if person.introduced_by is not None or person.distinct_from or person.relations:
            found += _person_references(person, index)
        if "[[" in person.body:
            found += _notes(person, index, targets, names_one)
    for organisation in organisations:
        if "[[" in organisation.body:
            found += _notes(organisation, index, targets, names_one)
    people_by_slug = index.person_by_slug
    for interaction in interactions:
        named = interaction.with_
        if len(named) != 1 or slug_key(named[0]) not in people_by_slug:
            found += _people_present(interaction, index)
        if "[[" in interaction.body:
            found += _notes(interaction, index, targets, names_one)
    return found


def _notes(
    record: Person | Organisation | Interaction,
    index: Index,
    targets: Mapping[int, list[str]],
    names_one: _NamesOne,
) -> list[Problem]:
    """``_wikilinks`` of the record's notes; none without scanning them when their
    targets are known and each names one record."""
    known = targets.get(id(record))
    if known is not None and names_one.all(known):
        return []
    return _wikilinks(record.source, record.body, index)


class _NamesOne:
    """Which wikilink targets name exactly one record (``_wikilinks`` has nothing to say
    about them), each target resolved once."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.yes: set[str] = set()
        self.no: set[str] = set()

    def all(self, targets: list[str]) -> bool:
        """Whether every one of ``targets`` names exactly one record."""
        if self.yes.issuperset(targets):
            return True  # most notes, once their targets were seen: one look, in C
        for target in targets:
            if target in self.no:
                return False
            if target not in self.yes:
                if len(self.index.resolve(target).slugs) != 1:
                    self.no.add(target)
                    return False
                self.yes.add(target)
        return True


def wikilink_targets(body: str) -> list[str]:
    """The target of every wikilink in ``body``, in order: what ``check_records`` looks
    up on every run (the disk cache keeps them with the file, which alone they depend on)."""
    if "[[" not in body:
        return []
    return [link.target for link in find_wikilinks(body)]


def _people_present(interaction: Interaction, index: Index) -> list[Problem]:
    """Every ``with`` reference must name a person, and each person only once: the entry
    counts once for them however often they are listed (netkb.link.derive)."""
    problems = []
    first: dict[str, str] = {}  # slug → the reference that named them first
    for position, reference in enumerate(interaction.with_):
        slug = index.person(reference)
        if slug is None:
            problems.append(
                _unknown(interaction.source, ("with", position), "with", reference, index)
            )
        elif slug in first:
            line, column = interaction.source.at("with", position)
            before = "" if first[slug] == reference else f" (listed as {first[slug]!r} before)"
            problems.append(
                warning(
                    interaction.source.path,
                    line,
                    column,
                    "NK148",
                    f"with: {reference!r} names {slug} again{before}; "
                    "the interaction counts once for them",
                )
            )
        else:
            first[slug] = reference
    return problems


def _unknown(
    source: Source, key_path: tuple[str | int, ...], field: str, slug: str, index: Index
) -> Problem:
    line, column = source.at(*key_path)
    message = f"{field}: no person has the slug {slug!r}"
    close = index.person_like(slug)
    if close is not None:
        message += f"; did you mean {close!r}?"
    else:
        named = index.people_by_name.get(name_key(slug), [])
        if len(named) == 1:
            message += f"; {slug!r} is the name of {named[0]!r}, use the slug"
        else:
            message += "; a slug is a file name in contacts/ without .md"
    return error(source.path, line, column, "NK140", message)


def _person_references(person: Person, index: Index) -> list[Problem]:
    problems = []
    source = person.source
    if person.introduced_by is not None:
        target = index.person(person.introduced_by)
        if target is None:
            problems.append(
                _unknown(source, ("introduced_by",), "introduced_by", person.introduced_by, index)
            )
        elif target == person.slug:
            line, column = source.at("introduced_by")
            problems.append(
                warning(source.path, line, column, "NK146", "introduced_by names this same person")
            )
    for position, slug in enumerate(person.distinct_from):
        target = index.person(slug)
        if target is None:
            where = ("distinct_from", position)
            problems.append(_unknown(source, where, "distinct_from", slug, index))
        elif target == person.slug:
            line, column = source.at("distinct_from", position)
            problems.append(
                warning(source.path, line, column, "NK146", "distinct_from names this same person")
            )
    for kind, targets in person.relations:
        if kind not in RELATION_INVERSES:
            line, column = source.key_at("relations", kind)
            known = ", ".join(sorted(set(RELATION_INVERSES)))
            problems.append(
                warning(
                    source.path,
                    line,
                    column,
                    "NK144",
                    f"relation type {kind!r} has no known inverse; it is shown only on this "
                    f"page's side. Known types: {known}",
                )
            )
        for position, slug in enumerate(targets):
            where = ("relations", kind, position)
            target = index.person(slug)
            if target is None:
                problems.append(_unknown(source, where, f"relations.{kind}", slug, index))
            elif target == person.slug:
                line, column = source.at(*where)
                problems.append(
                    warning(source.path, line, column, "NK146", f"{kind}: names this same person")
                )
    return problems


def neutralised(source: Source, body: str) -> list[Problem]:
    """Warnings for what the site neutralises in notes: never a reason to refuse a build.
    They depend on the file alone, so they are among its own problems (``read_file``)."""
    # Imported here: the notes module loads Python-Markdown, and a warm check, whose
    # files' own problems come from the cache, never gets this far.
    from netkb.core.notes import note_findings

    codes = {"image": "NK170", "link": "NK171"}
    return [
        warning(source.path, source.body_line + f.line, f.column, codes[f.kind], f.message)
        for f in note_findings(body)
    ]


def _wikilinks(source: Source, body: str, index: Index) -> list[Problem]:
    if "[[" not in body:
        return []  # most log entries: no line to scan
    problems = []
    for link in find_wikilinks(body):
        resolution = index.resolve(link.target)
        line = source.body_line + link.line
        if not resolution.slugs:
            problems.append(
                warning(
                    source.path,
                    line,
                    link.column,
                    "NK141",
                    f"[[{link.target}]] names no person or organisation; "
                    "use a slug, a name or an alias",
                )
            )
        elif len(resolution.slugs) > 1:
            choices = ", ".join(resolution.slugs[:5])
            problems.append(
                warning(
                    source.path,
                    line,
                    link.column,
                    "NK142",
                    f"[[{link.target}]] could be any of: {choices}; link by slug instead",
                )
            )
    return problems


def _contradictions(people: Mapping[str, Person], index: Index) -> list[Problem]:
    """A reports_to B while B reports_to A (or manages and reports to B), and the like."""
    facts: dict[tuple[str, str, str], tuple[Person, str]] = {}
    problems = []
    for slug, person in people.items():
        for kind, targets in person.relations:
            if kind not in _DIRECTED:
                continue
            fact, forward = _DIRECTED[kind]
            for position, target in enumerate(targets):
                other = index.person(target)
                if other is None or other == slug:
                    continue
                first, second = (slug, other) if forward else (other, slug)
                facts.setdefault((fact, first, second), (person, kind))
                reverse = facts.get((fact, second, first))
                if reverse is None:
                    continue
                said_by, said_kind = reverse
                line, column = person.source.at("relations", kind, position)
                problems.append(
                    warning(
                        person.source.path,
                        line,
                        column,
                        "NK145",
                        f"contradictory relations: {slug} {kind} {other}, "
                        f"but {said_by.slug} {said_kind} "
                        f"{other if said_by.slug == slug else slug}",
                    )
                )
    return problems


def _duplicates(
    people: Mapping[str, Person], index: Index, identities: Mapping[int, OwnKeys] | None = None
) -> list[Problem]:
    """The possible duplicates of ``possible_duplicates``, the rule ``new`` and every
    import apply too, each warned about at the later of the two files."""
    problems = []
    for found in duplicate_people(people.values(), index, identities):
        person, other = people[found.second], people[found.first]
        line, column = person.source.at()
        problems.append(
            warning(
                person.source.path,
                line,
                column,
                "NK150",
                f"{person.name} ({person.slug}) may be the same person as {other.name} "
                f"({other.slug}): {found.reason}. If so: netkb merge {other.slug} "
                f"{person.slug}; if not, add distinct_from: [{other.slug}] to this file",
            )
        )
    return problems


def _organisation_variants(people: Mapping[str, Person], index: Index) -> list[Problem]:
    """Spellings of an employer where one is the other plus more words ("Globex" and
    "Globex Software GmbH"): perhaps one organisation, never merged without an alias."""
    # 10,000 people name a few hundred employers: each spelling is looked at once.
    spellings: dict[str, tuple[str, tuple[str, ...]]] = {}  # as written → (id, its words)
    members: dict[str, list[Person]] = defaultdict(list)  # Index.organisation_id → people
    for person in people.values():
        written = person.organization
        if written:
            spelling = spellings.get(written)
            if spelling is None:
                words = tuple(organisation_key(str(written)).split())
                spelling = spellings[written] = (index.organisation_id(written), words)
            members[spelling[0]].append(person)
    by_words: dict[tuple[str, ...], str] = {}
    for identity, group in members.items():
        for person in group:
            by_words.setdefault(spellings[person.organization][1], identity)
    shorter_of: dict[str, str] = {}  # as written → the id of a shorter spelling, or its own
    problems = []
    reported: set[tuple[str, str]] = set()
    for identity, group in members.items():
        for person in group:
            written = person.organization
            shorter = shorter_of.get(written)
            if shorter is None:
                words = spellings[written][1]
                shorter = shorter_of[written] = next(
                    (by_words[words[:n]] for n in range(1, len(words)) if words[:n] in by_words),
                    identity,
                )
            if shorter != identity and (shorter, identity) not in reported:
                reported.add((shorter, identity))
                problems.append(_variant(index, members[shorter], group))
    return problems


def _variant(index: Index, short_people: list[Person], long_people: list[Person]) -> Problem:
    """The warning for two employers, each as its first person writes it."""
    short, long = str(short_people[0].organization), str(long_people[0].organization)
    first = short_people[0]
    line, column = first.source.at("organization")
    short_file, long_file = index.organisation_named(short), index.organisation_named(long)
    if long_file is not None and short_file is None:
        join = _alias_line(index, long_file, short)
    elif short_file is not None and long_file is None:
        join = _alias_line(index, short_file, long)
    elif short_file is None:
        join = f"netkb new org {_quoted(long)} --alias {_quoted(short)} joins them"
    else:
        join = f"{_org_path(index, short_file)} and {_org_path(index, long_file)} are two files"
    return warning(
        first.source.path,
        line,
        column,
        "NK151",
        f"organization {short!r} ({_slugs(short_people)}) may be {long!r} "
        f"({_slugs(long_people)}): one name is the other plus more words. "
        f"If they are one employer: {join}; if not, ignore this",
    )


def _alias_line(index: Index, slug: str, alias: str) -> str:
    """How to make ``alias`` a name of the organisation in orgs/ file ``slug``."""
    path = _org_path(index, slug)
    if index.organisations[slug].aliases:
        return f"add {_quoted(alias)} to the aliases in {path}"
    return f"add aliases: [{_quoted(alias)}] to {path}"


def _org_path(index: Index, slug: str) -> str:
    """An orgs/ file as the user would name it (``orgs/globex-software.md``)."""
    parts = index.organisations[slug].source.path.parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("orgs") :])


def _quoted(text: str) -> str:
    return text if text.replace("-", "").isalnum() else '"' + text.replace('"', '\\"') + '"'


def _slugs(people: list[Person]) -> str:
    shown = ", ".join(p.slug for p in people[:3])
    return shown + (f" and {len(people) - 3} more" if len(people) > 3 else "")
