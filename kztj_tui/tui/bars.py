"""The main screen's bars: the match count beside the search box, the filters in words, the footer of keys."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from ..model import Filters


class MatchCount(Widget):
    """How many events match; it repaints without laying the screen out again, as a Static would."""

    text: reactive[Content] = reactive(Content(""))
    short: reactive[Content] = reactive(Content(""))
    """The same in fewer columns, for narrow screens."""

    def render(self) -> Content:
        fits = self.text.cell_length <= self.content_region.width
        return self.text if fits or not self.short else self.short

    def count(self, shown: int, total: int, events: int, filtered: bool) -> None:
        """Every one of ``events``, or ``total`` matches of them, of which the first ``shown`` are listed."""
        if not filtered:
            self.text = self.short = Content(f"{events:,} events")
            return
        text, short = f"{total:,} of {events:,} events", f"{total:,}/{events:,}"
        if shown < total:
            text, short = f"first {shown:,} of {total:,} matches", f"{shown:,} of {total:,}"
        self.text, self.short = Content(text), Content(short)

    def found(self, found: int, shown: int) -> None:
        """Find mode: ``found`` events found among the ``shown`` in view."""
        self.text = Content(f"{found:,} found · n/N · {shown:,} shown")
        self.short = Content(f"{found:,} found")

    def error(self, message: str) -> None:
        """Why the search could not run."""
        self.text = self.short = Content.styled(message, "$error")


class FilterBar(Static):
    """The filters that narrow the timeline besides the search, in words; hidden while there are none."""

    _shown: Filters | None = None

    def show_filters(self, narrowing: Filters, describe: Callable[[Filters], str]) -> None:
        """Show these filters, described by ``describe``."""
        if narrowing == self._shown:
            return
        self._shown = narrowing
        if narrowing.active:
            self.update(
                Content.assemble(("⚑ Filtered: ", "bold"), describe(narrowing), ("   f change · x clear", "dim"))
            )
        self.display = narrowing.active


# The footer's keys that stay when it is too narrow for all of them: help, and quit or close.
LAST_TO_GO = frozenset({"help", "quit"})


class KeysFooter(Footer):
    """Textual's footer, rebuilt once for all the binding changes made before the next refresh, and only
    when the keys it shows are not the ones it already shows. When the screen is too narrow for every
    key, help and quit are the last to go: they sit at the right, before the command palette's key."""

    _widths: dict[Widget, int] = {}

    def _measure(self) -> None:
        """Note each key's width as laid out with every key shown, then fit them to the width."""
        self._widths = {
            child: child.outer_size.width + child.styles.margin.left + child.styles.margin.right
            for child in self.children
            if not child.has_class("-command-palette")
        }
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show the keys that fit, in their order, after help and quit (which are the last to go).

        A key too wide for what is left is hidden whole, and a narrower one after it may still fit.
        """
        widths = self._widths
        if not widths or any(child not in widths for child in self.children if not child.has_class("-command-palette")):
            return
        palette = sum(
            child.outer_size.width + child.styles.margin.left
            for child in self.children
            if child.has_class("-command-palette")
        )
        keys = list(widths)
        kept: set[Widget] = {c for c in keys if isinstance(c, FooterKey) and c.action in LAST_TO_GO}
        room = self.content_region.width - palette - sum(widths[child] for child in kept)
        shown = set(kept)
        for child in keys:
            if child not in kept and widths[child] <= room:
                shown.add(child)
                room -= widths[child]
        for child in keys:
            child.display = child in shown

    # Textual rebuilds it from new widgets for each change, and starting up makes three or four;
    # setting focus refreshes the bindings again after the next frame, with nothing changed.
    _rebuild_pending = False
    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not self._rebuild_pending:
            super().bindings_changed(screen)
            self._rebuild_pending = self.is_attached and screen is self.screen and screen.app.app_focus

    def _keys(self) -> tuple[object, ...]:
        """The active bindings as the footer draws them: each binding, whether enabled, its tooltip."""
        return tuple(
            (binding, enabled, tooltip) for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )

    async def recompose(self) -> None:
        self._rebuild_pending = False
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        self._widths = {}
        await super().recompose()
        self.call_after_refresh(self._measure)
