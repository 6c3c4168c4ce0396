"""How many people, organisations and interactions a KB holds, counted one way for
``check``, ``stats`` and the site's home page (which shows the public figures)."""

from __future__ import annotations

from dataclasses import dataclass

from netkb.link.derive import Facts


@dataclass(frozen=True)
class Counts:
    """The KB's totals; each ``public_``/site figure is the one the home page shows."""

    people: int  # every contact file that loads
    public_people: int  # the site's People: those not marked private
    organisations: int  # the site's organisation pages: orgs/ files + employers public people name
    organisation_files: int  # files in orgs/
    interactions: int  # every log entry that loads
    public_interactions: int  # the site's Interactions: entries naming a public person


def totals(facts: Facts) -> Counts:
    """The totals of ``facts``, from the same properties the site's pages are made from."""
    return Counts(
        people=len(facts.people),
        public_people=len(facts.public),
        organisations=len(facts.organisations),
        organisation_files=len(facts.network.organisations),
        interactions=len(facts.network.interactions),
        public_interactions=len(facts.public_interactions),
    )
