"""Trade figures: a one-line strip under the timeline and a full chart screen."""

from __future__ import annotations

from typing import NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Footer, OptionList
from textual.widgets.option_list import Option

from ..model import Figure, format_value
from ..store import Store
from .base import KztjScreen
from .bindings import FIGURE_LIST_BINDINGS, FIGURES_BINDINGS

BLOCKS = " ▁▂▃▄▅▆▇█"


def series(store: Store, metric: str) -> list[list[Figure]]:
    """Figures of one metric grouped by period, in time order; a group with two values is a conflict."""
    groups: dict[tuple[str, str], list[Figure]] = {}
    for figure in store.figures:
        if figure.metric == metric:
            groups.setdefault((figure.start, figure.end), []).append(figure)
    return [groups[key] for key in sorted(groups)]


def _distinct(group: list[Figure]) -> list[Figure]:
    seen: dict[float, Figure] = {}
    for figure in group:
        seen.setdefault(figure.value, figure)
    return list(seen.values())


class StripParts(NamedTuple):
    """The trade strip's pieces, each shown whole or not at all."""

    heading: Content
    periods: list[Content]  # in time order
    target: Content | None
    hint: Content


def strip_parts(store: Store) -> StripParts | None:
    """The pieces of the trade strip: trade turnover by period and the latest target; None without figures."""
    groups = series(store, "trade_turnover")
    if not groups:
        return None
    top = max(f.value for group in groups for f in group) or 1
    periods = []
    for group in groups:
        values = _distinct(group)
        first = values[0]
        block = BLOCKS[max(1, round(first.value / top * (len(BLOCKS) - 1)))]
        label = "/".join(format_value(f.value, f.unit) for f in values)
        period = Content.assemble((block, "$success"), f" {first.period_label} {label}")
        if len(values) > 1:
            period += Content.styled(" ⚠", "bold $warning")
        periods.append(period)
    targets = series(store, "trade_target")
    target = None
    if targets:
        latest = _distinct(targets[-1])[0]
        target = Content.styled(f"target {format_value(latest.value, latest.unit)}", "italic $warning")
    return StripParts(Content.styled("Trade turnover", "bold"), periods, target, Content.styled("t: chart", "dim"))


_GAP = 2  # cells between the strip's pieces
_LEFT_OUT = Content.styled("…", "dim")


def _cells(pieces: list[Content]) -> int:
    return sum(piece.cell_length for piece in pieces) + _GAP * (len(pieces) - 1)


def trade_strip(parts: StripParts | None, width: int) -> Content:
    """The strip in ``width`` cells: the heading, the target and the latest periods that fit whole, then the hint.

    A figure is never cut: "$1.1" for $1.1 bn would be a wrong number. Older periods go first, and a
    "…" says some are left out; the target goes before the last "…" would.
    """
    if parts is None:
        return Content("")
    target = [parts.target] if parts.target is not None else []
    periods: list[Content] = []
    for period in reversed(parts.periods):
        more = [period, *periods]
        marker = [_LEFT_OUT] if len(more) < len(parts.periods) else []
        if _cells([parts.heading, *marker, *more, *target]) > width:
            break
        periods = more
    marker = [_LEFT_OUT] if len(periods) < len(parts.periods) else []
    shown = [parts.heading, *marker, *periods]
    if _cells([*shown, *target]) <= width:
        shown += target
    if _cells([*shown, parts.hint]) + 1 <= width:
        shown.append(Content(" ") + parts.hint)
    gap = " " * _GAP
    # Assembled, not joined: Content.join counts the separator's cells once too often (Textual 8.2).
    return Content.assemble(*[item for piece in shown for item in (gap, piece)][1:])


class TradeStrip(Widget):
    """The trade strip under the timeline, fitted to its width whole figure by whole figure."""

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts = strip_parts(store)

    def show(self, store: Store) -> None:
        """Show the figures of this store (after a reload)."""
        self._parts = strip_parts(store)
        self.refresh()

    def render(self) -> Content:
        return trade_strip(self._parts, self.content_region.width)


class Line(NamedTuple):
    """One line of the figures view: a heading, or a figure drawn as a bar or listed in the table."""

    text: str = ""
    """A heading's text, or the label before a bar (empty under the first value of a period)."""
    figure: Figure | None = None
    bar: str = ""
    """The bar's cell (█ an outcome, ░ a target); empty for a row of the table."""
    style: str = ""
    """A heading's style, or the bar's colour."""


def _heading(text: str, style: str = "bold") -> Line:
    return Line(text, style=style)


def _bars(store: Store, metric: str, cell: str, colour: str, name: str = "") -> list[Line]:
    """A bar per value of each period; a second value of the same period (a conflict) goes under it, unlabelled."""
    return [
        Line(f"{name} {figure.period_label}".strip() if index == 0 else "", figure, cell, colour)
        for group in series(store, metric)
        for index, figure in enumerate(_distinct(group))
    ]


def figure_lines(store: Store) -> list[Line]:
    """What the view shows, top to bottom: the charts, then every figure of the store in a table."""
    return [
        _heading("Kazakhstan–Tajikistan trade, by period (USD)", "bold underline"),
        _heading("↑ ↓ choose a figure, Enter reads its source at the quote", "dim"),
        Line(),
        _heading("Trade turnover"),
        *_bars(store, "trade_turnover", "█", "$success"),
        Line(),
        _heading("Targets announced (░ = target, not an outcome)"),
        *_bars(store, "trade_target", "░", "$warning"),
        Line(),
        _heading("2022: Kazakh exports vs imports from Tajikistan"),
        *_bars(store, "kz_exports_to_tj", "█", "$primary", "exports"),
        *_bars(store, "kz_imports_from_tj", "█", "$accent", "imports"),
        Line(),
        _heading("Business forum contracts, 3 May 2023"),
        *_bars(store, "business_forum_contracts", "█", "$success"),
        Line(),
        _heading("All figures", "bold underline"),
        *(Line(figure=figure) for figure in store.figures),
    ]


