"""When two values name the same thing: emails, LinkedIn URLs, phone numbers, tags.

Shared by the import planner (is this row someone we know?) and ``netkb merge``
(which list items are already there?).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from netkb.core.references import name_key

_LINKEDIN = re.compile(r"(?:[a-z]{2,3}\.)?linkedin\.com/in/([^/]+)")


def normal_url(url: str) -> str:
    """A URL without scheme, ``www.``, query, fragment, trailing slash or case."""
    bare = url.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    for prefix in ("https://", "http://", "www."):
        bare = bare.removeprefix(prefix)
    return bare


def linkedin_key(url: str) -> str | None:
    """The profile a LinkedIn URL points at (``linkedin.com/in/janedoe``), else None."""
    match = _LINKEDIN.match(normal_url(url))
    return f"linkedin.com/in/{match[1]}" if match else None


def item_key(field: str, value: Any) -> Any:
    """What makes two items of a list field the same item."""
    if isinstance(value, dict | list):  # a history entry; unhashable as it is
        return json.dumps(value, sort_keys=True, default=str)
    if not isinstance(value, str):
        return value
    if field == "email":
        return value.strip().casefold()
    if field == "links":
        return normal_url(value)
    if field == "phone":
        digits = "".join(c for c in value if c.isdigit())
        return ("+" if value.strip().startswith("+") else "") + digits
    return name_key(value)


def as_list(value: Any) -> list[Any]:
    """A field's value as a list: ``tags: golf`` is ``[golf]``, nothing is ``[]``."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def missing_items(field: str, present: Iterable[Any], offered: Iterable[Any]) -> list[Any]:
    """The items of ``offered`` that ``present`` lacks, in order, each once."""
    seen = {item_key(field, item) for item in present}
    added = []
    for item in offered:
        key = item_key(field, item)
        if key not in seen:
            seen.add(key)
            added.append(item)
    return added
