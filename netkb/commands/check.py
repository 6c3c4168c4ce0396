"""``netkb check``: validate every file and print located problems."""

from __future__ import annotations

import json
from pathlib import Path

import click

from netkb.commands import kb_root
from netkb.core.problems import Problem, Severity
from netkb.load.loader import load


@click.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of {path, line, column, severity, code, message}.",
)
@click.pass_context
def check(ctx: click.Context, path: Path | None, strict: bool, output: str) -> None:
    """Check the knowledge base (or only the files under PATH).

    Prints 'path:line:col: severity CODE: message' for each problem and a summary.
    Exit status: 0 clean (warnings allowed unless --strict), 1 problems, 2 usage.

    Example: netkb check --strict
    """
    root = kb_root(ctx, path if path is None or path.is_dir() else path.parent)
    network = load(root)
    problems = _under(network.problems, path)
    cwd = Path.cwd()
    if output == "json":
        click.echo(json.dumps([p.as_dict(cwd) for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(_styled(problem, cwd))
        errors = sum(p.severity == Severity.ERROR for p in problems)
        warnings = len(problems) - errors
        click.echo(
            f"{_count(len(network.people), 'person', 'people')}, "
            f"{_count(len(network.organisations), 'organisation')}, "
            f"{_count(len(network.interactions), 'interaction')}: "
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
        )
    failed = any(p.severity == Severity.ERROR or strict for p in problems)
    ctx.exit(1 if failed else 0)


def _under(problems: tuple[Problem, ...], path: Path | None) -> list[Problem]:
    if path is None:
        return list(problems)
    target = path.resolve()
    return [p for p in problems if p.path == target or target in p.path.parents]


def _styled(problem: Problem, cwd: Path) -> str:
    text = problem.format(cwd)
    label = f"{problem.severity} {problem.code}"
    color = "red" if problem.severity == Severity.ERROR else "yellow"
    return text.replace(label, click.style(label, fg=color, bold=True), 1)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"
