"""Source articles as data: where they may live, what a readable one is, and their text made safe to show."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .files import FileBytes, read_regular_file, stays_inside
from .text import sanitize
from .yamlparse import position

# The five bundled articles are a few kilobytes each; a 20 MB "article" is a mistake or an attack.
MAX_ARTICLE_BYTES = 20 << 20


class ArticleError(ValueError):
    """An article that kztj will not read, with the reason in words."""


class Article(NamedTuple):
    """An article's text, sanitised for display, and the bytes it came from (for the cache key)."""

    text: str
    read: FileBytes


def locate(store_dir: Path, file: str, allow_outside: bool = False) -> Path:
    """The article's path; outside the store's directory only when the user allowed it."""
    path = store_dir / file
    if allow_outside:
        return path
    if Path(file).is_absolute():
        raise ArticleError("is an absolute path; articles must sit beside the store (--allow-outside-articles)")
    if not stays_inside(path, store_dir):
        raise ArticleError("leads outside the store's directory; allow it with --allow-outside-articles")
    return path


def read(path: Path) -> Article:
    """Read an article: a non-empty, UTF-8 regular file of sane size, control characters removed."""
    raw = read_bytes(path)
    try:
        text = raw.data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw.data[: error.start].decode("utf-8", "replace")
        line, column = position(before, len(before))  # a character index: the bytes before may be multi-byte
        raise ArticleError(f"not UTF-8 at {line}:{column} (byte 0x{raw.data[error.start]:02x})") from None
    text = sanitize(text)
    if not text.strip():
        raise ArticleError("is empty; a quote cannot be checked against it")
    return Article(text, raw)


def read_bytes(path: Path) -> FileBytes:
    """An article's bytes: a regular file of sane size (an HTML page too, before its text is extracted)."""
    try:
        return read_regular_file(path, MAX_ARTICLE_BYTES)
    except FileNotFoundError:
        raise ArticleError("no such file") from None
    except PermissionError:
        raise ArticleError("permission denied") from None
    except OSError as error:
        raise ArticleError(f"cannot read it: {error.strerror or error}") from None
    except ValueError as error:  # not a regular file, or too large
        raise ArticleError(str(error)) from None
