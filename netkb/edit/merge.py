"""Merge two records of the same person, and point every reference at the one kept.

``plan_merge`` reads only: the kept person gains the other's list items (emails,
tags…) and the fields it lacks; where both have a different value the kept one
stays and the conflict is listed for the user. The other's name becomes an
alias, its notes are appended, and every ``introduced_by``, relation, log
``with`` and ``[[wikilink]]`` naming its slug is rewritten. ``apply_merge``
writes all that through ``netkb.edit.edit`` and deletes the other file last, under
the KB lock; it refuses if any file changed since the plan read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netkb.core.identity import as_list, missing_items
from netkb.core.records import Network
from netkb.core.references import WIKILINK, Index, find_wikilinks, name_key, slug_key
from netkb.edit.edit import (
    DELETE,
    ChangedOnDisk,
    EditError,
    changed_since,
    edit_file,
    fingerprint,
)
from netkb.edit.lock import kb_lock
from netkb.edit.yamledit import same_value
from netkb.load.fields import LIST_FIELDS, shown
from netkb.load.frontmatter import read_document


class MergeError(Exception):
    """The merge cannot be planned or carried out; the message says why."""


@dataclass(slots=True)
class Rewrite:
    """References to the merged-away slug in one file."""

    path: Path
    fingerprint: str
    changes: dict[str, Any]
    links: int  # wikilinks in the body
    where: list[str]  # "relations.colleague", "with", "2 wikilinks"


@dataclass(slots=True)
class MergePlan:
    """What a merge changes: the kept person's fields and notes, other files, the deletion."""

    keep: str
    other: str
    keep_name: str
    other_name: str
    keep_path: Path
    other_path: Path
    keep_fingerprint: str
    other_fingerprint: str
    changes: dict[str, Any] = field(default_factory=dict)
    described: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: str = ""  # the other's notes, appended to the kept file
    rewrites: list[Rewrite] = field(default_factory=list)


def plan_merge(network: Network, keep: str, other: str) -> MergePlan:
    """What merging ``other`` into ``keep`` would change. Writes nothing."""
    index = Index(network.people, network.organisations)
    keep_slug, other_slug = index.person(keep), index.person(other)
    for given, found in ((keep, keep_slug), (other, other_slug)):
        if found is None:
            raise MergeError(f"no person has the slug {given!r}")
    assert keep_slug is not None and other_slug is not None
    if keep_slug == other_slug:
        raise MergeError(f"{keep} and {other} are the same person; nothing to merge")
    keep_person, other_person = network.people[keep_slug], network.people[other_slug]
    keep_data, keep_meta, keep_body = _read(keep_person.source.path)
    other_data, other_meta, other_body = _read(other_person.source.path)
    plan = MergePlan(
        keep_slug,
        other_slug,
        keep_person.name,
        other_person.name,
        keep_person.source.path,
        other_person.source.path,
        fingerprint(keep_data),
        fingerprint(other_data),
    )
    merged = _merged(plan, _pointed(keep_meta, other_slug, keep_slug), other_meta)
    plan.changes = {k: v for k, v in merged.items() if not same_value(keep_meta.get(k), v)}
    plan.changes.update({k: DELETE for k in keep_meta if k not in merged})
    notes = other_body.strip()
    if notes and notes not in keep_body:
        plan.notes = notes
    plan.rewrites = _rewrites(network, plan)
    return plan


def _read(path: Path) -> tuple[bytes, dict[str, Any], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror}") from None
    doc = read_document(path, data)
    if doc.meta is None:
        raise MergeError(f"{path} does not load; fix it first (netkb check)")
    return data, dict(doc.meta), doc.body


