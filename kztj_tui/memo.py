"""A bounded memo: remembers what repeats, and cannot grow with a store that repeats nothing."""

from __future__ import annotations

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeVar

    K = TypeVar("K")
    V = TypeVar("V")
else:
    K = V = object  # a plain dict at run time: typing is not imported on the warm path


class Memo(dict[K, V]):
    """A dict that empties itself when it already holds ``most`` entries and one more is remembered.

    Emptying, not evicting one at a time: the entries worth keeping come back at once, and the
    bookkeeping costs nothing on the hot path of a load or an export.
    """

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def remember(self, key: K, value: V) -> V:
        """Store and return value."""
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
