"""Trade figures: a one-line strip under the timeline and a full chart screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from ..model import Figure, format_value
from ..store import Store
from .base import KztjScreen

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


def trade_strip(store: Store) -> Content:
    """A compact sparkline of trade turnover by period, with the latest target."""
    groups = series(store, "trade_turnover")
    if not groups:
        return Content("")
    top = max(f.value for group in groups for f in group) or 1
    parts: list[Content] = [Content.styled("Trade turnover ", "bold")]
    for group in groups:
        values = _distinct(group)
        first = values[0]
        block = BLOCKS[max(1, round(first.value / top * (len(BLOCKS) - 1)))]
        label = "/".join(format_value(f.value, f.unit) for f in values)
        parts.append(Content.assemble((block, "$success"), f" {first.period_label} {label}"))
        if len(values) > 1:
            parts.append(Content.styled(" ⚠", "bold $warning"))
        parts.append(Content("  "))
    targets = series(store, "trade_target")
    if targets:
        latest = _distinct(targets[-1])[0]
        parts.append(Content.styled(f"target {format_value(latest.value, latest.unit)}", "italic $warning"))
    parts.append(Content.styled("   t: chart", "dim"))
    return Content("").join(parts)


def bar_chart(store: Store, metric: str, width: int = 40, target: bool = False) -> list[Content]:
    """Horizontal bars, one per period, values labelled; conflicting values are shown side by side."""
    groups = series(store, metric)
    if not groups:
        return []
    top = max(f.value for group in groups for f in group) or 1
    rows = []
    for group in groups:
        for index, figure in enumerate(_distinct(group)):
            length = max(1, round(figure.value / top * width))
            bar = ("░" if target else "█") * length
            label = figure.period_label if index == 0 else ""
            row = Content.assemble(
                (label.rjust(16), "bold"),
                "  ",
                (bar, "$warning" if target else "$success"),
                " ",
                (format_value(figure.value, figure.unit), "bold"),
                (f"  {figure.source}", "dim"),
            )
            if figure.conflicts:
                row = row + Content.styled("  ⚠ conflicting sources", "bold $warning")
            rows.append(row)
    return rows


class FiguresScreen(KztjScreen[None]):
    """Trade by year, exports against imports, targets as targets, conflicts marked."""

    BINDINGS = [Binding("escape,q,t", "app.pop_screen", "Back", tooltip="Back to the timeline", id="figures.back")]

    def store_reloaded(self) -> None:
        """Chart the new version of the store."""
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        store = self.session.store
        sections: list[Content] = [
            Content.styled("Kazakhstan–Tajikistan trade, by period (USD)", "bold underline"),
            Content(""),
            Content.styled("Trade turnover", "bold"),
            *bar_chart(store, "trade_turnover"),
            Content(""),
            Content.styled("Targets announced (░ = target, not an outcome)", "bold"),
            *bar_chart(store, "trade_target", target=True),
            Content(""),
            Content.styled("2022: Kazakh exports vs imports from Tajikistan", "bold"),
        ]
        flows = [*series(store, "kz_exports_to_tj"), *series(store, "kz_imports_from_tj")]
        top = max((f.value for group in flows for f in group), default=1)
        for name, metric in (("exports", "kz_exports_to_tj"), ("imports", "kz_imports_from_tj")):
            for group in series(store, metric):
                figure = group[0]
                sections.append(
                    Content.assemble(
                        (f"{name} {figure.period_label}".rjust(16), "bold"),
                        "  ",
                        ("█" * max(1, round(figure.value / top * 40)), "$primary" if name == "exports" else "$accent"),
                        " ",
                        (format_value(figure.value, figure.unit), "bold"),
                    )
                )
        sections += [
            Content(""),
            Content.styled("Business forum contracts, 3 May 2023", "bold"),
            *bar_chart(store, "business_forum_contracts"),
            Content(""),
            Content.styled("All figures", "bold underline"),
        ]
        for figure in store.figures:
            line = Content.assemble(
                (figure.metric.ljust(34), ""),
                (figure.period_label.ljust(16), "dim"),
                (format_value(figure.value, figure.unit).rjust(14), "bold"),
                (f"  {figure.source}", "dim"),
            )
            if figure.conflicts:
                line = line + Content.styled("  ⚠ conflict", "bold $warning")
            sections.append(line)
        with VerticalScroll(id="figures-body"):
            yield Static(Content("\n").join(sections), id="figures-chart")
        yield Footer(compact=True)
