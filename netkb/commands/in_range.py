"""Options that take a date or minutes refuse what ``check`` would refuse in a file.

The rule is the schema's (``netkb.core.ranges``), not a copy: a command never writes a
value that the next ``check`` reports, and the user reads the same words in both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

Callback = Callable[[click.Context, click.Parameter, Any], Any]


def in_range(rule: Callable[[Any, str], str | None], key: str) -> Callback:
    """A Click callback refusing, before anything is written, a value ``rule`` refuses
    for the field ``key`` (``in_range(date_range_error, "met")``)."""

    def check(_ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        problem = rule(value, key) if value is not None else None
        if problem is not None:
            raise click.BadParameter(problem, param=param)
        return value

    return check
