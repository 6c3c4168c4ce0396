"""``netkb open``: the last build, served on this computer and opened in the browser."""

from __future__ import annotations

import webbrowser

import click

from netkb.commands import kb_root
from netkb.commands.output import echo
from netkb.load.settings import read_settings
from netkb.serve.server import ServeError, StaticServer


@click.command(name="open")
@click.option("--no-browser", is_flag=True, help="Print the address instead of opening it.")
@click.pass_context
def open_(ctx: click.Context, no_browser: bool) -> None:
    """Serve the last build (site/) on 127.0.0.1 and open it in the browser.

    Search works here, unlike a site opened from its files. Nothing is rebuilt: run
    'netkb build' first, or 'netkb serve' to follow your edits. A free port is chosen;
    the site is reachable only from this computer.

    Example: netkb open --no-browser
    """
    root = kb_root(ctx)
    settings, _problems = read_settings(root / "mkdocs.yml")  # `check` reports them
    site_dir = root / settings.site_dir
    if not (site_dir / "index.html").is_file():
        raise click.ClickException(
            f"no built site in {site_dir.name}/: run 'netkb build' first "
            "(or 'netkb serve' to build and follow your edits)"
        )
    try:
        server = StaticServer(site_dir)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    echo(f"Serving {site_dir.name}/ on {server.url} — press Ctrl+C to stop", err=True)
    # webbrowser.open is False when no browser can be found (a server over ssh).
    if no_browser or not webbrowser.open(server.url):
        echo(server.url)
    server.run()
    echo("Stopping.", err=True)
