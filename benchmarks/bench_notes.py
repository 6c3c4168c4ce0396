#!/usr/bin/env python3
"""Time rendering and sanitising notes, and compare the allow-list sanitisers.

    python benchmarks/bench_notes.py [--notes 10000] [--seed 1]

Makes ``--notes`` notes like a real network's (a few paragraphs, lists, links,
wikilinks, a private section in one of five, a hostile one in one of twenty),
then times, in this process:

- Python-Markdown alone (the tree netkb builds, private parts removed);
- the sanitiser on the rendered HTML: ``nh3`` (what netkb uses) and, when it is
  installed, ``bleach`` with the same allow-list, for the choice of library;
- netkb's whole ``NoteRenderer.html`` (parse + private parts + links + nh3).

It prints figures and always exits 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netkb.core import notes

PARAGRAPHS = [
    "Met at the {event}; talked about {topic} for an hour. Follow up on the {topic} intro.",
    "Knows everyone in {topic}. Introduced me to [[person-{n}]] and [[person-{m}|her boss]].",
    "- prefers mornings\n- no calls on Fridays\n- ask about the {topic} project",
    "See [the deck](https://example.org/{n}/deck.pdf) and **bring numbers**.",
    "| year | role |\n|---|---|\n| 2021 | analyst |\n| 2024 | head of {topic} |",
]
PRIVATE = "## Private\n\nGoing through a divorce; do not mention the kids ({n})."
HOSTILE = '<img src=x onerror="alert({n})"> [x](javascript:alert({n})) ![y](//evil.example/{n})'
TOPICS = ["fintech", "hiring", "pricing", "golf", "logistics", "AI"]


def make_notes(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    made = []
    for n in range(count):
        values = {
            "event": rng.choice(["PyCon", "a dinner", "Slush"]),
            "topic": rng.choice(TOPICS),
            "n": n,
            "m": rng.randrange(count),
        }
        parts = [p.format(**values) for p in rng.sample(PARAGRAPHS, rng.randint(1, 4))]
        if n % 5 == 0:
            parts.append(PRIVATE.format(**values))
        if n % 20 == 0:
            parts.insert(0, HOSTILE.format(**values))
        made.append("\n\n".join(parts))
    return made


def timed(label: str, work, items: list[str]) -> list[str]:
    started = time.perf_counter()
    out = [work(item) for item in items]
    seconds = time.perf_counter() - started
    size = sum(map(len, out))
    print(
        f"  {label:<38} {seconds:6.2f} s  {seconds / len(items) * 1e6:7.0f} µs/note"
        f"  {size / 1e6:6.2f} MB out"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bodies = make_notes(args.notes, args.seed)
    print(f"{len(bodies):,} notes, {sum(map(len, bodies)) / 1e6:.2f} MB of Markdown")
    renderer = notes.NoteRenderer()
    rendered = timed(
        "Python-Markdown (tree, private removed)",
        lambda body: renderer.convert(body, lambda t: None, None),
        bodies,
    )
    timed("nh3 sanitise", notes.sanitise, rendered)
    try:
        import bleach
    except ImportError:
        print("  bleach                                 not installed (pip install bleach)")
    else:
        tags = set(notes.ALLOWED_TAGS)
        attributes = {tag: sorted(names) for tag, names in notes.ALLOWED_ATTRIBUTES.items()}
        attributes.update({tag: ["class"] for tag in notes.ALLOWED_CLASSES})
        cleaner = bleach.Cleaner(
            tags=tags, attributes=attributes, protocols=sorted(notes.URL_SCHEMES), strip=True
        )
        timed("bleach sanitise (same allow-list)", cleaner.clean, rendered)
    timed("netkb NoteRenderer.html (everything)", renderer.html, bodies)


if __name__ == "__main__":
    main()
