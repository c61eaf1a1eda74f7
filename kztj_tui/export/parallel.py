"""A large export written by two processes: blocks of events alternate between them, in order.

Writing Markdown is Python work on one core; the command line runs one thread, so on a machine
with two cores a forked child renders every other block of 250 events and hands it back
through a pipe while this process renders the rest. The output is the same bytes as one process
writes (each block is rendered from the same events with the year it follows), and memory stays
flat: the child waits on the pipe until its block is read.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from ..forking import ENDING_SIGNALS, can_fork
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


def usable(store: Store, count: int) -> bool:
    """Whether an export of ``count`` events of this store can be split across two processes."""
    # An in-memory store cannot be opened from another process.
    return count >= MIN_EVENTS and can_fork() and bool(store.database_files())


def _blocks(store: Store) -> Iterator[tuple[list[int], int | None]]:
    """Every event's rowid in blocks, with the year of the event before each block: no list of all of them."""
    previous: int | None = None
    for page in store.rowid_pages(BLOCK):
        yield [rowid for rowid, _ in page], previous
        previous = page[-1][1]


def blocks(store: Store, render: RenderBlock) -> Iterator[str]:
    """Every event of the store, rendered in blocks, in order; odd blocks come from a forked child."""
    files = store.database_files()
    read_end, write_end = os.pipe()
    # The child must never run the parent's handlers: one that turns SIGTERM into an exception
    # (output.write_output) would unwind the parent's code in the child, and remove the parent's
    # temporary file. The signals wait, blocked, until the child has the default actions back.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING_SIGNALS)
    try:
        child = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise
    if child != 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    if child == 0:  # the child: its own connection, every odd block, then leave without cleanup
        status = 0
        try:
            for ending in ENDING_SIGNALS:
                if signal.getsignal(ending) != signal.SIG_IGN:
                    signal.signal(ending, signal.SIG_DFL)  # a signal ends the child at once: it holds nothing to clean
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            own = store.reopened(files)
            with os.fdopen(write_end, "wb") as sink:
                for number, (rowids, previous_year) in enumerate(_blocks(own)):
                    if number % 2:
                        text = render(own, rowids, previous_year).encode("utf-8")
                        sink.write(len(text).to_bytes(8, "little") + text)
        except BrokenPipeError:
            pass  # the reader stopped early (kztj export | head)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    try:
        for number, (rowids, previous_year) in enumerate(_blocks(store)):
            if number % 2 == 0:
                yield render(store, rowids, previous_year)
                continue
            header = pipe.read(8)
            size = int.from_bytes(header, "little")
            text = pipe.read(size) if len(header) == 8 else b""
            if len(header) != 8 or len(text) != size:
                raise OSError("the second export process stopped before its part was written")
            yield text.decode("utf-8")
    finally:
        pipe.close()
        os.waitpid(child, 0)


def rendered(selection: Selection, render: RenderEvents) -> Iterator[str]:
    """The selected events rendered in blocks, in order: the whole of a large store by two processes.

    ``render`` must depend only on its events and the flag (no state carried from block to block),
    since the blocks are rendered by two processes.
    """
    store = selection.store
    if usable(store, 0 if selection.filters.active else store.count):
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
