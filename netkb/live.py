"""Keep a built site in step with edits: reload what changed, re-render what depends on it.

``netkb serve`` calls ``LiveSite.update(changed_paths)`` after each burst of saves.
Parsed files are cached (only changed files are read again), the network is
re-linked, and only the pages whose content can depend on the changed records
are rendered, written and handed to the warm MkDocs session. A file that no
longer parses keeps its last good record, so its page stays and gains a banner.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from slugify import slugify

from netkb.builder import OVERRIDES_DIR, MkDocsSession
from netkb.derive import Facts, derive
from netkb.generate import support_files, sync_folder, theme_overrides, write_files
from netkb.history import last_updated
from netkb.links import find_wikilinks, name_key
from netkb.loader import CONFIG, PEOPLE_DIR, FileCache, load
from netkb.problems import Problem, Severity
from netkb.render import SiteRenderer
from netkb.site import owned_folder

# Pages that summarise the whole network: rendered again after every edit.
ALWAYS = ("index.md", "people.md", "organisations.md", "tags.md", "expertise.md", "circles.md")


@dataclass
class Update:
    """What one update did, for the terminal and the tests."""

    problems: list[Problem]
    rendered: int = 0
    written: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    seconds: float = 0.0


class LiveSite:
    """A KB's site kept up to date in memory and on disk."""

    def __init__(self, root: Path, session: MkDocsSession | None = None) -> None:
        self.root = root.resolve()
        self.cache = FileCache(keep_last_good=True)
        self.session = session or MkDocsSession(self.root / CONFIG)
        self.facts: Facts | None = None
        self.paths: set[str] = set()
        self.updated = last_updated(self.root)  # git dates: read once, not on every save
        self.docs_dir = self.root / ".netkb" / "docs"

    def _render(self, only: set[str] | None, prefixes: tuple[str, ...] = ()) -> tuple:
        network = load(self.root, self.cache)
        self.docs_dir = owned_folder(self.root, network.settings.docs_dir, "docs_dir")
        facts = derive(network, updated=self.updated)

        def wanted(path: str) -> bool:
            return only is None or path in only or path.startswith(prefixes)

        renderer = SiteRenderer(facts, self.root / "templates", only=wanted)
        pages = renderer.pages()
        _add_banners(pages, facts, network.errors)
        return facts, renderer.all_paths, pages

    def build(self) -> Update:
        """Everything from scratch: load, render every page, full MkDocs build."""
        started = time.perf_counter()
        facts, paths, pages = self._render(None)
        files = {path: text.encode("utf-8") for path, text in pages.items()}
        files.update(support_files())
        sync_folder(self.docs_dir, files)
        sync_folder(self.root / OVERRIDES_DIR, theme_overrides())
        self.session.full_build()
        self.facts, self.paths = facts, paths
        return Update(
            list(facts.network.problems),
            rendered=len(pages),
            written=set(pages),
            seconds=time.perf_counter() - started,
        )

    def update(self, changed: Iterable[Path]) -> Update:
        """Bring the site up to date after ``changed`` files were written or deleted."""
        started = time.perf_counter()
        changed = {Path(p).resolve() for p in changed}
        if self.facts is None or any(_is_setup(self.root, p) for p in changed):
            return self.build()
        old = self.facts
        only, prefixes = self._affected_by(old, changed)
        facts, paths, pages = self._render(only, prefixes)
        only2, prefixes2 = self._affected_by(facts, changed)
        if only2 - only or set(prefixes2) - set(prefixes):
            # The new version of the records reaches pages the old one did not.
            facts, paths, pages = self._render(only | only2, (*prefixes, *prefixes2))
        written = write_files(self.docs_dir, {p: t.encode("utf-8") for p, t in pages.items()})
        removed = self.paths - paths
        for path in removed:
            (self.docs_dir / path).unlink(missing_ok=True)
        if written or removed:
            self.session.update(written, removed)
        self.facts, self.paths = facts, paths
        return Update(
            list(facts.network.problems),
            rendered=len(pages),
            written=written,
            removed=removed,
            seconds=time.perf_counter() - started,
        )

    def _affected_by(self, facts: Facts, changed: set[Path]) -> tuple[set[str], tuple[str, ...]]:
        """Pages whose content can depend on the records in ``changed`` files (per ``facts``)."""
        network = facts.network
        people = {s for s, p in network.people.items() if p.source.path in changed}
        orgs = {s for s, o in network.organisations.items() if o.source.path in changed}
        interactions = [i for i in network.interactions if i.source.path in changed]
        # A contact file that is new or deleted may be missing from these facts.
        people |= {p.stem for p in changed if (self.root / PEOPLE_DIR) in p.parents}
        pages: set[str] = set(ALWAYS)
        pages.add("journal.md")
        months = {i.date.strftime("%Y-%m") for i in interactions}
        prefixes: list[str] = []
        touched = set(people)
        index = facts.index
        for slug in people:
            person = network.people.get(slug)
            if person is not None:
                for _, targets in person.relations:
                    touched.update(index.person(t) or "" for t in targets)
                if person.introduced_by:
                    touched.add(index.person(person.introduced_by) or "")
                for link in find_wikilinks(person.body):
                    touched.update(index.resolve(link.target).slugs)
                letter = name_key(person.name)[:1].lower()
                pages.add(f"letters/{letter if 'a' <= letter <= 'z' else 'other'}.md")
                pages.add(f"circles/{person.circle or 0}.md")
                for tag in person.tags:
                    prefixes.append(f"tags/{slugify(tag, max_length=80)}")
                for topic in person.expertise:
                    prefixes.append(f"expertise/{slugify(topic, max_length=80)}")
            touched.update(s for _, s in facts.inverse.get(slug, []))
            touched.update(facts.introduced.get(slug, []))
            touched.update(s for kind, s in facts.mentions.get(slug, []) if kind == "person")
            for interaction in facts.interactions.get(slug, []):
                touched.update(index.person(s) or "" for s in interaction.with_)
                months.add(interaction.date.strftime("%Y-%m"))
            if slug in facts.person_org:
                pages.add(f"orgs/{facts.person_org[slug]}.md")
        for interaction in interactions:
            touched.update(index.person(s) or "" for s in interaction.with_)
        for slug in orgs:
            pages.add(f"orgs/{slug}.md")
            if slug in facts.organisations:
                touched.update(facts.organisations[slug].people)
        pages.update(f"people/{slug}.md" for slug in touched if slug)
        pages.update(f"journal/{month}.md" for month in months)
        return pages, tuple(prefixes)


