"""``netkb completion``: the script that makes a shell complete netkb's commands."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from netkb.commands.output import echo_data

SHELLS = ("bash", "zsh", "fish")
# The variable Click's completion scripts set when they ask netkb for candidates.
COMPLETE_VAR = "_NETKB_COMPLETE"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL: commands, options, people's slugs and
    names where a command takes a PERSON or PEOPLE, and the values of --kind.

    \b
    Example: netkb completion bash
    In ~/.bashrc:  eval "$(netkb completion bash)"
    In ~/.zshrc:   eval "$(netkb completion zsh)"
    fish, once:    netkb completion fish > ~/.config/fish/completions/netkb.fish
    """
    script_class = get_completion_class(shell)
    assert script_class is not None  # every one of SHELLS is Click's own
    cli = ctx.find_root().command
    echo_data(script_class(cli, {}, "netkb", COMPLETE_VAR).source())
