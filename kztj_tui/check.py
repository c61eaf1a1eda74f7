"""`kztj check`: whether a valid store is sound, as findings a maintainer can act on.

``run(store)`` returns every finding, each naming the events, figures and entities it concerns,
so the browser can mark events and show the reason. Warnings are problems to fix (or, for
sources that disagree, to record as a reviewed disagreement); known findings are covered by a
reviewed disagreement; notes are facts a reader should see but no one can fix, such as an event
that only one article reports or a plan past its date, and things a reviewer should look at that
a quote may imply, such as an actor no quote names.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from . import edtf
from .folding import fold
from .model import Disagreement, Entity, Event, Figure, Source, format_value
from .positions import Loc
from .text import normalize_for_quote, quoted

if TYPE_CHECKING:
    from .errors import Problem
    from .store import Store

WARNING, KNOWN, NOTE = "warning", "known", "note"

# Kind: (heading, severity). The order is the order of the report.
KINDS: dict[str, tuple[str, str]] = {
    "conflict": ("same metric and period, different values", WARNING),
    "date-conflict": ("the same figure dated differently by different sources", WARNING),
    "arithmetic": ("figures that should agree by definition and do not", WARNING),
    "unsupported": ("numbers and names in a title or summary that no quote supports", WARNING),
    "undated": ("months and days in a title or summary that neither the event's date nor its quotes give", WARNING),
    "orphan-entity": ("entities that no event uses", WARNING),
    "no-cyrillic": ("entities without a Cyrillic alias", WARNING),
    "no-actor": ("events with no actor", WARNING),
    "empty-include": ("include patterns that match no file (yet)", NOTE),
    "unreviewed": ("disagreements recorded but not reviewed", WARNING),
    "disagreement": ("reviewed disagreements", KNOWN),
    "single-source": ("events that only one article reports", NOTE),
    "uncertain-date": ("uncertain or approximate dates", NOTE),
    "unquoted": ("places, actors and tags that no cited quote names", NOTE),
    "past-plan": ("plans and targets whose date has passed, with no later report in the store", NOTE),
    "groundless": ("recorded disagreements whose versions differ in nothing check can see", NOTE),
    "disputed-day": ("events dated to one certain day that a recorded disagreement dates differently", NOTE),
    "borrowed-date": ("figures dated as another article dates them, which their own article does not", NOTE),
}
# Only sources disagreeing can be settled by recording the disagreement; the rest must be fixed.
COVERABLE = {"conflict", "date-conflict", "arithmetic"}

# How metrics relate, by their names (the README states the same rules under "kztj check"):
# - M_growth (unit percent) is the growth of M over the same period a year earlier;
# - A_exports_to_B + A_imports_from_B is the trade between A and B, which a store about the two
#   countries calls trade_turnover; each is a part of it;
# - Q_M, where M is another metric of the store, is a part of M (agri_trade_turnover of trade_turnover),
#   unless it is a growth rate;
# - a metric with exports, imports or turnover among its words is a flow, which adds up over time,
#   unless it is a rate or an aim (_growth, _target).
GROWTH_SUFFIX = "_growth"
TURNOVER = "trade_turnover"
_EXPORTS = re.compile(r"(?P<a>[a-z0-9]+)_exports_to_(?P<b>[a-z0-9]+)")
_TRADE = re.compile(r"[a-z0-9]+_(?:exports_to|imports_from)_[a-z0-9]+")
FLOW_WORDS = frozenset({"exports", "imports", "turnover"})
NOT_FLOWS = (GROWTH_SUFFIX, "_target")
# A figure dated to a period this short is one occurrence; the same value at two such dates is
# one fact dated two ways. Longer periods are series, where equal values can be coincidence.
ONE_OFF_DAYS = 31


class Finding(NamedTuple):
    """One thing `kztj check` reports, at ``at``: (list, id, field...), e.g. ("events", "trade-2021", "summary")."""

    kind: str
    severity: str
    message: str
    at: Loc
    events: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    disagreement: str | None = None


def run(store: Store, on: date | None = None) -> list[Finding]:
    """Every finding for a loaded store, in report order; plans are past or not on the day ``on`` (default: today())."""
    events = list(store.iter_events())
    figures = store.figures
    found: list[Finding] = [
        *conflicts(figures),
        *date_conflicts(figures),
        *arithmetic(figures),
        *unsupported(events, store),
        *entity_findings(events, store.entities.values()),
        *no_actor(events),
        *disagreement_findings(store.disagreements, figures, events),
        *single_source(events),
        *uncertain_dates(events, figures),
        *unquoted(events, store.entities),
        *past_plans(events, figures, store.sources, on or today()),
        *empty_includes(store),
    ]
    found += groundless(store.disagreements, figures, events, store.entities, found)
    found += disputed_days(store.disagreements, figures, events)
    found += borrowed_dates(figures, events, store.sources)
    found = classify(found, store.disagreements)
    order = list(KINDS)
    return sorted(found, key=lambda f: order.index(f.kind))


def classify(found: Iterable[Finding], disagreements: Sequence[Disagreement]) -> list[Finding]:
    """Mark warnings that a reviewed disagreement covers (all their figures and events) as known."""
    reviewed = [d for d in disagreements if d.reviewed]
    out = []
    for finding in found:
        if finding.severity == WARNING and finding.kind in COVERABLE:
            for d in reviewed:
                if covers(d, finding):
                    finding = finding._replace(severity=KNOWN, disagreement=d.id)
                    break
        out.append(finding)
    return out


def covers(d: Disagreement, finding: Finding) -> bool:
    """Whether a disagreement names all the figures and events of a finding that sources disagreeing can explain."""
    return finding.kind in COVERABLE and set(finding.figures) <= set(d.figures) and set(finding.events) <= set(d.events)


def by_event(found: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by the events they concern, for marking events in the browser."""
    out: dict[str, list[Finding]] = {}
    for finding in found:
        for event_id in finding.events:
            out.setdefault(event_id, []).append(finding)
    return out


