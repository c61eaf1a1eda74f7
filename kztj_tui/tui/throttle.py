"""A throttle for work each keystroke asks for: the first runs at once, the rest of a burst once at its end."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.timer import Timer

# Schedules a call after some seconds, as Textual's ``set_timer`` does.
SetTimer = Callable[[float, Callable[[], None]], Timer]


class Throttle:
    """Run an action at once, unless one ran within ``seconds``: then run the latest once that time is up.

    Fast typing so never queues stale work, and what was typed last always runs.
    """

    def __init__(self, set_timer: SetTimer, seconds: float) -> None:
        self._set_timer = set_timer
        self._seconds = seconds
        self._last = 0.0
        self._timer: Timer | None = None
        self._waiting: Callable[[], None] | None = None

    def __call__(self, action: Callable[[], None]) -> None:
        self.cancel()
        wait = self._seconds - (time.monotonic() - self._last)
        if wait <= 0:
            self._run(action)
        else:
            self._waiting = action
            self._timer = self._set_timer(wait, self.flush)

    def _run(self, action: Callable[[], None]) -> None:
        self._last = time.monotonic()
        action()

    def flush(self) -> None:
        """Run now the action that is waiting, if any."""
        action = self._waiting
        self.cancel()
        if action is not None:
            self._run(action)

    def cancel(self) -> None:
        """Forget the action that is waiting."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        self._waiting = None
