"""``netkb init``: create a ready knowledge base."""

from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

import click

from netkb.commands.output import Failure
from netkb.edit.scaffold import CI_FILES, ScaffoldError, init_kb


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
@click.option(
    "--ci",
    type=click.Choice(sorted(CI_FILES)),
    help="Also write a CI workflow that checks and builds on every push and keeps the "
    "site as a build artifact (never a public page).",
)
def init(folder: Path, owner: str | None, ci: str | None) -> None:
    """Create a knowledge base in FOLDER (default: here); never overwrites anything.

    Writes mkdocs.yml, the folders, a .gitignore and a .pre-commit-config.yaml that
    runs 'netkb check' before each commit.

    \b
    Example: netkb init ~/network --owner "Pablo Valle"
    Example: netkb init ~/network --ci github
    """
    try:
        init_kb(folder, owner or _default_owner(), ci)
    except ScaffoldError as exc:
        raise Failure(str(exc)) from None
    click.echo(f"Created a knowledge base in {folder}")
    if ci is not None:
        click.echo(f"CI: {CI_FILES[ci][0]} checks and builds on every push")
    click.echo('Next: netkb new "Jane Doe" --org Acme, then netkb check')
    click.echo("Every field netkb knows: netkb fields")
