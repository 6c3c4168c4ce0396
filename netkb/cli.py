"""The ``netkb`` command: a thin shell over the core (parse options, call, format, exit)."""

from __future__ import annotations

from pathlib import Path

import click

from netkb import __version__, clock
from netkb.commands.build import build
from netkb.commands.check import check
from netkb.commands.due import due
from netkb.commands.export import export
from netkb.commands.find import find
from netkb.commands.history import history
from netkb.commands.import_ import import_
from netkb.commands.init import init
from netkb.commands.log import log
from netkb.commands.merge import merge
from netkb.commands.new import new
from netkb.commands.path import path
from netkb.commands.serve import serve
from netkb.commands.show import show
from netkb.commands.stats import stats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--kb",
    "kb",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The knowledge base folder. Default: the nearest folder upward with "
    "mkdocs.yml and contacts/.",
)
@click.version_option(__version__, prog_name="netkb")
@click.pass_context
def cli(ctx: click.Context, kb: Path | None) -> None:
    """netkb: your professional network as plain-text files.

    People are Markdown files with YAML front matter in contacts/, interactions
    are files in log/. netkb checks them, links them, and builds a private site.
    """
    ctx.obj = kb
    try:
        clock.today()  # a bad $NETKB_TODAY is a usage error, not a traceback later
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


cli.add_command(build)
cli.add_command(check)
cli.add_command(due)
cli.add_command(export)
cli.add_command(find)
cli.add_command(history)
cli.add_command(import_)
cli.add_command(init)
cli.add_command(log)
cli.add_command(merge)
cli.add_command(new)
cli.add_command(path)
cli.add_command(serve)
cli.add_command(show)
cli.add_command(stats)


def main() -> None:
    cli(prog_name="netkb")
