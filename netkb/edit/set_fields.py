"""``netkb set``: one or more fields given the same value in many contact files.

An assignment is ``FIELD=VALUE``; for a list field (tags, expertise, email…) the
value is a comma-separated list, and ``FIELD+=VALUE`` adds the items a person lacks,
``FIELD-=VALUE`` removes them (a list left empty removes the field). ``FIELD=`` with
nothing after it removes the field. A value is checked by the very rules ``netkb
check`` applies to a file (``netkb.load.schema``), before any file is read: ``circle=7``,
``decision_maker=yes`` or ``met=2024-02-30`` are refused with check's own words. A
field netkb does not know is refused, with the field it probably means.

``plan_set`` reads the files and works out each one's change; ``apply_set`` writes
them through ``netkb.edit.edit`` (only the touched keys, atomic, under the KB lock), each
refused if its file changed since the plan read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.identity import as_list, item_key, missing_items
from netkb.core.records import Network
from netkb.core.references import Index, name_key
from netkb.edit.edit import DELETE, EditError, edit_file, edited_bytes, fingerprint
from netkb.edit.yamledit import edit_front_matter, same_value
from netkb.load.fields import BODY, CONTACT, shown
from netkb.load.frontmatter import read_document
from netkb.load.schema import person_from

TEXT, LIST, CIRCLE, BOOLEAN, DATE, BIRTHDAY, CADENCE, PERSON = (
    "text",
    "list",
    "circle",
    "boolean",
    "date",
    "birthday",
    "cadence",
    "person",
)
# The contact fields netkb set can change, and how a value on the command line is read.
FIELDS = {
    "organization": TEXT,
    "role": TEXT,
    "location": TEXT,
    "met_at": TEXT,
    "aliases": LIST,
    "email": LIST,
    "phone": LIST,
    "links": LIST,
    "tags": LIST,
    "expertise": LIST,
    "interests": LIST,
    "qualities": LIST,
    "circle": CIRCLE,
    "decision_maker": BOOLEAN,
    "private": BOOLEAN,
    "met": DATE,
    "last_contact": DATE,
    "birthday": BIRTHDAY,
    "cadence": CADENCE,
    "introduced_by": PERSON,
}
# Known fields that are not set in bulk, and what to do instead.
NOT_SET = {
    "name": "a name is one person's; edit their file (netkb set gives many people one value)",
    "relations": "relations map types to people; edit them in the file",
    "history": "history is written by imports; edit it in the file",
}
_OPERATORS = ("+=", "-=", "=")


class SetError(ValueError):
    """An assignment that cannot be made; nothing was written. The message says why."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """``FIELD=VALUE``, ``FIELD+=VALUE`` or ``FIELD-=VALUE``, read and checked."""

    field: str
    operator: str  # "=", "+=" or "-="
    value: Any  # the new value for "=" (DELETE to remove), the items for "+=" / "-="
    written: str  # as the user typed it

    def applied_to(self, current: Any) -> Any:
        """The field's new value when it holds ``current`` (None: not there)."""
        if self.operator == "=":
            return self.value
        present = as_list(current)
        if self.operator == "+=":
            return [*present, *missing_items(self.field, present, self.value)]
        gone = {item_key(self.field, item) for item in self.value}
        kept = [item for item in present if item_key(self.field, item) not in gone]
        return kept if kept else DELETE


def parse_assignment(text: str, index: Index) -> Assignment:
    """An Assignment from ``FIELD=VALUE``; SetError when the field is unknown, cannot be
    set in bulk, or the value is one ``netkb check`` would refuse."""
    found = min(
        ((text.find(op), op) for op in _OPERATORS if text.find(op) > 0),
        default=None,
        key=lambda hit: hit[0],
    )
    if found is None:
        raise SetError(f"{text!r} is not FIELD=VALUE, e.g. circle=4 or tags+=golf")
    at, operator = found
    name, raw = text[:at].strip(), text[at + len(operator) :].strip()
    kind = _kind(name)
    if operator != "=" and kind != LIST:
        raise SetError(f"{name}{operator} works only on list fields (tags, expertise, email…)")
    if operator == "=" and not raw:
        return Assignment(name, "=", DELETE, text)
    if kind == LIST:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if not items:
            raise SetError(f"{text!r} names no items; separate them with commas")
        value: Any = items
    elif kind == PERSON:
        value = _person(raw, index)
    else:
        value = _typed(kind, raw)
    problems = schema_problems(name, value)
    if problems:
        raise SetError(f"{text}: {problems[0]}")
    return Assignment(name, operator, value, text)


def _kind(name: str) -> str:
    if name in FIELDS:
        return FIELDS[name]
    if name in NOT_SET:
        raise SetError(f"{name} cannot be set with netkb set: {NOT_SET[name]}")
    if name in CONTACT.names:
        raise SetError(f"{name} cannot be set with netkb set; edit it in the file")
    meant = CONTACT.near_miss(name)  # the same suggestion netkb check makes
    if meant == BODY:
        raise SetError(f"{name!r} is not a field: notes go below the front matter")
    hint = f"; did you mean {meant}?" if meant else f"; the fields are: {', '.join(FIELDS)}"
    raise SetError(f"unknown field {name!r}{hint}")


