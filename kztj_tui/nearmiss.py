"""Near misses, so a typo is fixed in seconds: the passage of an article closest to a quote that is not
in it, and the known names closest to an unknown tag, actor, metric or id.

The filter rule (:func:`filter_problems`) is the one the command line and the browser's filter
dialog both apply, word for word.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher, get_close_matches
from typing import TYPE_CHECKING

from .text import EXPRESSIONS, normalize_for_quote

if TYPE_CHECKING:
    from .store import Store

# Below this similarity (difflib's ratio, 0 to 1) the best passage is a guess, not a near miss.
MIN_RATIO = 0.8
# Windows with the most words in common with the quote that are compared character by character.
CANDIDATES = 8
_TOKEN = re.compile(r"\S+")


def _fold(text: str) -> str:
    return normalize_for_quote(text).casefold()


def closest_passage(quote: str, article: str) -> str | None:
    """The article's passage most like the quote (or like the first elided piece of it that is missing).

    Returns the passage as the article writes it, whitespace collapsed, or None when nothing is
    similar enough to be worth suggesting.
    """
    pieces = [p for p in EXPRESSIONS.ellipsis.split(normalize_for_quote(quote)) if p]
    if not pieces:
        return None
    folded_article = normalize_for_quote(article)
    missing = pieces[0]
    position = 0
    for piece in pieces:  # the first piece that is not where the quote says it is
        found = folded_article.find(piece, position)
        if found < 0:
            missing = piece
            break
        position = found + len(piece)
    return _closest(missing, article)


def _closest(wanted: str, article: str) -> str | None:
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(article)]
    if not tokens:
        return None
    words = [_fold(article[a:b]) for a, b in tokens]
    target = _fold(wanted)
    target_words = target.split()
    size = min(len(target_words), len(words))
    starts = _best_windows(words, Counter(target_words), size)
    best_ratio, best = 0.0, (0, size)
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in starts:
        # Let the window grow, shrink and shift by a word or two around the best overlaps.
        for first in range(max(0, start - 2), min(len(words), start + 3)):
            for length in range(max(1, size - 2), size + 3):
                last = min(len(words), first + length)
                matcher.set_seq1(" ".join(words[first:last]))
                if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                    continue
                ratio = matcher.ratio()
                if ratio > best_ratio:
                    best_ratio, best = ratio, (first, last)
    if best_ratio < MIN_RATIO:
        return None
    first, last = best
    return " ".join(article[tokens[first][0] : tokens[last - 1][1]].split())


def _best_windows(words: list[str], wanted: Counter[str], size: int) -> list[int]:
    """Starts of the windows of ``size`` words sharing the most words with ``wanted`` (a rolling count)."""
    window: Counter[str] = Counter(words[:size])
    shared = sum(min(count, wanted[word]) for word, count in window.items())
    scored = [(shared, 0)]
    for start in range(1, len(words) - size + 1):
        leaving, entering = words[start - 1], words[start + size - 1]
        if window[leaving] <= wanted[leaving]:
            shared -= 1
        window[leaving] -= 1
        window[entering] += 1
        if window[entering] <= wanted[entering]:
            shared += 1
        scored.append((shared, start))
    return [start for _, start in heapq.nlargest(CANDIDATES, scored)]


# -- names ------------------------------------------------------------------------------------


def near_hint(name: str, known: Sequence[str], otherwise: str) -> str:
    """The hint after an unknown name: the nearest known names, else where to find them."""
    near = get_close_matches(name, known, n=3)
    return f" (did you mean: {', '.join(near)}?)" if near else f" ({otherwise})"


def filter_problems(
    store: Store,
    tags: Iterable[str] = (),
    actors: Iterable[str] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[str]:
    """One message per filter that can only match nothing: a tag or an actor the store does not know
    (with the nearest names), then a date range that ends before it starts."""
    problems = []
    tags, actors = list(tags), list(actors)
    unknown_tags = [tag for tag in tags if not store.has_tag(tag.lower())]
    if unknown_tags:  # only then every tag, for the nearest names: counting them is ~30 ms at 100,000 events
        known_tags = [tag for tag, _ in store.tags()]
        for tag in unknown_tags:
            problems.append(f"unknown tag {tag!r}{near_hint(tag.lower(), known_tags, 'see: kztj tags')}")
    if actors:
        spellings = {s: e.id for e in store.entities.values() for s in (e.id, e.name, *e.aliases)}
        for actor in actors:
            if not store.resolve_actor(actor):
                near = list(
                    dict.fromkeys(store.entity_name(spellings[s]) for s in get_close_matches(actor, spellings, n=5))
                )
                hint = f" (did you mean: {', '.join(near[:3])}?)" if near else " (see: kztj actors)"
                problems.append(f"unknown actor {actor!r}{hint}")
    if date_from is not None and date_to is not None and date_from > date_to:
        problems.append(f"empty date range: from {date_from.isoformat()} is after to {date_to.isoformat()}")
    return problems
