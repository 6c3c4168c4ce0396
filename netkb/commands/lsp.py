"""``netkb lsp``: the language server, for editors (over stdin and stdout)."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.commands import KB, kb_root


@click.command()
@click.pass_context
def lsp(ctx: click.Context) -> None:
    """Serve the knowledge base to an editor over the Language Server Protocol (stdio).

    The editor starts it: problems as you type (the same as 'netkb check'), completion
    of people's slugs in with, introduced_by, relations and [[wikilinks]], of field
    names and closed values, go to definition, find references and hover. The
    knowledge base is --kb, else the editor's workspace folder, else the folder of the
    first file opened. See the README for VS Code, Neovim and Helix.

    \b
    Example: netkb lsp --kb ~/network   (an editor runs it, talking JSON-RPC)
    Neovim: vim.lsp.start({name = "netkb", cmd = {"netkb", "lsp"}})
    """
    from netkb.lsp.server import make_server  # pygls only when an editor asks

    server = make_server()
    if ctx.meta.get(KB) or ctx.find_root().obj:
        server.adopt_root(kb_root(ctx))
    server.fallback = Path.cwd()  # when the editor names no workspace inside a KB
    server.start_io()