def _finding(
    kind: str,
    message: str,
    at: Loc,
    events: tuple[str, ...] = (),
    figures: tuple[str, ...] = (),
    entities: tuple[str, ...] = (),
) -> Finding:
    return Finding(kind, KINDS[kind][1], message, at, events, figures, entities)


def _events_of(figures: Iterable[Figure]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.event for f in figures if f.event))


def _computed(value: float, unit: str) -> str:
    """A computed value with the digits the check compared, e.g. $1,379.0 mn rather than $1.38 bn."""
    if unit == "USD" and abs(value) >= 1e6:
        return f"${value / 1e6:,.1f} mn"
    return format_value(round(value, 2), unit)


def _describe(figure: Figure) -> str:
    return f"{format_value(figure.value, figure.unit)} ({figure.id}, {figure.source})"


# -- conflicts ---------------------------------------------------------------------------------


def conflicts(figures: Sequence[Figure]) -> Iterator[Finding]:
    """Figures of one metric and period with different values (the loader's ``conflicts``), once per group."""
    groups: dict[tuple[str, str, str], list[Figure]] = {}
    for figure in figures:
        if figure.conflicts:
            groups.setdefault((figure.metric, figure.start, figure.end), []).append(figure)
    for (metric, _, _), group in groups.items():
        first = group[0]
        message = f"{metric} {first.period_label}: " + " vs ".join(_describe(f) for f in group)
        ids = tuple(f.id for f in group)
        yield _finding("conflict", message, ("figures", first.id, "value"), figures=ids, events=_events_of(group))


def _days(figure: Figure) -> int:
    return (date.fromisoformat(figure.end) - date.fromisoformat(figure.start)).days + 1


def date_conflicts(figures: Sequence[Figure]) -> Iterator[Finding]:
    """The same metric and value from different sources, dated to one-off periods that do not overlap.

    A period marked uncertain (?) is the store's stand-in, its article's date for a figure the article
    does not date, so it dates the figure against no other.
    """
    groups: dict[tuple[str, float, str], list[Figure]] = {}
    for figure in figures:
        if _days(figure) <= ONE_OFF_DAYS and _vagueness(figure.period) != "uncertain":
            groups.setdefault((figure.metric, figure.value, figure.unit), []).append(figure)
    for (metric, _, _), group in groups.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.source != b.source and (a.end < b.start or b.end < a.start):
                    message = (
                        f"{metric} {format_value(a.value, a.unit)}: {a.period_label} per {a.source} ({a.id}) "
                        f"but {b.period_label} per {b.source} ({b.id})"
                    )
                    yield _finding(
                        "date-conflict",
                        message,
                        ("figures", b.id, "period"),
                        figures=(a.id, b.id),
                        events=_events_of((a, b)),
                    )


# -- arithmetic --------------------------------------------------------------------------------


def rounding(value: float) -> float:
    """Half a unit in the last non-zero digit of a value as written: 1.4e9 -> 5e7, 877.6e6 -> 5e4, 18.5 -> 0.05."""
    if value == 0:
        return 0.5
    text = f"{abs(value):.10f}".rstrip("0")
    if text.endswith("."):
        digits = text[:-1]
        exponent = len(digits) - len(digits.rstrip("0"))
        return 0.5 * 10**exponent
    return 0.5 * 10 ** -(len(text) - text.index(".") - 1)


def _year_earlier(iso: str) -> str:
    earlier = edtf.year_earlier(date.fromisoformat(iso))
    return "" if earlier is None else earlier.isoformat()  # before year 1: no period matches ""


def _by_period(figures: Iterable[Figure]) -> dict[tuple[str, str, str], list[Figure]]:
    out: dict[tuple[str, str, str], list[Figure]] = {}
    for figure in figures:
        out.setdefault((figure.metric, figure.start, figure.end), []).append(figure)
    return out


