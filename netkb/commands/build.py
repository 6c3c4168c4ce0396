"""``netkb build``: the private site, from the files to site/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from netkb.builder import BuildError
from netkb.commands import kb_root
from netkb.generate import GeneratedFolderError
from netkb.problems import Severity
from netkb.site import build as build_site


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def build(ctx: click.Context, quiet: bool, strict: bool) -> None:
    """Check the knowledge base and build its private site into site/.

    Errors stop the build (as 'netkb check' prints them); warnings are shown.
    The built site is audited: no page may load anything from another host.

    Example: netkb build && open site/index.html
    """
    root = kb_root(ctx)
    cwd = Path.cwd()
    try:
        result = build_site(root, progress=_Progress() if not quiet else None)
    except (BuildError, GeneratedFolderError) as exc:
        raise click.ClickException(str(exc)) from None
    problems = result.network.problems
    for problem in problems:
        click.echo(problem.format(cwd), err=True)
    if result.network.errors or (strict and problems):
        errors = sum(p.severity == Severity.ERROR for p in problems)
        raise click.ClickException(
            f"not built: {errors} errors, {len(problems) - errors} warnings (see above)"
        )
    for warning in result.builder_warnings:
        click.echo(f"mkdocs: {warning}", err=True)
    for finding in result.findings[:10]:
        click.echo(f"privacy: {finding.format(root)}", err=True)
    if len(result.findings) > 10:
        click.echo(f"privacy: … and {len(result.findings) - 10} more", err=True)
    if result.findings:
        raise click.ClickException(
            f"the built site broke netkb's privacy rules in {len(result.findings)} places, so it "
            "was deleted; fix mkdocs.yml (extra_css/extra_javascript/theme) and build again"
        )
    if not quiet:
        people = len(result.network.people)
        shown = result.site_dir.relative_to(root) if result.site_dir else "site"
        click.echo(
            f"Built {result.pages:,} pages for {people:,} {'person' if people == 1 else 'people'}"
            f" into {shown}/ "
            f"in {sum(result.timings.values()):.1f} s"
        )


class _Progress:
    """A counter on the terminal while pages render; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            end = "\n" if done == total else ""
            click.echo(f"\rRendering pages: {done:,}/{total:,} people", nl=False, err=True)
            click.echo(end, nl=False, err=True)
