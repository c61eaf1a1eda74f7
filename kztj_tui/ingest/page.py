"""An HTML page saved from a browser, read with the optional ``trafilatura`` extractor (``pip install 'kztj[html]'``).

``trafilatura`` and what it brings (lxml, htmldate, dateparser, babel...) cost ~150 ms to import, so
this module imports it only inside :func:`extract`, which only ``kztj ingest`` on an HTML page
calls; no other command loads it (a test checks). The page's main text becomes a plain-text article
in the seeds' format (`` date YYYY-MM-DD`` first, then the paragraphs, a blank line between them),
because a draft's quotes are checked against its source's file, and an HTML file is not that text.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

from ..text import sanitize

EXTRA = "pip install 'kztj[html]'"
SUFFIXES = (".html", ".htm", ".xhtml")
# What a page saved from a browser starts with: a byte-order mark, white space, comments, then one of these.
_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)

# A numeric character reference (&#x1b; &#27;): lxml drops a whole page for one naming a control character.
_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});?")


class PageError(ValueError):
    """A page that cannot be read as an article, with the reason in one line."""


class Page(NamedTuple):
    """What the extractor found: the main text and, from the page's metadata, the date and the outlet."""

    text: str
    published: date | None
    outlet: str | None
    title: str | None


def is_html(path: Path, data: bytes) -> bool:
    """Whether the input is an HTML page: by its extension, or by how it starts."""
    return path.suffix.lower() in SUFFIXES or bool(_START.match(data[:4096]))


def extract(data: bytes) -> Page:
    """The page's main text and metadata; PageError without the extra, or when the page has no main text."""
    try:
        import trafilatura
    except ImportError:
        raise PageError(f"reading an HTML page needs the html extra: {EXTRA}") from None
    # Only the page's markup is read for the date (extensive_search off): a date in the text is not
    # the publication date. max_date: a page dated in the future is wrong, as htmldate assumes.
    params = {"original_date": True, "extensive_search": False, "max_date": date.today().isoformat()}
    try:
        document = trafilatura.bare_extraction(
            _REFERENCE.sub(_unless_control, data),
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            date_extraction_params=params,
        )
    except Exception as error:  # a library's failure on odd markup is bad input, not a traceback
        raise PageError(f"the HTML extractor failed on it ({type(error).__name__})") from None
    if document is None:
        raise PageError("no main text found in the page")
    text = getattr(document, "text", None) or ""
    paragraphs = [" ".join(line.split()) for line in sanitize(text).splitlines()]
    body = "\n\n".join(p for p in paragraphs if p)
    if not body:
        raise PageError("no main text found in the page")
    return Page(body, _date(getattr(document, "date", None)), _name(document, "sitename"), _name(document, "title"))


def _unless_control(reference: re.Match[bytes]) -> bytes:
    """A character reference as it is, or nothing for a control character (which sanitize would remove anyway).

    One ``&#x1b;`` in a title made the extractor find "no main text" in the whole page.
    """
    number = reference.group(1)
    code = int(number[1:], 16) if number[:1] in b"xX" else int(number)
    control = (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or 0x7F <= code <= 0x9F
    return b"" if control else reference.group()


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _name(document: object, field: str) -> str | None:
    value = getattr(document, field, None)
    if not isinstance(value, str):
        return None
    return " ".join(sanitize(value).split()) or None


def article_text(page: Page, published: tuple[date, date]) -> str:
    """The page's text as an article in the seeds' format: `` date YYYY-MM-DD`` (for a single day) and the text."""
    first, last = published
    head = f" date {first.isoformat()}\n\n" if first == last else ""
    return f"{head}{page.text}\n"


def default_article_path(page_path: Path) -> Path:
    """Where the article goes without ``--article-out``: beside the page, named like it, ``.txt``."""
    return page_path.with_suffix(".txt") if page_path.suffix else page_path.with_name(page_path.name + ".txt")
