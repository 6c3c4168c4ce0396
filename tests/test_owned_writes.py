"""Writes into netkb's own folders (generated pages, record cache, built site, lock file):
atomic, and never out of the knowledge base, even through a symlink a cloned KB planted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_kb

from netkb.build.builder import BuildError
from netkb.build.site import build, generate
from netkb.cli import cli
from netkb.core.write import OutsideKnowledgeBase, OwnedFolder
from netkb.edit.lock import LockRefused, kb_lock
from netkb.load.cache import CACHE_FILE, DiskCache
from netkb.load.loader import load

JANE = "---\nname: Jane Doe\n---\n"


def test_a_write_makes_its_folders_and_leaves_no_temporary_file(tmp_path):
    folder = OwnedFolder(tmp_path / "kb/.netkb/docs", inside=tmp_path / "kb")
    folder.write("people/jane.md", b"# Jane\n")
    folder.write("people/jane.md", b"# Jane Doe\n")  # replaced in place
    path = tmp_path / "kb/.netkb/docs/people/jane.md"
    assert path.read_bytes() == b"# Jane Doe\n"
    assert os.listdir(path.parent) == ["jane.md"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_a_write_never_goes_through_a_symlink_at_its_names(tmp_path, monkeypatch):
    import netkb.core.write as write_module

    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(b"keep")
    docs = tmp_path / "kb/.netkb/docs/people"
    docs.mkdir(parents=True)
    folder = OwnedFolder(tmp_path / "kb/.netkb/docs", inside=tmp_path / "kb")
    # A link planted at the page's name is replaced, never written through.
    (docs / "jane.md").symlink_to(outside)
    folder.write("people/jane.md", b"# Jane\n")
    assert not (docs / "jane.md").is_symlink()
    assert (docs / "jane.md").read_bytes() == b"# Jane\n"
    # A link (or a leftover) at the next temporary name: the write takes another name.
    monkeypatch.setattr(write_module, "_TEMP_COUNT", iter([7, 8]))
    planted = docs / f".john.md.{os.getpid()}.7{write_module.TEMP_SUFFIX}"
    planted.symlink_to(outside)
    folder.write("people/john.md", b"# John\n")
    assert (docs / "john.md").read_bytes() == b"# John\n"
    assert outside.read_bytes() == b"keep"
    assert sorted(os.listdir(docs)) == sorted(["jane.md", "john.md", planted.name])


def test_a_large_page_is_written_whole(tmp_path):
    folder = OwnedFolder(tmp_path / "kb/.netkb/docs", inside=tmp_path / "kb")
    data = bytes(range(256)) * 40_000  # 10 MB: more than one write(2) may take
    folder.write("map/big.svg", data)
    assert (tmp_path / "kb/.netkb/docs/map/big.svg").read_bytes() == data


def test_a_symlinked_subfolder_cannot_send_a_write_out_of_the_kb(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    docs = tmp_path / "kb/.netkb/docs"
    docs.mkdir(parents=True)
    (docs / "people").symlink_to(outside, target_is_directory=True)
    folder = OwnedFolder(docs, inside=tmp_path / "kb")
    with pytest.raises(OutsideKnowledgeBase, match=r"people is a symlink to .*elsewhere"):
        folder.write("people/jane.md", b"# Jane\n")
    assert list(outside.iterdir()) == []


def test_removing_a_symlink_removes_the_link_not_its_target(tmp_path):
    target = tmp_path / "kb/contacts/jane.md"
    target.parent.mkdir(parents=True)
    target.write_text(JANE)
    docs = tmp_path / "kb/.netkb/docs"
    docs.mkdir(parents=True)
    (docs / "jane.md").symlink_to(target)
    assert OwnedFolder(docs, inside=tmp_path / "kb").remove("jane.md") is True
    assert not (docs / "jane.md").is_symlink()
    assert target.read_text() == JANE
    assert OwnedFolder(docs, inside=tmp_path / "kb").remove("jane.md") is False


def test_a_build_refuses_a_generated_folder_linked_out_of_the_kb(tmp_path):
    """``.netkb/docs/people`` committed as a symlink: the build stops with the reason, and
    nothing lands outside."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = write_kb(tmp_path / "kb", {"contacts/jane.md": JANE})
    generate(root)  # the folder exists and is netkb's
    people = root / ".netkb/docs/people"
    for page in people.iterdir():
        page.unlink()
    people.rmdir()
    people.symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildError) as refused:
        generate(root)
    docs = root / ".netkb/docs"
    assert str(refused.value) == (
        f"refusing to write {docs / 'people'}: {docs / 'people'} is a symlink to {outside}, "
        f"outside the knowledge base {root}; netkb writes only inside it (move the folder "
        "into the knowledge base)"
    )
    assert list(outside.iterdir()) == []


def test_the_record_cache_is_not_written_out_of_the_kb(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = write_kb(tmp_path / "kb", {"contacts/jane.md": JANE})
    (root / ".netkb").mkdir()
    (root / ".netkb/cache").symlink_to(outside, target_is_directory=True)
    network = load(root, cache=DiskCache(root), cross_checks=False)
    assert list(network.people) == ["jane"]  # a cache that cannot be written costs speed only
    assert list(outside.iterdir()) == []
    assert not (root / CACHE_FILE).exists()


def test_the_lock_file_is_not_made_out_of_the_kb(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = write_kb(tmp_path / "kb", {"contacts/jane.md": JANE})
    (root / ".netkb").symlink_to(outside, target_is_directory=True)
    with pytest.raises(LockRefused, match=r"\.netkb is a symlink"), kb_lock(root):
        pass
    assert list(outside.iterdir()) == []
    # Every command that writes reports it as it reports a busy lock: no traceback.
    result = CliRunner().invoke(cli, ["--kb", str(root), "new", "Bob Builder"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: refusing to write {root / '.netkb/lock'}: ")
    assert not (root / "contacts/bob-builder.md").exists()


def test_a_site_deleted_by_the_audit_goes_through_the_write_module(tmp_path, monkeypatch):
    """A finding outside any record's page: the whole site goes, via OwnedFolder."""
    root = write_kb(
        tmp_path / "kb",
        {"contacts/jane.md": JANE},
        "site_name: T\nextra_javascript: ['https://cdn.example/x.js']\n",
    )
    removed: list[Path] = []
    real = OwnedFolder.remove_all

    def remove_all(self: OwnedFolder) -> None:
        removed.append(self.folder)
        real(self)

    monkeypatch.setattr(OwnedFolder, "remove_all", remove_all)
    result = build(root)
    assert result.site_deleted
    assert removed == [root / "site"]
    assert not (root / "site").exists()
