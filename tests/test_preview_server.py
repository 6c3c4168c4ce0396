"""The pieces behind ``netkb serve``: the watcher only reports, the server rebuilds.

The real ``netkb serve`` runs in test_serve.py; here a fake site and a fake watcher
show the seams: a watcher callback only records and returns, the rebuild runs on the
server's build loop with exactly the recorded paths, a failed rebuild is reported and
the server keeps serving, and foreign Host headers are refused.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.observers.inotify_c import InotifyConstants

import netkb.serve.watcher as watcher_module
from netkb.render.urls import built_file, letter_of, letter_page, page_url, person_page
from netkb.serve.live import SiteUpdate
from netkb.serve.server import PreviewServer
from netkb.serve.watcher import SourceWatcher

WAIT = 10.0


def until(what: str, condition: Callable[[], object]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeSession:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir


class FakeSite:
    """What PreviewServer needs of a LiveSite; ``fail`` makes the next update raise."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.session = FakeSession(root / "site")
        self.updates: list[tuple[set[Path], int]] = []
        self.fail = False
        self.facts: object | None = "built"  # None: the first build has not run yet
        self.progress: tuple[str, int, int] | None = None
        self.site_deleted = False  # the audit removed the site (serve shows a notice)

    def update(self, changed, publish=None, hold=None, superseded=None, writing=None):
        self.updates.append((set(changed), threading.get_ident()))
        if self.fail:
            self.fail = False
            raise RuntimeError("a bug in the rebuild")
        return SiteUpdate([])


class FakeWatcher:
    def __init__(self, root: Path, on_change: Callable[[list[Path]], None]) -> None:
        self.on_change = on_change
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


def get(port: int, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/index.html", headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_watcher_records_and_the_build_loop_rebuilds(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("<html><body>Home</body></html>")
    site = FakeSite(tmp_path)
    reported: list[SiteUpdate | Exception] = []
    port = free_port()
    watchers: list[FakeWatcher] = []

    def make_watcher(root: Path, on_change: Callable[[list[Path]], None]) -> FakeWatcher:
        watchers.append(FakeWatcher(root, on_change))
        return watchers[-1]

    server = PreviewServer(site, "127.0.0.1", port, reported.append, watcher=make_watcher)
    server.listen()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until("the watcher to start", lambda: watchers and watchers[0].running)
        (watcher,) = watchers
        jane = tmp_path / "contacts/jane.md"
        watcher.on_change([jane])  # returns at once: the rebuild is the build loop's
        until("a rebuild", lambda: site.updates)
        assert site.updates == [({jane}, thread.ident)]
        until("the report", lambda: reported)
        assert [type(r) for r in reported] == [SiteUpdate]

        site.fail = True
        watcher.on_change([jane])
        until("a failed rebuild's report", lambda: len(reported) == 2)
        assert isinstance(reported[1], RuntimeError)
        watcher.on_change([tmp_path / "contacts/bob.md"])
        until("the next rebuild", lambda: len(reported) == 3)
        assert site.updates[-1][0] == {tmp_path / "contacts/bob.md"}

        assert get(port, f"127.0.0.1:{port}") == 200
        assert get(port, f"localhost:{port}") == 200
        assert get(port, "evil.example") == 403
    finally:
        server.stop()
        thread.join(WAIT)
    assert not thread.is_alive()
    assert not watchers[0].running


def test_the_source_watcher_reports_sources_only(tmp_path):
    root = tmp_path.resolve()
    (root / "contacts").mkdir()
    (root / "mkdocs.yml").write_text("site_name: T\n")
    seen: list[Path] = []
    watcher = SourceWatcher(root, seen.extend)
    watcher.start()
    try:
        (root / "contacts/.jane.md.swp").write_text("swap")
        (root / "README.md").write_text("# not a source\n")
        (root / "contacts/jane.md").write_text("---\nname: Jane\n---\n")
        until("jane.md", lambda: root / "contacts/jane.md" in seen)
        (root / "log").mkdir()  # a source folder made later is watched too
        until("log/", lambda: root / "log" in seen)
        (root / "log/lunch.md").write_text("---\ndate: 2026-01-02\nwith: jane\n---\n")
        until("log/lunch.md", lambda: root / "log/lunch.md" in seen)
    finally:
        watcher.stop()
    assert root / "README.md" not in seen
    assert root / "contacts/.jane.md.swp" not in seen


def test_reading_the_sources_queues_no_events(tmp_path, monkeypatch):
    """A load reads every file: the kernel must not queue an event for each (its queue
    overflows at 16,384, and a save that comes along is lost); only changes are asked for."""
    root = tmp_path.resolve()
    (root / "contacts/acme").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\n")
    for n in range(50):
        (root / f"contacts/acme/p{n}.md").write_text(f"---\nname: P {n}\n---\n")
    kinds: list[str] = []
    events = watcher_module._Events.on_any_event

    def spying(self, event):
        kinds.append(event.event_type)
        events(self, event)

    monkeypatch.setattr(watcher_module._Events, "on_any_event", spying)
    seen: list[Path] = []
    watcher = SourceWatcher(root, seen.extend)
    watcher.start()
    try:
        for path in sorted((root / "contacts").rglob("*.md")):
            path.read_bytes()
        (root / "mkdocs.yml").read_bytes()
        (root / "contacts/acme/p0.md").write_text("---\nname: P Zero\n---\n")
        until("p0.md", lambda: root / "contacts/acme/p0.md" in seen)
        masks = [
            e.get_event_mask_from_filter()
            for e in watcher._observer.emitters
            if hasattr(e, "get_event_mask_from_filter")  # inotify's: the kernel's own filter
        ]
    finally:
        watcher.stop()
    assert "modified" in kinds or "closed" in kinds
    assert "opened" not in kinds and "closed_no_write" not in kinds
    assert masks  # Linux, where the tests run
    unwanted = (
        InotifyConstants.IN_OPEN | InotifyConstants.IN_CLOSE_NOWRITE | InotifyConstants.IN_ACCESS
    )
    assert all(mask & unwanted == 0 for mask in masks)


def test_page_paths_and_urls_come_from_one_module():
    assert person_page("jane-doe") == "people/jane-doe.md"
    assert page_url(person_page("jane-doe"), directory=True) == "people/jane-doe/"
    assert built_file(person_page("jane-doe"), directory=True) == "people/jane-doe/index.html"
    assert built_file(person_page("jane-doe"), directory=False) == "people/jane-doe.html"
    assert built_file("index.md", directory=True) == "index.html"
    assert [letter_of(n) for n in ("ana", "Zoë", "Ørsted", "李")] == ["A", "Z", "Other", "Other"]
    assert letter_page(letter_of("Ørsted")) == "letters/other.md"
