"""The trade strip under the timeline: every figure whole, at any width."""

from __future__ import annotations

import pytest
from textual.content import Content

from kztj_tui.cache import open_store
from kztj_tui.tui.figures import StripParts, strip_parts, trade_strip

from .conftest import BUNDLED

HEADING, HINT = Content("Trade turnover"), Content("t: chart")
PERIODS = [Content(text) for text in ("▄ 2013 $700 mn", "▆ 2021 $1.1 bn", "█ 2022 $1.4/$1.5 bn ⚠")]
TARGET = Content("target $2 bn")


def bundled() -> StripParts:
    store = open_store(BUNDLED)
    parts = strip_parts(store)
    store.close()
    assert parts is not None
    return parts


@pytest.mark.parametrize(
    "parts",
    [
        StripParts(HEADING, PERIODS, TARGET, HINT),
        StripParts(HEADING, PERIODS[-1:], TARGET, HINT),  # one period
        StripParts(HEADING, PERIODS, None, HINT),  # no target
        StripParts(HEADING, [], TARGET, HINT),  # a target, no turnover yet
        None,
    ],
    ids=["three", "one", "no-target", "no-periods", "no-figures"],
)
def test_every_figure_is_whole_and_a_left_out_one_is_marked_at_every_width(parts: StripParts | None) -> None:
    for width in range(1, 201):
        shown = trade_strip(parts, width)
        if parts is None:
            assert shown.plain == ""
            continue
        pieces = shown.plain.split("  ")
        whole = {HEADING.plain, "…", " " + HINT.plain, TARGET.plain, *(p.plain for p in parts.periods)}
        assert set(pieces) <= whole, (width, shown.plain)
        assert pieces[0] == HEADING.plain
        if width >= len("Trade turnover  …"):
            assert shown.cell_length <= width, (width, shown.plain)
        hidden = [p.plain for p in parts.periods if p.plain not in pieces]
        assert ("…" in pieces) == bool(hidden), (width, shown.plain)
        # The latest periods first: what is shown is the end of the series.
        kept = [p.plain for p in parts.periods if p.plain in pieces]
        assert kept == [p.plain for p in parts.periods][len(parts.periods) - len(kept) :]


def test_the_whole_strip_shows_when_there_is_room() -> None:
    parts = bundled()
    shown = trade_strip(parts, 200).plain
    assert shown.startswith("Trade turnover  ▄ 2013 $700 mn") and shown.endswith("target $2 bn   t: chart")
    assert "…" not in shown
