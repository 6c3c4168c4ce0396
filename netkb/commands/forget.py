"""``netkb forget``: remove a person from the knowledge base, and say how to remove them
from git history."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.build.site import REDACTED_DOCS, REDACTED_SITE, STATE_DIRS
from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo_lines
from netkb.commands.reading import today_of, today_option
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.git.repo import GitError, is_git_repo, require_committed, uncommitted
from netkb.load.cache import CACHE_DIR
from netkb.load.loader import load
from netkb.load.settings import read_settings

if TYPE_CHECKING:
    from netkb.edit.forget import ForgetPlan, HistoryCleanup

# The commit's message stays in history: it names no one.
COMMIT_MESSAGE = "netkb forget: a former contact"


@click.command()
@click.argument("person")
@click.option("--apply", "apply_", is_flag=True, help="Carry it out (default: show the plan).")
@commit_option
@click.option(
    "--keep-names",
    is_flag=True,
    help="Mentions in other notes become the plain name or label, not 'a former contact'.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Go ahead although the files to change hold uncommitted changes of yours.",
)
@today_option
@click.pass_context
def forget(
    ctx: click.Context, person: str, apply_: bool, commit: bool, keep_names: bool, force: bool
) -> None:
    """Forget PERSON (a slug, name or alias): delete their file and every mention.

    Deletes the person's file and photo; removes them from other people's relations,
    introduced_by and distinct_from and from log entries' 'with' (an entry left with
    nobody is deleted, one whose file name holds the slug is renamed); wikilinks to
    them and mentions of their name, aliases, slug, e-mails and phones in notes and
    text fields become 'a former contact' (--keep-names: the plain name). Every file
    is changed through the same byte-preserving path as merge, under the KB lock.
    Nothing is written without --apply. A person file with uncommitted changes is
    refused unless --force.

    Afterwards netkb prints the exact 'git filter-repo' commands that remove the
    person from git history (it never rewrites history itself) and what remains in
    clones, backups and the built site.

    \b
    Example: netkb forget rafael-ortega
    Example: netkb forget rafael-ortega --apply --commit
    """
    from netkb.edit.forget import ForgetError, apply_forget  # here: ruamel loads slowly

    root = kb_root(ctx)
    if commit:
        require_git(root, apply_)
    if not apply_:
        plan = _plan(root, person, keep_names)
        _show(plan, root)
        refused = _refusal(root, plan, commit=False) if not force else None
        if refused:
            echo_lines([f"Note: {refused}; --apply will refuse unless --force.", ""])
        echo_lines(
            [f"Dry run: nothing written. Run again with --apply to forget {plan.slug}: "
             f"{count(len(plan.touched), 'file')}."]
        )  # fmt: skip
        return
    with locked(root):
        plan = _plan(root, person, keep_names)
        _show(plan, root)
        refused = _refusal(root, plan, commit) if not force else None
        if refused:
            raise Failure(f"{refused}; nothing was written. Commit them first, or use --force")
        try:
            written = apply_forget(root, plan)
        except ForgetError as exc:
            raise Failure(str(exc)) from None
    echo_lines([f"Forgot {plan.slug}: {count(len(written), 'file')} changed."])
    if commit:
        finish_commit(root, written, f"{COMMIT_MESSAGE} ({count(len(written), 'file')})")
    _advise(root, plan, today_of(ctx))


def _plan(root: Path, person: str, keep_names: bool) -> ForgetPlan:
    from netkb.edit.forget import ForgetError, plan_forget

    try:
        return plan_forget(load(root), person, keep_names=keep_names)
    except ForgetError as exc:
        raise Failure(str(exc)) from None


def _refusal(root: Path, plan: ForgetPlan, commit: bool) -> str | None:
    """Why the files hold changes of the user's that forgetting would lose or commit."""
    if not is_git_repo(root):
        return None
    try:
        dirty = uncommitted(root, [plan.path])
        if dirty:
            return f"{_rel(plan.path, root)} has uncommitted changes ({dirty[0][1]})"
        if commit:
            require_committed(root, plan.touched)
    except GitError as exc:
        return str(exc).removesuffix(". Commit or stash them first, or run without --commit")
    return None