def sums(metrics: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """The totals the store's metrics add up to, by name: {trade_turnover: [(kz_exports_to_tj, kz_imports_from_tj)]}."""
    known = set(metrics)
    out: dict[str, list[tuple[str, ...]]] = {}
    for metric in sorted(known):
        match = _EXPORTS.fullmatch(metric)
        imports = f"{match['a']}_imports_from_{match['b']}" if match else ""
        if imports in known:
            out.setdefault(TURNOVER, []).append((metric, imports))
    return out


def wholes(metric: str, metrics: Iterable[str]) -> list[str]:
    """The metrics this one is a part of, by their names: exports and imports of turnover, Q_M of M (not of rates)."""
    known = set(metrics)
    out = [TURNOVER] if _TRADE.fullmatch(metric) and TURNOVER in known else []
    if metric.endswith(GROWTH_SUFFIX):  # a part's growth can exceed the whole's
        return out
    words = metric.split("_")
    out += [whole for i in range(1, len(words)) if (whole := "_".join(words[i:])) in known]
    return list(dict.fromkeys(out))


def is_flow(metric: str) -> bool:
    """Whether a metric adds up over time (exports, imports, turnover): a part of a period cannot exceed the whole."""
    return bool(FLOW_WORDS.intersection(metric.split("_"))) and not metric.endswith(NOT_FLOWS)


def arithmetic(figures: Sequence[Figure]) -> Iterator[Finding]:
    """Growth rates against the two periods they link, parts against their sum, parts larger than wholes."""
    periods = _by_period(figures)
    totals = sums({f.metric for f in figures})
    yield from _growth(figures, periods)
    yield from _sums(periods, totals)
    yield from _sums_a_year_before(periods, totals)
    yield from _parts(figures, periods)


def _growth(figures: Sequence[Figure], periods: dict[tuple[str, str, str], list[Figure]]) -> Iterator[Finding]:
    for rate in figures:
        if not rate.metric.endswith(GROWTH_SUFFIX) or rate.unit != "percent":
            continue
        base = rate.metric.removesuffix(GROWTH_SUFFIX)
        later = periods.get((base, rate.start, rate.end), [])
        earlier = periods.get((base, _year_earlier(rate.start), _year_earlier(rate.end)), [])
        failing: list[tuple[Figure, Figure]] = []
        for before in earlier:
            for after in later:
                predicted = before.value * (1 + rate.value / 100)
                tolerance = (
                    max(rounding(before.value), rounding(after.value)) + before.value * rounding(rate.value) / 100
                )
                if abs(predicted - after.value) > tolerance:
                    failing.append((before, after))
        if not failing:
            continue
        before, after = failing[0]
        actual = (after.value / before.value - 1) * 100 if before.value else math.inf
        message = (
            f"{rate.metric} {rate.period_label} of {rate.value:g}% ({rate.id}, {rate.source}) takes "
            f"{before.period_label}'s {_describe(before)} to "
            f"{_computed(before.value * (1 + rate.value / 100), before.unit)}, "
            f"but {after.period_label} is {_describe(after)}: growth of {actual:.1f}%"
        )
        involved = [rate, *dict.fromkeys(f for pair in failing for f in pair)]
        yield _finding(
            "arithmetic",
            message,
            ("figures", rate.id, "value"),
            figures=tuple(f.id for f in involved),
            events=_events_of(involved),
        )


def _sums(
    periods: dict[tuple[str, str, str], list[Figure]], totals: dict[str, list[tuple[str, ...]]]
) -> Iterator[Finding]:
    for (metric, start, end), stated in periods.items():
        for parts in totals.get(metric, []):
            groups = [periods.get((part, start, end), []) for part in parts]
            if not all(groups):
                continue
            chosen = [group[0] for group in groups]
            total = sum(f.value for f in chosen)
            for whole in stated:
                tolerance = max(rounding(f.value) for f in (whole, *chosen))
                if all(f.unit == whole.unit for f in chosen) and abs(total - whole.value) > tolerance:
                    addends = " + ".join(_describe(f) for f in chosen)
                    message = (
                        f"{metric} {whole.period_label}: {addends} = {_computed(total, whole.unit)}, "
                        f"but the total is {_describe(whole)}"
                    )
                    involved = (whole, *chosen)
                    yield _finding(
                        "arithmetic",
                        message,
                        ("figures", whole.id, "value"),
                        figures=tuple(f.id for f in involved),
                        events=_events_of(involved),
                    )


def _sums_a_year_before(
    periods: dict[tuple[str, str, str], list[Figure]], totals: dict[str, list[tuple[str, ...]]]
) -> Iterator[Finding]:
    """A total a year before, worked out from its parts and their growth rates, against the total stated for it.

    Exports up 9.7% to $877.6 mn and imports up 37.9% to $501.4 mn in 2022 mean $800.0 mn + $363.6 mn
    = $1,163.6 mn of turnover in 2021, whatever the store says turnover grew by.
    """
    for metric, groups in totals.items():
        for parts in groups:
            for part, start, end in periods:
                if part != parts[0]:
                    continue
                values = [periods.get((p, start, end), []) for p in parts]
                rates = [
                    [f for f in periods.get((p + GROWTH_SUFFIX, start, end), []) if f.unit == "percent"] for p in parts
                ]
                earlier = periods.get((metric, _year_earlier(start), _year_earlier(end)), [])
                if not (all(values) and all(rates) and earlier):
                    continue
                chosen = [(group[0], rate[0]) for group, rate in zip(values, rates, strict=True)]
                if any(rate.value <= -100 for _, rate in chosen):  # down to nothing: no earlier value follows
                    continue
                before = [value.value / (1 + rate.value / 100) for value, rate in chosen]
                # Each part's own rounding, and its rate's, carried through the division.
                spread = sum(
                    (rounding(value.value) + value.value * rounding(rate.value) / 100 / (1 + rate.value / 100))
                    / (1 + rate.value / 100)
                    for value, rate in chosen
                )
                total = sum(before)
                for whole in earlier:
                    if any(value.unit != whole.unit for value, _ in chosen):
                        continue
                    if abs(total - whole.value) <= spread + rounding(whole.value):
                        continue
                    grown = " and ".join(
                        f"{value.metric} {_describe(value)} {'up' if rate.value >= 0 else 'down'} "
                        f"{abs(rate.value):g}% ({rate.id})"
                        for value, rate in chosen
                    )
                    addends = " + ".join(_computed(v, whole.unit) for v in before)
                    message = (
                        f"{metric} {whole.period_label}: {grown} in {chosen[0][0].period_label} mean "
                        f"{addends} = {_computed(total, whole.unit)} in {whole.period_label}, "
                        f"but the total is {_describe(whole)}"
                    )
                    involved = (whole, *(f for pair in chosen for f in pair))
                    yield _finding(
                        "arithmetic",
                        message,
                        ("figures", whole.id, "value"),
                        figures=tuple(f.id for f in involved),
                        events=_events_of(involved),
                    )


def _parts(figures: Sequence[Figure], periods: dict[tuple[str, str, str], list[Figure]]) -> Iterator[Finding]:
    metrics = {f.metric for f in figures}
    whole_metrics = {metric: wholes(metric, metrics) for metric in metrics}
    for part in figures:
        larger = [w for metric in whole_metrics[part.metric] for w in periods.get((metric, part.start, part.end), [])]
        if is_flow(part.metric):
            # The same metric over a longer period that contains this one.
            larger += [
                f
                for f in figures
                if f.metric == part.metric
                and f.start <= part.start
                and part.end <= f.end
                and (f.start, f.end) != (part.start, part.end)
            ]
        for whole in larger:
            if whole.unit == part.unit and part.value > whole.value + max(rounding(part.value), rounding(whole.value)):
                message = (
                    f"{part.metric} {part.period_label} {_describe(part)} is larger than its whole, "
                    f"{whole.metric} {whole.period_label} {_describe(whole)}"
                )
                yield _finding(
                    "arithmetic",
                    message,
                    ("figures", part.id, "value"),
                    figures=(part.id, whole.id),
                    events=_events_of((part, whole)),
                )


# -- unsupported numbers and names -------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th)?"
    r"(?:\s*(billion|bln|bn|million|mln|mn|thousand))?(?!\w)",
    re.IGNORECASE,
)
_SCALE = {"billion": 1e9, "bln": 1e9, "bn": 1e9, "million": 1e6, "mln": 1e6, "mn": 1e6, "thousand": 1e3}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_MONTHS = frozenset(name.lower() for name in edtf.LONG_MONTHS)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Month and weekday names as written, to the month or weekday they name.
_DATE_WORDS = {
    **{name: name.lower() for name in (*edtf.LONG_MONTHS, *_WEEKDAYS)},
    **{short: long.lower() for short, long in zip(edtf.MONTHS, edtf.LONG_MONTHS, strict=True)},
    **{day[:3]: day.lower() for day in _WEEKDAYS},
    "Sept": "september",
    "Tues": "tuesday",
    "Thur": "thursday",
    "Thurs": "thursday",
}
_ORDINAL = "(?:st|nd|rd|th)?"
_DAYS = rf"\d{{1,2}}{_ORDINAL}(?:\s*[–-]\s*\d{{1,2}}{_ORDINAL})?"
# A month or weekday named in text, in full or short, with the day or days written before or after it:
# "19 May", "4–5 May", "May 19th", "the 19th of May", "Sept. 3".
_DATE_MENTION = re.compile(
    rf"(?:(?<![\w.,])(?P<before>{_DAYS})\s+(?:of\s+)?)?"
    rf"\b(?P<name>{'|'.join(sorted(_DATE_WORDS, key=len, reverse=True))})\b"
    rf"(?:\.?\s+(?P<after>{_DAYS})(?![\d.,]\d))?"
)
_DAY = re.compile(r"\d{1,2}")


