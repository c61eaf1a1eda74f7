"""The user's own state for one store: marked events, private notes and saved views, in a small JSON file.

The file lives in the data directory (``$KZTJ_DATA_DIR``, else ``$XDG_DATA_HOME/kztj``, else
``~/.local/share/kztj``), never beside the store, and is named after the store's resolved path, so
each store has its own. It is replaced atomically on every save. A file kztj cannot make sense of
(not JSON, the wrong shape, not a regular file, too large) is renamed ``NAME.damaged-TIMESTAMP``
beside it and the state starts empty, with one line saying so: it is never silently overwritten.
A ``\\uD800``-style escape that is no text (a lone surrogate) is read as U+FFFD, with one line saying so.

Marks and notes of events the store no longer has are kept (an event may come back after an
edit); the browser and the exports only show those of events the store has.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .files import read_regular_file
from .locations import data_dir
from .savedviews import SavedView
from .text import sanitize

# A state file is a few kilobytes; past this it is not one kztj wrote.
STATE_LIMIT = 8 * 1024 * 1024
FORMAT = 1
KEYS = ("format", "store", "marks", "notes", "views")


def state_path(store_path: Path) -> Path:
    """The state file of the store at ``store_path``: one per resolved path, in the data directory."""
    import hashlib

    resolved = store_path.resolve()
    # Only letters, digits and ``._-`` of the store's own name (the file is named in messages); the
    # hash of the path's bytes tells stores of the same name apart.
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in resolved.stem[:40])
    digest = hashlib.blake2b(os.fsencode(resolved), digest_size=8).hexdigest()
    return data_dir() / f"{stem}-{digest}.json"


class UserState:
    """Marks (a set of event ids) and notes (event id -> text) of one store, and where they are kept."""

    def __init__(self, path: Path, store_path: Path) -> None:
        self.path = path
        self.store_path = store_path
        self.marks: set[str] = set()
        self.notes: dict[str, str] = {}
        self.views: dict[str, SavedView] = {}
        # Views kztj cannot read (name -> what was written, and why): kept as written, never used.
        self.unreadable_views: dict[str, tuple[Any, str]] = {}
        # Keys another version of kztj wrote: kept as they are, so saving never drops them.
        self.extra: dict[str, Any] = {}
        # False when the file exists but could not be read or moved aside: saving would lose it.
        self.writable = True

    def toggle_mark(self, event_id: str) -> bool:
        """Mark the event, or unmark it if it was; whether it is marked now."""
        if event_id in self.marks:
            self.marks.discard(event_id)
            return False
        self.marks.add(event_id)
        return True

    def set_note(self, event_id: str, text: str) -> None:
        """Set the event's note; text that is only whitespace removes it."""
        text = sanitize(text).strip()
        if text:
            self.notes[event_id] = text
        else:
            self.notes.pop(event_id, None)

    def to_json(self) -> str:
        """The file's text: sorted, so a save that changes nothing writes the same bytes."""
        data = {
            **self.extra,
            "format": FORMAT,
            "store": os.fsencode(self.store_path.resolve()).decode("utf-8", "replace"),
            "marks": sorted(self.marks),
            "notes": dict(sorted(self.notes.items())),
            "views": dict(
                sorted(
                    [(name, view.to_json()) for name, view in self.views.items()]
                    + [(name, raw) for name, (raw, _) in self.unreadable_views.items() if name not in self.views]
                )
            ),
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _shape_problem(data: object) -> str | None:
    """Why parsed JSON is not a state file, or None."""
    if not isinstance(data, dict):
        return "it is not a JSON object"
    if data.get("format", FORMAT) != FORMAT:
        return f"it has format {data.get('format')!r}, not {FORMAT} (written by another version of kztj?)"
    marks = data.get("marks", [])
    if not isinstance(marks, list) or not all(isinstance(m, str) and m for m in marks):
        return '"marks" is not a list of event ids'
    notes = data.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(text, str) for text in notes.values()):
        return '"notes" is not an object of event ids and texts'
    if not isinstance(data.get("views", {}), dict):
        return '"views" is not an object of names and views'
    return None


def load(store_path: Path) -> tuple[UserState, str | None]:
    """The state of a store (empty if it has none yet), and one line to show if its file was damaged."""
    path = state_path(store_path)
    state = UserState(path, store_path)
    try:
        raw = read_regular_file(path, STATE_LIMIT)
    except FileNotFoundError:
        return state, None
    except ValueError as error:  # not a regular file, or too large
        return state, _set_aside(state, f"it {error}" if str(error).startswith("is ") else str(error))
    except OSError as error:
        # Unreadable (permissions): not damaged, and not to be overwritten either.
        state.writable = False
        return state, f"{path}: cannot read it ({error.strerror or error}); marks and notes are not saved"
    try:
        data = json.loads(raw.data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return state, _set_aside(state, f"it is not valid JSON ({_first_line(error)})")
    replaced = None
    # Strict UTF-8 was decoded: only a \\u escape can make a lone surrogate, which no text can hold.
    if b"\\u" in raw.data:
        try:
            data, replaced = _without_surrogates(data, path)
        except RecursionError:  # json.dumps nests a little deeper than json.loads did
            return state, _set_aside(state, "it is nested too deeply")
    problem = _shape_problem(data)
    if problem is not None:
        return state, _set_aside(state, problem)
    state.marks = set(data.get("marks", []))
    for event_id, text in data.get("notes", {}).items():
        state.set_note(event_id, text)
    for name, raw in data.get("views", {}).items():
        try:
            state.views[name] = SavedView.from_json(raw)
        except ValueError as error:
            state.unreadable_views[name] = (raw, str(error))
    state.extra = {key: value for key, value in data.items() if key not in KEYS}
    return state, replaced


def _without_surrogates(data: object, path: Path) -> tuple[Any, str | None]:
    """Parsed JSON with each lone surrogate of its keys and strings read as U+FFFD, and a line saying so (or None)."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return data, None
    # Each character in turn: surrogatepass and a "replace" decode would give one U+FFFD per byte.
    clean = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return json.loads(clean), f"{path}: lone \\uD800-\\uDFFF escapes are not text; each was read as U+FFFD"


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _set_aside(state: UserState, problem: str) -> str:
    """Rename a damaged state file beside itself; the one line that says so."""
    path = state.path
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while os.path.lexists(aside):
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    try:
        os.rename(path, aside)
    except OSError as error:
        state.writable = False
        return f"{path}: {problem}; cannot move it aside ({error.strerror or error}), so marks and notes are not saved"
    return f"{path}: {problem}; kept as {aside.name}, marks and notes start empty"


def save(state: UserState, marks: Iterable[str] | None = None, notes: Mapping[str, str] | None = None) -> str | None:
    """Write the state (or the given snapshot of its marks and notes) atomically; a one-line problem, or None."""
    from .output import write_output

    if not state.writable:
        return "marks and notes are not saved (see the notice at start)"
    snapshot = UserState(state.path, state.store_path)
    snapshot.marks = set(state.marks if marks is None else marks)
    snapshot.notes = dict(state.notes if notes is None else notes)
    snapshot.views = dict(state.views)
    snapshot.unreadable_views = state.unreadable_views
    snapshot.extra = state.extra
    try:
        state.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # notes are private
        write_output(state.path, [snapshot.to_json()])
    except (OSError, ValueError, RecursionError) as error:  # text that is not UTF-8, or JSON nested too deep
        return f"cannot save marks and notes: {_first_line(error)}"
    return None
