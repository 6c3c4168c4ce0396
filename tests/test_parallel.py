"""Work shared out to forked processes gives what one process gives (``core/parallel.py``,
``render_pages(workers=…)``)."""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

import netkb.build.audit as audit_module
import netkb.build.site as site_module
import netkb.render.render as render_module
from netkb.build.audit import audit_site
from netkb.build.site import Generator
from netkb.core import parallel
from netkb.core.parallel import in_forks
from netkb.render.render import SiteRenderer
from tests.conftest import copy_demo


def square_with_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_in_forks_keeps_the_order_and_runs_meanwhile_here() -> None:
    finished: list[int] = []
    results, here = in_forks(
        square_with_pid, list(range(12)), 2, meanwhile=os.getpid, done=finished.append
    )
    assert [value for value, _pid in results] == [n * n for n in range(12)]
    assert here == os.getpid()
    assert {pid for _value, pid in results} - {os.getpid()}  # the workers are other processes
    assert finished == list(range(1, 13))


@pytest.mark.parametrize("workers", [1, 2])
def test_each_result_is_taken_in_here_in_order_as_it_comes(workers: int) -> None:
    taken: list[tuple[int, int, int]] = []  # index, result, the process that took it

    def each(index: int, result: tuple[int, int]) -> None:
        taken.append((index, result[0], os.getpid()))

    results, _ = in_forks(square_with_pid, list(range(9)), workers, each=each)
    assert taken == [(n, n * n, os.getpid()) for n in range(9)]
    assert [value for value, _pid in results] == [n * n for n in range(9)]


def test_in_forks_runs_here_where_forking_is_not_safe() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.can_fork()  # a forked child would inherit the thread's locks
        results, _ = in_forks(square_with_pid, [1, 2, 3], 2)
    finally:
        stop.set()
        other.join()
    assert results == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:  # pickle calls it with one argument
        super().__init__(f"{first} {second}")


def fail_on_three(number: int) -> int:
    if number == 3:
        raise ValueError("three is not allowed")
    if number == 5:
        raise Unpicklable("five", "neither")
    return number


def test_an_exception_of_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="three is not allowed"):
        in_forks(fail_on_three, [1, 2, 3, 4], 2)
    with pytest.raises(RuntimeError, match="Unpicklable: five neither"):
        in_forks(fail_on_three, [1, 5], 2)