def _rel(path: Path, root: Path) -> str:
    return os.path.relpath(path, root)


def _show(plan: ForgetPlan, root: Path) -> None:
    # Only slugs and file names: a private person's name or notes never reach the terminal.
    lines = [f"Forget {plan.slug} ({_rel(plan.path, root)}){' (private)' if plan.private else ''}"]
    lines += ["", "Delete:", f"  - {_rel(plan.path, root)} (the person)"]
    if plan.photo is not None:
        lines.append(f"  - {_rel(plan.photo, root)} (their photo)")
    lines += [
        f"  - {_rel(c.path, root)} (an interaction with nobody else)"
        for c in plan.changes
        if c.action == "delete"
    ]
    edits = [c for c in plan.changes if c.action != "delete"]
    if edits:
        lines += ["", f"Change ({len(edits):,}):"]
        lines += [f"  ~ {_rel(c.path, root)}: {', '.join(c.where)}" for c in edits]
    if plan.leftovers:
        lines += ["", "Still naming them, and not changed by netkb (edit these by hand):"]
        lines += [f"  ! {_rel(path, root)}" for path in plan.leftovers]
    echo_lines([*lines, ""])


def _advise(root: Path, plan: ForgetPlan, today: dt.date) -> None:
    """How to remove the person from git history too, and what remains elsewhere."""
    from netkb.edit.forget import write_history_rules

    settings, _ = read_settings(root / "mkdocs.yml")
    # Every folder netkb builds holds copies of the files: the sites, the generated pages,
    # the record cache and what the last builds rendered from.
    generated = [
        settings.site_dir,
        REDACTED_SITE,
        settings.docs_dir,
        REDACTED_DOCS,
        CACHE_DIR,
        *STATE_DIRS,
    ]
    lines = [""]
    cleanup: HistoryCleanup | None = None
    try:
        cleanup = write_history_rules(root, plan, today)
    except GitError as exc:
        if is_git_repo(root):
            lines.append(f"Git history could not be read, so no commands are given: {exc}")
        else:
            lines.append("Not a git repository: there is no history to clean.")
    if cleanup is not None:
        clone = cleanup.top.with_name(cleanup.top.name + "-forgotten")
        commands = [line for command in cleanup.commands(clone) for line in command.split("\n")]
        lines += [
            f"{plan.slug} is gone from the files, but git history still holds them.",
            "netkb never rewrites history; to do it, run git filter-repo in a fresh clone:",
            "",
            *(f"  {line}" for line in commands),
            "",
            f"The replace-text rules are in {cleanup.rules}:",
            "every name, alias, e-mail, phone and the slug becomes 'a former contact',",
            "in every file and commit message.",
        ]
        if not cleanup.ignored:
            lines.append(
                "Warning: git does not ignore that file; do not commit it (add .netkb/ to "
                ".gitignore)."
            )
        lines += [
            "Check the clone (git log --all -p), then replace this repository with it",
            "and force-push it to every remote (git push --force --all; --tags).",
        ]
    lines += [
        "",
        "What still holds them:",
        "  - this repository (commits, reflog, objects) until the clean clone replaces it",
        "  - other clones and forks until they are deleted and cloned again; a hosting",
        "    service may keep old commits (pull requests, caches): ask it",
        "  - backups and copies of this folder until they expire",
        *textwrap.wrap(
            f"the built sites and netkb's copies of your files: delete {', '.join(generated)}, "
            "then netkb build",
            width=86,
            initial_indent="  - ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        ),
    ]
    if cleanup is not None:
        lines.append(f"  - the rules file itself: delete {cleanup.rules} when done")
    echo_lines(lines)
