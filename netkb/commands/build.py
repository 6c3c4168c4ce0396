"""``netkb build``: the private site, from the files to site/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from netkb.build.builder import BuildError
from netkb.build.generate import GeneratedFolderError
from netkb.build.site import BuildResult
from netkb.build.site import build as build_site
from netkb.commands import kb_root
from netkb.commands.output import count
from netkb.core.problems import Severity
from netkb.core.terminal import visible


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def build(ctx: click.Context, quiet: bool, strict: bool) -> None:
    """Check the knowledge base and build its private site into site/.

    Errors stop the build (as 'netkb check' prints them); warnings are shown.
    The built site is audited: no page may load anything from another host or run a
    script netkb did not put there. A person's or organisation's page that breaks this is
    withheld (the rest of the site is built); when a page of the theme does, the whole site
    is deleted. Either way the page and the file it comes from are named.

    Example: netkb build && netkb open
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
            f"not built: {count(errors, 'error')}, "
            f"{count(len(problems) - errors, 'warning')} (see above)"
        )
    for warning in result.builder_warnings:
        click.echo(f"mkdocs: {warning}", err=True)
    for finding in result.findings[:10]:
        click.echo(f"privacy: {visible(finding.format(root))}", err=True)
    if len(result.findings) > 10:
        click.echo(f"privacy: … and {len(result.findings) - 10:,} more", err=True)
    if result.findings:
        raise click.ClickException(_privacy_failure(result, root))
    if not quiet:
        people = len(result.network.people)
        shown = result.site_dir.relative_to(root) if result.site_dir else "site"
        click.echo(
            f"Built {count(result.pages, 'page')} for {count(people, 'person')}"
            f" into {shown}/ "
            f"in {sum(result.timings.values()):.1f} s"
        )


def _privacy_failure(result: BuildResult, root: Path) -> str:
    """What went wrong and what to fix, naming only what could have caused it."""
    if not result.site_deleted:
        pages = len(result.withheld)
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
            f"{count(pages, 'page')} {'breaks' if pages == 1 else 'break'} netkb's privacy rules "
            f"and {'was' if pages == 1 else 'were'} withheld (named above, with the file "
            f"{'it comes' if pages == 1 else 'each comes'} from); the rest of the site is "
            f"built. {cause} this is a bug in netkb: please report it"
        )
    if any(not f.in_content for f in result.findings):
        # In the theme's part of a page, a stylesheet or a stray file: only the theme and
        # what mkdocs.yml adds to it put anything there.
        cause = (
            "fix mkdocs.yml (extra_css, extra_javascript, extra, theme, custom_dir) and build again"
        )
    else:
        cause = (
            "it is in the content of pages made from many records: check your page "
            "templates in templates/; if they are not the cause, this is a bug in netkb "
            "(please report it)"
        )
    places = len(result.findings)
    return (
        f"the built site broke netkb's privacy rules in {count(places, 'place')}, "
        f"so it was deleted; {cause}"
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
