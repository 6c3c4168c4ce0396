"""Git as the audit trail: a person's field changes over time, and when each file last changed.

``field_history`` asks git twice whatever the length of the history: one
``git log --follow --name-status`` for the commits and names of the file, one
``git cat-file --batch`` for every version's bytes. Each version's front matter
is read with ``netkb.load.frontmatter``, and consecutive versions are compared field
by field. ``last_updated`` is one ``git log --name-only`` over the whole KB.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netkb.git.repo import GitError, git
from netkb.load.fields import shown
from netkb.load.frontmatter import read_document

UNCOMMITTED = "uncommitted"


@dataclass(frozen=True, slots=True)
class Change:
    """One line of a history: ``2026-03-02 role: Engineer → CTO``."""

    date: str  # YYYY-MM-DD, or "uncommitted"
    commit: str | None
    subject: str
    text: str

    def __str__(self) -> str:
        return f"{self.date} {self.text}"


@dataclass(frozen=True, slots=True)
class _Version:
    commit: str | None
    date: str
    subject: str
    path: str | None  # relative to the repository's top; None where the file was deleted
    data: bytes | None = None


def field_history(root: Path, path: Path) -> list[Change]:
    """Every change to ``path``'s fields, newest first; uncommitted edits first of all.

    Raises GitError when ``root`` is not in a git repository.
    """
    top = Path(git(root, ["rev-parse", "--show-toplevel"]).decode().strip())
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(top))
    log = git(
        top,
        ["log", "--follow", "--format=%x1e%H%x1f%as%x1f%s", "--name-status", "-z", "--", relative],
    ).decode("utf-8", "replace")
    versions = list(reversed(_versions(log)))
    versions = _with_contents(top, versions)
    if path.exists():
        current = path.read_bytes()
        if not versions or versions[-1].data != current:
            versions.append(_Version(None, UNCOMMITTED, "", relative, current))
    by_version: list[list[Change]] = []
    previous: _Version | None = None
    for version in versions:
        by_version.append(
            [
                Change(version.date, version.commit, version.subject, text)
                for text in _compare(previous, version)
            ]
        )
        previous = version
    return [change for changes in reversed(by_version) for change in changes]


def _versions(log: str) -> list[_Version]:
    """The commits of a ``--name-status -z`` log, newest first, with the file's name in each."""
    versions = []
    for chunk in log.split("\x1e")[1:]:
        header, _, rest = chunk.partition("\0")
        commit, date, subject = [*header.split("\x1f"), "", ""][:3]
        fields = [f for f in rest.lstrip("\n").split("\0") if f]
        name: str | None = None
        while fields:
            status = fields.pop(0)
            if status[:1] in ("R", "C") and len(fields) >= 2:
                fields.pop(0)
                name = fields.pop(0)
            elif fields:
                path = fields.pop(0)
                name = None if status.startswith("D") else path
        versions.append(_Version(commit, date, subject, name))
    return versions


def _with_contents(top: Path, versions: list[_Version]) -> list[_Version]:
    """The versions with the file's bytes at each commit, all from one ``cat-file --batch``."""
    wanted = [v for v in versions if v.path is not None]
    if not wanted:
        return versions
    request = "".join(f"{v.commit}:{v.path}\n" for v in wanted).encode("utf-8")
    out = git(top, ["cat-file", "--batch"], stdin=request)
    blobs: dict[tuple[str | None, str | None], bytes] = {}
    offset = 0
    for version in wanted:
        end = out.index(b"\n", offset)
        header = out[offset:end].split()
        offset = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[(version.commit, version.path)] = out[offset : offset + size]
            offset += size + 1
    return [
        _Version(v.commit, v.date, v.subject, v.path, blobs.get((v.commit, v.path)))
        for v in versions
    ]


def _meta(version: _Version) -> tuple[dict[str, Any] | None, str]:
    if version.data is None:
        return None, ""
    doc = read_document(Path(version.path or "file"), version.data)
    return doc.meta, doc.body if doc.meta is not None else ""


def _compare(before: _Version | None, after: _Version) -> list[str]:
    """The field changes from one version to the next, in words."""
    if after.data is None:
        return ["deleted"] if before is not None and before.data is not None else []
    new, new_body = _meta(after)
    if new is None:
        return ["front matter could not be read in this version"]
    if before is None or before.data is None:
        return [f"created as {after.path}" + (f" ({new['name']})" if "name" in new else "")]
    lines = []
    if before.path != after.path:
        lines.append(f"renamed {before.path} → {after.path}")
    old, old_body = _meta(before)
    if old is None:
        return [*lines, "front matter readable again"]
    for key in dict.fromkeys([*old, *new]):
        lines += describe(key, old.get(key), new.get(key))
    if old_body != new_body:
        lines.append("notes edited")
    return lines


def describe(key: str, old: Any, new: Any) -> list[str]:
    """``role: Engineer → CTO``, ``tags: + golf, − chess``, ``relations.colleague: + ana``."""
    if old == new and type(old) is type(new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            line
            for sub in dict.fromkeys([*old, *new])
            for line in describe(f"{key}.{sub}", old.get(sub), new.get(sub))
        ]
    if isinstance(old, list) or isinstance(new, list):
        old_items = old if isinstance(old, list) else ([] if old is None else [old])
        new_items = new if isinstance(new, list) else ([] if new is None else [new])
        added = [shown(i) for i in new_items if i not in old_items]
        removed = [shown(i) for i in old_items if i not in new_items]
        parts = [f"+ {i}" for i in added] + [f"− {i}" for i in removed]
        return [f"{key}: {', '.join(parts)}"] if parts else [f"{key}: reordered"]
    if old is None:
        return [f"{key}: + {shown(new)}"]
    if new is None:
        return [f"{key}: − {shown(old)}"]
    return [f"{key}: {shown(old)} → {shown(new)}"]


def last_updated(root: Path) -> dict[Path, dt.date]:
    """The date of the last commit that touched each file under ``root``: one ``git log``.

    Empty when ``root`` is not in a git repository (or git is missing).
    """
    try:
        log = git(root, ["log", "--format=%x1e%as", "--name-only", "--relative", "-z"]).decode(
            "utf-8", "replace"
        )
    except GitError:
        return {}
    found: dict[Path, dt.date] = {}
    base = root.resolve()
    for chunk in log.split("\x1e")[1:]:
        date_text, _, rest = chunk.partition("\0")
        try:
            date = dt.date.fromisoformat(date_text.strip())
        except ValueError:
            continue
        for name in rest.lstrip("\n").split("\0"):
            if name:
                found.setdefault(base / name, date)
    return found
