"""A small hand-made network for the working-the-network tests, and the facts it pins.

Today is Thursday 2026-11-26 (ISO week 2026-W48 starts Monday 23 November).

    people (circle, cadence)          links between people
    ana-lee    1 (14d)  Acme CTO      ana — bob     bob: colleague: [ana-lee]
    bob-stone  2 (30d)  Acme          bob — cleo    cleo: introduced_by bob-stone
    cleo-park  3 (90d)  Globex HoS    cleo — dan    cleo: colleague: [dan-roe]
    dan-roe    4 (180d) Globex CEO *  dan — eve     both at the event of 2026-10-20
    eve-moss   2, own cadence 2w      eve — fay     eve: friend: [fay-wu]
    fay-wu     2 (30d)                gus — cleo    gus: knows: [cleo-park]
    gus-hart   3, never met           hal — dan     hal: reports_to: [dan-roe]
    hal-kim    no circle, Globex *    hal — cleo    hal: knows: [cleo-park]
    pia-secret-xq  1, private: true   (* decision-maker)

    log (date, with, kind, minutes, favour)
    2026-05-01  fay             coffee   30  received
    2026-10-01  cleo            meeting  60  given
    2026-10-20  dan, eve        event   120
    2026-11-17  bob             call     45  received      (W47)
    2026-11-20  pia             golf    240                (W47, private only)
    2026-11-24  ana             lunch    90  given         (W48)
    2026-11-25  ana, pia        coffee   30                (W48)
    2026-12-03  bob             lunch    60                (planned: after today)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date(2026, 11, 26)
PRIVATE_NAME = "Pia Secretname"
PRIVATE_SLUG = "pia-secret-xq"

CONFIG = """\
site_name: Test network
use_directory_urls: false
extra:
  netkb:
    owner: Test Owner
    work_hours_per_week: 40
    networking_share: 0.05
"""


def _person(front_matter: str, body: str = "") -> str:
    return f"---\n{front_matter.strip()}\n---\n{body}"


def _log(front_matter: str) -> str:
    return f"---\n{front_matter.strip()}\n---\n"


FILES = {
    "contacts/acme/ana-lee.md": _person(
        """
name: Ana Lee
organization: Acme
role: CTO
decision_maker: true
circle: 1
birthday: 1990-12-01
tags: [golf]
expertise: [hiring]
interests: [sailing]
qualities: [generous]
"""
    ),
    "contacts/acme/bob-stone.md": _person(
        """
name: Bob Stone
organization: Acme
role: Engineer
circle: 2
birthday: "--11-26"
relations:
  colleague: [ana-lee]
"""
    ),
    "contacts/globex/cleo-park.md": _person(
        """
name: Cleo Park
organization: Globex
role: Head of Sales
circle: 3
introduced_by: bob-stone
relations:
  colleague: [dan-roe]
"""
    ),
    "contacts/globex/dan-roe.md": _person(
        """
name: Dan Roe
organization: Globex
role: CEO
decision_maker: true
circle: 4
tags: [golf]
last_contact: 2026-11-01
"""
    ),
    "contacts/eve-moss.md": _person(
        """
name: Eve Moss
organization: Globex
circle: 2
cadence: 2w
expertise: [machine learning]
relations:
  friend: [fay-wu]
"""
    ),
    "contacts/fay-wu.md": _person(
        """
name: Fay Wu
circle: 2
""",
        "\nLoves restoring vintage sailboats on the Havel.\n",
    ),
    "contacts/gus-hart.md": _person(
        """
name: Gus Hart
circle: 3
met: 2026-01-10
relations:
  knows: [cleo-park]
"""
    ),
    "contacts/globex/hal-kim.md": _person(
        """
name: Hal Kim
organization: Globex
role: CFO
decision_maker: true
relations:
  reports_to: [dan-roe]
  knows: [cleo-park]
"""
    ),
    f"contacts/{PRIVATE_SLUG}.md": _person(
        f"""
name: {PRIVATE_NAME}
organization: Secret Employer Ltd
circle: 1
private: true
"""
    ),
    "log/2026/fay-coffee.md": _log(
        "date: 2026-05-01\nwith: [fay-wu]\nkind: coffee\nminutes: 30\nfavor: received"
    ),
    "log/2026/cleo-meeting.md": _log(
        "date: 2026-10-01\nwith: [cleo-park]\nkind: meeting\nminutes: 60\nfavor: given"
    ),
    "log/2026/event.md": _log(
        "date: 2026-10-20\nwith: [dan-roe, eve-moss]\nkind: event\nminutes: 120\n"
        "summary: Fintech meetup"
    ),
    "log/2026/bob-call.md": _log(
        "date: 2026-11-17\nwith: [bob-stone]\nkind: call\nminutes: 45\nfavor: received\n"
        "summary: Bob reviewed my deck"
    ),
    "log/2026/pia-golf.md": _log(
        f"date: 2026-11-20\nwith: [{PRIVATE_SLUG}]\nkind: golf\nminutes: 240\n"
        f"summary: Golf with {PRIVATE_NAME}"
    ),
    "log/2026/ana-lunch.md": _log(
        "date: 2026-11-24\nwith: [ana-lee]\nkind: lunch\nminutes: 90\nfavor: given\n"
        "summary: Hiring plan"
    ),
    "log/2026/ana-coffee.md": _log(
        f"date: 2026-11-25\nwith: [ana-lee, {PRIVATE_SLUG}]\nkind: coffee\nminutes: 30"
    ),
    "log/2026/bob-planned.md": _log(
        "date: 2026-12-03\nwith: [bob-stone]\nkind: lunch\nminutes: 60\nsummary: Planned"
    ),
}


def write_network(root: Path) -> Path:
    """Write the network above into ``root`` and return it."""
    (root / "mkdocs.yml").parent.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
