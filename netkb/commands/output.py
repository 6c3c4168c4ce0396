"""How commands print: text for a person with nothing a terminal would obey, data exact.

Every command that shows the user's data prints through these functions rather
than ``click.echo``, so no name, note or file name reaches the terminal raw
(``netkb.core.terminal.visible``): safe by construction, not by remembering each
value. Styles (bold, colours) are added after the text is made visible, so they
are the only escape sequences netkb ever writes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, Any

import click

from netkb.core.terminal import visible


def echo(message: str = "", *, err: bool = False, nl: bool = True, **styles: Any) -> None:
    """Print ``message`` with every control character visible except the line breaks the
    command laid out; ``styles`` (``bold=True``, ``fg="red"``…) as ``click.style``."""
    text = visible(message, keep="\n")
    click.echo(click.style(text, **styles) if styles else text, err=err, nl=nl)


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
