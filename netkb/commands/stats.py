"""``netkb stats``: time invested against the budget, kinds, favours, circles."""

from __future__ import annotations

from typing import Any

import click

from netkb.commands.output import describe_totals, echo
from netkb.commands.reading import (
    emit_rows,
    format_option,
    snapshot,
    text_table,
    today_of,
    today_option,
)
from netkb.network.budget import Stats, duration, network_stats
from netkb.network.counts import Counts, totals

COLUMNS = ("table", "key", "count", "minutes", "target_minutes")


@click.command()
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(1, 520))
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 120))
@format_option()
@today_option
@click.pass_context
def stats(ctx: click.Context, weeks: int, months: int, output: str) -> None:
    """Time invested per week and month against your budget (work_hours_per_week ×
    networking_share, 5% by default), interactions by kind, favours, people by circle.

    Kinds and favours count the months shown. The totals are counted as by check and
    the site's home page. json/csv rows: table (week, month, kind, favours, circle,
    totals), key, count, minutes, target_minutes; the totals' keys: people,
    public_people, organisations, organisation_files, interactions, public_interactions.

    Example: netkb stats --weeks 12 --format csv
    """
    kb = snapshot(ctx, today=today_of(ctx))
    # You see everything here: private people count, and every interaction (the site's
    # budget page counts the interactions with a public person, facts.public_interactions).
    report = network_stats(kb.people, kb.network.interactions, kb.settings, kb.today, weeks, months)
    counted = totals(kb)
    if output == "text":
        echo(_text(report) + f"\nTotals: {describe_totals(counted)}")
    else:
        emit_rows(_rows(report) + _total_rows(counted), COLUMNS, output)


def _rows(s: Stats) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for table, periods in (("week", s.weeks), ("month", s.months)):
        rows += [
            {
                "table": table,
                "key": p.label,
                "count": p.interactions,
                "minutes": p.minutes,
                "target_minutes": round(p.target),
            }
            for p in periods
        ]
    rows += [
        {"table": "kind", "key": k.kind, "count": k.interactions, "minutes": k.minutes}
        for k in s.kinds
    ]
    rows += [
        {"table": "favours", "key": "given", "count": s.favours.given},
        {"table": "favours", "key": "received", "count": s.favours.received},
    ]
    rows += [{"table": "circle", "key": str(c) if c else "none", "count": n} for c, n in s.circles]
    return rows


def _total_rows(counted: Counts) -> list[dict[str, Any]]:
    return [
        {"table": "totals", "key": key, "count": number} for key, number in vars(counted).items()
    ]


def _text(s: Stats) -> str:
    share = lambda p: f"{round(p.share * 100):,}%"  # noqa: E731
    lines = [
        f"Budget: {duration(s.weekly_target)} a week. Time invested up to {s.today}:",
        "",
        text_table(
            ("WEEK", "FROM", "TIME", "TARGET", "SHARE", "INTERACTIONS"),
            [
                (
                    p.label,
                    p.start,
                    duration(p.minutes),
                    duration(p.target),
                    share(p),
                    p.interactions,
                )
                for p in s.weeks
            ],
        ),
        "",
        text_table(
            ("MONTH", "TIME", "TARGET", "SHARE", "INTERACTIONS"),
            [
                (p.label, duration(p.minutes), duration(p.target), share(p), p.interactions)
                for p in s.months
            ],
        ),
        "",
        f"Since {s.since}:",
        text_table(
            ("KIND", "INTERACTIONS", "TIME"),
            [(k.kind, k.interactions, duration(k.minutes)) for k in s.kinds],
        ),
        "",
        f"Favours: {s.favours.given:,} given, {s.favours.received:,} received "
        f"(balance {s.favours.balance:+,d})",
        "",
        f"People: {s.people:,}; by circle: "
        + ", ".join(f"{c or 'none'}: {n:,}" for c, n in s.circles),
    ]
    return "\n".join(lines)
