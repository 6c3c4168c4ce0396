"""``netkb set``: give fields of many people one value, from a script or a shell."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo, echo_lines
from netkb.commands.reading import person_slug, snapshot
from netkb.commands.writing import commit_option, finish_commit, locked, require_git
from netkb.git.repo import GitError, require_committed
from netkb.network.selection import Selection, SelectionError, parse_where

if TYPE_CHECKING:
    from netkb.edit.set_fields import Assignment, SetPlan
    from netkb.link.derive import Facts


@click.command("set")
@click.argument("items", nargs=-1, metavar="FIELD=VALUE… [PERSON…]")
@click.option(
    "--where",
    "conditions",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Select people: organization=NAME, tag=TAG, circle=1…5|none|any, "
    "decision_maker=true|false. Repeatable.",
)
@click.option(
    "--apply", "apply_", is_flag=True, help="Write the changes (default: only show them)."
)
@commit_option
@click.pass_context
def set_(
    ctx: click.Context,
    items: tuple[str, ...],
    conditions: tuple[str, ...],
    apply_: bool,
    commit: bool,
) -> None:
    """Set FIELD=VALUE for the people named (slugs or names) or selected with --where.

    A list field takes commas (tags=golf,board); tags+=golf adds, tags-=golf
    removes; FIELD= removes the field. Values are checked as 'netkb check' checks
    files (circle 1–5, decision_maker true or false, dates YYYY-MM-DD) before
    anything is written. Only the fields set change in each file; comments, order
    and line endings stay. Nothing is written without --apply.

    Example: netkb set circle=4 --where organization=Acme --apply --commit
    """
    from netkb.edit.set_fields import SetError, parse_assignment

    root = kb_root(ctx)
    texts = [item for item in items if "=" in item]
    names = [item for item in items if "=" not in item]
    if not texts:
        raise click.UsageError("say what to set: FIELD=VALUE, e.g. netkb set circle=4 jane-doe")
    if not names and not conditions:
        raise click.UsageError(
            "name the people (slugs or names) or select them with --where, "
            "e.g. netkb set circle=4 --where organization=Acme"
        )
    if commit:
        require_git(root, apply_)
    try:
        selection = parse_where(conditions)
    except SelectionError as exc:
        raise click.BadParameter(str(exc), param_hint="--where") from None
    facts = snapshot(ctx)
    try:
        assignments = [parse_assignment(text, facts.index) for text in texts]
    except SetError as exc:
        raise Failure(f"{exc}; nothing was written") from None
    slugs = _people(facts, names, selection)
    if not apply_:
        plan = _plan(facts, slugs, assignments)
        _show(plan, root, len(slugs), _whom(names, selection))
        echo(
            "Dry run: nothing written. Run again with --apply to change "
            f"{count(len(plan.changes), 'file')}."
        )
        return
    from netkb.edit.set_fields import apply_set

    with locked(root):
        facts = snapshot(ctx)  # again, under the lock: the plan is made from what is written
        slugs = _people(facts, names, selection)
        plan = _plan(facts, slugs, assignments)
        _show(plan, root, len(slugs), _whom(names, selection))
        if commit:
            try:
                require_committed(root, [change.path for change in plan.changes])
            except GitError as exc:
                raise Failure(str(exc)) from None
        applied = apply_set(root, plan)
    for failure in applied.failed:
        echo_lines([f"error: {failure}"], err=True)
    what = " ".join(a.written for a in assignments)
    echo_lines([f"Changed {count(len(applied.written), 'file')}: {what}."])
    if commit:
        people = count(len(applied.written), "person")
        finish_commit(root, applied.written, f"netkb set {what}: {people}")
    if applied.failed or plan.refused:
        ctx.exit(1)


def _people(facts: Facts, names: list[str], selection: Selection) -> list[str]:
    """The slugs named (each a usage error if it names nobody or several), kept only when
    they match ``selection``; everyone ``selection`` matches when none is named."""
    if names:
        slugs = list(dict.fromkeys(person_slug(name, facts, "PERSON") for name in names))
    else:
        slugs = sorted(facts.people)
    return [s for s in slugs if selection.matches(facts.people[s], facts.index)]


def _plan(facts: Facts, slugs: list[str], assignments: list[Assignment]) -> SetPlan:
    from netkb.edit.set_fields import plan_set

    return plan_set(facts.network, slugs, assignments)


def _whom(names: list[str], selection: Selection) -> str:
    if names and selection.written:
        return f"{', '.join(names)} if {selection.describe()}"
    return ", ".join(names) if names else selection.describe()


def _show(plan: SetPlan, root: Path, matched: int, whom: str) -> None:
    """The plan, one line per change; names and values are the user's data, so every
    line goes out through ``echo_lines``."""
    what = " ".join(a.written for a in plan.assignments)
    lines = [f"Set {what} on {count(matched, 'person')} ({whom})"]
    if plan.changes:
        lines += ["", f"Changes ({len(plan.changes):,}):"]
        for change in plan.changes:
            where = os.path.relpath(change.path, root)
            lines += [f"  ~ {change.name} ({where}): {d}" for d in change.described]
    if plan.unchanged:
        shown = ", ".join(f"{name} ({slug})" for slug, name in plan.unchanged)
        lines += ["", f"Already so ({len(plan.unchanged):,}): {shown}"]
    if plan.refused:
        lines += ["", f"Cannot change ({len(plan.refused):,}):"]
        lines += [f"  ! {reason}" for reason in plan.refused]
    echo_lines([*lines, ""])
