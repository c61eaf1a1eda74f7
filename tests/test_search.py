"""The search engine: query syntax, aliases, word forms, diacritics, ranking and field filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kztj_tui import query
from kztj_tui.cache import open_store
from kztj_tui.model import Filters
from kztj_tui.query import parse
from kztj_tui.store import Store

from .conftest import MINIMAL


def ids(store: Store, text: str, sort: str = "date") -> list[str]:
    return [store.event_at(r).id for r in store.search(Filters(query=text), sort=sort).rowids]


def test_parser_operators() -> None:
    parsed = query.parse('"allied interaction" grape OR wheat -cotton declar* tag:trade actor:Rahmon year:2023')
    assert parsed.positive_fts() == '"allied interaction" AND ("grape" OR "wheat") AND "declar" *'
    assert [t.tokens for t in parsed.terms()] == [("allied", "interaction"), ("grape",), ("wheat",), ("declar",)]
    assert [(f.name, f.value) for f in parsed.fields()] == [("tag", "trade"), ("actor", "Rahmon"), ("year", "2023")]
    year = parsed.fields()[-1]
    assert (str(year.start), str(year.end)) == ("2023-01-01", "2023-12-31")


def test_parser_from_to_are_precision_aware() -> None:
    start, end = query.parse("from:2021 to:2022-02").fields()
    assert (str(start.start), str(end.end)) == ("2021-01-01", "2022-02-28")


ODD_QUERIES = ["c++", 'foo"', "harbor AND", "-", '"', "OR", "*", "NOT", "AND OR NOT", "a:b:c", "(x", "^", "tag:"]


@pytest.mark.parametrize("text", ODD_QUERIES)
def test_bad_syntax_searches_literally(store: Store, text: str) -> None:
    hits = store.search(Filters(query=text))  # never raises: the text is searched literally or ignored
    assert hits.total == len(hits.rowids)


@pytest.mark.parametrize("text", ["year:abc", "from:soon", "year:20", "to:2023-13"])
def test_bad_field_values_raise_a_clear_error(text: str) -> None:
    with pytest.raises(query.QueryError):
        query.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tokaev", "tokayev-visit-dushanbe-2021"),
        ("Toqaev", "declaration-allied-interaction"),
        ("Тоқаев", "golden-eagle-order"),
        ("Душанбе", "kz-mission-dushanbe-opens"),
        ("Nur-Sultan", "rahmon-state-visit-2023"),
        ("Akmola", "business-forum-2023"),
        ("CSTO", "tokayev-rahmon-talks-2021"),
        ("Collective Security Treaty Organization", "tokayev-rahmon-talks-2021"),
        ("Avicenna", "ibn-sina-monument-planned"),
        ("Altyn Kyran", "golden-eagle-order"),
        ("Алтын Қыран", "golden-eagle-order"),
        ("Алтын Кыран", "golden-eagle-order"),
        ("Zhibek Zholy", "zhansseitov-interview-2023"),
        ("Aqorda", "rahmon-state-visit-2023"),
        ("Qasri Millat", "tokayev-rahmon-talks-2021"),
        ("Ibn Sino", "ibn-sina-monument-planned"),
        ("Abuali ibni Sino", "ibn-sina-monument-planned"),
        ("Roghun", "rogun-supplies-offer"),
    ],
)
def test_aliases_transliterations_and_cyrillic(store: Store, text: str, expected: str) -> None:
    assert expected in ids(store, text)


@pytest.mark.parametrize(("a", "b"), [("grape", "grapes"), ("sign", "signed"), ("signing", "sign")])
def test_word_forms(store: Store, a: str, b: str) -> None:
    assert ids(store, a) == ids(store, b) != []


def test_case_and_diacritics_are_folded(store: Store) -> None:
    assert ids(store, "rogún") == ids(store, "ROGUN") == ids(store, "Rogun") != []
    assert ids(store, "ДУШАНБЕ") == ids(store, "душанбе")


def test_phrase_not_or_prefix(store: Store) -> None:
    assert "declaration-allied-interaction" in ids(store, '"allied interaction"')
    assert ids(store, '"interaction allied"') == []
    with_wheat = set(ids(store, "wheat"))
    without = set(ids(store, "trade -wheat"))
    assert with_wheat and not (with_wheat & without) and without
    assert set(ids(store, "Avicenna OR cinema")) == set(ids(store, "Avicenna")) | set(ids(store, "cinema"))
    assert "declaration-allied-interaction" in ids(store, "decl*")
    assert ids(store, "decl") == []  # without the star it is a whole word


def test_a_name_matches_every_event_of_its_entity_and_nothing_can_spell_the_index_token(store: Store) -> None:
    # Names and aliases are indexed once per entity; an event matches through its actors and place.
    def named(entity: str) -> set[str]:
        return {e.id for e in store.iter_events() if entity in e.actors or e.place == entity}

    def mentioned(word: str) -> set[str]:
        return {
            e.id
            for e in store.iter_events()
            if word in (e.title + " " + e.summary + " " + " ".join(c.quote for c in e.sources)).lower()
        }

    for text, entity in [("Tokaev", "tokayev"), ('"Treaty Organization"', "csto"), ("Душанбе", "dushanbe")]:
        word = text.strip('"').split()[0].lower()
        assert set(ids(store, text)) == named(entity) | mentioned(word), text
    assert set(ids(store, "Toka*")) >= named("tokayev")
    assert not set(ids(store, "-Tokaev")) & named("tokayev")
    assert set(ids(store, "Tokaev OR Душанбе")) == set(ids(store, "Tokaev")) | set(ids(store, "Душанбе"))
    assert store.typed_word_stem("Qazaqsta") is None  # a half-typed alias matches as a prefix
    # A phrase matches within one entity's names, never across two of an event's entities.
    assert ids(store, '"Tokaev Dushanbe"') == []
    assert ids(store, chr(0xE000) * 2) == ids(store, "") and ids(store, "\ue000\ue001 tokaev") == ids(store, "tokaev")


def test_pure_negation_keeps_everything_else(store: Store) -> None:
    assert len(ids(store, "-wheat")) == store.count - len(ids(store, "wheat"))


def test_field_filters(store: Store) -> None:
    culture = ids(store, "tag:culture")
    assert culture and all("culture" in store.event(i).tags for i in culture)  # type: ignore[union-attr]
    rahmon = ids(store, "actor:rahmon year:2023")
    assert rahmon and all("rahmon" in e.actors and e.start[:4] == "2023" for e in map(store.event, rahmon) if e)
    assert set(ids(store, "actor:Рахмон")) == set(ids(store, "actor:rahmon"))
    window = ids(store, "from:2021 to:2022")
    # Every event overlapping 2021-2022, an interval open since 1993 too.
    overlapping = {e.id for e in store.iter_events() if e.start <= "2022-12-31" and e.end >= "2021-01-01"}
    assert window and set(window) == overlapping


def test_ranking_prefers_title_matches(write_store: Callable[..., Path]) -> None:
    text = """\
    sources:
      - {id: s1, file: seeds/004_d7f03eec0b499d71.txt, outlet: O, published: 2023, description: T}
    events:
      - {id: quote-only, date: 2020, title: Something else, summary: Nothing here., tags: [trade], status: occurred,
         sources: [{source: s1, quote: "Tajikistan exported 26,000 tons of grapes"}]}
      - {id: summary, date: 2021, title: Another thing, summary: About grapes., tags: [trade], status: occurred,
         sources: [{source: s1, quote: "ASTANA"}]}
      - {id: title, date: 2022, title: Grapes galore, summary: Nothing., tags: [trade], status: occurred,
         sources: [{source: s1, quote: "ASTANA"}]}
    """
    store = open_store(write_store(text), use_cache=False)
    assert ids(store, "grapes", sort="relevance") == ["title", "summary", "quote-only"]
    assert ids(store, "grapes", sort="date") == ["quote-only", "summary", "title"]


def test_limit_caps_work_but_counts_everything(store: Store) -> None:
    hits = store.search(Filters(query="kazakhstan"), limit=3)
    assert len(hits.rowids) == 3 and hits.total > 3 and hits.capped


def test_highlights_map_to_original_text(store: Store) -> None:
    rowids = store.search(Filters(query="Rogún")).rowids
    spans = store.highlights(parse("Rogún"), rowids)
    for rowid in rowids:
        event = store.event_at(rowid)
        title_spans, summary_spans = spans[rowid]
        for start, end in title_spans:
            assert event.title[start:end].lower() == "rogun"
        for start, end in summary_spans:
            assert event.summary[start:end].lower() == "rogun"
        assert title_spans or summary_spans


def test_snippet_windows_around_the_first_match() -> None:
    from kztj_tui.text import snippet

    text = "a" * 100 + " Rogun dam " + "b" * 100
    window, spans = snippet(text, [(101, 106)], width=40)
    assert window.startswith("…") and window.endswith("…")
    [(start, end)] = spans
    assert window[start:end] == "Rogun"
    assert snippet("short text", [], width=40) == ("short text", [])


def test_search_table_on_a_terminal_shows_highlighted_snippets(store: Store) -> None:
    import io

    from kztj_tui.searchview import write_table

    out = io.StringIO()
    rowids = store.search(Filters(query="Rogun")).rowids
    assert write_table(store, parse("Rogun"), [rowids], out, width=120, colour=True) == 2
    text = out.getvalue()
    assert "hydropower plant" in text and "tokayev-visit-dushanbe-2021" in text
    assert "\x1b[7mRogun\x1b[27m" in text  # the matched word, in reverse video
    lines = text.splitlines()
    assert len(lines) == 5 and lines[0].startswith("\x1b[1mDate")  # a header, then two lines an event


def test_the_terminal_table_writes_each_batch_before_reading_the_next(store: Store) -> None:
    import io

    from kztj_tui.searchview import write_table

    out = io.StringIO()
    rowids = store.search(Filters(query="trade")).rowids
    seen: list[int] = []

    def batches() -> Iterator[list[int]]:
        for at in range(0, len(rowids), 3):
            seen.append(out.getvalue().count("\n"))  # lines written before this batch was read
            yield rowids[at : at + 3]

    assert write_table(store, parse("trade"), batches(), out, width=100, colour=False) == len(rowids)
    assert seen[:3] == [0, 7, 13]  # the header and two events a batch: written as they came
    assert "\x1b" not in out.getvalue()


@pytest.mark.parametrize(
    ("text", "width", "shown", "kept"),
    [
        ("abcdef", 4, "abc…", 3),
        ("abc", 5, "abc  ", 3),
        ("漢字漢字", 5, "漢字…", 2),  # two cells a character
        ("漢字漢字", 4, "漢 …", 1),  # a character that would straddle the cut becomes a space
        ("Алтын Қыран", 8, "Алтын Қ…", 7),
    ],
)
def test_terminal_cells_are_cut_by_width_not_by_characters(text: str, width: int, shown: str, kept: int) -> None:
    from kztj_tui.searchview import fit

    assert fit(text, width) == (shown, kept)


def test_entities_past_the_first_token_character_are_found_by_their_names(write_store: Callable[..., Path]) -> None:
    # Tokens are two private-use characters: an entity at ordinal 6,400 or more needs the first one too.
    fillers = "".join(f"  - {{id: filler-{i}, name: Filler {i}, kind: place}}\n" for i in range(6500))
    text = MINIMAL.replace("entities:\n", "entities:\n" + fillers).replace(
        "  - {id: dushanbe, name: Dushanbe, kind: city, aliases: [Душанбе]}\n",
        "  - {id: dushanbe, name: Dushanbe, kind: city, aliases: [Душанбе, Stalinabad]}\n",
    )
    store = open_store(write_store(text), use_cache=False)
    assert list(store.entities).index("dushanbe") > 6400
    assert ids(store, "Stalinabad") == ["visit"] == ids(store, "stalin*")
    assert ids(store, "Filler") == []  # entities no event names find nothing, whatever their token


def test_a_name_in_the_title_ranks_above_events_that_only_name_it_through_their_entities(store: Store) -> None:
    # An entity token is rarer than the word it stands for; weighed as much, two of them (astana and
    # astana-airport) outranked a title that says Astana.
    for name in ("Astana", "Dushanbe", "Rahmon"):
        ranked = [store.event(i) for i in ids(store, name, sort="relevance")]
        in_title = [name.lower() in e.title.lower() for e in ranked if e]
        assert in_title == sorted(in_title, reverse=True) and any(in_title), name


@pytest.mark.parametrize("entities", [10, 80], ids=["names-in-the-expression", "names-through-sql"])
def test_a_word_naming_many_entities_matches_the_events_of_each(
    write_store: Callable[..., Path], entities: int
) -> None:
    # Past 64 entities a term's names go through SQL instead of the FTS5 expression: the same answers.
    fillers = "".join(f"  - {{id: filler-{i}, name: Filler {i}, kind: place}}\n" for i in range(entities))
    event = MINIMAL[MINIMAL.index("  - id: visit") : MINIMAL.index("figures:")]
    by_actor = event.replace("id: visit", "id: by-actor").replace(
        "actors: [tokayev]", f"actors: [filler-{entities - 1}]"
    )
    by_place = event.replace("id: visit", "id: by-place").replace("place: dushanbe", "place: filler-3")
    nowhere = event.replace("id: visit", "id: nowhere").replace("    place: dushanbe\n", "").replace("[tokayev]", "[]")
    text = MINIMAL.replace("entities:\n", "entities:\n" + fillers).replace(event, event + by_actor + by_place + nowhere)
    store = open_store(write_store(text), use_cache=False)
    assert set(ids(store, "Filler")) == set(ids(store, "fill*")) == {"by-actor", "by-place"}
    assert set(ids(store, "-Filler")) == {"visit", "nowhere"}  # an event with no place is no match, kept
    assert set(ids(store, "Filler OR Kassym")) == {"by-actor", "by-place", "visit"}
    assert set(ids(store, "Filler Душанбе")) == {"by-actor"}
    assert ids(store, "Filler", sort="relevance")[:2] and store.search(Filters(query="Filler"), limit=1).total == 2
    assert store.typed_word_stem("Fille") is None
