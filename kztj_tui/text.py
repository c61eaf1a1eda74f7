"""Text hygiene shared by loading, search and export: sanitising, escaping and quote matching."""

from __future__ import annotations

import unicodedata

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re

# Removed: C0 (except tab and newline), DEL, C1; the bidi embedding/override/isolate controls,
# which can reorder what a terminal shows (CVE-2021-42574 "Trojan Source"); and invisible
# characters that hide text from a reader or a search (zero-width space, word joiner and
# invisible operators, byte-order mark, interlinear annotation, tag characters). Zero-width
# joiners stay: Persian script and emoji need them.
INVISIBLE = (
    "\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
)  # what the class below removes besides the controls: the contents of a regex class
_CONTROL = f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]"
# Unicode's line and paragraph separators break lines in some terminals and not others: make them newlines.
_LINE_BREAKS = "[\u2028\u2029]"


class Compiled:
    """A regular expression as a class attribute, compiled when first read: importing re costs ~4 ms, and a
    warm search, which escapes only the odd line, usually needs none. mypy sees a ``re.Pattern``, so a
    misspelt name is an error."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type) -> re.Pattern[str]:
        """The compiled expression, which then replaces this on the class (so this is not called again)."""
        import re

        compiled = re.compile(self.source)
        setattr(owner, self.name, compiled)
        return compiled


class Expressions:
    """:mod:`.text`'s regular expressions by name (``EXPRESSIONS.ellipsis``), each compiled when first used."""

    control = Compiled(_CONTROL)
    line_breaks = Compiled(_LINE_BREAKS)
    # Either of the above: one search tells most text it has nothing to change.
    unsafe = Compiled(f"{_CONTROL}|{_LINE_BREAKS}")
    # What a terminal line must never carry: every control character (tab and newline too: a message is
    # one line), the line and paragraph separators, what sanitize() removes, and the lone surrogates
    # that stand for the bytes of a file name that is not UTF-8.
    unshown = Compiled(f"[\x00-\x1f\u2028\u2029\ud800-\udfff]|{_CONTROL}")
    # In JSON text: json.dumps escapes C0 itself, and a JSON string may carry a raw newline in no other way.
    unshown_in_json = Compiled(f"[\x7f\u2028\u2029\ud800-\udfff]|{_CONTROL}")
    # repr()'s escape of a lone surrogate (an undecodable byte), not after an escaped backslash.
    repr_surrogate = Compiled(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")
    space = Compiled(r"\s+")
    ellipsis = Compiled(r"\s*(?:\.\.\.|\[\.\.\.\])\s*")


EXPRESSIONS = Expressions()


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the undecodable byte itself, as Python's surrogateescape kept it
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Text fit for one terminal line: control, line-breaking, invisible and undecodable characters as escapes.

    Every message that quotes user input or a path goes through this, so a file name or a query
    can neither drive the terminal (ESC, C1, OSC) nor split or reorder the line it is shown on.
    """
    if text.isprintable():  # no Cc, Cf, Zl, Zp or surrogate: nothing to escape
        return text
    return EXPRESSIONS.unshown.sub(_escape, text)


def bytes_in_repr(message: str) -> str:
    """A message that quotes values with repr(), an undecodable byte in it shown ``\\xff`` as visible() shows it.

    repr() writes the byte Python kept as a lone surrogate as ``\\udcff``, which is neither what the user
    typed nor how the rest of kztj's messages show it.
    """
    return EXPRESSIONS.repr_surrogate.sub(r"\1\\x\2", message) if "\\udc" in message else message


def quoted(text: str) -> str:
    """``repr(text)`` for a message, an undecodable byte (of an argument, a variable or a file name) as ``\\xff``."""
    return bytes_in_repr(repr(text))


def search_line(date: str, event_id: str, title: str) -> str:
    """What ``kztj search`` prints for a match when piped: date, id and title, two spaces apart, on one line."""
    line = f"{date}  {event_id}  {title}"
    return line if line.isprintable() else "  ".join((visible(date), visible(event_id), visible(title)))


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def visible_json(dumped: str) -> str:
    """JSON text (from json.dumps) with what visible() escapes written as \\u escapes: the same data, safe to print."""
    return EXPRESSIONS.unshown_in_json.sub(_json_escape, dumped)


def sanitize(text: str) -> str:
    """Return text without control or invisible characters, line breaks as newlines, NFC-normalised."""
    if text.isascii() and not EXPRESSIONS.unsafe.search(text):
        return text
    if EXPRESSIONS.control.search(text):
        text = EXPRESSIONS.control.sub("", text)
    if EXPRESSIONS.line_breaks.search(text):
        text = EXPRESSIONS.line_breaks.sub("\n", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2026": "...",
    }
)


def normalize_for_quote(text: str) -> str:
    """Fold whitespace runs and typographic quotes so quotes compare like a careful reader would."""
    return EXPRESSIONS.space.sub(" ", text.translate(_QUOTE_FOLD)).strip()


def quote_in(quote: str, normalized_article: str) -> bool:
    """Whether quote occurs in the article; an ellipsis in the quote may elide any text."""
    pieces = [p for p in EXPRESSIONS.ellipsis.split(normalize_for_quote(quote)) if p]
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = normalized_article.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def find_quote_span(quote: str, article: str) -> tuple[int, int] | None:
    """Character span of the quote's first piece in the raw article text, for the reader."""
    pieces = [p for p in EXPRESSIONS.ellipsis.split(normalize_for_quote(quote)) if p]
    if not pieces:
        return None
    import re

    # Build a pattern that tolerates any whitespace and either quote style.
    start_end: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        parts = []
        for char in piece:
            if char == " ":
                parts.append(r"\s+")
            elif char == "'":
                parts.append("['\u2018\u2019\u201a\u201b\u2032]")
            elif char == '"':
                parts.append('["\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033]')
            else:
                parts.append(re.escape(char))
        match = re.compile("".join(parts)).search(article, position)
        if not match:
            return None
        start_end.append(match.span())
        position = match.end()
    return start_end[0][0], start_end[-1][1]


def snippet(text: str, spans: list[tuple[int, int]], width: int = 80) -> tuple[str, list[tuple[int, int]]]:
    """A window of text around its first match, with match spans shifted into the window."""
    if not spans:
        cut = text[:width]
        return (cut + "…" if len(text) > width else cut), []
    first = spans[0][0]
    start = max(0, min(first - width // 3, len(text) - width))
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return prefix + text[start:end] + suffix, inside
