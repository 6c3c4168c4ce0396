"""Work shared out to forked processes: rendering pages, building them, auditing them.

A forked worker inherits everything the parent has set up (the loaded network, compiled
templates, MkDocs' config and navigation), so only the shares' indexes go to the
workers and only their results come back. Forking is done only where it is safe (a
POSIX system and no other thread: ``netkb serve``'s threads rule it out), and the
results are those of the same work done in one process, in the same order (the callers'
tests hold them equal).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

S = TypeVar("S")
R = TypeVar("R")
M = TypeVar("M")

_inherited: dict[str, Any] = {}  # what the forked workers see: the work and its shares
_freezes = 0  # how many ``frozen`` blocks are open


@contextmanager
def frozen() -> Iterator[None]:
    """Keep the objects that exist now out of the garbage collector's scans until the
    outermost ``frozen`` block ends. A build's records live until it ends: at 10,000
    people the collector's full passes over them took a second of an edit's build, and
    in a forked worker they would copy every page of memory they touch."""
    global _freezes
    gc.freeze()  # the objects made since an outer block began are frozen too
    _freezes += 1
    try:
        yield
    finally:
        _freezes -= 1
        if _freezes == 0:
            gc.unfreeze()


def can_fork() -> bool:
    """Whether forking is safe here: a POSIX system and no other thread running (a
    forked child inherits locks other threads may hold; ``netkb serve`` builds alone)."""
    return hasattr(os, "fork") and threading.active_count() == 1


@dataclass
class _Raised:
    """An exception of a worker, carried back to be raised in the parent."""

    error: BaseException


def in_forks(
    work: Callable[[S], R],
    shares: Sequence[S],
    workers: int,
    *,
    meanwhile: Callable[[], M] | None = None,
    done: Callable[[int], None] | None = None,
    each: Callable[[int, R], None] | None = None,
) -> tuple[list[R], M | None]:
    """``[work(share) for share in shares]`` in up to ``workers`` forked processes, and
    ``meanwhile()`` in this one while they run; ``done(n)`` each time a share is finished,
    n of them by then (in forks it is called from another thread, while ``meanwhile``
    runs: a progress bar moves on); ``each(index, result)`` in this process, in order, as
    the results come in: in forks after ``meanwhile``, taking in one while the workers go
    on with later shares; here, after each share. With one worker, one share, or where
    forking is not safe, all of it runs here, in order. An exception of a worker is raised
    here (``each`` may have taken in the results of earlier shares by then)."""
    if workers <= 1 or len(shares) <= 1 or not can_fork():
        results = []
        for number, share in enumerate(shares, 1):
            results.append(work(share))
            if each is not None:
                each(number - 1, results[-1])
            if done is not None:
                done(number)
        return results, meanwhile() if meanwhile is not None else None
    _inherited.update(work=work, shares=shares)
    finished = 0
    failed: list[BaseException] = []  # the first error of ``done``
    lock = threading.Lock()

    def one_more(_result: Any) -> None:  # in the pool's thread that collects results
        nonlocal finished
        with lock:
            finished += 1
            if done is not None and not failed:
                try:
                    done(finished)
                except Exception as exc:  # raised here, it would stop the pool's thread
                    failed.append(exc)

    # What the workers inherit is never collected there: scanning it would copy every
    # page of memory it touches into each of them.
    import multiprocessing  # here: ``started`` alone need not load it (a warm ``check``)

    try:
        with frozen(), multiprocessing.get_context("fork").Pool(min(workers, len(shares))) as pool:
            pending = [
                pool.apply_async(_run, (index,), callback=one_more) for index in range(len(shares))
            ]
            extra = meanwhile() if meanwhile is not None else None
            results = []
            for index, result in enumerate(p.get() for p in pending):
                if isinstance(result, _Raised):
                    raise result.error
                if each is not None:
                    each(index, result)
                results.append(result)
    finally:
        _inherited.clear()
    if failed:
        raise failed[0]
    return results, extra


def _run(index: int) -> Any:
    """In a worker: the work on share ``index``; an exception comes back as a value (one
    that cannot be pickled, as a RuntimeError that names it)."""
    try:
        return _inherited["work"](_inherited["shares"][index])
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            return _Raised(RuntimeError(f"{type(exc).__name__}: {exc}"))
        return _Raised(exc)


class Child(Generic[R]):
    """A forked child working on a result (``started``). Calling it waits for the child
    and gives the result, once: None when there is none (forking was not safe, the child
    raised or was killed, or it was asked for already). ``cancel()`` ends the child
    without its result. Either way the child is waited for: none is left behind."""

    def __init__(self, pid: int | None = None, reading: int | None = None) -> None:
        self._pid, self._reading = pid, reading

    def __call__(self) -> R | None:
        pid, reading = self._pid, self._reading
        if pid is None or reading is None:
            return None
        self._pid = self._reading = None  # asked for once, whatever happens now
        try:
            with open(reading, "rb") as pipe:
                data = pipe.read()  # before waiting: a full pipe would block the child
        finally:  # waited for even when this process is interrupted: no zombie is left
            status = _reaped(pid)
        if status != 0 or not data:
            return None  # a child that failed after writing part of its result: not read
        return cast(R, pickle.loads(data))  # our own child's, never a file's

    def cancel(self) -> None:
        """End the child now and wait for it; its result is not read."""
        pid, reading = self._pid, self._reading
        if pid is None or reading is None:
            return
        self._pid = self._reading = None
        try:
            os.close(reading)  # a child writing gets EPIPE or SIGPIPE
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # its own handlers (a server's) never delay it
        finally:
            _reaped(pid)


def _reaped(pid: int) -> int:
    """Wait for the child ``pid``; its status (-1: reaped already, it is unsure)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # reaped already (SIGCHLD ignored)
        return -1


