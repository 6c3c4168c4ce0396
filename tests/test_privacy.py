"""What the built site must never contain: private people, private notes, source files.

The demo is built once per session (``built_demo``); what is private is read from its
sources here, so a new private note in the demo is checked without editing this file.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_kb

from netkb.build.site import BuildResult
from netkb.cli import cli
from netkb.core.notes import public_text
from netkb.core.references import replace_wikilinks

ROBOTS = '<meta name="robots" content="noindex,nofollow">'


def plain(text: str) -> str:
    """Text as a reader sees it, whatever the file: tags dropped, entities decoded."""
    text = re.sub(r"<[^>]*>", " ", text)
    text = html.unescape(html.unescape(text))  # the search index escapes what pages escaped
    return " ".join(text.split()).casefold()


def markdown_as_text(line: str) -> str:
    """A line of notes as it reads once rendered: wikilinks as their label, no emphasis."""
    line = replace_wikilinks(line, lambda link: link.label or link.target)
    return plain(re.sub(r"[*_`]", "", line))


def site_text(site: Path) -> dict[Path, str]:
    """Every file of the site as readable text; JSON (the search index) decoded first."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes().decode("utf-8", "replace")
        if path.suffix == ".json":
            raw = " ".join(_strings(json.loads(raw)))
        texts[path] = raw
    return texts


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def private_texts(result: BuildResult) -> list[tuple[str, str]]:
    """(where, text) for everything the demo keeps private, read from its sources."""
    network = result.network
    found: list[tuple[str, str]] = []
    for slug, person in network.people.items():
        where = str(person.source.path.relative_to(network.root))
        if person.private:
            found += [(where, slug), (where, person.name)]
            found += [(where, value) for value in (*person.email, *person.phone, *person.links)]
            found += [(where, line) for line in person.body.split("\n")]
        else:
            public = set(public_text(person.body).split("\n"))
            found += [(where, line) for line in person.body.split("\n") if line not in public]
    public_people = {slug for slug, person in network.people.items() if not person.private}
    for interaction in network.interactions:
        if not set(interaction.with_) & public_people:
            where = str(interaction.source.path.relative_to(network.root))
            found.append((where, interaction.summary or ""))
            found += [(where, line) for line in interaction.body.split("\n")]
    # A heading line ("## Private") is not itself a secret; blank lines are not either.
    return [(w, t) for w, t in found if t.strip() and not t.lstrip().startswith("#")]


def test_the_demo_has_private_data_to_protect(built_demo: BuildResult) -> None:
    people = built_demo.network.people
    assert people["sabine-vogt"].private
    sections = [p for p in people.values() if public_text(p.body) != p.body and not p.private]
    assert len(sections) >= 5, "the demo should keep ## Private sections in several contacts"


def test_no_private_text_anywhere_in_the_site(built_demo: BuildResult) -> None:
    secrets = private_texts(built_demo)
    texts = {path: plain(text) for path, text in site_text(built_demo.site_dir).items()}
    leaks = [
        f"{where}: {secret!r} appears in {path.relative_to(built_demo.site_dir)}"
        for where, secret in secrets
        for path, text in texts.items()
        if markdown_as_text(secret) in text
    ]
    assert not leaks, "\n".join(leaks)
    assert len(secrets) > 30  # the check looked at something


def test_the_search_index_has_no_private_person(built_demo: BuildResult) -> None:
    index = json.loads((built_demo.site_dir / "search/search_index.json").read_text())
    locations = {doc["location"] for doc in index["docs"]}
    assert any("people/anna-kowalska" in location for location in locations)
    assert not [loc for loc in locations if "sabine" in loc]
    assert "sabine" not in json.dumps(index).casefold()


def test_no_source_files_in_the_site(built_demo: BuildResult) -> None:
    site = built_demo.site_dir
    stray = [p for p in site.rglob("*") if p.suffix.lower() in {".csv", ".vcf", ".md"}]
    assert stray == []
    assert not (site / "people" / "sabine-vogt.html").exists()


def test_every_html_page_asks_robots_to_stay_away(built_demo: BuildResult) -> None:
    pages = sorted(built_demo.site_dir.rglob("*.html"))
    assert len(pages) > 100
    missing = [
        str(p.relative_to(built_demo.site_dir)) for p in pages if ROBOTS not in p.read_text()
    ]
    assert missing == []


def test_an_external_script_in_mkdocs_yml_fails_the_build(tmp_path: Path) -> None:
    config = (
        "site_name: T\n"
        "use_directory_urls: false\n"
        "extra_javascript:\n"
        "  - https://cdn.example/x.js\n"
        "extra:\n"
        "  netkb:\n"
        "    owner: T\n"
    )
    root = write_kb(tmp_path / "kb", {"contacts/jane.md": "---\nname: Jane Doe\n---\n"}, config)
    run = subprocess.run(
        [sys.executable, "-m", "netkb", "--kb", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert (
        'privacy: site/404.html: loads from another host: <script src="https://cdn.example/x.js">'
    ) in run.stderr
    pages = len(re.findall(r"^privacy: site/", run.stderr, re.MULTILINE))
    places = int(re.search(r"privacy rules in (\d+) places, so it was deleted", run.stderr)[1])
    assert pages == 10 and places > 10  # every page loads the script; ten are named
    assert f"privacy: … and {places - 10} more" in run.stderr
    assert not (root / "site").exists()  # nobody can open the leaking site by mistake
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "setting",
    [
        "extra_css: ['https://cdn.example/x.css']",
        "extra_css: ['//cdn.example/x.css']",
        "theme: {name: material, font: {text: Roboto}}",  # netkb turns Google Fonts off anyway
    ],
)
def test_the_audit_catches_other_external_loads(tmp_path: Path, setting: str) -> None:
    config = f"site_name: T\n{setting}\nextra:\n  netkb:\n    owner: T\n"
    root = write_kb(tmp_path / "kb", {"contacts/jane.md": "---\nname: Jane Doe\n---\n"}, config)
    run = CliRunner().invoke(cli, ["--kb", str(root), "build", "-q"])
    if "Roboto" in setting:
        assert run.exit_code == 0, run.output
        assert "fonts.g" not in (root / "site/index.html").read_text()
    else:
        assert run.exit_code == 1
        assert "loads from another host" in run.output
