"""The ranges of the contract (DESIGN.md §2): one rule for files, commands and the clock.

Dates stay far from Python's years 1 and 9999, so no date arithmetic netkb does
(a cadence after the last contact, a week's Monday, a year before today) can
overflow; a cadence of at most a century after the last date keeps that true.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)
MAX_MINUTES = 24 * 60  # one interaction lasts at most a day
MAX_CADENCE_YEARS = 100
# The longest cadence in each unit: 100y, 1200m, 5217w (36,519 days) or 36525d.
MAX_CADENCE = {"d": 36525, "w": 5217, "m": 12 * MAX_CADENCE_YEARS, "y": MAX_CADENCE_YEARS}


def date_range_error(day: dt.date, key: str = "date") -> str | None:
    """Why ``day`` lies outside the dates netkb keeps, or None."""
    if isinstance(day, dt.datetime):  # a datetime does not compare with a date
        day = day.date()
    if EARLIEST <= day <= LATEST:
        return None
    return (
        f"{key} {day.isoformat()} is out of range; "
        f"dates lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
    )


def minutes_error(minutes: int, key: str = "minutes") -> str | None:
    """Why a whole number of minutes is too many or too few for one interaction, or None."""
    if 0 <= minutes <= MAX_MINUTES:
        return None
    return (
        f"{key} {brief(str(minutes))} is out of range; "
        f"one interaction takes 0 to {MAX_MINUTES} minutes (a day)"
    )


def cadence_error(count: str, unit: str) -> str | None:
    """Why a cadence of ``count`` (digits) ``unit`` (d, w, m, y) is too long, or None."""
    longest = MAX_CADENCE[unit]
    # Compare digit counts first: int() of thousands of digits is slow, then refused.
    if len(count) <= len(str(longest)) and int(count) <= longest:
        return None
    return f"is too long; a cadence is at most {MAX_CADENCE_YEARS} years: " + (
        f"{MAX_CADENCE['y']}y, {MAX_CADENCE['m']}m, {MAX_CADENCE['w']}w or {MAX_CADENCE['d']}d"
    )


def brief(text: str, limit: int = 40) -> str:
    """``text`` shortened for a message: a pasted megabyte must not fill the terminal."""
    return text if len(text) <= limit else f"{text[: limit - 10]}… ({len(text):,} characters)"
