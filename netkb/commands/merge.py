"""``netkb merge``: two records of one person become one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.loader import load

if TYPE_CHECKING:
    from netkb.merge import MergePlan


@click.command()
@click.argument("keep")
@click.argument("other")
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
    from netkb.merge import MergeError, apply_merge  # here: ruamel loads slowly

    root = kb_root(ctx)
    if commit:
        require_git(root, apply_)
    if not apply_:
        plan = _plan(root, keep, other)
        _show(plan, root)
        click.echo("Dry run: nothing written. Run again with --apply to merge.")
        return
    with locked(root):
        plan = _plan(root, keep, other)
        _show(plan, root)
        try:
            written = apply_merge(root, plan)
        except MergeError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Merged {plan.other} into {plan.keep}: {len(written)} files changed.")
    if commit:
        finish_commit(root, written, f"netkb merge: {plan.other} into {plan.keep}")


def _plan(root: Path, keep: str, other: str) -> MergePlan:
    from netkb.merge import MergeError, plan_merge

    try:
        return plan_merge(load(root), keep, other)
    except MergeError as exc:
        raise click.ClickException(str(exc)) from None


def _show(plan: MergePlan, root: Path) -> None:
    def rel(path: Path) -> str:
        return os.path.relpath(path, root)

    click.echo(
        f"Merge {plan.other} ({rel(plan.other_path)}) into {plan.keep} ({rel(plan.keep_path)})"
    )
    if plan.described:
        click.echo(f"\n{plan.keep_name} gets:")
        for line in plan.described:
            click.echo(f"  ~ {line}")
    if plan.notes:
        click.echo(f"  ~ notes of {plan.other} appended under '## Merged from {plan.other_name}'")
    if plan.conflicts:
        click.echo(f"\nConflicts: {plan.keep}'s value is kept; edit by hand if the other is right:")
        for line in plan.conflicts:
            click.echo(f"  ! {line}")
    if plan.rewrites:
        click.echo(f"\nReferences rewritten {plan.other} → {plan.keep}:")
        for rewrite in plan.rewrites:
            click.echo(f"  ~ {rel(rewrite.path)}: {', '.join(rewrite.where)}")
    click.echo(f"\nDelete {rel(plan.other_path)}\n")
