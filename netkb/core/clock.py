"""What day it is: injectable, so every date computation can be tested against a fixed today."""

from __future__ import annotations

import datetime as dt
import os

from netkb.core.ranges import date_range_error

TODAY_VARIABLE = "NETKB_TODAY"


def today(given: dt.date | None = None) -> dt.date:
    """``given``, else the date in $NETKB_TODAY (YYYY-MM-DD), else the real today.

    Raises ValueError when $NETKB_TODAY is set but is not a date, or the date is out of
    range (DESIGN.md §2).
    """
    if given is not None:
        return _in_range(given, "today")
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{TODAY_VARIABLE}={value!r} is not a date written YYYY-MM-DD") from None
    return _in_range(day, TODAY_VARIABLE)


def _in_range(day: dt.date, name: str) -> dt.date:
    # A year before today or a cadence after it must stay a date Python can hold.
    problem = date_range_error(day, name)
    if problem is not None:
        raise ValueError(problem)
    return day
