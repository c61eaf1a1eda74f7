"""``kztj search`` on a terminal: fixed columns, rows written as they are read, matches highlighted.

The columns are sized from the terminal and the store's widest date label, never from the rows, so
the first row is written before the last is read and memory does not grow with the matches (a
table measured over every row took 42 s and 664 MB for 100,000 matches). Each event takes two
lines: its date, title and the passage that matched, then its id, for ``kztj show ID``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, TextIO

from .query import Query
from .store import Store
from .text import snippet, visible

# Select Graphic Rendition: on and off codes, so a highlight inside a bold title ends without ending the bold.
BOLD, DIM, REVERSE = ("\x1b[1m", "\x1b[22m"), ("\x1b[2m", "\x1b[22m"), ("\x1b[7m", "\x1b[27m")
GAP = "  "
# Rows are read, highlighted and written this many at a time.
BATCH = 256
Spans = Sequence[tuple[int, int]]


class Columns(NamedTuple):
    """Widths of the date, event and match columns, in terminal cells."""

    date: int
    event: int
    match: int

    @classmethod
    def fit(cls, width: int, date: int) -> Columns:
        """The event and match columns share what the date leaves (at least 10 cells each)."""
        rest = max(20, width - date - 2 * len(GAP))
        event = max(10, rest // 2)
        return cls(date, event, max(10, rest - event))


def fit(text: str, width: int) -> tuple[str, int]:
    """Text cut to ``width`` cells (ending in … when cut) and padded to it; and how many of its characters show."""
    from rich.cells import cell_len, set_cell_size

    if text.isascii():
        return (text.ljust(width), len(text)) if len(text) <= width else (text[: width - 1] + "…", width - 1)
    if cell_len(text) <= width:
        return set_cell_size(text, width), len(text)
    cut = set_cell_size(text, width - 1)  # padded with a space where a wide character would straddle the cut
    kept = len(cut)
    while kept and cut[:kept] != text[:kept]:
        kept -= 1
    return cut + "…", kept


def styled(text: str, spans: Spans, width: int, style: tuple[str, str] | None, mark: tuple[str, str] | None) -> str:
    """``text`` fitted to ``width``, in ``style``, with ``spans`` in ``mark`` (None: no escape codes)."""
    safe = visible(text)
    shown, kept = fit(safe, width)
    if style is None or mark is None:
        return shown
    if safe is not text:
        spans = ()  # escapes moved the characters the spans count
    out, at = [style[0]], 0
    for start, end in spans:
        start, end = max(start, at), min(end, kept)
        if start >= end:
            continue
        out += [shown[at:start], mark[0], shown[start:end], mark[1], style[0]]
        at = end
    out += [shown[at:], style[1]]
    return "".join(out)


def write_table(
    store: Store, query: Query, batches: Iterable[Sequence[int]], out: TextIO, width: int, colour: bool
) -> int:
    """Write the matches of ``batches`` (rowids, in order) as they come; the number written."""
    columns = Columns.fit(width, max(4, store.widest_label()))
    bold, dim, reverse = (BOLD, DIM, REVERSE) if colour else (None, None, None)
    count = 0
    for rowids in batches:
        highlights = store.highlights(query, rowids)
        lines = []
        if not count:
            names = zip(("Date", "Event", "Match"), columns, strict=True)
            lines.append(GAP.join(styled(name, (), size, bold, bold) for name, size in names).rstrip())
        for rowid, label, event_id, title, summary in store.cards(rowids):
            title_spans, summary_spans = highlights.get(rowid, ((), ()))
            window, window_spans = snippet(summary, list(summary_spans), columns.match - 2)  # with … at both ends
            lines.append(
                GAP.join(
                    (
                        fit(visible(label), columns.date)[0],
                        styled(title, title_spans, columns.event, bold, reverse),
                        styled(window, window_spans, columns.match, dim, reverse),
                    )
                ).rstrip()
            )
            # The id is never cut: it is what `kztj show` takes. It may run under the match column.
            indent = " " * (columns.date + len(GAP))
            lines.append(indent + (f"{dim[0]}{visible(event_id)}{dim[1]}" if dim else visible(event_id)))
        out.write("\n".join(lines) + "\n")
        count += len(rowids)
    return count
