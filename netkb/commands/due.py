"""``netkb due``: whom to get in touch with, by cadence, and upcoming birthdays."""

from __future__ import annotations

from typing import Any

import click

from netkb.commands.output import count, echo
from netkb.commands.reading import (
    emit_rows,
    format_option,
    shorten,
    snapshot,
    text_table,
    today_of,
    today_option,
)
from netkb.core.terminal import visible
from netkb.link.followups import people_in

COLUMNS = (
    "reason",
    "slug",
    "name",
    "circle",
    "due",
    "days_overdue",
    "cadence",
    "last_contact",
    "last_kind",
    "last_summary",
    "turns",
)


@click.command()
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(min=0),
    help="Also list who is due, and whose birthday is, within this many days.",
)  # fmt: skip
@click.option("--circle", "circles", multiple=True, type=click.IntRange(1, 5), help="Repeatable.")
@click.option("--tag", "tags", multiple=True, help="Only people with this tag; repeatable.")
@format_option()
@today_option
@click.pass_context
def due(
    ctx: click.Context, days: int, circles: tuple[int, ...], tags: tuple[str, ...], output: str
) -> None:
    """Who is overdue or due soon for a touch-point, most overdue first, and birthdays.

    A person's interval is their own 'cadence', else their circle's (1: 14d, 2: 30d,
    3: 90d, 4: 180d by default). Rows: reason is 'touch' or 'birthday'; days_overdue
    is negative when it is still ahead.

    Example: netkb due --days 14 --circle 1 --circle 2
    """
    today = today_of(ctx)
    kb = snapshot(ctx, today=today)
    people = people_in(kb.people, circles, tags)
    rows = [_touch(r, people[r.slug]) for r in kb.due(days, among=people)]
    rows += [_birthday(b, people[b.slug]) for b in kb.birthdays(days, among=people)]
    if output != "text":
        emit_rows(rows, COLUMNS, output)
        return
    echo(_text(rows, today, days))


def _touch(r: Any, person: Any) -> dict[str, Any]:
    last = r.last
    return {
        "reason": "touch",
        "slug": r.slug,
        "name": person.name,
        "circle": person.circle,
        "due": r.follow_up.due,
        "days_overdue": r.follow_up.days_overdue,
        "cadence": str(r.follow_up.cadence),
        "last_contact": r.last_contact,
        "last_kind": last.kind if last else None,
        "last_summary": last.summary if last else None,
        "turns": None,
    }


def _birthday(b: Any, person: Any) -> dict[str, Any]:
    return {
        "reason": "birthday",
        "slug": b.slug,
        "name": person.name,
        "circle": person.circle,
        "due": b.date,
        "days_overdue": -b.days,
        "turns": b.age,
    }


def _when(days_overdue: int) -> str:
    if days_overdue > 0:
        return f"{days_overdue:,} d overdue"
    return "today" if days_overdue == 0 else f"in {-days_overdue} d"


def _text(rows: list[dict[str, Any]], today: Any, days: int) -> str:
    touch = [r for r in rows if r["reason"] == "touch"]
    born = [r for r in rows if r["reason"] == "birthday"]
    lines = [f"Due as of {today.isoformat()}: overdue, then due within {count(days, 'day')}"]
    if touch:
        table = [
            (
                _when(r["days_overdue"]),
                f"{r['name']} ({r['slug']})",
                r["circle"] or "",
                r["cadence"],
                r["last_contact"] or "never",
                shorten(": ".join(x for x in (r["last_kind"], r["last_summary"]) if x), 48),
            )
            for r in touch
        ]
        headers = ("DUE", "PERSON", "CIRCLE", "EVERY", "LAST CONTACT", "LAST TIME")
        lines += ["", text_table(headers, table)]
    else:
        lines += ["", "Nobody is due."]
    if born:
        lines += ["", f"Birthdays within {count(days, 'day')}:"]
        for r in born:
            turns = f", turns {r['turns']}" if r["turns"] else ""
            when = f"{r['due']:%a %-d %b} ({_when(r['days_overdue'])})"
            lines.append(f"  {when}: {visible(r['name'])}{turns}")
    return "\n".join(lines)