def _pointed(meta: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """``meta`` with its references to ``old`` (introduced_by, relations) naming ``new``."""
    result = dict(meta)
    key = slug_key(old)
    if _names(result.get("introduced_by"), key):
        result["introduced_by"] = new
    relations = result.get("relations")
    if isinstance(relations, dict):
        pointed = {}
        for kind, targets in relations.items():
            if isinstance(targets, list | str):
                swapped = [new if _names(t, key) else t for t in as_list(targets)]
                pointed[kind] = (
                    list(dict.fromkeys(swapped)) if isinstance(targets, list) else swapped[0]
                )
            else:
                pointed[kind] = targets
        result["relations"] = pointed
    return result


def _without(meta: dict[str, Any], slug: str) -> tuple[dict[str, Any], list[str]]:
    """``meta`` without references to ``slug`` itself, and which ones went."""
    result, gone = dict(meta), []
    if result.get("introduced_by") == slug:
        del result["introduced_by"]
        gone.append("introduced_by")
    relations = result.get("relations")
    if isinstance(relations, dict):
        kept = {}
        for kind, targets in relations.items():
            rest = [t for t in as_list(targets) if t != slug]
            if len(rest) < len(as_list(targets)):
                gone.append(f"relations.{kind}")
            if rest or targets is None:
                kept[kind] = rest if isinstance(targets, list) or len(rest) != 1 else rest[0]
        if kept:
            result["relations"] = kept
        else:
            del result["relations"]
    return result, gone


def _merged(plan: MergePlan, keep: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The kept person's fields with the other's folded in; conflicts recorded in ``plan``."""
    merged, gone = _without(keep, plan.keep)
    plan.described += [f"{key}: − {plan.other} (now this same person)" for key in gone]
    other, _ = _without(_pointed(other, plan.other, plan.keep), plan.keep)
    for key, value in other.items():
        current = merged.get(key)
        if key == "name":
            if name_key(str(value)) != name_key(str(current)):
                _add_items(plan, merged, "aliases", [value], f"({plan.other}'s name)")
        elif key in LIST_FIELDS or (isinstance(current, list) and isinstance(value, list)):
            _add_items(plan, merged, key, as_list(value))
        elif key == "relations" and isinstance(current, dict) and isinstance(value, dict):
            relations = dict(current)
            for kind, targets in value.items():
                present = as_list(relations.get(kind))
                added = missing_items("relations", present, as_list(targets))
                if added:
                    relations[kind] = [*present, *added]
                    plan.described.append(f"relations.{kind} + {shown(added)}")
            merged[key] = relations
        elif key == "private" and value is True and current is not True:
            merged[key] = True
            plan.described.append(f"private: true ({plan.other} was private; privacy wins)")
        elif current is None:
            merged[key] = value
            plan.described.append(f"{key} + {shown(value)}")
        elif not same_value(current, value):
            plan.conflicts.append(f"{key}: kept {shown(current)}; {plan.other} has {shown(value)}")
    return merged


def _add_items(
    plan: MergePlan, merged: dict[str, Any], key: str, items: list[Any], why: str = ""
) -> None:
    current = merged.get(key)
    if current is not None and not isinstance(current, list | str):
        plan.conflicts.append(f"{key}: not a list, so {shown(items)} is not added")
        return
    present = as_list(current)
    added = missing_items(key, present + ([merged["name"]] if key == "aliases" else []), items)
    if added:
        merged[key] = [*present, *added]
        plan.described.append(f"{key} + {shown(added)}{' ' + why if why else ''}")


def _rewrites(network: Network, plan: MergePlan) -> list[Rewrite]:
    """Every other file that names the merged-away slug, and what changes in it."""
    key = slug_key(plan.other)
    named: dict[Path, tuple[str, ...]] = {}
    bodies: dict[Path, str] = {}
    for person in network.people.values():
        targets = [t for _, ts in person.relations for t in ts]
        named[person.source.path] = tuple(t for t in (person.introduced_by, *targets) if t)
        bodies[person.source.path] = person.body
    for organisation in network.organisations.values():
        bodies[organisation.source.path] = organisation.body
    for interaction in network.interactions:
        named[interaction.source.path] = interaction.with_
        bodies[interaction.source.path] = interaction.body
    rewrites = []
    for path, body in bodies.items():
        links = sum(slug_key(link.target) == key for link in find_wikilinks(body))
        mentioned = any(slug_key(slug) == key for slug in named.get(path, ()))
        if path in (plan.keep_path, plan.other_path) or not (links or mentioned):
            continue
        data, meta, _ = _read(path)
        pointed = _pointed(meta, plan.other, plan.keep)
        changes = {k: v for k, v in pointed.items() if not same_value(meta[k], v)}
        with_ = meta.get("with")
        if isinstance(with_, list | str) and any(
            isinstance(s, str) and slug_key(s) == key for s in as_list(with_)
        ):
            swapped = [plan.keep if _names(s, key) else s for s in as_list(with_)]
            changes["with"] = (
                list(dict.fromkeys(swapped)) if isinstance(with_, list) else swapped[0]
            )
        where = list(changes) + ([f"{links} wikilink{'s' if links > 1 else ''}"] if links else [])
        if where:
            rewrites.append(Rewrite(path, fingerprint(data), changes, links, where))
    return rewrites


def _names(value: Any, key: str) -> bool:
    return isinstance(value, str) and slug_key(value) == key


def relink(body: str, old: str, new: str) -> str:
    """``body`` with ``[[old]]`` / ``[[old|label]]`` pointing at ``new``; other bytes kept."""
    key = slug_key(old)
    lines = body.split("\n")
    for link in sorted(find_wikilinks(body), key=lambda found: (found.line, -found.column)):
        if slug_key(link.target) != key:
            continue
        line = lines[link.line]
        match = WIKILINK.match(line, link.column - 1)
        if match is None:
            continue
        label = f"|{match.group(2)}" if match.group(2) is not None else ""
        lines[link.line] = line[: match.start()] + f"[[{new}{label}]]" + line[match.end() :]
    return "\n".join(lines)


def apply_merge(root: Path, plan: MergePlan) -> list[Path]:
    """Carry out ``plan``; returns every file written or deleted.

    All files are checked against the plan before the first write, so a file
    changed meanwhile stops the merge before it starts.
    """
    with kb_lock(root):
        expected = [
            (plan.keep_path, plan.keep_fingerprint),
            (plan.other_path, plan.other_fingerprint),
            *((r.path, r.fingerprint) for r in plan.rewrites),
        ]
        if (path := changed_since(expected)) is not None:
            raise MergeError(
                f"{path} changed since the merge was planned; nothing written. Run the merge again"
            )
        written: list[Path] = []
        try:
            edit_file(
                root,
                plan.keep_path,
                plan.changes,
                body=lambda body: _with_notes(relink(body, plan.other, plan.keep), plan),
                expected=plan.keep_fingerprint,
            )
            written.append(plan.keep_path)
            for rewrite in plan.rewrites:
                edit_file(
                    root,
                    rewrite.path,
                    rewrite.changes,
                    body=(lambda b: relink(b, plan.other, plan.keep)) if rewrite.links else None,
                    expected=rewrite.fingerprint,
                )
                written.append(rewrite.path)
            if fingerprint(plan.other_path.read_bytes()) != plan.other_fingerprint:
                raise ChangedOnDisk(f"{plan.other_path} changed on disk; it was not deleted")
            os.unlink(plan.other_path)
            written.append(plan.other_path)
        except (EditError, OSError) as exc:
            done = ", ".join(str(p) for p in written) or "nothing"
            raise MergeError(f"merge stopped: {exc}. Already written: {done}") from None
    return written


def _with_notes(body: str, plan: MergePlan) -> str:
    if not plan.notes:
        return body
    newline = "\r\n" if "\r\n" in body else "\n"
    notes = relink(plan.notes, plan.other, plan.keep).replace("\n", newline)
    heading = f"## Merged from {plan.other_name} ({plan.other})"
    start = body.rstrip("\r\n")
    gap = newline * 2 if start.strip() else newline
    return f"{start}{gap}{heading}{newline}{newline}{notes}{newline}"
