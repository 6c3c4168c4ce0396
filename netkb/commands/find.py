"""``netkb find``: people by what you remember about them."""

from __future__ import annotations

import click

from netkb.commands.output import echo
from netkb.commands.reading import (
    emit_rows,
    format_option,
    shorten,
    snapshot,
    text_table,
    today_option,
)
from netkb.load.loader import ORGS_DIR, PEOPLE_DIR

COLUMNS = ("slug", "name", "circle", "role", "organization", "score", "matched", "text")


@click.command()
@click.argument("text", nargs=-1)
@click.option("--expertise", help="Only people with this expertise (loosely matched).")
@click.option("--tag", help="Only people with this tag.")
@click.option("--org", "organisation", help="Only people at this organisation (loosely).")
@click.option("--circle", "circles", multiple=True, type=click.IntRange(1, 5), help="Repeatable.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@format_option()
@today_option
@click.pass_context
def find(
    ctx: click.Context,
    text: tuple[str, ...],
    expertise: str | None,
    tag: str | None,
    organisation: str | None,
    circles: tuple[int, ...],
    limit: int,
    output: str,
) -> None:
    """Find people: fuzzy TEXT over names, aliases, organisations, roles, expertise,
    interests, tags and notes, best match first; the options narrow it down.

    Example: netkb find machine lerning --circle 1 --circle 2
    """
    from netkb.network.search import find as search  # rapidfuzz: loaded only here

    # find never looks at log/: skip reading it (orgs/ files give the names and aliases
    # the organisation filter matches).
    kb = snapshot(ctx, folders=(PEOPLE_DIR, ORGS_DIR))
    people = kb.people
    matches = search(
        people,
        " ".join(text),
        limit=limit,
        expertise=expertise,
        tag=tag,
        organisation=organisation,
        circles=circles,
        index=kb.index,
    )
    rows = [
        {
            "slug": m.slug,
            "name": people[m.slug].name,
            "circle": people[m.slug].circle,
            "role": people[m.slug].role,
            "organization": people[m.slug].organization,
            "score": round(m.score, 1),
            "matched": m.field,
            "text": m.text,
        }
        for m in matches
    ]
    if output != "text":
        emit_rows(rows, COLUMNS, output)
    elif not rows:
        echo("Nobody matches.")
    else:
        table = [
            (
                round(r["score"]),
                f"{r['name']} ({r['slug']})",
                r["circle"] or "",
                shorten(" at ".join(x for x in (r["role"], r["organization"]) if x), 40),
                shorten(f"{r['matched']}: {r['text']}" if r["matched"] else "", 50),
            )
            for r in rows
        ]
        echo(text_table(("SCORE", "PERSON", "CIRCLE", "POSITION", "MATCHED"), table))
