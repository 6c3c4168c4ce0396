"""``netkb serve`` with no site yet builds it before any thread starts, in forked workers
as ``netkb build`` does, while a forked child answers requests with the progress page;
saves made meanwhile are caught once the watcher starts (``PreviewServer.build_first``)."""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import copy_demo
from test_preview_server import FakeWatcher, until

import netkb.serve.live as live_module
from netkb.serve.live import LiveSite, SiteUpdate
from netkb.serve.server import PreviewServer, _progress_answered


def get(port: int, path: str = "/index.html", host: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_the_child_answers_with_the_progress_it_is_told(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        names = frozenset({"127.0.0.1"})
        with _progress_answered(listener, names) as tell:
            status, body = get(port)
            assert status == 404 and "Reading your files…" in body
            tell("render", 120, 300)
            until("the progress", lambda: "Rendering pages: 120 of 300" in get(port)[1])
            tell("build", 7, 9)
            until("the next stage", lambda: "Building pages: 7 of 9" in get(port)[1])
            assert 'value="7"' in get(port, "/people/anyone.html")[1]
            # DNS rebinding: a page elsewhere cannot read it through another host name.
            assert get(port, host="evil.example")[0] == 403
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)  # the child was waited for: none is left
        # The socket is this process's again: a connection waits for it to accept.
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        accepted, _ = listener.accept()
        accepted.close()
        client.close()


def served_demo(tmp_path: Path) -> tuple[PreviewServer, list[SiteUpdate | Exception], int]:
    site = LiveSite(copy_demo(tmp_path / "kb"))
    reported: list[SiteUpdate | Exception] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = PreviewServer(site, "127.0.0.1", port, reported.append, watcher=FakeWatcher)
    server.listen()
    return server, reported, port


def test_the_first_build_forks_and_an_edit_made_meanwhile_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers: list[int] = []
    refresh = live_module.refresh

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        workers.append(kwargs["workers"])
        return refresh(*args, **kwargs)

    monkeypatch.setattr(live_module, "refresh", counted)
    server, reported, port = served_demo(tmp_path)
    root = server.site.root
    build = server.site.build
    person = root / "contacts/anna-kowalska.md"

    def save_meanwhile(workers: int) -> SiteUpdate:  # a save while the pages are built
        update = build(workers)
        person.write_text(
            person.read_text("utf-8").replace("Freelance tech journalist", "Harbour pilot"),
            "utf-8",
        )
        return update

    monkeypatch.setattr(server.site, "build", save_meanwhile)
    assert server.build_first(2)
    assert workers == [2]
    (first,) = reported
    assert isinstance(first, SiteUpdate) and first.findings == []
    page = root / "site/people/anna-kowalska.html"
    assert "Freelance tech journalist" in page.read_text("utf-8")
    assert server.site.missed() == {person}
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until("the save made meanwhile", lambda: "Harbour pilot" in page.read_text("utf-8"))
        assert get(port, "/people/anna-kowalska.html")[0] == 200
        until("its report", lambda: len(reported) == 2)
        assert isinstance(reported[1], SiteUpdate)
        assert "people/anna-kowalska.md" in reported[1].written
    finally:
        server.stop()
        thread.join(10)
    assert not thread.is_alive()


def test_with_another_thread_the_build_loop_builds(tmp_path: Path) -> None:
    server, reported, _port = served_demo(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert server.build_first(2) is False  # forking is not safe: nothing was built
    finally:
        stop.set()
        other.join()
    assert reported == [] and server.site.facts is None
    assert not (server.site.root / "site/index.html").exists()


def test_a_failed_first_build_is_reported_once_and_waits_for_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, reported, _port = served_demo(tmp_path)

    def broken(workers: int) -> SiteUpdate:
        raise RuntimeError("the build broke")

    monkeypatch.setattr(server.site, "build", broken)
    assert server.build_first(2)
    assert [str(r) for r in reported] == ["the build broke"]
    requested: list[bool] = []
    monkeypatch.setattr(server.reload, "request_rebuild", lambda: requested.append(True))
    monkeypatch.setattr(server.reload, "serve", lambda: None)
    server.run()  # no rebuild is asked for: the next change builds everything
    assert requested == []


def test_build_first_needs_two_workers(tmp_path: Path) -> None:
    server, reported, _port = served_demo(tmp_path)
    assert server.build_first(1) is False
    assert reported == []


def test_a_slow_client_holds_up_no_other() -> None:
    from netkb.serve.server import ANSWER_SECONDS

    stop = threading.Event()

    def trickle(connection: socket.socket) -> None:  # a byte now and then, never a whole head
        while not stop.wait(0.2):
            try:
                connection.send(b"G")
            except OSError:
                return

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with _progress_answered(listener, frozenset({"127.0.0.1"})) as tell:
            tell("render", 1, 2)
            slow = socket.create_connection(("127.0.0.1", port), timeout=10)
            threading.Thread(target=trickle, args=(slow,), daemon=True).start()
            started = time.monotonic()
            assert get(port)[0] == 404  # the progress page, once the slow one timed out
            assert time.monotonic() - started < ANSWER_SECONDS + 2
            slow2 = socket.create_connection(("127.0.0.1", port), timeout=10)
            ending = time.monotonic()
        assert time.monotonic() - ending < ANSWER_SECONDS + 2  # the child ended in time
        stop.set()
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)
        slow.close()
        slow2.close()
