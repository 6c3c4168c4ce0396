"""The retention check: people you hold data about but have not touched for too long.

Opt-in (``extra.netkb.retention: 3y``). A person is touched by an interaction (their
last contact: the latest log entry on or before today, or ``last_contact``) and by an
edit of their file: the date of the last commit that changed it, or, for a file git
does not know (no repository, not committed yet), the file's modification time. Someone
with neither for longer than the period gets a warning at their file, so old data is
reviewed (or forgotten: ``netkb forget``) rather than kept forever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from netkb.core.problems import Problem, warning
from netkb.core.records import Network
from netkb.link.derive import link


def last_touched(
    network: Network, today: dt.date, updated: Mapping[Path, dt.date]
) -> dict[str, dt.date | None]:
    """Each person's latest interaction or edit, whichever is later (None: neither known)."""
    facts = link(network, today=today)
    touched: dict[str, dt.date | None] = {}
    for slug, person in network.people.items():
        edited = updated.get(person.source.path)
        if edited is None:
            edited = _modified(person.source.path)
        dates = [d for d in (facts.last_contact(slug), edited) if d is not None]
        touched[slug] = max(dates) if dates else None
    return touched


def _modified(path: Path) -> dt.date | None:
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def retention_warnings(
    network: Network,
    today: dt.date | None = None,
    updated: Mapping[Path, dt.date] | None = None,
) -> list[Problem]:
    """NK173 at line 1 of every person untouched for longer than ``retention``; none
    when the setting is off. ``updated``: ``last_updated(root)``, asked for when None."""
    period = network.settings.retention
    if period is None:
        return []
    facts_today = link(network, today=today).today
    if updated is None:
        from netkb.git.history import last_updated  # git only when the setting is on

        updated = last_updated(network.root)
    found = []
    for slug, touched in last_touched(network, facts_today, updated).items():
        try:
            if touched is not None and period.after(touched) >= facts_today:
                continue
        except (ValueError, OverflowError):  # a file dated near year 9999 is not old
            continue
        since = f"since {touched.isoformat()}" if touched else "ever"
        message = (
            f"{slug}: no interaction and no edit {since}, longer than the retention period "
            f"({period}); review what you keep, or run netkb forget {slug}"
        )
        found.append(warning(network.people[slug].source.path, 1, 1, "NK173", message))
    return sorted(found)
