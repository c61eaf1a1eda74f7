"""The detail pane's link blocks lay out a line that fits without wrapping it: the same lines as wrapping it."""

from __future__ import annotations

import pytest
from textual.content import Content

from kztj_tui.query import parse
from kztj_tui.store import Store
from kztj_tui.tui import links
from kztj_tui.tui.detail import EntityLinks, FigureLinks, RelatedLinks, SourceLinks
from kztj_tui.tui.views import event_view


def shape(layout: links.Layout) -> list[object]:
    lines = [[(content.plain, list(content.spans), index) for content, index in line] for line in layout.lines]
    return [lines, layout.places]


def test_laying_out_without_wrapping_what_fits_gives_the_lines_wrapping_gives(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = [EntityLinks(), FigureLinks(), RelatedLinks(), SourceLinks()]
    layouts = []
    for rowid in store.all_rowids():
        view = event_view(store, rowid, parse("trade"), None)
        for block in blocks:
            items = block.items(view)
            items.append(links.Item(Content("\tTabbed  text  \nand a second line, longer than the narrowest width")))
            layouts += [(items, width) for width in (8, 20, 37, 60, 118)]
    fast = [shape(links.lay_out(items, width)) for items, width in layouts]
    monkeypatch.setattr(links, "fit", lambda line, width: line.wrap(width) or [Content("")])
    assert fast == [shape(links.lay_out(items, width)) for items, width in layouts]
    assert len(layouts) >= 900
