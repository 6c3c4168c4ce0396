"""Plan an import: who is new, who changes and how, what is skipped or unclear.

``plan_import`` only reads; ``apply_plan`` writes what the plan says: new files
through ``netkb.core.write.create_file`` (never over an existing file), changes to
existing files through ``netkb.edit.edit.edit_file`` (round-trip, and refused if the
file changed since the plan read it). Run both under ``kb_lock`` so no other
netkb process changes the KB in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.identity import Lookalike, as_list, possible_duplicates
from netkb.core.problems import Problem
from netkb.core.records import Network
from netkb.core.references import Index, slug_key
from netkb.core.write import OutsideKnowledgeBase, create_file, flush_to_disk, real_path_inside
from netkb.edit.edit import DELETE, EditError, edit_file, fingerprint
from netkb.edit.lock import kb_lock
from netkb.edit.scaffold import contact_text, free_slug
from netkb.interchange.importers.fields import FieldMerger
from netkb.interchange.importers.match import Identity, Matcher
from netkb.interchange.importers.rows import Candidate, Parsed, RowNote
from netkb.load.frontmatter import read_document
from netkb.load.loader import PEOPLE_DIR, markdown_files
from netkb.load.photos import PHOTOS_DIR
from netkb.load.schema import person_from

# New files list their fields in the order of DESIGN.md §2.
FIELD_ORDER = (
    *("name", "aliases", "organization", "role", "email", "phone", "links", "location"),
    *("birthday", "tags", "expertise", "interests", "qualities", "circle", "decision_maker"),
    *("met", "met_at", "introduced_by", "relations", "cadence", "last_contact", "private"),
)
_ORDER = {key: index for index, key in enumerate(FIELD_ORDER)}
WRITERS = 4


@dataclass(slots=True)
class NewPerson:
    """A person the import creates, from one or more rows."""

    slug: str
    path: Path
    fields: dict[str, Any]
    lines: list[int]
    notes: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    data: bytes = b""  # the file to write, made and checked when the plan is complete
    photo: tuple[bytes, str] | None = None  # an image for photos/, written before the file


@dataclass(slots=True)
class PersonUpdate:
    """Changes to a person the knowledge base has, from one or more rows."""

    slug: str
    name: str
    path: Path
    fingerprint: str
    before: dict[str, Any]
    merger: FieldMerger
    lines: list[int]
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def changes(self) -> dict[str, Any]:
        """The front matter keys to write: new values, or DELETE."""
        state = self.merger.state
        changed = {k: v for k, v in state.items() if k in self.before and self.before[k] != v}
        changed.update({k: DELETE for k in self.before if k not in state})
        added = sorted((k for k in state if k not in self.before), key=lambda k: _ORDER.get(k, 99))
        changed.update({k: state[k] for k in added})
        return changed


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A new person who may be someone known (``possible_duplicates``): the user should look."""

    line: int
    name: str
    slug: str  # the new person
    similar: tuple[tuple[str, str], ...]  # (known slug, why: "same name", "same email"…)


@dataclass(slots=True)
class Plan:
    """What an import would do, row by row."""

    parsed: Parsed
    new: list[NewPerson] = field(default_factory=list)
    updates: list[PersonUpdate] = field(default_factory=list)
    ambiguous: list[RowNote] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[RowNote] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)
    kb_errors: int = 0

    @property
    def changed(self) -> list[PersonUpdate]:
        """The updates that change a file."""
        return [u for u in self.updates if u.changes]

    @property
    def unchanged(self) -> list[PersonUpdate]:
        """Known people the import has nothing new about."""
        return [u for u in self.updates if not u.changes]


@dataclass(slots=True)
class Applied:
    """What an import wrote, and what it could not."""

    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    photos: list[Path] = field(default_factory=list)  # saved beside the new contacts

    @property
    def written(self) -> list[Path]:
        """Every file created or changed."""
        return [*self.created, *self.photos, *self.updated]


