"""What every command that writes shares: the KB lock, ``--commit``, and their messages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from netkb.commands.output import echo
from netkb.edit.lock import LockTimeout, kb_lock
from netkb.git.repo import GitError, commit, is_git_repo

commit_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--commit",
    is_flag=True,
    help="Commit the files this command wrote (and only those) with a clear message.",
)


def require_git(root: Path, applying: bool) -> None:
    """Usage errors for --commit before anything is read or written."""
    if not applying:
        raise click.UsageError("--commit needs --apply: a dry run writes nothing to commit")
    if not is_git_repo(root):
        raise click.UsageError(f"--commit needs a git repository; {root} is not in one")


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the KB's write lock, saying so if another netkb process makes us wait."""

    def waiting() -> None:
        click.echo("Waiting for another netkb process to finish writing…", err=True)

    try:
        with kb_lock(root, waiting=waiting):
            yield
    except LockTimeout as exc:
        raise click.ClickException(str(exc)) from None


def finish_commit(root: Path, paths: list[Path], message: str) -> None:
    """Commit ``paths`` and say so; a git failure is an error after the files are written."""
    try:
        made = commit(root, paths, message)
    except GitError as exc:
        raise click.ClickException(f"the files are written but not committed: {exc}") from None
    if made:
        echo(f"Committed {made[:7]}: {message}")  # the message names slugs: the user's data
    else:
        echo("Nothing to commit.")