def numbers(text: str) -> Iterator[tuple[str, float]]:
    """Each number written in digits in text, as written and as a value (with billion, mn and the like applied)."""
    for match in _NUMBER.finditer(text):
        yield match.group(0), _value(match)


def _key(value: float) -> str:
    return f"{value:.6g}"


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins the text or follows . ! ? : or ; and spaces."""
    index = start - 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index < 0 or text[index] in ".!?:;"


_STEMS: dict[str, str] = {}


def _stem(word: str) -> str:
    """A word folded for comparison, without a possessive 's."""
    stem = _STEMS.get(word)
    if stem is None:
        stem = fold(word).removesuffix("'s").removesuffix("’s")
        if len(_STEMS) < 100_000:
            _STEMS[word] = stem
    return stem


def names(text: str, known: set[str]) -> Iterator[str]:
    """Capitalised words that read as names; one that opens a sentence only if the store writes it as a name."""
    for match in _WORD.finditer(text):
        word = match.group(0)
        if len(word) < 2 or not word[0].isupper():
            continue
        if _opens_sentence(text, match.start()) and _stem(word) not in known:
            continue
        yield word


class _Support(NamedTuple):
    """The words that support a title or summary, and the same words shortened by one or two letters."""

    words: set[str]
    shortened: set[str]

    @classmethod
    def of(cls, words: set[str]) -> _Support:
        shortened = {w[:-cut] for w in words for cut in (1, 2) if len(w) - cut >= 4}
        return cls(words, shortened)

    def supports(self, word: str) -> bool:
        """Whether word is here, or is the same name in another form (Asia/Asian, Kazakhstani/Kazakhstanis)."""
        if word in self.words:
            return True
        if len(word) < 4:
            return False
        return word in self.shortened or any(len(word) - cut >= 4 and word[:-cut] in self.words for cut in (1, 2))


