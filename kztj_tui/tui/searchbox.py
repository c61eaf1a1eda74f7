"""The search box, and the messages it sends once it has taken in every key typed before them."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input


class SearchBox(Input):
    """An Input that can say Enter, Esc or ↓ was pressed, after the keys typed before them.

    Those keys are priority bindings of the screen: they run the moment the app receives them
    (so the keys that follow go to the results), while the letters typed before them may still
    be waiting in this box's queue. :meth:`send_after_typing` queues a message behind them.
    """

    class Committed(Message):
        """Enter: run the query as typed, exactly."""

    class Cleared(Message):
        """Esc: clear the search."""

    class Left(Message):
        """↓ or Tab: go to the results without changing them."""

    def send_after_typing(self, message: Message) -> None:
        """Post ``message`` once the keys already sent to this box have changed its value."""
        self.call_later(self.post_message, message)
