"""An article split into sentences whose text is the article's own, character for character.

Each sentence keeps its span in the article, so its quote is exactly what the article says and
``kztj validate`` accepts it unchanged. The seeds' first line (`` date 2023-05-05 ASTANA.
KAZINFORM– ...``) is read for the publication date and the outlet, and kept out of the first
sentence.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple


class Sentence(NamedTuple):
    """A sentence: its text, its character span in the article, and its paragraph's number."""

    text: str
    start: int
    end: int
    paragraph: int
    number: int


class Header(NamedTuple):
    """What an article's first line says about it: the date line, the dateline's outlet, where the text begins."""

    published: date | None
    outlet: str | None
    body_start: int


_DATE_LINE = re.compile(r"\A\s*date\s+(\d{4})-(\d{2})-(\d{2})\s+")
# "ASTANA. KAZINFORM– ", "NUR-SULTAN – ", "ASTANA – ": a capitalised place, maybe an outlet, a dash.
_DATELINE = re.compile(r"\A([A-Z][A-Z'-]+(?: [A-Z][A-Z'-]+)*)(?:\.\s*([A-Z][A-Za-z]*[A-Z]))?\s*[–—-]+\s*")
# The outlets a dateline names, as they are spelt in the store.
KNOWN_OUTLETS = {"KAZINFORM": "Kazinform", "TASS": "TASS", "AKIPRESS": "AKIpress", "ASIA-PLUS": "Asia-Plus"}


def header(text: str) -> Header:
    """The date line and dateline at the top of an article, if it has them."""
    position = 0
    published = None
    match = _DATE_LINE.match(text)
    if match:
        try:
            published = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            published = None
        position = match.end()
    outlet = None
    dateline = _DATELINE.match(text[position:])
    if dateline:
        if dateline[2]:
            outlet = KNOWN_OUTLETS.get(dateline[2].upper(), dateline[2].title())
        position += dateline.end()
    return Header(published, outlet, position)


# A sentence ends at . ! or ? (and any closing quotes) before a space and a capital, a digit or an opening quote.
_END = re.compile(r"[.!?][»”\"’')]*(?=\s+[«“\"‘(]?[A-Z0-9А-ЯЁ])")
# Words whose full stop does not end a sentence.
_ABBREVIATIONS = {"Mr", "Mrs", "Ms", "Dr", "St", "No", "Jan", "Feb", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "Gen"}
_OPENERS = '«“"‘'
_CLOSERS = '»”"’'


def split(text: str, body_start: int = 0) -> list[Sentence]:
    """The article's sentences from ``body_start`` on; a line without a full stop (a heading) is one too."""
    sentences: list[Sentence] = []
    paragraph = 0
    for line_start, chunk in _paragraphs(text, body_start):
        cut = 0
        pieces: list[tuple[int, int]] = []
        for stop in _END.finditer(chunk):
            word = _word_before(chunk, stop.start())
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
            pieces.append((cut, stop.end()))
            cut = stop.end()
        pieces.append((cut, len(chunk)))
        for start, end in (part for piece in pieces for part in _bounded(chunk, *piece)):
            span = _trim(chunk, start, end)
            if span is not None:
                a, b = span
                sentences.append(Sentence(chunk[a:b], line_start + a, line_start + b, paragraph, len(sentences)))
        paragraph += 1
    return sentences


# A "sentence" longer than this (a list, a table, a page without a full stop) is cut before it, at a comma,
# a semicolon or else a space: every number in it made a candidate quoting all of it, so a 69 KB sentence
# took 13 s and a 68 MB draft, and its quotes were past the 20,000 characters a store takes.
MAX_SENTENCE = 1_000


def _bounded(chunk: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span ``start:end`` of ``chunk`` in parts of at most MAX_SENTENCE characters, cut where a clause ends."""
    parts = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(chunk.rfind(", ", start, limit), chunk.rfind("; ", start, limit)) + 1  # after the comma
        if cut <= start + MAX_SENTENCE // 2:  # no clause ends in the second half: at the last space
            cut = chunk.rfind(" ", start + 1, limit)
        if cut <= start:  # one word of a thousand characters
            cut = limit
        parts.append((start, cut))
        start = cut
    parts.append((start, end))
    return parts


def _word_before(text: str, end: int) -> str:
    """The word (``\\w+``) that ends at ``end`` or just before a newline there, or ``""``."""
    # Read back from ``end``, so a paragraph of many sentences is read once, not once per sentence.
    if end and text[end - 1] == "\n":  # as re's "$" matches before a final newline
        end -= 1
    begin = end
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):  # what re's \w matches
        begin -= 1
    return text[begin:end]


def _paragraphs(text: str, start: int) -> list[tuple[int, str]]:
    """(offset, text) of each paragraph: its lines, joined where a hard-wrapped sentence runs on.

    A line runs on into the next when the next starts in lower case, or when it is as long as a
    wrapped line is (60 characters or more) and does not end a sentence. A short line without a full
    stop before a capital is a heading, a paragraph of its own.
    """
    found: list[tuple[int, str]] = []
    begin = end = -1
    previous = ""
    for line in re.finditer(r"[^\n]*", text[start:]):
        if line.start() > 0 and text[start + line.start() - 1 : start + line.start()] != "\n":
            continue  # the empty match finditer gives after each line
        body = line.group()
        if not body.strip():
            if begin >= 0:
                found.append((start + begin, text[start + begin : start + end]))
            begin, previous = -1, ""
            continue
        stripped = body.strip()
        runs_on = begin >= 0 and (
            stripped[:1].islower() or (len(previous) >= 60 and not re.search(r"[.!?:;»”\"]$", previous))
        )
        if not runs_on:
            if begin >= 0:
                found.append((start + begin, text[start + begin : start + end]))
            begin = line.start()
        end, previous = line.end(), stripped
    if begin >= 0:
        found.append((start + begin, text[start + begin : start + end]))
    return found


def _trim(chunk: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding spaces, and without an opening or closing quote that has no partner in it."""
    while start < end and chunk[start].isspace():
        start += 1
    while end > start and chunk[end - 1].isspace():
        end -= 1
    if start < end and chunk[start] in _OPENERS and not any(c in chunk[start + 1 : end] for c in _CLOSERS):
        start += 1
    if start < end and chunk[end - 1] in _CLOSERS and not any(c in chunk[start : end - 1] for c in _OPENERS):
        end -= 1
    while start < end and chunk[start].isspace():
        start += 1
    while end > start and chunk[end - 1].isspace():
        end -= 1
    if not any(c.isalnum() for c in chunk[start:end]):
        return None
    return start, end
