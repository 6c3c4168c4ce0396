"""``netkb build`` on small knowledge bases: what stops it, what it writes, what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import write_kb

from netkb.build.site import build, generate
from netkb.cli import cli

JANE = """\
---
name: Jane Doe
role: CTO
organization: Acme
tags: [golf]
expertise: [hiring]
circle: 2
---

Works with [[ana-lee]], [[Ana Lee]], [[ana-lee|Ana]], [[Acme]] and [[nobody]].
"""
ANA = "---\nname: Ana Lee\norganization: Acme\n---\n"
SECRET = """\
---
name: Secret Agent
email: secret@agency.example
organization: Acme
tags: [golf, spy]
expertise: [hiring, espionage]
circle: 1
private: true
---

Cover story.
"""
ACME = "---\nname: Acme\nwebsite: https://acme.example\n---\n"
SMALL_KB = {"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA, "orgs/acme.md": ACME}


def netkb(root: Path, *args: str):
    """``netkb --kb ROOT ARGS`` in this process; problems are printed relative to ROOT."""
    return CliRunner().invoke(cli, ["--kb", str(root), *args])


def docs(root: Path) -> Path:
    return root / ".netkb" / "docs"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- errors and warnings ----------------------------------------------------------------


def test_errors_stop_the_build_with_the_same_lines_as_check(make_kb, monkeypatch):
    bad = "---\nname: Bad Date\nmet: 2024-02-30\n---\n"
    root = make_kb({"contacts/ana-lee.md": ANA, "contacts/bad.md": bad})
    monkeypatch.chdir(root)
    built = netkb(root, "build")
    checked = netkb(root, "check")
    assert built.exit_code == 1
    assert built.stderr.splitlines() == [
        "contacts/bad.md:3:6: error NK122: met 2024-02-30 is not a real calendar date",
        "Error: not built: 1 error, 0 warnings (see above)",
    ]
    assert checked.stdout.splitlines()[0] == built.stderr.splitlines()[0]
    assert not (root / "site").exists()
    assert not docs(root).exists()


def test_warnings_are_printed_and_the_site_is_built(make_kb, monkeypatch):
    root = make_kb(SMALL_KB)
    monkeypatch.chdir(root)
    result = netkb(root, "build")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "contacts/jane-doe.md:10:68: warning NK141: [[nobody]] names no person or organisation; "
        "use a slug, a name or an alias"
    ]
    assert result.stdout.startswith("Built ")
    assert (root / "site" / "people" / "jane-doe" / "index.html").is_file()


def test_strict_fails_on_warnings(make_kb):
    result = netkb(make_kb(SMALL_KB), "build", "--strict")
    assert result.exit_code == 1
    assert "not built: 0 errors, 1 warning" in result.stderr


def test_a_minimal_mkdocs_yml_is_enough(make_kb):
    """No docs_dir, nav or theme in mkdocs.yml: netkb supplies what its pages need."""
    root = make_kb(SMALL_KB)
    assert "docs_dir" not in (root / "mkdocs.yml").read_text()
    result = build(root)
    assert result.ok
    assert (docs(root) / "index.md").is_file()
    assert (root / "site" / "index.html").is_file()


def test_a_mkdocs_configuration_error_says_what_is_wrong(make_kb):
    config = "site_name: T\ntheme:\n  name: no-such-theme\n"
    result = netkb(make_kb(SMALL_KB, config), "build")
    assert result.exit_code == 1
    assert "Unrecognised theme name: 'no-such-theme'" in result.stderr


def test_generate_accepts_a_relative_path(make_kb, monkeypatch, tmp_path):
    """``generate(Path("kb"))`` from kb's parent writes what ``generate`` of the absolute
    path writes, into kb/.netkb/docs and nowhere else."""
    root = make_kb(SMALL_KB)  # tmp_path/kb
    absolute = generate(write_kb(tmp_path / "absolute", SMALL_KB))
    monkeypatch.chdir(tmp_path)

    result = generate(Path("kb"))
    assert [p.format() for p in result.network.errors] == []
    assert result.stats is not None and absolute.stats is not None
    assert result.stats == absolute.stats
    assert result.stats.written == result.pages + 2 == 27  # 25 pages, the stylesheet, calendar.ics
    assert snapshot(docs(root)) == snapshot(docs(tmp_path / "absolute"))
    assert {"people/jane-doe.md", "people/ana-lee.md", "orgs/acme.md", "index.md"} <= set(
        snapshot(docs(root))
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["absolute", "kb"]


# --- writing only what changed ----------------------------------------------------------


def test_a_second_build_writes_nothing_and_a_deleted_person_disappears(make_kb):
    root = make_kb(SMALL_KB)
    first = build(root)
    assert first.ok and first.stats is not None
    assert first.stats.written == first.pages + 2  # the pages, the stylesheet, calendar.ics
    times = {p: p.stat().st_mtime_ns for p in docs(root).rglob("*.md")}

    html = {p: p.stat().st_mtime_ns for p in (root / "site").rglob("*.html")}
    second = build(root)
    assert second.ok and second.stats is not None
    assert (second.stats.written, second.stats.deleted) == (0, 0)
    assert second.rendered == set()  # nothing changed: no page is even rendered
    assert (second.built, second.pages_built) == (set(), 0)
    assert {p: p.stat().st_mtime_ns for p in docs(root).rglob("*.md")} == times
    assert {p: p.stat().st_mtime_ns for p in html} == html

    (root / "contacts" / "ana-lee.md").unlink()
    third = build(root)
    assert third.ok and third.stats is not None
    assert third.stats.deleted == 1
    assert not (docs(root) / "people" / "ana-lee.md").exists()
    assert not (root / "site" / "people" / "ana-lee").exists()
    assert "Ana Lee" not in (docs(root) / "people.md").read_text()
    assert "people/ana-lee" not in (root / "site" / "search" / "search_index.json").read_text()
    notes = (docs(root) / "people" / "jane-doe.md").read_text().split("## Notes")[1]
    unresolved = '<span class="netkb-unresolved">{}</span>'.format
    assert notes.strip() == (
        '<div class="netkb-notes">\n<p>Works with '
        f"{unresolved('ana-lee')}, {unresolved('Ana Lee')}, {unresolved('Ana')}, "
        '<a href="../../orgs/acme/" rel="noopener noreferrer">Acme</a> and '
        f"{unresolved('nobody')}.</p>\n</div>"
    )


# --- templates and links ----------------------------------------------------------------


def test_a_kb_template_overrides_the_packaged_one(make_kb):
    template = "---\ntitle: {{ p.name | yaml }}\n---\n\n# Custom page for {{ p.name }}\n"
    root = make_kb({**SMALL_KB, "templates/person.md.j2": template})
    result = build(root)
    assert result.ok
    assert (docs(root) / "people" / "jane-doe.md").read_text() == (
        '---\ntitle: "Jane Doe"\n---\n\n# Custom page for Jane Doe\n'
    )
    # the other pages keep netkb's own templates
    link = '<a href="../../people/jane-doe/">Jane Doe</a>'  # directory URLs: from orgs/acme/
    assert link in (docs(root) / "orgs" / "acme.md").read_text()
    html = (root / "site" / "people" / "jane-doe" / "index.html").read_text()
    assert "Custom page for Jane Doe" in html


def test_wikilinks_become_links_and_unresolved_ones_plain_text(make_kb):
    root = make_kb(SMALL_KB)
    result = build(root)
    assert result.ok
    page = (docs(root) / "people" / "jane-doe.md").read_text()
    ana = '<a href="../../people/ana-lee/" rel="noopener noreferrer">{}</a>'.format
    assert (
        f"<p>Works with {ana('Ana Lee')}, {ana('Ana Lee')}, {ana('Ana')}, "
        '<a href="../../orgs/acme/" rel="noopener noreferrer">Acme</a> and '
        '<span class="netkb-unresolved">nobody</span>.</p>'
    ) in page
    html = (root / "site" / "people" / "jane-doe" / "index.html").read_text()
    assert '<a href="../../people/ana-lee/" rel="noopener noreferrer">Ana</a>' in html
    assert "[[" not in html


def test_a_private_person_gets_no_page_and_is_in_no_index(make_kb):
    root = make_kb({**SMALL_KB, "contacts/secret-agent.md": SECRET})
    result = generate(root)
    assert not result.network.errors
    assert not (docs(root) / "people" / "secret-agent.md").exists()
    for page in docs(root).rglob("*.md"):
        text = page.read_text()
        for secret in ("Secret Agent", "secret-agent", "agency.example", "spy", "espionage"):
            assert secret not in text, f"{secret!r} in {page.relative_to(docs(root))}"
    assert not (docs(root) / "tags" / "spy.md").exists()
    assert "Secret" not in (docs(root) / "circles" / "1.md").read_text()


def test_page_titles_are_escaped_text(make_kb):
    """Themes print a page's title as HTML (<title>, header, search results)."""
    name = 'Eve <img src=x onerror="alert(1)"> & Co'
    root = make_kb({"contacts/eve.md": f"---\nname: '{name}'\norganization: <b>Org</b>\n---\n"})
    generate(root)
    for page, expected in (("people/eve.md", name), ("orgs/b-org-b.md", "<b>Org</b>")):
        text = (docs(root) / page).read_text()
        title = yaml.safe_load(text.split("---\n")[1])["title"]
        assert "<" not in title and ">" not in title
        assert (
            title.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", '"')
            .replace("&amp;", "&")
            == expected
        )


