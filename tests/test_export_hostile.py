"""A hostile store in every export format, read back by each format's real consumer.

One hostile string fills every free-text field of a store (title, description, outlet, source
description, entity name and alias, event title, summary and quote, figure quote and note, the
disagreement's text); the store's file name and article file name are hostile too. Each consumer
must read back exactly the text the store holds (sanitised and, where a format is one line, folded)
and the document's structure must not change: the same events, headings and fields as a store
of plain words.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kztj_tui import export
from kztj_tui.cache import open_store
from kztj_tui.store import Store
from kztj_tui.text import normalize_for_quote, sanitize

from .test_formats import _calendar, markwhen_parse, timelinejs_media_types

HOSTILE = [
    "\x1b]0;PWNED\x07 title",
    "\x1b[31mred\x1b[0m \x9b2J csi",
    "nul\x00 bell\x07 backspace\x08 del\x7f",
    "vertical\x0btab and form\x0cfeed",
    "crlf\r\nEND:VEVENT\r\nBEGIN:VEVENT",
    "lone\rcarriage return",
    "line\u2028separator\u2029paragraph",
    "bidi \u202eevil\u202c override and zero\u200bwidth",
    "]]> and <![CDATA[ x ]]>",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//evil></iframe>",
    "{{ template }} and {% raw %} ${x}",
    "[link](javascript:alert(1)) and ![img](http://x/y.png)",
    "<https://autolink.example> and https://bare.example/x",
    "[^1] footnote and [^e1/1]: fake note",
    "*bold* _it_ **b** __u__ ~~s~~ `code` ``two``",
    "# heading",
    "- list item",
    "1. ordered",
    "> quote",
    "| a | b |\n|---|---|",
    "---",
    "=== setext",
    "    indented code",
    "\\ backslash \\\\ two \\n literal",
    "&amp; &copy; &#169; &#x41; entity",
    "a | pipe \\| escaped",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=tab formula",
    'comma, "double quote", and ""two""',
    "semi;colon,comma\\backslash",
    "#tag #1 and #wheat",
    "2021: looks like a markwhen event",
    "// a markwhen comment",
    "!fake id 40% [here](location)",
    "group Trade",
    "endGroup",
    "youtu be and youtube.com/watch?v=1",
    "vimeo.com spotify iframe photo.jpg report.pdf",
    "twitter.com/x <blockquote class='twitter-tweet'>",
    "ünïcödé " + "é" * 40 + " 漢字" * 20 + " 🇰🇿" * 10,
    "combining e\u0301 and a\u0308",
    "long " * 99,
    "x" * 500,
    "emoji 👩‍👩‍👧 zwj and :smile:",
    "%title block and @citation and $math$ and ^sup^",
]

ARTICLE = 'a`r [t](x) #1, é;"q".txt'
STORE_NAME = "ev\x1b]0;X\x07 #t `c` [a](b) *s*,;\nnl.yaml"


def folded(text: str) -> str:
    """What a one-line field of an export holds for this store text: sanitised, whitespace folded."""
    return " ".join(sanitize(text).split())


def _store_data(text: str, article: str) -> dict[str, Any]:
    def quote() -> dict[str, str]:
        return {"source": "s1", "quote": text}  # a new dict each time: the store refuses YAML aliases

    return {
        "title": text,
        "description": text,
        "sources": [
            {"id": "s1", "file": f"seeds/{article}", "outlet": text, "published": "2021-05-20", "description": text}
        ],
        "entities": [{"id": "p1", "name": text, "kind": "city", "aliases": [text]}],
        "events": [
            {
                "id": "e1",
                "date": "2021-05-19/2021-05-20",
                "title": text,
                "summary": text,
                "tags": ["t"],
                "actors": ["p1"],
                "place": "p1",
                "status": "occurred",
                "sources": [quote()],
            },
            {
                "id": "e2",
                "date": "2022",
                "title": "second",
                "summary": "second",
                "tags": ["t"],
                "status": "planned",
                "sources": [quote()],
            },
        ],
        "figures": [
            {"id": f"f{n}", "metric": "m", "period": "2021", "value": n, "unit": "count"}
            | {"source": "s1", "quote": text, "note": text, "event": "e1"}
            for n in (1, 2)
        ],
        "disagreements": [
            {"id": "d1", "about": text, "events": ["e1"], "figures": ["f1", "f2"], "versions": [quote()], "note": text}
        ],
    }


def hostile_store(folder: Path, text: str, name: str = STORE_NAME) -> Store:
    """A store with the text in every free-text field, named and citing an article as hostilely as allowed."""
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    (folder / "seeds" / ARTICLE).write_text(f"Before. {text} After.\n", encoding="utf-8")
    path = folder / name
    path.write_text(yaml.safe_dump(_store_data(text, ARTICLE), allow_unicode=False), encoding="utf-8")
    return open_store(path, use_cache=False)


@pytest.fixture(params=range(len(HOSTILE)), ids=lambda i: f"h{i}")
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Store]:
    text = HOSTILE[request.param]
    return text, hostile_store(tmp_path, text)


def ics_text(value: Any) -> str:
    """An iCalendar TEXT value, unescaped (RFC 5545 3.3.11): icalendar leaves X- properties as written."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value.to_ical().decode("utf-8"))


