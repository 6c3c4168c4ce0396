"""The live-preview server: MkDocs' live-reload HTTP server, fed by netkb's own watcher.

A watchdog observer (native events: inotify, FSEvents, …) records which source
files changed; MkDocs' build loop waits for a burst of saves to settle, then
calls ``LiveSite.update`` with exactly those paths. Requests whose Host header
is a domain name other than localhost are refused, so a web page elsewhere
cannot read the site through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer, _timestamp

from netkb.live import LiveSite, Update
from netkb.loader import CONFIG, LOG_DIR, ORGS_DIR, PEOPLE_DIR

WATCHED = (PEOPLE_DIR, LOG_DIR, ORGS_DIR, "templates")


def is_loopback(host: str) -> bool:
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


def _relevant(root: Path, path: Path) -> bool:
    """A source file (or folder) netkb reads, not an editor's swap or backup file."""
    if path == root / CONFIG:
        return True
    if path.name.startswith((".", "#")) or path.name.endswith("~"):
        return False
    if not any(path == root / folder or (root / folder) in path.parents for folder in WATCHED):
        return False
    return path.suffix in (".md", ".j2", "") or (root / "templates") in path.parents


class _Changes(watchdog.events.FileSystemEventHandler):
    """Records changed paths and wakes the build loop; does no work itself."""

    def __init__(self, server: NetkbServer) -> None:
        self.server = server

    def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # something inside changed: that file's own event says what
        paths = [Path(str(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if event.is_directory and event.event_type in ("created", "moved"):
            self.server.watch_again(paths[-1])
        self.server.record(paths)


class NetkbServer(LiveReloadServer):
    """MkDocs' live-reload server with a native watcher and a Host-header check."""

    def __init__(self, site: LiveSite, host: str, port: int, site_dir: Path) -> None:
        self.site = site
        self.pending: set[Path] = set()
        self.pending_lock = threading.Lock()
        self.on_update: Callable[[Update | Exception], None] = lambda update: None
        super().__init__(builder=self._rebuild, host=host, port=port, root=str(site_dir))
        names = {host.lower()}
        if not is_loopback(host):
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.allowed_names = frozenset(names)
        # Native events instead of MkDocs' polling observer.
        self.observer = watchdog.observers.Observer()
        self._handler = _Changes(self)
        self._folder_watches: dict[Path, Any] = {}
        root = site.root
        for folder in WATCHED:
            if (root / folder).is_dir():
                self.watch_again(root / folder)
        # mkdocs.yml, and source folders created later (a checkout of a branch without them)
        self.observer.schedule(self._handler, str(root), recursive=False)
        self._watched_paths = {str(root): 1}  # makes MkDocs inject its reload script

    def watch_again(self, folder: Path) -> None:
        """Watch a source folder that was just created (again): the old watch died with it."""
        if folder.parent != self.site.root or folder.name not in WATCHED or not folder.is_dir():
            return
        old = self._folder_watches.pop(folder, None)
        if old is not None:
            self.observer.unschedule(old)
        self._folder_watches[folder] = self.observer.schedule(
            self._handler, str(folder), recursive=True
        )

    def record(self, paths: list[Path]) -> None:
        relevant = [p for p in paths if _relevant(self.site.root, p)]
        if not relevant:
            return
        with self.pending_lock:
            self.pending.update(relevant)
        with self._rebuild_cond:
            self._want_rebuild = True
            self._rebuild_cond.notify_all()

    def _rebuild(self) -> None:
        # Never raise: MkDocs' loop would leave every request waiting forever.
        with self.pending_lock:
            changed, self.pending = self.pending, set()
        try:
            update = self.site.update(
                changed, publish=self._publish, hold=self._hold, superseded=self._superseded
            )
        except Exception as exc:  # a bug, not bad input: report it and keep serving
            self.on_update(exc)
        else:
            self.on_update(update)

    def _publish(self, first: Update) -> None:
        """Show what is built so far: requests waiting for this build go ahead now."""
        self.on_update(first)
        with self._epoch_cond:
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()

    def _superseded(self) -> bool:
        """Whether newer changes wait (the build loop takes them next)."""
        with self.pending_lock:
            return bool(self.pending)

    def _hold(self) -> None:
        """Requests wait from now until the build is done (MkDocs publishes it then)."""
        with self._epoch_cond:
            self._wanted_epoch = max(_timestamp(), self._visible_epoch + 1)

    def serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not host_allowed(environ.get("HTTP_HOST", ""), self.allowed_names):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"403 Forbidden: unknown Host header (netkb serves only its own address)\n"]
        return super().serve_request(environ, start_response)


def quiet_mkdocs_server() -> None:
    """MkDocs logs every reload at INFO; netkb prints its own lines instead."""
    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
