"""Edit an event at its line: where its ``- id:`` item starts in the store, and the editor command that opens it there.

Used by ``kztj edit ID`` and by the browser's ``e``; headless (no Textual). The editor is
``$VISUAL``, else ``$EDITOR``, split as a shell would split it (``EDITOR="code --wait"``). How
the line is given depends on the editor, by the name of its program:

* ``+LINE FILE`` for vi, vim, nvim, nano, emacs and kakoune (and their close kin below);
* ``--goto FILE:LINE`` for VS Code and VSCodium;
* the file alone for any other editor.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .text import quoted

if TYPE_CHECKING:
    from .store import Store

NO_EDITOR = "no editor: set VISUAL or EDITOR (for example export EDITOR=nano)"
# Editors that open a file at a line given as "+LINE" before the file.
PLUS_LINE = frozenset({"vi", "vim", "nvim", "gvim", "view", "nano", "emacs", "emacsclient", "kak"})
# Editors that take "--goto FILE:LINE".
GOTO = frozenset({"code", "codium", "code-insiders", "code-oss"})


class EditorError(Exception):
    """No editor can be run as set; the message is one line, without the "kztj: " prefix."""


def editor_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor command the environment sets: ``$VISUAL``, else ``$EDITOR``, split with shlex.

    Raises EditorError when neither is set (or both are blank) or the value cannot be split.
    """
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "")
        if not value.strip():
            continue
        try:
            words = shlex.split(value)
        except ValueError as error:
            raise EditorError(f"${name} {quoted(value)} cannot be split into words ({error})") from None
        if words:
            return words
    raise EditorError(NO_EDITOR)


def program_name(word: str) -> str:
    """The editor's program name, as matched: the base name, without a Windows ``.exe``."""
    name = os.path.basename(word)
    return name[:-4] if name.lower().endswith(".exe") else name


def command(editor: list[str], path: Path | str, line: int | None) -> list[str]:
    """The argv that opens ``path`` in ``editor`` at ``line`` (1-based; None: at the top)."""
    name = program_name(editor[0])
    file = str(path)
    if file.startswith(("-", "+")):  # `-c!cmd` and `+!cmd` are commands vim runs: a file is never an option
        file = f"./{file}"
    if line is None:
        return [*editor, file]
    if name in PLUS_LINE:
        return [*editor, f"+{line}", file]
    if name in GOTO:
        return [*editor, "--goto", f"{file}:{line}"]
    return [*editor, file]


def event_line(store: Store, event_id: str) -> int | None:
    """The 1-based line where the event's item (its ``- id:``) starts in the store's file, as the file is now.

    The cache's record of where each event lies is used when the file still holds that event's
    bytes there; otherwise the file is parsed again; a file that no longer parses is searched for
    the ``- id: ID`` line. None when the event is not found in the file (or it cannot be read).
    """
    try:
        data = Path(store.path).read_bytes()
    except OSError:
        return None
    rowid = store.rowid_of(event_id)
    if rowid is not None:
        found = _from_layout(store, rowid, data)
        if found is not None:
            return found
    return _from_parse(data, str(store.path), event_id) or _from_text(data, event_id)


def event_place(store: Store, event_id: str) -> tuple[Path, int | None]:
    """The file holding the event's item and the 1-based line where it starts there.

    The store's own file first (see ``event_line``); in a store in several files, then each file it
    includes. The store's file, at no line, when no file holds the event now.
    """
    line = event_line(store, event_id)
    if line is not None:
        return Path(store.path), line
    from .includes import included_paths

    for path in included_paths(Path(store.path), store.meta):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found = _from_parse(data, str(path), event_id) or _from_text(data, event_id)
        if found is not None:
            return path, found
    return Path(store.path), None


def _from_layout(store: Store, rowid: int, data: bytes) -> int | None:
    """The line from the cache's layout, if the event's chunk is still the same bytes at the same place."""
    from .layout import Layout, digest

    try:
        blob = store._rows("SELECT value FROM layout WHERE key = 'store'")
    except Exception:  # an old or odd cache: the other ways find it
        return None
    if not blob:
        return None
    layout, rowids = Layout.from_blob(blob[0][0])
    if rowid not in rowids:
        return None
    index = rowids.index(rowid)
    start = layout.head_size + sum(layout.sizes[:index])
    size = layout.sizes[index]
    if digest(memoryview(data)[start : start + size]) != layout.digests[index]:
        return None
    return data.count(b"\n", 0, start) + 1


def _from_parse(data: bytes, path: str, event_id: str) -> int | None:
    """The line from parsing the file (it changed since the cache read it)."""
    from .errors import StoreError
    from .yamlparse import parse

    outline: list[int] = []
    try:
        root = parse(data, path, outline=outline)
    except StoreError:
        return None
    events = root.get("events") if isinstance(root, dict) else None
    if not isinstance(events, list):
        return None
    for index, item in enumerate(events):
        if isinstance(item, dict) and item.get("id") == event_id and index < len(outline):
            return outline[index] + 1
    return None


def _from_text(data: bytes, event_id: str) -> int | None:
    """The line of ``- id: ID`` in a file that does not parse (an edit in progress)."""
    pattern = re.compile(rb"^[ \t]*-[ \t]+id:[ \t]*(['\"]?)" + re.escape(event_id.encode()) + rb"\1[ \t]*(#.*)?$", re.M)
    match = pattern.search(data)
    return None if match is None else data.count(b"\n", 0, match.start()) + 1


def run(argv: list[str]) -> int:
    """Run the editor on this terminal and wait for it; its exit status. Raises OSError if it cannot start.

    While it runs, Ctrl+C and Ctrl+\\ are the editor's: kztj ignores them (as git does), so an editor
    that lets the terminal send them does not take kztj down with it.
    """
    import signal
    import subprocess

    process = subprocess.Popen(argv)
    saved: list[tuple[int, Any]] = []
    try:
        for name in ("SIGINT", "SIGQUIT"):
            number = getattr(signal, name, None)
            if number is not None:
                try:
                    saved.append((number, signal.signal(number, signal.SIG_IGN)))
                except ValueError:  # not the main thread: leave the handlers alone
                    break
        return process.wait()
    finally:
        for number, handler in saved:
            signal.signal(number, handler)


def edit_command(store: Store, event_id: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The command that opens the store (or the file it includes that holds the event) at the event's line
    in the user's editor; raises EditorError."""
    editor = editor_argv(environ)
    return command(editor, *event_place(store, event_id))


def broken_store_command(path: Path, event_id: str, environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The command that opens a store file that does not load at its ``- id: ID`` line, to fix it; None if the
    file holds no such line (or cannot be read). Raises EditorError."""
    try:
        line = _from_text(path.read_bytes(), event_id)
    except OSError:
        return None
    return None if line is None else command(editor_argv(environ), path, line)
