"""An article read sentence by sentence into candidate events and figures, with the store as background.

Beyond each sentence's own dates (``dates``), three habits of a careful reader: an article whose
first sentence dates what it reports (a visit of 4-5 May) dates the undated words spoken there
by that; a paragraph that calls something the article dates "a day before" was spoken the day
after it, which is its "today"; and a statement nobody is said to have made takes the article's
own date, marked uncertain, as the store's rule says.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..model import Entity, Event, Figure, Source
from ..text import find_quote_span
from . import dates, entities, numbers, sentences
from .relations import Known, Relation


@dataclass
class Knowledge:
    """What the store knows that a draft is weighed against."""

    entities: list[Entity]
    events: list[Event]
    figures: list[Figure]
    sources: list[Source]
    tags: list[str]
    folder: Path | None = None  # the store's directory, which its sources' files are relative to


@dataclass
class Candidate:
    """A proposed event or figure: its quote exactly as the article has it, and the reasoning behind it."""

    kind: str  # "event" or "figure"
    when: str  # the event's date or the figure's period, EDTF
    quote: str
    start: int
    end: int
    reason: str
    actors: list[str] = field(default_factory=list)
    place: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str = "occurred"
    value: float | int | None = None
    unit: str | None = None
    metric: str | None = None
    metric_reason: str = ""
    figure_kind: str = ""  # outcome, target, potential
    relations: list[Relation] = field(default_factory=list)
    id: str = ""

    def to_json(self, article: str, raw: str | None = None) -> dict[str, Any]:
        """The JSON shape; ``bytes`` is the quote's span in the file, or null where kztj removed characters in it."""
        data: dict[str, Any] = {"kind": self.kind, "date" if self.kind == "event" else "period": self.when}
        data["quote"] = self.quote
        data["bytes"] = _byte_span(self.quote, self.start, article, raw)
        if self.kind == "figure":
            data.update(value=self.value, unit=self.unit, metric=self.metric, target=self.figure_kind)
        data.update(actors=self.actors, place=self.place, tags=self.tags, status=self.status, reason=self.reason)
        data["relations"] = [{"relation": r.relation, "id": r.id, "kind": r.kind, "why": r.why} for r in self.relations]
        return data


_PERSON_WORDS = re.compile(
    r"\b(?:[Hh]e|[Ss]he|[Tt]he (?:two )?leaders|[Tt]he presidents|[Tt]he President|[Tt]he Head of State"
    r"|[Tt]he minister|[Tt]he parties|[Tt]he sides)\b"
)
# A sentence that goes on about what the one before it dated: "raise it", "this figure", "imports also grew".
_ANAPHORA = re.compile(
    r"\b(?:raise it|increase it|this figure|increase this|that year|the same year"
    r"|also (?:showed|grew|rose|increased|fell|reached|amounted))\b"
)
_TALKS = re.compile(r"\b(?:bilateral talks|negotiations)\b")
# Sentences that report an act even without a date or a number.
_ACT = re.compile(r"\b(?:was|were) signed\b|\bhosted\b|\bawarded\b")
_ORGANISATION_SOURCE = re.compile(r"^According to the (?!Kazakh Head|President)[A-Z]")
_AFTER_EVENT = re.compile(r"\b(?:following|after|during|at) the (?:event|forum|meeting)\b", re.IGNORECASE)


