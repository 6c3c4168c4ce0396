"""The builder's page digests read a generated page again only when its size or time
changed, and never trust a time as recent as the last record (``MkDocsSession._source``).
MkDocs runs on the generated folder directly here: ``netkb build`` would not start it for
a folder netkb itself did not change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mkdocs.structure.files import File

import netkb.build.builder as builder_module
from netkb.build.builder import MkDocsBuilder
from netkb.build.site import build
from tests.conftest import write_kb

JANE = "---\nname: Jane Doe\nrole: Engineer\n---\nLikes tea.\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = write_kb(tmp_path / "kb", {"contacts/jane-doe.md": JANE})
    assert build(root).ok
    return root


def rewrite_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Change ``path`` as a second write within the same clock tick would: same size, same
    modification time."""
    assert len(old) == len(new)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_change_within_the_same_clock_tick_is_still_seen(kb: Path) -> None:
    page = kb / ".netkb/docs/people/jane-doe.md"
    rewrite_keeping_size_and_time(page, "Engineer", "Engineez")
    MkDocsBuilder().build(kb / "mkdocs.yml")
    # The page was recorded moments ago: its time is not trusted, so it was read again.
    assert "Engineez" in (kb / "site/people/jane-doe/index.html").read_text(encoding="utf-8")


def test_pages_whose_size_and_time_did_not_change_are_not_read(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder_module, "TRUSTED_AGE_NS", 0)  # every recorded time trusted
    assert build(kb, clean=True).ok
    read: list[str] = []
    original = File.content_bytes

    def counting(self: File) -> bytes:
        read.append(self.src_uri)
        return original.fget(self)

    monkeypatch.setattr(File, "content_bytes", property(counting, original.fset))
    page = kb / ".netkb/docs/people/jane-doe.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # size changed
    result = MkDocsBuilder().build(kb / "mkdocs.yml")
    # Only the page whose file changed, and the nav's pages MkDocs reads for their titles.
    assert "people/jane-doe.md" in read
    assert not [uri for uri in read if uri.startswith("people/") and uri != "people/jane-doe.md"]
    assert result.pages_built >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_the_digests_a_first_build_records_as_it_builds_are_those_a_later_one_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(builder_module, "PARALLEL_FROM", 2)  # forked workers, even for a few
    people = {
        f"contacts/p{i}.md": f"---\nname: Person {i}\n---\nKnows [[p{i + 1}]].\n" for i in range(6)
    }
    root = write_kb(tmp_path / "kb", people)
    assert build(root, clean=True, workers=workers).ok
    state = root / ".netkb/build" / builder_module.PAGES_STATE
    first = json.loads(state.read_bytes())
    assert "people/p1/index.html" in first["pages"]
    assert "people/p1.md" in first["sources"]
    # The next build works every digest out before building: none differs, none is built.
    result = MkDocsBuilder().build(root / "mkdocs.yml")
    assert result.pages_built == 0
    assert json.loads(state.read_bytes())["pages"] == first["pages"]
