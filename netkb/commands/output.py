"""How commands print: text for a person with nothing a terminal would obey, data exact.

Every command that shows the user's data prints through these functions rather
than ``click.echo``, so no name, note or file name reaches the terminal raw
(``netkb.core.terminal.visible``): safe by construction, not by remembering each
value. Styles (bold, colours) are added after the text is made visible, so they
are the only escape sequences netkb ever writes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

import click

from netkb.core.terminal import visible

if TYPE_CHECKING:  # printing needs no linking: the type only
    from netkb.network.counts import Counts

# Nouns whose plural is not the singular plus "s".
_PLURALS = {"person": "people", "entry": "entries", "this": "these"}


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``number`` and the noun that agrees with it, thousands separated: "1 page",
    "2,072 pages", "1 person", "3 people". Every command counts through this."""
    noun = singular if number == 1 else plural or _PLURALS.get(singular, singular + "s")
    return f"{number:,} {noun}"


def describe_totals(totals: Counts) -> str:
    """The totals as ``check`` and ``stats`` print them, with the site's figure beside
    any that differs: "35 people (33 public), 7 organisations (4 files), 109
    interactions (107 with a public person)"."""

    def beside(total: str, shown: int, whole: int, label: str) -> str:
        return total if shown == whole else f"{total} ({shown:,} {label})"

    return ", ".join(
        [
            beside(count(totals.people, "person"), totals.public_people, totals.people, "public"),
            beside(
                count(totals.organisations, "organisation"),
                totals.organisation_files,
                totals.organisations,
                "file" if totals.organisation_files == 1 else "files",
            ),
            beside(
                count(totals.interactions, "interaction"),
                totals.public_interactions,
                totals.interactions,
                "with a public person",
            ),
        ]
    )


def colour_allowed() -> bool:
    """False when $NO_COLOR is set and not empty (https://no-color.org): then netkb
    writes no colour or bold at all, whatever the terminal."""
    return not os.environ.get("NO_COLOR")


def styled(text: str, **styles: Any) -> str:
    """``click.style(text, **styles)``, or ``text`` unchanged under $NO_COLOR: the one
    rule for every style netkb prints (click itself drops styles into a pipe)."""
    return click.style(text, **styles) if styles and colour_allowed() else text


def echo(message: str = "", *, err: bool = False, nl: bool = True, **styles: Any) -> None:
    """Print ``message`` with every control character visible except the line breaks the
    command laid out; ``styles`` (``bold=True``, ``fg="red"``…) as ``click.style``,
    none under $NO_COLOR."""
    click.echo(styled(visible(message, keep="\n"), **styles), err=err, nl=nl)


def echo_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Print each of ``lines`` on a line of its own; a line break inside one (a value
    holding one) is shown as ``\\n``, so a value can never forge a line of output."""
    click.echo("\n".join(visible(line) for line in lines), err=err)


def _is_terminal(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def echo_data(data: str | bytes, *, nl: bool = True) -> None:
    """Print data for programs (CSV, vCard): exactly as it is when standard output is a
    file or a pipe; on a terminal, control characters inside values are shown as escapes
    (line ends and tabs are kept; CRLF is shown as a line end)."""
    if not _is_terminal(sys.stdout):
        click.echo(data, nl=nl)  # bytes go out as they are: CRLF and UTF-8, whatever the locale
        return
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    click.echo(visible(text.replace("\r\n", "\n"), keep="\n\t"), nl=nl)


class Failure(click.ClickException):
    """``click.ClickException`` for messages that quote the user's data: printed with
    every control character made visible."""

    def format_message(self) -> str:
        return visible(self.message, keep="\n")
