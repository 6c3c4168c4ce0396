"""The site's search index, made from records instead of from the pages' HTML.

Material's search plugin would parse every built page and index all of its text
(2.4 KB a person, listing pages too). netkb knows what a person is found by: name,
aliases, organisation, role, tags, expertise, interests, location and the start of
the public notes. Each document stays under ``MAX_BYTES`` of JSON, so a 10,000-person
index is a few megabytes a phone's browser can load. Private people are never in it:
only ``facts.public`` is read, and notes only through ``public_text``.

Material's search shows a result's title and text as HTML (its own plugin stores the
text of pages, entities and all): every value here is HTML-escaped (``_html``), so a
name like ``<img src=x onerror=…>`` is shown as text, never made an element.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

from netkb.core.notes import public_text
from netkb.core.records import Person
from netkb.link.derive import Facts
from netkb.render.urls import org_page, page_url, person_page

MAX_BYTES = 560  # a document's JSON, so that with separators a person costs < 600 bytes
SEPARATOR = " · "
_PARTIAL_ENTITY = re.compile(r"&[#\w]*$")


def person_document(facts: Facts, slug: str, directory: bool) -> dict[str, str]:
    """The search document of a public person's page."""
    person: Person = facts.public[slug]
    organisation = facts.organisations.get(facts.person_org.get(slug, ""))
    facts_of = [
        ", ".join(person.aliases),
        organisation.name if organisation is not None else (person.organization or ""),
        person.role or "",
        ", ".join(person.tags),
        ", ".join(person.expertise),
        ", ".join(person.interests),
        person.location or "",
    ]
    text = SEPARATOR.join(part for part in facts_of if part)
    document = {
        "location": page_url(person_page(slug), directory),
        "title": _html(person.name),
        "text": _html(text),
    }
    notes = " ".join(public_text(person.body).split()) if person.body.strip() else ""
    return _fit(document, _html(notes))


def organisation_document(facts: Facts, slug: str, directory: bool) -> dict[str, str]:
    """The search document of an organisation's page: its name and other names."""
    organisation = facts.organisations[slug]
    aliases = organisation.record.aliases if organisation.record is not None else ()
    document = {
        "location": page_url(org_page(slug), directory),
        "title": _html(organisation.name),
        "text": _html(", ".join(aliases)),
    }
    return _fit(document, "")


def search_documents(
    facts: Facts,
    directory: bool,
    pages: Iterable[str] | None = None,
    *,
    names_only: bool = False,
) -> dict[str, dict[str, str]]:
    """Documents by page path: of every public person and organisation (``pages`` None)
    or of those whose pages are in ``pages``; a page with no document is left out.
    ``names_only`` (a redacted site): people are found by name alone, organisations not."""
    people = facts.public
    wanted = None if pages is None else set(pages)
    documents: dict[str, dict[str, str]] = {}
    for slug in people:
        path = person_page(slug)
        if wanted is None or path in wanted:
            if names_only:
                location = page_url(path, directory)
                documents[path] = _fit(
                    {"location": location, "title": _html(people[slug].name), "text": ""}, ""
                )
            else:
                documents[path] = person_document(facts, slug, directory)
    if names_only:
        return documents
    for slug in facts.organisations:
        path = org_page(slug)
        if wanted is None or path in wanted:
            documents[path] = organisation_document(facts, slug, directory)
    return documents


def _html(value: str) -> str:
    """``value`` as HTML text, as Material's search expects its titles and texts."""
    return html.escape(value, quote=False)


def _size(document: dict[str, str]) -> int:
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def _fit(document: dict[str, str], notes: str) -> dict[str, str]:
    """``document`` with as much of ``notes`` as fits in ``MAX_BYTES`` (cut at a word),
    and its text shortened if even the facts alone do not fit."""
    room = MAX_BYTES - _size(document)
    if notes and room > len(SEPARATOR) + 20:
        joined = SEPARATOR.join(p for p in (document["text"], notes) if p)
        candidate = {**document, "text": joined}
        if _size(candidate) <= MAX_BYTES:
            return candidate
        document = {**document, "text": _cut(candidate["text"], document, MAX_BYTES)}
        return document
    if room < 0:
        document = {**document, "text": _cut(document["text"], document, MAX_BYTES)}
        if _size(document) > MAX_BYTES:  # a title longer than the whole budget
            document = {**document, "title": _cut(document["title"], document, MAX_BYTES, "title")}
    return document


def _cut(text: str, document: dict[str, str], limit: int, key: str = "text") -> str:
    """The longest start of ``text`` (ending at a word when it can) for which ``document``
    with it as ``key`` stays within ``limit`` bytes."""
    low, high = 0, len(text)
    while low < high:  # binary search on the number of characters kept
        middle = (low + high + 1) // 2
        if _size({**document, key: text[:middle] + "…"}) <= limit:
            low = middle
        else:
            high = middle - 1
    kept = _PARTIAL_ENTITY.sub("", text[:low])  # never half of an escaped character
    if len(kept) < len(text):
        space = kept.rfind(" ")
        if space > low // 2:
            kept = kept[:space]
        kept = kept.rstrip(" ·,") + "…"
    return kept
