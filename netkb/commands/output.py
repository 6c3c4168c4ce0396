"""How commands print: text for a person with nothing a terminal would obey, data exact.

Every command that shows the user's data prints through these functions rather
than ``click.echo``, so no name, note or file name reaches the terminal raw
(``netkb.core.terminal.visible``): safe by construction, not by remembering each
value. Styles (bold, colours) are added after the text is made visible, so they
are the only escape sequences netkb ever writes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

import click

from netkb.core.terminal import visible

if TYPE_CHECKING:  # printing needs no linking (nor building): the types only
    from pathlib import Path

    from netkb.build.audit import Finding
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


# Work shorter than this shows no bar at all: a bar that flashes past only flickers.
PROGRESS_DELAY = 0.3  # seconds


@contextlib.contextmanager
def progress(label: str, length: int, *, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long work; yields ``update(n)``: n more steps done.

    The bar is drawn only when stderr is a terminal, ``quiet`` is false and the work
    is still running after ``PROGRESS_DELAY``; otherwise ``update`` does nothing and
    nothing is printed (a pipe or a log file gets no bar characters). Core functions
    take ``update`` as their ``progress`` callback; they never draw.

    Example::

        with progress("Matching", len(rows), quiet=quiet) as update:
            plan_import(network, parsed, today, progress=update)
    """
    if quiet or length <= 0 or not _is_terminal(sys.stderr):
        yield _no_progress
        return
    bar = _DelayedBar(visible(label), length)
    try:
        yield bar.update
    finally:
        bar.close()


def _no_progress(steps: int) -> None:
    """``update`` when no bar is drawn."""


class _DelayedBar:
    """A click progress bar that appears only once the work has run a while."""

    def __init__(self, label: str, length: int) -> None:
        self.label = label
        self.length = length
        self.started = time.monotonic()
        self.done = 0
        self.bar: Any = None  # click's ProgressBar, once shown

    def update(self, steps: int) -> None:
        if self.bar is not None:
            self.bar.update(steps)
            return
        self.done += steps
        if time.monotonic() - self.started >= PROGRESS_DELAY:
            self.bar = click.progressbar(length=self.length, label=self.label, file=sys.stderr)
            self.bar.__enter__()
            self.bar.update(self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


STAGE_LABELS = {"render": "Rendering pages", "build": "Building pages "}


class Stages:
    """Progress bars for the stages of a build (``progress(stage, done, total)``: render,
    build), one after the other; each closes when its stage is done. Drawn as ``progress``
    draws them: only on a terminal, not with ``quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._stack = contextlib.ExitStack()
        self._stage: str | None = None
        self._update: Callable[[int], None] | None = None
        self._done = 0

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._stack.close()
            self._stack = contextlib.ExitStack()
            self._stage, self._done = stage, 0
            label = STAGE_LABELS.get(stage, stage)
            self._update = self._stack.enter_context(progress(label, total, quiet=self.quiet))
        if self._update is not None and done > self._done:
            self._update(done - self._done)
            self._done = done
        if done >= total:  # this stage is over: its bar ends its line now
            self._stack.close()
            self._update = None


# -- what the audit of a built site found (``netkb build`` and ``netkb serve``) ------------

SHOWN_FINDINGS = 10


def echo_findings(findings: Sequence[Finding], root: Path) -> None:
    """The first findings of the audit, one line each, on stderr."""
    for finding in findings[:SHOWN_FINDINGS]:
        click.echo(f"privacy: {visible(finding.format(root))}", err=True)
    if len(findings) > SHOWN_FINDINGS:
        click.echo(f"privacy: … and {len(findings) - SHOWN_FINDINGS:,} more", err=True)


def privacy_failure(
    findings: Sequence[Finding], withheld: int, deleted: bool, root: Path, then: str
) -> str:
    """What went wrong and what to fix, naming only what could have caused it; ``then``:
    what brings the site back once the cause is fixed ("build again")."""
    if not deleted:
        templates = [
            f"templates/{name}"
            for name in ("person.md.j2", "organisation.md.j2")
            if (root / "templates" / name).is_file()
        ]
        own = "your own page template" + ("s" if len(templates) > 1 else "")
        cause = (
            f"Check {' and '.join(templates)} ({own}); if the cause is not there,"
            if templates
            else "Notes are sanitised before they reach a page, so"
        )
        return (
            f"{count(withheld, 'page')} {'breaks' if withheld == 1 else 'break'} netkb's "
            f"privacy rules and {'was' if withheld == 1 else 'were'} withheld (named above, "
            f"with the file {'it comes' if withheld == 1 else 'each comes'} from); the rest "
            f"of the site is built. {cause} this is a bug in netkb: please report it"
        )
    if any(not f.in_content for f in findings):
        # In the theme's part of a page, a stylesheet or a stray file: only the theme and
        # what mkdocs.yml adds to it put anything there.
        cause = f"fix mkdocs.yml (extra_css, extra_javascript, extra, theme, custom_dir) and {then}"
    else:
        cause = (
            "it is in the content of pages made from many records: check your page "
            "templates in templates/; if they are not the cause, this is a bug in netkb "
            "(please report it)"
        )
    return (
        f"the built site broke netkb's privacy rules in {count(len(findings), 'place')}, "
        f"so it was deleted; {cause}"
    )
