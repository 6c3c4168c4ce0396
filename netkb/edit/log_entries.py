"""Write new interactions into ``log/`` (DESIGN.md §3): atomically, never over a file."""

from __future__ import annotations

import datetime as dt
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
) -> dict[str, Any]:
    """The front matter of a log entry, in the order DESIGN.md §3 writes it."""
    fields: dict[str, Any] = {"date": day, "with": people, "kind": kind.strip().lower() or "other"}
    if minutes is not None:
        fields["minutes"] = minutes
    if favor is not None:
        fields["favor"] = favor
    if summary is not None and summary.strip():
        fields["summary"] = " ".join(summary.split())
    return fields


def log_name(day: dt.date, kind: str, first: str) -> str:
    """``2026-10-02-lunch-jane-doe``: the date, the kind and the first person."""
    base = slugify(f"{day.isoformat()} {kind} {first}", max_length=MAX_NAME, word_boundary=True)
    return base or day.isoformat()


def write_interaction(root: Path, fields: dict[str, Any]) -> Path:
    """Write ``log/<year>/<name>.md`` for ``fields`` (-2, -3… when the name is taken).

    Holds the KB's lock while writing; refuses (LogError) a ``log/`` or year folder
    that is a symlink out of the knowledge base."""
    day: dt.date = fields["date"]
    text = contact_text(fields) + "\n"
    folder = root / LOG_DIR / f"{day.year:04d}"
    base = log_name(day, fields["kind"], fields["with"][0])
    _check(folder / f"{base}.md", text, fields)
    try:
        with kb_lock(root):
            for number in range(1, MAX_TRIES + 1):
                path = folder / (f"{base}.md" if number == 1 else f"{base}-{number}.md")
                try:
                    create_file(path, text.encode("utf-8"), inside=root)
                except FileExistsError:
                    continue
                return path
    except (OutsideKnowledgeBase, LockTimeout) as exc:
        raise LogError(f"{exc}; nothing was written") from None
    raise LogError(f"{folder}: {MAX_TRIES} log files named {base}-N.md already exist")


def _check(path: Path, text: str, fields: dict[str, Any]) -> None:
    """Read back what is about to be written: it must load as exactly these fields."""
    doc = read_document(path, text.encode("utf-8"))
    problems: list[Problem] = list(doc.problems)
    record = interaction_from(doc, path.stem, problems) if doc.meta is not None else None
    if problems or record is None or doc.meta != fields:
        shown = "; ".join(p.message for p in problems) or repr(doc.meta)
        raise LogError(f"cannot write this interaction safely: {shown}")