def _typed(kind: str, raw: str) -> Any:
    """``raw`` as the YAML value the field holds; a value of the wrong type is left as text
    so that the schema refuses it in its own words."""
    if kind == CIRCLE and raw.isdigit():
        return int(raw)
    if kind == BOOLEAN and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if kind in (DATE, BIRTHDAY):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return raw  # "--04-12" is a birthday; anything else the schema refuses
    return raw


def _person(reference: str, index: Index) -> str:
    """The slug a person reference names: a slug, or a name or alias of one person."""
    slug = index.person(reference)
    if slug is not None:
        return slug
    named = index.people_by_name.get(name_key(reference), [])
    if len(named) == 1:
        return named[0]
    if named:
        raise SetError(f"{reference!r} names {len(named)} people: {', '.join(named)}; use a slug")
    raise SetError(f"no person has the slug or name {reference!r}")


def schema_problems(name: str, value: Any) -> list[str]:
    """What ``netkb check`` says about a contact holding ``name: value``: the value is
    written as netkb writes it and read back through the schema."""
    if value is DELETE:
        return []
    text = edit_front_matter("name: x\n", {name: value})
    path = Path(f"{name}=…")
    doc = read_document(path, f"---\n{text}---\n".encode())
    problems = list(doc.problems)
    if doc.meta is not None:
        person_from(doc, "x", problems)
    return [problem.message for problem in problems if problem.severity == "error"]


# -- the plan ------------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    """One contact file and what the assignments change in it."""

    slug: str
    name: str
    path: Path
    fingerprint: str
    changes: dict[str, Any]
    described: list[str]


@dataclass(slots=True)
class SetPlan:
    """What ``netkb set`` would do: files to change, people already so, files refused."""

    assignments: list[Assignment]
    changes: list[Change] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    refused: list[str] = field(default_factory=list)


def plan_set(network: Network, slugs: Iterable[str], assignments: Sequence[Assignment]) -> SetPlan:
    """What the assignments change in each person's file. Reads files, writes nothing."""
    plan = SetPlan(list(assignments))
    for slug in slugs:
        person = network.people[slug]
        path = person.source.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            plan.refused.append(f"{path}: cannot read the file: {exc.strerror}")
            continue
        doc = read_document(path, data)
        if doc.meta is None:
            plan.refused.append(f"{path}: does not load; fix it first (netkb check)")
            continue
        meta = doc.meta
        changes: dict[str, Any] = {}
        for assignment in assignments:
            current = changes.get(assignment.field, meta.get(assignment.field))
            new = assignment.applied_to(None if current is DELETE else current)
            if assignment.field == "introduced_by" and new == slug:
                plan.refused.append(f"{path}: {person.name} cannot be introduced by themselves")
                break
            changes[assignment.field] = new
        else:
            changes = {k: v for k, v in changes.items() if _changes(meta, k, v)}
            if not changes:
                plan.unchanged.append((slug, person.name))
                continue
            try:
                edited_bytes(path, data, changes)  # an edit that cannot be made shows now
            except EditError as exc:
                plan.refused.append(str(exc))
                continue
            described = [_describe(k, meta.get(k), v, k in meta) for k, v in changes.items()]
            plan.changes.append(
                Change(slug, person.name, path, fingerprint(data), changes, described)
            )
    return plan


def _changes(meta: dict[str, Any], key: str, value: Any) -> bool:
    if value is DELETE:
        return key in meta
    return key not in meta or not same_value(meta[key], value)


def _describe(key: str, old: Any, new: Any, present: bool) -> str:
    """``circle 3 → 4``, ``circle + 4`` (new), ``circle − 3`` (removed), ``tags + golf``."""
    if new is DELETE:
        return f"{key} − {shown(old)}"
    if not present or old is None:
        return f"{key} + {shown(new)}"
    if isinstance(new, list) and isinstance(old, list | str):
        before = as_list(old)
        added = missing_items(key, before, new)
        kept = {item_key(key, item) for item in new}
        removed = [item for item in before if item_key(key, item) not in kept]
        if added and not removed:
            return f"{key} + {shown(added)}"
        if removed and not added:
            return f"{key} − {shown(removed)}"
    return f"{key} {shown(old)} → {shown(new)}"


# -- writing -------------------------------------------------------------------------------


@dataclass(slots=True)
class SetApplied:
    """The files ``apply_set`` changed, and those it could not."""

    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def apply_set(root: Path, plan: SetPlan) -> SetApplied:
    """Write each planned change through ``netkb.edit.edit``; a file that changed since the
    plan read it, or cannot be written, is reported and the others are still written."""
    applied = SetApplied()
    for change in plan.changes:
        try:
            edit_file(root, change.path, change.changes, expected=change.fingerprint)
        except EditError as exc:
            applied.failed.append(str(exc))
        else:
            applied.written.append(change.path)
    return applied
