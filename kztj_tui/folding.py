"""Folding text for search: lower case, no diacritics, one character for one (no regular expressions to compile).

Its own module so a search imports it without the rest of :mod:`.text`.
"""

from __future__ import annotations


class _FoldTable(dict[int, str]):
    """A str.translate table that works out each character's folding the first time it is seen."""

    def __missing__(self, code: int) -> str:
        import unicodedata  # here: ASCII text, most of what is searched, never needs it (~0.3 ms a start)

        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        folded = base.lower()
        if len(folded) != 1:
            folded = char.lower() if len(char.lower()) == 1 else char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip diacritics, keeping one output character per input character.

    Keeping the length lets search highlight offsets found in folded text map straight
    back onto the original text.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)
