"""``netkb build``: the private site, from the files to site/."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.build.builder import BuildError
from netkb.build.generate import GeneratedFolderError
from netkb.build.site import BuildResult
from netkb.build.site import build as build_site
from netkb.commands import kb_root
from netkb.commands.output import Stages, count
from netkb.core.problems import Severity
from netkb.core.records import REDACTABLE
from netkb.core.terminal import visible


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only problems (no progress bar).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--clean", is_flag=True, help="Build every page from scratch.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that parse, render and build pages (default: one per CPU core).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Build a site for a shared screen, without the values of extra.netkb.redact "
    "(default: email, phone, birthday, location, notes) into site-redacted/.",
)
@click.option(
    "--hide",
    "hide",
    multiple=True,
    type=click.Choice(REDACTABLE),
    help="With --redact: hide this instead of the settings' list (repeat it).",
)
@click.option(
    "--site-dir",
    default=None,
    metavar="DIR",
    help="Build into this folder of the KB instead (a redacted site never into the full one's).",
)
@click.pass_context
def build(
    ctx: click.Context,
    quiet: bool,
    strict: bool,
    clean: bool,
    jobs: int | None,
    redact: bool,
    hide: tuple[str, ...],
    site_dir: str | None,
) -> None:
    """Check the knowledge base and build its private site into site/.

    Only what changed since the last build is built again: the pages whose sources
    changed, and the lists that show them (a new day, a new netkb or a changed
    mkdocs.yml or template renders every page again). --clean builds everything.

    Errors stop the build (as 'netkb check' prints them); warnings are shown.
    The built site is audited: no page may load anything from another host or run a
    script netkb did not put there. A person's or organisation's page that breaks this is
    withheld (the rest of the site is built); when a page of the theme does, the whole site
    is deleted. Either way the page and the file it comes from are named.

    --redact builds a second site for showing on a shared screen: the values named in
    extra.netkb.redact (or by --hide) never reach its pages, its search or its calendar,
    and every page says it is redacted.

    Example: netkb build && netkb open
    """
    root = kb_root(ctx)
    cwd = Path.cwd()
    if hide and not redact:
        raise click.UsageError("--hide chooses what --redact hides: add --redact")
    with Stages(quiet) as stages:
        try:
            result = build_site(
                root,
                progress=stages,
                clean=clean,
                workers=jobs,
                redact=hide if redact else None,
                site_dir=site_dir,
            )
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
            f"Built {count(result.pages_built, 'page')} of {result.site_pages:,} for "
            f"{count(people, 'person')} into {shown}/ "
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
