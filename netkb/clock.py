"""What day it is: injectable, so every date computation can be tested against a fixed today."""

from __future__ import annotations

import datetime as dt
import os

TODAY_VARIABLE = "NETKB_TODAY"


def today(given: dt.date | None = None) -> dt.date:
    """``given``, else the date in $NETKB_TODAY (YYYY-MM-DD), else the real today.

    Raises ValueError when $NETKB_TODAY is set but is not a date.
    """
    if given is not None:
        return given
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{TODAY_VARIABLE}={value!r} is not a date written YYYY-MM-DD") from None
