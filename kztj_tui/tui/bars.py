"""The main screen's bars: the match count beside the search box, and the footer of keys."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer


class MatchCount(Widget):
    """How many events match; it repaints without laying the screen out again, as a Static would."""

    text: reactive[Content] = reactive(Content(""))
    short: reactive[Content] = reactive(Content(""))
    """The same in fewer columns, for narrow screens."""

    def render(self) -> Content:
        fits = self.text.cell_length <= self.content_region.width
        return self.text if fits or not self.short else self.short


class KeysFooter(Footer):
    """Textual's footer, rebuilt once for all the binding changes made before the next refresh, and only
    when the keys it shows are not the ones it already shows."""

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
        await super().recompose()
