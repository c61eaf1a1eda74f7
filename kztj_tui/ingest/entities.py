"""Actors, place and tags proposed from the store's own entities, aliases and tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Entity

PLACE_KINDS = ("city", "place")
# Words that suggest each of the store's tags; only tags the store already uses are proposed.
TAG_WORDS = {
    "trade": r"trade|turnover|exports?|imports?|commodit|suppl",
    "diplomacy": r"diplomat|declaration|visit|talks|embassy|negotiation|summit|treaty|agreement|partnership|allied",
    "culture": r"cultur|cinema|monument|humanitarian|philosopher",
    "agriculture": r"agricultur|wheat|grain|fruit|vegetable|farm|grape|flour|dairy",
    "energy-water": r"energy|water|hydropower|electricity|rogun",
    "security": r"security|stability|afghanistan",
    "business": r"business|entrepreneur|contracts|forum",
    "industry": r"industr|plant\b|factory|cars|buses|engineering",
    "transport": r"transport|flights?|railway|logistic|corridor",
}


class Entities:
    """Finds the store's entities in a sentence by name and alias, whole words, case as written."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities = {e.id: e for e in entities}
        spellings: list[tuple[str, str]] = []
        for entity in self.entities.values():
            for spelling in (entity.name, *entity.aliases):
                if spelling:
                    spellings.append((spelling, entity.id))
        spellings.sort(key=lambda s: -len(s[0]))  # longest first: "Astana Airport" before "Astana"
        self._pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s, _ in spellings)) if spellings else None
        )
        self._ids = {s: i for s, i in reversed(spellings)}

    def find(self, sentence: str) -> list[tuple[str, int]]:
        """(entity id, position) of each mention, in order."""
        if self._pattern is None:
            return []
        return [(self._ids[m[0]], m.start()) for m in self._pattern.finditer(sentence)]

    def kind(self, entity_id: str) -> str:
        return self.entities[entity_id].kind

    def propose(self, sentence: str) -> tuple[list[str], str | None]:
        """Actors (entity ids, in order of mention) and a place: a city or place named after "in" or "at"."""
        found = self.find(sentence)
        place = None
        for entity_id, position in found:
            if self.kind(entity_id) in PLACE_KINDS and re.search(
                r"\b(?:in|at)\s+(?:the\s+)?$", sentence[max(0, position - 8) : position]
            ):
                place = entity_id
                break
        actors = list(dict.fromkeys(e for e, _ in found if e != place))
        return actors, place


def tags(sentence: str, known: Iterable[str]) -> list[str]:
    """The store's tags whose words the sentence uses."""
    lowered = sentence.lower()
    return [tag for tag in known if tag in TAG_WORDS and re.search(rf"\b(?:{TAG_WORDS[tag]})", lowered)]