def plan_import(
    network: Network,
    parsed: Parsed,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """What importing ``parsed`` into ``network`` would do. Reads files, writes nothing.

    ``progress`` is called with steps that add up to twice the number of rows.
    """
    step = progress or (lambda count: None)
    root = network.root
    plan = Plan(parsed, skipped=list(parsed.skipped), notes=list(parsed.notes))
    plan.kb_errors = len(network.errors)
    index = Index(network.people, network.organisations)  # for the organisation matcher
    matcher = Matcher()
    for slug, person in network.people.items():
        matcher.add(slug, Identity.of((person.name, *person.aliases), person.email, person.links))
    taken = {slug_key(s) for s in (*network.people, *network.organisations)}
    taken |= {slug_key(path.stem) for path in markdown_files(root, PEOPLE_DIR, [])}
    new: dict[str, NewPerson] = {}
    updates: dict[str, PersonUpdate] = {}
    for candidate in parsed.candidates:
        step(1)
        fields = candidate.fields
        identity = Identity.of(
            [candidate.name, *fields.get("aliases", [])],
            fields.get("email", []),
            fields.get("links", []),
        )
        match = matcher.match(identity)
        if match.ambiguous:
            plan.ambiguous.append(RowNote(candidate.line, f"{candidate.name}: {match.ambiguous}"))
        elif match.slug in new:
            person = new[match.slug]
            merger = FieldMerger(person.fields, today, employment=False)
            merger.fold(fields)
            person.lines.append(candidate.line)
            person.candidates.append(candidate)
            person.notes = _joined(person.notes, candidate.notes)
            plan.notes += [RowNote(candidate.line, f"{candidate.name}: {k}") for k in merger.kept]
            matcher.add(match.slug, identity)
        elif match.slug is not None:
            update = updates.get(match.slug) or _start_update(
                network, index, match.slug, today, plan, candidate.line
            )
            if update is None:
                continue
            updates[match.slug] = update
            update.merger.fold(fields)
            update.lines.append(candidate.line)
            update.candidates.append(candidate)
        else:
            slug = free_slug(root, candidate.name, taken)
            taken.add(slug_key(slug))
            path = root / PEOPLE_DIR / f"{slug}.md"
            new[slug] = NewPerson(
                slug, path, dict(fields), [candidate.line], candidate.notes, [candidate]
            )
            if candidate.photo is not None:
                new[slug].photo = candidate.photo
                new[slug].fields["photo"] = f"{PHOTOS_DIR}/{slug}{candidate.photo[1]}"
            matcher.add(slug, identity)
    _link_references(plan, new, updates)
    plan.updates = list(updates.values())
    plan.new = []
    for person in new.values():
        step(1)
        if _prepare(person, plan):
            plan.new.append(person)
    step(len(parsed.candidates) - len(new))
    plan.duplicates = _duplicates(network, index, updates, plan.new)
    return plan


def _duplicates(
    network: Network, index: Index, updates: dict[str, PersonUpdate], new: list[NewPerson]
) -> list[Duplicate]:
    """The new people who may be someone already known (or another new person), by the
    rule ``check`` applies after the import (``possible_duplicates``), so both report the
    same pairs. Updated people are compared as the import leaves them."""
    people = [
        _lookalike(slug, updates[slug].merger.state) if slug in updates else Lookalike.of(p)
        for slug, p in network.people.items()
    ]
    people += [_lookalike(person.slug, person.fields) for person in new]
    by_slug = {person.slug: person for person in new}
    found: dict[str, list[tuple[str, str]]] = {}
    for pair in possible_duplicates(people, index):
        if pair.second in by_slug:
            found.setdefault(pair.second, []).append((pair.first, pair.reason))
    return [
        Duplicate(by_slug[slug].lines[0], str(by_slug[slug].fields.get("name")), slug, tuple(o))
        for slug, o in found.items()
    ]


def _lookalike(slug: str, fields: dict[str, Any]) -> Lookalike:
    """The lookalike of a person's front matter (as an import would write it)."""

    def texts(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in as_list(fields.get(key)) if isinstance(v, str))

    organization = fields.get("organization")
    return Lookalike(
        slug,
        str(fields.get("name") or slug),
        organization if isinstance(organization, str) else None,
        texts("aliases"),
        texts("email"),
        texts("links"),
        texts("distinct_from"),
    )


def _joined(notes: str, more: str) -> str:
    if not more.strip() or more.strip() in notes:
        return notes
    return f"{notes.rstrip()}\n\n{more.strip()}" if notes.strip() else more


def _start_update(
    network: Network, index: Index, slug: str, today: dt.date, plan: Plan, line: int
) -> PersonUpdate | None:
    person = network.people[slug]
    path = person.source.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        plan.skipped.append(RowNote(line, f"cannot read {path}: {exc.strerror}"))
        return None
    doc = read_document(path, data)
    if doc.meta is None:
        plan.skipped.append(RowNote(line, f"{path} does not load; fix it first (netkb check)"))
        return None
    before = dict(doc.meta)
    return PersonUpdate(
        slug,
        person.name,
        path,
        fingerprint(data),
        before,
        FieldMerger(dict(before), today, index=index),
        [],
    )


def _link_references(
    plan: Plan, new: dict[str, NewPerson], updates: dict[str, PersonUpdate]
) -> None:
    """Relations and introductions between imported people, by the source's own ids."""
    slug_of: dict[str, str] = {}
    for slug, person in [*new.items(), *updates.items()]:
        for candidate in person.candidates:
            if candidate.ref:
                slug_of.setdefault(candidate.ref, slug)
    for slug, person in [*new.items(), *updates.items()]:
        for candidate in person.candidates:
            offered: dict[str, Any] = {}
            relations: dict[str, list[str]] = {}
            for kind, ref in candidate.relations:
                target = slug_of.get(ref)
                if target is None:
                    plan.notes.append(
                        RowNote(
                            candidate.line,
                            f"{candidate.name}: {kind} {ref} is not in this import; left out",
                        )
                    )
                elif target != slug:
                    relations.setdefault(kind, []).append(target)
            if relations:
                offered["relations"] = relations
            if candidate.introduced_by and slug_of.get(candidate.introduced_by) not in (None, slug):
                offered["introduced_by"] = slug_of[candidate.introduced_by]
            if not offered:
                continue
            if isinstance(person, NewPerson):
                FieldMerger(person.fields, dt.date.min, employment=False).fold(offered)
            else:
                person.merger.fold(offered)


def _prepare(person: NewPerson, plan: Plan) -> bool:
    """Make the new file and check it reads back as exactly these valid fields."""
    person.fields = dict(sorted(person.fields.items(), key=lambda kv: _ORDER.get(kv[0], 99)))
    text = contact_text(person.fields)
    if person.notes.strip():
        text += "\n" + person.notes.strip("\n") + "\n"
    person.data = text.encode("utf-8")
    doc = read_document(person.path, person.data)
    problems: list[Problem] = list(doc.problems)
    if doc.meta is not None:
        person_from(doc, person.slug, problems)
    if person.photo is not None:  # the photo is written just before the file: not there yet
        problems = [p for p in problems if p.code != "NK172"]
    if problems or doc.meta != person.fields:
        reason = problems[0].message if problems else "its fields do not read back unchanged"
        plan.skipped.append(RowNote(person.lines[0], f"{person.fields['name']}: {reason}"))
        return False
    return True


def apply_plan(root: Path, plan: Plan, progress: Callable[[int], None] | None = None) -> Applied:
    """Write the plan: new files, then the changed ones. A file that cannot be written is
    reported in ``failed`` and the others are still written."""
    applied = Applied()
    with kb_lock(root):
        writable = _outside_refused(root, plan.new, applied, progress)
        try:
            # Creating a file is mostly waiting for the file system: a few at a time is faster.
            with ThreadPoolExecutor(max_workers=WRITERS) as pool:
                created = pool.map(lambda person: _create(root, person), writable)
                for person, failure in zip(writable, created, strict=True):
                    if failure:
                        applied.failed.append(failure)
                    else:
                        applied.created.append(person.path)
                        if person.photo is not None:
                            applied.photos.append(root / person.fields["photo"])
                    if progress:
                        progress(1)
        finally:
            flush_to_disk()
        for update in plan.changed:
            try:
                edit_file(root, update.path, update.changes, expected=update.fingerprint)
                applied.updated.append(update.path)
            except EditError as exc:
                applied.failed.append(str(exc))
            if progress:
                progress(1)
    return applied


def _outside_refused(
    root: Path, people: list[NewPerson], applied: Applied, progress: Callable[[int], None] | None
) -> list[NewPerson]:
    """The people whose folder is inside the KB; one failure per folder that is not
    (contacts/ linked elsewhere), rather than one per person."""
    by_folder: dict[Path, list[NewPerson]] = {}
    for person in people:
        by_folder.setdefault(person.path.parent, []).append(person)
    writable = []
    for folder, members in by_folder.items():
        try:
            real_path_inside(root, folder)
        except OutsideKnowledgeBase as exc:
            applied.failed.append(f"{exc}; {len(members):,} new people not created")
            if progress:
                progress(len(members))
            continue
        writable += members
    return writable


def _create(root: Path, person: NewPerson) -> str | None:
    """Create one new contact file inside the KB at ``root``; the reason it failed, or None."""
    target = person.path
    try:
        if person.photo is not None:
            target = root / person.fields["photo"]
            create_file(target, person.photo[0], inside=root, durable=False)
            target = person.path
        create_file(person.path, person.data, inside=root, durable=False)
    except FileExistsError:
        return f"{target} appeared meanwhile; {person.slug} not created"
    except OutsideKnowledgeBase as exc:
        return f"{exc}; {person.slug} not created"
    except OSError as exc:
        return f"{person.path}: {exc.strerror}"
    return None
