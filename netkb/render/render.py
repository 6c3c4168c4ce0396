"""Render the site's Markdown pages from the linked network: the page families in turn.

Each family (``record_pages``, ``index_pages``, ``network_pages``, ``map_pages``) gets
the same ``PageContext`` (facts, settings, template environment, links) and returns
``{path: Markdown}``; ``render_pages`` runs them one after the other, as pelican runs
its generators. None of them holds a pointer back to this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import jinja2

from netkb.core import clock
from netkb.core.parallel import in_forks
from netkb.core.records import Person
from netkb.link.derive import Facts
from netkb.render.index_pages import home_page, index_pages, journal_pages
from netkb.render.map_pages import map_pages
from netkb.render.network_pages import Work, dashboard, network_pages
from netkb.render.page_context import PageContext, environment
from netkb.render.record_pages import record_pages
from netkb.render.urls import person_page

# Fewer person pages than this are rendered in this process: forking costs more.
PARALLEL_FROM = 400
SHARE = 250  # person pages a worker renders at a time
# Person pages rendered here before the workers start: enough to work out what every
# person page needs, no more (this process is alone on the machine meanwhile).
FIRST = 50


class Pages(dict[str, str]):
    """Pages by path; ``apart``: the pages forked workers wrote themselves (``write``),
    each with whether writing it changed the file on disk."""

    apart: dict[str, bool]

    def __init__(self, pages: dict[str, str], apart: dict[str, bool] | None = None) -> None:
        super().__init__(pages)
        self.apart = apart or {}


def render_pages(
    context: PageContext,
    work: Work | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    also: Callable[[], None] | None = None,
    write: Callable[[dict[str, str]], set[str]] | None = None,
) -> Pages:
    """Every page of the site by path relative to the docs folder.

    ``work``: the network as the working pages draw it; None leaves those pages out.
    Pages of one record each (people, organisations, letters, tags, months, maps) are
    rendered when ``context.only`` wants them; the summaries always are. Every path
    goes into ``context.all_paths``. ``workers`` > 1: person pages are rendered in forked
    processes while this one renders the rest and runs ``also`` (the same pages, in the
    same order, as one process renders them). With ``write``, a worker hands the pages
    it rendered to ``write(pages)`` (which returns the paths whose file it changed)
    instead of sending them back: they are in the result's ``apart``, not in it.
    """
    people = context.sorted_people(context.public.values())
    wanted = [p for p in people if context.only(person_page(p.slug))]
    if workers <= 1 or len(wanted) < PARALLEL_FROM:
        pages = _render_all(context, work, progress)
        if also is not None:
            also()
        return Pages(pages)
    shares = [wanted[:FIRST]]
    shares += [wanted[i : i + SHARE] for i in range(FIRST, len(wanted), SHARE)]
    delegated = {person_page(p.slug) for p in wanted}
    wants = context.only

    def share_pages(share: list[Person]) -> dict[str, str]:  # in a worker: its own context
        context.only = {person_page(p.slug) for p in share}.__contains__
        return record_pages(context, people=share)  # no organisation is in ``only``

    def share_written(share: list[Person]) -> dict[str, bool]:  # in a worker: written there
        assert write is not None
        pages = share_pages(share)
        changed = write(pages)
        return {path: path in changed for path in pages}

    def the_rest() -> dict[str, str]:
        context.only = lambda path: path not in delegated and wants(path)
        pages = _render_all(context, work)
        if also is not None:
            also()
        return pages

    def finished(number: int) -> None:
        if progress is not None:
            progress(min(FIRST + number * SHARE, len(wanted)), len(wanted))

    try:
        # The first share here: what every person page needs (timelines, mentions, the
        # compiled templates…) is worked out once, before the workers inherit it.
        first = share_pages(shares[0])
        finished(0)
        results, rest = in_forks(
            share_pages if write is None else share_written,
            shares[1:],
            workers,
            meanwhile=the_rest,
            done=finished,
        )
    finally:
        context.only = wants
    if write is None:
        rendered = {path: text for result in [first, *results] for path, text in result.items()}
        apart: dict[str, bool] = {}
    else:
        rendered, apart = first, {path: w for result in results for path, w in result.items()}
    order = (person_page(p.slug) for p in people)
    pages = Pages({path: rendered[path] for path in order if path in rendered}, apart)
    pages.update(rest or {})
    return pages


def _render_all(
    context: PageContext,
    work: Work | None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, str]:
    pages = record_pages(context, progress)
    pages.update(index_pages(context))
    pages.update(journal_pages(context))
    if work is not None:
        pages.update(network_pages(context, work))
        pages.update(map_pages(context, work))
    pages.update(home_page(context, dashboard(context) if work is not None else None))
    context.all_paths.update(pages)
    return pages


class SiteRenderer:
    """Turns Facts into ``{relative path: Markdown}`` for every page of the site.

    ``only(path)`` false: the page is listed in ``all_paths`` but not rendered (``netkb
    serve`` re-renders just the pages an edit touched). ``today``: count as of this day
    instead of ``facts.today``. ``working=False`` leaves out the pages about working the
    network (the benchmark compares both).
    """

    def __init__(
        self,
        facts: Facts,
        kb_templates: Path | None = None,
        only: Callable[[str], bool] | None = None,
        today: dt.date | None = None,
        working: bool = True,
    ) -> None:
        self.facts = facts if today is None else facts.as_of(clock.today(today))
        self.only = only or (lambda path: True)
        self.working = working
        self.all_paths: set[str] = set()
        self.env: jinja2.Environment = environment(kb_templates)  # serve may swap it

    @cached_property
    def work(self) -> Work | None:
        """The network as the working pages and maps draw it (None: not ``working``)."""
        return Work(self.facts) if self.working else None

    def _context(self) -> PageContext:
        return PageContext(self.facts, self.env, self.only, self.working, self.all_paths)

    def pages(
        self,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
        also: Callable[[], None] | None = None,
        write: Callable[[dict[str, str]], set[str]] | None = None,
    ) -> Pages:
        """Every page of the site; ``progress(done, total)`` while person pages render;
        ``workers``: processes that render person pages, while this one renders the
        others and runs ``also``; ``write``: see ``render_pages``."""
        return render_pages(self._context(), self.work, progress, workers, also, write)

    def record_pages(self, progress: Callable[[int, int], None] | None = None) -> dict[str, str]:
        """The pages of people and organisations that ``only`` wants (no summary pages)."""
        return record_pages(self._context(), progress)
