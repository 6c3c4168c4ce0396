"""The build state's own files (``netkb.build.incremental.RenderState``): the texts of the
sources the last build rendered from come back exactly as they were read, and a damaged
state file reads as nothing (every changed file then counts as new: more is rendered,
never less)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_demo

from netkb.build.incremental import SOURCES_STATE, RenderState, network_before, read_sources
from netkb.load.loader import load

ODD_BYTES = "---\nname: Zoë\x00\n---\n\nNot UTF-8: \xff\xfe, CRLF\r\n".encode("latin-1")


def written_and_read(root: Path, texts: dict[str, str]) -> dict[str, str]:
    state = RenderState(setup="s", files=["index.md"])
    state.keep_texts(texts)
    state.search = {}
    state.write(root)
    again = RenderState.read(root)
    assert again is not None
    return again.texts()


def test_source_texts_come_back_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts/zoë.md").write_bytes(ODD_BYTES)
    (tmp_path / "contacts/empty.md").write_bytes(b"")
    texts = read_sources(tmp_path, ["contacts/zoë.md", "contacts/empty.md"])
    again = written_and_read(tmp_path, texts)
    assert again == texts
    assert again["contacts/zoë.md"].encode("utf-8", "surrogateescape") == ODD_BYTES


def test_a_text_not_read_from_a_file_is_left_out(tmp_path: Path) -> None:
    # A lone surrogate that no file's bytes decode to: it cannot be written back as bytes.
    again = written_and_read(tmp_path, {"contacts/a.md": "fine", "contacts/b.md": "\ud800"})
    assert again == {"contacts/a.md": "fine"}


@pytest.mark.parametrize(
    "damaged",
    [
        b"",
        b"not the header\n",
        b"netkb sources 1\n3 4\nabcdefg",  # an older format
        b'netkb sources 2\n[["contacts/a.md", 4]]\nte',  # cut short
        b'netkb sources 2\n[["contacts/a.md", 4]]\ntext and more',
        b'netkb sources 2\n[["contacts/a.md", -4]]\n',
        b'netkb sources 2\n[["contacts/a.md", 4.0]]\ntext',
        b'netkb sources 2\n[["contacts/a.md"]]\ntext',
        b'netkb sources 2\n{"contacts/a.md": 4}\ntext',
        b"netkb sources 2\n[[\ntext",
        b"netkb sources 2\n",
    ],
)
def test_a_damaged_sources_file_reads_as_nothing(tmp_path: Path, damaged: bytes) -> None:
    written_and_read(tmp_path, {"contacts/a.md": "text"})
    (tmp_path / ".netkb/build" / SOURCES_STATE).write_bytes(damaged)
    state = RenderState.read(tmp_path)
    assert state is not None
    assert state.texts() == {}


def test_the_network_before_an_edit_keeps_the_loaders_order(tmp_path: Path) -> None:
    """Entries are in the loader's order (by date, then path) in the network rebuilt from
    the old texts too: with an entry's date edited, and with one deleted since."""
    now = copy_demo(tmp_path / "now")
    moved = now / "log/2026/2026-09-08-meeting-jonas-weber.md"
    gone = now / "log/2026/2026-01-29-coffee-daniel-schmitt.md"
    old = {moved: moved.read_text(encoding="utf-8"), gone: gone.read_text(encoding="utf-8")}
    assert "date: 2026-09-08\n" in old[moved]
    moved.write_text(old[moved].replace("date: 2026-09-08", "date: 2024-02-02"), "utf-8")
    gone.unlink()
    before = network_before(load(now), old)
    was = copy_demo(tmp_path / "was")
    expected = load(was)
    relative = [i.source.path.relative_to(now) for i in before.interactions]
    assert relative == [i.source.path.relative_to(was) for i in expected.interactions]
    assert [i.date for i in before.interactions] == [i.date for i in expected.interactions]


def test_an_edit_that_keeps_every_date_keeps_the_entries_in_place(tmp_path: Path) -> None:
    now = copy_demo(tmp_path / "now")
    edited = now / "log/2026/2026-09-08-meeting-jonas-weber.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("minutes:", "minutes: 1\nold_minutes:"), "utf-8")
    network = load(now)
    before = network_before(network, {edited: text})
    paths = [i.source.path for i in before.interactions]
    assert paths == [i.source.path for i in network.interactions]
    (entry,) = [i for i in before.interactions if i.source.path == edited]
    assert entry not in network.interactions  # the old entry, in the new one's place


def test_read_sources_reads_files_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "contacts" / "folder.md").mkdir(parents=True)
    (tmp_path / "contacts" / "jane.md").write_text("---\nname: Jane\n---\nNotes\n")
    big = "x" * 200_000 + "é\n"  # more than one read's worth
    (tmp_path / "contacts" / "big.md").write_text(big, encoding="utf-8")
    (tmp_path / "contacts" / "latin.md").write_bytes(b"name: Ren\xe9\n")
    keys = ["contacts/jane.md", "contacts/big.md", "contacts/latin.md"]
    read = read_sources(tmp_path, [*keys, "contacts/gone.md", "contacts/folder.md"])
    assert list(read) == keys  # what is gone or not a file is left out
    assert read["contacts/jane.md"] == "---\nname: Jane\n---\nNotes\n"
    assert read["contacts/big.md"] == big
    # Bytes that are not UTF-8 come back as they were when written out again.
    assert read["contacts/latin.md"].encode("utf-8", "surrogateescape") == b"name: Ren\xe9\n"
