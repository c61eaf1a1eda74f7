"""The browser's state without Textual: the store and its readers, findings, history, the axis and live reload.

Screens are views of one :class:`BrowserSession`: they ask it for results (in workers, through its plain
methods) and show them. It owns the store: a reload swaps the store, its readers and every cache built from
it in one place, and counts a new generation, so a result read from an older store can be told apart and
dropped.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import userstate
from .errors import StoreError
from .model import Filters
from .query import Query, note_matcher
from .store import Store
from .tui.history import History
from .tui.readers import Readers
from .tui.rowcache import RowCache
from .tui.search import SearchRequest, SearchResult, run_search
from .tui.views import EventView, event_view

if TYPE_CHECKING:
    from .changes import StoreChanges
    from .check import Finding
    from .savedviews import SavedView
    from .tui.axis import AxisData
    from .watch import InputWatcher

# `kztj check` reads every event in Python: ~20 ms for the bundled store, seconds at 100,000 events,
# which would compete with the UI thread for the interpreter. Larger stores are checked from the shell.
CHECK_MAX_EVENTS = 10_000

Findings = dict[str, tuple["Finding", ...]]


class Reloaded(NamedTuple):
    """A new version of the store, read off the UI thread: everything needed to show it at once."""

    store: Store
    readers: Readers
    changes: StoreChanges
    result: SearchResult
    runs: list[tuple[int, int]]


class ReloadFailure(NamedTuple):
    """The new version on disk is invalid or unreadable: its problems, one line each."""

    problems: list[str]


class AxisResult(NamedTuple):
    """The time axis of a view, and the generation of the store it was read from."""

    generation: int
    data: AxisData


class BrowserSession:
    """What the browser shows, independent of how: one owner of the store and everything read from it."""

    def __init__(self, store: Store, reopen: Callable[[], Store] | None = None) -> None:
        # ``reopen`` opens the store file again (through the cache); None: no live reload.
        self.reopen = reopen
        self.history = History()
        self.store = store
        self.readers = Readers(store)
        self.rows = RowCache(store.rows)
        self.generation = 0
        # Set once by the check (a worker); read by the workers that build detail views.
        self.findings: Findings = {}
        self._runs: list[tuple[int, int]] | None = None
        self._whole_axis: AxisData | None = None  # the time axis of every event, read once per generation
        self._lock = threading.Lock()
        self._reloading = False
        self._reload_again = False
        self.invalid_on_disk = False  # the last reload failed: the store shown is older than the file
        self._watcher: InputWatcher | None = None
        # Marks and notes: changed on the UI thread, read by workers from immutable snapshots.
        self.user, self.user_notice = userstate.load(store.path)
        self._marks: frozenset[str] = frozenset(self.user.marks)
        self._notes: Mapping[str, str] = dict(self.user.notes)
        self._user_changes = 0  # counts changes, so a save that has nothing new to write is skipped
        self._user_saved = 0
        self._save_lock = threading.Lock()

    @property
    def live(self) -> bool:
        """Whether the store follows its file on disk."""
        return self.reopen is not None

    @property
    def year_runs(self) -> list[tuple[int, int]]:
        """(year, events) for the whole store, in order, read once per generation."""
        if self._runs is None:
            self._runs = self.store.year_runs()
        return self._runs

    def is_current(self, generation: int) -> bool:
        """Whether a result read at ``generation`` is of the store shown now."""
        return generation == self.generation

    # -- reading (any thread: each read borrows a connection of its own) -----------------------

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search of the timeline."""
        with self._lock:
            generation, readers, runs = self.generation, self.readers, self._runs
        with readers.borrow() as store:
            if runs is None:  # read here, not on the store the UI thread draws from
                runs = store.year_runs()
                with self._lock:
                    if generation == self.generation:
                        self._runs = runs
            return self._annotated(run_search(store, request, runs, self.findings, note_matcher(self._notes)))

    def event_view(self, rowid: int, query: Query | None = None) -> EventView:
        """One event as the detail pane shows it, with the words of ``query`` marked."""
        with self.readers.borrow() as store:
            return self.annotate(event_view(store, rowid, query, self.findings))

    def title_matches(self, query: Query, rowids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """Match spans of ``query`` in the titles of some events (those that match)."""
        with self.readers.borrow() as store:
            return {rowid: spans[0] for rowid, spans in store.highlights(query, rowids).items()}

    def axis(self, rowids: Sequence[int] | None) -> AxisResult:
        """The time axis of some events (every event if None); the whole store's is read once per generation."""
        from .tui import axis

        with self._lock:
            generation, readers, whole = self.generation, self.readers, self._whole_axis
        if rowids is None and whole is not None:
            return AxisResult(generation, whole)
        with readers.borrow() as store:
            data = axis.load(store, rowids)
        with self._lock:
            if rowids is None and generation == self.generation:  # a reload since: not the store shown
                self._whole_axis = data
        return AxisResult(generation, data)

    def check(self) -> Findings | None:
        """Run `kztj check` for the warnings to mark events with; None if the store is too large to check here."""
        from . import check

        if self.store.count > CHECK_MAX_EVENTS:
            return None
        with self.readers.borrow() as store:
            warnings = [finding for finding in check.run(store) if finding.severity == check.WARNING]
        return {event_id: tuple(items) for event_id, items in check.by_event(warnings).items()}

    def export(self, filters: Filters, target: Path, fmt: str = "markdown") -> str | None:
        """Write the events of a view in a format (``kztj export``'s); why not, or None once written."""
        from . import export
        from .output import write_export

        with self.readers.borrow() as store:
            store.note_matcher = note_matcher(self._notes)  # for a view searching `note:`
            try:
                chunks = export.chunks(store, filters, fmt, fork=False)  # the browser runs threads: it never forks
                write_export(store, target, chunks)
            except OSError as error:  # an OutputError says why in its strerror, without the path
                return str(error.strerror or error)
        return None

    def describe(self, filters: Filters) -> str:
        """Filters in words, with people and places by name."""
        return filters._replace(
            actors=tuple(self.store.entity_name(a) for a in filters.actors),
            places=tuple(self.store.entity_name(p) for p in filters.places),
        ).describe()

    # -- marks and notes (changed on the UI thread; saved by a worker) ---------------------------

    @property
    def marks(self) -> frozenset[str]:
        """The ids of the marked events, those the store no longer has included (they may come back)."""
        return self._marks

    @property
    def notes(self) -> Mapping[str, str]:
        """Event id -> the user's note, those of events the store no longer has included (never changed in place)."""
        return self._notes

    def is_marked(self, event_id: str) -> bool:
        """Whether the user marked an event."""
        return event_id in self._marks

    def toggle_mark(self, event_id: str) -> bool:
        """Mark an event, or unmark it; whether it is marked now. Save with :meth:`save_user_state`."""
        marked = self.user.toggle_mark(event_id)
        self._marks = frozenset(self.user.marks)
        self._user_changes += 1
        return marked

    def clear_marks(self) -> int:
        """Unmark every event; how many marked events of this store there were."""
        count = self.marked_count()
        self.user.marks.clear()
        self._marks = frozenset()
        self._user_changes += 1
        return count

    def marked_count(self) -> int:
        """How many of the marked events the store has."""
        return self.store.count_of(self._marks)

    def marked_filters(self, filters: Filters) -> Filters:
        """``filters`` keeping only the marked events (as they are now)."""
        return filters._replace(marked=tuple(sorted(self._marks)))

    def note(self, event_id: str) -> str:
        """The user's note on an event, or ``""``."""
        return self._notes.get(event_id, "")

    def set_note(self, event_id: str, text: str) -> None:
        """Set the note on an event (blank text removes it). Save with :meth:`save_user_state`."""
        self.user.set_note(event_id, text)
        self._notes = dict(self.user.notes)
        self._user_changes += 1

    def annotate(self, view: EventView) -> EventView:
        """An event's view with the user's note."""
        return view._replace(note=self._notes.get(view.event.id, ""))

    def _annotated(self, result: SearchResult) -> SearchResult:
        return result._replace(detail=self.annotate(result.detail)) if result.detail is not None else result

    # -- saved views ------------------------------------------------------------------------------

    @property
    def views(self) -> Mapping[str, SavedView]:
        """The views saved for this store, by name."""
        return self.user.views

    def save_view(self, name: str, filters: Filters) -> bool:
        """Save ``filters`` (with the query as typed) as the view ``name``; whether it replaced one.

        A view of the marked events brings back the marked events as they are when it opens.
        Save with :meth:`save_user_state`.
        """
        from .savedviews import SavedView

        replaced = name in self.user.views
        view = SavedView(filters._replace(marked=None), marked=filters.marked is not None)
        self.user.views = {**self.user.views, name: view}  # a new dict: a save in a worker copies the old one
        self._user_changes += 1
        return replaced

    def view_filters(self, name: str) -> tuple[Filters, list[str]] | None:
        """The filters a saved view opens with, and a line for each tag or entity the store no longer has."""
        from .savedviews import fitted

        view = self.user.views.get(name)
        if view is None:
            return None
        filters, notices = fitted(view, name, {tag for tag, _ in self.store.tags()}, set(self.store.entities))
        return (self.marked_filters(filters) if view.marked else filters), notices

    def save_user_state(self) -> str | None:
        """Write the marks and notes as they are now (any thread; saves one at a time); a problem, or None."""
        with self._save_lock:
            changes, marks, notes = self._user_changes, self._marks, self._notes
            if changes == self._user_saved:
                return None  # an earlier save already wrote this state
            problem = userstate.save(self.user, marks, notes)
            if problem is None:
                self._user_saved = changes
            return problem

    # -- live reload: one at a time ------------------------------------------------------------

    def watch(self, changed: Callable[[], None]) -> None:
        """Call ``changed`` (on the watcher's thread) once the store file or an article has changed on disk."""
        from .watch import InputWatcher, input_paths

        self._watcher = InputWatcher(input_paths(self.store.path, self.store.meta), changed)
        self._watcher.start()

    def start_reload(self) -> bool:
        """The inputs changed: whether to reload now (False: one is under way, and another follows it)."""
        if self._reloading:
            self._reload_again = True  # two at once would build the same cache at once
            return False
        self._reloading = True
        return True

    def reload(self, request: SearchRequest, near: Sequence[int]) -> Reloaded | ReloadFailure:
        """Open the new version of the store and prepare its first view (a worker).

        ``near`` is the selected event's rowid and its neighbours, nearest first: the selection stays
        on the same event, or on its nearest neighbour if the new version deleted it.
        """
        from .changes import compare, input_digests, recorded
        from .includes import recorded as included_files

        assert self.reopen is not None
        with self.readers.borrow() as old:
            id_of = {row.rowid: row.id for row in old.rows(near)}
            ids = [id_of[rowid] for rowid in near if rowid in id_of]  # nearest first
            old_meta = old.meta
        try:
            store = self.reopen()
        except StoreError as error:
            return ReloadFailure([str(problem) for problem in error.problems])
        except (OSError, sqlite3.Error, ValueError) as error:
            return ReloadFailure([f"{self.store.path}: {error}"])
        changes = recorded(old_meta, store.meta)
        if changes is None:  # not an update of the build shown: compare every event
            with self.readers.borrow() as old:
                old_prints = old.event_fingerprints()
            new_inputs = input_digests(store.meta)
            included = set(included_files(old_meta)[1]) | set(included_files(store.meta)[1])
            changes = compare(old_prints, store.event_fingerprints(), input_digests(old_meta), new_inputs, included)
        select = next((rowid for rowid in map(store.rowid_of, ids) if rowid is not None), None)
        readers = Readers(store)
        runs = store.year_runs()
        with readers.borrow() as reader:
            result = run_search(reader, request._replace(select=select), runs, self.findings, note_matcher(self._notes))
        return Reloaded(store, readers, changes, self._annotated(result), runs)

    def adopt(self, reloaded: Reloaded) -> str | None:
        """Show the new version from now on: the one place the store is swapped (the UI thread).

        Returns what to tell the user, or None when nothing they could see changed.
        """
        from .changes import describe

        old_readers, was_invalid = self.readers, self.invalid_on_disk
        with self._lock:
            self.store = reloaded.store
            self.readers = reloaded.readers
            self.rows = RowCache(reloaded.store.rows)
            self._runs = reloaded.runs
            self._whole_axis = None
            self.generation += 1
        old_readers.close()
        self.invalid_on_disk = False
        if self._watcher is not None:
            from .watch import input_paths

            self._watcher.watch(input_paths(self.store.path, self.store.meta))
        changes = reloaded.changes
        if not (changes.events or changes.articles or changes.store_file or was_invalid):
            return None
        return ("the store is valid again; " if was_invalid else "") + describe(changes)

    def reload_failed(self) -> None:
        """The new version could not be shown: the store shown is older than the file."""
        self.invalid_on_disk = True

    def reload_done(self) -> bool:
        """A reload is over: whether the inputs changed again meanwhile, so another must start."""
        self._reloading = False
        again, self._reload_again = self._reload_again, False
        return again

    def close(self) -> None:
        """Save the marks and notes; stop watching the files; close the readers (each lent one when it comes back)."""
        self.save_user_state()  # a save still on its way in a worker may not have finished
        if self._watcher is not None:
            self._watcher.stop()
        self.readers.close()
