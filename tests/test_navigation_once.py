"""Material's navigation is made once per folder for pages outside it, and the partials
that show nothing of a page once per folder for every page
(``builder._theme_parts_once``): the site is the same, byte for byte, as when every page
renders it."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import jinja2.runtime
import pytest

import netkb.build.builder as builder_module
from netkb.build.generate import theme_overrides
from netkb.build.site import build
from tests.conftest import MINIMAL_CONFIG, copy_demo, write_kb


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def both_ways(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    """The site built with the navigation made once per folder, and made for every page."""
    other = shutil.copytree(root, root.parent / "every-page")
    assert build(root, clean=True).ok
    monkeypatch.setattr(builder_module, "NAV_ONCE", False)
    assert build(other, clean=True).ok
    return tree(root / "site"), tree(other / "site")


def person(name: str) -> str:
    return f"---\nname: {name}\ncircle: 2\n---\nNotes on {name}.\n"


PEOPLE = {f"contacts/p{i}.md": person(f"Person {i}") for i in range(6)}


def with_features(features: str, nav: str) -> str:
    """mkdocs.yml with Material's ``features`` (as YAML list items) and the ``nav`` lines."""
    return MINIMAL_CONFIG + (
        f"use_directory_urls: false\ntheme:\n  name: material\n  features: [{features}]\n"
        f"nav:\n{nav}"
    )


def test_the_demo_site_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    once, every = both_ways(copy_demo(tmp_path / "demo"), monkeypatch)
    assert len([p for p in once if p.startswith("people/")]) > 20
    assert once == every


def test_directory_urls_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_kb(tmp_path / "kb", PEOPLE, MINIMAL_CONFIG + "use_directory_urls: true\n")
    once, every = both_ways(root, monkeypatch)
    assert "people/p1/index.html" in once
    assert once == every


def test_a_nav_that_lists_a_person_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = MINIMAL_CONFIG + (
        "use_directory_urls: false\nnav:\n  - Home: index.md\n  - People: people.md\n"
        "  - Favourite: people/p1.md\n  - Team:\n    - Person 2: people/p2.md\n"
    )
    root = write_kb(tmp_path / "kb", PEOPLE, config)
    once, every = both_ways(root, monkeypatch)
    page = once["people/p3.html"].decode()
    assert 'href="p1.html"' in page  # the navigation's link from a page of the same folder
    assert 'href="people/p1.html"' in once["index.html"].decode()  # and from the top folder
    # The listed page marks itself as current; a page outside the navigation marks none.
    assert "md-nav__link--active" in once["people/p1.html"].decode()
    assert "md-nav__link--active" not in page
    assert once == every


def test_the_folder_partials_are_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = builder_module._OnceLoader.get_source

    def recording(self, environment, template):  # type: ignore[no-untyped-def]
        if template.startswith(builder_module.THEME_OWN):
            made.append(template[len(builder_module.THEME_OWN) :])
        return real(self, environment, template)

    monkeypatch.setattr(builder_module._OnceLoader, "get_source", recording)
    root = write_kb(tmp_path / "kb", PEOPLE, MINIMAL_CONFIG + "use_directory_urls: false\n")
    assert build(root, clean=True, workers=1).ok
    # Jinja compiles each once; the theme's own source is read for the pages' folders.
    for partial in ("partials/search.html", "partials/logo.html", "partials/nav.html"):
        assert partial in made
    page = (root / "site/people/p1.html").read_text(encoding="utf-8")
    assert 'class="md-search"' in page and 'data-md-component="logo"' in page


def blocks_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the theme's blocks rendered from now on (each time ``super()`` runs)."""
    rendered: list[str] = []
    real = jinja2.runtime.BlockReference.__call__

    def counting(self: jinja2.runtime.BlockReference) -> object:
        rendered.append(self.name)
        return real(self)

    monkeypatch.setattr(jinja2.runtime.BlockReference, "__call__", counting)
    return rendered


def test_the_folder_blocks_are_made_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = blocks_rendered(monkeypatch)
    root = write_kb(tmp_path / "kb", PEOPLE, MINIMAL_CONFIG + "use_directory_urls: false\n")
    assert build(root, clean=True, workers=1).ok
    pages = list((root / "site").rglob("*.html"))
    folders = {page.parent for page in pages}
    assert len(pages) > len(folders) + 6
    # Material's own blocks (netkb's main.html calls them with super()): once per folder,
    # and for 404.html (no page); the footer also for each page of the navigation.
    for block in ("styles", "config"):
        assert 1 <= rendered.count(block) <= len(folders) + 1, block
    people = [page for page in pages if page.parent.name == "people"]
    assert len(people) == 6
    assert rendered.count("footer") <= len(pages) - len(people) + 1
    page = (root / "site/people/p1.html").read_text(encoding="utf-8")
    assert '<script id="__config"' in page and 'class="md-footer"' in page