def _in_quotation(paragraph: str) -> bool:
    return (
        bool(re.search(r"[«“]", paragraph))
        or paragraph.rstrip().endswith(('"', "»", "”"))
        or bool(re.search(r'[,.]["»”]\s*(?:-\s*)?(?:said|he said|the President)', paragraph))
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def read(
    text: str,
    published: tuple[date, date],
    source_id: str,
    knowledge: Knowledge,
    article_path: Any = None,
    keep: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """Every candidate in the article, in the order of its sentences.

    ``keep``: where sentences start that become a candidate even if they state no date, number,
    entity or act (a passage a person chose in the reader).
    """
    head = sentences.header(text)
    split = sentences.split(text, head.body_start)
    first_day, last_day = published
    published_text = first_day.isoformat() if first_day == last_day else f"{first_day}/{last_day}"
    finder = entities.Entities(knowledge.entities)
    metrics = numbers.Metrics(knowledge.figures)
    person = {e.id for e in knowledge.entities if e.kind == "person"}
    same_source = _same_source(knowledge.sources, knowledge.folder, article_path)
    known = Known(knowledge.events, knowledge.figures, same_source)
    cited = _cited_spans(text, knowledge, same_source)
    cited_values = {f.id: f.value for f in knowledge.figures}

    references: list[dates.Reference] = []
    for e in knowledge.events:
        span = _bounds(e.date)
        if span is not None and "/.." not in e.date:
            name = f"{e.title} ({e.id}, in the store)"
            references.append(dates.Reference(dates.content_words(e.title), span[0], span[1], e.date, name))
    in_store = dates.References(references)
    found_dates = [dates.find(s.text, first_day, in_store, in_quotation=False) for s in split]
    # The article's own dated days, for "a day before" and "on the eve of": before the store's, the latest first.
    anchors: list[dates.Reference] = []
    for sentence, found in zip(split, found_dates, strict=True):
        for item in found:
            days = _bounds(item.edtf)
            if item.kind in ("absolute", "range") and days is not None and (days[1] - days[0]).days < 7:
                name = f"what the article dates {item.edtf} (\u201c{sentence.text[:50]}\u2026\u201d)"
                words = dates.content_words(sentence.text)
                anchors.append(dates.Reference(words, days[0], days[1], item.edtf, name))
    everything = dates.References(anchors[::-1] + references)
    lead = next((f for f in found_dates[:2] if f), [])
    context: tuple[str, str] | None = None
    if lead:
        lead_span = _bounds(lead[0].edtf)
        if (
            lead_span is not None
            and timedelta(0) <= first_day - lead_span[0] <= timedelta(days=14)
            and (
                lead[0].kind in ("absolute", "range") or (lead[0].kind in ("relative", "report") and _day(lead[0].edtf))
            )
        ):
            context = (
                lead[0].edtf,
                f"said or done during what the article's first lines date {lead[0].edtf} ({lead[0].reason})",
            )

    paragraphs: dict[int, list[sentences.Sentence]] = {}
    for sentence in split:
        paragraphs.setdefault(sentence.paragraph, []).append(sentence)
    speech_day: dict[int, tuple[str, str]] = {}
    quoted: dict[int, bool] = {}
    for number, members in paragraphs.items():
        joined = text[members[0].start : members[-1].end + 2]
        quoted[number] = _in_quotation(joined)
        for member in members:
            for item in dates.find(member.text, first_day, everything):
                day = _day(item.edtf)
                if item.kind == "day-before" and day is not None and day < date.max:  # a store may date 9999-12-31
                    after = (day + timedelta(days=1)).isoformat()
                    speech_day[number] = (
                        after,
                        f"spoken the day after {item.edtf}, which it calls \u201ca day before\u201d",
                    )

    # Who the first lines name: the principals, whose undated words the article's first date covers.
    principals = {e for s in split[:2] for e, _ in finder.find(s.text) if e in person}
    # A quotation's speaker is named at its end ("», said Tokayev"): known for the whole paragraph.
    paragraph_speaker = {
        number: next((e for m in reversed(members) for e, _ in reversed(finder.find(m.text)) if e in person), None)
        for number, members in paragraphs.items()
        if quoted[number]
    }
    talks_day = next(iter(set(speech_day.values()))) if len(set(speech_day.values())) == 1 else None
    # A section runs from a heading (a line without a full stop) to the next. Once a section has
    # dated the talks ("a day before", or the talks themselves), the principals' undated words in
    # the rest of it were spoken that day.
    section_day: dict[int, tuple[str, str]] = {}
    if talks_day is not None:
        carrying: tuple[str, str] | None = None
        for number, members in paragraphs.items():
            if len(members) == 1 and not re.search(r"[.!?»”\"]$", members[0].text) and len(members[0].text) < 90:
                carrying = None  # a heading
                continue
            if carrying is not None:
                section_day[number] = carrying
            if number in speech_day or any(_TALKS.search(m.text) for m in members):
                carrying = (talks_day[0], f"in the account of the talks: {talks_day[1]}")
    candidates: list[Candidate] = []
    speaker: str | None = None
    last_paragraph = -1
    recent: tuple[str, str] | None = None  # the last day the article named, for "following the event"
    last_dated: tuple[int, dates.Found] | None = None  # the paragraph and date of the last dated sentence
    events_by_id = {e.id: e for e in knowledge.events}
    for sentence, found in zip(split, found_dates, strict=True):
        if sentence.paragraph != last_paragraph:
            if not quoted.get(sentence.paragraph) and not re.match(r"(?:He|She)\b", sentence.text):
                speaker = None
            else:
                speaker = paragraph_speaker.get(sentence.paragraph) or speaker
            last_paragraph = sentence.paragraph
        mentions = finder.find(sentence.text)
        named = [e for e, _ in mentions if e in person]
        if quoted.get(sentence.paragraph) and paragraph_speaker.get(sentence.paragraph):
            speaker = paragraph_speaker[sentence.paragraph]  # who is named inside a quotation is not its speaker
        elif named:
            speaker = named[0]
        elif principal_words := _PERSON_WORDS.search(sentence.text):
            generic = (
                "principals"
                if re.search(r"leaders|presidents|President|Head of State|sides", principal_words[0])
                else "someone"
            )
            speaker = speaker or generic
        if _ORGANISATION_SOURCE.search(sentence.text):
            speaker = None
        in_quote = quoted.get(sentence.paragraph, False)
        if in_quote:
            found = dates.find(sentence.text, first_day, everything, in_quotation=True)
        amounts = numbers.find(sentence.text)
        actors, place = finder.propose(sentence.text)
        if not (found or amounts or actors or _ACT.search(sentence.text) or sentence.start in keep):
            continue
        targets_only = bool(amounts) and all(a.kind == "target" for a in amounts)
        # The date an undated statement gets.
        if sentence.paragraph in speech_day:
            undated = speech_day[sentence.paragraph]
        elif (
            (anaphora := _ANAPHORA.search(sentence.text))
            and last_dated is not None
            and sentence.paragraph - last_dated[0] <= 1
        ):
            before = last_dated[1]
            uncertain = targets_only and speaker is None and "/" not in before.edtf and before.edtf[-1].isdigit()
            undated = (
                before.edtf + ("?" if uncertain else ""),
                f"\u201c{anaphora[0]}\u201d goes on from the sentence before, dated {before.edtf} ({before.reason})"
                + ("; when the intention was expressed is not said: uncertain" if uncertain else ""),
            )
        elif (after_event := _AFTER_EVENT.search(sentence.text)) and recent is not None:
            undated = (recent[0], f"\u201c{after_event[0]}\u201d: {recent[1]}")
        elif talks_day is not None and _TALKS.search(sentence.text):
            undated = (talks_day[0], f"the talks: {talks_day[1]}")
        elif (speaker in principals or speaker == "principals") and sentence.paragraph in section_day:
            undated = section_day[sentence.paragraph]
        elif (speaker in principals or speaker == "principals") and context is not None:
            undated = context
        else:
            undated = (
                f"{first_day.isoformat()}?",
                f"undated: the article's date ({published_text}), marked uncertain",
            )
        if in_quote and re.search(r"\btoday\b", sentence.text, re.IGNORECASE):
            found = [
                *found,
                dates.Found(undated[0], f"\u201ctoday\u201d as the speaker said it: {undated[1]}", 0, 0, "relative"),
            ]
        undated_found = dates.Found(undated[0], undated[1], 0, 0, "undated")
        event_dates = [f for f in found if f.kind != "target"] or [undated_found]
        if sentence.paragraph in speech_day and any(f.kind == "day-before" for f in found):
            # What took place "a day before" has its date; the words saying so were spoken the day after.
            event_dates.append(dates.Found(undated[0], undated[1], 0, 0, "speech"))
        explicit = [f for f in found if f.kind in ("absolute", "range", "relative", "open", "report")]
        if explicit:
            last_dated = (sentence.paragraph, explicit[0])
        for item in found:
            if (
                item.kind in ("absolute", "range", "reference", "day-before", "report")
                and _day(item.edtf.split("/")[0]) is not None
            ):
                recent = (item.edtf, item.reason)
        tags = entities.tags(sentence.text, knowledge.tags)
        status = _status(sentence.text, amounts)
        figure_relations: list[Relation] = []
        for amount in amounts:
            period, why = _period(found, amount, event_dates[0], undated_found)
            metric, metric_reason = metrics.suggest(sentence.text, amount)
            relations = known.for_figure(metric, period, amount.value)
            figure_relations += relations
            relations += [
                r[1]
                for r in cited.get("figure", [])
                if _overlaps(r, sentence) and cited_values.get(r[1].id) == amount.value
            ]
            candidates.append(
                Candidate(
                    "figure",
                    period,
                    sentence.text,
                    sentence.start,
                    sentence.end,
                    f"{amount.text!r}: {amount.kind}; period {why}; {metric_reason}",
                    actors,
                    place,
                    tags,
                    "target" if amount.kind == "target" else "occurred",
                    amount.value,
                    amount.unit,
                    metric,
                    metric_reason,
                    amount.kind,
                    relations,
                )
            )
        for amount in amounts:
            untimed = amount.kind == "target" and not any(f.kind == "target" for f in found)
            if untimed and len(event_dates) == 1 and event_dates[0].edtf != undated_found.edtf:
                # A target stated beside an outcome: an event of its own, dated when it was stated.
                event_dates.append(dates.Found(undated_found.edtf, undated_found.reason, 0, 0, "target"))
        seen: set[str] = set()
        for item in event_dates:
            if item.edtf in seen:
                continue
            seen.add(item.edtf)
            relations = known.for_event(sentence.text, item.edtf, figure_relations, earlier=item.kind == "report")
            relations += [r[1] for r in cited.get("event", []) if _overlaps(r, sentence)]
            event_status = "planned" if status == "occurred" and item.kind == "target" else status
            for when, reason in _adopt(item, relations, events_by_id) or [(item.edtf, item.reason)]:
                candidates.append(
                    Candidate(
                        "event",
                        when,
                        sentence.text,
                        sentence.start,
                        sentence.end,
                        reason,
                        actors,
                        place,
                        tags,
                        event_status,
                        relations=list(relations),
                    )
                )
    for candidate in candidates:
        unique = {(r.relation, r.id): r for r in candidate.relations}
        candidate.relations = list(unique.values())
    _number(candidates, source_id)
    return candidates


def _byte_span(quote: str, start: int, article: str, raw: str | None) -> list[int] | None:
    """Where the quote is in the file's bytes: the article as read, unless reading it removed characters."""
    if raw is not None and raw != article:
        # Control characters were removed on reading: find the quote in the file's own text, if it is there whole.
        at = raw.find(quote, max(0, start - 64))
        if at < 0:
            return None
        article, start = raw, at
    before = _byte_offset(article, start)
    return [before, before + len(quote.encode("utf-8"))]


# Character offsets whose byte offsets are known: any other costs the encoding of at most this many characters.
_BYTES_STEP = 4096


@functools.lru_cache(maxsize=2)
def _step_bytes(text: str) -> list[int] | None:
    """The byte offset of every _BYTES_STEP-th character of ``text``, or None if a character is a byte."""
    # Every STEP characters, not every line: a paragraph is one line, and may be megabytes long.
    if text.isascii():
        return None
    offsets = [0]
    for start in range(0, len(text), _BYTES_STEP):
        offsets.append(offsets[-1] + len(text[start : start + _BYTES_STEP].encode("utf-8")))
    return offsets


def _byte_offset(text: str, position: int) -> int:
    offsets = _step_bytes(text)
    if offsets is None:
        return position
    step, rest = divmod(position, _BYTES_STEP)
    return offsets[step] + len(text[position - rest : position].encode("utf-8"))


def _overlaps(cited: tuple[tuple[int, int], Relation], sentence: sentences.Sentence) -> bool:
    (a, b), _ = cited
    return a < sentence.end and sentence.start < b


def _bounds(value: str) -> tuple[date, date] | None:
    from .relations import bounds

    return bounds(value)


def _status(sentence: str, amounts: Sequence[numbers.Number]) -> str:
    if amounts and all(a.kind == "target" for a in amounts):
        return "target"
    if dates.FUTURE.search(sentence):
        return "planned"
    return "occurred"


def _adopt(item: dates.Found, relations: Sequence[Relation], events: dict[str, Event]) -> list[tuple[str, str]]:
    """The dates of the store events an undated or month-dated candidate corroborates (a candidate for each)."""
    from .relations import bounds

    month = bool(re.fullmatch(r"\d{4}-\d{2}", item.edtf))
    reported = item.kind == "report"  # the day of a statement: the fact it reports may be earlier
    if not reported and (item.kind not in ("undated", "absolute") or not (item.edtf.endswith("?") or month)):
        return []
    mine = bounds(item.edtf.rstrip("?"))
    adopted: list[tuple[str, str]] = []
    for relation in relations:
        event = events.get(relation.id)
        if relation.relation != "corroborates" or relation.kind != "event" or event is None:
            continue
        theirs = bounds(event.date)
        if theirs is None or mine is None or "/.." in event.date:
            continue
        if (
            item.edtf.endswith("?")
            or (reported and theirs[0] <= mine[1])
            or (mine[0] <= theirs[0] and theirs[1] <= mine[1])
        ):
            why = f"{item.reason}; it corroborates {event.id}, which the store dates {event.date}: that date"
            if all(event.date != when for when, _ in adopted):
                adopted.append((event.date, why))
    return adopted[:3]


def _period(
    found: Sequence[dates.Found], amount: numbers.Number, fallback: dates.Found, statement: dates.Found
) -> tuple[str, str]:
    """A figure's period: a target's "by YEAR" (else when it was stated), else the nearest date before, else after."""
    if amount.kind == "target":
        for item in found:
            if item.kind == "target":
                return item.edtf, item.reason
        return statement.edtf, statement.reason
    before = [f for f in found if f.end <= amount.start and f.kind != "target"]
    if before:
        return before[-1].edtf, before[-1].reason
    after = [f for f in found if f.kind != "target"]
    if after:
        return after[0].edtf, after[0].reason
    return fallback.edtf, fallback.reason


def _same_source(sources: Sequence[Source], folder: Path | None, article_path: Any) -> set[str]:
    """The store's sources that are this very article: the same file, or a copy of its bytes.

    A copy counts: an installed store keeps its own copy of the articles, beside it, not in the
    folder the article is ingested from.
    """
    import os

    if article_path is None:
        return set()
    found = set()
    article: bytes | None = None
    for source in sources:
        cited = (folder or Path()) / source.file
        try:
            if os.path.samefile(cited, article_path):
                found.add(source.id)
            elif os.path.getsize(cited) == os.path.getsize(article_path):
                article = Path(article_path).read_bytes() if article is None else article
                if cited.read_bytes() == article:
                    found.add(source.id)
        except OSError:
            continue
    return found


def _cited_spans(text: str, knowledge: Knowledge, same: set[str]) -> dict[str, list[tuple[tuple[int, int], Relation]]]:
    """Where the store already quotes this article: a candidate there duplicates what cites it."""
    spans: dict[str, list[tuple[tuple[int, int], Relation]]] = {"event": [], "figure": []}
    if not same:
        return spans
    for event in knowledge.events:
        for citation in event.sources:
            if citation.source in same:
                span = find_quote_span(citation.quote, text)
                if span:
                    spans["event"].append((span, Relation("duplicates", event.id, "event", "quotes this passage")))
    for figure in knowledge.figures:
        if figure.source in same:
            span = find_quote_span(figure.quote, text)
            if span:
                spans["figure"].append((span, Relation("duplicates", figure.id, "figure", "quotes this passage")))
    return spans


def _number(candidates: list[Candidate], source_id: str) -> None:
    counts = {"event": 0, "figure": 0}
    for candidate in candidates:
        counts[candidate.kind] += 1
        candidate.id = f"{source_id}-{'e' if candidate.kind == 'event' else 'f'}{counts[candidate.kind]}"
