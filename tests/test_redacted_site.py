"""``netkb build --redact``: a site for a shared screen that holds none of the hidden values.

The demo is built redacted with the default set (email, phone, birthday, location,
notes); every real value of those fields, read from the unredacted records, is looked
for in every file under site-redacted/ and must not be there. Every page says it is
redacted, the search index finds people by name only, and the full site is untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_demo

from netkb.build.site import build
from netkb.cli import cli
from netkb.core.notes import public_text
from netkb.load.loader import load


@pytest.fixture(scope="module")
def redacted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("redacted") / "kb")
    result = build(root, redact=())
    assert result.ok, [p.format(root) for p in result.network.errors]
    assert result.site_dir == (root / "site-redacted").resolve()
    return root


def site_text(root: Path) -> dict[str, str]:
    folder = root / "site-redacted"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8", "replace")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in {".html", ".json", ".xml", ".ics", ".svg", ".css"}
    }


def holding(texts: dict[str, str], value: str) -> list[str]:
    return [path for path, text in texts.items() if value in text]


def test_no_email_phone_or_birthday_reaches_any_file(redacted: Path):
    network = load(redacted)
    texts = site_text(redacted)
    values = []
    for person in network.people.values():
        values += list(person.email) + list(person.phone)
        if person.birthday is not None:
            values.append(str(person.birthday))
    assert len(values) > 20  # the demo has them
    found = {value: holding(texts, value) for value in values}
    assert {v: paths for v, paths in found.items() if paths} == {}


def test_person_pages_have_no_contact_rows_and_no_notes(redacted: Path):
    network = load(redacted)
    texts = site_text(redacted)
    checked = 0
    for slug, person in network.people.items():
        page = texts.get(f"people/{slug}.html")
        if page is None:  # a private person: no page at all
            assert person.private
            continue
        for row in (">Email<", ">Phone<", ">Birthday<", ">Location<"):
            assert row not in page, (slug, row)
        notes = " ".join(public_text(person.body).split())
        for start in range(0, max(len(notes) - 40, 0), 120):
            chunk = notes[start : start + 40]
            assert holding(texts, chunk) == [], (slug, chunk)
            checked += 1
    assert checked > 30


def test_every_page_says_it_is_redacted(redacted: Path):
    pages = {p: t for p, t in site_text(redacted).items() if p.endswith(".html")}
    assert len(pages) > 200
    unmarked = [p for p, t in pages.items() if "Redacted view" not in t]
    assert unmarked == []


def test_search_finds_people_by_name_only(redacted: Path):
    index = json.loads((redacted / "site-redacted/search/search_index.json").read_text("utf-8"))
    docs = index["docs"]
    assert docs and all(d["text"] == "" for d in docs)
    assert all(d["location"].startswith("people/") for d in docs)
    assert any(d["title"] == "Greta Novák" for d in docs)


def test_the_full_site_is_not_touched(redacted: Path):
    assert not (redacted / "site").exists()
    assert (redacted / ".netkb/docs-redacted/index.md").is_file()
    assert not (redacted / ".netkb/docs").exists()


def test_a_redacted_site_cannot_replace_the_full_one(tmp_path: Path):
    root = copy_demo(tmp_path / "kb")
    result = CliRunner().invoke(cli, ["--kb", str(root), "build", "--redact", "--site-dir", "site"])
    assert result.exit_code == 1
    assert "cannot go to 'site', the full site's folder" in result.output
    assert not (root / "site").exists()


def test_hide_chooses_what_is_hidden(tmp_path: Path):
    root = copy_demo(tmp_path / "kb")
    runner = CliRunner()
    result = runner.invoke(cli, ["--kb", str(root), "build", "--redact", "--hide", "phone", "-q"])
    assert result.exit_code == 0, result.output
    texts = site_text(root)
    network = load(root)
    phones = [phone for p in network.people.values() for phone in p.phone]
    emails = [e for p in network.people.values() if not p.private for e in p.email]
    assert all(holding(texts, phone) == [] for phone in phones)
    assert any(holding(texts, email) for email in emails)  # only phones were hidden
    alone = runner.invoke(cli, ["--kb", str(root), "build", "--hide", "phone"])
    assert alone.exit_code == 2 and "add --redact" in alone.output


JANE_SECRET = (
    "---\nname: Jane Doe\nemail: jane.secret@acme.example\nphone: '+49 30 5550101'\n"
    "location: 12 Secret Street\n---\n\nNotes.\n"
)
SECRETS = ("jane.secret@acme.example", "5550101", "Secret Street")


def leaks(root: Path, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    texts = site_text(root)
    return sorted(f"{value} in {path}" for value in secrets for path in holding(texts, value))


def test_serve_redact_hides_values_while_another_file_has_an_error(make_kb) -> None:
    from netkb.serve.live import LiveSite

    bad, good = "---\nname: Bob\ncircle: 9\n---\n", "---\nname: Bob\ncircle: 3\n---\n"
    root = make_kb({"contacts/jane-doe.md": JANE_SECRET, "contacts/bob.md": bad})
    site = LiveSite(root, redact=["email", "phone", "location"])
    update = site.build()
    assert any(p.severity == "error" for p in update.problems)  # serve builds despite it
    assert (root / "site-redacted" / "people" / "jane-doe" / "index.html").is_file()
    assert leaks(root) == []
    (root / "contacts" / "bob.md").write_text(good)
    site.update([root / "contacts" / "bob.md"])
    assert leaks(root) == []


def test_a_longer_hide_list_renders_every_page_again(make_kb) -> None:
    root = make_kb({"contacts/jane-doe.md": JANE_SECRET})
    assert build(root, redact=["email"]).ok
    page = "people/jane-doe/index.html"
    assert leaks(root) == [f"5550101 in {page}", f"Secret Street in {page}"]
    assert build(root, redact=["email", "phone", "location"]).ok  # incremental
    assert leaks(root) == []
