"""Write the generated Markdown folder: only files whose content changed, stale ones removed.

Every write goes through ``netkb.core.write.OwnedFolder`` (atomic, inside the KB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from netkb.core.records import Person
from netkb.core.write import OwnedFolder
from netkb.load.photos import site_photo

MARKER = ".netkb-generated"


class GeneratedFolderError(Exception):
    """The generated folder is not netkb's to write (it holds files netkb did not make)."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int
    unchanged: int
    deleted: int
    paths: frozenset[str] = frozenset()  # the files written


def support_files() -> dict[str, bytes]:
    """Files every site needs besides its pages (netkb's stylesheet)."""
    assets = resources.files("netkb").joinpath("data", "assets")
    return {"assets/netkb.css": assets.joinpath("netkb.css").read_bytes()}


def photo_files(root: Path, public: dict[str, Person]) -> dict[str, bytes]:
    """The photos the site shows, by their place in the generated folder: only of the
    ``public`` people (a private person's photo never reaches the site)."""
    files: dict[str, bytes] = {}
    for slug, person in public.items():
        if person.photo is None:
            continue
        try:
            files[site_photo(slug, person.photo)] = (root / person.photo).read_bytes()
        except OSError:  # gone since `check` saw it: the page shows its alt text
            continue
    return files


def theme_overrides() -> dict[str, bytes]:
    overrides = resources.files("netkb").joinpath("data", "overrides")
    return {"main.html": overrides.joinpath("main.html").read_bytes()}


def claim(folder: OwnedFolder) -> None:
    """Make ``folder`` netkb's, or refuse if it already holds files netkb did not make."""
    path = folder.folder
    if path.exists() and not (path / MARKER).exists() and any(path.iterdir()):
        raise GeneratedFolderError(
            f"{path} holds files netkb did not generate; netkb deletes stale files in its "
            "generated folder, so it will not use this one. Point docs_dir in mkdocs.yml "
            "at a new folder such as .netkb/docs"
        )
    if not (path / MARKER).exists():
        folder.write(MARKER, b"")


def sync_folder(
    folder: Path, files: dict[str, bytes], *, inside: Path, kept: dict[str, bool] | None = None
) -> WriteStats:
    """Make ``folder`` (inside the KB at ``inside``) hold exactly ``files`` and the files
    ``kept`` (written already, each with whether it changed); untouched files keep their
    mtime."""
    owned = OwnedFolder(folder, inside=inside)
    claim(owned)
    kept = kept or {}
    written = _write_changed(owned, files) | {path for path, changed in kept.items() if changed}
    deleted = 0
    wanted = {os.path.normpath(folder / name) for name in (*files, *kept)}
    for current, _dirs, names in os.walk(folder, topdown=False):
        relative = os.path.relpath(current, folder)
        for name in names:
            path = os.path.join(current, name)
            if name != MARKER and path not in wanted:
                owned.remove(os.path.join(relative, name))
                deleted += 1
        if current != str(folder) and not os.listdir(current):
            owned.remove_folder(relative)
    total = len(files) + len(kept)
    return WriteStats(len(written), total - len(written), deleted, frozenset(written))


def write_files(folder: Path, files: dict[str, bytes], *, inside: Path) -> set[str]:
    """Write the files whose content differs from what is on disk; return their paths."""
    return _write_changed(OwnedFolder(folder, inside=inside), files)


def remove_files(folder: Path, paths: set[str], *, inside: Path) -> None:
    """Delete the generated files at ``paths`` (pages whose source is gone)."""
    owned = OwnedFolder(folder, inside=inside)
    for path in paths:
        owned.remove(path)


def _write_changed(folder: OwnedFolder, files: dict[str, bytes]) -> set[str]:
    written = set()
    for relative, content in files.items():
        path = os.path.join(folder.folder, relative)  # a string: 10,000 pages on a cold build
        try:
            if os.stat(path).st_size == len(content):
                with open(path, "rb") as handle:
                    if handle.read() == content:
                        continue
        except OSError:
            pass
        folder.write(relative, content)
        written.add(relative)
    return written