def test_a_footer_with_neighbours_in_the_navigation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_features(
        "navigation.footer",
        "  - Home: index.md\n  - People: people.md\n  - Person 1: people/p1.md\n"
        "  - Person 2: people/p2.md\n",
    )
    root = write_kb(tmp_path / "kb", PEOPLE, config)
    once, every = both_ways(root, monkeypatch)
    listed = once["people/p1.html"].decode()
    assert "md-footer__link--prev" in listed and "md-footer__link--next" in listed
    assert "md-footer__link" not in once["people/p3.html"].decode()  # outside the navigation
    assert once == every


KB_THEME = (
    MINIMAL_CONFIG + "use_directory_urls: false\ntheme:\n  name: material\n  custom_dir: theme\n"
)


@pytest.mark.parametrize(
    ("partial", "markup"),
    [
        ("partials/nav.html", '<nav class="mine">{}</nav>'),
        ("partials/search.html", '<div class="mine">{}</div>'),  # a partial made per folder
        ("partials/footer.html", '<footer class="mine">{}</footer>'),  # in a block made so
    ],
)
def test_a_partial_of_the_kb_is_rendered_for_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partial: str, markup: str
) -> None:
    files = {
        **PEOPLE,
        "theme/main.html": theme_overrides()["main.html"],  # the KB's theme keeps netkb's
        f"theme/{partial}": markup.format("{{ page.title | e }}") + "\n",
    }
    root = write_kb(tmp_path / "kb", files, KB_THEME)
    once, every = both_ways(root, monkeypatch)
    for number in (1, 2):
        assert markup.format(f"Person {number}") in once[f"people/p{number}.html"].decode()
    assert once == every


def test_the_header_is_made_once_per_folder_with_each_page_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The header shows a page's title (escaped by netkb: names are hostile), and with
    # sticky tabs the navigation's sections, the current one marked for a listed page.
    shown = {  # name: as the header shows it
        "Zoë & <b>Bold</b> Müller": "Zoë &amp; &lt;b&gt;Bold&lt;/b&gt; Müller",
        'Quote "Marks" O\'Brien': "Quote &quot;Marks&quot; O&#x27;Brien",
        "Stand-in " + builder_module.STAND_IN_TITLES[0]: "Stand-in "
        + builder_module.STAND_IN_TITLES[0],
        "Person 3": "Person 3",
        "Plain Name": "Plain Name",
    }
    files = {f"contacts/h{i}.md": person(name) for i, name in enumerate(shown)}
    config = with_features(
        "navigation.tabs, navigation.tabs.sticky",
        "  - Home: index.md\n  - People: people.md\n  - Listed: people/h3.md\n",
    )
    root = write_kb(tmp_path / "kb", files, config)
    rendered = blocks_rendered(monkeypatch)
    assert build(root, clean=True, workers=1).ok
    header_renders = rendered.count("header")
    once, every = both_ways(root, monkeypatch)
    assert once == every
    people = {p: once[p].decode() for p in once if p.startswith("people/")}
    assert len(people) == len(shown)
    headers = [
        page.split('<header class="md-header')[1].split("</header>")[0] for page in people.values()
    ]
    for name, escaped in shown.items():
        assert sum(escaped in header for header in headers) == 1, name
    assert all('class="md-tabs"' in header for header in headers)
    active = [path for path, page in people.items() if "md-tabs__item--active" in page]
    assert active == ["people/h3.html"]  # the listed page: its section's tab is current
    plain = next(page for page in people.values() if "<title>Plain Name" in page)
    assert builder_module.STAND_IN_TITLES[0] not in plain
    # Made once per folder (and for the listed page, and the name holding the stand-in).
    pages = len(once) - len([p for p in once if not p.endswith(".html")])
    assert header_renders <= pages - len(people) + 3