def _no_control_bytes(text: str, allowed: str) -> None:
    assert not [c for c in text if (ord(c) < 32 and c not in allowed) or 0x7F <= ord(c) < 0xA0]


def test_markdown_read_by_markdown_it(hostile: tuple[str, Store], tmp_path: Path) -> None:
    from .test_markdown_render import _markdown_it

    text, store = hostile
    source = export.render(store)
    _no_control_bytes(source, "\n")
    plain = export.render(hostile_store(tmp_path / "plain", "plain words", "plain.yaml"))
    assert _structure(_markdown_it(source)) == _structure(_markdown_it(plain))
    shown = html.unescape(re.sub(r"<[^>]+>", "", _markdown_it(source)))
    assert folded(text) in " ".join(shown.split())


@pytest.mark.parametrize("renderer", ["pandoc", "cmark-gfm"])
def test_markdown_read_by_pandoc_and_cmark_gfm(hostile: tuple[str, Store], tmp_path: Path, renderer: str) -> None:
    if shutil.which(renderer) is None:
        pytest.skip(f"{renderer} is not installed (.ci/run installs it)")
    command = {
        "pandoc": ["pandoc", "-f", "markdown", "-t", "html"],
        "cmark-gfm": ["cmark-gfm", "-e", "table", "-e", "footnotes", "-e", "strikethrough", "-e", "autolink"],
    }[renderer]
    text, store = hostile
    plain = hostile_store(tmp_path / "plain", "plain words", "plain.yaml")

    def rendered(s: Store) -> str:
        result = subprocess.run(command, input=export.render(s), capture_output=True, text=True, check=True)
        return result.stdout

    out = rendered(store)
    if renderer == "cmark-gfm":
        # cmark-gfm links a bare e-mail address whatever is escaped (it reads the text after escapes are
        # resolved); the address still reads literally, as the link's own text.
        out = re.sub(r'<a href="mailto:[^"]*">([^<]*)</a>', r"\1", out)
    assert _structure(out) == _structure(rendered(plain))
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", "", out)).split())
    # pandoc's smart typography curls straight quotes and makes "..." an ellipsis: the same text to a reader
    # (and to kztj's quote check), unlike "--" turned into a dash, which the export prevents.
    assert normalize_for_quote(folded(text)) in normalize_for_quote(shown)


def _structure(rendered: str) -> list[str]:
    """The element names of rendered HTML, in order: what user text must never change."""
    return re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", rendered)


def test_json_read_back_and_valid(hostile: tuple[str, Store]) -> None:
    import jsonschema

    from kztj_tui.export.schema import export_json_schema

    text, store = hostile
    data = json.loads(export.render(store, fmt="json"))
    jsonschema.Draft202012Validator(json.loads(export_json_schema())).validate(data)
    expected = sanitize(text)
    assert data["title"] == data["description"] == data["events"][0]["title"] == expected
    assert data["events"][0]["sources"][0]["quote"] == data["figures"][0]["note"] == expected
    assert [e["id"] for e in data["events"]] == ["e1", "e2"]
    lines = export.render(store, fmt="jsonl").splitlines()
    assert [json.loads(line)["summary"] for line in lines] == [expected, "second"]


