"""The whole hostile corpus built into one site: nothing unsafe on any page, nothing private
in any output, and in Chromium no script runs and no request leaves 127.0.0.1.

Every note of ``hostile.HOSTILE_NOTES`` is one person's notes; hostile values sit in
every field that reaches a page; every private place (``hostile.PRIVATE_NOTES``,
``hostile.PRIVATE_FIELDS``, a private person) holds a ``PRIVMARK`` marker.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_kb
from hostile import HOSTILE_NOTES, PRIVATE_FIELDS, PRIVATE_NOTES, unsafe
from playwright.sync_api import Browser
from test_browser import browser, visit  # noqa: F401 (a fixture, used by name)

from netkb.build.site import build
from netkb.cli import cli

SITE_NAME = 'Net </title><script>window.__xss=90</script> & "Co"'
CONFIG = f"""\
site_name: {json.dumps(SITE_NAME)}
use_directory_urls: false
extra:
  netkb:
    owner: {json.dumps("Owner <img src=x onerror=window.__xss=91>")}
"""
HOSTILE_VALUES = """\
---
name: "Eve <img src=x onerror=\\"window.__xss=80\\"> [y](javascript:window.__xss=81)"
aliases: ["<svg onload=window.__xss=82>"]
organization: "Acme ](javascript:window.__xss=83) <b onmouseover=window.__xss=84>"
role: "<script>window.__xss=85</script>"
location: "Berlin {: onclick=\\"window.__xss=86\\"}"
tags: ["<img src=x onerror=window.__xss=87>", "a|b"]
expertise: ["[x](javascript:window.__xss=88)"]
links: ["https://ok.example/\\"onmouseover=\\"window.__xss=92"]
email: ["eve@example.org\\"><script>window.__xss=93</script>"]
met_at: "![x](//evil.example/met.png)"
custom: "<iframe src=//evil.example/>"
---

Knows [[jane-doe]].
"""


def person(name: str, body: str, front: str = "") -> str:
    return f"---\nname: {json.dumps(name)}\n{front}---\n\n{body}\n"


def hostile_kb(root: Path) -> Path:
    files: dict[str, str] = {
        "contacts/jane-doe.md": person("Jane Doe", "Plain notes."),
        "contacts/eve.md": HOSTILE_VALUES,
        "contacts/private-person.md": person(
            "PRIVMARK50 Person", "PRIVMARK51", "private: true\nemail: [privmark52@example.org]\n"
        ),
        "contacts/fields.md": person("Field Keeper", "Public A.", PRIVATE_FIELDS),
        "log/2026/one.md": (
            "---\ndate: 2026-01-05\nwith: [jane-doe, private-person]\nkind: lunch\n"
            "summary: lunch\n---\n"
        ),
    }
    for number, note in enumerate(HOSTILE_NOTES):
        files[f"contacts/hostile-{number:02d}.md"] = person(f"Hostile {number:02d}", note)
    for number, note in enumerate(PRIVATE_NOTES):
        files[f"contacts/secretive-{number:02d}.md"] = person(f"Secretive {number:02d}", note)
    return write_kb(root, files, CONFIG)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_kb(tmp_path_factory.mktemp("hostile") / "kb")
    result = build(root)
    assert not result.network.errors, [p.format() for p in result.network.errors]
    assert result.findings == [], [f.format(root) for f in result.findings]
    assert result.site_dir is not None
    return root


def html_pages(root: Path) -> list[Path]:
    return sorted((root / "site").rglob("*.html"))


def test_every_hostile_note_and_value_has_a_page(hostile_site: Path):
    people = hostile_site / "site" / "people"
    assert len(list(people.glob("hostile-*.html"))) == len(HOSTILE_NOTES)
    assert (people / "eve.html").is_file()


def test_no_page_holds_anything_unsafe(hostile_site: Path):
    found = {}
    for page in html_pages(hostile_site):
        problems = unsafe(page.read_text(encoding="utf-8"), content_only=True)
        if problems:
            found[str(page.relative_to(hostile_site))] = problems
    assert found == {}


def test_the_site_name_and_owner_are_text(hostile_site: Path):
    index = (hostile_site / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__xss" not in index
    assert "onerror=window.__xss" not in index.replace("&lt;img src=x onerror", "")


def everything_written(root: Path) -> dict[str, str]:
    """Every file of the site and the generated folder, by path."""
    files = {}
    for folder in (root / "site", root / ".netkb" / "docs"):
        for path in folder.rglob("*"):
            if path.is_file():
                files[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", "replace")
    return files


def test_no_private_marker_in_the_site_or_the_generated_pages(hostile_site: Path):
    written = everything_written(hostile_site)
    assert any("search_index.json" in name for name in written)
    leaks = {name for name, text in written.items() if "PRIVMARK" in text.upper()}
    assert leaks == set()
    # what follows a private part is still there
    assert "Public A." in (hostile_site / "site" / "people" / "secretive-00.html").read_text()
    assert "visible-deep" in (hostile_site / "site" / "people" / "fields.html").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "vcard"],
        ["export", "csv"],
        ["export", "calendar"],
        ["check", "--format", "json"],
        ["due", "--format", "json", "--today", "2026-11-29"],
        ["stats", "--format", "json", "--today", "2026-11-29"],
        ["find", "Public", "--format", "json"],
        ["find", "Secretive", "--format", "json"],
        ["show", "fields", "--format", "json"],
        ["show", "secretive-16", "--format", "json"],
        ["show", "secretive-23", "--format", "json"],
        ["show", "jane-doe", "--format", "json"],
    ],
)
def test_no_private_marker_in_exports_or_json_output(hostile_site: Path, args: list[str]):
    result = CliRunner().invoke(cli, ["--kb", str(hostile_site), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert "PRIVMARK" not in result.output.upper()


@pytest.mark.browser
def test_no_script_runs_and_nothing_leaves_localhost_on_any_page(
    browser: Browser,  # noqa: F811
    hostile_site: Path,
):
    pages = html_pages(hostile_site)
    assert len(pages) > len(HOSTILE_NOTES)
    with visit(browser, hostile_site / "site") as tab:
        for page in pages:
            path = page.relative_to(hostile_site / "site").as_posix()
            tab.page.goto(tab.base + path)
            title = tab.page.title()
            tab.page.locator("article").hover()
            assert tab.xss() is None, f"a script ran on {path}: window.__xss = {tab.xss()}"
            assert tab.page.title() == title
            assert (
                tab.page.locator("article [onerror], article [onload], article script").count() == 0
            )
        assert tab.dialogs == []
    assert tab.errors == []
