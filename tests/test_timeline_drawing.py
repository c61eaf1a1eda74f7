"""The timeline draws a row straight to segments (the fast path) exactly as Rich's Text draws it."""

from __future__ import annotations

import itertools

from kztj_tui.query import parse
from kztj_tui.store import Row
from kztj_tui.tui.timeline import Timeline

from .tui_support import bundled_app, settle

TITLES = [
    "Tokayev visits Dushanbe",
    "A long title about trade in Kazakhstan and Tajikistan that runs on past any width it is given here",
    "Ends with a word then ellipsis cut in Kazakhstan and more words to cut",
    "Душанбе и Астана: trade café",
    "x",
]


async def test_rows_drawn_straight_to_segments_equal_rows_drawn_through_rich() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        compared = 0
        for focus in (True, False):
            if focus:
                timeline.focus()
            else:
                timeline.blur()
            await pilot.pause()
            timeline._style_cache.clear()
            for (title, status, kind, label), width, cursor, marked, flagged, found, spans in itertools.product(
                itertools.product(
                    TITLES,
                    ["occurred", "planned", "target"],
                    ["trade", "unknown-kind"],
                    ["2023-05-05", "c. spring 2021–2023"],
                ),
                [120, 60, 40, 30],
                [False, True],
                [False, True],
                [False, True],
                [False, True],
                [(), ((0, 3),), ((2, 9), (5, 12), (40, 200))],
            ):
                row = Row(16, "event-id", label, 2023, status, kind, title)
                timeline.marked = frozenset({"event-id"} if marked else ())
                timeline.flagged = frozenset({"event-id"} if flagged else ())
                timeline._found_set = frozenset({16} if found else ())
                timeline._query = parse("q") if spans else None
                timeline._highlights = {16: list(spans)} if spans else {}
                fast = timeline._row_strip(row, cursor, width)
                if fast is None:
                    continue
                compared += 1
                assert list(fast) == list(timeline._rich_strip(row, cursor, width)), (row, width, cursor, spans)
                assert fast.cell_length == width
        assert compared > 3000


async def test_wide_characters_and_narrow_widths_are_drawn_through_rich() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert timeline._row_strip(Row(16, "e", "2023", 2023, "occurred", "trade", "東京で会談"), False, 80) is None
        assert timeline._row_strip(Row(16, "e", "2023", 2023, "occurred", "trade", "bell\x07"), False, 80) is None
        assert timeline._row_strip(Row(16, "e", "2023", 2023, "planned", "trade", "title"), False, 20) is None
        assert timeline._row_strip(Row(16, "e", "2023", 2023, "planned", "trade", "title"), False, 80) is not None
