"""Write new interactions into ``log/`` (DESIGN.md §3): atomically, never over a file."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from slugify import slugify

from netkb.core.problems import Problem
from netkb.core.write import OutsideKnowledgeBase, create_file
from netkb.edit.lock import LockTimeout, kb_lock
from netkb.edit.scaffold import contact_text
from netkb.load.frontmatter import read_document
from netkb.load.loader import LOG_DIR
from netkb.load.schema import interaction_from

MAX_NAME = 80  # characters of a log file's name before the suffix and .md
MAX_TRIES = 1000


class LogError(Exception):
    """An interaction that cannot be written; the message says why."""


def interaction_fields(
    day: dt.date,
    people: list[str],
    kind: str = "other",
    minutes: int | None = None,
    favor: str | None = None,
    summary: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The front matter of a log entry, in the order DESIGN.md §3 writes it."""
    fields: dict[str, Any] = {"date": day, "with": people, "kind": kind.strip().lower() or "other"}
    if minutes is not None:
        fields["minutes"] = minutes
    if favor is not None:
        fields["favor"] = favor
    if summary is not None and summary.strip():
        fields["summary"] = " ".join(summary.split())
    if source is not None:
        fields["source"] = source
    return fields


def log_name(day: dt.date, kind: str, first: str) -> str:
    """``2026-10-02-lunch-jane-doe``: the date, the kind and the first person."""
    base = slugify(f"{day.isoformat()} {kind} {first}", max_length=MAX_NAME, word_boundary=True)
    return base or day.isoformat()


def write_interaction(root: Path, fields: dict[str, Any]) -> Path:
    """Write ``log/<year>/<name>.md`` for ``fields`` (-2, -3… when the name is taken).

    Holds the KB's lock while writing; refuses (LogError) a ``log/`` or year folder
    that is a symlink out of the knowledge base."""
    data = interaction_text(root, fields)
    try:
        with kb_lock(root):
            return create_interaction(root, fields, data)
    except (OutsideKnowledgeBase, LockTimeout) as exc:
        raise LogError(f"{exc}; nothing was written") from None


def interaction_text(root: Path, fields: dict[str, Any]) -> bytes:
    """The file of a new log entry with ``fields``; LogError unless it reads back as exactly
    these fields."""
    text = "---\n" + "".join(_line(key, value) for key, value in fields.items()) + "---\n\n"
    _check(_folder(root, fields) / f"{_base(fields)}.md", text, fields)
    return text.encode("utf-8")


def _line(key: str, value: Any) -> str:
    try:
        return _field_line(key, tuple(value) if isinstance(value, list) else value)
    except TypeError:  # a value that cannot be a key of the cache (a mapping): made anew
        return _field_line.__wrapped__(key, value)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 1 and true are different lines
def _field_line(key: str, value: Any) -> str:
    """``contact_text``'s line for one field. An import writes thousands of entries whose
    dates, people and kinds repeat: each line is made once (``contact_text`` writes each
    field on lines of its own, so the lines of a file are the lines of its fields)."""
    text = contact_text({key: list(value) if isinstance(value, tuple) else value})
    return text.removeprefix("---\n").removesuffix("---\n")


def create_interaction(
    root: Path, fields: dict[str, Any], data: bytes, *, durable: bool = True
) -> Path:
    """Create the log entry ``data`` (``interaction_text``) at its name in ``log/<year>/``,
    ``-2``, ``-3``… when taken. The caller holds the KB's lock; raises LogError,
    OutsideKnowledgeBase or OSError."""
    folder, base = _folder(root, fields), _base(fields)
    for number in range(1, MAX_TRIES + 1):
        path = folder / (f"{base}.md" if number == 1 else f"{base}-{number}.md")
        try:
            create_file(path, data, inside=root, durable=durable)
        except FileExistsError:
            continue
        return path
    raise LogError(f"{folder}: {MAX_TRIES} log files named {base}-N.md already exist")


def _folder(root: Path, fields: dict[str, Any]) -> Path:
    return root / LOG_DIR / f"{fields['date'].year:04d}"


def _base(fields: dict[str, Any]) -> str:
    return log_name(fields["date"], fields["kind"], fields["with"][0])


def _check(path: Path, text: str, fields: dict[str, Any]) -> None:
    """Read back what is about to be written: it must load as exactly these fields."""
    doc = read_document(path, text.encode("utf-8"))
    problems: list[Problem] = list(doc.problems)
    record = interaction_from(doc, path.stem, problems) if doc.meta is not None else None
    if problems or record is None or doc.meta != fields:
        shown = "; ".join(p.message for p in problems) or repr(doc.meta)
        raise LogError(f"cannot write this interaction safely: {shown}")