def test_csv_read_by_the_standard_library_and_polars(hostile: tuple[str, Store]) -> None:
    polars = pytest.importorskip("polars")
    text, store = hostile
    source = export.render(store, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(source, newline="")))
    frame = polars.read_csv(io.BytesIO(source.encode("utf-8")), infer_schema_length=0)
    assert [r["id"] for r in rows] == frame["id"].to_list() == ["e1", "e2"]
    cell = folded(text)
    cell = "'" + cell if cell.startswith(("=", "+", "-", "@")) else cell
    assert rows[0]["title"] == rows[0]["summary"] == rows[0]["place"] == frame["title"][0] == cell
    assert rows[0]["quotes"] == cell
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for v in row.values())


def test_ics_read_by_icalendar(hostile: tuple[str, Store]) -> None:
    text, store = hostile
    source = export.render(store, fmt="ics")
    data = source.encode("utf-8")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    for line in data.split(b"\r\n"):
        line.decode("utf-8")  # every physical line is whole UTF-8: no fold inside a character
    assert "\n" not in source.replace("\r\n", "") and "\r" not in source.replace("\r\n", "")
    _no_control_bytes(source, "\r\n")
    calendar = _calendar(source)
    assert ics_text(calendar["X-WR-CALNAME"]) == ics_text(calendar["X-WR-CALDESC"]) == folded(text)
    events = calendar.walk("VEVENT")
    assert [str(v["UID"]) for v in events] == ["e1@kztj", "e2@kztj"]
    assert str(events[0]["SUMMARY"]) == str(events[0]["LOCATION"]) == folded(text)
    assert folded(text) in " ".join(str(events[0]["DESCRIPTION"]).split())


def test_timelinejs_read_as_json_and_by_timelinejs(hostile: tuple[str, Store]) -> None:
    text, store = hostile
    source = export.render(store, fmt="timelinejs")
    assert "</script" not in source.lower() and "{{" not in source and "\u2028" not in source
    data = json.loads(source)
    assert html.unescape(data["title"]["text"]["headline"]) == folded(text)
    slides = data["events"]
    assert [s["unique_id"] for s in slides] == ["e1", "e2"]
    for field in (slides[0]["text"]["headline"], slides[0]["media"]["caption"]):
        assert "<" not in field and html.unescape(field) == folded(text)
    assert html.unescape(slides[0]["media"]["url"]) == f"<blockquote>{folded(text)}</blockquote>"
    found = timelinejs_media_types([s["media"] for s in slides])
    assert found == [{"type": "blockquote", "image": None}] * 2


def test_markwhen_read_by_its_parser(hostile: tuple[str, Store]) -> None:
    text, store = hostile
    source = export.render(store, fmt="markwhen")
    _no_control_bytes(source, "\n")
    parsed = markwhen_parse(source)
    assert parsed["header"]["title"] == parsed["header"]["description"] == folded(text)
    assert parsed["groups"] == [] and [e["id"] for e in parsed["events"]] == ["e1", "e2"]
    first = parsed["events"][0]
    assert first["tags"] == ["t"] and first["locations"] == [] and first["percent"] is None
    assert re.sub(r"\\(.)", r"\1", first["title"]).strip() == folded(text)
    assert set(first["properties"]) == {"id", "edtf", "status", "tags"}


