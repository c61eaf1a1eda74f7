"""Exports: pure functions from (store, filters) to text chunks, one module per format.

``FORMATS`` maps each ``--format`` name to its writer, file extension and a one-line description;
the command line, the browser and the README's list come from it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from typing import NamedTuple

from ..model import NO_FILTERS, Filters
from ..output import write_atomically
from ..store import Store
from .markdown import event_markdown, markdown, md_escape


class Format(NamedTuple):
    """An export format: where its writer lives, its file extension, and what it is for."""

    module: str
    function: str
    extension: str
    help: str

    def writer(self) -> Callable[..., Iterator[str]]:
        """The format's writer, imported on first use (a CSV export need not import iCalendar code)."""
        return getattr(import_module(f"{__name__}.{self.module}"), self.function)  # type: ignore[no-any-return]


FORMATS = {
    "markdown": Format("markdown", "markdown", "md", "a report: events by year, sources as footnotes, figure tables"),
    "json": Format("jsonfmt", "to_json", "json", "one object in the store's shape; a filtered export is a valid store"),
    "jsonl": Format("jsonfmt", "to_jsonl", "jsonl", "one event per line, shaped as in the JSON export, figures inline"),
    "csv": Format("csvfmt", "to_csv", "csv", "RFC 4180 CSV, one row per event, for spreadsheets and dataframes"),
    "ics": Format("ics", "to_ics", "ics", "iCalendar: one all-day event per event, for calendar apps"),
    "timelinejs": Format("timelinejs", "to_timelinejs", "json", "TimelineJS3 JSON, ready to publish"),
    "markwhen": Format("markwhen", "to_markwhen", "mw", "a markwhen document"),
    "store": Format(
        "storefmt", "to_store", "yaml", "YAML in the store's shape, only what the events use: a valid store"
    ),
}


def format_for(path: str) -> str | None:
    """The format a file name's extension names (``.json`` is JSON; TimelineJS shares it), or None."""
    extension = os.path.splitext(path)[1][1:].lower()
    return next((name for name, fmt in FORMATS.items() if fmt.extension == extension), None) if extension else None


# The formats that can carry the user's notes (`kztj export --notes`).
NOTES_FORMATS = ("markdown", "json", "jsonl")


def chunks(
    store: Store, filters: Filters = NO_FILTERS, fmt: str = "markdown", notes: Mapping[str, str] | None = None
) -> Iterator[str]:
    """The export in one format, as chunks to stream; ``notes`` only for the formats in NOTES_FORMATS."""
    writer = FORMATS[fmt].writer()
    if notes is None:
        return writer(store, filters)  # type: ignore[no-any-return]
    if fmt not in NOTES_FORMATS:
        raise ValueError(f"the {fmt} export cannot carry notes")
    return writer(store, filters, notes=notes)  # type: ignore[no-any-return]


def render(store: Store, filters: Filters = NO_FILTERS, fmt: str = "markdown") -> str:
    """The whole export as one string (for the TUI, clipboard and tests)."""
    return "".join(chunks(store, filters, fmt))


__all__ = [
    "FORMATS",
    "NOTES_FORMATS",
    "chunks",
    "event_markdown",
    "format_for",
    "markdown",
    "md_escape",
    "render",
    "write_atomically",
]


def to_json(store: Store, filters: Filters = NO_FILTERS) -> Iterator[str]:
    """The JSON export (kept for callers of the single-module export)."""
    return chunks(store, filters, "json")
