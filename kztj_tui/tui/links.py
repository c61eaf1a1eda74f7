"""A block of text whose parts can be links: laid out here, so the detail pane knows where each link is."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from .views import EventView

CURSOR_STYLE = "reverse bold"
LINK_STYLE = "underline"


class Item(NamedTuple):
    """One part of a block: text, and what makes the message following it posts (None: not a link).

    Inline items with the same ``label`` share a row ("Who  Tokayev  Rahmon"), wrapping under the
    label; other items start a row of their own and wrap as text.
    """

    content: Content
    intent: Callable[[], Message] | None = None
    label: str = ""
    inline: bool = False


class Place(NamedTuple):
    """Where an item landed: its first and last line, and for inline items its columns."""

    first: int
    last: int
    start: int
    end: int


class Layout(NamedTuple):
    """A block laid out for one width: lines as (content, item index) pieces, and each item's place."""

    lines: list[list[tuple[Content, int | None]]]
    places: list[Place]


HANGING = re.compile(r"^ *(?:[→¶▪⚠] |“)?")


def wrap(content: Content, width: int) -> list[Content]:
    """Wrap each line of ``content``, indenting what wraps under its text (past a bullet or opening quote)."""
    out: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        hanging = HANGING.match(line.plain)  # it matches every line: all of it is optional
        indent = min(len(hanging.group()) if hanging else 0, width // 2)
        pieces = fit(line, max(1, width - indent))
        out.append(pieces[0])
        out.extend(Content(" " * indent) + piece for piece in pieces[1:])
    return out


def fit(line: Content, width: int) -> list[Content]:
    """One line of content wrapped to ``width``: itself when it fits (wrapping it would change nothing, slowly)."""
    if line.cell_length <= width and "\t" not in line.plain:
        return [line]
    return line.wrap(width) or [Content("")]


def lay_out(items: list[Item], width: int) -> Layout:
    """Place items in lines no wider than ``width``."""
    width = max(width, 8)
    lines: list[list[tuple[Content, int | None]]] = []
    places: list[Place] = []
    label_width = max((len(item.label) for item in items if item.inline), default=0) + 2
    row_label: str | None = None
    x = 0
    for index, item in enumerate(items):
        if not item.inline:
            row_label = None
            wrapped = wrap(item.content, width)
            places.append(Place(len(lines), len(lines) + len(wrapped) - 1, 0, width))
            lines.extend([(line, index)] for line in wrapped)
            continue
        # A chip wider than the room beside the label wraps under the label, never cut off; the
        # next chip starts a row of its own.
        pieces = fit(item.content, max(1, width - label_width)) if "\n" not in item.content.plain else []
        pieces = pieces or item.content.wrap(max(1, width - label_width)) or [Content("")]
        chip = pieces[0]
        if item.label != row_label:
            row_label = item.label
            lines.append([(Content.styled(item.label.ljust(label_width), "dim"), None)])
            x = label_width
        elif len(pieces) > 1 or x + 2 + chip.cell_length > width:
            lines.append([(Content(" " * label_width), None)])
            x = label_width
        else:
            lines[-1].append((Content("  "), None))
            x += 2
        lines[-1].append((chip, index))
        first = len(lines) - 1
        for piece in pieces[1:]:
            lines.append([(Content(" " * label_width), None), (piece, index)])
        if len(pieces) > 1:
            places.append(Place(first, len(lines) - 1, label_width, width))
            x = width
        else:
            places.append(Place(first, first, x, x + chip.cell_length))
            x += chip.cell_length
    return Layout(lines, places)


class Prepared(NamedTuple):
    """A block's items for a view, laid out for one width: worked out by a worker, ahead of showing it."""

    view: EventView
    items: list[Item]
    width: int
    layout: Layout


class LinkBlock(Widget):
    """Items drawn from the detail view; the detail pane moves a cursor over the links among them."""

    DEFAULT_CSS = """
    LinkBlock { height: auto; }
    """

    view: reactive[EventView | None] = reactive(None, repaint=False)  # watch_view lays the block out again
    cursor: reactive[int | None] = reactive(None)
    """The link (index among this block's links) under the keyboard cursor, if it is in this block."""

    class Clicked(Message):
        """A link was clicked."""

        def __init__(self, block: LinkBlock, link: int) -> None:
            super().__init__()
            self.block = block
            self.link = link

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[Item] = []
        self._layouts: dict[int, Layout] = {}
        self._prepared: Prepared | None = None

    def items(self, view: EventView) -> list[Item]:
        """The items to show for a view (subclasses say what)."""
        return []

    def prepare(self, view: EventView, width: int) -> Prepared:
        """This block's items for ``view``, laid out for ``width``: safe to call from a worker thread."""
        items = self.items(view)
        return Prepared(view, items, width, lay_out(items, width))

    def use_prepared(self, prepared: Prepared) -> None:
        """Show ``prepared.view`` (when it comes) from what a worker prepared, instead of working it out."""
        self._prepared = prepared

    def watch_view(self, view: EventView | None) -> None:
        prepared, self._prepared = self._prepared, None
        self._layouts.clear()
        if prepared is not None and prepared.view is view:
            self._items = prepared.items
            self._layouts[prepared.width] = prepared.layout
        else:
            self._items = self.items(view) if view is not None else []
        self.cursor = None
        self.display = bool(self._items)
        self.refresh(layout=True)

    def watch_cursor(self) -> None:
        self.refresh()

    @property
    def links(self) -> list[int]:
        """Indexes of the items that are links, in order."""
        return [index for index, item in enumerate(self._items) if item.intent is not None]

    def intent(self, link: int) -> Message:
        """The message that following a link posts."""
        intent = self._items[self.links[link]].intent
        assert intent is not None
        return intent()

    def link_text(self, link: int) -> str:
        """The text of a link, as plain text."""
        return self._items[self.links[link]].content.plain

    def link_lines(self, link: int) -> tuple[int, int]:
        """The first and last line of a link, in this block."""
        return self.all_link_lines()[link]

    def all_link_lines(self) -> list[tuple[int, int]]:
        """The first and last line of every link, in order: one layout for them all."""
        places = self._layout(self.content_region.width or self.size.width).places
        return [(places[index].first, places[index].last) for index in self.links]

    def _layout(self, width: int) -> Layout:
        if width not in self._layouts:
            self._layouts[width] = lay_out(self._items, width)
        return self._layouts[width]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width).lines)

    def render(self) -> Content:
        layout = self._layout(self.content_region.width)
        links = self.links
        current = links[self.cursor] if self.cursor is not None and self.cursor < len(links) else None
        show_cursor = isinstance(self.parent, Widget) and self.parent.has_focus
        rows = []
        for pieces in layout.lines:
            row = Content("")
            for content, index in pieces:
                if index is not None and self._items[index].intent is not None:
                    style = CURSOR_STYLE if index == current and show_cursor else ""
                    if self._items[index].inline:
                        style = f"{style} {LINK_STYLE}".strip()
                    if style:
                        content = content.stylize(style)
                row += content
            rows.append(row)
        return Content("\n").join(rows)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        layout = self._layout(self.content_region.width)
        for link, index in enumerate(self.links):
            place = layout.places[index]
            inline = self._items[index].inline
            if place.first <= offset.y <= place.last and (not inline or place.start <= offset.x < place.end):
                event.stop()
                self.post_message(self.Clicked(self, link))
                return
