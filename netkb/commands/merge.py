"""``netkb merge``: two records of one person become one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo, echo_lines
from netkb.commands.reading import complete_people
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.git.repo import GitError, require_committed
from netkb.load.loader import load

if TYPE_CHECKING:
    from netkb.edit.merge import MergePlan


@click.command()
@click.argument("keep", shell_complete=complete_people)
@click.argument("other", shell_complete=complete_people)
@click.option("--apply", "apply_", is_flag=True, help="Carry out the merge (default: show it).")
@commit_option
@click.pass_context
def merge(ctx: click.Context, keep: str, other: str, apply_: bool, commit: bool) -> None:
    """Merge the person OTHER into KEEP, then delete OTHER's file.

    KEEP gains OTHER's emails, tags and other list items and the fields it lacks;
    where both differ KEEP's value stays and the conflict is shown. OTHER's name
    becomes an alias and its notes are appended. Every reference to OTHER in the
    knowledge base (introduced_by, relations, log 'with', [[wikilinks]]) is
    rewritten to KEEP. Nothing is written without --apply.

    Example: netkb merge john-smith jon-smith --apply --commit
    """
    from netkb.edit.merge import MergeError, apply_merge  # here: ruamel loads slowly

    root = kb_root(ctx)
    if commit:
        require_git(root, apply_)
    if not apply_:
        plan = _plan(root, keep, other)
        _show(plan, root)
        echo("Dry run: nothing written. Run again with --apply to merge.")
        return
    with locked(root):
        plan = _plan(root, keep, other)
        _show(plan, root)
        try:
            if commit:
                require_committed(root, _touched(plan))
            written = apply_merge(root, plan)
        except (MergeError, GitError) as exc:
            raise Failure(str(exc)) from None
    echo_lines([f"Merged {plan.other} into {plan.keep}: {count(len(written), 'file')} changed."])
    if commit:
        finish_commit(root, written, f"netkb merge: {plan.other} into {plan.keep}")


def _plan(root: Path, keep: str, other: str) -> MergePlan:
    from netkb.edit.merge import MergeError, plan_merge

    try:
        return plan_merge(load(root), keep, other)
    except MergeError as exc:
        raise Failure(str(exc)) from None


def _touched(plan: MergePlan) -> list[Path]:
    """Every file the merge changes or deletes."""
    return [plan.keep_path, plan.other_path, *(rewrite.path for rewrite in plan.rewrites)]


def _show(plan: MergePlan, root: Path) -> None:
    def rel(path: Path) -> str:
        return os.path.relpath(path, root)

    # Names and values are the user's data: every line goes out through echo_lines.
    other, keep = f"{plan.other} ({rel(plan.other_path)})", f"{plan.keep} ({rel(plan.keep_path)})"
    lines = [f"Merge {other} into {keep}"]
    if plan.described:
        lines += ["", f"{plan.keep_name} gets:", *(f"  ~ {line}" for line in plan.described)]
    if plan.notes:
        lines.append(f"  ~ notes of {plan.other} appended under '## Merged from {plan.other_name}'")
    if plan.conflicts:
        lines.append("")
        lines.append(f"Conflicts: {plan.keep}'s value is kept; edit by hand if the other is right:")
        lines += [f"  ! {line}" for line in plan.conflicts]
    if plan.rewrites:
        lines += ["", f"References rewritten {plan.other} → {plan.keep}:"]
        lines += [f"  ~ {rel(r.path)}: {', '.join(r.where)}" for r in plan.rewrites]
    lines += ["", f"Delete {rel(plan.other_path)}", ""]
    echo_lines(lines)
