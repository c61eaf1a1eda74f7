"""Exports: pure functions from (store, filters) to text chunks, one module per format.

``FORMATS`` (from :mod:`kztj_tui.formats`, which the command line reads without importing any
writer) maps each ``--format`` name to its writer, file extension and a one-line description.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..formats import FORMATS, NOTES_FORMATS, Format, format_for
from ..model import NO_FILTERS, Filters
from ..store import Store
from .markdown import event_markdown, markdown, md_escape


def chunks(
    store: Store,
    filters: Filters = NO_FILTERS,
    fmt: str = "markdown",
    notes: Mapping[str, str] | None = None,
    *,
    fork: bool = False,
) -> Iterator[str]:
    """The export in one format, as chunks to stream; ``notes`` only for the formats in NOTES_FORMATS.

    ``fork``: whether a large export may be split with a forked child (the caller's decision, see
    forking.py; the command line's, never the browser's).
    """
    writer = FORMATS[fmt].writer()
    if notes is None:
        return writer(store, filters, fork=fork)
    if fmt not in NOTES_FORMATS:
        raise ValueError(f"the {fmt} export cannot carry notes")
    return writer(store, filters, notes=notes, fork=fork)


def render(store: Store, filters: Filters = NO_FILTERS, fmt: str = "markdown") -> str:
    """The whole export as one string (for the TUI, clipboard and tests)."""
    return "".join(chunks(store, filters, fmt))


__all__ = [
    "FORMATS",
    "NOTES_FORMATS",
    "Format",
    "chunks",
    "event_markdown",
    "format_for",
    "markdown",
    "md_escape",
    "render",
]


def to_json(store: Store, filters: Filters = NO_FILTERS) -> Iterator[str]:
    """The JSON export (kept for callers of the single-module export)."""
    return chunks(store, filters, "json")
