"""``kztj ingest ARTICLE``: read an article, propose sourced events and figures, print or write the draft.

Never writes to the store. Bad input (an unreadable, binary or empty article, no publication date,
a bad ``--published``) is one line and exit 2.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import articles
from ..console import json_text
from ..limits import MAX_SHORT
from ..streams import EXIT_ERROR, EXIT_OK, error_line, output_files, say
from ..text import sanitize, visible
from . import candidates, dates, draft, page, sentences

if TYPE_CHECKING:
    from ..output import Protected
    from ..store import Store


class IngestError(ValueError):
    """Input that cannot be ingested, with the reason in one line."""


def read_article(path: Path) -> str:
    """The article's text as kztj reads it (control characters removed); IngestError if it cannot be ingested."""
    return read_article_raw(path)[0]


def read_article_raw(path: Path) -> tuple[str, str]:
    """The article's text by the rules every article is read by, and not a binary file."""
    try:
        article = articles.read(path)
    except articles.ArticleError as error:
        raise IngestError(f"{path}: {error}") from None
    if b"\x00" in article.read.data:
        raise IngestError(f"{path}: is a binary file (it has NUL bytes), not an article")
    return article.text, article.read.data.decode("utf-8")


# An outlet's part of the ids a draft makes: the store allows ids of 200 characters, and an event's
# id is its source's and more.
SLUG_LIMIT = 40


def slug(text: str) -> str:
    """``text`` as the start of an id: lower-case words joined by hyphens, at most SLUG_LIMIT characters."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(words) > SLUG_LIMIT:
        cut = words[: SLUG_LIMIT + 1]
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut[:SLUG_LIMIT]  # whole words, where it can
    return words or "article"


def knowledge_of(store: object) -> candidates.Knowledge:
    """What an open Store knows, as ingest reads it."""
    from ..store import Store

    assert isinstance(store, Store)
    events = list(store.iter_events())
    tags = [tag for tag, _ in store.tags()]
    return candidates.Knowledge(
        list(store.entities.values()), events, store.figures, list(store.sources.values()), tags, store.path.parent
    )


def ingest(
    path: Path,
    knowledge: candidates.Knowledge,
    published: str | None = None,
    outlet: str | None = None,
) -> tuple[str, dict[str, object], list[candidates.Candidate]]:
    """The article's text, its source entry and its candidates; raises IngestError on bad input."""
    text = read_article(path)
    head = sentences.header(text)
    if published is not None:
        try:
            span = dates.parse_published(published)
        except ValueError as error:
            raise IngestError(str(error)) from None
        published_text = published
    elif head.published is not None:
        try:
            dates.check_published(head.published, f"{path}: its date line")
        except ValueError as error:
            raise IngestError(str(error)) from None
        span = (head.published, head.published)
        published_text = head.published.isoformat()
    else:
        raise IngestError(f"{path}: no publication date: the article has no ' date YYYY-MM-DD' line; give --published")
    outlet = sanitize(outlet) if outlet else head.outlet
    if outlet is not None and len(outlet) > MAX_SHORT:  # a draft validate would refuse for it alone
        raise IngestError(f"the outlet is {len(outlet):,} characters; a store's is at most {MAX_SHORT}")
    base = f"{slug(outlet) if outlet else 'article'}-{span[0].isoformat()}"
    taken = {s.id for s in knowledge.sources}
    source_id, n = base, 2
    while source_id in taken:
        source_id, n = f"{base}-{n}", n + 1
    found = candidates.read(text, span, source_id, knowledge, path)
    source = draft.source_json(source_id, str(path), outlet, published_text)
    return text, source, found


def command(args: argparse.Namespace, out: TextIO, open_for: Callable[[argparse.Namespace], Store]) -> int:
    """The ``ingest`` command: the draft as YAML on stdout or in ``-o FILE``, or as JSON with ``--json``."""
    import sqlite3

    try:
        return _command(args, out, open_for)
    except sqlite3.DatabaseError as error:
        say(f"the cache was damaged while reading it ({error}); run again, or with --no-cache")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def read_page(path: Path, published: str | None, outlet: str | None) -> tuple[page.Page, str, str] | None:
    """An HTML page's text, publication date and outlet (the options', else its metadata's); None if not a page.

    Raises IngestError for a page that cannot be ingested: binary, empty, no html extra, no main text,
    or a publication date or outlet that neither the options nor the page's metadata give.
    """
    try:
        data = articles.read_bytes(path).data
    except articles.ArticleError as error:
        raise IngestError(f"{path}: {error}") from None
    if not page.is_html(path, data):
        return None
    if b"\x00" in data:
        raise IngestError(f"{path}: is a binary file (it has NUL bytes), not an HTML page")
    if not data.strip():
        raise IngestError(f"{path}: is empty; there is no page to read")
    try:
        found = page.extract(data)
    except page.PageError as error:
        raise IngestError(f"{path}: {error}") from None
    if published is None and found.published is not None:
        published = found.published.isoformat()
    outlet = outlet or found.outlet
    missing = [what for what, value in (("publication date", published), ("outlet", outlet)) if not value]
    if missing:
        options = " and ".join(f"--{'published' if what == 'publication date' else 'outlet'}" for what in missing)
        raise IngestError(f"{path}: the page's metadata gives no {' and no '.join(missing)}; give {options}")
    assert published is not None and outlet is not None
    return found, published, outlet


