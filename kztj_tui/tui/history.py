"""Where the user has been: back and forward through places, as a browser does."""

from __future__ import annotations

from typing import NamedTuple

from ..model import Filters

LIMIT = 200


class ViewPlace(NamedTuple):
    """The timeline with some filters, at an event."""

    filters: Filters
    event_id: str | None


class ReaderPlace(NamedTuple):
    """A source article, at a quote."""

    source_id: str
    quote: str


Place = ViewPlace | ReaderPlace


class History:
    """Two stacks around the current place, which the caller knows and passes in."""

    def __init__(self) -> None:
        self._back: list[Place] = []
        self._forward: list[Place] = []

    @property
    def can_go_back(self) -> bool:
        """Whether there is a place to go back to."""
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        """Whether there is a place to go forward to."""
        return bool(self._forward)

    def leave(self, current: Place) -> None:
        """The user follows a link away from ``current``: remember it, and forget the forward places."""
        if not self._back or self._back[-1] != current:
            self._back.append(current)
            del self._back[:-LIMIT]
        self._forward.clear()

    def back(self, current: Place) -> Place | None:
        """The place before ``current`` (which becomes the next forward place), or None."""
        if not self._back:
            return None
        self._forward.append(current)
        return self._back.pop()

    def forward(self, current: Place) -> Place | None:
        """The place after ``current`` (which becomes the previous place), or None."""
        if not self._forward:
            return None
        self._back.append(current)
        return self._forward.pop()