MAX_BAR = 40
MIN_BAR = 20
"""Below this many cells for the longest bar, a figure's source goes on a line of its own."""
CONFLICT = "⚠ conflict"


class Columns(NamedTuple):
    """The widths the view's columns need, and the longest value of each unit: one scale per unit."""

    label: int
    metric: int
    period: int
    value: int
    source: int
    tops: dict[str, float]


def columns(lines: list[Line]) -> Columns:
    """Measure the lines: every bar of a unit is drawn to one scale, whatever its section."""
    figures = [line.figure for line in lines if line.figure is not None]
    tops: dict[str, float] = {}
    for line in lines:
        if line.figure is not None and line.bar:
            tops[line.figure.unit] = max(tops.get(line.figure.unit, 0.0), line.figure.value)
    return Columns(
        label=max((len(line.text) for line in lines if line.bar), default=0),
        metric=max((len(f.metric) for f in figures), default=0),
        period=max((len(f.period_label) for f in figures), default=0),
        value=max((len(format_value(f.value, f.unit)) for f in figures), default=0),
        source=max((len(f.source) for f in figures), default=0),
        tops=tops,
    )


def _source(figure: Figure, indent: int, own_line: bool) -> Content:
    """The figure's source (and a conflict mark), after the value or on a line of its own under it."""
    source = Content.assemble(
        "\n" + " " * indent if own_line else "  ",
        (figure.source, "dim"),
        *([("  " + CONFLICT, "bold $warning")] if figure.conflicts else []),
    )
    return source


def render_line(line: Line, sizes: Columns, width: int) -> Content:
    """A line of the view for ``width`` cells: the source beside the figure when it fits, else under it."""
    figure = line.figure
    if figure is None:
        return Content.styled(line.text, line.style) if line.text else Content("")
    value = format_value(figure.value, figure.unit)
    tail = 2 + sizes.source + 2 + len(CONFLICT)
    if line.bar:
        before = sizes.label + 2
        room = width - before - 1 - sizes.value
        own_line = room - tail < MIN_BAR
        longest = max(1, min(MAX_BAR, room if own_line else room - tail))
        top = sizes.tops.get(figure.unit) or 1
        length = max(1, round(figure.value / top * longest))
        return Content.assemble(
            (line.text.rjust(sizes.label), "bold"),
            "  ",
            (line.bar * length, line.style),
            " ",
            (value, "bold"),
            _source(figure, before, own_line),
        )
    row = sizes.metric + 2 + sizes.period + 2 + sizes.value
    return Content.assemble(
        figure.metric.ljust(sizes.metric),
        "  ",
        (figure.period_label.ljust(sizes.period), "dim"),
        "  ",
        (value.rjust(sizes.value), "bold"),
        _source(figure, 2, row + tail > width),
    )


class FigureList(OptionList):
    """The view's lines; the figures can be chosen, and Enter reads the chosen one's source at its quote.

    Each line is laid out for the list's width, again whenever that changes.
    """

    BINDINGS = FIGURE_LIST_BINDINGS

    def __init__(self, lines: list[Line], *, id: str | None = None) -> None:
        self.lines = lines
        self.sizes = columns(lines)
        self._width = 0
        super().__init__(*self._laid_out(80), id=id)

    def _laid_out(self, width: int) -> list[Option]:
        return [
            Option(render_line(line, self.sizes, width), id=str(index), disabled=line.figure is None)
            for index, line in enumerate(self.lines)
        ]

    def _text_width(self) -> int:
        padding = self.get_component_styles("option-list--option").padding.width
        return max(1, self.scrollable_content_region.width - padding)

    def on_resize(self) -> None:
        width = self._text_width()
        if width != self._width:
            self._width = width
            for index, line in enumerate(self.lines):
                self.replace_option_prompt_at_index(index, render_line(line, self.sizes, width))

    def show(self, lines: list[Line]) -> None:
        """Show other lines (a reloaded store), keeping the chosen figure chosen if it is still there."""
        chosen = self.chosen
        self.lines, self.sizes = lines, columns(lines)
        self._width = self._text_width()
        self.set_options(self._laid_out(self._width))
        at = next((i for i, line in enumerate(lines) if chosen is not None and line.figure == chosen), None)
        self.highlighted = at if at is not None else self._first_figure()

    def _first_figure(self) -> int | None:
        return next((i for i, line in enumerate(self.lines) if line.figure is not None), None)

    def on_mount(self) -> None:
        self.highlighted = self._first_figure()

    @property
    def chosen(self) -> Figure | None:
        """The figure under the cursor."""
        index = self.highlighted
        return self.lines[index].figure if index is not None and 0 <= index < len(self.lines) else None


class FiguresScreen(KztjScreen[None]):
    """Trade by year, exports against imports, targets as targets, conflicts marked; every figure in a table.

    One scale for each unit across the view, so bars in different sections compare; Enter on a
    figure reads its source at its quote, as in the detail pane.
    """

    BINDINGS = FIGURES_BINDINGS

    def store_reloaded(self) -> None:
        """Chart the new version of the store."""
        self.query_one(FigureList).show(figure_lines(self.session.store))

    def compose(self) -> ComposeResult:
        yield FigureList(figure_lines(self.session.store), id="figures-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(FigureList).focus()

    @on(OptionList.OptionSelected)
    def _read(self, message: OptionList.OptionSelected) -> None:
        figure = self.query_one(FigureList).lines[message.option_index].figure
        if figure is not None:
            self.app.open_source(figure.source, figure.quote)
