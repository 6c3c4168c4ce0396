"""The live-preview server: netkb's watcher and ``LiveSite`` behind MkDocs' live-reload server.

A ``Watcher`` (``netkb.serve.watcher``) records which source files changed and wakes the
build loop of the live-reload server (``netkb.build.builder.LiveReload``), which waits for a
burst of saves to settle and then calls ``LiveSite.update`` with exactly those paths.
Requests whose Host header is a domain name other than localhost are refused, so a web
page elsewhere cannot read the site through DNS rebinding. Nothing here prints: each
update (or the exception a rebuild raised) goes to ``on_update``.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import html
import ipaddress
import os
import select
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from netkb.build.builder import LiveReload
from netkb.core.parallel import can_fork, forked
from netkb.serve.live import LiveSite, SiteUpdate
from netkb.serve.watcher import SourceWatcher, Watcher


class ServeError(Exception):
    """The server cannot start; the message says why in the user's terms."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(header: str, names: frozenset[str]) -> bool:
    """Whether a request's Host header may reach the site.

    IP literals are fine (DNS rebinding needs a domain name); of the names, only
    localhost and those the server was started with.
    """
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return host == "localhost" or host in names


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be listened on now (another program may take it later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return True


def next_free_port(host: str, port: int, tries: int = 20) -> int:
    """``port`` or the first free one after it; ServeError when ``tries`` ports are all taken."""
    for candidate in range(port, min(port + tries, 65536)):
        if port_is_free(host, candidate):
            return candidate
    taken = f"port {port}" if tries == 1 else f"ports {port}–{port + tries - 1}"
    verb = "is" if tries == 1 else "are all"
    raise ServeError(f"{taken} on {host} {verb} taken; choose another with --addr HOST:PORT")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to the terminal."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticServer:
    """Serves a built site folder as it is on 127.0.0.1 (``netkb open``); no rebuilds.

    Port 0 lets the system choose a free port; ``url`` says which one it took.
    """

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        try:
            self.httpd = ThreadingHTTPServer(
                (host, port), partial(_QuietHandler, directory=str(folder))
            )
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_port}/"

    def run(self) -> None:
        """Serve until Ctrl+C, SIGTERM or ``stop``, then close the socket and return."""
        try:
            with _sigterm_as_interrupt(), contextlib.suppress(KeyboardInterrupt):
                self.httpd.serve_forever()
        finally:
            self.httpd.server_close()

    def stop(self) -> None:
        """Make ``run`` return (from another thread)."""
        self.httpd.shutdown()


