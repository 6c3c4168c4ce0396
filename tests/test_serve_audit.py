"""``netkb serve`` audits every page it builds, as ``netkb build`` does: a record's page
that breaks the privacy rules is withheld before the browser can load it, a site whose
theme leaks is removed, and the terminal says what and why (``site.guard_site``)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_audit import ANA, CONFIG, EVIL, JANE

import netkb.build.site as site_module
from netkb.build.audit import audit_site
from netkb.build.builder import BuildError, LiveReload
from netkb.build.site import build
from netkb.cli import cli
from netkb.commands.serve import _report
from netkb.serve.live import LiveSite, SiteUpdate
from netkb.serve.server import PreviewServer, removed_page

# A page template of the KB's own that leaks on the page of a person whose role says so.
LEAKY_ROLE = (
    '---\ntitle: {{ p.name | yaml }}\n---\n\n# {{ p.name }}\n\n{% if p.role == "leaky" %}'
    '<img src="https://evil.example/{{ p.slug }}.png">{% endif %}\n'
)
TRACKER = "\nextra_javascript:\n  - https://cdn.evil.example/tracker.js\n"


def recorded_pages(root: Path) -> dict[str, str]:
    """The digests the builder recorded of the built pages (what the next build trusts)."""
    path = root / ".netkb" / "build" / "pages.json"
    return json.loads(path.read_text())["pages"] if path.is_file() else {}


def test_a_leaky_record_page_is_withheld_and_the_rest_is_served(make_kb) -> None:
    jane = JANE.replace("name: Jane Doe\n", "name: Jane Doe\nrole: leaky\n")
    files = {"contacts/jane-doe.md": jane, "contacts/ana-lee.md": ANA}
    root = make_kb({**files, "templates/person.md.j2": LEAKY_ROLE}, CONFIG)
    site = LiveSite(root)
    update = site.build()
    assert [f.format(root) for f in update.findings] == [
        "site/people/jane-doe.html (from contacts/jane-doe.md): loads from another host: "
        '<img src="https://evil.example/jane-doe.png">'
    ]
    assert update.withheld == [root / "site" / "people" / "jane-doe.html"]
    assert not update.site_deleted and site.facts is not None
    withheld = (root / "site" / "people" / "jane-doe.html").read_text()
    assert "Page withheld" in withheld and EVIL not in withheld
    assert "Ana Lee" in (root / "site" / "people" / "ana-lee.html").read_text()
    assert audit_site(root / "site") == []
    # The next build does not trust the page: it builds (and audits) it again.
    recorded = recorded_pages(root)
    assert "people/ana-lee.html" in recorded and "people/jane-doe.html" not in recorded


def test_an_edit_that_leaks_is_withheld_before_the_browser_sees_it(make_kb) -> None:
    jane = JANE.replace("name: Jane Doe\n", "name: Jane Doe\nrole: fine\n")
    files = {"contacts/jane-doe.md": jane, "contacts/ana-lee.md": ANA}
    root = make_kb({**files, "templates/person.md.j2": LEAKY_ROLE}, CONFIG)
    site = LiveSite(root)
    assert site.build().findings == []
    page = root / "site" / "people" / "jane-doe.html"
    assert "Jane Doe" in page.read_text()
    source = root / "contacts" / "jane-doe.md"
    source.write_text(jane.replace("role: fine", "role: leaky"))
    published: list[tuple[SiteUpdate, str]] = []
    update = site.update(
        [source], publish=lambda early: published.append((early, page.read_text()))
    )
    # The first phase (the edited record's page) is audited before it is published.
    ((early, shown),) = published
    assert early.early and [f.path for f in early.findings] == [page]
    assert "Page withheld" in shown and EVIL not in shown
    assert EVIL not in page.read_text()
    assert update.findings == [] and not update.site_deleted  # the second phase kept it so
    assert "people/jane-doe.html" not in recorded_pages(root)
    # Fixed: the page is built again and shown.
    source.write_text(jane)
    fixed = site.update([source])
    assert fixed.findings == []
    assert "Jane Doe" in page.read_text() and "Page withheld" not in page.read_text()
    assert "people/jane-doe.html" in recorded_pages(root)


def test_a_theme_that_leaks_removes_the_site_until_mkdocs_yml_is_fixed(make_kb) -> None:
    root = make_kb({"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA}, CONFIG + TRACKER)
    site = LiveSite(root)
    update = site.build()
    assert update.site_deleted and site.site_deleted
    assert len(update.findings) > 5
    assert all("tracker.js" in f.message for f in update.findings)
    assert not (root / "site").exists()
    assert site.facts is None  # the next change builds everything again
    assert recorded_pages(root) == {}
    # netkb build says the same about the same site: it removes it too.
    assert CliRunner().invoke(cli, ["--kb", str(root), "build"]).exit_code == 1
    assert not (root / "site").exists()
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace(TRACKER, "\n"))
    fixed = site.update([config])
    assert fixed.findings == [] and not fixed.site_deleted and not site.site_deleted
    assert "Jane Doe" in (root / "site" / "people" / "jane-doe.html").read_text()
    assert audit_site(root / "site") == []


def test_the_browser_is_told_the_site_was_removed(make_kb) -> None:
    root = make_kb({"contacts/jane-doe.md": JANE}, CONFIG + TRACKER)
    site = LiveSite(root)
    site.build()
    server = PreviewServer(site, "127.0.0.1", 0, watcher=lambda root, record: None)
    page = server._missing(404)
    assert page == removed_page()
    assert b"privacy rules" in page and b"mkdocs.yml" in page
    assert b'http-equiv="refresh"' in page  # it looks again: a fix shows the site
    assert b"tracker" not in page and EVIL.encode() not in page  # findings: the terminal's
    assert server._missing(500) is None


@pytest.mark.parametrize("deleted", [False, True])
def test_the_terminal_says_what_was_withheld_or_removed(make_kb, capsys, deleted: bool) -> None:
    jane = JANE.replace("name: Jane Doe\n", "name: Jane Doe\nrole: leaky\n")
    files = {"contacts/jane-doe.md": jane, "templates/person.md.j2": LEAKY_ROLE}
    root = make_kb(files, CONFIG + (TRACKER if deleted else ""))
    update = LiveSite(root).build()
    assert update.site_deleted is deleted
    _report(update, root)
    lines = capsys.readouterr().err.splitlines()
    if deleted:
        assert lines[0].startswith("privacy: site/") and "tracker.js" in lines[0]
        assert lines[-1] == (
            f"netkb: the built site broke netkb's privacy rules in {len(update.findings)} "
            "places, so it was deleted; fix mkdocs.yml (extra_css, extra_javascript, extra, "
            "theme, custom_dir) and save it"
        )
        assert not any(line.startswith("Updated") for line in lines)
    else:
        assert lines[0] == (
            "privacy: site/people/jane-doe.html (from contacts/jane-doe.md): loads from "
            'another host: <img src="https://evil.example/jane-doe.png">'
        )
        assert lines[1].startswith("netkb: 1 page breaks netkb's privacy rules and was withheld")
        assert lines[-1].startswith("Updated ")


# --- nothing unaudited is trusted or shown ---------------------------------------------------


def test_an_interrupted_audit_leaves_nothing_trusted(make_kb, monkeypatch) -> None:
    root = make_kb({"contacts/jane-doe.md": JANE}, CONFIG + TRACKER)

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # Ctrl+C after the builder wrote the pages and digests

    monkeypatch.setattr(site_module, "audit_site", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(root)
    assert "tracker.js" in (root / "site" / "people" / "jane-doe.html").read_text()
    monkeypatch.undo()
    # The next build trusts none of it: it builds every page again and audits it.
    again = build(root)
    assert again.site_deleted and again.findings
    assert not (root / "site").exists()


def test_a_builder_that_fails_partway_leaves_an_audited_site(make_kb) -> None:
    leaky = (
        "{% extends 'base.html' %}\n{% block extrahead %}"
        '<script src="https://evil.example/t.js"></script>{% endblock %}\n'
    )
    failing = "{% extends 'main.html' %}{% block content %}{{ 1 // 0 }}{% endblock %}"
    files = {"contacts/jane-doe.md": JANE, "theme/main.html": leaky, "theme/404.html": failing}
    root = make_kb(files, CONFIG + "theme:\n  name: material\n  custom_dir: theme\n")
    result = CliRunner().invoke(cli, ["--kb", str(root), "build"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    # The theme's 404.html failed after every page was written: they are audited anyway.
    assert not (root / "site").exists() or audit_site(root / "site") == []
    assert recorded_pages(root) == {}


def test_a_full_serve_build_names_what_it_writes_before_writing_it(make_kb) -> None:
    root = make_kb({"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA}, CONFIG)
    site = LiveSite(root)
    site.build()
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + TRACKER)  # every page changes
    announced: list[set[str]] = []

    def writing(files: set[str]) -> None:
        changed = [p for p, data in before.items() if p.read_bytes() != data]
        assert changed == []  # nothing written yet
        announced.append(files)

    update = site.update([config], writing=writing)
    assert update.site_deleted  # the tracker: the audit removed the site
    (files,) = announced
    assert "people/jane-doe.html" in files and "index.html" in files and "404.html" in files
    assert {p.relative_to(root / "site").as_posix() for p in before} - {
        "search/search_index.json",
        "sitemap.xml",
        "sitemap.xml.gz",
    } <= files


def test_requests_for_quarantined_files_wait_for_the_release(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    (site_dir / "people").mkdir(parents=True)
    (site_dir / "people" / "jane.html").write_text("<p>Jane</p>")
    (site_dir / "people" / "ana").mkdir()
    (site_dir / "people" / "ana" / "index.html").write_text("<p>Ana</p>")
    (site_dir / "index.html").write_text("<p>Home</p>")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reload = LiveReload(site_dir, "127.0.0.1", port, rebuild=lambda: None, allow=lambda e: True)
    reload.bind()
    server = threading.Thread(target=reload.serve, daemon=True)
    server.start()
    answers: dict[str, int] = {}

    def fetch(path: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        connection.request("GET", path)
        answers[path] = connection.getresponse().status
        connection.close()

    try:
        reload.quarantine({"people/jane.html", "people/ana/index.html"})
        held = [
            threading.Thread(target=fetch, args=(p,))
            for p in ("/people/jane.html", "/people/ana/", "/people/../people/jane.html")
        ]
        for thread in held:
            thread.start()
        fetch("/index.html")  # not quarantined: answered at once
        assert answers == {"/index.html": 200}
        time.sleep(0.3)
        assert all(thread.is_alive() for thread in held)  # still waiting
        reload.release()
        for thread in held:
            thread.join(10)
        assert answers == {
            "/index.html": 200,
            "/people/jane.html": 200,
            "/people/ana/": 200,
            "/people/../people/jane.html": 200,
        }
    finally:
        reload.shutdown()


def test_an_interrupted_build_leaves_a_site_nobody_trusts(make_kb, monkeypatch) -> None:
    from netkb.build.builder import MkDocsSession, trusted

    root = make_kb({"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA}, CONFIG)
    assert build(root).ok and trusted(root, ".netkb/build")
    build_pages = MkDocsSession._build_pages

    def interrupted(self, state, todo, *args, **kwargs):  # type: ignore[no-untyped-def]
        build_pages(self, state, todo[:1], *args, **kwargs)  # one page written, then Ctrl+C
        raise KeyboardInterrupt

    monkeypatch.setattr(MkDocsSession, "_build_pages", interrupted)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "site_description: changed\n")  # every page again
    with pytest.raises(KeyboardInterrupt):
        build(root)
    assert not trusted(root, ".netkb/build")  # serve builds anew instead of showing it
    monkeypatch.undo()
    again = build(root)
    assert again.ok and again.pages_built == again.site_pages  # nothing was trusted
    assert trusted(root, ".netkb/build")


def test_an_update_that_fails_partway_has_the_site_audited(make_kb) -> None:
    theme = (
        "{% extends 'base.html' %}\n{% block extrahead %}"
        '<meta name="robots" content="noindex,nofollow">{% endblock %}\n'
        "{% block content %}{{ super() }}"
        '{% if "LEAKME" in page.content %}<img src="https://evil.example/p.gif">{% endif %}'
        '{% if "BOOM" in page.content %}{{ page.nope.nope }}{% endif %}{% endblock %}\n'
    )
    config = CONFIG + "theme:\n  name: material\n  custom_dir: theme\n"
    files = {"contacts/jane-doe.md": JANE, "contacts/ana-lee.md": ANA, "theme/main.html": theme}
    root = make_kb(files, config)
    site = LiveSite(root)
    assert site.build().findings == []
    jane, ana = root / "contacts/jane-doe.md", root / "contacts/ana-lee.md"
    ana.write_text(ANA + "\nLEAKME\n")  # built first (in path order), then Jane's fails
    jane.write_text(JANE + "\nBOOM\n")
    with pytest.raises(BuildError, match="could not build the pages"):
        site.update([jane, ana])
    assert EVIL not in (root / "site" / "people" / "ana-lee.html").read_text()
    assert audit_site(root / "site") == []
