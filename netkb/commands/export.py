"""``netkb export``: the network as vCard 4.0 or Google Contacts CSV."""

from __future__ import annotations

from pathlib import Path

import click

from netkb.commands import kb_root
from netkb.loader import load
from netkb.write import create_file, replace_file


@click.command()
@click.argument("format_", metavar="FORMAT", type=click.Choice(["vcard", "csv"]))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (replaced if it exists). Default: standard output.",
)
@click.option(
    "--include-private",
    is_flag=True,
    help="Also export people marked private: true and the '## Private' parts of notes.",
)
@click.pass_context
def export(ctx: click.Context, format_: str, out: Path | None, include_private: bool) -> None:
    """Export people as FORMAT: vcard (vCard 4.0) or csv (Google Contacts layout).

    Private people and private notes are left out unless --include-private.
    'netkb import vcard' / 'netkb import google' read these files back.

    Example: netkb export vcard --out network.vcf
    """
    from netkb.export import csv_text, exported, vcard  # here: keeps other commands' start fast

    root = kb_root(ctx)
    network = load(root)
    if network.errors:
        click.echo(
            f"warning: {len(network.errors)} errors in the knowledge base (see netkb check); "
            "exporting what loads",
            err=True,
        )
    text = (
        vcard(network, include_private)
        if format_ == "vcard"
        else csv_text(network, include_private)
    )
    data = text.encode("utf-8")
    if out is None:
        click.echo(data, nl=False)  # bytes go out as they are: CRLF and UTF-8, whatever the locale
        return
    try:
        if out.exists():
            replace_file(out, data)
        else:
            create_file(out, data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    count = len(exported(network, include_private))
    click.echo(f"Exported {count:,} people to {out}", err=True)