def _names_in_store(texts: Iterable[str], entity_names: Iterable[str]) -> set[str]:
    """Words the store writes capitalised inside a sentence or in an entity's name, and never in lower case."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    # Quotes repeat across events: each distinct text is read once.
    for text, is_name in [*((t, False) for t in dict.fromkeys(texts)), *((n, True) for n in entity_names)]:
        for match in _WORD.finditer(text):
            word = match.group(0)
            if word[0].islower():
                lower.add(_stem(word))
            elif is_name or not _opens_sentence(text, match.start()):
                capitalised.add(_stem(word))
    return capitalised - lower


def unsupported(events: Sequence[Event], store: Store) -> Iterator[Finding]:
    """Numbers and names in titles and summaries that none of the event's quotes, actors, place or outlets give;
    and months and days that neither the event's date nor its quotes give."""
    entity_names = [name for e in store.entities.values() for name in (e.name, *e.aliases)]
    known = _names_in_store(
        (t for e in events for t in (e.title, e.summary, *(c.quote for c in e.sources))), entity_names
    )
    read: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}

    def words_and_numbers(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        found = read.get(text)
        if found is None:
            normal = normalize_for_quote(text)
            words = _WORD.findall(normal)
            found = read[text] = (
                frozenset(_stem(w) for w in words),
                frozenset(_key(v) for _, v in numbers(normal)),
                frozenset(_DATE_WORDS[w] for w in words if w in _DATE_WORDS),
            )
        return found

    for event in events:
        who = [
            store.entities[x] for x in (*event.actors, *([event.place] if event.place else [])) if x in store.entities
        ]
        support_text = [
            *(s for e in who for s in (e.name, *e.aliases)),
            *(store.sources[c.source].outlet for c in event.sources if c.source in store.sources),
        ]
        when = edtf.parse(event.date)
        dates_given = _date_words_given(event, when)
        values = {_key(float(n)) for n in _numbers_of_date(when)}
        words: set[str] = set()
        for citation in event.sources:
            text_words, text_values, text_dates = words_and_numbers(citation.quote)
            words |= text_words
            values |= text_values
            dates_given |= text_dates
        for text in support_text:
            text_words, text_values, _ = words_and_numbers(text)
            words |= text_words
            values |= text_values
        support = _Support.of(words)
        for field in ("title", "summary"):
            text = getattr(event, field)
            undated, dates = _dates_not_given(text, dates_given, values)
            if undated:
                message = (
                    f"event {event.id!r} {field}: {', '.join(repr(d) for d in undated)} — a month or day that "
                    f"neither its date ({event.date}) nor any of its quotes gives"
                )
                yield _finding("undated", message, ("events", event.id, field), events=(event.id,))
            missing_numbers = [
                match.group(0)
                for match in _NUMBER.finditer(text)
                if match.start() not in dates and _key(_value(match)) not in values
            ]
            missing_names = [
                w for w in dict.fromkeys(names(text, known)) if w not in _DATE_WORDS and not support.supports(_stem(w))
            ]
            if missing_numbers or missing_names:
                parts = []
                if missing_numbers:
                    parts.append("numbers " + ", ".join(repr(n) for n in missing_numbers))
                if missing_names:
                    parts.append("names " + ", ".join(repr(n) for n in missing_names))
                message = (
                    f"event {event.id!r} {field}: {' and '.join(parts)} appear in none of its quotes "
                    "and no name of its actors or place"
                )
                yield _finding("unsupported", message, ("events", event.id, field), events=(event.id,))


def _dates_not_given(text: str, given: set[str], values: set[str]) -> tuple[list[str], set[int]]:
    """Months, weekdays and days named in text that are not among the given ones; and where the days are written."""
    undated = []
    days: set[int] = set()
    for match in _DATE_MENTION.finditer(text):
        written = [
            (match.start(group) + day.start(), day.group(0))
            for group in ("before", "after")
            if match.group(group)
            for day in _DAY.finditer(match.group(group))
        ]
        days |= {start for start, _ in written}
        if _DATE_WORDS[match["name"]] not in given or any(_key(float(n)) not in values for _, n in written):
            undated.append(match.group(0))
    return list(dict.fromkeys(undated)), days


def _value(match: re.Match[str]) -> float:
    """The value of a number _NUMBER matched, with billion, mn and the like applied."""
    digits, decimals, scale = match.groups()
    value = float(digits.replace(",", "") + (decimals or ""))
    return value * _SCALE[scale.lower()] if scale else value


def _date_words_given(event: Event, when: edtf.When) -> set[str]:
    """Month and weekday names the event's date gives: for a point dated to a year none, for a month its month,
    for days their months and weekdays (of the first week of a longer span)."""
    points = (when.first, when.last)
    if all(p.precision != "year" for p in points):
        out = _months_of_date(event)
    else:
        out = {edtf.LONG_MONTHS[p.start.month - 1].lower() for p in points if p.precision != "year"}
    if all(p.precision == "day" for p in points):
        first, last = when.start.toordinal(), when.end.toordinal()
        out |= {_WEEKDAYS[date.fromordinal(day).weekday()].lower() for day in range(first, min(last, first + 6) + 1)}
    return out


def _numbers_of_date(when: edtf.When) -> set[int]:
    """The numbers the date gives: the years of its first and last points, their months and days where it has them."""
    out: set[int] = set()
    for point, day in ((when.first, when.first.start), (when.last, when.last.end)):
        out.add(day.year)
        if point.precision != "year":
            out.add(day.month)
        if point.precision == "day":
            out.add(day.day)
    return out


def _months_of_date(event: Event) -> set[str]:
    """Month names the event's own date covers (all twelve for a date of a year or more)."""
    start, end = date.fromisoformat(event.start), date.fromisoformat(event.end)
    if (end - start).days >= 365:
        return set(_MONTHS)
    months = set()
    following: date | None = start.replace(day=1)
    while following is not None and following <= end:
        months.add(edtf.LONG_MONTHS[following.month - 1].lower())
        following = edtf.month_after(following)
    return months


# -- places, actors and tags that no quote names ---------------------------------------------


def _quote_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(normalize_for_quote(text))]


def _names_phrase(words: Sequence[str], present: Set[str], phrase: Sequence[str]) -> bool:
    """Whether the words hold the phrase, each word as is or, from four letters, with up to two more (Tajik/Tajiks).

    ``present`` holds the words and the words without their last one or two letters, so a phrase
    with a word it lacks is ruled out without a scan.
    """

    def same(word: str, name: str) -> bool:
        return word == name or (len(name) >= 4 and word.startswith(name) and len(word) - len(name) <= 2)

    size = len(phrase)
    if not size or any(name not in present for name in phrase):
        return False
    return any(all(same(words[i + k], phrase[k]) for k in range(size)) for i in range(len(words) - size + 1))


def tag_forms(tag: str) -> tuple[str, ...]:
    """What a word of a quote begins with to be a form of the tag: diplom (diplomatic), each part of energy-water."""
    return tuple(fold(part)[: max(4, len(part) - 3)] for part in re.split(r"[-_]", tag) if part)


class _Quotes:
    """What quotes name: entities by their names and aliases, and tags by their forms; each quote read once."""

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        self.entities = entities
        self.phrases = {e.id: [_quote_words(name) for name in (e.name, *e.aliases)] for e in entities.values()}
        self._read: dict[str, tuple[list[str], set[str]]] = {}
        self._answers: dict[tuple[str, str, str], bool] = {}

    def _words(self, quote: str) -> tuple[list[str], set[str]]:
        found = self._read.get(quote)
        if found is None:
            words = _quote_words(quote)
            present = {*words, *(w[:-cut] for w in words for cut in (1, 2) if len(w) - cut >= 4)}
            found = self._read[quote] = (words, present)
        return found

    def names(self, quote: str, entity_id: str) -> bool:
        """Whether the quote names the entity by one of its names (an unknown id is never named)."""
        key = ("entity", quote, entity_id)
        answer = self._answers.get(key)
        if answer is None:
            words, present = self._words(quote)
            phrases = self.phrases.get(entity_id, ())
            answer = self._answers[key] = any(_names_phrase(words, present, phrase) for phrase in phrases)
        return answer

    def has_tag(self, quote: str, tag: str) -> bool:
        """Whether a word of the quote is a form of the tag."""
        key = ("tag", quote, tag)
        answer = self._answers.get(key)
        if answer is None:
            forms = tag_forms(tag)
            answer = self._answers[key] = any(w.startswith(forms) for w in self._words(quote)[1])
        return answer

    def named(self, quote: str) -> set[str]:
        """The entities the quote names."""
        return {entity_id for entity_id in self.phrases if self.names(quote, entity_id)}

    def unnamed(self, quotes: Sequence[str], entity_ids: Iterable[str]) -> list[str]:
        """The given entities that none of the quotes names, as 'id' (Name)."""
        return [
            f"{x!r} ({self.entities[x].name})"
            for x in dict.fromkeys(entity_ids)
            if x in self.entities and not any(self.names(q, x) for q in quotes)
        ]


