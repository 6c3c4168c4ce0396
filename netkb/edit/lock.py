"""One writer at a time: an advisory lock on ``.netkb/lock`` in the knowledge base.

Every netkb command that changes files holds this lock from the moment it reads
what it will change until its last write, so two netkb processes never
interleave (two imports cannot both create the same person). The lock is
``fcntl.flock`` on an open file: the kernel drops it when the process dies, so
a crash never leaves a stale lock behind. Taking it again in the same process
(an import that edits files through ``netkb.edit.edit``) is allowed and nests.

Taking the lock is also when netkb tidies up after writers that were killed:
every netkb write into contacts/, orgs/ and log/ happens under this lock, so
while we hold it any ``*.netkb-tmp`` file there is a leftover, never a file a
live writer is still filling (``netkb.core.write.remove_stale_temp_files``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from netkb.core.write import OutsideKnowledgeBase, open_lock_file, remove_stale_temp_files
from netkb.load.loader import LOG_DIR, ORGS_DIR, PEOPLE_DIR

LOCK_FILE = ".netkb/lock"
DEFAULT_TIMEOUT = 60.0
_POLL = 0.05


class LockTimeout(Exception):
    """Another netkb process kept the knowledge base locked for too long."""


class LockRefused(LockTimeout):
    """The lock file would lie outside the knowledge base (``.netkb`` is a symlink out of
    it), so the lock cannot be taken at all. A LockTimeout, so that every command that
    reports one reports this too, with the reason, instead of a traceback."""


# Per process: which knowledge bases this process holds, and how deeply (the lock nests).
_held: dict[Path, tuple[int, int]] = {}
_guard = threading.Lock()


def lock_path(root: Path) -> Path:
    """Where the lock of the knowledge base at ``root`` lives."""
    return root / LOCK_FILE


@contextlib.contextmanager
def kb_lock(
    root: Path,
    timeout: float = DEFAULT_TIMEOUT,
    waiting: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the knowledge base's write lock for the ``with`` block.

    Waits up to ``timeout`` seconds for another process to finish, calling
    ``waiting()`` once if it has to wait, then raises LockTimeout.
    """
    key = root.resolve()
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            nested = True
        else:
            nested = False
    if not nested:
        fd = _acquire(key, timeout, waiting)
        with _guard:
            _held[key] = (fd, 1)
        try:
            remove_stale_temp_files(key, (PEOPLE_DIR, ORGS_DIR, LOG_DIR))
        except BaseException:
            _release(key)
            raise
    try:
        yield
    finally:
        _release(key)


def _release(key: Path) -> None:
    with _guard:
        fd, depth = _held[key]
        if depth > 1:
            _held[key] = (fd, depth - 1)
            fd = -1
        else:
            del _held[key]
    if fd != -1:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(root: Path, timeout: float, waiting: Callable[[], None] | None) -> int:
    path = lock_path(root)
    try:
        fd = open_lock_file(path, inside=root)
    except OutsideKnowledgeBase as exc:
        raise LockRefused(str(exc)) from None
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockTimeout(
                    f"another netkb process has been changing {root} for more than "
                    f"{timeout:.0f} s (it holds {path}); try again when it is done"
                ) from None
            if not told and waiting is not None:
                waiting()
                told = True
            time.sleep(_POLL)