def write_page_article(found: page.Page, published: str, target: Path, asked: bool, protect: list[Protected]) -> bool:
    """Write the page's text as an article at ``target``, atomically; whether it was written (False: already there).

    A file already at the default place (``asked`` False) is never replaced: the same text is used as
    it is, another text is refused. A path the user named with ``--article-out`` is replaced, as ``-o`` is.
    """
    from ..output import OutputError, write_output

    text = page.article_text(found, dates.parse_published(published))
    try:
        kind = os.stat(target).st_mode
    except OSError:
        kind = None  # nothing there yet (or a dangling link, written through)
    if kind is not None and not stat.S_ISREG(kind):
        # A FIFO would wait for a reader for ever, and `validate` reads only a regular file as an article.
        raise IngestError(f"{visible(str(target))}: not a regular file; the article a draft cites must be one")
    if not asked and os.path.lexists(target):
        try:
            same = target.is_file() and target.read_bytes() == text.encode("utf-8")
        except OSError:
            same = False
        if same:
            return False
        raise IngestError(
            f"{visible(str(target))}: already exists and is not this page's text; move it away, or name "
            "another file with --article-out"
        )
    try:
        write_output(target, [text], protect=protect)
    except OutputError as error:
        raise IngestError(str(error)) from None
    return True


def _command(args: argparse.Namespace, out: TextIO, open_for: Callable[[argparse.Namespace], Store]) -> int:
    from ..errors import StoreError

    path = Path(args.article)
    article_out = getattr(args, "article_out", None)
    published, outlet = args.published, args.outlet
    try:
        if published is not None:
            dates.parse_published(published)
        html = read_page(path, published, outlet)  # bad input is reported before the store is opened
        if html is None:
            if article_out is not None:
                raise IngestError("--article-out is for an HTML page; this article is text already")
            _, raw = read_article_raw(path)
        elif args.output and args.output != "-":
            from ..output import same_file

            article = article_out or str(page.default_article_path(path))
            if same_file(path, args.output):
                raise IngestError(
                    f"{visible(args.output)}: -o names the page being read; the draft needs a file of its own"
                )
            if same_file(article, args.output):
                raise IngestError(
                    f"{visible(args.output)}: -o names the file the page's article goes to;"
                    " the draft needs one of its own"
                )
    except (IngestError, ValueError) as error:
        say(str(error))
        return EXIT_ERROR
    try:
        store = open_for(args)
    except StoreError as error:
        for problem in error.problems:
            error_line(str(problem))
        return EXIT_ERROR
    target = args.output
    article = (Path(article_out) if article_out else page.default_article_path(path)) if html is not None else path
    named = [path, article]  # the page or article named, and the article the draft quotes: never written over
    if output_files():  # before anything is written, the page's article too
        from ..output import OutputError, refuse_outputs_onto, store_files

        try:
            # `kztj ingest ARTICLE >> events.yaml`, or onto the page or article read or written; 2>&1 too
            refuse_outputs_onto([*store_files(store), *named], stdout=args.json or not target or target == "-")
        except OutputError as error:
            say(str(error))
            return EXIT_ERROR
    if html is not None:
        from ..output import store_files

        found_page, published, outlet = html
        try:
            wrote = write_page_article(found_page, published, article, bool(article_out), [*store_files(store), path])
            _, raw = read_article_raw(article)
        except IngestError as error:
            say(str(error))
            return EXIT_ERROR
        if wrote:
            say(f"wrote {article}: the page's main text, the article the draft quotes")
        else:
            say(f"{article} already holds the page's main text; the draft quotes it")
        path = article
    try:
        text, source, found = ingest(path, knowledge_of(store), published, outlet)
    except IngestError as error:
        say(str(error))
        return EXIT_ERROR
    if args.json:
        out.write(json_text(draft.to_json(source, found, text, raw)))
        return EXIT_OK
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        # A store is UTF-8 YAML: it cannot name this file. (JSON can, escaped.)
        say(f"{visible(str(path))}: the file name is not UTF-8, so a store cannot cite it; rename it")
        return EXIT_ERROR
    outside = included = False
    if target and target != "-":
        from ..includes import would_include

        # A draft the store's include patterns name is part of the store: its article is named from the
        # store's folder, and the store's entities are not copied into it.
        included = would_include(store.path, store.meta, Path(target))
        folder = store.path.parent.absolute() if included else Path(os.path.abspath(target)).parent
        relative = os.path.relpath(os.path.abspath(path), folder)
        outside = relative.startswith("..")
        source["file"] = relative
    entities = list(store.entities.values())
    yaml_text = draft.to_yaml(source, found, entities, outside, included=store.path.name if included else None)
    if not target or target == "-":
        out.write(yaml_text)
        return EXIT_OK
    from ..output import OutputError, store_files, write_output

    try:
        write_output(target, [yaml_text], protect=[*store_files(store), *named])  # `ingest page.html -o page.html`
    except OutputError as error:
        say(str(error))
        return EXIT_ERROR
    events = sum(c.kind == "event" for c in found)
    figures = len(found) - events
    say(f"wrote {visible(target)}: {events} candidate events, {figures} figures; write each TODO, then validate it")
    return EXIT_OK
