"""Unit tests of the browser's headless parts: worker connections, typing queries, history, views."""

from __future__ import annotations

import threading

import pytest

from kztj_tui.cache import open_store
from kztj_tui.model import Filters
from kztj_tui.query import parse
from kztj_tui.store import Store
from kztj_tui.tui.history import History, ReaderPlace, ViewPlace
from kztj_tui.tui.incremental import typing_query
from kztj_tui.tui.readers import Readers
from kztj_tui.tui.search import SearchRequest, run_search
from kztj_tui.tui.views import event_view

from .conftest import BUNDLED


def _in_thread(store: Store, query: str) -> list[int]:
    out: list[list[int]] = []
    thread = threading.Thread(target=lambda: out.append(store.search(Filters(query=query)).rowids))
    thread.start()
    thread.join()
    return out[0]


def test_a_reader_has_its_own_connection_to_the_same_data(store: Store) -> None:
    reader = store.reader()
    try:
        assert reader is not store and reader.count == store.count
        assert _in_thread(reader, "Rogun") == store.search(Filters(query="Rogun")).rowids
    finally:
        reader.close()
    assert store.search(Filters(query="Rogun")).rowids  # closing the reader leaves the store open


def test_a_reader_of_a_cached_store_opens_both_files_read_only() -> None:
    open_store(BUNDLED)  # build the cache
    cached = open_store(BUNDLED)
    reader = cached.reader()
    try:
        assert _in_thread(reader, "grapes") == cached.search(Filters(query="grapes")).rowids
        assert reader.rows([cached.all_rowids()[0]])[0].id == "diplomatic-relations-established"
    finally:
        reader.close()
        cached.close()


def test_readers_lend_each_worker_a_connection_of_its_own(store: Store) -> None:
    readers = Readers(store)
    with readers.borrow() as first, readers.borrow() as second:
        assert first is not second and store not in (first, second)
    with readers.borrow() as again:
        assert again in (first, second)  # returned connections are reused
    readers.close()


def test_typing_query_makes_the_last_bare_word_a_prefix() -> None:
    assert typing_query("trad") == "trad*"
    assert typing_query("rogun trad") == "rogun trad*"
    assert typing_query("trade ") == "trade "  # a space ends the word
    for exact in ('"direct fl', "tag:tra", "-tra", "NOT tra", "a OR", "decl*", ""):
        assert typing_query(exact) == exact
    assert typing_query("coopera", lambda word: "cooper") == "coopera* OR cooper"


def test_a_query_typed_up_to_the_limit_runs_and_one_over_it_counts_what_was_typed(store: Store) -> None:
    limit = "trade " + "x" * 9_994  # exactly 10,000 characters: the "*" made it 10,001 and refused it
    assert len(limit) == 10_000
    result = run_search(store, SearchRequest(Filters(query=limit), typing=True), store.year_runs())
    assert result.error is None
    over = limit + "e"
    result = run_search(store, SearchRequest(Filters(query=over), typing=True), store.year_runs())
    assert result.error is not None and result.error.startswith("query too long: 10,001 characters")
    # Near the limit, the last word stays a prefix if that fits, though its stem does not.
    near = "x" * 9_990 + " coopera"
    assert typing_query(near, lambda word: "cooper") == near + "*"


def test_a_half_typed_word_is_matched_through_its_stem(store: Store) -> None:
    assert store.typed_word_stem("coopera") == "cooper"
    assert store.typed_word_stem("tradin") == "trade"
    assert store.typed_word_stem("dushan") is None  # matches as a prefix: nothing to add
    assert store.typed_word_stem("zzzz") is None


def test_search_sends_the_first_window_and_the_selected_detail(store: Store) -> None:
    result = run_search(store, SearchRequest(Filters(query="trad"), typing=True), store.year_runs())
    assert result.query.text == "trad*" and result.rowids
    assert [row.rowid for row in result.rows] == list(result.rowids[: len(result.rows)])
    assert result.detail is not None and result.detail.rowid == result.select == result.rowids[0]
    assert any(spans for spans in result.highlights.values())
    exact = run_search(store, SearchRequest(Filters(query="trad")), store.year_runs())
    assert exact.rowids == [] and exact.detail is None


