"""``netkb init``: create a ready knowledge base."""

from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

import click

from netkb.edit.scaffold import ScaffoldError, init_kb


def _default_owner() -> str:
    if shutil.which("git"):
        found = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found:
            return found
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "Me"


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--owner", help="Your name (whose network this is). Default: git's user.name.")
def init(folder: Path, owner: str | None) -> None:
    """Create a knowledge base in FOLDER (default: here); never overwrites anything.

    Example: netkb init ~/network --owner "Pablo Valle"
    """
    try:
        init_kb(folder, owner or _default_owner())
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created a knowledge base in {folder}")
    click.echo('Next: netkb new "Jane Doe" --org Acme, then netkb check')
    click.echo("Every field netkb knows: netkb fields")