@pytest.mark.parametrize(
    "name",
    [
        "ev\x1b]0;PWNED\x07.yaml",
        "new\nline\r.yaml",
        "tab\tvt\x0bff\x0c.yaml",
        "#tag #1.yaml",
        "`tick` [a](b) *c* <i>.yaml",
        "semi;comma,back\\slash.yaml",
        "]]> {{x}} <script>.yaml",
        "bidi\u202eevil.yaml",
    ],
)
def test_a_store_without_a_title_names_its_file_safely(tmp_path: Path, name: str) -> None:
    """With no store title, each format's title names the file: escaped, without control bytes, one line."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / ARTICLE).write_text("Before. words After.\n", encoding="utf-8")
    data = _store_data("words", ARTICLE)
    del data["title"], data["description"]
    (tmp_path / name).write_text(yaml.safe_dump(data), encoding="utf-8")
    store = open_store(tmp_path / name, use_cache=False)
    from kztj_tui.export.common import file_label

    label = file_label(store.path)
    assert label and "\n" not in label and not [c for c in label if ord(c) < 32 or 0x7F <= ord(c) < 0xA0]
    title = f"A kztj timeline ({label})"
    for fmt in export.FORMATS:
        _no_control_bytes(export.render(store, fmt=fmt), "\r\n")
    from .test_markdown_render import _markdown_it

    heading = re.search(r"<h1>(.*?)</h1>", _markdown_it(export.render(store)))
    assert heading is not None and html.unescape(heading[1]) == title
    assert ics_text(_calendar(export.render(store, fmt="ics"))["X-WR-CALNAME"]) == title
    headline = json.loads(export.render(store, fmt="timelinejs"))["title"]["text"]["headline"]
    assert html.unescape(headline) == title
    assert markwhen_parse(export.render(store, fmt="markwhen"))["header"]["title"] == title


def test_file_label_of_a_name_that_is_not_utf8() -> None:
    """Bytes that are not UTF-8 (kept by Python as lone surrogates) become U+FFFD, which every format can write."""
    from kztj_tui.export.common import file_label

    label = file_label(Path("caf\udce9 \udcff\x1b.yaml"))
    assert label == "caf\ufffd \ufffd.yaml"
    label.encode("utf-8")


@pytest.mark.parametrize("text", ["#tag #1", "a #b, #1 c #", "#", "x#y #_ #é", "\\#escaped \\x23 literal"])
def test_markwhen_header_keeps_hashes(tmp_path: Path, text: str) -> None:
    """@markwhen/parser turns ``#word`` in a header line into ``)word``; the title and description survive it."""
    store = hostile_store(tmp_path, text)
    header = markwhen_parse(export.render(store, fmt="markwhen"))["header"]
    assert header["title"] == header["description"] == text


HEADER_PIECES = [
    "#",
    "#1",
    "#tag",
    " #",
    "\\",
    "\\x23",
    "//",
    "---",
    ": ",
    "'",
    '"',
    "\\n",
    "é",
    "!id",
    "%",
    "&",
    "(",
    ")",
    "a",
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(HEADER_PIECES) | st.text(max_size=3), min_size=1, max_size=12).map("".join))
def test_markwhen_header_reads_back_generated_titles(text: str) -> None:
    """Generated titles and descriptions read back by @markwhen/parser as the store holds them."""
    expected = folded(text)
    assume(expected)  # a blank title is no title
    with tempfile.TemporaryDirectory() as folder:
        store = hostile_store(Path(folder), text, "events.yaml")
        header = markwhen_parse(export.render(store, fmt="markwhen"))["header"]
    assert header["title"] == header["description"] == expected


# -- iCalendar folding ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(["\\", ",", ";", "\n", "x", "é", "€", "😀", " "]), min_size=60, max_size=300)
)
def test_ics_folds_between_characters_and_escapes(text: str) -> None:
    import icalendar

    from kztj_tui.export.ics import fold, ics_text

    folded = fold(f"SUMMARY:{ics_text(text)}")
    lines = folded.removesuffix("\r\n").split("\r\n ")
    assert all(len(line.encode("utf-8")) <= 75 - (index > 0) for index, line in enumerate(lines))
    # Each physical line holds whole escapes: a reader that unescapes line by line reads the same text.
    assert all(re.fullmatch(r"(?:[^\\]|\\[\\;,n])*", line) for line in lines)
    calendar = icalendar.Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{folded}END:VCALENDAR\r\n")
    assert str(calendar["SUMMARY"]) == text
