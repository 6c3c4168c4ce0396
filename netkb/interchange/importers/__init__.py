"""Read other tools' contact exports into candidate people (``netkb import``).

Each reader (``linkedin``, ``vcard``, ``google``) turns one file into a ``Parsed``:
candidates with the line they start on, rows it skipped and why, and notes about
values it left out. It never raises for a bad row, only ``ImportFileError`` for
a file it cannot read at all. ``netkb.interchange.importers.plan`` matches the candidates
against the knowledge base.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from netkb.interchange.importers import google, linkedin, vcard
from netkb.interchange.importers.rows import (
    MAX_IMPORT_BYTES,
    SOURCES,
    Candidate,
    ImportFileError,
    Parsed,
    RowNote,
    decode,
)

__all__ = ["SOURCES", "Candidate", "ImportFileError", "Parsed", "RowNote", "read_source"]

Reader = Callable[[Path, str], Parsed]


def read_source(kind: str, path: Path) -> Parsed:
    """Read ``path`` as a ``kind`` export (one of SOURCES). Raises ImportFileError."""
    readers: dict[str, Reader] = {
        "linkedin": linkedin.read,
        "vcard": vcard.read,
        "google": google.read,
    }
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path}: {size:,} bytes is too large to import")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file: {exc.strerror}") from None
    parsed = readers[kind](path, decode(path, data))
    if not parsed.candidates:
        reasons = (
            "; ".join(f"line {note.line}: {note.message}" for note in parsed.skipped[:3])
            or "it has no rows"
        )
        raise ImportFileError(
            f"{path}: no contacts recognised in this {parsed.source} file ({reasons}); "
            "nothing imported"
        )
    return parsed
