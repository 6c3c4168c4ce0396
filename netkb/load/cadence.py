"""Cadences as written (``30d``, ``6w``, ``3m``, ``1y``): read the same way in a contact
file (``schema``) and in the settings (``settings``), which a warm check reads without
loading the whole schema."""

from __future__ import annotations

import re

from netkb.core.ranges import cadence_error
from netkb.core.records import Cadence

CADENCE = re.compile(r"([1-9][0-9]*)\s*([dwmy])")


def parse_cadence(text: str) -> Cadence | None:
    """The cadence written as ``text`` (``30d``), or None when it is not a usable one."""
    parsed = read_cadence(text)
    return parsed if isinstance(parsed, Cadence) else None


def read_cadence(text: str) -> Cadence | str | None:
    """The cadence written as ``text``; None when it is not an interval at all, or why
    it is too long (``Nd``, ``Nw``, ``Nm``, ``Ny`` of at most a century)."""
    match = CADENCE.fullmatch(text.strip().lower())
    if match is None:
        return None
    digits, unit = match[1], match[2]
    too_long = cadence_error(digits, unit)
    if too_long is not None:
        return too_long
    return Cadence(int(digits), unit)
