"""Problems with a store, reported one per line as PATH:LINE:COL: message."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .text import visible

Progress = Callable[[str, float], None]


class Problem(NamedTuple):
    """One thing wrong with the store, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever a library put in the message or the user in a file name.
        return f"{visible(self.path)}:{self.line}:{self.column}: {visible(' '.join(self.message.split()))}"


class StoreError(Exception):
    """The store cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
