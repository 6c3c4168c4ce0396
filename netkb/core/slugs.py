"""What a contact or organisation file may be named: its slug becomes a page address.

netkb makes ASCII slugs (DESIGN.md §1), but users name files too, and a file
may arrive in someone else's pull request. A slug is written into URLs,
Markdown links and HTML attributes on many pages, so a file name that holds
the syntax of any of them is a located error and the record is left out.
Unicode letters (``zoë-müller.md``, ``李雷.md``) are fine.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from slugify import slugify

from netkb.core.problems import Problem, error

MAX_SLUG = 80  # the longest slug netkb makes (DESIGN.md §1)
# What a file name may hold besides letters, combining marks and digits: none of these
# means anything in a URL path, in Markdown link syntax or in an HTML attribute.
_PUNCTUATION = frozenset("-_.")
# MkDocs makes index.md and README.md the folder's own page (people/ itself), and on a
# case-insensitive disk Index.md is index.md.
_FRONT_PAGES = frozenset(["index", "readme"])
_SHOWN = 5  # offending characters named in one message
# The slugs netkb makes (DESIGN.md §1): nothing more to look at, which is most files.
_MADE_BY_NETKB = re.compile(r"[a-z0-9][a-z0-9-]*")


def file_name_error(slug: str) -> str | None:
    """Why a file named ``slug``.md cannot give its page's address, or None when it can."""
    if _MADE_BY_NETKB.fullmatch(slug) and slug not in _FRONT_PAGES:
        return None
    if not slug:
        return "it has no name before .md"
    unsafe = list(dict.fromkeys(ch for ch in slug if not _allowed(ch)))
    if unsafe:
        shown = ", ".join("a space" if ch == " " else repr(ch) for ch in unsafe[:_SHOWN])
        more = ", …" if len(unsafe) > _SHOWN else ""
        return f"it holds {shown}{more}; only letters, digits, '-', '_' and '.' are safe"
    if not unicodedata.is_normalized("NFC", slug):
        # The same name then has two spellings: links, searches and collisions disagree.
        return "its accents are written as separate characters (Unicode NFD)"
    if not _letter_or_digit(slug[0]):
        # A leading '-' reads as an option on the command line, '_' and '.' hide files.
        return f"it starts with {slug[0]!r}, not a letter or a digit"
    if slug.endswith(".") or ".." in slug:
        return "it ends with '.' or holds '..'"
    if slug.casefold() in _FRONT_PAGES:
        return f"{slug!r} is the name of a folder's own page in the site"
    return None


def file_name_problem(path: Path, slug: str, name: str | None = None) -> Problem | None:
    """An NK147 error at ``path:1:1`` when ``slug`` cannot be a page address, with a
    slug ``netkb new`` would make instead (from the file name, else from ``name``)."""
    reason = file_name_error(slug)
    if reason is None:
        return None
    return error(
        path,
        1,
        1,
        "NK147",
        f"file name {path.name!r} cannot be part of a page address: {reason}; "
        f"rename it, e.g. to {suggested_slug(slug, name)}.md",
    )


def make_slug(name: str) -> str:
    """An ASCII slug from a name: Zoë Müller → zoe-muller (at most 80 characters)."""
    return slugify(name, max_length=MAX_SLUG, word_boundary=True) or "person"


def suggested_slug(slug: str, name: str | None = None) -> str:
    """The slug ``netkb new`` makes from the file name, or from the person's or
    organisation's name when the file name gives none that is safe."""
    fallback = make_slug("")
    for source in (slug, name or ""):
        made = make_slug(source)
        if made != fallback and file_name_error(made) is None:
            return made
    return fallback


def _allowed(ch: str) -> bool:
    return ch in _PUNCTUATION or _letter_or_digit(ch) or unicodedata.category(ch)[0] == "M"


def _letter_or_digit(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd"
