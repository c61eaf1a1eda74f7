"""What a query means while it is being typed: the last word is a prefix of the word to come."""

from __future__ import annotations

from collections.abc import Callable

from ..query import MAX_QUERY_CHARS
from ..query import tokens as query_tokens

OPERATORS = ("OR", "AND", "NOT")


def typing_query(text: str, stem_of: Callable[[str], str | None] = lambda word: None, min_letters: int = 1) -> str:
    """The query to run for ``text`` while the user is still typing it.

    The last word, if it is a bare word still being typed (no space after it, not a field, not a
    phrase, not excluded), becomes a prefix: ``trad`` finds trade and trading. ``stem_of`` names
    the indexed stem a half-typed word may be cut from, when it matches nothing as a prefix
    (``coopera`` -> ``cooper``); that stem is then accepted as an alternative. A last word of
    fewer than ``min_letters`` letters is left out until it grows: on a large store one letter
    matches nearly everything and costs seconds to find. Once the user presses Enter the query
    is run as typed, with the meaning it has in ``kztj search``.
    """
    if not text or text[-1].isspace() or text.count('"') % 2:
        return text
    tokens = list(query_tokens(text))
    if not tokens:
        return text
    last = tokens[-1]
    word = last.word
    if (
        word is None
        or last.end != len(text)
        or last.negated
        or last.field
        or word in OPERATORS
        or word.endswith("*")
        or not word[-1].isalnum()
        or (len(tokens) > 1 and tokens[-2].word == "NOT")
    ):
        return text
    if len(word) < min_letters:
        return text[: last.start].rstrip()
    prefixed = f"{text}*"
    stem = stem_of(word)
    meant = f"{prefixed} OR {stem}" if stem else prefixed
    # The length limit counts what the user typed: a query at the limit runs, and one over it says its length.
    return next((query for query in (meant, prefixed) if len(query) <= MAX_QUERY_CHARS), text)
