"""What is at a position of a file's text, as it is being typed.

The file may be half written (an unclosed front matter, ``with: [ja``, a wikilink
without its ``]]``), so this reads the lines around the cursor rather than parsing
YAML: it only needs to know which field the cursor is in and what word is typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from netkb.load.fields import CONTACT, INTERACTION, ORGANISATION, FileKind
from netkb.load.loader import LOG_DIR, ORGS_DIR, PEOPLE_DIR

FIELD = "field"  # a field name at the start of a front-matter line
SLUG = "slug"  # a person's slug in a field that names people
VALUE = "value"  # the value of another field (kind, favor, circle)
RELATION = "relation"  # a relation type under ``relations:``
WIKILINK = "wikilink"  # the target of a ``[[wikilink]]``

KIND_OF_FOLDER: dict[str, FileKind] = {
    PEOPLE_DIR: CONTACT,
    ORGS_DIR: ORGANISATION,
    LOG_DIR: INTERACTION,
}
RELATIONS = "relations"
# The fields whose values are people's slugs, by the catalogue's types (``relations``
# holds slugs one level down, under a relation type).
SLUG_FIELDS = frozenset(
    f.name
    for kind in KIND_OF_FOLDER.values()
    for f in kind.fields
    if "slug" in f.type and f.name != RELATIONS
)

_DELIMITERS = frozenset(" \t,[]{}:'\"#")
_OPENING = re.compile(r"---[ \t]*")
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_KEY = re.compile(r"([^\s:#\-\[\]{},][^:#]*?)[ \t]*:(?=[ \t]|$)")
_NESTED_KEY = re.compile(r"[ \t]+([^\s:#\-\[\]{},][^:#]*?)[ \t]*:(?=[ \t]|$)")
_LINK = re.compile(r"\[\[([^\[\]|\n]*)(?:\|[^\[\]\n]*)?\]\]")


@dataclass(frozen=True, slots=True)
class Spot:
    """What the cursor is in: ``what`` (FIELD, SLUG, VALUE, RELATION, WIKILINK), the
    field it belongs to, and the word there: ``start``–``end`` on the cursor's line, of
    which ``prefix`` is what lies before the cursor (columns in code points, from 0)."""

    what: str
    field: str
    prefix: str
    start: int
    end: int
    word: str


def front_matter_end(lines: list[str]) -> int | None:
    """The index of the line that closes the front matter; ``len(lines)`` while it is not
    closed yet (being typed); None when the file has no front matter."""
    if not lines or not _OPENING.fullmatch(lines[0]):
        return None
    for number in range(1, len(lines)):
        if _CLOSING.fullmatch(lines[number]):
            return number
    return len(lines)


def spot_at(lines: list[str], line: int, column: int, folder: str) -> Spot | None:
    """What is at ``column`` (code points, from 0) of line ``line`` (from 0) in a file of
    ``folder`` (contacts, orgs, log); None where netkb has nothing to offer."""
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    column = min(max(column, 0), len(text))
    link = _wikilink_at(text, column)
    if link is not None:
        return link
    end = front_matter_end(lines)
    if end is None or not 0 < line < end:
        return None
    return _front_matter_spot(lines, line, column, KIND_OF_FOLDER.get(folder))


def _wikilink_at(text: str, column: int) -> Spot | None:
    """The wikilink target the cursor is in: a whole ``[[…]]`` or one still being typed."""
    for match in _LINK.finditer(text):
        if match.start(1) <= column <= match.end(1):
            target_end = match.end(1)
            word = text[match.start(1) : target_end]
            return Spot(
                WIKILINK, "", text[match.start(1) : column], match.start(1), target_end, word
            )
    before = text[:column]
    opened = before.rfind("[[")
    if opened == -1 or "]]" in before[opened:] or "|" in before[opened:]:
        return None
    start = opened + 2
    end = column
    while end < len(text) and text[end] not in "|[]":
        end += 1
    return Spot(WIKILINK, "", before[start:], start, end, text[start:end])


def _word(text: str, column: int) -> tuple[int, int]:
    """The start and end of the word around ``column``, between YAML's delimiters."""
    start = column
    while start > 0 and text[start - 1] not in _DELIMITERS:
        start -= 1
    end = column
    while end < len(text) and text[end] not in _DELIMITERS:
        end += 1
    return start, end


def _front_matter_spot(
    lines: list[str], line: int, column: int, kind: FileKind | None
) -> Spot | None:
    text = lines[line]
    before = text[:column]
    if "#" in before and _in_comment(before):
        return None
    start, end = _word(text, column)
    word, prefix = text[start:end], text[start:column]

    def spot(what: str, field: str) -> Spot:
        return Spot(what, field, prefix, start, end, word)

    if not text[:1].isspace() and text[:1] != "-":
        key = _KEY.match(text)
        if key is None or column <= key.end() - 1:
            # No colon yet, or the cursor is in the key: a field name is being typed.
            typing_a_name = kind is not None and " " not in before.strip(" \t")
            return spot(FIELD, "") if typing_a_name else None
        return _value_spot(key[1], text[key.end() : column], spot)
    parent = _parent_key(lines, line)
    if parent is None:
        return None
    if parent == RELATIONS:
        nested = _NESTED_KEY.match(text)
        if nested is not None and column > nested.end() - 1:
            return spot(SLUG, f"{RELATIONS}.{nested[1]}")
        if nested is None and text.lstrip().startswith("-"):
            return spot(SLUG, RELATIONS)  # an item of a block list under a relation type
        return spot(RELATION, RELATIONS)
    if parent in SLUG_FIELDS and text.lstrip().startswith("-"):
        return spot(SLUG, parent)
    return None


def _value_spot(key: str, value: str, spot: Callable[[str, str], Spot]) -> Spot | None:
    """What a value after ``key:`` is; ``value`` is what is written up to the cursor."""
    if key == RELATIONS:
        # A flow mapping: relations: {colleague: [ana-lee, ja
        inside = value[value.rfind("{") + 1 :] if "{" in value else ""
        if not inside and "{" not in value:
            return None
        entry = inside[max(inside.rfind(","), inside.rfind("]")) + 1 :]
        if "[" in inside[inside.rfind("]") + 1 :] or ":" in entry:
            return spot(SLUG, RELATIONS)
        return spot(RELATION, RELATIONS)
    if key in SLUG_FIELDS:
        return spot(SLUG, key)
    if key in ("kind", "favor", "circle"):
        return spot(VALUE, key)
    return None


def _parent_key(lines: list[str], line: int) -> str | None:
    """The top-level key an indented line (or a ``- item`` line) belongs to."""
    for number in range(line - 1, 0, -1):
        above = lines[number]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        if not above[:1].isspace() and above[:1] != "-":
            key = _KEY.match(above)
            return key[1] if key else None
    return None


def _in_comment(before: str) -> bool:
    """Whether a ``#`` before the cursor starts a YAML comment (not inside quotes)."""
    quote = ""
    for index, char in enumerate(before):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or before[index - 1] in " \t"):
            return True
    return False
