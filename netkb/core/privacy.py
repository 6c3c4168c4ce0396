"""What of a record's front matter is private (DESIGN.md §2), decided in one place.

Any key, at any depth, whose name starts with ``private`` or ``_`` in any letter
case is private: it never reaches the site, the search index, an export or a
``--format json`` output. (Private parts of the notes are found by
``netkb.core.notes``, on the parsed document.)
"""

from __future__ import annotations

from typing import Any


def is_private_key(key: object) -> bool:
    """Whether a front-matter key names a private value."""
    return str(key).casefold().startswith(("private", "_"))


def public_value(value: Any) -> Any:
    """``value`` without the private keys of every mapping in it, however deep."""
    if isinstance(value, dict):
        return {k: public_value(v) for k, v in value.items() if not is_private_key(k)}
    if isinstance(value, list | tuple):
        return [public_value(v) for v in value]
    return value


def public_fields(fields: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
    """The extra fields of a record that may be shown, private keys removed at every depth."""
    return [(key, public_value(value)) for key, value in fields if not is_private_key(key)]