class PreviewServer:
    """Serves a built ``LiveSite`` at ``host:port`` and updates it as the sources change.

    ``watcher``: makes the watcher from the KB root and the callback that records
    changed paths (default: native file events).
    """

    def __init__(
        self,
        site: LiveSite,
        host: str,
        port: int,
        on_update: Callable[[SiteUpdate | Exception], None] = lambda update: None,
        watcher: Callable[[Path, Callable[[list[Path]], None]], Watcher] = SourceWatcher,
    ) -> None:
        self.site = site
        self.on_update = on_update
        self.pending: set[Path] = set()
        self.pending_lock = threading.Lock()
        names = {host.lower()}
        if not is_loopback(host):
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.allowed_names = frozenset(names)
        self.address = f"{host}:{port}"
        site_dir = site.session.site_dir or site.site_dir()
        self.reload = LiveReload(site_dir, host, port, rebuild=self._rebuild, allow=self._allowed)
        self.reload.error_page(self._missing)
        # Made in ``run``: watching runs a thread from the start, and ``build_first`` forks.
        self.make_watcher = watcher
        self.watcher: Watcher | None = None
        self.built_first = False  # ``build_first`` ran (whether the build succeeded or not)

    def listen(self) -> None:
        """Take the address; ServeError when it cannot be had (in use, not allowed)."""
        try:
            self.reload.bind()
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.address}: {exc.strerror}") from None

    def build_first(self, workers: int) -> bool:
        """Build the site before any thread starts, so that the build forks workers on
        every core as ``netkb build`` does (at 10,000 people 17 s instead of 30); a forked
        child answers every request with the progress page meanwhile. False where forking
        is not safe (or with one worker): ``run`` builds then, in its build loop. Ctrl+C
        stops it (KeyboardInterrupt)."""
        if workers <= 1 or not can_fork():
            return False
        self.built_first = True
        terminal = self.site.on_progress
        # No SIGTERM handler yet: the build's forked workers would inherit it, and their
        # pool ends them with SIGTERM. Until ``run``, SIGTERM simply ends the process.
        with _progress_answered(self.reload.listener(), self.allowed_names) as tell:

            def progress(stage: str, done: int, total: int) -> None:
                tell(stage, done, total)
                if terminal is not None:
                    terminal(stage, done, total)

            self.site.on_progress = progress
            try:
                update: SiteUpdate | Exception = self.site.build(workers)
            except Exception as exc:  # reported as the build loop reports its own
                update = exc
            finally:
                self.site.on_progress = terminal
        self.on_update(update)
        return True

    def run(self) -> None:
        """Serve until Ctrl+C or SIGTERM, then stop cleanly and return."""
        # What the first build keeps lives as long as the server: stop the garbage
        # collector from scanning it again on every edit (a fifth of an update at 10,000).
        gc.collect()
        gc.freeze()
        self.watcher = self.make_watcher(self.site.root, self.record)
        self.watcher.start()
        if self.site.facts is None and not self.built_first:
            # Serve what was built before at once; the first update brings it up to date.
            self.reload.request_rebuild()
        elif self.built_first and self.site.facts is not None and (missed := self.site.missed()):
            # Saves made while ``build_first`` ran, before the watcher started. (After a
            # failed one, or one whose site the audit removed, the next change builds
            # everything anyway.)
            self.record(sorted(missed))
        try:
            with _sigterm_as_interrupt(), contextlib.suppress(KeyboardInterrupt):
                self.reload.serve()
        finally:
            self.watcher.stop()
            self.reload.shutdown()

    def stop(self) -> None:
        """Make ``run`` return (from another thread)."""
        self.reload.shutdown()

    def record(self, paths: list[Path]) -> None:
        """The watcher's callback: note what changed and wake the build loop, nothing more."""
        with self.pending_lock:
            self.pending.update(paths)
        self.reload.request_rebuild()

    def _allowed(self, environ: dict[str, Any]) -> bool:
        return host_allowed(environ.get("HTTP_HOST", ""), self.allowed_names)

    def _rebuild(self) -> None:
        # Never raise: MkDocs' loop would leave every request waiting forever.
        with self.pending_lock:
            changed, self.pending = self.pending, set()
        if self.site.facts is None:
            # The first build (or one after a failure): the site built before, or the
            # progress page, answers while it runs; browsers reload when it is done. What
            # the build rewrites waits until the audit has read it (``quarantine``).
            self.reload.show_built()
        try:
            update = self.site.update(
                changed,
                publish=self._publish,
                hold=self.reload.hold_requests,
                superseded=self._superseded,
                writing=self.reload.quarantine,
            )
        except Exception as exc:  # a bug, not bad input: report it and keep serving
            self.on_update(exc)
        else:
            self.on_update(update)
        finally:
            self.reload.release()

    def _missing(self, status: int) -> bytes | None:
        """A page not built yet: while the first build runs, a page that says how far it
        got and looks again every two seconds; after the audit removed the site, a page
        that says so (and looks again: a fixed mkdocs.yml builds the site anew)."""
        if status != 404 or self.site.facts is not None:
            return None
        if self.site.site_deleted:
            return removed_page()
        return progress_page(self.site.progress)

    def _publish(self, first: SiteUpdate) -> None:
        """Show what is built so far: requests waiting for this build go ahead now."""
        self.on_update(first)
        self.reload.show_built()

    def _superseded(self) -> bool:
        """Whether newer changes wait (the build loop takes them next)."""
        with self.pending_lock:
            return bool(self.pending)


def progress_page(progress: tuple[str, int, int] | None) -> bytes:
    """The page a browser gets for a page that is not built yet, while the site builds."""
    what = "Reading your files…"
    if progress is not None:
        stage, done, total = progress
        verb = "Rendering" if stage == "render" else "Building"
        what = f"{verb} pages: {done:,} of {total:,}"
    bar = (
        f'<progress max="{progress[2]}" value="{progress[1]}"></progress>'
        if progress is not None and progress[2]
        else "<progress></progress>"
    )
    return _notice_page(
        "Building the site…",
        f"<p>{html.escape(what)}</p>{bar}"
        "<p>This page looks again every two seconds and shows the site when it is ready.</p>",
    )


