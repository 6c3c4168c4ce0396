"""The one way netkb writes files: atomically, never over a file it did not mean to, and
never outside the knowledge base.

Every write names the folder it must stay in (``inside=`` the KB root): the real
path, symlinks resolved, is checked before anything is created, so a
``contacts/`` or ``log/2026/`` that is a symlink out of the KB is refused with
``OutsideKnowledgeBase`` instead of written through. A write killed mid-way can
leave its temporary file (``.<name>.XXXXXXXX.netkb-tmp``) behind;
``remove_stale_temp_files`` deletes those, and ``netkb.edit.lock`` calls it whenever
it takes the KB's lock, when no live writer can own one.

Three kinds of write, each with its own function:

- the user's files (contacts/, orgs/, log/): ``create_file`` (never over an existing
  file) and ``replace_file`` (keeps the mode, checks nothing changed meanwhile), both
  fsynced, both under the KB's lock (``netkb.edit.lock``);
- netkb's own folders (generated pages, theme overrides, record cache, built site):
  ``OwnedFolder``, atomic but not fsynced, because all of it is made again from the
  sources;
- the lock file: ``open_lock_file``, opened in place and never written.

Nothing else in netkb opens a file for writing (MkDocs writes the site's HTML itself).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

_UMASK_GUARD = threading.Lock()
TEMP_SUFFIX = ".netkb-tmp"
# A new file, never through a symlink at its name (O_EXCL), not inherited by children.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_TEMP_COUNT = itertools.count()
# What tempfile.mkstemp makes below: "." + the file's name + "." + 8 random characters.
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


class OutsideKnowledgeBase(PermissionError):
    """A write whose real path lies outside the knowledge base; nothing was written.

    A PermissionError, so callers that report ``OSError.strerror`` say why."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(errno.EACCES, message, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def _within(real_path: str, real_root: str) -> bool:
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def real_path_inside(root: Path, path: Path) -> Path:
    """The real path of ``path`` (symlinks resolved, even of folders not made yet);
    ``OutsideKnowledgeBase`` when it is not inside the real ``root``."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if _within(real, real_root):
        return Path(real)
    link = _first_symlink(root, path)
    if link is not None:
        why = f"{link} is a symlink to {os.path.realpath(link)},"
    elif real != os.path.abspath(path):
        why = f"its real path {real} is"
    else:
        why = "it is"
    raise OutsideKnowledgeBase(
        f"refusing to write {path}: {why} outside the knowledge base {real_root}; "
        "netkb writes only inside it (move the folder into the knowledge base)",
        path,
    )


def _first_symlink(root: Path, path: Path) -> Path | None:
    """The first folder or file on the way from ``root`` to ``path`` that is a symlink."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def remove_stale_temp_files(root: Path, folders: Iterable[str]) -> list[Path]:
    """Delete netkb's own temporary files under ``root/<folder>``; returns what went.

    Only names netkb's writes make, only regular files, never through a symlinked
    folder. The caller must hold the KB's lock: then no live netkb writer owns one.
    """
    removed: list[Path] = []
    real_root = os.path.realpath(root)
    for folder in folders:
        top = root / folder
        if not top.is_dir() or not _within(os.path.realpath(top), real_root):
            continue  # a folder linked out of the KB is not ours to clean (check reports it)
        for current, dirs, files in os.walk(top):  # followlinks=False: stays in the KB
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if not (name.endswith(TEMP_SUFFIX) and _TEMP_NAME.fullmatch(name)):
                    continue
                path = Path(current, name)
                # Cleaning is a courtesy: a leftover that cannot be removed (read-only
                # folder) is left for the next time and never fails the command.
                with contextlib.suppress(OSError):
                    if stat.S_ISREG(path.lstat().st_mode):
                        path.unlink()
                        removed.append(path)
    return removed


def _umask() -> int:
    # Reading the umask means setting it: threads creating files at once must take turns.
    with _UMASK_GUARD:
        current = os.umask(0o022)
        os.umask(current)
    return current


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_with(folder: Path, name: str, data: bytes, mode: int, durable: bool = True) -> str:
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP_SUFFIX)
    return _filled(fd, temp, data, mode, durable)


def _counted_temp(folder: str, name: str, data: bytes, mode: int) -> str:
    """``_temp_with`` (not durable) for netkb's own folders, named by this process and a
    count instead of ``mkstemp``'s random letters; a name taken already (a leftover, a
    planted link) or too long falls back to ``mkstemp``."""
    temp = os.path.join(folder, f".{name}.{os.getpid()}.{next(_TEMP_COUNT)}{TEMP_SUFFIX}")
    try:
        handle = os.open(temp, _NEW_FILE, 0o600)
    except OSError as exc:
        if not isinstance(exc, FileExistsError) and exc.errno != errno.ENAMETOOLONG:
            raise
        return _temp_with(Path(folder), name, data, mode, durable=False)
    return _filled(handle, temp, data, mode, durable=False)


