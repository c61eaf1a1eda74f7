"""Actors, place and tags proposed from the store's own entities, aliases and tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Entity

PLACE_KINDS = ("city", "place")
_WORD = re.compile(r"\w+")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


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
        # Spellings by their first word: a sentence's words are looked up, not tried against every name.
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for spelling, entity_id in spellings:
            first = _WORD.match(spelling)
            key = first[0] if first else spelling[:1]
            self._by_first.setdefault(key, []).append((spelling, entity_id))

    def find(self, sentence: str) -> list[tuple[str, int]]:
        """(entity id, position) of each mention, whole words, in order; the longest spelling wins."""
        found: list[tuple[str, int]] = []
        covered = 0
        for word in _WORD.finditer(sentence):
            start = word.start()
            if start < covered or (start > 0 and sentence[start - 1].isalnum()):
                continue
            for spelling, entity_id in self._by_first.get(word[0], ()):
                end = start + len(spelling)
                if sentence.startswith(spelling, start) and not (end < len(sentence) and _is_word(sentence[end])):
                    found.append((entity_id, start))
                    covered = end
                    break
        return found

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