def test_search_keeps_the_requested_event_when_it_still_shows(store: Store) -> None:
    rowid = store.rowid_of("agri-trade-2022")
    result = run_search(store, SearchRequest(Filters(tags=("trade",)), select=rowid), store.year_runs())
    assert result.select == rowid


def test_history_goes_back_and_forward_like_a_browser() -> None:
    history = History()
    a, b, c = (ViewPlace(Filters(), name) for name in "abc")
    history.leave(a)
    history.leave(b)
    assert history.back(c) == b and history.back(b) == a
    assert not history.can_go_back and history.forward(a) == b
    history.leave(b)  # following a link forgets the forward places
    assert not history.can_go_forward
    reader = ReaderPlace("kazinform-2023-05-05", "quote")
    assert history.back(reader) == b and history.forward(b) == reader


def test_event_view_resolves_names_figures_and_conflicts(store: Store) -> None:
    rowid = store.rowid_of("business-forum-2023")
    assert rowid is not None
    view = event_view(store, rowid, parse("forum"))
    assert view.title_spans and view.event.id == "business-forum-2023"
    assert any(line.others for line in view.figures)  # the $1.8 bn / $1.3 bn conflict
    assert all(chip.label for chip in view.actors)
    assert [s.source.id for s in view.sources] == [c.source for c in view.event.sources]


def test_places_filter_keeps_events_at_that_place(store: Store) -> None:
    hits = store.search(Filters(places=("dushanbe",)), sort="date")
    assert hits.rowids and all(store.event_at(r).place == "dushanbe" for r in hits.rowids)
    assert "place dushanbe" in Filters(places=("dushanbe",)).describe()


def test_closing_the_pool_leaves_a_lent_connection_open_until_it_comes_back(store: Store) -> None:
    readers = Readers(store)
    with readers.borrow() as reader:
        readers.close()  # the app exits while a worker is still querying
        assert reader.search(Filters(query="Rogun")).rowids  # would crash if closed under the worker
    try:
        reader.search(Filters(query="Rogun"))
    except Exception as error:  # closed once it came back
        assert "closed" in str(error).lower()
    else:
        raise AssertionError("the connection was left open")


def test_a_word_shorter_than_the_minimum_waits_for_more_letters() -> None:
    assert typing_query("kazakhstan t", min_letters=2) == "kazakhstan"
    assert typing_query("t", min_letters=2) == ""
    assert typing_query("kazakhstan tr", min_letters=2) == "kazakhstan tr*"
    assert typing_query("t") == "t*"


def test_highlights_of_a_run_of_rows_match_those_found_one_by_one(store: Store) -> None:
    window = list(store.all_rowids())
    together = store.highlights(parse("trad* OR dushanbe"), window)
    one_by_one = {r: s for rowid in window for r, s in store.highlights(parse("trad* OR dushanbe"), [rowid]).items()}
    assert together == one_by_one and together
    scattered = [window[0], window[-1]]  # far apart: looked up one by one
    assert store.highlights(parse("trad* OR dushanbe"), scattered) == {
        r: one_by_one[r] for r in scattered if r in one_by_one
    }


def test_a_search_parses_what_was_typed_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The search, the title highlights and the detail view all read one parsed query.
    from kztj_tui import query
    from kztj_tui.tui import search

    parsed: list[str] = []
    parse = query.parse

    def counting(text: str) -> query.Query:
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(search, "parse", counting, raising=False)
    monkeypatch.setattr("kztj_tui.store.query_lang.parse", counting)
    result = run_search(store, SearchRequest(Filters(query="dushanbe trad"), typing=True), store.year_runs())
    assert result.rowids and result.detail is not None and result.highlights
    assert parsed == ["dushanbe trad*"]
