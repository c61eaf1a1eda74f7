"""The export formats: each ``--format`` name, where its writer lives, its extension and what it is for.

The command line builds its parser from this table without importing a writer (or the export
package): a command that exports nothing pays nothing for exports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import NamedTuple


class Format(NamedTuple):
    """An export format: where its writer lives, its file extension, and what it is for."""

    module: str
    function: str
    extension: str
    help: str

    def writer(self) -> Callable[..., Iterator[str]]:
        """The format's writer, imported on first use (a CSV export need not import iCalendar code).

        Called with the store, the filters and ``fork=`` (whether a large export may be split with a
        forked child); the formats in NOTES_FORMATS also take ``notes=``.
        """
        return getattr(import_module(f"kztj_tui.export.{self.module}"), self.function)  # type: ignore[no-any-return]


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


# The formats that can carry the user's notes (`kztj export --notes`).
NOTES_FORMATS = ("markdown", "json", "jsonl")


# Other spellings of an extension in the table.
_SPELLINGS = {"yml": "yaml"}


def format_for(path: str) -> str | None:
    """The format a file name's extension names (``.json`` is JSON; TimelineJS shares it), or None."""
    extension = os.path.splitext(path)[1][1:].lower()
    extension = _SPELLINGS.get(extension, extension)
    return next((name for name, fmt in FORMATS.items() if fmt.extension == extension), None) if extension else None
