"""Numbers in a sentence: value, unit, whether it is an outcome, a target or a potential, and a metric.

The metric is suggested from the store's own metrics: the one whose figures' quotes share the
most words with the words around the number, among those of the same unit and kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from ..model import Figure
from .dates import content_words

_SCALE = {
    "billion": Decimal(10) ** 9,
    "bln": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "thousand": Decimal(1000),
}
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
_SCALES = r"(billion|bln|bn|million|mln|mn|thousand)?"
_MONEY = re.compile(rf"\$\s?{_NUMBER}\s?{_SCALES}\b|{_NUMBER}\s?{_SCALES}\s+(?:US )?(?:dollars|USD)\b")
_PERCENT = re.compile(rf"{_NUMBER}\s?(?:%|percent\b|per cent\b)")
_TONNES = re.compile(rf"{_NUMBER}\s?{_SCALES}\s?(?:tons|tonnes|t)\b")
_COUNT = re.compile(rf"(?<![\d$.,-]){_NUMBER}(?![\d%])\s+([a-z][a-z-]+(?: [a-z][a-z-]+)?)")
_NOT_COUNTED = re.compile(
    r"^(?:years?|months?|days?|weeks?|decades?|hours?|minutes?|percent|per"
    r"|billion|million|thousand|bln|mln|bn|mn|tons|tonnes|t)\b"
)
TARGET = re.compile(
    r"\b(?:to raise|raise (?:it|this|this figure|trade|the)|to increase|increase (?:this|it) to|increased to"
    r"|plans?|planning|target|aim|goal|task|set to be|by 20\d\d)\b",
    re.IGNORECASE,
)
POTENTIAL = re.compile(r"\b(?:could|potential|opportunit(?:y|ies)|can reach|may reach)\b", re.IGNORECASE)


class Number(NamedTuple):
    """A value the sentence states, where, in which unit, and how it is meant."""

    value: float | int
    unit: str
    start: int
    end: int
    text: str
    kind: str  # "outcome", "target" or "potential"
    noun: str = ""  # what a count counts


def _value(whole: str, fraction: str | None, scale: str | None) -> float | int:
    number = Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))
    number *= _SCALE.get((scale or "").lower(), Decimal(1))
    return int(number) if number == number.to_integral_value() else float(number)


def _kind(sentence: str, start: int) -> str:
    before = sentence[max(0, start - 120) : start]
    after = sentence[start : start + 40]
    if POTENTIAL.search(before):
        return "potential"
    if TARGET.search(before) or re.search(r"\bby 20\d\d\b", after):
        return "target"
    return "outcome"


def find(sentence: str) -> list[Number]:
    """Every amount of money, percentage, tonnage and count in the sentence."""
    found: list[Number] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], value: float | int, unit: str, noun: str = "") -> None:
        a, b = match.span()
        if any(not (b <= s or a >= e) for s, e in taken):
            return
        taken.append((a, b))
        found.append(Number(value, unit, a, b, match[0], _kind(sentence, a), noun))

    for m in _MONEY.finditer(sentence):
        if m[1] is not None:
            add(m, _value(m[1], m[2], m[3]), "USD")
        else:
            add(m, _value(m[4], m[5], m[6]), "USD")
    for m in _PERCENT.finditer(sentence):
        add(m, _value(m[1], m[2], None), "percent")
    for m in _TONNES.finditer(sentence):
        add(m, _value(m[1], m[2], m[3]), "tonnes")
    for m in _COUNT.finditer(sentence):
        whole = m[1].replace(",", "")
        after_month = re.search(r"\b[A-Z][a-z]+\.?\s$", sentence[max(0, m.start() - 12) : m.start()])
        if m[2] or after_month or (len(whole) == 4 and 1800 <= int(whole) <= 2100) or _NOT_COUNTED.match(m[3]):
            continue
        add(m, _value(m[1], None, None), "count", m[3])
    found.sort(key=lambda n: n.start)
    return found


class Metrics:
    """The store's metrics, each with the words of its figures' quotes and the unit it is measured in."""

    def __init__(self, figures: Iterable[Figure]) -> None:
        self.words: dict[str, set[str]] = {}
        self.units: dict[str, str] = {}
        self.values: dict[str, set[float]] = {}
        for figure in figures:
            self.words.setdefault(figure.metric, set()).update(content_words(figure.quote))
            self.units[figure.metric] = figure.unit
            self.values.setdefault(figure.metric, set()).add(figure.value)

    def suggest(self, sentence: str, number: Number) -> tuple[str | None, str]:
        """The best metric for the number, and why; None when no metric of its unit shares a word with it."""
        near = content_words(sentence[max(0, number.start - 90) : number.end + 30])
        best, best_score, shared_best = None, 0.0, frozenset[str]()
        for metric, words in self.words.items():
            if self.units[metric] != number.unit:
                continue
            shared = near & words
            score = len(shared) + 0.1 * len(content_words(sentence) & words)
            is_target, is_potential = metric.endswith("_target"), "potential" in metric
            if number.value in self.values[metric]:
                score += 1  # the store has recorded this very number under it
            if (number.kind == "target") == is_target and (number.kind == "potential") == is_potential:
                score += 5  # an outcome is not a target's figure, nor a potential's
            if score > best_score and shared:
                best, best_score, shared_best = metric, score, shared
        if best is None:
            return None, f"no metric of unit {number.unit} in the store shares a word with it"
        listed = ", ".join(sorted(shared_best)[:4])
        return best, f"metric {best}: its figures' quotes share {listed}"
