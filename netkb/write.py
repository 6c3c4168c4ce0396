"""The one way netkb writes files: atomically, and never over a file it did not mean to."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

_UMASK_GUARD = threading.Lock()


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
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".netkb-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if durable:
                os.fsync(handle.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def create_file(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write a new file atomically; raise FileExistsError rather than replace one.

    The content goes to a temporary file in the same folder, is fsynced, then
    hard-linked into place: the link fails if the name exists, so a file that
    appeared meanwhile is never overwritten, and a crash leaves no half file.
    ``durable=False`` skips the fsyncs for a batch of new files; the caller then
    calls ``flush_to_disk()`` once after the last one.
    """
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


def replace_file(path: Path, data: bytes, unchanged: Callable[[], bool] | None = None) -> None:
    """Replace an existing file atomically, keeping its permission bits.

    The new content goes to a temporary file in the same folder and is fsynced;
    then ``unchanged()`` (if given) confirms that the file still holds what the
    caller read, and ``os.replace`` swaps the new file in. A crash or an
    exception at any point leaves either the old file or the new one, whole.
    """
    path = Path(os.path.realpath(path))  # a symlinked file: replace what it points at
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