def _filled(handle: int, temp: str, data: bytes, mode: int, durable: bool) -> str:
    """The new temporary file ``temp`` (open as ``handle``, which this closes) with
    ``data`` and ``mode`` (whatever the umask is now), fsynced if ``durable``; removed
    if anything fails."""
    try:
        try:
            os.fchmod(handle, mode)
            with memoryview(data) as rest:
                while rest:
                    rest = rest[os.write(handle, rest) :]
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return temp


def create_file(path: Path, data: bytes, *, inside: Path | None, durable: bool = True) -> None:
    """Write a new file atomically; raise FileExistsError rather than replace one.

    ``inside``: the folder (the KB root) the file's real path must be in, checked
    before any folder is made; None only for a file meant to be outside any KB
    (``export --out``). The content goes to a temporary file in the same folder,
    is fsynced, then hard-linked into place: the link fails if the name exists,
    so a file that appeared meanwhile is never overwritten, and a crash leaves no
    half file. ``durable=False`` skips the fsyncs for a batch of new files; the
    caller then calls ``flush_to_disk()`` once after the last one.
    """
    if inside is not None:
        real_path_inside(inside, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_with(path.parent, path.name, data, 0o666 & ~_umask(), durable)
    try:
        try:
            os.link(temp, path)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            # No hard links here (some network and FAT file systems): O_EXCL keeps the promise.
            with open(path, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        os.unlink(temp)
    if durable:
        _fsync_dir(path.parent)


def flush_to_disk() -> None:
    """Make every file written with ``durable=False`` durable (one sync for a whole batch)."""
    os.sync()


class FileChangedError(Exception):
    """The file changed on disk after netkb read it; nothing was written to it."""


def replace_file(
    path: Path,
    data: bytes,
    unchanged: Callable[[], bool] | None = None,
    *,
    inside: Path | None,
) -> None:
    """Replace an existing file atomically, keeping its permission bits.

    ``inside`` as for ``create_file``. The new content goes to a temporary file in
    the same folder and is fsynced; then ``unchanged()`` (if given) confirms that
    the file still holds what the caller read, and ``os.replace`` swaps the new
    file in. A crash or an exception at any point leaves either the old file or
    the new one, whole.
    """
    # A symlinked file: replace what it points at, which must be in the KB too.
    path = real_path_inside(inside, path) if inside is not None else Path(os.path.realpath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    temp = _temp_with(path.parent, path.name, data, mode)
    try:
        if unchanged is not None and not unchanged():
            raise FileChangedError(f"{path} changed on disk while netkb was writing it")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)


# -- netkb's own folders ------------------------------------------------------------------


class OwnedFolder:
    """A folder netkb owns and rewrites as it likes: the generated pages (``.netkb/docs``),
    the theme overrides, the record cache, the built site.

    Writes here are atomic (a temporary file in the same folder, then ``os.replace``), so
    a reader never sees half a file, but not fsynced: everything here is made again from
    the sources, so a crash costs a rebuild, never data, and a build of 10,000 pages does
    not wait for the disk 10,000 times. Like every write, they stay ``inside`` the KB:
    the folder and each folder a write goes into are checked by their real path, once
    each, so a symlink planted in a cloned KB (``.netkb/docs/people`` → elsewhere) cannot
    send a write out of it.
    """

    def __init__(self, folder: Path, *, inside: Path) -> None:
        self.folder = folder
        self.inside = inside
        self._checked: set[str] = set()  # folders found inside (they exist once written to)
        self._made: set[str] = set()
        self._mode: int | None = None

    def _check(self, folder: Path | str, make: bool = False) -> None:
        key = str(folder)
        if key not in self._checked:
            real_path_inside(self.inside, Path(folder))
            self._checked.add(key)
        if make and key not in self._made:
            os.makedirs(key, exist_ok=True)
            self._made.add(key)

    def write(self, relative: str, data: bytes) -> None:
        """Create or replace the file at ``relative`` (``people/jane.md``) with ``data``
        (paths as strings: a cold build writes 10,000 pages, and Path objects and
        ``mkstemp``'s random names were most of the time)."""
        path = os.path.join(self.folder, relative)
        parent, name = os.path.split(path)
        self._check(parent, make=True)
        if self._mode is None:
            self._mode = 0o666 & ~_umask()
        temp = _counted_temp(parent, name, data, self._mode)
        try:
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def remove(self, relative: str) -> bool:
        """Delete the file at ``relative`` (a symlink itself, never what it points at);
        False when there was none."""
        path = self.folder / relative
        self._check(path.parent)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        return True

    def remove_folder(self, relative: str) -> None:
        """Delete the folder at ``relative`` if it is empty."""
        path = self.folder / relative
        self._check(path)
        self._checked.discard(str(path))
        self._made.discard(str(path))
        try:
            os.rmdir(path)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTEMPTY, errno.EEXIST):
                raise

    def remove_all(self) -> None:
        """Delete the folder and everything in it (symlinks in it are not followed)."""
        self._check(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self._checked.clear()
        self._made.clear()


def open_lock_file(path: Path, *, inside: Path) -> int:
    """Open (creating it if needed) the file a lock is taken on; returns its descriptor.

    The lock file is never written, only opened in place (replacing it would hand two
    processes two different files to lock), so it is not atomic; but it stays ``inside``
    the KB like every other file netkb makes."""
    real_path_inside(inside, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
