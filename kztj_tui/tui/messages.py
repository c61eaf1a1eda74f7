"""What the main screen's workers post back to it: each result with the store generation it was read from."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from ..session import Findings
from .search import SearchResult


class SearchFinished(Message):
    """A search worker's result."""

    def __init__(self, result: SearchResult) -> None:
        super().__init__()
        self.result = result


class CheckFinished(Message):
    """The data-quality check is done: its findings by event."""

    def __init__(self, findings: Findings, generation: int) -> None:
        super().__init__()
        self.findings = findings
        self.generation = generation


class ExportFinished(Message):
    """An export worker is done: the file written, or why not."""

    def __init__(self, target: Path, count: int, error: str | None = None) -> None:
        super().__init__()
        self.target = target
        self.count = count
        self.error = error


class EditReady(Message):
    """The editor command that opens the store at an event's line, or why there is none."""

    def __init__(self, argv: list[str] | None, problem: str = "") -> None:
        super().__init__()
        self.argv = argv
        self.problem = problem
