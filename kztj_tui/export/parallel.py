"""A large export written by two processes: blocks of events alternate between them, in order.

Writing Markdown is Python work on one core; the command line runs one thread, so on a machine
with two cores (the command line's decision, passed in as ``fork``: see forking.py) a forked
child renders every other block of 250 events and hands it back through a pipe while this
process renders the rest. The output is the same bytes as one process
writes (each block is rendered from the same events with the year it follows), and memory stays
flat: the child waits on the pipe until its block is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, Generic, TypeVar

from .. import forking
from ..model import Event
from ..store import Store
from .common import Selection

# Small blocks keep memory flat (each is held as text, rendered and as bytes, by both processes):
# at 100,000 events the parent peaks at 27 MB with 250 and at 38 MB with 1,000, equally fast.
BLOCK = 250
# Below this many events, forking costs more than it saves.
MIN_EVENTS = 20_000

# Renders the events at these rowids, given the year of the event before them (None at the start).
RenderBlock = Callable[[Store, Sequence[int], "int | None"], str]
# Renders a block of events of a store; the flag says whether it is the export's first block.
RenderEvents = Callable[[Store, Sequence[Event], bool], str]
# Where one process renders, it does so this many events at a time: one chunk each.
BATCH = 100


T = TypeVar("T")


class PerStore(Generic[T]):
    """One ``T`` for each store an export renders from, made on first use."""

    # Each process renders from a store object of its own (the child reopens the files): what a
    # render remembers of a store (its writer, the source lists it wrote) is kept per store.

    def __init__(self, make: Callable[[Store], T]) -> None:
        self._make = make
        self._made: dict[int, T] = {}

    def __call__(self, store: Store) -> T:
        made = self._made.get(id(store))
        if made is None:
            made = self._made[id(store)] = self._make(store)
        return made


def usable(store: Store, count: int, fork: bool) -> bool:
    """Whether an export of ``count`` events of this store is to be split across two processes.

    ``fork`` is the caller's decision that a child may be forked (see forking.py).
    """
    # An in-memory store cannot be opened from another process.
    return fork and count >= MIN_EVENTS and bool(store.database_files())


def _blocks(store: Store) -> Iterator[tuple[list[int], int | None]]:
    """Every event's rowid in blocks, with the year of the event before each block: no list of all of them."""
    previous: int | None = None
    for page in store.rowid_pages(BLOCK):
        yield [rowid for rowid, _ in page], previous
        previous = page[-1][1]


def blocks(store: Store, render: RenderBlock) -> Iterator[str]:
    """Every event of the store, rendered in blocks, in order; odd blocks come from a forked child."""
    files = store.database_files()

    def render_odd_blocks(sink: BinaryIO) -> None:  # in the child, on a connection of its own
        own = store.reopened(files)
        for number, (rowids, previous_year) in enumerate(_blocks(own)):
            if number % 2:
                text = render(own, rowids, previous_year).encode("utf-8")
                sink.write(len(text).to_bytes(8, "little") + text)

    with forking.start(render_odd_blocks) as child:  # stopped if the export ends early
        pipe = child.stream
        for number, (rowids, previous_year) in enumerate(_blocks(store)):
            if number % 2 == 0:
                yield render(store, rowids, previous_year)
                continue
            header = pipe.read(8)
            size = int.from_bytes(header, "little")
            text = pipe.read(size) if len(header) == 8 else b""
            if len(header) != 8 or len(text) != size:
                raise OSError(_STOPPED)
            yield text.decode("utf-8")
        if not child.wait():
            raise OSError("the second export process failed")  # whatever it sent, the export is not trusted


_STOPPED = "the second export process stopped before its part was written"


def rendered(selection: Selection, render: RenderEvents, fork: bool) -> Iterator[str]:
    """The selected events rendered in blocks, in order: the whole of a large store by two processes if ``fork``.

    ``render`` must depend only on its events and the flag (no state carried from block to block),
    since the blocks are rendered by two processes.
    """
    store = selection.store
    if usable(store, 0 if selection.filters.active else store.count, fork):
        yield from blocks(store, lambda own, rowids, before: render(own, own.events_at(rowids), before is None))
        return
    batch: list[Event] = []
    first = True
    for event in selection.events():
        batch.append(event)
        if len(batch) >= BATCH:
            yield render(store, batch, first)
            batch, first = [], False
    if batch:
        yield render(store, batch, first)
