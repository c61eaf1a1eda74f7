"""One search of the timeline, as a worker thread runs it: rowids, year runs and what to draw first."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..model import Filters
from ..query import Query, QueryError, parse
from ..store import Row, Store
from .incremental import typing_query
from .views import EventView, event_view

if TYPE_CHECKING:
    from ..check import Finding
    from ..query import NoteMatcher

# Typing a word that matches most of a 100,000-event store must not block: show the first
# matches in date order and count the rest.
SEARCH_LIMIT = 5000
# Rows sent with a result on each side of the selection: more than any screen shows.
WINDOW = 100
# On stores larger than this, a word being typed counts from its second letter.
SHORT_PREFIX_STORE = 10_000


class SearchRequest(NamedTuple):
    """What to show: filters, whether the query is still being typed, and an event to keep selected."""

    filters: Filters
    typing: bool = False
    select: int | None = None
    prefix: bool = False
    """The query's last word, if bare, is a prefix (as while typing): what Enter commits (``trad`` finds trade)."""
    find: bool = False
    """Find, not filter: every event the other filters keep stays in view; the query's matches are marked."""


class SearchResult(NamedTuple):
    """What a search found, with the rows, title matches and detail view of the selection ready to draw."""

    request: SearchRequest
    query: Query
    """What was searched for, parsed once: the timeline and the detail pane mark its words."""
    rowids: Sequence[int]
    runs: list[tuple[int, int]]
    total: int
    select: int | None = None
    rows: list[Row] = []
    highlights: dict[int, list[tuple[int, int]]] = {}
    detail: EventView | None = None
    error: str | None = None
    found: Sequence[int] | None = None
    """In find mode, the matches (rowids, in order) among ``rowids``; None when the query filters."""


def run_search(
    store: Store,
    request: SearchRequest,
    all_runs: list[tuple[int, int]],
    findings: Mapping[str, Sequence[Finding]] | None = None,
    notes: NoteMatcher | None = None,
) -> SearchResult:
    """Run a request on a store (a worker's own connection); ``notes`` answers ``note:`` fields."""
    filters = request.filters
    min_letters = 1 if store.count <= SHORT_PREFIX_STORE else 2
    if request.typing:
        text = typing_query(filters.query, store.typed_word_stem, min_letters)
    elif request.prefix:
        text = typing_query(filters.query, store.typed_word_stem)  # Enter keeps even a short word
    else:
        text = filters.query
    try:
        query = parse(text)  # the only parse: the search, the highlights and the detail view share it
    except QueryError as error:
        return SearchResult(request, Query(text=text), [], [], 0, error=str(error))
    base = filters._replace(query="")  # what the other filters keep
    if not query and not base.active:
        rowids: Sequence[int] = store.all_rowids()
        runs, total = all_runs, store.count
    else:
        try:
            hits = store.search(base, sort="date", limit=SEARCH_LIMIT, notes=notes, query=query)
        except QueryError as error:
            return SearchResult(request, query, [], [], 0, error=str(error))
        rowids, total = hits.rowids, hits.total
        runs = [(year, len(list(group))) for year, group in itertools.groupby(hits.years)]
    matches: Sequence[int] | None = None
    if request.find and query:
        # The matches are marked in a view the query does not narrow: the other filters' events.
        matches = rowids
        if base.active:
            kept = store.search(base, sort="date", limit=SEARCH_LIMIT, notes=notes)
            rowids = kept.rowids
            runs = [(year, len(list(group))) for year, group in itertools.groupby(kept.years)]
        else:
            rowids, runs = store.all_rowids(), all_runs
    index = 0
    if request.select is not None:
        found = bisect_left(rowids, request.select)
        if found < len(rowids) and rowids[found] == request.select:
            index = found
    if matches:
        # Like less's /: the first match from the selection on (wrapping round to the first).
        at = bisect_left(matches, rowids[index]) if rowids else 0
        first = bisect_left(rowids, matches[at % len(matches)])
        index = first if first < len(rowids) else index
    if not rowids:
        return SearchResult(request, query, rowids, runs, total, found=matches)
    window = list(rowids[max(0, index - WINDOW) : index + WINDOW])
    highlights = {rowid: spans[0] for rowid, spans in store.highlights(query, window).items()} if query else {}
    selected = rowids[index]
    return SearchResult(
        request,
        query,
        rowids,
        runs,
        total,
        select=selected,
        rows=store.rows(window),
        highlights=highlights,
        detail=event_view(store, selected, query, findings),
        found=matches,
    )
