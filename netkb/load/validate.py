"""Cross-record checks: references, wikilinks, relations and likely duplicates."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain

from netkb.core.identity import Lookalike, possible_duplicates
from netkb.core.problems import Problem, error, warning
from netkb.core.records import RELATION_INVERSES, Interaction, Organisation, Person, Source
from netkb.core.references import Index, find_wikilinks, name_key, organisation_key

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
    (``netkb serve``, and ``netkb check`` through the disk cache: a check looks again
    only at the records that changed)."""

    key: str | None = None  # ``lookups_digest`` of the index they were found against
    found: dict[int, tuple[object, list[Problem]]] = field(default_factory=dict)
    index: Index | None = None  # that index (``link`` may reuse it rather than build it)


def lookups_digest(index: Index) -> str:
    """A digest of everything ``index``'s lookups depend on (``Index.key``): equal
    digests resolve every reference the same way, in this run or a later one."""
    return hashlib.blake2b(repr(index.key()).encode(), digest_size=16).hexdigest()


def validate(
    people: Mapping[str, Person],
    organisations: Mapping[str, Organisation],
    interactions: Iterable[Interaction],
    memo: Checked | None = None,
) -> list[Problem]:
    """Every cross-record problem; the records themselves are already type-checked."""
    index = Index(people, organisations)
    problems = check_records(index, people.values(), organisations.values(), interactions, memo)
    problems += _contradictions(people, index)
    problems += _duplicates(people, index)
    problems += _organisation_variants(people, index)
    return problems


def check_records(
    index: Index,
    people: Iterable[Person],
    organisations: Iterable[Organisation],
    interactions: Iterable[Interaction],
    memo: Checked | None = None,
) -> list[Problem]:
    """The problems of each record on its own against ``index`` (references, wikilinks);
    not those between records (contradictions, duplicates).

    With ``memo``, a record (the same object) checked against equal lookups last time
    is not checked again."""
    known: dict[int, tuple[object, list[Problem]]] = {}
    if memo is not None:
        key = lookups_digest(index)
        if key == memo.key:
            known = memo.found
        memo.key, memo.found, memo.index = key, {}, index
    problems: list[Problem] = []
    kept = memo.found if memo is not None else {}
    for record in chain(people, organisations, interactions):
        identity = id(record)
        hit = known.get(identity)
        if hit is None or hit[0] is not record:
            hit = (record, _record_problems(record, index))
        kept[identity] = hit  # a warm check: 30,000 records, almost all of them hits
        if hit[1]:
            problems += hit[1]
    return problems


def _record_problems(record: Person | Organisation | Interaction, index: Index) -> list[Problem]:
    if isinstance(record, Person):
        return (
            _person_references(record, index)
            + _wikilinks(record.source, record.body, index)
            + _neutralised(record.source, record.body)
        )
    if isinstance(record, Organisation):
        return _wikilinks(record.source, record.body, index) + _neutralised(
            record.source, record.body
        )
    return _people_present(record, index) + _wikilinks(record.source, record.body, index)


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


def _neutralised(source: Source, body: str) -> list[Problem]:
    """Warnings for what the site neutralises in notes: never a reason to refuse a build."""
    # Imported here: the notes module loads Python-Markdown, and a warm check, whose
    # records' own problems come from the cache, never gets this far.
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


def _duplicates(people: Mapping[str, Person], index: Index) -> list[Problem]:
    """The possible duplicates of ``possible_duplicates``, the rule ``new`` and every
    import apply too, each warned about at the later of the two files."""
    problems = []
    for found in possible_duplicates((Lookalike.of(p) for p in people.values()), index):
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
    members: dict[str, list[Person]] = defaultdict(list)  # Index.organisation_id → people
    for person in people.values():
        if person.organization:
            members[index.organisation_id(person.organization)].append(person)
    by_words: dict[tuple[str, ...], str] = {}
    for identity, group in members.items():
        for person in group:
            by_words.setdefault(tuple(organisation_key(str(person.organization)).split()), identity)
    problems = []
    reported: set[tuple[str, str]] = set()
    for identity, group in members.items():
        for person in group:
            words = tuple(organisation_key(str(person.organization)).split())
            shorter = next(
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
