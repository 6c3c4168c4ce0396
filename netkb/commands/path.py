"""``netkb path``: warm introductions from you to a person or an organisation's deciders."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import click

from netkb.commands.output import echo_lines
from netkb.commands.reading import (
    complete_people,
    emit_rows,
    format_option,
    person_slug,
    snapshot,
    today_of,
    today_option,
)
from netkb.link.derive import Facts

COLUMNS = ("path", "hop", "slug", "name", "link")


@click.command()
@click.argument(
    "ends", nargs=-1, required=True, metavar="[FROM] TARGET", shell_complete=complete_people
)
@click.option("--limit", default=3, show_default=True, type=click.IntRange(min=1))
@format_option()
@today_option
@click.pass_context
def path(ctx: click.Context, ends: tuple[str, ...], limit: int, output: str) -> None:
    """The shortest chains of warm introductions from you (or FROM) to TARGET.

    TARGET is a person (slug or name), an organisation (its decision-makers), or
    "ROLE at ORGANISATION". Links are relations, introductions and interactions
    shared; among equally short chains the one with the warmest weakest link wins.

    Example: netkb path "Head of Sales at Globex"
    """
    from netkb.network.graph import OWNER, network_graph, warm_paths  # networkx: loaded only here
    from netkb.network.search import resolve_target

    if len(ends) > 2:
        raise click.UsageError("give a TARGET, or FROM and TARGET (quote names with spaces)")
    kb = snapshot(ctx, today=today_of(ctx))  # interactions count once they took place
    source = person_slug(ends[0], kb, "FROM") if len(ends) == 2 else OWNER
    target = resolve_target(ends[-1], kb)
    if target is None:
        raise click.BadParameter(
            f"no person or organisation matches {ends[-1]!r}", param_hint="TARGET"
        )
    graph = network_graph(kb)
    paths = warm_paths(graph, source, target.slugs, limit)
    rows = [
        {"path": n, "hop": hop, "slug": node, "name": _name(kb, node), "link": link}
        for n, p in enumerate(paths, 1)
        for hop, (node, link) in enumerate(_steps(graph, p.nodes))
    ]
    if output != "text":
        emit_rows(rows, COLUMNS, output)
        return
    if target.note:
        echo_lines([f"note: {target.note}"], err=True)
    start = "you" if source == OWNER else _name(kb, source)
    if not paths:
        echo_lines([f"No chain of people links {start} to {target.label}."])
        return
    # Names are the user's data: every line goes out through echo_lines.
    lines = [f"Warm paths from {start} to {target.label}:"]
    for n, p in enumerate(paths, 1):
        lines += ["", f"{n}. " + " → ".join(_name(kb, node) for node in p.nodes)]
        lines += [f"     → {_name(kb, node)}: {link}" for node, link in _steps(graph, p.nodes)[1:]]
    echo_lines(lines)


def _name(kb: Facts, node: str) -> str:
    person = kb.network.people.get(node)
    return person.name if person else "you"


def _steps(graph: Any, nodes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(node, how the previous node knows it) along a path; the first has no link."""
    from netkb.network.graph import reasons

    steps = [(nodes[0], "")]
    steps += [(b, ", ".join(reasons(graph.edges[a, b]))) for a, b in pairwise(nodes)]
    return steps
