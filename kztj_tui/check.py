"""`kztj check`: whether a valid store is sound, as findings a maintainer can act on.

``run(store)`` returns every finding, each naming the events, figures and entities it concerns,
so the browser can mark events and show the reason. Warnings are problems to fix (or, for
sources that disagree, to record as a reviewed disagreement); known findings are covered by a
reviewed disagreement; notes are facts a reader should see but no one can fix, such as an event
that only one article reports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from . import edtf
from .model import Disagreement, Entity, Event, Figure, format_value
from .positions import Loc
from .text import fold, normalize_for_quote

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
    "orphan-entity": ("entities that no event uses", WARNING),
    "no-cyrillic": ("entities without a Cyrillic alias", WARNING),
    "no-actor": ("events with no actor", WARNING),
    "unreviewed": ("disagreements recorded but not reviewed", WARNING),
    "disagreement": ("reviewed disagreements", KNOWN),
    "single-source": ("events that only one article reports", NOTE),
    "uncertain-date": ("uncertain or approximate dates", NOTE),
}
# Only sources disagreeing can be settled by recording the disagreement; the rest must be fixed.
COVERABLE = {"conflict", "date-conflict", "arithmetic"}

# How metrics relate. A metric ending in _growth (unit percent) is the growth of the metric
# without the suffix over the same period a year earlier.
GROWTH_SUFFIX = "_growth"
SUMS = {"trade_turnover": ("kz_exports_to_tj", "kz_imports_from_tj")}
PARTS = {
    "kz_exports_to_tj": "trade_turnover",
    "kz_imports_from_tj": "trade_turnover",
    "agri_trade_turnover": "trade_turnover",
}
# Flows that add up over time, so a part of a period cannot exceed the whole period.
ADDITIVE = {"trade_turnover", "kz_exports_to_tj", "kz_imports_from_tj", "agri_trade_turnover", "tj_grape_exports_to_kz"}
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


def run(store: Store) -> list[Finding]:
    """Every finding for a loaded store, in report order."""
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
    ]
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
                if set(finding.figures) <= set(d.figures) and set(finding.events) <= set(d.events):
                    finding = finding._replace(severity=KNOWN, disagreement=d.id)
                    break
        out.append(finding)
    return out


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
    """The same metric and value from different sources, dated to one-off periods that do not overlap."""
    groups: dict[tuple[str, float, str], list[Figure]] = {}
    for figure in figures:
        if _days(figure) <= ONE_OFF_DAYS:
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


def arithmetic(figures: Sequence[Figure]) -> Iterator[Finding]:
    """Growth rates against the two periods they link, parts against their sum, parts larger than wholes."""
    periods = _by_period(figures)
    yield from _growth(figures, periods)
    yield from _sums(periods)
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


def _sums(periods: dict[tuple[str, str, str], list[Figure]]) -> Iterator[Finding]:
    for (metric, start, end), wholes in periods.items():
        parts = SUMS.get(metric)
        if not parts:
            continue
        groups = [periods.get((part, start, end), []) for part in parts]
        if not all(groups):
            continue
        chosen = [group[0] for group in groups]
        total = sum(f.value for f in chosen)
        for whole in wholes:
            tolerance = max(rounding(f.value) for f in (whole, *chosen))
            if abs(total - whole.value) > tolerance:
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


def _parts(figures: Sequence[Figure], periods: dict[tuple[str, str, str], list[Figure]]) -> Iterator[Finding]:
    for part in figures:
        wholes = list(periods.get((PARTS.get(part.metric, ""), part.start, part.end), []))
        if part.metric in ADDITIVE:
            # The same metric over a longer period that contains this one.
            wholes += [
                f
                for f in figures
                if f.metric == part.metric
                and f.start <= part.start
                and part.end <= f.end
                and (f.start, f.end) != (part.start, part.end)
            ]
        for whole in wholes:
            if part.value > whole.value + max(rounding(part.value), rounding(whole.value)):
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


def numbers(text: str) -> Iterator[tuple[str, float]]:
    """Each number written in digits in text, as written and as a value (with billion, mn and the like applied)."""
    for match in _NUMBER.finditer(text):
        digits, decimals, scale = match.groups()
        value = float(digits.replace(",", "") + (decimals or ""))
        if scale:
            value *= _SCALE[scale.lower()]
        yield match.group(0), value


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
    """Numbers and names in titles and summaries that none of the event's quotes, actors, place or outlets give."""
    entity_names = [name for e in store.entities.values() for name in (e.name, *e.aliases)]
    known = _names_in_store(
        (t for e in events for t in (e.title, e.summary, *(c.quote for c in e.sources))), entity_names
    )
    read: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def words_and_numbers(text: str) -> tuple[frozenset[str], frozenset[str]]:
        found = read.get(text)
        if found is None:
            normal = normalize_for_quote(text)
            found = read[text] = (
                frozenset(_stem(w) for w in _WORD.findall(normal)),
                frozenset(_key(v) for _, v in numbers(normal)),
            )
        return found

    for event in events:
        who = [
            store.entities[x] for x in (*event.actors, *([event.place] if event.place else [])) if x in store.entities
        ]
        support_text = [
            *(c.quote for c in event.sources),
            *(s for e in who for s in (e.name, *e.aliases)),
            *(store.sources[c.source].outlet for c in event.sources if c.source in store.sources),
        ]
        words: set[str] = set(_months_of_date(event))
        values = {_key(float(d)) for d in _numbers_of_date(event)}
        for text in support_text:
            text_words, text_values = words_and_numbers(text)
            words |= text_words
            values |= text_values
        support = _Support.of(words)
        for field in ("title", "summary"):
            text = getattr(event, field)
            missing_numbers = [written for written, value in numbers(text) if _key(value) not in values]
            missing_names = [w for w in dict.fromkeys(names(text, known)) if not support.supports(_stem(w))]
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


def _numbers_of_date(event: Event) -> set[int]:
    """The year, month and day numbers of the event's first and last day."""
    out: set[int] = set()
    for iso in (event.start, event.end):
        day = date.fromisoformat(iso)
        out |= {day.year, day.month, day.day}
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


def locate(found: Sequence[Finding], text: str, path: str) -> list[Problem]:
    """Each finding as a PATH:LINE:COL problem at the YAML node it concerns."""
    from .positions import Locator

    locator = Locator(text, path)
    indexes = _index_ids(locator.root)
    out = []
    for finding in found:
        at: Loc = finding.at
        if len(at) >= 2 and isinstance(at[1], str) and (str(at[0]), at[1]) in indexes:
            at = (at[0], indexes[(str(at[0]), at[1])], *at[2:])
        out.append(locator.problem(at, finding.message))
    return out
