"""What kztj's screens share: the app, typed, and the browser session it owns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from ..session import BrowserSession
    from .app import KztjApp

ResultType = TypeVar("ResultType")


class KztjScreen(Screen[ResultType]):
    """A screen of kztj's app."""

    if TYPE_CHECKING:  # as Textual types its own `app`: the checker sees kztj's app, the runtime is unchanged
        app = getters.app(KztjApp)

    @property
    def session(self) -> BrowserSession:
        """The browser session: the store and everything read from it."""
        return self.app.session


class KztjModal(ModalScreen[ResultType]):
    """A dialog of kztj's app."""

    if TYPE_CHECKING:
        app = getters.app(KztjApp)


@runtime_checkable
class FollowsStore(Protocol):
    """A screen over the main screen that shows the store: it reads the new version after a reload."""

    def store_reloaded(self) -> None:
        """The session holds a new version of the store: show it."""
