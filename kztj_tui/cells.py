"""Terminal cells: how many columns text takes, counted as terminals count them (wcwidth's rule).

The search table is cut and padded by this, not by rich.cells: rich 15 counts a zero-width joiner as
joining any two characters into one cell, rich 14 as nothing, so the table's columns moved with the
rich installed. Terminals draw a joiner between letters as nothing, and so does this.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Marks drawn on the character before them and invisible format characters: no cell of their own.
_NO_CELL = frozenset(("Mn", "Me", "Cf"))
# Hangul's medial and final jamo, drawn inside the syllable they follow: no cell either.
_JAMO_IN_SYLLABLE = range(0x1160, 0x1200)


@lru_cache(maxsize=8192)
def char_cells(char: str) -> int:
    """Cells one character takes: 2 for East Asian wide and fullwidth ones, 0 for marks and format characters."""
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return 1
    if code < 0x20 or 0x7F <= code < 0xA0 or unicodedata.category(char) in _NO_CELL or code in _JAMO_IN_SYLLABLE:
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """Cells ``text`` takes on one terminal line."""
    if text.isascii():
        return len(text)
    return sum(map(char_cells, text))


def fit(text: str, width: int) -> tuple[str, int]:
    """Text cut to ``width`` cells (ending in … when cut) and padded to it; and how many of its characters show."""
    if text.isascii():
        return (text.ljust(width), len(text)) if len(text) <= width else (text[: width - 1] + "…", width - 1)
    cells = [char_cells(char) for char in text]
    used = sum(cells)
    if used <= width:
        return text + " " * (width - used), len(text)
    room, used, kept = width - 1, 0, 0
    for size in cells:
        if used + size > room:
            break
        used += size
        kept += 1
    while kept < len(text) and not cells[kept]:  # a mark stays with the character it is drawn on
        kept += 1
    # A space where a wide character would straddle the cut, then the ellipsis.
    return text[:kept] + " " * (room - used) + "…", kept