# --- folders netkb will not use ---------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("docs_dir: contacts", "docs_dir 'contacts' overlaps contacts"),
        ("site_dir: contacts", "site_dir 'contacts' overlaps contacts"),
        ("docs_dir: contacts/pages", "docs_dir 'contacts/pages' overlaps contacts"),
        ("site_dir: log", "site_dir 'log' overlaps log"),
        ("docs_dir: .", "docs_dir '.' must be a folder inside the knowledge base"),
        ("site_dir: ../elsewhere", "site_dir '../elsewhere' must be a folder inside"),
        ("docs_dir: .netkb", "docs_dir '.netkb' overlaps .netkb/overrides"),
    ],
)
def test_docs_and_site_dir_must_not_overlap_the_sources(make_kb, setting, message):
    root = make_kb({**SMALL_KB, "log/lunch.md": "---\ndate: 2026-01-02\nwith: [ana-lee]\n---\n"})
    (root / "mkdocs.yml").write_text(f"site_name: T\n{setting}\n")
    before = snapshot(root)
    result = netkb(root, "build")
    assert result.exit_code == 1
    assert message in result.stderr
    assert snapshot(root) == before  # nothing written, nothing deleted
    assert not (root.parent / "elsewhere").exists()


def test_a_docs_dir_with_files_netkb_did_not_make_is_refused(make_kb):
    root = make_kb({**SMALL_KB, "notes/mine.md": "my own notes\n"})
    (root / "mkdocs.yml").write_text("site_name: T\ndocs_dir: notes\n")
    result = netkb(root, "build")
    assert result.exit_code == 1
    assert "holds files netkb did not generate" in result.stderr
    assert snapshot(root / "notes") == {"mine.md": b"my own notes\n"}


# --- the one render path (build and serve) ------------------------------------------------


def test_the_render_path_renders_only_what_it_is_asked_for(make_kb):
    """``netkb serve`` asks the same Generator as ``netkb build`` for a few pages: those
    come out as the full render makes them, and every page of the site is still listed."""
    from netkb.build.site import Generator
    from netkb.render.urls import SUMMARIES, person_page

    generator = Generator(make_kb(SMALL_KB))
    facts = generator.link(generator.load())
    everything = generator.render(facts)
    some = generator.render(facts, only={person_page("jane-doe")})
    assert some.paths == everything.paths == set(everything.pages)
    assert person_page("ana-lee") in everything.pages
    assert person_page("jane-doe") in some.pages
    assert person_page("ana-lee") not in some.pages
    assert set(SUMMARIES) <= set(some.pages)  # the pages that summarise every record
    assert all(some.pages[path] == everything.pages[path] for path in some.pages)
