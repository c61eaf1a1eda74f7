"""Bracketed paste as text: a terminal parser that never turns pasted bytes into keys.

Textual's parser keeps reading escape sequences inside a bracketed paste, so an ESC in pasted
text becomes Escape and the letters after it become key presses (``Rogun\\e\\eq`` quits the
browser). :class:`PasteSafeParser` removes the control characters from the text between the
paste markers before Textual's parser sees it: the paste arrives as one Paste event of plain
text, whatever widget has focus.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from textual._xterm_parser import XTermParser
from textual.message import Message

from ..text import INVISIBLE

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
# C0 and C1 controls and DEL, except the tab and line ends a pasted text may hold; and the bidi
# controls and invisible characters the store's text is cleaned of (a pasted U+202E reorders a line).
_CONTROLS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{INVISIBLE}]")


def pasted_text(text: str) -> str:
    """Pasted text with its control and invisible characters removed."""
    return _CONTROLS.sub("", text)


class PasteSafeParser(XTermParser):
    """Textual's terminal parser, fed pasted text without its control characters."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        self._tail = ""  # the end of the input outside a paste: a start marker may continue in the next read
        self._held = ""  # the end of a paste that may be the start of its end marker

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end of input
            yield from super().feed(data)
            return
        cleaned = self._clean(self._held + data)
        if cleaned:  # an empty feed would mean the end of input to Textual's parser
            yield from super().feed(cleaned)

    def _clean(self, text: str) -> str:
        self._held = ""
        out = []
        position = 0
        while position < len(text):
            if not self._pasting:
                # Outside a paste every character goes on at once (an Escape key must not wait).
                window = self._tail + text[position:]
                found = window.find(PASTE_START)
                if found < 0:
                    out.append(text[position:])
                    self._tail = window[-(len(PASTE_START) - 1) :]
                    break
                after = position + found + len(PASTE_START) - len(self._tail)
                out.append(text[position:after])
                position, self._tail, self._pasting = after, "", True
                continue
            end = text.find(PASTE_END, position)
            if end >= 0:
                out.append(pasted_text(text[position:end]) + PASTE_END)
                position, self._pasting = end + len(PASTE_END), False
                continue
            body = text[position:]
            # The terminal always ends a paste, so the start of an end marker can wait for the rest.
            keep = next((size for size in range(len(PASTE_END) - 1, 0, -1) if body.endswith(PASTE_END[:size])), 0)
            if keep:
                self._held = body[-keep:]
                body = body[:-keep]
            out.append(pasted_text(body))
            break
        return "".join(out)


def install() -> None:
    """Make every loaded Textual driver read the terminal with :class:`PasteSafeParser`.

    Drivers create their parser in their input thread from the name ``XTermParser`` in their own
    module, and Textual has no hook to choose it; so that name is pointed at the safe parser.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith("textual.drivers.") and getattr(module, "XTermParser", None) is XTermParser:
            setattr(module, "XTermParser", PasteSafeParser)  # noqa: B010 (a name in another module, set on purpose)
