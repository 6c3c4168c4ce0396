"""Write the generated Markdown folder: only files whose content changed, stale ones removed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

MARKER = ".netkb-generated"


class GeneratedFolderError(Exception):
    """The generated folder is not netkb's to write (it holds files netkb did not make)."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int
    unchanged: int
    deleted: int


def support_files() -> dict[str, bytes]:
    """Files every site needs besides its pages (netkb's stylesheet)."""
    assets = resources.files("netkb").joinpath("data", "assets")
    return {"assets/netkb.css": assets.joinpath("netkb.css").read_bytes()}


def theme_overrides() -> dict[str, bytes]:
    overrides = resources.files("netkb").joinpath("data", "overrides")
    return {"main.html": overrides.joinpath("main.html").read_bytes()}


def claim(folder: Path) -> None:
    """Make ``folder`` netkb's, or refuse if it already holds files netkb did not make."""
    if folder.exists() and not (folder / MARKER).exists() and any(folder.iterdir()):
        raise GeneratedFolderError(
            f"{folder} holds files netkb did not generate; netkb deletes stale files in its "
            "generated folder, so it will not use this one. Point docs_dir in mkdocs.yml "
            "at a new folder such as .netkb/docs"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()


def sync_folder(folder: Path, files: dict[str, bytes]) -> WriteStats:
    """Make ``folder`` hold exactly ``files``; untouched files keep their mtime."""
    claim(folder)
    written = write_files(folder, files)
    deleted = 0
    wanted = {os.path.normpath(folder / name) for name in files}
    for current, _dirs, names in os.walk(folder, topdown=False):
        for name in names:
            path = os.path.join(current, name)
            if name != MARKER and path not in wanted:
                os.unlink(path)
                deleted += 1
        if current != str(folder) and not os.listdir(current):
            os.rmdir(current)
    return WriteStats(len(written), len(files) - len(written), deleted)


def write_files(folder: Path, files: dict[str, bytes]) -> set[str]:
    """Write the files whose content differs from what is on disk; return their paths."""
    written = set()
    for relative, content in files.items():
        path = folder / relative
        try:
            if path.stat().st_size == len(content) and path.read_bytes() == content:
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(content)
        os.replace(temp, path)
        written.add(relative)
    return written
