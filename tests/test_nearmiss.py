"""Near-miss quotes: the closest passage of an article to a quote that is not in it."""

from __future__ import annotations

import pytest

from kztj_tui.nearmiss import closest_passage
from kztj_tui.text import normalize_for_quote, quote_in

from .conftest import REPO

VISIT = (REPO / "seeds" / "001_e76ff33dc96d9a90.txt").read_text(encoding="utf-8")
WEEK = (REPO / "seeds" / "000_e3cf86469e9e2e0d.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("quote", "article", "expected"),
    [
        # a misspelt word, a missing apostrophe
        (
            "Despite the pandamic, last years trade reached $800 million.",
            VISIT,
            "Despite the pandemic, last year’s trade reached $800 million.",
        ),
        # a wrong number
        (
            "Kazakhstan is the third largest trade partner of Tajikistan.",
            WEEK,
            "Kazakhstan is the second largest trade partner of Tajikistan.",
        ),
        # a dropped word and a transliteration
        (
            "The Order of Golden Eagle (Altyn Kyran)",
            WEEK,
            "The Order of the Golden Eagle (Altyn Qyran).",
        ),
        # different case
        ("TOKAYEV ARRIVED IN DUSHANBE AT THE INVITATION", VISIT, "Tokayev arrived in Dushanbe at the invitation"),
    ],
)
def test_suggests_the_passage_as_the_article_writes_it(quote: str, article: str, expected: str) -> None:
    passage = closest_passage(quote, article)
    assert passage == expected
    assert quote_in(passage, normalize_for_quote(article))


def test_an_elided_quote_is_matched_on_the_piece_that_is_missing() -> None:
    quote = "Kazakh President Kassym-Jomart Tokayev began ... agreements between Kazakh and Tajik ministeries"
    assert closest_passage(quote, VISIT) == "agreements between Kazakh and Tajik ministries"


def test_passage_spanning_lines_is_one_line() -> None:
    article = "First paragraph ends here.\n\n   The second one\nbegins on a new line and goes on."
    assert closest_passage("ends here. The secnd one begins", article) == "ends here. The second one begins"


@pytest.mark.parametrize("quote", ["football scores and the weather in Paris", "", "   ", "..."])
def test_nothing_close_enough_gives_none(quote: str) -> None:
    assert closest_passage(quote, WEEK) is None


def test_empty_article_gives_none() -> None:
    assert closest_passage("anything at all", "") is None


def test_quote_longer_than_the_article() -> None:
    assert closest_passage("one two three four five", "one two thre four") == "one two thre four"


def test_filter_problems_name_the_nearest_tags_and_actors_and_a_backwards_range() -> None:
    import datetime as dt

    from kztj_tui.cache import open_store
    from kztj_tui.nearmiss import filter_problems

    from .conftest import BUNDLED

    store = open_store(BUNDLED, use_cache=False)
    year_2021 = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    assert filter_problems(store, ["Diplomacy"], ["Рахмон", "tokayev"], *year_2021) == []
    backwards = dt.date(2023, 1, 1), dt.date(2020, 12, 31)
    assert filter_problems(store, ["diplomcy", "zzzz"], ["Тоқаев2021"], *backwards) == [
        "unknown tag 'diplomcy' (did you mean: diplomacy?)",
        "unknown tag 'zzzz' (see: kztj tags)",
        "unknown actor 'Тоқаев2021' (did you mean: Kassym-Jomart Tokayev?)",
        "empty date range: from 2023-01-01 is after to 2020-12-31",
    ]


def test_known_tags_are_checked_without_counting_every_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counting every event's tags for the nearest names took ~30 ms of `kztj search --tag trade` at
    # 100,000 events; a tag the store has needs one lookup, and only an unknown one the count.
    from kztj_tui.cache import open_store
    from kztj_tui.nearmiss import filter_problems
    from kztj_tui.store import Store

    from .conftest import BUNDLED

    store = open_store(BUNDLED, use_cache=False)
    counted = []
    monkeypatch.setattr(Store, "tags", lambda self: counted.append(1) or [("diplomacy", 9), ("trade", 20)])
    assert (store.has_tag("trade"), store.has_tag("Trade"), store.has_tag("tra")) == (True, False, False)
    assert filter_problems(store, ["Trade", "DIPLOMACY"]) == [] and counted == []
    assert filter_problems(store, ["trade", "trad"]) == ["unknown tag 'trad' (did you mean: trade?)"]
    assert counted == [1]
