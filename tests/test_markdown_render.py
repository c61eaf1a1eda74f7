"""Markdown export rendered by real renderers: user text never changes the document's structure.

A store whose text is hostile (list markers, headings, entities, pipes, backticks, math, citations)
must render to exactly the same HTML structure as the same store with plain words, and show the
hostile text literally. Renderers: markdown-it-py (always), pandoc and cmark-gfm (Debian packages,
installed by .ci/run; a machine without them skips only those, saying so).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kztj_tui import export
from kztj_tui.cache import open_store
from kztj_tui.export.markdown import event_note, figure_note

# Text placed at the start of a line (summaries), and inline (titles, outlets, notes).
LINE_STARTS = [
    "- starts like a bullet list",
    "+ starts like a plus list",
    "1993. starts like an ordered list",
    "# starts like a heading",
    "&copy; an entity that must not become a symbol",
    ": starts like a pandoc definition",
    "(a) starts like a pandoc example list",
    "a. starts like a letter list",
    "> starts like a block quote",
    "| looks | like a table |",
    "=== looks like a setext underline",
    "%title block",
]
INLINE = [
    "a <b>tag</b> and [a link](http://example.com) and *emphasis* and `code`",
    "maths $x + y$ and a citation @smith04 and ~sub~ and ^sup^",
    "Title with attributes {#anchor .class}",
    "a footnote [^1] and an entity &amp; and &#169;",
]
CELL = "a | b \\| c"
FILE_NAME = "art`icle``s.txt"


def _store_text(texts: list[str], note: str, file_name: str, outlet: str) -> str:
    events = []
    for index, text in enumerate(texts):
        event_id = "fig-x" if index == 0 else f"e{index}"
        events.append(
            f"""
              - id: {event_id}
                date: {1990 + index}-01-0{1 + index % 9}
                title: {_q(INLINE[index % len(INLINE)] if "plain" not in text else text)}
                summary: {_q(text)}
                tags: [t]
                status: occurred
                sources:
                  - source: s1
                    quote: the article says so
            """
        )
    return (
        textwrap.dedent(
            f"""
        sources:
          - id: s1
            file: {_q(file_name)}
            outlet: {_q(outlet)}
            published: 2023-05-05
            description: {_q(INLINE[1])}
        events:
        """
        )
        + "".join(textwrap.indent(textwrap.dedent(e), "  ") for e in events)
        + textwrap.dedent(
            f"""
        figures:
          - id: x-1
            metric: m
            period: 1990
            value: 5
            unit: count
            source: s1
            quote: the article says so
            note: {_q(note)}
            event: fig-x
          - id: x-2
            metric: m
            period: 1990
            value: 6
            unit: count
            source: s1
            quote: the article says so
        """
        )
    )


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _export(tmp_path: Path, name: str, texts: list[str], note: str, file_name: str, outlet: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    (folder / file_name).write_text("Yes: the article says so.\n", encoding="utf-8")
    store_path = folder / "events.yaml"
    store_path.write_text(_store_text(texts, note, file_name, outlet), encoding="utf-8")
    return export.render(open_store(store_path, use_cache=False))


class _Html(HTMLParser):
    """Start tags in order, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Links are left to the text check: GFM autolinks bare URLs, which shows the same text.
        if tag != "a":
            self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> tuple[list[str], str]:
    parser = _Html()
    parser.feed(html)
    return parser.tags, " ".join("".join(parser.text).split())


def _markdown_it(source: str) -> str:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").use(footnote_plugin).render(source)


def _command(*argv: str) -> Callable[[str], str]:
    def render(source: str) -> str:
        return subprocess.run(argv, input=source, capture_output=True, text=True, check=True, timeout=60).stdout

    return render


def _renderer(name: str) -> Callable[[str], str]:
    if name == "markdown-it":
        return _markdown_it
    program = {"pandoc": "pandoc", "cmark-gfm": "cmark-gfm"}[name]
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (Debian package {program}; .ci/run installs it)")
    if name == "pandoc":
        return _command("pandoc", "-f", "markdown", "-t", "html")
    return _command("cmark-gfm", *[a for e in ("footnotes", "table", "strikethrough", "autolink") for a in ("-e", e)])


RENDERERS = ["markdown-it", "pandoc", "cmark-gfm"]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_hostile_text_keeps_the_structure_and_reads_literally(tmp_path: Path, renderer: str) -> None:
    render = _renderer(renderer)
    hostile = _export(tmp_path, "hostile", LINE_STARTS, CELL, FILE_NAME, "- Outlet *starting* like a list")
    plain = _export(
        tmp_path, "plain", [f"plain words {i}" for i in range(len(LINE_STARTS))], "plain", "article.txt", "Outlet"
    )
    hostile_tags, hostile_text = _parse(render(hostile))
    plain_tags, _ = _parse(render(plain))
    assert hostile_tags == plain_tags
    for text in [*LINE_STARTS, *INLINE, FILE_NAME, "- Outlet *starting* like a list"]:
        assert " ".join(text.split()) in hostile_text, text
    assert "a | b \\| c" in hostile_text  # the cell shows its pipes and its backslash


def test_footnote_labels_are_unique_by_construction() -> None:
    # An event "fig-x" and a figure "x-1" collided as [^fig-x-1] before.
    event_labels = {event_note(event_id, i) for event_id in ("fig-x", "x", "x-1", "fig") for i in (1, 2)}
    figure_labels = {figure_note(figure_id) for figure_id in ("x-1", "1", "x", "fig-x")}
    assert len(event_labels) == 8 and len(figure_labels) == 4 and not event_labels & figure_labels


def test_every_footnote_is_defined_once(tmp_path: Path) -> None:
    text = _export(tmp_path, "hostile", LINE_STARTS, CELL, FILE_NAME, "Outlet")
    references = re.findall(r"\[\^([^\]]+)\](?!:)", text)
    definitions = re.findall(r"^\[\^([^\]]+)\]:", text, flags=re.MULTILINE)
    assert len(definitions) == len(set(definitions))
    assert set(references) == set(definitions)
