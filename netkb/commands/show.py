"""``netkb show``: a one-screen brief on a person before you meet them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from netkb.commands.output import count, echo, echo_lines
from netkb.commands.reading import (
    complete_people,
    format_option,
    person_slug,
    snapshot,
    today_of,
    today_option,
)
from netkb.core.notes import public_text
from netkb.core.terminal import json_safe, visible
from netkb.link.derive import Facts
from netkb.link.followups import CIRCLE_NAMES
from netkb.network.brief import Brief, brief
from netkb.network.budget import duration

NOTE_LINES = 6


@click.command()
@click.argument("person", shell_complete=complete_people)
@format_option("text", "json")
@today_option
@click.pass_context
def show(ctx: click.Context, person: str, output: str) -> None:
    """A brief on PERSON (a slug, or a name): role, how you met, last interactions,
    favours, interests, relations and what is due.

    Example: netkb show jane-doe
    """
    today = today_of(ctx)
    kb = snapshot(ctx, today=today)
    about = brief(kb, person_slug(person, kb, "PERSON"))
    if output == "json":
        # json_safe: the same JSON, with no bidi or C1 control left raw for a terminal.
        echo(json_safe(json.dumps(_data(about, kb), indent=2, ensure_ascii=False, default=str)))
        return
    # The name in bold: styled after it is made visible, so bold is the only escape code.
    echo(visible(about.person.name), bold=True, nl=False)
    echo_lines(_lines(about, kb, today))


def _name(kb: Facts, slug: str) -> str:
    person = kb.network.people.get(slug)
    return f"{person.name} ({slug})" if person else slug


def _lines(b: Brief, kb: Facts, today: dt.date) -> list[str]:
    """The brief as lines of text; the first one continues the person's name."""
    p, s = b.person, b.standing
    position = " at ".join(x for x in (p.role, p.organization) if x)
    lines = [f" — {position}" if position else ""]  # follows the name, printed in bold
    badges = [f"circle {p.circle} ({CIRCLE_NAMES[p.circle]})" if p.circle else "no circle"]
    badges += ["decision-maker"] if p.decision_maker else []
    badges += [f"tags: {', '.join(p.tags)}"] if p.tags else []
    badges += ["private"] if p.private else []
    lines.append(" · ".join(badges))
    met = " at ".join(x for x in (p.met.isoformat() if p.met else "", p.met_at or "") if x)
    introduced = ", who was introduced by ".join(_name(kb, c) for c in b.chain)
    how = [f"Met {met}"] if met else []
    how += [f"introduced by {introduced}"] if introduced else []
    if how:
        lines.append("; ".join(how)[0].upper() + "; ".join(how)[1:])
    contact = [f"email {', '.join(p.email)}"] if p.email else []
    contact += [f"phone {', '.join(p.phone)}"] if p.phone else []
    contact += [f"in {p.location}"] if p.location else []
    if b.birthday:
        turns = f", turns {b.birthday.age}" if b.birthday.age else ""
        soon = "today" if not b.birthday.days else f"in {_days(b.birthday.days)}"
        contact.append(f"birthday {b.birthday.date:%-d %B} ({soon}{turns})")
    if contact:
        lines.append("; ".join(contact))
    lines.append("")
    lines.append(_standing_line(b, today))
    f = s.favours
    if f.given or f.received:
        lines.append(f"Favours: {f.given:,} given, {f.received:,} received ({_balance(f.balance)})")
    times = "interaction" if s.interactions == 1 else "interactions"
    lines.append(
        f"Time invested: {duration(s.minutes)} over {s.interactions} {times} "
        f"({duration(b.minutes_past_year)} in the past year)"
    )
    for label, values in (("Expertise", p.expertise), ("Interests", p.interests)):
        lines += [f"{label}: {', '.join(values)}"] if values else []
    lines += [f"Qualities: {', '.join(p.qualities)}"] if p.qualities else []
    if b.relations or b.introduced:
        lines += ["", "Relations:"]
        for kind, slugs in b.relations:
            names = ", ".join(_name(kb, x) for x in slugs)
            lines.append(f"  {kind.replace('_', ' ')}: {names}")
        if b.introduced:
            lines.append(f"  introduced you to: {', '.join(_name(kb, x) for x in b.introduced)}")
    if b.recent:
        lines += ["", "Last interactions:"]
        for i in b.recent:
            others = [_name(kb, x) for x in kb.others(i, p.slug)]
            extra = f" · with {', '.join(others)}" if others else ""
            favour = f" · favour {i.favor}" if i.favor else ""
            summary = f": {i.summary}" if i.summary else ""
            lines.append(f"  {i.date}  {i.kind}, {duration(i.minutes)}{favour}{summary}{extra}")
    notes = [line for line in public_text(p.body).strip().splitlines() if line.strip()]
    if notes:
        lines += ["", "Notes:", *(f"  {n}" for n in notes[:NOTE_LINES])]
        lines += [f"  … ({len(notes) - NOTE_LINES} more lines)"] if len(notes) > NOTE_LINES else []
    return lines


def _standing_line(b: Brief, today: dt.date) -> str:
    s = b.standing
    last = "no contact recorded"
    if s.last_contact:
        ago = (today - s.last_contact).days
        last = f"last contact {s.last_contact} ({'today' if not ago else _days(ago) + ' ago'})"
    follow = s.follow_up
    if follow is None:
        return f"No keep-in-touch interval; {last}"
    if follow.days_overdue > 0:
        when = f"overdue by {_days(follow.days_overdue)} (due {follow.due})"
    elif follow.days_overdue == 0:
        when = "due today"
    else:
        when = f"next due {follow.due} (in {_days(-follow.days_overdue)})"
    return f"Keep in touch every {follow.cadence}: {last}; {when}"


def _days(number: int) -> str:
    return count(number, "day")


def _balance(balance: int) -> str:
    if balance > 0:
        return f"+{balance:,}: they owe you"
    return f"{balance:,}: you owe them" if balance < 0 else "even"


def _data(b: Brief, kb: Facts) -> dict[str, Any]:
    p, s = b.person, b.standing
    return {
        "slug": p.slug,
        "name": p.name,
        "organization": p.organization,
        "role": p.role,
        "circle": p.circle,
        "decision_maker": p.decision_maker,
        "tags": list(p.tags),
        "expertise": list(p.expertise),
        "interests": list(p.interests),
        "qualities": list(p.qualities),
        "met": p.met,
        "met_at": p.met_at,
        "introduced_by": list(b.chain),
        "introduced": list(b.introduced),
        "relations": {kind: list(slugs) for kind, slugs in b.relations},
        "last_contact": s.last_contact,
        "cadence": str(s.follow_up.cadence) if s.follow_up else None,
        "next_due": s.follow_up.due if s.follow_up else None,
        "days_overdue": s.follow_up.days_overdue if s.follow_up else None,
        "favours_given": s.favours.given,
        "favours_received": s.favours.received,
        "favour_balance": s.favours.balance,
        "minutes": s.minutes,
        "minutes_past_year": b.minutes_past_year,
        "interactions": s.interactions,
        "birthday": b.birthday.date if b.birthday else None,
        "recent": [
            {
                "date": i.date,
                "kind": i.kind,
                "minutes": i.minutes,
                "favor": i.favor,
                "summary": i.summary,
                "with": kb.others(i, p.slug),
            }
            for i in b.recent
        ],
    }
