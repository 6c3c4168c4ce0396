"""The ``netkb`` command: a thin shell over the core (parse options, call, format, exit)."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from pathlib import Path

import click

from netkb import __version__
from netkb.commands import KB_PRECEDENCE, NO_KB, kb_option
from netkb.core import clock

# Each verb's module is imported only when that verb runs: `netkb check` need not
# load MkDocs, networkx or vobject. ``--help`` imports them all to list them.
COMMANDS = {
    "build": "netkb.commands.build:build",
    "check": "netkb.commands.check:check",
    "completion": "netkb.commands.completion:completion",
    "due": "netkb.commands.due:due",
    "export": "netkb.commands.export:export",
    "fields": "netkb.commands.fields:fields",
    "find": "netkb.commands.find:find",
    "forget": "netkb.commands.forget:forget",
    "history": "netkb.commands.history:history",
    "import": "netkb.commands.import_:import_",
    "init": "netkb.commands.init:init",
    "log": "netkb.commands.log:log",
    "lsp": "netkb.commands.lsp:lsp",
    "merge": "netkb.commands.merge:merge",
    "new": "netkb.commands.new:new",
    "open": "netkb.commands.open:open_",
    "path": "netkb.commands.path:path",
    "serve": "netkb.commands.serve:serve",
    "set": "netkb.commands.set_:set_",
    "show": "netkb.commands.show:show",
    "stats": "netkb.commands.stats:stats",
    "triage": "netkb.commands.triage:triage",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            if name not in NO_KB and not any(p.name == "kb" for p in command.params):
                command.params.append(kb_option())  # `netkb check --kb X` as well
            self.add_command(command, name)
        return self.commands.get(name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--kb",
    "kb",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="NETKB_KB",
    show_envvar=True,
    help=f"The knowledge base folder (also accepted after the command). {KB_PRECEDENCE}",
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


def main() -> None:
    try:
        cli(prog_name="netkb")
    except SystemExit as exc:
        exit_at_once(exc.code)
        raise


def exit_at_once(code: object) -> None:
    """End the process without freeing its objects one by one, memory the system takes
    back at once: after a build of 10,000 people that teardown took 0.4 s. What else an
    exit does is done first: the atexit handlers run and stdout and stderr are flushed.
    Returns (the normal exit follows) when another thread runs, when ``code`` is not a
    number (Python prints a message), or when the output cannot be flushed (a closed
    pipe: Python reports that as it always does)."""
    if threading.active_count() != 1 or not (code is None or isinstance(code, int)):
        return
    atexit._run_exitfuncs()
    atexit._clear()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)
