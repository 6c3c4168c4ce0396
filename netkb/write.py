"""The one way netkb writes files: atomically, and never over a file it did not mean to."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def _umask() -> int:
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


def _temp_with(folder: Path, name: str, data: bytes, mode: int) -> str:
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".netkb-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def create_file(path: Path, data: bytes) -> None:
    """Write a new file atomically; raise FileExistsError rather than replace one.

    The content goes to a temporary file in the same folder, is fsynced, then
    hard-linked into place: the link fails if the name exists, so a file that
    appeared meanwhile is never overwritten, and a crash leaves no half file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_with(path.parent, path.name, data, 0o666 & ~_umask())
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
    _fsync_dir(path.parent)
