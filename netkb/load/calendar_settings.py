"""The settings of the calendar import (DESIGN.md §5): your own addresses, your time
zone, and words of your own that tell an event's kind from its title."""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_KEYWORD = 60  # characters of one title keyword


def read_calendar_settings(
    netkb: dict[str, Any], fail: Callable[[str, str], None]
) -> dict[str, Any]:
    """``owner_emails``, ``timezone`` and ``calendar_kinds`` from ``extra.netkb``, as
    Settings values; ``fail(key, message)`` for each unusable one (which is left out)."""
    values: dict[str, Any] = {}
    emails = netkb.get("owner_emails")
    if emails is not None:
        listed = [emails] if isinstance(emails, str) else emails
        if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
            fail("owner_emails", "owner_emails must be a list of your own email addresses")
        else:
            bad = [e for e in listed if not _EMAIL.fullmatch(e.strip())]
            if bad:
                fail("owner_emails", f"owner_emails: {bad[0]!r} is not an email address")
            values["owner_emails"] = tuple(
                dict.fromkeys(e.strip().casefold() for e in listed if e not in bad)
            )
    zone = netkb.get("timezone")
    if zone is not None:
        if isinstance(zone, str) and known_zone(zone.strip()):
            values["timezone"] = zone.strip()
        else:
            fail(
                "timezone",
                f"timezone: {zone!r} is not a time zone name such as Europe/Berlin "
                "or America/Los_Angeles",
            )
    kinds = netkb.get("calendar_kinds")
    if kinds is not None:
        read = _kinds(kinds)
        if isinstance(read, str):
            fail("calendar_kinds", f"calendar_kinds {read}")
        else:
            values["calendar_kinds"] = read
    return values


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (tzdata)."""
    if not name or name.startswith(("/", ".")) or len(name) > 100:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def owner_zone(name: str | None) -> dt.tzinfo:
    """The owner's time zone: the ``timezone`` setting, else the machine's ($TZ or
    /etc/localtime), else the machine's present UTC offset."""
    if name is not None and known_zone(name):
        return zoneinfo.ZoneInfo(name)
    machine = os.environ.get("TZ", "").removeprefix(":")
    if known_zone(machine):
        return zoneinfo.ZoneInfo(machine)
    try:
        link = os.path.realpath("/etc/localtime")
    except OSError:
        link = ""
    _, found, key = link.partition("/zoneinfo/")
    if found and known_zone(key):
        return zoneinfo.ZoneInfo(key)
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def _kinds(value: Any) -> MappingProxyType[str, tuple[str, ...]] | str:
    """kind → title keywords, or what is wrong with them."""
    if not isinstance(value, dict):
        return "must map a kind to title words, like {golf: [golf, tee time]}"
    kinds: dict[str, tuple[str, ...]] = {}
    for kind, words in value.items():
        listed = [words] if isinstance(words, str) else words
        if not isinstance(kind, str) or not kind.strip():
            return f"{kind!r}: a kind is a word such as golf"
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(w, str) and 0 < len(w.strip()) <= MAX_KEYWORD for w in listed)
        ):
            return f"{kind}: list the words of a title that mean {kind}, like [golf, tee time]"
        kinds[kind.strip().lower()] = tuple(" ".join(w.casefold().split()) for w in listed)
    return MappingProxyType(kinds)