def removed_page() -> bytes:
    """The page a browser gets after the audit removed the site (``netkb build`` removes
    it in the same case): it names no finding, the terminal does."""
    return _notice_page(
        "The site was not kept",
        "<p>The built site broke netkb's privacy rules (it would load something from "
        "another host or run a script), so it was removed. The terminal running "
        "<code>netkb serve</code> says where.</p>"
        "<p>Fix the cause (usually mkdocs.yml: extra_css, extra_javascript, extra, theme, "
        "custom_dir) and save: this page looks again every two seconds.</p>",
    )


def _notice_page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="robots" content="noindex,nofollow">'
        '<meta http-equiv="refresh" content="2">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:1.1rem system-ui,sans-serif;margin:20vh auto;max-width:32rem;"
        "padding:0 1rem;color:#333}progress{width:100%}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


@contextlib.contextmanager
def _progress_answered(
    listener: socket.socket, names: frozenset[str]
) -> Iterator[Callable[[str, int, int], None]]:
    """While the block runs, a forked child answers each request on ``listener`` with the
    progress page (a request for another host with 403, as the server does); the
    function given tells it how far the build got. The child is stopped and waited for
    when the block ends, before anything else accepts on ``listener``."""
    child, writing = forked(
        lambda reading: _answer_progress(listener, reading, names), child_writes=False
    )
    os.set_blocking(writing, False)  # a busy child loses a step of progress, never the build

    def tell(stage: str, done: int, total: int) -> None:
        with contextlib.suppress(OSError):  # a full pipe, or a child that is gone
            os.write(writing, f"{stage} {done} {total}\n".encode())

    try:
        yield tell
    finally:
        with contextlib.suppress(OSError):  # a full pipe: the child is stuck, ended below
            os.write(writing, STOP)
        os.close(writing)
        _end(child, ANSWER_SECONDS + 1)


def _end(child: int, seconds: float) -> None:
    """Wait up to ``seconds`` for ``child`` to end, then kill it; it is always reaped."""
    deadline = time.monotonic() + seconds
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(child, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                return
            time.sleep(0.01)


STOP = b"stop\n"  # what ends ``_answer_progress`` (so does the end of its pipe)
_REQUEST_HEAD = 16 * 1024  # bytes of a request read before answering
ANSWER_SECONDS = 2.0  # the most one connection may take: a slow client holds up no other


def _answer_progress(listener: socket.socket, updates: int, names: frozenset[str]) -> None:
    """Answer every connection on ``listener`` with the progress page until ``updates``
    (lines "stage done total") says ``STOP`` or ends."""
    progress: tuple[str, int, int] | None = None
    pending = b""
    while True:
        ready, _, _ = select.select([listener, updates], [], [])
        if updates in ready:
            data = os.read(updates, 4096)
            *lines, pending = (pending + data).split(b"\n")
            if not data or STOP.strip() in lines:
                return
            for line in lines:
                stage, done, total = line.decode().split()
                progress = (stage, int(done), int(total))
        if listener in ready:
            with contextlib.suppress(OSError):  # a client that went away, or was too slow
                connection, _address = listener.accept()
                with connection:
                    _answer_one(connection, progress, names)


def _answer_one(
    connection: socket.socket, progress: tuple[str, int, int] | None, names: frozenset[str]
) -> None:
    deadline = time.monotonic() + ANSWER_SECONDS
    head = b""
    while b"\r\n\r\n" not in head and len(head) < _REQUEST_HEAD:
        left = deadline - time.monotonic()
        if left <= 0:
            return  # too slow: not answered, so that the others are
        connection.settimeout(left)
        data = connection.recv(4096)
        if not data:
            break
        head += data
    connection.settimeout(max(0.01, deadline - time.monotonic()))
    host = ""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            host = value.decode("latin-1")
            break
    if host_allowed(host, names):
        status, kind, body = "404 Not Found", "text/html", progress_page(progress)
    else:
        status, kind = "403 Forbidden", "text/plain"
        body = b"403 Forbidden: unknown Host header (netkb serves only its own address)\n"
    connection.sendall(
        f"HTTP/1.0 {status}\r\nContent-Type: {kind}; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
        "Connection: close\r\n\r\n".encode()
        + body
    )


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the server as Ctrl+C does (the previous handler comes back after)."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
