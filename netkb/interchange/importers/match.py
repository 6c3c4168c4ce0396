"""Is an imported row someone the knowledge base already knows?

Same email or same LinkedIn profile is the same person. Otherwise the same
normalised name (accents, case, spacing and dots ignored; aliases count) is the
same person, unless their LinkedIn profiles differ (then it is someone else) or
their emails differ (then only the user can tell: ambiguous). Nothing is
guessed: every unclear case is reported. Which new people may still be someone
known is ``netkb.core.identity.possible_duplicates``'s to say, the rule ``check``
applies too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from netkb.core.identity import item_key, linkedin_key
from netkb.core.references import name_key


@dataclass(frozen=True, slots=True)
class Match:
    """The person a row is (``slug``), or why it is unclear (``ambiguous``)."""

    slug: str | None = None
    ambiguous: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies a person: names, emails, LinkedIn profiles (all normalised)."""

    names: frozenset[str]
    emails: frozenset[str]
    linkedin: frozenset[str]

    @classmethod
    def of(cls, names: Iterable[str], emails: Iterable[str], links: Iterable[str]) -> Identity:
        """The identity of a person with these names, emails and links."""
        return cls(
            frozenset(name_key(n) for n in names if n.strip()),
            frozenset(item_key("email", e) for e in emails),
            frozenset(k for k in (linkedin_key(link) for link in links) if k),
        )


class Matcher:
    """Lookup of known people by identity; rows planned as new are added as they come."""

    def __init__(self) -> None:
        self.identities: dict[str, Identity] = {}
        self.by_email: dict[str, set[str]] = defaultdict(set)
        self.by_linkedin: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, set[str]] = defaultdict(set)

    def add(self, slug: str, identity: Identity) -> None:
        """Know ``slug`` by ``identity`` (what it was known by before stays)."""
        old = self.identities.get(slug)
        merged = identity
        if old is not None:
            merged = Identity(
                old.names | identity.names,
                old.emails | identity.emails,
                old.linkedin | identity.linkedin,
            )
        self.identities[slug] = merged
        for email in merged.emails:
            self.by_email[email].add(slug)
        for profile in merged.linkedin:
            self.by_linkedin[profile].add(slug)
        for name in merged.names:
            self.by_name[name].add(slug)

    def match(self, identity: Identity) -> Match:
        """The one known person with this identity, or why it is unclear, or nobody."""
        strong = {s for e in identity.emails for s in self.by_email.get(e, ())}
        strong |= {s for p in identity.linkedin for s in self.by_linkedin.get(p, ())}
        if len(strong) == 1:
            return Match(slug=next(iter(strong)))
        if len(strong) > 1:
            return Match(ambiguous=f"its email or LinkedIn URL belongs to {_listed(strong)}")
        named = {s for n in identity.names for s in self.by_name.get(n, ())}
        # Two different LinkedIn profiles are two different people, whatever their names.
        named = {
            s
            for s in named
            if not (identity.linkedin and self.identities[s].linkedin)
            or identity.linkedin & self.identities[s].linkedin
        }
        if len(named) > 1:
            return Match(ambiguous=f"{len(named)} people have this name: {_listed(named)}")
        if named:
            slug = next(iter(named))
            known = self.identities[slug].emails
            if identity.emails and known and not identity.emails & known:
                return Match(
                    ambiguous=f"same name as {slug}, but a different email "
                    f"({', '.join(sorted(identity.emails))}); if it is the same person, add "
                    f"the email to {slug} and import again"
                )
            return Match(slug=slug)
        return Match()


def _listed(slugs: set[str]) -> str:
    ordered = sorted(slugs)
    shown = ", ".join(ordered[:4])
    return shown + (f" and {len(ordered) - 4} more" if len(ordered) > 4 else "")