def unquoted(events: Sequence[Event], entities: Mapping[str, Entity]) -> Iterator[Finding]:
    """Places, actors and tags of an event that none of its quotes names: a quote can imply them, so a note."""
    read = _Quotes(entities)
    for event in events:
        quotes = [c.quote for c in event.sources]
        parts = []
        fields = []
        count = 0
        for field, label, found in (
            ("place", "place", read.unnamed(quotes, [event.place] if event.place else [])),
            ("actors", "actor", read.unnamed(quotes, event.actors)),
            ("tags", "tag", [repr(t) for t in event.tags if not any(read.has_tag(q, t) for q in quotes)]),
        ):
            if found:
                parts.append(f"{label}{'s' * (len(found) > 1)} {', '.join(found)}")
                fields.append(field)
                count += len(found)
        if parts:
            message = f"event {event.id!r}: {'; '.join(parts)} — no cited quote names {'it' if count == 1 else 'them'}"
            yield _finding("unquoted", message, ("events", event.id, fields[0]), events=(event.id,))


# -- plans and targets against today ----------------------------------------------------------

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def today() -> date:
    """Today, or the day $KZTJ_TODAY names (YYYY-MM-DD): plans are past or not against it."""
    text = os.environ.get("KZTJ_TODAY", "").strip()
    if not text:
        return date.today()
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"KZTJ_TODAY={quoted(text[:40])} is not a day (expected YYYY-MM-DD)")


def later_report(event: Event, related: Iterable[Event]) -> Event | None:
    """The latest of the event's related events that occurred and starts after it: what became of a plan or target."""
    later = [r for r in related if r.status == "occurred" and r.start > event.start]
    return max(later, key=lambda r: (r.start, r.end)) if later else None


def status_text(event: Event, related: Iterable[Event], sources: Mapping[str, Source], on: date) -> str:
    """An event's status in words, weighed against the day ``on``: "planned for September 2023; no later report
    in the store" once a plan's date has passed with no related event reporting what became of it."""
    if event.status not in ("planned", "target"):
        return event.status
    published = [edtf.parse(sources[c.source].published).end.isoformat() for c in event.sources if c.source in sources]
    # Dated after every article that reports it: the day it is due. Otherwise the day it was announced.
    due = bool(published) and event.start > max(published)
    text = f"{event.status} {'for' if due else 'as of'} {event.long_label}"
    if event.end >= on.isoformat():
        return text
    later = later_report(event, related)
    if later is None:
        return f"{text}; no later report in the store"
    return f"{text}; reported later: {later.title} ({later.long_label})"


def past_plans(
    events: Sequence[Event], figures: Sequence[Figure], sources: Mapping[str, Source], on: date
) -> Iterator[Finding]:
    """Plans, targets and target figures whose date has passed and nothing later in the store on what became of them."""
    by_id = {e.id: e for e in events}
    aims = {e.id for e in events if e.status in ("planned", "target")}
    for event in events:
        if event.id not in aims or event.end >= on.isoformat():
            continue
        if later_report(event, (by_id[r] for r in event.related if r in by_id)) is None:
            message = f"event {event.id!r}: {status_text(event, (), sources, on)} (today is {on.isoformat()})"
            yield _finding("past-plan", message, ("events", event.id, "status"), events=(event.id,))
    last_day: dict[str, str] = {}  # the last day each metric reports on
    for figure in figures:
        last_day[figure.metric] = max(last_day.get(figure.metric, ""), figure.end)
    for figure in figures:
        if not figure.metric.endswith("_target") or figure.event in aims or figure.end >= on.isoformat():
            continue
        aim = figure.metric.removesuffix("_target")
        # What it aims at: the metric the rest of its name names (business_forum_contracts), or one that
        # name begins (trade_target aims at trade_turnover); a rate or another aim reports no total.
        aimed_at = [m for m in last_day if m == aim or (m.startswith(aim + "_") and not m.endswith(NOT_FLOWS))]
        if any(last_day[m] > figure.start for m in aimed_at):  # a figure of it that runs past the aim's date
            continue
        message = (
            f"figure {figure.id!r}: {figure.metric} of {_describe(figure)} as of {figure.period_label}; "
            f"no later {aim} in the store (today is {on.isoformat()})"
        )
        yield _finding(
            "past-plan", message, ("figures", figure.id, "period"), events=_events_of([figure]), figures=(figure.id,)
        )


# -- disagreements that rest on nothing --------------------------------------------------------


def _overlap(a: Figure, b: Figure) -> bool:
    return a.start <= b.end and b.start <= a.end


def _figures_differ(found: Sequence[Figure]) -> bool:
    """Whether figures from two sources give one metric and period two values, or one value two metrics or dates."""
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            if a.source == b.source or a.unit != b.unit:
                continue
            if a.metric == b.metric and _overlap(a, b) and a.value != b.value:
                return True
            if a.value == b.value and (a.metric != b.metric or not _overlap(a, b)):
                return True
    return False


def _what_a_version_says(quote: str, read: _Quotes, given: set[str]) -> frozenset[str]:
    """The entities, months and weekdays a quote names, and its numbers that are not among the given values."""
    named = read.named(quote)
    dates = {_DATE_WORDS[w] for w in _WORD.findall(quote) if w in _DATE_WORDS}
    return frozenset({*named, *dates, *(_key(v) for _, v in numbers(quote) if _key(v) not in given)})


