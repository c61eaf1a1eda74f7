"""Notice when a store's files change on disk, by polling their identities in a thread of its own.

Polling, not an OS watcher: a store is a handful of files (the YAML and its articles), and a
``stat`` of each every tenth of a second costs microseconds. It sees every way of saving alike (in
place, or vim's and other editors' write-and-rename, which replaces the inode an OS watch is
attached to), works on any file system, and needs no dependency.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .files import FileIdentity

# How often the files are looked at. A change is reported once the files have stayed the same
# for one more look, so a save is noticed between one and two intervals after it ends.
POLL_SECONDS = 0.1

Snapshot = tuple[FileIdentity | None, ...]


def input_paths(store_path: Path, meta: Mapping[str, str]) -> list[Path]:
    """The files a store was read from, as recorded in its meta: the store file first, then its included
    files and articles; then the folders its include patterns read (a file added there changes the folder)."""
    from .includes import watched_folders

    entries = json.loads(meta.get("inputs", "[]"))
    paths = [store_path.parent / entry["path"] for entry in entries] or [store_path]
    return paths + [folder for folder in watched_folders(store_path, meta) if folder not in paths]


def snapshot(paths: Sequence[Path]) -> Snapshot:
    """Each file's identity now (None if it is missing or unreadable)."""
    out: list[FileIdentity | None] = []
    for path in paths:
        try:
            out.append(FileIdentity.of(os.stat(path)))
        except OSError:
            out.append(None)
    return tuple(out)


class Settler:
    """Decides, look by look, when files have changed and then stopped changing (the debounce)."""

    def __init__(self, baseline: Snapshot) -> None:
        self.baseline = baseline
        self._last = baseline

    def look(self, now: Snapshot) -> bool:
        """Record one look; True once the files differ from the baseline and are the same as at the look before.

        A burst of saves, or a file missing for an instant in the middle of a save, keeps it waiting.
        Reporting makes the current state the new baseline.
        """
        settled = now == self._last
        self._last = now
        if now == self.baseline or not settled:
            return False
        self.baseline = now
        return True


class InputWatcher:
    """Calls ``changed`` (from its own thread) each time the watched files change and settle."""

    def __init__(self, paths: Sequence[Path], changed: Callable[[], None], interval: float = POLL_SECONDS) -> None:
        self._paths = list(paths)
        self._changed = changed
        self._interval = interval
        self._lock = threading.Lock()
        self._settler = Settler(snapshot(self._paths))
        self._stop = threading.Event()
        # A daemon thread, not a Textual worker: it runs as long as the app, and a Textual app (or a
        # test) waiting for its workers to finish must not wait for it.
        self._thread = threading.Thread(target=self._run, name="kztj-watch", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (at once: the thread sleeps on an event that this sets)."""
        self._stop.set()

    def watch(self, paths: Sequence[Path]) -> None:
        """Watch these files from now on (a reloaded store may cite other articles)."""
        paths = list(paths)
        with self._lock:
            old = dict(zip(self._paths, self._settler.baseline, strict=True))
            fresh = snapshot([path for path in paths if path not in old])
            added = iter(fresh)
            self._paths = paths
            # Files watched before keep their baseline, so a change since it was taken is not lost.
            self._settler = Settler(tuple(old[path] if path in old else next(added) for path in paths))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                changed = self._settler.look(snapshot(self._paths))
            if changed:
                self._changed()
