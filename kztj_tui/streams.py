"""Where commands write: the one interface a table or a listing needs, and a stream that tells whether it was used."""

from __future__ import annotations

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: typing is not imported on the warm path
    from typing import Protocol, TextIO

    class Output(Protocol):
        """What a command writes to: ``sys.stdout``, a file or a :class:`Watched` one."""

        def write(self, text: str, /) -> int: ...

        def isatty(self) -> bool: ...


class Watched:
    """An output stream that remembers whether anything was written to it (a damaged cache found after
    output began cannot be answered again from a rebuild)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = False

    def write(self, text: str, /) -> int:
        self.written = self.written or bool(text)
        return self.stream.write(text)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)