def test_translations_are_made_once_in_the_site_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = jinja2.Template.make_module

    def recording(self, vars=None, shared=False, locals=None):  # type: ignore[no-untyped-def]
        made.append(self.name or "")
        return real(self, vars, shared, locals)

    monkeypatch.setattr(jinja2.Template, "make_module", recording)
    config = (
        MINIMAL_CONFIG + "use_directory_urls: false\ntheme:\n  name: material\n  language: de\n"
    )
    root = write_kb(tmp_path / "kb", PEOPLE, config)
    assert build(root, clean=True, workers=1).ok
    # Once for every page (and once for each search language Material's plugin sets up).
    first = made.count(builder_module.LANGUAGE_PARTIAL)
    assert first <= 4
    once, every = both_ways(root, monkeypatch)
    assert once == every
    pages = len([p for p in once if p.endswith(".html")])
    assert made.count(builder_module.LANGUAGE_PARTIAL) - 2 * first >= pages  # page by page
    assert 'aria-label="Suche"' in once["people/p1.html"].decode()  # German


def test_a_site_name_holding_the_stand_in_title_gets_every_header_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = builder_module.STAND_IN_TITLES[0]
    config = MINIMAL_CONFIG.replace("Test network", f"Net {stand_in}") + (
        "use_directory_urls: false\n"
    )
    root = write_kb(tmp_path / "kb", PEOPLE, config)
    once, every = both_ways(root, monkeypatch)
    assert once == every
    for number in range(6):
        page = once[f"people/p{number}.html"].decode()
        header = page.split('<header class="md-header')[1].split("</header>")[0]
        assert f"Person {number}" in header and f"Net {stand_in}" in header


def headed(name: str, extra: str = "", notes: str = "Notes.") -> str:
    return f"---\nname: {name}\ncircle: 2\n{extra}---\n{notes}\n"


# Person pages whose tables of contents are the same (the first three: a timeline and
# notes), or differ: no notes, an id made unique (a person named "Timeline"), more
# sections (introductions, other fields). Headings inside notes are part of the notes'
# HTML block, not of the table of contents.
HEADED = {
    "contacts/ann.md": headed("Ann", notes="## Ideas\n\nOne."),
    "contacts/bob.md": headed("Bob", notes="## Plans\n\nTwo."),
    "contacts/cy.md": headed("Cy"),
    "contacts/di.md": headed("Di", notes=""),
    "contacts/tim.md": headed("Timeline"),
    "contacts/flo.md": headed("Flo", "introduced_by: gus\n"),
    "contacts/gus.md": headed("Gus", "hobby: chess\n"),
}


def toc_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the theme's table of contents is made for through ``netkb_once``."""
    rendered: list[str] = []
    real = jinja2.Template.new_context

    def counting(self: jinja2.Template, *args: object, **kwargs: object) -> object:
        if self.name == builder_module.THEME_OWN + builder_module.TOC_PARTIAL:
            page = (args[0] if args else kwargs["vars"])["page"]  # type: ignore[index]
            rendered.append(page.file.src_uri if page is not None else "(no page)")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Template, "new_context", counting)
    return rendered


def test_each_table_of_contents_is_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = toc_renders(monkeypatch)
    root = write_kb(tmp_path / "kb", HEADED, MINIMAL_CONFIG + "use_directory_urls: false\n")
    once, every = both_ways(root, monkeypatch)
    assert once == every
    # Made through netkb_once in the first build only (the second renders it as a plain
    # include): one of Ann, Bob and Cy has theirs made, which serves the other two.
    made = [page for page in rendered if page.startswith("people/")]
    assert len(made) == len(set(made)) == 5, made
    assert len(set(made) & {"people/ann.md", "people/bob.md", "people/cy.md"}) == 1
    assert {"people/di.md", "people/tim.md", "people/flo.md", "people/gus.md"} <= set(made)

    def toc(slug: str) -> str:
        page = once[f"people/{slug}.html"].decode()
        return page.split('data-md-type="toc"')[1].split("</nav>")[0]

    assert 'href="#notes"' in toc("bob") and 'href="#notes"' not in toc("di")
    assert 'href="#timeline_1"' in toc("tim") and 'href="#timeline"' not in toc("tim")
    assert 'href="#introductions"' in toc("flo") and 'href="#other-fields"' in toc("gus")


def test_an_integrated_table_of_contents_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_features(
        "toc.integrate", "  - Home: index.md\n  - Ann: people/ann.md\n  - People: people.md\n"
    )
    root = write_kb(tmp_path / "kb", HEADED, config)
    once, every = both_ways(root, monkeypatch)
    assert 'href="#notes"' in once["people/ann.html"].decode()
    assert once == every
