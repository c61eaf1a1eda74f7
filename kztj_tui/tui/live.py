"""Live reload: the messages between the file watcher, the reload worker and the main screen, and the errors panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ..session import Reloaded
from ..store import Store

# The errors panel lists this many problems; a broken edit can cause hundreds.
SHOWN_PROBLEMS = 8


class InputsChanged(Message):
    """The store file or one of its articles changed on disk, and has stopped changing."""


class StoreReloaded(Message):
    """A reload worker read the new version of the store: everything needed to show it at once."""

    def __init__(self, reloaded: Reloaded) -> None:
        super().__init__()
        self.reloaded = reloaded


class ReloadFailed(Message):
    """The new version on disk is invalid (or unreadable): its problems, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__()
        self.problems = list(problems)


def nearest_first(rowids: Sequence[int], index: int | None, reach: int = 200) -> list[int]:
    """The rowid at ``index`` and then its neighbours, nearest first (after before), up to ``reach`` each side."""
    if index is None or not rowids:
        return []
    out = [rowids[index]]
    for step in range(1, reach + 1):
        out += [rowids[i] for i in (index + step, index - step) if 0 <= i < len(rowids)]
    return out


def follow_article(app: App[Any], store: Store, articles: Sequence[str]) -> None:
    """An open article follows the new version: reread if its file changed, closed if its source went."""
    from .reader import ReaderScreen

    top = app.screen
    if not isinstance(top, ReaderScreen):
        return
    source = store.sources.get(top.source.id)
    if source is None:
        app.pop_screen()
        app.notify("The article you were reading is no longer a source of the store.", markup=False)
    elif source != top.source or source.file in articles:
        app.switch_screen(ReaderScreen(store, top.history, top.place))


def errors_content(problems: Sequence[str]) -> Content:
    """The panel's text: what is going on, then each problem as ``PATH:LINE:COL: message`` (as data, never markup)."""
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    lines = [
        Content.assemble(
            (f"The store on disk has {count} {noun}; ", "bold"),
            "still showing the last valid version. It reloads when you save a fix. ",
            ("E hides this.", "dim"),
        )
    ]
    lines += [Content(problem) for problem in problems[:SHOWN_PROBLEMS]]
    if count > SHOWN_PROBLEMS:
        lines.append(Content.styled(f"… and {count - SHOWN_PROBLEMS} more (kztj check lists them all)", "dim"))
    return Content("\n").join(lines)


class ReloadErrors(Static):
    """Why the new version of the store on disk could not be shown; hidden while the store is valid."""

    def show_problems(self, problems: Sequence[str]) -> None:
        """Show these problems."""
        self.update(errors_content(problems))
        self.display = True

    def hide(self) -> None:
        """Hide the panel."""
        self.display = False