def test_forked_workers_render_the_same_pages_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_demo(tmp_path / "demo")
    generator = Generator(root)
    network = generator.load()
    facts = generator.link(network)
    one = SiteRenderer(facts, root / "templates")
    alone = one.pages(workers=1)
    # The demo is small: make it share out its 30-odd person pages, three at a time
    # after the first two.
    monkeypatch.setattr(render_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(render_module, "FIRST", 2)
    monkeypatch.setattr(render_module, "SHARE", 3)
    calls: list[int] = []
    progress: list[tuple[int, int]] = []
    two = SiteRenderer(facts, root / "templates")
    shared = two.pages(
        lambda done, total: progress.append((done, total)),
        workers=2,
        also=lambda: calls.append(os.getpid()),
    )
    people = sum(1 for path in alone if path.startswith("people/"))
    assert people > 6
    assert list(shared) == list(alone)  # the same pages, in the same order
    assert shared == alone
    assert two.all_paths == one.all_paths
    assert calls == [os.getpid()]  # ``also`` ran once, in this process
    assert progress[0] == (2, people)
    assert progress[-1] == (people, people)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_a_full_render_with_workers_writes_the_calendar(tmp_path: Path, monkeypatch) -> None:
    root = copy_demo(tmp_path / "demo")
    monkeypatch.setattr(render_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(render_module, "FIRST", 5)
    alone, shared = Generator(root), Generator(root)
    facts = alone.link(alone.load())
    first = alone.render(facts, workers=1)
    second = shared.render(shared.link(shared.load()), workers=2)
    assert first.pages == second.pages
    assert alone.calendar and alone.calendar == shared.calendar
    assert b"BEGIN:VCALENDAR" in shared.calendar


@pytest.mark.parametrize("fail", [False, True])
def test_a_child_writes_the_calendar_of_a_full_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: bool
) -> None:
    root = copy_demo(tmp_path / "demo")
    alone = Generator(root)
    first = alone.render(alone.link(alone.load()), workers=1)
    monkeypatch.setattr(site_module, "APART_FROM", 2)
    parent = os.getpid()
    here: list[int] = []  # this process wrote the feed
    children: list[int] = []  # a child's feed was taken
    write = Generator._written_calendar

    def written(generator: Generator, facts):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            here.append(parent)
        elif fail:
            raise RuntimeError("the child fails")
        return write(generator, facts)

    def started(work):  # type: ignore[no-untyped-def]
        waited = parallel.started(lambda: (work(), os.getpid()))

        def result():  # type: ignore[no-untyped-def]
            got = waited()
            if got is None:
                return None
            children.append(got[1])
            return got[0]

        return result

    monkeypatch.setattr(Generator, "_written_calendar", written)
    monkeypatch.setattr(site_module, "started", started)
    apart = Generator(root)
    second = apart.render(apart.link(apart.load()), workers=2)
    assert second.pages == first.pages
    assert apart.calendar == alone.calendar
    assert apart.calendar_events == alone.calendar_events
    assert apart.calendar_key == alone.calendar_key
    if fail:  # no result from the child: this process wrote the feed after all
        assert (here, children) == ([parent], [])
    else:
        assert here == [] and len(children) == 1 and children[0] != parent


@pytest.fixture
def demo_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo, whose calendar and search documents are made in children (from two
    people on, not 400)."""
    monkeypatch.setattr(site_module, "APART_FROM", 2)
    return copy_demo(tmp_path / "demo")


def test_the_calendar_child_is_waited_for_when_the_render_fails(
    demo_apart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = demo_apart
    waited: list[bool] = []

    def started(work):  # type: ignore[no-untyped-def]
        result = parallel.started(work)
        return lambda: (waited.append(True), result())[1]

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a page family failed")

    monkeypatch.setattr(site_module, "started", started)
    monkeypatch.setattr(SiteRenderer, "pages", broken)
    generator = Generator(root)
    with pytest.raises(RuntimeError, match="a page family failed"):
        generator.render(generator.link(generator.load()), workers=2)
    assert waited == [True]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left


def test_later_gives_the_childs_result_each_time_and_leaves_no_child() -> None:
    result = parallel.Later(lambda: [os.getpid()])
    first = result()
    assert first != [os.getpid()]  # made in a child
    assert result() is first
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_later_does_the_work_here_when_the_child_fails_or_there_is_none() -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "made here"

    assert parallel.Later(work)() == "made here"
    ran: list[int] = []
    result = parallel.Later(lambda: ran.append(os.getpid()) or len(ran), apart=False)
    assert ran == []  # nothing is done before it is asked for
    assert (result(), result(), ran) == (1, 1, [parent])


def test_the_search_child_is_waited_for_when_writing_fails(
    demo_apart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = demo_apart
    ended: list[str] = []

    class Recorded(parallel.Later):  # type: ignore[type-arg]
        def __call__(self):  # type: ignore[no-untyped-def]
            ended.append("used")
            return super().__call__()

        def discard(self) -> None:
            ended.append("discarded")
            super().discard()

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("the disk is full")

    monkeypatch.setattr(site_module, "Later", Recorded)
    monkeypatch.setattr(Generator, "write_all", broken)
    generator = Generator(root)
    network = generator.load()
    generator.settle(network)
    with pytest.raises(OSError, match="the disk is full"):
        site_module.refresh(generator, network, workers=2)
    assert ended == ["discarded"]  # ended, its documents never made here
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left


def test_a_child_is_asked_for_its_result_once() -> None:
    """A second ask (after the first failed, say) gives None: the pipe is not read again
    (its number may name another file by then)."""
    child = parallel.started(lambda: 1 / 0)  # the child raises: no result
    assert child() is None
    with open(__file__, "rb") as unrelated:  # may reuse the pipe's number
        assert child() is None
        assert unrelated.read(3) == b'"""'
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    later = parallel.Later(lambda: 1 / 0)
    for _ in range(2):  # the child failed, then here: the same error, never EBADF
        with pytest.raises(ZeroDivisionError):
            later()


def test_a_discarded_child_ends_at_once_and_is_waited_for() -> None:
    started = time.monotonic()
    later = parallel.Later(lambda: time.sleep(60))
    later.discard()
    later.discard()  # once is enough
    assert time.monotonic() - started < 30  # ended, not waited out
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_forked_workers_audit_the_same_findings_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    robots = '<meta name="robots" content="noindex,nofollow">'
    names = []
    for number in range(40):
        folder = site / ("people" if number % 2 else "orgs")
        folder.mkdir(parents=True, exist_ok=True)
        body = f"<p>{number}</p>"
        if number % 3 == 0:
            body += (
                f'<img src="//evil.example/{number}.png"><script src="//x.example/a.js"></script>'
            )
        head = "" if number % 7 == 0 else robots
        (folder / f"p{number:02d}.html").write_text(f"<html><head>{head}</head>{body}</html>")
        names.append(f"{folder.name}/p{number:02d}.html")
    (site / "stray.csv").write_text("a\n")
    names.append("stray.csv")
    sources = {name: tmp_path / "contacts" / name.replace(".html", ".md") for name in names}
    alone = audit_site(site, sources, only=names)
    monkeypatch.setattr(audit_module, "PARALLEL_FROM", 2)
    shared = audit_site(site, sources, only=names, workers=2)
    assert len(alone) > 30
    assert shared == alone


def test_frozen_blocks_unfreeze_when_the_outermost_ends() -> None:
    with parallel.frozen():
        assert gc.get_freeze_count() > 0
        outer = gc.get_freeze_count()
        with parallel.frozen():
            kept = [object() for _ in range(10)]  # made after the outer block began
            assert gc.get_freeze_count() >= outer
        assert gc.get_freeze_count() >= outer  # the inner block's end unfreezes nothing
        assert kept
    assert gc.get_freeze_count() == 0


def test_progress_moves_on_while_this_process_does_its_own_part() -> None:
    started = threading.Event()

    def progress(_done: int) -> None:
        started.set()

    # This process waits (up to 20 s) for a worker's share to be reported as finished: if
    # ``done`` were called only after ``meanwhile``, it would wait in vain.
    results, seen = in_forks(
        square_with_pid, list(range(4)), 2, meanwhile=lambda: started.wait(20), done=progress
    )
    assert seen is True
    assert [value for value, _pid in results] == [0, 1, 4, 9]


def test_an_error_of_the_progress_callback_is_raised_here() -> None:
    def broken(_done: int) -> None:
        raise OSError("the terminal went away")

    with pytest.raises(OSError, match="terminal went away"):
        in_forks(square_with_pid, list(range(4)), 2, done=broken)
