"""The time axis: events drawn to scale along the years (placeholder until it is built)."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen


class AxisScreen(Screen[None]):
    """Events drawn to scale."""

    BINDINGS = [Binding("escape,q,a", "app.pop_screen", "Back", id="axis.back")]

    def __init__(self, main: object) -> None:
        super().__init__()
        self.main = main
