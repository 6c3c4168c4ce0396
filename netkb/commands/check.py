"""``netkb check``: validate every file and print located problems."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Sequence
from pathlib import Path

import click

from netkb.commands import kb_root
from netkb.commands.output import count, describe_totals, echo_lines, styled
from netkb.core.annotations import github_command, gitlab_report, repository_root
from netkb.core.problems import Problem, Severity
from netkb.core.terminal import json_safe
from netkb.link.derive import link
from netkb.load.cache import DiskCache
from netkb.load.loader import find_root, load
from netkb.network.counts import totals
from netkb.network.retention import retention_warnings


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="json: a list of {path, line, column, severity, code, message}; github: "
    "workflow commands that annotate the lines; gitlab: a Code Quality report.",
)
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], strict: bool, output: str) -> None:
    """Check the knowledge base, or only the files and folders in PATHS.

    With PATHS (as pre-commit passes them), the whole knowledge base they belong to
    is checked and the problems of those files are shown, with the problems of other
    files that name them (a possible duplicate, say). Prints
    'path:line:col: severity CODE: message' for each problem and a summary: people
    (public ones, shown on the site), organisations (the site's pages; files in
    orgs/) and interactions (those with a public person are on the site).
    Exit status: 0 clean (warnings allowed unless --strict), 1 problems, 2 usage.

    \b
    Example: netkb check --strict
    Example: netkb check contacts/jane-doe.md contacts/john-smith.md
    Example (CI): netkb check --format github
    """
    root = _root_of(ctx, paths)
    # Files unchanged since the last run come from the record cache (with their own
    # problems); the checks between records run every time.
    cache = DiskCache(root)
    # The collector stays off until the network is frozen: turned back on with the
    # load's million new objects still young, its next pass would look through them all.
    gc.disable()
    network = load(root, cache=cache)
    # The network lives until the process ends: the collector need not look through
    # its million objects again (0.2 s at 10,000 people, as long as the checks take).
    # Not undone: letting them go on the way out cost another 0.15 s.
    _kept_to_the_end(network, cache)
    gc.enable()
    found = [*network.problems, *retention_warnings(network)]  # NK173, when opted in
    problems = _about(found, [p.resolve() for p in paths])
    cwd = Path.cwd()
    if output == "json":
        # Names and messages are other people's text: nothing raw reaches a terminal.
        listed = json.dumps([p.as_dict(cwd) for p in problems], indent=2, ensure_ascii=False)
        click.echo(json_safe(listed))
    elif output == "github":  # paths from the top of the repository, as GitHub reads them
        if problems:
            echo_lines(github_command(p, repository_root(root)) for p in problems)
    elif output == "gitlab":
        report = gitlab_report(problems, repository_root(root))
        click.echo(json_safe(json.dumps(report, indent=2, ensure_ascii=False)))
    else:
        for problem in problems:
            click.echo(_styled(problem, cwd))
        errors = sum(p.severity == Severity.ERROR for p in problems)
        warnings = len(problems) - errors
        click.echo(
            f"{describe_totals(totals(link(network, index=cache.index)))}: "
            f"{count(errors, 'error')}, {count(warnings, 'warning')}"
        )
    failed = any(p.severity == Severity.ERROR or strict for p in problems)
    ctx.exit(1 if failed else 0)


def _kept_to_the_end(*loaded: object) -> None:
    """Freeze what the collector tracks, and keep the network and the cache it came
    from from being freed when the command returns: they live until the process ends,
    which gives their memory back at once (freeing their two million objects one by one
    took 0.05 s at 10,000 people). They are held by a list that holds itself, frozen, so
    neither references nor the collector (which leaves frozen objects alone, at exit
    too) ever free them."""
    keep: list[object] = [*loaded]
    keep.append(keep)
    gc.freeze()


def _root_of(ctx: click.Context, paths: Sequence[Path]) -> Path:
    """The KB every one of ``paths`` lies in (``--kb`` when given); a usage error naming
    the path that lies outside it, or in another KB."""
    if not paths:
        return kb_root(ctx)
    first = paths[0]
    root = kb_root(ctx, first if first.is_dir() else first.parent)
    for path in paths:
        start = path if path.is_dir() else path.parent
        found = find_root(start)
        if found is None or found != root:
            where = f"the knowledge base {found}" if found else "no knowledge base"
            raise click.BadParameter(
                f"{path} is in {where}, not in {root}; check one knowledge base at a time",
                param_hint="PATHS",
            )
    return root


def _about(problems: Sequence[Problem], targets: Sequence[Path]) -> list[Problem]:
    """The problems in or under ``targets``, and those elsewhere whose message names the
    slug of a file among ``targets``; all of them when no target is given."""
    if not targets:
        return list(problems)
    files = [t for t in targets if not t.is_dir()]
    folders = [t for t in targets if t.is_dir()]
    slugs = {f.stem for f in files if f.suffix == ".md"}
    # A slug is a whole word of a message: "ana" is not found in "ana-lee".
    named = (
        re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(slugs))) + r")(?![\w-])")
        if slugs
        else None
    )

    def wanted(problem: Problem) -> bool:
        if problem.path in files or any(f in problem.path.parents for f in folders):
            return True
        return named is not None and named.search(problem.message) is not None

    return [p for p in problems if wanted(p)]


def _styled(problem: Problem, cwd: Path) -> str:
    text = problem.format(cwd)
    label = f"{problem.severity} {problem.code}"
    color = "red" if problem.severity == Severity.ERROR else "yellow"
    return text.replace(label, styled(label, fg=color, bold=True), 1)
