"""``netkb serve``: a live preview of the site that follows your edits."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from netkb.build.builder import BuildError, trusted
from netkb.build.generate import GeneratedFolderError
from netkb.commands import kb_root
from netkb.commands.output import Stages, count, echo, echo_findings, privacy_failure
from netkb.core.records import REDACTABLE
from netkb.serve.live import LiveSite, SiteUpdate
from netkb.serve.server import PreviewServer, ServeError, is_loopback, next_free_port


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT, e.g. 127.0.0.1:8000")
    return host.strip("[]"), int(port)


@click.command()
@click.option(
    "--addr",
    default="127.0.0.1:8000",
    show_default=True,
    help="Address and port to listen on.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Allow listening on an address other computers can reach. The site holds "
    "personal data: only on a network you trust.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Serve the site for a shared screen (see 'netkb build --redact') from site-redacted/.",
)
@click.option(
    "--hide",
    multiple=True,
    type=click.Choice(REDACTABLE),
    help="With --redact: hide this instead of the settings' list (repeat it).",
)
@click.pass_context
def serve(ctx: click.Context, addr: str, public: bool, redact: bool, hide: tuple[str, ...]) -> None:
    """Build the site, serve it, and update it as you edit the files.

    Pages reload in the browser by themselves. A file saved with errors does not
    blank its page: the last good version stays, under an error banner.

    When port 8000 is taken, the next free port is used (and named); a port given with
    --addr is used as it is, or the command says it is taken.

    Example: netkb serve --addr 127.0.0.1:8001
    """
    root = kb_root(ctx)
    if hide and not redact:
        raise click.UsageError("--hide chooses what --redact hides: add --redact")
    host, port = _address(addr)
    if not is_loopback(host) and not public:
        raise click.UsageError(
            f"{host} is reachable from other computers; the site holds personal data. "
            "Add --public if you really mean it."
        )
    if not is_loopback(host):
        echo(
            f"Warning: serving on {host}, reachable from other computers. This site "
            "holds personal data about the people in your network.",
            fg="yellow",
            err=True,
        )
    port = _free_port(ctx, host, port)
    addr = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    stages = Stages(quiet=False)  # the first build's progress, on a terminal
    try:
        site = LiveSite(root, redact=hide if redact else None, progress=stages)
        # A site whose audit did not end (an interrupted build) is not shown: built anew.
        built_before = (site.site_dir() / "index.html").is_file() and trusted(
            root, site.target.state_dir
        )
    except (BuildError, GeneratedFolderError) as exc:
        raise click.ClickException(str(exc)) from None
    server = PreviewServer(site, host, port, on_update=lambda update: _report(update, root))
    try:
        server.listen()
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Serving on http://{addr}/ — press Ctrl+C to stop", err=True)
    if built_before:
        click.echo("Bringing the site built before up to date…", err=True)
    else:
        click.echo("Building the site (the browser shows how far it got)…", err=True)
    with stages:
        try:
            if not built_before:  # before any thread: the build can use every core
                server.build_first(os.cpu_count() or 1)
        except KeyboardInterrupt:
            click.echo("Stopping.", err=True)
            return
        server.run()
    click.echo("Stopping.", err=True)


def _free_port(ctx: click.Context, host: str, port: int) -> int:
    """The port to serve on, known before the build so a taken port costs no waiting."""
    explicit = ctx.get_parameter_source("addr") is not click.core.ParameterSource.DEFAULT
    try:
        free = next_free_port(host, port, tries=1 if explicit else 20)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    if free != port:
        click.echo(f"Port {port} is taken; serving on {free}", err=True)
    return free


def _report(update: SiteUpdate | Exception, root: Path) -> None:
    cwd = Path.cwd()
    if isinstance(update, (BuildError, GeneratedFolderError)):  # the user's to fix
        echo(f"netkb: could not update the site: {update}", fg="red", err=True)
        return
    if isinstance(update, Exception):  # a bug in netkb: the traceback is for its report
        echo("netkb: could not update the site (a bug in netkb):", fg="red", err=True)
        traceback.print_exception(update)
        sys.stderr.flush()
        return
    if update.findings:  # before anything else: the site, or some pages, are not shown
        echo_findings(update.findings, root)
        failure = privacy_failure(
            update.findings, len(update.withheld), update.site_deleted, root, "save it"
        )
        echo(f"netkb: {failure}", fg="red", err=True)
        sys.stderr.flush()
        if update.site_deleted:
            return
    if update.superseded:  # its first phase was reported; the next update finishes it
        return
    for problem in update.problems:
        if problem.severity == "error" and problem not in update.shown:
            click.echo(problem.format(cwd), err=True)
    errors = sum(p.severity == "error" for p in update.problems)
    note = f", {count(errors, 'error')} (pages keep their last good version)" if errors else ""
    if update.early:
        note += "; the summary pages follow"
    changed = len(update.written) + len(update.removed)
    click.echo(f"Updated {count(changed, 'page')} in {update.seconds:.2f} s{note}", err=True)
    sys.stderr.flush()
