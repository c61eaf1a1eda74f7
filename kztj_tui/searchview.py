"""``kztj search`` on a terminal: fixed columns, rows written as they are read, matches highlighted.

The columns are sized from the terminal and the store's widest date label, never from the rows, so
the first row is written before the last is read and memory does not grow with the matches (a
table measured over every row took 42 s and 664 MB for 100,000 matches). Each event takes two
lines: its date, title and the passage that matched, then its id, for ``kztj show ID``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence

from .cells import fit
from .lean_typing import TYPE_CHECKING, NamedTuple
from .query import Query
from .store import Store
from .text import Compiled, visible

if TYPE_CHECKING:
    from .model import Filters
    from .streams import Output

# Select Graphic Rendition: on and off codes, so a highlight inside a bold title ends without ending the bold.
BOLD, DIM, REVERSE = ("\x1b[1m", "\x1b[22m"), ("\x1b[2m", "\x1b[22m"), ("\x1b[7m", "\x1b[27m")
GAP = "  "
# Rows are read, highlighted and written this many at a time; the first batch is smaller, so the
# first rows show as soon as the piped ones would.
BATCH = 256
FIRST = 16


class _Narrow:
    """Characters that take one cell each and that visible() leaves alone: text made of them needs no
    measuring (cells.fit) and no escaping."""

    # ASCII's printable characters, Latin-1's and Latin Extended-A's letters, Cyrillic without its
    # combining marks, and common typographic punctuation. Compiled when a row first holds more than
    # printable ASCII.
    line = Compiled(
        "[\x20-\x7e\xa1-\xac\xae-\u017f\u0400-\u0482\u048a-\u04ff\u2013\u2014\u2018\u2019\u201c\u201d\u2026]*"
    )


_NARROW = _Narrow()
Spans = Sequence[tuple[int, int]]


class Terminal(NamedTuple):
    """Where a table is drawn: its width in cells, and whether it may carry escape codes."""

    width: int
    colour: bool


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


# The widest a terminal can say it is (its size is an unsigned short): a larger $COLUMNS is this, not a
# table padded to 10⁸ cells a row (10 GB) or an OverflowError at 10²⁰.
MAX_COLUMNS = 65_535


def terminal(color: str, out: Output, environ: Mapping[str, str] = os.environ) -> Terminal | None:
    """The width and colour of a terminal table (None: print plain lines), as rich's Console would find them.

    ``color`` is ``--color``: ``always`` draws the table even when piped, ``never`` draws it without an
    escape sequence, ``auto`` only on a terminal. Importing rich's console cost ~30 ms of every search on a
    terminal; this reads the same environment (TTY_COMPATIBLE, FORCE_COLOR, TERM, COLUMNS, LINES).
    """
    if color != "always" and not out.isatty():
        return None
    if sys.platform == "win32":  # pragma: no cover - legacy consoles narrow the width: rich knows how
        from rich.console import Console

        console = Console(file=out, force_terminal=True if color == "always" else None)
        return Terminal(console.width, color != "never" and console.color_system is not None)
    if color == "always":
        is_terminal = True
    elif (compatible := environ.get("TTY_COMPATIBLE", "")) in ("0", "1"):
        is_terminal = compatible == "1"
    elif (force := environ.get("FORCE_COLOR")) is not None:
        is_terminal = force != ""
    else:
        is_terminal = out.isatty()
    dumb = is_terminal and environ.get("TERM", "").lower() in ("dumb", "unknown")
    colour = color != "never" and is_terminal and not dumb
    columns, lines = environ.get("COLUMNS"), environ.get("LINES")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    fixed = min(int(columns), MAX_COLUMNS) if columns is not None and columns.isascii() and columns.isdigit() else None
    if fixed is not None and lines is not None and lines.isascii() and lines.isdigit():
        return Terminal(fixed, colour)
    if dumb:
        return Terminal(80, colour)
    if fixed is not None:
        return Terminal(fixed, colour)
    for descriptor in (0, 1, 2):
        try:
            return Terminal(os.get_terminal_size(descriptor).columns or 80, colour)
        except (AttributeError, ValueError, OSError):
            pass
    return Terminal(80, colour)


def _marked(text: str, spans: Spans, style: str, mark: tuple[str, str]) -> str:
    """``text`` after ``style``, with ``spans`` (cut to the text) in ``mark``: what ``styled`` writes before the
    padding or the … and the closing code."""
    out, at, kept = style, 0, len(text)
    for start, end in spans:
        start = at if start < at else start
        end = kept if end > kept else end
        if start < end:
            out += text[at:start] + mark[0] + text[start:end] + mark[1] + style
            at = end
    return out + text[at:]


def _regrouped(batches: Iterable[Sequence[int]]) -> Iterator[Sequence[int]]:
    """The batches, the first cut to FIRST rows: the first rows show before a whole batch is highlighted."""
    first = True
    for rowids in batches:
        if first and len(rowids) > FIRST:
            yield rowids[:FIRST]
            rowids = rowids[FIRST:]
        first = False
        yield rowids


def write_table(
    store: Store, query: Query, batches: Iterable[Sequence[int]], out: Output, width: int, colour: bool
) -> int:
    """Write the matches of ``batches`` (rowids, in order) as they come; the number written."""
    columns = Columns.fit(width, max(4, store.widest_label()))
    bold, dim, reverse = (BOLD, DIM, REVERSE) if colour else (None, None, None)
    # The fast path writes the same codes, empty when there is no colour (styled() then writes the text alone).
    (b0, b1), (d0, d1), marks = (BOLD, DIM, REVERSE) if colour else (("", ""), ("", ""), ("", ""))
    event_width, match_width = columns.event, columns.match
    window = match_width - 2  # the snippet's text, with … at either end when cut (text.snippet)
    lead = window // 3
    pads = _Pads()
    indent = " " * (columns.date + len(GAP))
    dates: dict[str, str] = {}  # a label's cell: labels repeat
    count = 0
    for rowids, cards in store.highlighted_card_batches(query, _regrouped(batches)):
        lines = []
        if not count:
            names = zip(("Date", "Event", "Match"), columns, strict=True)
            lines.append(GAP.join(styled(name, (), size, bold, bold) for name, size in names).rstrip())
        for label, event_id, title, summary, title_spans, summary_spans in cards:
            date = dates.get(label)
            if date is None:
                # "19–20 May 2021": no need to measure it.
                if (label.isascii() and label.isprintable()) or _NARROW.line.fullmatch(label):
                    size = columns.date
                    date = label + " " * (size - len(label)) if len(label) <= size else label[: size - 1] + "…"
                else:
                    date = fit(visible(label), columns.date)[0]
                dates[label] = date
            # Most text is one cell a character with nothing to escape (_NARROW): it is cut and padded by
            # counting characters, as fit() and styled() would, without measuring or escaping it.
            if (title.isascii() and title.isprintable()) or _NARROW.line.fullmatch(title):
                if len(title) <= event_width:
                    event_cell = _marked(title, title_spans, b0, marks) + pads[event_width - len(title)] + b1
                else:
                    event_cell = _marked(title[: event_width - 1], title_spans, b0, marks) + "…" + b1
            else:
                event_cell = styled(title, title_spans, event_width, bold, reverse)
            # text.snippet inline: a window of the summary around its first match.
            size = len(summary)
            if summary_spans:
                start = max(0, min(summary_spans[0][0] - lead, size - window))
                end = min(size, start + window)
            else:
                start, end = 0, min(size, window)
            text = summary[start:end]
            prefix, suffix = "…" if start > 0 else "", "…" if end < size else ""
            if summary_spans:
                shift = len(prefix) - start
                spans = [(a + shift, b + shift) for a, b in summary_spans if a >= start and b <= end]
            else:
                spans = []
            fast = (text.isascii() and text.isprintable()) or _NARROW.line.fullmatch(text)
            text = prefix + text + suffix
            if fast:  # never longer than the column
                match_cell = _marked(text, spans, d0, marks) + pads[match_width - len(text)] + d1
            else:
                match_cell = styled(text, spans, match_width, dim, reverse)
            lines.append(f"{date}{GAP}{event_cell}{GAP}{match_cell}".rstrip())
            # The id is never cut: it is what `kztj show` takes. It may run under the match column.
            lines.append(f"{indent}{d0}{visible(event_id)}{d1}")
        out.write("\n".join(lines) + "\n")
        count += len(rowids)
    return count


class _Pads(dict[int, str]):
    """Runs of spaces by length, each made when first asked for: a row's padding without a list of every
    width (that was O(width²): 545 MB on a terminal 65,535 columns wide)."""

    def __missing__(self, size: int) -> str:
        pad = self[size] = " " * size
        return pad


def search_table(
    store: Store,
    filters: Filters | None,
    query: Query,
    out: Output,
    table: Terminal,
    sort: str = "date",
    limit: int | None = None,
) -> int:
    """``kztj search`` on a terminal: the table of what ``query`` and ``filters`` (None: none) match, then a
    line saying how many; the number of events shown."""
    if limit is None:
        # Every match, streamed: the first rows show before the last are read.
        batches: Iterable[Sequence[int]] = store.search_rowids(filters, sort=sort, query=query)
        total = None
    else:
        hits = store.search(filters, sort=sort, limit=limit, query=query)
        batches = [hits.rowids[at : at + BATCH] for at in range(0, len(hits.rowids), BATCH)]
        total = hits.total
    shown = write_table(store, query, batches, out, table.width, colour=table.colour)
    out.write(f"{shown} of {shown if total is None else total} matching events\n")
    return shown
