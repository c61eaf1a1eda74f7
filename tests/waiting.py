"""Waiting for a state in Pilot tests, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0, then_settle: bool = True
) -> None:
    """Wait until ``condition`` holds, looking again after each frame's worth of messages; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
    if then_settle:
        await settle(pilot, deadline)


async def settle(pilot: Pilot[Any], deadline: float) -> None:
    """Wait until every worker has finished and its messages have been handled.

    A search typed over is cancelled: waiting for it raises, so the wait starts again on those left.
    """
    for _ in range(3):
        while True:
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                assert time.monotonic() < deadline, "timed out"
        await pilot.pause()


def palette_offers(app: Any, text: str) -> Callable[[], bool]:
    """Whether the command palette lists a hit containing ``text``."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    def offered() -> bool:
        palette = app.screen
        if not isinstance(palette, CommandPalette):
            return False
        options = palette.query_one(OptionList)
        return any(text in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))

    return offered
