"""Dates in a sentence, resolved against the article's publication date, each with its reason in words.

What it reads: absolute dates (``January 7, 1993``, ``May 19``, ``June 1993``, ``in 2015``), ranges
(``May 4-5``, ``from August 25 to September 4``, ``2018-2020``, ``H1 2023``, ``the first half of this
year``), ``since ...`` (an interval open at its end), and dates relative to the article: ``today``,
``yesterday``, weekdays (the last such day on or before publication), ``last year``, ``this year``,
``in July`` (the last July on or before the article), ``on the eve of`` and ``a day before`` (against
a date the article or the store gives the thing they refer to).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import chain
from typing import NamedTuple

from ..edtf import LONG_MONTHS

_MONTHS = {name.lower(): number for number, name in enumerate(LONG_MONTHS, 1)}
_MONTHS.update({name[:3].lower(): number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DASH = r"\s?[-–—]\s?"
# Words that make a sentence about the future: a month or day it names without a year lies ahead.
FUTURE = re.compile(
    r"\b(?:will|shall|plans?|planned|planning|slated|upcoming|next|to be held|scheduled|intends?|intention"
    r"|is set to|are set to|expected to)\b",
    re.IGNORECASE,
)


_REPORTED = re.compile(r"\b(?:said|reported|announced|told|informed|stated)\s*$")


class Found(NamedTuple):
    """A date in a sentence: EDTF, the reason in words, where it is in the sentence, and what kind it is."""

    edtf: str
    reason: str
    start: int
    end: int
    kind: str  # "absolute", "relative", "range", "open", "target", "reference" (on the eve of), "day-before"


def long_date(day: date) -> str:
    """``23 Aug 2024``."""
    return f"{day.day} {LONG_MONTHS[day.month - 1][:3]} {day.year}"


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso(day: date) -> str:
    return day.isoformat()


def _month_year(month: int, published: date, future: bool) -> int:
    """The year of a month named without one: the last such month on or before the article, or the next."""
    if future:
        return published.year if month >= published.month else published.year + 1
    return published.year if month <= published.month else published.year - 1


def _day_year(month: int, day: int, published: date, future: bool) -> int:
    year = published.year
    candidate = _day(year, month, day)
    if candidate is None:
        return year
    if future and candidate < published:
        return year + 1
    if not future and candidate > published:
        return year - 1
    return year


class Reference(NamedTuple):
    """Something with a known date that "on the eve of" or "a day before" may refer to."""

    words: frozenset[str]
    start: date
    end: date
    edtf: str
    name: str  # where the date comes from, for the reason


_STOP_WORDS = (
    "the a an of and in on at to for with by from as is was were be been has have had that which this these "
    "those their its his her our two countries country state president leader head"
)
_STOP = frozenset(_STOP_WORDS.split())


def content_words(text: str) -> frozenset[str]:
    """Lower-case words of four letters or more that say what a passage is about."""
    return frozenset(w for w in re.findall(r"[a-zа-яё]{4,}", text.lower()) if w not in _STOP)


class References:
    """Dated things a phrase may refer to, the preferred first, indexed by their content words."""

    # A phrase is scored against the references that share a word with it, at most this many per word
    # (the preferred ones): an article repeating one phrase thousands of times stays linear in its length.
    PER_WORD = 1000

    def __init__(self, items: Iterable[Reference]) -> None:
        self.items = list(items)
        self._by_word: dict[str, list[int]] = {}
        for number, item in enumerate(self.items):
            for word in item.words:
                self._by_word.setdefault(word, []).append(number)

    def best(self, phrase: str, least: int = 2) -> Reference | None:
        """The first reference sharing the most content words with the phrase (at least ``least``), or None."""
        by_word = self._by_word
        shared = Counter(chain.from_iterable(by_word.get(word, ())[: self.PER_WORD] for word in content_words(phrase)))
        top = max(shared.values(), default=0)
        if top < least:
            return None
        return self.items[min(number for number, count in shared.items() if count == top)]


def find(
    sentence: str, published: date, references: References | Sequence[Reference] = (), in_quotation: bool = False
) -> list[Found]:
    """Every date the sentence states, resolved against ``published``, in the order they appear."""
    if not isinstance(references, References):
        references = References(references)
    future = bool(FUTURE.search(sentence))
    article = f"an article of {long_date(published)}"
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(a: int, b: int, edtf: str, reason: str, kind: str) -> None:
        if free(a, b):
            taken.append((a, b))
            found.append(Found(edtf, reason, a, b, kind))

    def since(a: int, edtf: str, reason: str, b: int) -> None:
        """An interval open at its end when the date follows "since"."""
        before = sentence[max(0, a - 6) : a].lower()
        if before.rstrip().endswith("since"):
            add(
                a - 6 + before.rfind("since"),
                b,
                f"{edtf}/..",
                f'{reason}; "since": still going on, open at its end',
                "open",
            )
        else:
            add(a, b, edtf, reason, "absolute")

    # Ranges of days: "from August 25 to September 4", "May 4-5", "4-5 May".
    for m in re.finditer(
        rf"\bfrom ({_MONTH}) (\d{{1,2}}) (?:to|until|till|through) ({_MONTH}) (\d{{1,2}})(?:,? ({_YEAR}))?", sentence
    ):
        year = int(m[5]) if m[5] else _day_year(_month(m[1]), int(m[2]), published, future)
        first, last = _day(year, _month(m[1]), int(m[2])), _day(year, _month(m[3]), int(m[4]))
        if first and last and first <= last:
            why = f'"{m[0]}"' + ("" if m[5] else f" in {article}")
            add(m.start(), m.end(), f"{_iso(first)}/{_iso(last)}", why, "range")
    for m in re.finditer(rf"\b({_MONTH}) (\d{{1,2}}){_DASH}(\d{{1,2}})(?:,? ({_YEAR}))?\b", sentence):
        year = int(m[4]) if m[4] else _day_year(_month(m[1]), int(m[2]), published, future)
        first, last = _day(year, _month(m[1]), int(m[2])), _day(year, _month(m[1]), int(m[3]))
        if first and last and first < last:
            why = f'"{m[0]}"' + ("" if m[4] else f" in {article}")
            add(m.start(), m.end(), f"{_iso(first)}/{_iso(last)}", why, "range")
    for m in re.finditer(rf"\b(\d{{1,2}}){_DASH}(\d{{1,2}}) ({_MONTH})(?: ({_YEAR}))?\b", sentence):
        year = int(m[4]) if m[4] else _day_year(_month(m[3]), int(m[1]), published, future)
        first, last = _day(year, _month(m[3]), int(m[1])), _day(year, _month(m[3]), int(m[2]))
        if first and last and first < last:
            why = f'"{m[0]}"' + ("" if m[4] else f" in {article}")
            add(m.start(), m.end(), f"{_iso(first)}/{_iso(last)}", why, "range")
    # "a two-day visit ... May 19": the visit's days from the day it began.
    for m in re.finditer(r"\b(two|three|four|five|2|3|4|5)-day\b", sentence):
        days = {"two": 2, "three": 3, "four": 4, "five": 5}.get(m[1]) or int(m[1])
        begins = re.search(rf"\b({_MONTH}) (\d{{1,2}})\b(?!,? {_YEAR})", sentence[m.end() :])
        if begins:
            month, day_number = _month(begins[1]), int(begins[2])
            first = _day(_day_year(month, day_number, published, future), month, day_number)
            if first and first <= date.max - timedelta(days=days - 1):  # no day after 9999-12-31
                last = first + timedelta(days=days - 1)
                a, b = m.end() + begins.start(), m.end() + begins.end()
                why = f'a {m[0]} visit beginning "{begins[0]}" in {article}: {long_date(first)} to {long_date(last)}'
                add(a, b, f"{_iso(first)}/{_iso(last)}", why, "range")
    # Full days: "January 7, 1993", "7 January 1993", "May 3", "3 May".
    for m in re.finditer(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?(?:,? ({_YEAR}))?\b", sentence):
        year = int(m[3]) if m[3] else _day_year(_month(m[1]), int(m[2]), published, future)
        day = _day(year, _month(m[1]), int(m[2]))
        if day:
            why = f'"{m[0]}"' + ("" if m[3] else f" in {article}")
            since(m.start(), _iso(day), why, m.end())
    for m in re.finditer(rf"\b(\d{{1,2}}) ({_MONTH})(?:,? ({_YEAR}))?\b", sentence):
        year = int(m[3]) if m[3] else _day_year(_month(m[2]), int(m[1]), published, future)
        day = _day(year, _month(m[2]), int(m[1]))
        if day:
            why = f'"{m[0]}"' + ("" if m[3] else f" in {article}")
            since(m.start(), _iso(day), why, m.end())
    # Halves and quarters.
    for m in re.finditer(
        r"\b(?:(H[12])|(?:the )?(first|second) half of(?: the year)?|(Q[1-4])"
        r"|(?:the )?(first|second|third|fourth) quarter of)"
        rf"\s*(?:(this year|last year)|({_YEAR}))",
        sentence,
        re.IGNORECASE,
    ):
        if m[5]:
            year = published.year - (m[5].lower() == "last year")
            why = f'"{m[0]}" in {article}'
        else:
            year, why = int(m[6]), f'"{m[0]}"'
        half = (m[1] or "").upper() or ("H1" if (m[2] or "").lower() == "first" else "H2" if m[2] else "")
        if half:
            months = (1, 6) if half == "H1" else (7, 12)
        else:
            quarter = int(m[3][1]) if m[3] else ("first", "second", "third", "fourth").index(m[4].lower()) + 1
            months = (3 * quarter - 2, 3 * quarter)
        add(m.start(), m.end(), f"{year:04d}-{months[0]:02d}/{year:04d}-{months[1]:02d}", why, "range")
    # Months: "June 1993", "in July", "the May visit".
    for m in re.finditer(rf"\b({_MONTH}) ({_YEAR})\b", sentence):
        since(m.start(), f"{m[2]}-{_month(m[1]):02d}", f'"{m[0]}"', m.end())
    for m in re.finditer(rf"\b(?:in|since|during|of|the|last|this|early|late|mid-)\s?({_MONTH})\b(?! \d)", sentence):
        if m[1] == "May" and re.match(r"\s+(?:be|have|not)\b", sentence[m.end() :]):
            continue  # the verb
        month = _month(m[1])
        year = _month_year(month, published, future)
        which = "the next" if future else "the last"
        why = f'"{m[0]}" in {article}: {which} {LONG_MONTHS[month - 1]} on or {"after" if future else "before"} it'
        since(m.start(1), f"{year:04d}-{month:02d}", why, m.end())
    # Years: "2018-2020", "from 2018 to 2020", "in 2015", "by 2027", "since 1993".
    for m in re.finditer(rf"\b(?:from )?({_YEAR})(?:{_DASH}| to )({_YEAR})\b", sentence):
        if int(m[1]) < int(m[2]):
            add(m.start(), m.end(), f"{m[1]}/{m[2]}", f'"{m[0]}"', "range")
    for m in re.finditer(
        rf"\b(in|since|by|for|from|until|till|during|of|year|and|In|Since|By|For|From|During)\s+({_YEAR})\b(?!\s+(?!{_MONTH}\b)[A-Z])",
        sentence,
    ):
        word = m[1].lower()
        if word == "since":
            add(m.start(), m.end(), f"{m[2]}/..", f'"{m[0]}": still going on, open at its end', "open")
        elif word == "by":
            add(m.start(), m.end(), m[2], f'"{m[0]}": a target for {m[2]}', "target")
        else:
            add(m.start(2), m.end(), m[2], f'"{m[0]}"', "absolute")
    for m in re.finditer(rf"^({_YEAR})\b(?!\s+(?!{_MONTH}\b)[A-Z])", sentence):
        add(m.start(), m.end(), m[1], f'"{m[0]}"', "absolute")
    # Relative to the article.
    relative = (
        (r"\bthe day before yesterday\b", lambda: (_iso(published - timedelta(days=2)), "day")),
        (r"\byesterday\b", lambda: (_iso(published - timedelta(days=1)), "day")),
        (r"\blast year(?:’s|'s)?\b", lambda: (f"{published.year - 1:04d}", "year")),
        (r"\bthis year\b|\bthe current year\b", lambda: (f"{published.year:04d}", "year")),
        (r"\bnext year\b", lambda: (f"{published.year + 1:04d}", "year")),
        (r"\blast month\b", lambda: (_month_before(published), "month")),
        (r"\bthis month\b", lambda: (f"{published.year:04d}-{published.month:02d}", "month")),
        (
            r"\bin the year of (?:marking )?the \d+(?:st|nd|rd|th) anniversary\b",
            lambda: (f"{published.year:04d}", "year"),
        ),
    )
    for pattern, resolve in relative:
        for m in re.finditer(pattern, sentence, re.IGNORECASE):
            edtf, _ = resolve()
            add(m.start(), m.end(), edtf, f'"{m[0]}" in {article}', "relative")
    if not in_quotation:
        for m in re.finditer(r"\btoday\b", sentence, re.IGNORECASE):
            add(m.start(), m.end(), _iso(published), f'"today" in {article}', "relative")
    for m in re.finditer(r"\b[Oo]n (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", sentence):
        wanted = _WEEKDAYS.index(m[1].lower())
        weekday = published - timedelta(days=(published.weekday() - wanted) % 7)
        why = f'"{m[0]}" in {article}: the last {m[1]} on or before it, {long_date(weekday)}'
        # "the press office said on Thursday" dates the statement; what it reports may be earlier.
        reported = bool(_REPORTED.search(sentence[max(0, m.start() - 30) : m.start()]))
        if reported:
            why += ", the day it was reported"
        add(m.start(), m.end(), _iso(weekday), why, "report" if reported else "relative")
    # "on the eve of X": the day before what the article or the store dates X.
    for m in re.finditer(r"\bon the eve of\b", sentence, re.IGNORECASE):
        reference = references.best(sentence[m.end() : m.end() + 80])
        if reference is not None and reference.start > date.min:  # a store may date something 0001-01-01
            eve = reference.start - timedelta(days=1)
            why = f'"on the eve of" {reference.name}, dated {reference.edtf}: the day before, {long_date(eve)}'
            add(m.start(), m.end(), _iso(eve), why, "reference")
    for m in re.finditer(r"\b(?:which |that )?(?:took place |was held |met |held )?(?:a|the) day before\b", sentence):
        reference = references.best(sentence[: m.start()])
        if reference is not None:
            why = f'"{m[0].strip()}": {reference.name}, dated {reference.edtf}'
            add(m.start(), m.end(), reference.edtf, why, "day-before")
    found.sort(key=lambda f: f.start)
    return found


def _month_before(day: date) -> str:
    first = day.replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


# The years an article may be published in: "last year", "next month", "a week ago" and the like
# then name days that exist (there is no year 0 or 10000 to name).
FIRST_YEAR, LAST_YEAR = 2, 9998


def check_published(day: date, what: str) -> None:
    """ValueError unless ``day`` is in a year an article may be published in; ``what`` names it."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            f"{what}: {day.isoformat()} is out of range: ingest reads articles published"
            f" from {FIRST_YEAR:04d} to {LAST_YEAR}"
        )


def parse_published(text: str) -> tuple[date, date]:
    """A ``--published`` value: an EDTF day, or a range of days (``2023-05-03/2023-12-31``); ValueError if not."""
    from .. import edtf

    try:
        when = edtf.parse(text)
    except edtf.EdtfError as error:
        raise ValueError(f"--published {text!r} is not a date: {error}") from None
    if when.open_end or when.first.precision != "day" or (when.is_interval and when.last.precision != "day"):
        raise ValueError(f"--published {text!r}: give the day (YYYY-MM-DD), or the range of days it may be (A/B)")
    for day in (when.start, when.end):
        check_published(day, f"--published {text!r}")
    return when.start, when.end
