"""What the everyday commands (log, due, show, find, path, stats) share: the day they
work for, the records they read, whom a reference names, and tables as text, JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from netkb.commands import kb_root
from netkb.commands.output import count, echo_data
from netkb.core import clock
from netkb.core.terminal import json_safe, visible
from netkb.link.derive import Facts, link
from netkb.load.cache import DiskCache
from netkb.load.loader import ALL_FOLDERS, PEOPLE_DIR, load
from netkb.load.schema import INTERACTION_KINDS
from netkb.network.completion import people_matching
from netkb.network.search import person_named, suggest

F = TypeVar("F", bound=Callable[..., Any])
TODAY = "netkb.today"
TABLE_FORMATS = ("text", "json", "csv")
_FORMAT_HELP = {
    ("text", "json"): "json: the same, for scripts.",
    TABLE_FORMATS: "json or csv: the same rows for scripts.",
}
SHELL_COMPLETIONS = 50  # people offered at most, best first
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def today_option(command: F) -> F:
    """A hidden ``--today YYYY-MM-DD`` (or $NETKB_TODAY): the day to compute for."""

    def remember(ctx: click.Context, _param: click.Parameter, value: dt.datetime | None) -> None:
        if value is not None:
            ctx.meta[TODAY] = value.date()

    return click.option(
        "--today",
        type=click.DateTime(["%Y-%m-%d"]),
        hidden=True,
        expose_value=False,
        callback=remember,
        help="Compute as if today were this date (for tests and examples).",
    )(command)


def format_option(*formats: str) -> Callable[[F], F]:
    """``--format`` offering exactly ``formats`` (text, json, csv by default): a command
    lists only what it prints."""
    chosen = formats or TABLE_FORMATS
    return click.option(
        "--format",
        "output",
        type=click.Choice(chosen),
        default=chosen[0],
        show_default=True,
        help=_FORMAT_HELP.get(chosen, "the output's format."),
    )


def today_of(ctx: click.Context) -> dt.date:
    """``--today``, else $NETKB_TODAY, else the real date."""
    try:
        return clock.today(ctx.meta.get(TODAY))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def snapshot(
    ctx: click.Context, folders: tuple[str, ...] = ALL_FOLDERS, today: dt.date | None = None
) -> Facts:
    """The KB's ``folders`` loaded (re-parsing only changed files) and linked as of
    ``today``; errors noted on stderr.

    A command that counts from a day passes ``today_of(ctx)``, so that a bad $NETKB_TODAY
    is a usage error; without it, ``--today`` or $NETKB_TODAY still apply when asked.
    """
    root = kb_root(ctx)
    network = load(root, cache=DiskCache(root), folders=folders, cross_checks=False)
    # A command runs for a second and exits: keep the collector off the records just
    # read (a million objects, no cycles) instead of scanning them again and again.
    gc.freeze()
    if network.errors:
        click.echo(
            f"note: {count(len(network.errors), 'error')} in the knowledge base; "
            "the files affected are left out. Run 'netkb check' to see them.",
            err=True,
        )
    return link(network, today=today if today is not None else ctx.meta.get(TODAY))


def person_slug(reference: str, kb: Facts, hint: str) -> str:
    """The slug a reference (slug, or a name or alias) names; a usage error otherwise."""
    found = person_named(reference, kb.network.people, kb.index)
    if len(found) == 1:
        return found[0]
    if found:
        raise click.BadParameter(
            f"{reference!r} names {len(found):,} people: {', '.join(sorted(found))}; use a slug",
            param_hint=hint,
        )
    close = suggest(reference, kb.network.people)
    maybe = f"; did you mean {close!r}?" if close else ""
    raise click.BadParameter(f"no person has the slug {reference!r}{maybe}", param_hint=hint)


def complete_people(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of a PERSON or PEOPLE argument: the slugs of the people whose slug
    or name matches what is typed, best first, the name beside each (zsh, fish). Reads
    contacts/ through the disk cache, so a key press costs a stat of each file."""
    root_ctx = ctx.find_root()
    if root_ctx.obj is None and root_ctx.params.get("kb"):  # --kb before the command
        root_ctx.obj = root_ctx.params["kb"]
    try:
        root = kb_root(ctx)
    except click.UsageError:
        return []  # not in a knowledge base: nothing to offer
    network = load(root, cache=DiskCache(root), folders=(PEOPLE_DIR,), cross_checks=False)
    ranked = people_matching(network.people, incomplete, SHELL_COMPLETIONS)
    return [CompletionItem(visible(c.slug), help=visible(c.detail)) for _grade, c in ranked]


def complete_kinds(
    _ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of ``--kind``: the usual kinds of interaction."""
    return [CompletionItem(kind) for kind in INTERACTION_KINDS if kind.startswith(incomplete)]


# -- output -----------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def emit_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], output: str) -> None:
    """Rows as JSON (a list of objects) or CSV (a header, then one line per row)."""
    if output == "json":
        data = [{c: _cell(row.get(c)) for c in columns} for row in rows]
        click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    echo_data(buffer.getvalue(), nl=False)  # exact in a file; escapes visible on a terminal


def width(text: str) -> int:
    """Columns a text takes on a terminal (wide CJK characters take two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, most: int) -> str:
    return text if width(text) <= most else text[: most - 1] + "…"


def _table_cell(value: Any) -> str:
    """A cell as text; counts with thousands separators ("2,072"), like every count."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(_cell(value))


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned plain-text table; numbers are right-aligned."""
    # Cells are the user's data: made visible here so the columns line up as printed.
    shown = [[visible(_table_cell(v)) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in shown]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        cells = [
            " " * (w - width(v)) + v if right else v + " " * (w - width(v))
            for v, w, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), *(line(r) for r in shown)])
