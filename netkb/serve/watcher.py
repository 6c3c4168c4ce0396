"""Notice edits to a KB's source files: the watcher behind ``netkb serve``.

A ``Watcher`` only reports which source files changed (``on_change(paths)``, called
from its own thread); it never rebuilds anything itself. The rebuild loop decides when
and what to do (fava's ``WatcherBase``, MkDocs' livereload). ``SourceWatcher`` uses
watchdog's native events (inotify, FSEvents, …) rather than polling.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import watchdog.events
import watchdog.observers

from netkb.load.loader import CONFIG, LOG_DIR, ORGS_DIR, PEOPLE_DIR, TEMPLATES_DIR

WATCHED = (PEOPLE_DIR, LOG_DIR, ORGS_DIR, TEMPLATES_DIR)
# The events a change to a source makes. Opening and reading a file are left out: the
# kernel would queue two events for every file a load reads (60,000 for a first load at
# 10,000 people), its queue (16,384 events by default) would overflow, and with it the
# save that came along would be lost.
CHANGES: list[type[watchdog.events.FileSystemEvent]] = [
    watchdog.events.FileCreatedEvent,
    watchdog.events.FileModifiedEvent,
    watchdog.events.FileClosedEvent,
    watchdog.events.FileMovedEvent,
    watchdog.events.FileDeletedEvent,
    watchdog.events.DirCreatedEvent,
    watchdog.events.DirMovedEvent,
    watchdog.events.DirDeletedEvent,
]


class Watcher(Protocol):
    """Reports changed source files to a callback until stopped."""

    def start(self) -> None:
        """Start watching."""
        ...

    def stop(self) -> None:
        """Stop watching and wait for the watching thread to end."""
        ...


def is_source(root: Path, path: Path) -> bool:
    """A source file (or folder) netkb reads, not an editor's swap or backup file."""
    if path == root / CONFIG:
        return True
    if path.name.startswith((".", "#")) or path.name.endswith("~"):
        return False
    if not any(path == root / folder or (root / folder) in path.parents for folder in WATCHED):
        return False
    return path.suffix in (".md", ".j2", "") or (root / TEMPLATES_DIR) in path.parents


class SourceWatcher:
    """Native file events under the KB at ``root``: contacts/, log/, orgs/, templates/ and
    mkdocs.yml. ``on_change`` gets the source files among the paths of each event."""

    def __init__(self, root: Path, on_change: Callable[[list[Path]], None]) -> None:
        self.root = root
        self.on_change = on_change
        self._observer = watchdog.observers.Observer()
        self._handler = _Events(self)
        self._folder_watches: dict[Path, Any] = {}
        for folder in WATCHED:
            if (root / folder).is_dir():
                self.watch_again(root / folder)
        # mkdocs.yml, and source folders created later (a checkout of a branch without them)
        self._observer.schedule(self._handler, str(root), recursive=False, event_filter=CHANGES)

    def start(self) -> None:
        """Start the watching thread."""
        self._observer.start()

    def stop(self) -> None:
        """Stop the watching thread and wait for it."""
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()

    def watch_again(self, folder: Path) -> None:
        """Watch a source folder that was just created (again): the old watch died with it."""
        if folder.parent != self.root or folder.name not in WATCHED or not folder.is_dir():
            return
        old = self._folder_watches.pop(folder, None)
        if old is not None:
            self._observer.unschedule(old)
        self._folder_watches[folder] = self._observer.schedule(
            self._handler, str(folder), recursive=True, event_filter=CHANGES
        )

    def changed(self, paths: list[Path]) -> None:
        """Pass on the source files among ``paths``."""
        sources = [p for p in paths if is_source(self.root, p)]
        if sources:
            self.on_change(sources)


class _Events(watchdog.events.FileSystemEventHandler):
    """Turns watchdog's events into paths; does no work itself."""

    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # something inside changed: that file's own event says what
        paths = [Path(str(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        if event.is_directory and event.event_type in ("created", "moved"):
            self.watcher.watch_again(paths[-1])
        self.watcher.changed(paths)
