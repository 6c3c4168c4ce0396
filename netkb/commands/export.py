"""``netkb export``: the network as vCard 4.0 or Google Contacts CSV."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from netkb.commands import kb_root
from netkb.commands.output import Failure, count, echo, echo_data
from netkb.commands.reading import today_of
from netkb.core.terminal import visible
from netkb.core.write import create_file, replace_file
from netkb.load.loader import load

if TYPE_CHECKING:
    from netkb.core.records import Network


@click.command()
@click.argument("format_", metavar="FORMAT", type=click.Choice(["vcard", "csv", "calendar"]))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file, outside the knowledge base. Default: standard output.",
)
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
@click.option(
    "--include-private",
    is_flag=True,
    help="Also export people marked private: true and the '## Private' parts of notes.",
)
@click.pass_context
def export(
    ctx: click.Context, format_: str, out: Path | None, force: bool, include_private: bool
) -> None:
    """Export people as FORMAT: vcard (vCard 4.0) or csv (Google Contacts layout); or
    calendar: follow-ups and birthdays as an iCalendar (.ics) file.

    Private people and private notes are left out unless --include-private.
    'netkb import vcard' / 'netkb import google' read these files back.
    --out never writes inside the knowledge base, and replaces a file only with --force.

    calendar: each follow-up due within 30 days (an overdue one on today) with the last
    contact and a link to the person's page, and each birthday as a yearly all-day
    event; private people are never in it. 'netkb build' writes the same feed into the
    site as calendar.ics, for a calendar app to subscribe to.

    Example: netkb export vcard --out ~/network.vcf

    Example: netkb export calendar --out ~/netkb.ics
    """
    from netkb.interchange.export import (  # here: keeps other commands' start fast
        csv_text,
        exported,
        vcard,
    )

    root = kb_root(ctx)
    if format_ == "calendar" and include_private:
        raise click.UsageError("a calendar export never holds private people")
    if out is not None:
        _check_out(root, out, force)
    elif force:
        raise click.UsageError("--force replaces the --out file: give --out too")
    network = load(root)
    if network.errors:
        echo(
            f"warning: {count(len(network.errors), 'error')} in the knowledge base "
            "(see netkb check); "
            "exporting what loads",
            err=True,
        )
    if format_ == "calendar":
        data, what = _calendar(network, today_of(ctx))
    else:
        text = (
            vcard(network, include_private)
            if format_ == "vcard"
            else csv_text(network, include_private)
        )
        data = text.encode("utf-8")
        what = count(len(exported(network, include_private)), "person")
    if out is None:
        echo_data(data, nl=False)
        return
    try:
        if force and os.path.lexists(out):
            replace_file(out, data, inside=None)  # --out is outside the KB, checked above
        else:
            create_file(out, data, inside=None)
    except FileExistsError:
        raise _exists(out) from None
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc.strerror}") from None
    echo(f"Exported {what} to {out}", err=True)


def _calendar(network: Network, today: dt.date) -> tuple[bytes, str]:
    """The calendar feed (``calendar_feed``), and what it holds in words."""
    from netkb.link.derive import link
    from netkb.render.calendar_feed import birthdays, calendar_feed, follow_ups

    facts = link(network, today=today)
    data = calendar_feed(facts, site_url=network.settings.site_url, today=today)
    due, born = len(follow_ups(facts)), len(birthdays(facts))
    return data, f"{count(due, 'follow-up')} and {count(born, 'birthday')}"


def _check_out(root: Path, out: Path, force: bool) -> None:
    """Usage errors for an --out inside the KB (symlinks resolved), or existing without --force."""
    real_root, real_out = os.path.realpath(root), os.path.realpath(out)
    if real_out == real_root or real_out.startswith(real_root.rstrip(os.sep) + os.sep):
        shown = f"{out} (really {real_out})" if os.path.abspath(out) != real_out else str(out)
        raise click.BadParameter(
            f"{visible(shown)} is inside the knowledge base {visible(real_root)}; an export "
            "must not overwrite or sit among your files (nor be committed with them): "
            "write it outside",
            param_hint="'--out'",
        )
    if os.path.lexists(out) and not force:
        raise _exists(out)


def _exists(out: Path) -> click.BadParameter:
    return click.BadParameter(
        f"{visible(str(out))} exists; add --force to replace it", param_hint="'--out'"
    )