def groundless(
    disagreements: Sequence[Disagreement],
    figures: Sequence[Figure],
    events: Sequence[Event],
    entities: Mapping[str, Entity],
    found: Sequence[Finding],
) -> Iterator[Finding]:
    """Recorded disagreements whose versions differ in no value, date or name that check can see.

    A version is a quote of the disagreement or of one of its figures. One whose quote states no
    figure of the store differs in wording, which check cannot weigh. Versions that all state figures
    differ when a conflict, date conflict or arithmetic finding is among their figures, when those
    figures give one metric and period two values or one value two metrics or dates, or when the
    quotes name different entities, months or weekdays, or numbers that none of the figures gives.
    """
    by_id = {f.id: f for f in figures}
    read = _Quotes(entities)
    quoted = [(f, normalize_for_quote(f.quote)) for f in figures]
    events_of: dict[str, list[Figure]] = {}
    for figure in figures:
        if figure.event:
            events_of.setdefault(figure.event, []).append(figure)
    for d in disagreements:
        if any(covers(d, finding) for finding in found):
            continue
        versions = [(c.source, c.quote) for c in d.versions] + [
            (by_id[f].source, by_id[f].quote) for f in d.figures if f in by_id
        ]
        stated: list[list[Figure]] = []
        for source, quote in versions:
            normal = normalize_for_quote(quote)
            stated.append([f for f, text in quoted if f.source == source and text in normal])
        if len(versions) < 2 or not all(stated):
            continue
        involved = list(dict.fromkeys([*(by_id[f] for f in d.figures if f in by_id), *(f for s in stated for f in s)]))
        if _figures_differ(involved):
            continue
        context = [*involved, *(f for e in d.events for f in events_of.get(e, []))]
        given = {_key(f.value) for f in context} | {_key(float(day[:4])) for f in context for day in (f.start, f.end)}
        if len({_what_a_version_says(quote, read, given) for _, quote in versions}) > 1:
            continue
        listed = ", ".join(
            f"{f.metric} {f.period_label} {_describe(f)}" for f in sorted(involved, key=lambda f: f.start)
        )
        message = f"{d.id}: its versions differ in no value, date or name that check can see; they give {listed}"
        yield _finding(
            "groundless", message, ("disagreements", d.id), events=d.events, figures=tuple(f.id for f in involved)
        )._replace(disagreement=d.id)


def _dates_named(quote: str) -> tuple[str, ...]:
    """The months and weekdays a quote names, with their days: "May 19" names 19 May, "on Thursday" Thursday."""
    out = []
    for match in _DATE_MENTION.finditer(quote):
        days = [d.group(0) for group in ("before", "after") if match.group(group) for d in _DAY.finditer(match[group])]
        name = _DATE_WORDS[match["name"]].capitalize()
        out += [f"{int(day)} {name}" for day in days] or [name]
    return tuple(sorted(set(out)))


def disputed_days(
    disagreements: Sequence[Disagreement], figures: Sequence[Figure], events: Sequence[Event]
) -> Iterator[Finding]:
    """Events dated to one day with no ? although a recorded disagreement's versions name different days for them."""
    by_id = {f.id: f for f in figures}
    dated = {e.id: e for e in events}
    for d in disagreements:
        quotes = [c.quote for c in d.versions] + [by_id[f].quote for f in d.figures if f in by_id]
        named = [dates for dates in map(_dates_named, quotes) if dates]
        if len(set(named)) < 2:
            continue
        for event_id in d.events:
            event = dated.get(event_id)
            if (
                event is None
                or "/" in event.date
                or _vagueness(event.date)
                or edtf.parse(event.date).first.precision != "day"
            ):
                continue
            versions = "; ".join(", ".join(dates) for dates in dict.fromkeys(named))
            message = (
                f"event {event.id!r} is dated {event.date} with no ?, but the versions of {d.id} name "
                f"different days ({versions})"
            )
            finding = _finding("disputed-day", message, ("events", event.id, "date"), events=(event.id,))
            yield finding._replace(disagreement=d.id)


def _gives_day(quotes: Iterable[str], point: edtf.Point) -> bool:
    """Whether the quotes name the month, and the day if it has one, of a date point: "On May 3" gives 3 May 2023."""
    month = edtf.LONG_MONTHS[point.start.month - 1]
    named = {token for quote in quotes for token in _dates_named(quote)}
    if point.precision == "day":
        return f"{point.start.day} {month}" in named
    return any(token.split()[-1] == month for token in named)


def borrowed_dates(
    figures: Sequence[Figure], events: Sequence[Event], sources: Mapping[str, Source]
) -> Iterator[Finding]:
    """Figures dated to a certain day or month that another article's figure of the metric has, while their own
    article gives neither that date in its quotes nor as its own date: by the store's rule such a figure takes its
    article's date, marked uncertain."""
    quotes_of = {e.id: e.sources for e in events}
    dated: dict[tuple[str, str], list[Figure]] = {}
    for figure in figures:
        dated.setdefault((figure.metric, figure.period), []).append(figure)
    for figure in figures:
        when = edtf.parse(figure.period)
        point = when.first
        if when.is_interval or point.precision == "year" or _vagueness(figure.period):
            continue
        others = [f for f in dated[(figure.metric, figure.period)] if f.source != figure.source]
        source = sources.get(figure.source)
        if not others or source is None or edtf.parse(source.published).first.start == point.start:
            continue
        own = [figure.quote, *(c.quote for c in quotes_of.get(figure.event or "", ()) if c.source == figure.source)]
        if _gives_day(own, point):
            continue
        other = others[0]
        message = (
            f"figure {figure.id!r} ({figure.source}) is dated {figure.period_label}, as {other.id!r} ({other.source}) "
            f"is; its own article does not give that date, so by the store's rule it takes the article's date "
            f"({source.published_label}), marked ?"
        )
        yield _finding(
            "borrowed-date",
            message,
            ("figures", figure.id, "period"),
            events=_events_of([figure]),
            figures=(figure.id, other.id),
        )