def _is_setup(root: Path, path: Path) -> bool:
    """A change to mkdocs.yml or a template changes every page."""
    return path == root / CONFIG or (root / "templates") in path.parents


def _add_banners(pages: dict[str, str], facts: Facts, errors: Iterable[Problem]) -> None:
    """A visible banner on the page of each record whose file has errors, until it is fixed."""
    by_page: dict[str, list[Problem]] = {}
    network = facts.network
    paths = {p.source.path: f"people/{s}.md" for s, p in network.people.items()}
    paths.update({o.source.path: f"orgs/{s}.md" for s, o in network.organisations.items()})
    for problem in errors:
        if problem.severity != Severity.ERROR:
            continue
        by_page.setdefault(paths.get(problem.path, "index.md"), []).append(problem)
    for page, problems in by_page.items():
        if page in pages:
            pages[page] = _with_banner(pages[page], problems, network.root)


def _with_banner(text: str, problems: list[Problem], root: Path) -> str:
    from netkb import escape

    lines = "\n".join(f"    - {escape.text(p.format(root))}" for p in problems[:20])
    banner = (
        '!!! failure "This page shows the last good version: a file has errors"\n\n'
        f"{lines}\n\n    Fix the file and save it; this page updates by itself.\n\n"
    )
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            head, rest = text[: end + 5], text[end + 5 :]
            # After the first heading, so the page title stays on top.
            title_end = rest.find("\n", rest.find("# ")) + 1 if "# " in rest else 0
            return head + rest[:title_end] + "\n" + banner + rest[title_end:]
    return banner + text
