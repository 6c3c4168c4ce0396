"""``netkb build``: the private site, from the files to site/."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.build.builder import BuildError
from netkb.build.generate import GeneratedFolderError
from netkb.build.site import build as build_site
from netkb.commands import kb_root
from netkb.commands.output import Stages, count, echo_findings, privacy_failure
from netkb.core.problems import Severity
from netkb.core.records import REDACTABLE


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
    if result.findings:
        echo_findings(result.findings, root)
        failure = privacy_failure(
            result.findings, len(result.withheld), result.site_deleted, root, "build again"
        )
        raise click.ClickException(failure)
    if not quiet:
        people = len(result.network.people)
        shown = result.site_dir.relative_to(root) if result.site_dir else "site"
        click.echo(
            f"Built {count(result.pages_built, 'page')} of {result.site_pages:,} for "
            f"{count(people, 'person')} into {shown}/ "
            f"in {sum(result.timings.values()):.1f} s"
        )
