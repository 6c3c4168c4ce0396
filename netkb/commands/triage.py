"""``netkb triage``: a terminal session that places people in circles, one key each."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from typing import Any

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo, echo_lines
from netkb.commands.reading import snapshot, today_of, today_option
from netkb.core.terminal import visible
from netkb.edit.triage import Session, candidates, card
from netkb.network.selection import SelectionError, parse_where

# What a key press shows after the prompt (raw mode echoes nothing).
_KEY_NAMES = {"\r": "Enter", "\n": "Enter"}
_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C


@click.command()
@click.option(
    "--where",
    "conditions",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Only these people: organization=NAME, tag=TAG, circle=1…5|none|any, "
    "decision_maker=true|false. Repeatable. Default: circle=none.",
)
@today_option
@click.pass_context
def triage(ctx: click.Context, conditions: tuple[str, ...]) -> None:
    """Place people in circles, one person and one key at a time, best known first.

    Shows each person with their role, organisation, interactions, last contact,
    introducer, tags and circle, and a circle proposed from their history. Keys:
    1–5 circle, Enter accepts the proposal, d decision-maker, t tags, s skip,
    u undo, q quit, ? help. Every answer is written at once (only that key of the
    file changes), so quitting at any moment loses nothing. Needs a terminal; from
    a script, use 'netkb set'.

    Example: netkb triage --where organization=Acme --where circle=none
    """
    if not _is_terminal(sys.stdin):
        raise Failure(
            "netkb triage reads single key presses and needs a terminal; standard input "
            "is not one. To set fields without a terminal, use netkb set, e.g. "
            "netkb set circle=4 --where organization=Acme --apply"
        )
    try:
        selection = parse_where(conditions, default_circle="none")
    except SelectionError as exc:
        raise click.BadParameter(str(exc), param_hint="--where") from None
    facts = snapshot(ctx, today=today_of(ctx))
    people = candidates(facts, selection)
    chosen = selection.describe() or "circle=none"
    if not people:
        echo(f"Nobody to triage: no person matches {chosen}.")
        return
    echo(
        f"Triage of {count(len(people), 'person')} ({chosen}), best known first. "
        "Every answer is saved at once."
    )
    echo(
        "Keys: 1–5 circle, Enter accepts the proposal, d decision-maker, t tags, s skip, "
        "u undo, q quit, ? help."
    )
    session = Session(kb_root(ctx), people)
    try:
        _run(session, facts.today)
    except (KeyboardInterrupt, click.Abort):
        echo()
        echo(session.summary())
        ctx.exit(_INTERRUPTED)
    echo(session.summary())


def _run(session: Session, today: dt.date) -> None:
    """Show a person, read a key, act on it, until q, Ctrl-D or the keys run out."""
    keys = _keys()
    shown: int | None = None
    while True:
        person = session.current
        if person is not None and shown != session.position:
            echo()
            header = f"[{session.position + 1:,}/{len(session.people):,}] "
            lines = card(person, session.now(person), today)
            echo(visible(header + lines[0]), bold=True)
            echo_lines(lines[1:])
            shown = session.position
        elif person is None and shown != session.position:
            echo()
            echo("That was everyone in this selection: u undoes the last answer, q quits.")
            shown = session.position
        echo(_prompt(session), nl=False, fg="cyan")
        try:
            key = next(keys)
        except EOFError:  # Ctrl-D: the same as q
            echo("q")
            return
        echo(_KEY_NAMES.get(key, key))
        outcome = session.press(key)
        if outcome.wants_line:
            line = click.prompt(
                "  tags (golf, board adds; -golf removes)", default="", show_default=False
            )
            outcome = session.tag(line)
        if outcome.lines:
            echo_lines(["  " + line for line in outcome.lines], err=outcome.failed)
        if outcome.quit:
            return
        if key == "u":
            shown = None  # show the person again with their values put back


def _prompt(session: Session) -> str:
    person = session.current
    if person is None:
        return "u undo, q quit > "
    accept = f", Enter = {person.proposal.circle}" if person.proposal is not None else ""
    return f"1–5 circle{accept}, d/t/s/u/q, ? help > "


def _keys() -> Iterator[str]:
    """Key presses one by one. A fast typist's "23" arrives in one read and is two
    answers; an escape sequence (an arrow key) is dropped whole."""
    while True:
        chunk = click.getchar()  # Ctrl-C alone raises KeyboardInterrupt, Ctrl-D EOFError
        if chunk.startswith("\x1b"):
            continue
        for key in chunk:
            if key == "\x03":
                raise KeyboardInterrupt
            if key == "\x04":
                raise EOFError
            yield key


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
