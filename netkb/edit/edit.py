"""The one way netkb changes an existing file: round-trip, verified, atomic, locked.

``edit_file`` reads the bytes, keeps a UTF-8 BOM and the file's line endings,
changes only the touched front matter keys (``netkb.edit.yamledit``) and, if asked,
the body; then it re-reads the result with ``netkb.load.frontmatter.read_document``
and refuses to write unless exactly the intended values changed. It writes
through ``netkb.core.write.replace_file`` (temp file, fsync, ``os.replace``, mode
kept) while holding the KB's lock, and aborts if the file changed on disk after
it was read. A file whose real path is outside the KB (a symlink out of it) is
refused, never written through. ``restore_file`` undoes such an edit: the exact
bytes it replaced go back, under the same lock and checks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netkb.core.write import FileChangedError, OutsideKnowledgeBase, replace_file
from netkb.edit.lock import kb_lock
from netkb.edit.yamledit import DELETE, YamlEditError, edit_front_matter, same_value, split_lines
from netkb.load.frontmatter import read_document

BOM = b"\xef\xbb\xbf"
# The delimiter lines read_document accepts; _verify re-reads the result with it anyway.
_DELIMITER = re.compile(r"---[ \t]*")
_CLOSING = re.compile(r"(---|\.\.\.)[ \t]*")

__all__ = [
    "DELETE",
    "ChangedOnDisk",
    "EditError",
    "EditResult",
    "edit_file",
    "edited_bytes",
    "fingerprint",
    "restore_file",
]


class EditError(Exception):
    """An edit that cannot be made safely; nothing was written. The message says why."""


class ChangedOnDisk(EditError):
    """The file is not what netkb read and planned from; nothing was written to it."""


@dataclass(frozen=True, slots=True)
class EditResult:
    """The bytes of a file before and after an edit (equal when nothing changed)."""

    path: Path
    before: bytes
    after: bytes

    @property
    def changed(self) -> bool:
        """Whether the edit wrote anything."""
        return self.before != self.after


def fingerprint(data: bytes) -> str:
    """What a plan remembers of a file it read, to notice a change before writing."""
    return hashlib.sha256(data).hexdigest()


def changed_since(expected: Iterable[tuple[Path, str]]) -> Path | None:
    """The first file whose bytes no longer have the fingerprint a plan read (or that is
    gone); None when every one is as planned. Checked under the lock, before any write."""
    for path, planned in expected:
        try:
            if fingerprint(path.read_bytes()) == planned:
                continue
        except OSError:
            pass
        return path
    return None


def edit_file(
    root: Path,
    path: Path,
    changes: Mapping[str, Any] | None = None,
    *,
    body: Callable[[str], str] | None = None,
    expected: str | None = None,
) -> EditResult:
    """Change top-level ``changes`` (``DELETE`` removes a key) and optionally the body.

    ``expected`` is the ``fingerprint`` of the bytes a plan was made from; if the
    file differs now, ChangedOnDisk is raised and nothing is written.
    """
    with kb_lock(root):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EditError(f"{path}: cannot read the file: {exc.strerror}") from None
        if expected is not None and fingerprint(data) != expected:
            raise ChangedOnDisk(_changed_message(path))
        after = edited_bytes(path, data, changes or {}, body)
        _replace(root, path, data, after)
        return EditResult(path, data, after)


def restore_file(root: Path, path: Path, previous: bytes, *, expected: str) -> EditResult:
    """Undo an edit netkb made: put back ``previous``, the exact bytes it replaced.

    ``expected`` is the ``fingerprint`` of the bytes that edit wrote; if the file holds
    anything else now (the user saved it since), ChangedOnDisk is raised and nothing is
    written. Same lock, same atomic replace as ``edit_file``.
    """
    with kb_lock(root):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EditError(f"{path}: cannot read the file: {exc.strerror}") from None
        if fingerprint(data) != expected:
            raise ChangedOnDisk(_changed_message(path))
        _replace(root, path, data, previous)
        return EditResult(path, data, previous)


def _replace(root: Path, path: Path, data: bytes, after: bytes) -> None:
    """Write ``after`` over ``data`` (what was read under the lock), if they differ."""
    if after == data:
        return
    try:
        replace_file(path, after, unchanged=lambda: _still(path, data), inside=root)
    except FileChangedError:
        raise ChangedOnDisk(_changed_message(path)) from None
    except OutsideKnowledgeBase as exc:
        raise EditError(f"{exc}; nothing was written") from None
    except OSError as exc:
        raise EditError(f"{path}: cannot write the file: {exc.strerror}") from None


def _still(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _changed_message(path: Path) -> str:
    return (
        f"{path} changed on disk after netkb read it (another program saved it); "
        "nothing was written to it. Run the command again to plan from the new content"
    )


def edited_bytes(
    path: Path,
    data: bytes,
    changes: Mapping[str, Any],
    body: Callable[[str], str] | None = None,
) -> bytes:
    """The file ``data`` with the changes made, every other byte kept; checked, never raises
    anything but EditError."""
    doc = read_document(path, data)
    if doc.meta is None:
        shown = doc.problems[0].format() if doc.problems else f"{path}: no front matter"
        raise EditError(f"cannot edit a file that does not load: {shown}")
    effective = {
        key: value
        for key, value in changes.items()
        if (value is DELETE and key in doc.meta)
        or (value is not DELETE and (key not in doc.meta or not same_value(doc.meta[key], value)))
    }
    if not effective and body is None:
        return data
    bom = BOM if data.startswith(BOM) else b""
    lines = split_lines(data[len(bom) :].decode("utf-8"))
    closing = next(i for i in range(1, len(lines)) if _CLOSING.fullmatch(lines[i].rstrip("\r\n")))
    assert _DELIMITER.fullmatch(lines[0].rstrip("\r\n"))
    yaml_text = "".join(lines[1:closing])
    old_body = "".join(lines[closing + 1 :])
    try:
        new_yaml = edit_front_matter(yaml_text, effective, _newline(lines))
    except YamlEditError as exc:
        raise EditError(f"{path}: {exc}; nothing was written") from None
    new_body = body(old_body) if body is not None else old_body
    text = lines[0] + new_yaml + lines[closing] + new_body
    after = bom + text.encode("utf-8")
    _verify(path, doc.meta, effective, new_body, after)
    return after


def _newline(lines: list[str]) -> str:
    """The file's own line break: the most common one, \\n when there is none."""
    counts = {"\r\n": 0, "\n": 0, "\r": 0}
    for line in lines:
        for ending in counts:
            if line.endswith(ending):
                counts[ending] += 1
                break
    return max(counts, key=lambda ending: (counts[ending], ending == "\n"))


def _verify(
    path: Path, before: dict[str, Any], changes: Mapping[str, Any], body: str, after: bytes
) -> None:
    """Read the result back: exactly the intended values, in order, and the intended body."""
    expected = {k: v for k, v in before.items() if changes.get(k) is not DELETE}
    expected.update({k: v for k, v in changes.items() if v is not DELETE})
    doc = read_document(path, after)
    problem = None
    if doc.meta is None:
        problem = doc.problems[0].message if doc.problems else "it no longer loads"
    elif list(doc.meta) != list(expected):
        problem = f"the fields would be {list(doc.meta)}, not {list(expected)}"
    else:
        wrong = [k for k in expected if not same_value(doc.meta[k], expected[k])]
        if wrong:
            key = wrong[0]
            problem = f"{key} would read back as {doc.meta[key]!r}, not {expected[key]!r}"
        elif doc.body != body.replace("\r\n", "\n").replace("\r", "\n"):
            problem = "the notes would change in ways not asked for"
    if problem:
        raise EditError(f"{path}: netkb cannot make this edit safely ({problem}); nothing written")