def started(work: Callable[[], R]) -> Child[R]:
    """``work()`` begun in a forked child, to run while this process goes on with
    something else; calling what is returned waits for the child and gives its result
    (pickled back through a pipe), or None where forking is not safe (``can_fork``) or
    the child gave no result: the caller then does the work itself. For work that takes
    longer than a fork, a pipe and a pickle (``load``'s walk of 30,000 files while it
    decodes the record cache)."""
    if not can_fork():
        return Child()

    def send(writing: int) -> None:
        left = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
        while left:  # into the pipe (no file): a write takes what the pipe holds
            left = left[os.write(writing, left) :]

    return Child(*forked(send, child_writes=True))


class Later(Generic[R]):
    """``work()`` begun now in a forked child (``started``; ``apart`` False: none).
    Calling it gives the result, the same each time: the child's, or, where no child
    gave one, ``work()`` done here then. ``discard()`` ends the child without a result
    (a failure made it useless). One of the two must be called: the child waits for its
    result to be read."""

    def __init__(self, work: Callable[[], R], *, apart: bool = True) -> None:
        self._work = work
        self._child: Child[R] = started(work) if apart else Child()
        self._results: list[R] = []

    def __call__(self) -> R:
        if not self._results:
            value = self._child()
            self._results.append(self._work() if value is None else value)
        return self._results[0]

    def discard(self) -> None:
        self._child.cancel()


def forked(child: Callable[[int], None], *, child_writes: bool) -> tuple[int, int]:
    """Fork a child that runs ``child(fd)`` with its end of a new pipe (the writing end
    with ``child_writes``, else the reading end) and then ends, with status 0 if
    ``child`` returned. Returns the child's pid and this process's end of the pipe.
    The child leaves through ``os._exit``: no atexit handlers run and no buffers are
    flushed there, they are this process's."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        status = 1
        try:
            os.close(reading if child_writes else writing)
            child(writing if child_writes else reading)
            status = 0
        finally:
            os._exit(status)
    os.close(writing if child_writes else reading)
    return pid, reading if child_writes else writing
