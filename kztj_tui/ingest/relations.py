"""What a candidate is to the store: a duplicate, a corroboration, or a conflict.

``duplicates``: the same passage of the same article (the article is already a source) or the
same figure from the same source. ``corroborates``: the same figure (metric, period, value) or
the same fact (an event of a compatible date that says much the same) from another source: add
this source to it. ``conflicts``: the same metric and period with another value: a disagreement
to record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from .. import edtf
from ..model import Event, Figure
from .dates import content_words


class Relation(NamedTuple):
    relation: str  # "duplicates", "corroborates" or "conflicts"
    id: str
    kind: str  # "event" or "figure"
    why: str


def bounds(value: str) -> tuple[date, date] | None:
    try:
        when = edtf.parse(value)
    except edtf.EdtfError:
        return None
    return when.start, when.end


def _plain(period: str) -> str:
    return period.replace("?", "").replace("~", "").replace("%", "")


class Known:
    """The store as relations see it: its figures, its events with their words, and this article's source ids."""

    def __init__(self, events: Iterable[Event], figures: Iterable[Figure], same_source: set[str]) -> None:
        self.figures = list(figures)
        self.events = list(events)
        self.same_source = same_source  # store source ids that are this very article
        self.event_words = {
            e.id: content_words(e.title + " " + " ".join(c.quote for c in e.sources)) for e in self.events
        }
        self.event_bounds = {e.id: bounds(e.date) for e in self.events}
        # How telling a word is: "Kazakhstan" is in nearly every event, "declaration" in a few.
        counts: dict[str, int] = {}
        for words in self.event_words.values():
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        total = len(self.events) + 1
        self.weight = {word: math.log(total / (count + 1)) for word, count in counts.items()}
        self.unseen_weight = math.log(total)

    def for_figure(self, metric: str | None, period: str, value: float, quote_spans: Any = None) -> list[Relation]:
        found: list[Relation] = []
        if metric is None:
            return found
        for figure in self.figures:
            if figure.metric != metric or _plain(figure.period) != _plain(period):
                continue
            if figure.value == value:
                relation = "duplicates" if figure.source in self.same_source else "corroborates"
                why = f"the same {metric} for {figure.period} from {figure.source}"
            else:
                relation = "conflicts"
                why = f"{metric} for {figure.period} is {figure.value:g} per {figure.source}, here {value:g}"
            found.append(Relation(relation, figure.id, "figure", why))
        return found

    def for_event(
        self, sentence: str, when: str, figure_relations: Iterable[Relation], earlier: bool = False
    ) -> list[Relation]:
        """Store events this sentence duplicates or corroborates: by its figures, else by the telling words shared.

        ``earlier``: the date is when the article or a statement reported it, so the fact may be a little earlier.
        """
        found: list[Relation] = []
        seen: set[str] = set()
        by_id = {f.id: f for f in self.figures}
        for relation in figure_relations:
            figure = by_id.get(relation.id)
            if relation.relation != "conflicts" and figure is not None and figure.event and figure.event not in seen:
                seen.add(figure.event)
                found.append(
                    Relation(relation.relation, figure.event, "event", f"its figure {relation.id}: {relation.why}")
                )
        words = content_words(sentence)
        mine = bounds(when)
        if not words or mine is None:
            return found
        if earlier or when.endswith("?"):  # the article's own date, or a report's: the fact may be a little earlier
            mine = (mine[0] - min(timedelta(days=31), mine[0] - date.min), mine[1])  # never before 0001-01-01
        weigh = self.weight.get
        mass = sum(weigh(word, self.unseen_weight) for word in words) or 1.0
        by_words: list[tuple[float, Relation]] = []
        for event in self.events:
            if event.id in seen:
                continue
            theirs = self.event_bounds[event.id]
            if theirs is None or theirs[1] < mine[0] or mine[1] < theirs[0]:
                continue
            other = self.event_words[event.id]
            shared = words & other
            score = sum(weigh(word, self.unseen_weight) for word in shared) / mass
            if len(shared) >= 3 and score >= 0.3:
                sources = {c.source for c in event.sources}
                name = "duplicates" if sources <= self.same_source else "corroborates"
                telling = sorted(shared, key=lambda word: -weigh(word, 0.0))[:5]
                why = f"dated {event.date}, shares {', '.join(telling)}"
                by_words.append((score, Relation(name, event.id, "event", why)))
                seen.add(event.id)
        by_words.sort(key=lambda pair: -pair[0])
        return found + [relation for _, relation in by_words]