# -- entities, actors, sources, dates ----------------------------------------------------------

_CYRILLIC = re.compile("[\u0400-\u04ff]")


def entity_findings(events: Sequence[Event], entities: Iterable[Entity]) -> Iterator[Finding]:
    """Entities no event uses (searching their names finds nothing), and entities without a Cyrillic spelling."""
    used = {x for e in events for x in (*e.actors, *([e.place] if e.place else []))}
    for entity in entities:
        if entity.id not in used:
            message = f"entity {entity.id!r} ({entity.name}) is the actor or place of no event"
            yield _finding("orphan-entity", message, ("entities", entity.id), entities=(entity.id,))
        if not any(_CYRILLIC.search(name) for name in (entity.name, *entity.aliases)):
            message = f"entity {entity.id!r} ({entity.name}) has no Cyrillic alias for searches in Cyrillic"
            yield _finding("no-cyrillic", message, ("entities", entity.id, "aliases"), entities=(entity.id,))


def empty_includes(store: Store) -> Iterator[Finding]:
    """Include patterns that matched no file: a folder with no article file yet, or a typo (``*.yml``)."""
    from .includes import matches_nothing, recorded

    patterns, files = recorded(store.meta)
    for index in matches_nothing(patterns, files):
        message = f"include pattern {patterns[index]!r} matches no file; a typo would leave its articles out"
        yield _finding("empty-include", message, ("include", index))


def no_actor(events: Sequence[Event]) -> Iterator[Finding]:
    """Events that name no actor."""
    for event in events:
        if not event.actors:
            yield _finding("no-actor", f"event {event.id!r} has no actor", ("events", event.id), events=(event.id,))


def disagreement_sources(d: Disagreement, figures: Sequence[Figure], events: Sequence[Event]) -> list[str]:
    """The sources behind a recorded disagreement's versions (its figures and quotes; else its events' citations)."""
    by_id = {f.id: f for f in figures}
    found = [by_id[f].source for f in d.figures if f in by_id] + [c.source for c in d.versions]
    if not found:
        wanted = set(d.events)
        found = [c.source for e in events if e.id in wanted for c in e.sources]
    return list(dict.fromkeys(found))


def disagreement_findings(
    disagreements: Sequence[Disagreement], figures: Sequence[Figure], events: Sequence[Event]
) -> Iterator[Finding]:
    """Each recorded disagreement: known once reviewed, a warning until then."""
    for d in disagreements:
        message = f"{d.id}: {d.about} — sources {', '.join(disagreement_sources(d, figures, events))}"
        if d.reviewed:
            finding = _finding("disagreement", message, ("disagreements", d.id), events=d.events, figures=d.figures)
            yield finding._replace(disagreement=d.id)
        else:
            yield _finding(
                "unreviewed",
                message + " (set reviewed: true once checked)",
                ("disagreements", d.id),
                events=d.events,
                figures=d.figures,
            )


def single_source(events: Sequence[Event]) -> Iterator[Finding]:
    """Events whose quotes all come from one article."""
    for event in events:
        sources = {c.source for c in event.sources}
        if len(sources) == 1:
            message = f"event {event.id!r} is reported only by {next(iter(sources))}"
            yield _finding("single-source", message, ("events", event.id, "sources"), events=(event.id,))


def uncertain_dates(events: Sequence[Event], figures: Sequence[Figure]) -> Iterator[Finding]:
    """Events and figures whose date is marked uncertain (?), approximate (~) or both (%)."""
    for event in events:
        how = _vagueness(event.date)
        if how:
            message = f"event {event.id!r}: date {event.date} is {how}"
            yield _finding("uncertain-date", message, ("events", event.id, "date"), events=(event.id,))
    for figure in figures:
        how = _vagueness(figure.period)
        if how:
            message = f"figure {figure.id!r}: period {figure.period} is {how}"
            yield _finding(
                "uncertain-date",
                message,
                ("figures", figure.id, "period"),
                events=_events_of([figure]),
                figures=(figure.id,),
            )


def _vagueness(text: str) -> str:
    """'uncertain', 'approximate' or '' for an EDTF date."""
    when = edtf.parse(text)
    points = (when.first, when.last)
    if any(p.uncertain for p in points):
        return "uncertain"
    return "approximate" if any(p.approximate for p in points) else ""


# -- the report --------------------------------------------------------------------------------


def _index_ids(root: object) -> dict[tuple[str, str], int]:
    """(list, id) -> position in that list of the YAML document."""
    import yaml

    out: dict[tuple[str, str], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if not isinstance(value, yaml.SequenceNode):
            continue
        for index, item in enumerate(value.value):
            if isinstance(item, yaml.MappingNode):
                for item_key, item_value in item.value:
                    if item_key.value == "id" and isinstance(item_value, yaml.ScalarNode):
                        out.setdefault((key.value, item_value.value), index)
    return out


def locate(found: Sequence[Finding], text: str, path: str, included: Sequence[tuple[str, str]] = ()) -> list[Problem]:
    """Each finding as a PATH:LINE:COL problem at the YAML node it concerns.

    ``included`` holds (path, text) of each file the store includes: a finding about an item of one
    is placed in that file.
    """
    from .positions import Locator

    locators = [Locator(text, path), *(Locator(other_text, other) for other, other_text in included)]
    indexes = [_index_ids(locator.root) for locator in locators]
    out = []
    for finding in found:
        at: Loc = finding.at
        locator = locators[0]
        if len(at) >= 2 and isinstance(at[1], str):
            for candidate, index in zip(locators, indexes, strict=True):
                if (str(at[0]), at[1]) in index:
                    at, locator = (at[0], index[(str(at[0]), at[1])], *at[2:]), candidate
                    break
        out.append(locator.problem(at, finding.message))
    return out
